"""The two dialects of the oVirt REST API, as far as snapshots see them.

v3 (the seed) and v4 name and nest a few things differently; everything that depends on
the dialect asks a :class:`Dialect` instead of testing a version string.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

__all__ = ["DIALECTS", "Dialect", "dialect_for"]


@dataclass(frozen=True)
class Dialect:
    version: str
    #: element holding the snapshot type (``type`` in v3, ``snapshot_type`` in v4)
    type_element: str
    #: whether a status is nested (``<status><state>x</state></status>``, v3) or plain (v4)
    nested_status: bool

    def status_text(self, parent: etree._Element, name: str = "status") -> str | None:
        """The status value under ``parent`` (a VM, an action, a creation status)."""
        element = parent.find(name)
        if element is None:
            return None
        if self.nested_status:
            state = element.find("state")
            return None if state is None else (state.text or "").strip()
        return (element.text or "").strip()


DIALECTS = {
    "3": Dialect(version="3", type_element="type", nested_status=True),
    "4": Dialect(version="4", type_element="snapshot_type", nested_status=False),
}


def dialect_for(version: str) -> Dialect:
    try:
        return DIALECTS[version]
    except KeyError:
        raise ValueError(f"unsupported API version {version!r}; expected one of {sorted(DIALECTS)}") from None
