"""The data shipped inside the package: ``specs/`` and ``fixtures/``.

Both directories sit at the top of the repository and are mapped into the wheel as the
packages ``conformance.specs`` and ``conformance.fixtures`` (see ``pyproject.toml``), so a
non-editable install finds them from any working directory. This module is the one place
that knows how they are reached.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

__all__ = ["fixture", "read_fixture", "read_spec", "spec"]


def spec(name: str) -> Traversable:
    """A file of ``specs/`` (``name`` may contain ``/``)."""
    return _join(files("conformance.specs"), name)


def fixture(name: str) -> Traversable:
    """A file of ``fixtures/`` (``name`` may contain ``/``)."""
    return _join(files("conformance.fixtures"), name)


def read_spec(name: str) -> bytes:
    return spec(name).read_bytes()


def read_fixture(name: str) -> bytes:
    return fixture(name).read_bytes()


def _join(root: Traversable, name: str) -> Traversable:
    node = root
    for part in name.split("/"):
        node = node / part
    return node
