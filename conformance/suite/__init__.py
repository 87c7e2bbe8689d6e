"""The conformance tests: run them with ``snapshot-conformance run`` or
``pytest --pyargs conformance.suite --engine-url URL``."""
