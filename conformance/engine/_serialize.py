"""The one place where a representation becomes bytes of a negotiated format."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from conformance.engine._json import render_json
from conformance.engine._nodes import Node
from conformance.engine._xml import render_xml

__all__ = ["MEDIA_TYPES", "Format", "render"]

Format = Literal["xml", "json"]

MEDIA_TYPES: Mapping[Format, str] = MappingProxyType({"xml": "application/xml", "json": "application/json"})


def render(node: Node, fmt: Format) -> bytes:
    return render_json(node) if fmt == "json" else render_xml(node)
