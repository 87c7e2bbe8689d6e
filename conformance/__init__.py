"""snapshot-conformance: a conformance suite for the oVirt VM snapshot REST API."""

__all__ = ["__version__"]

__version__ = "0.1.0"
