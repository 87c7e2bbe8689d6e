"""Node trees as JSON: the engine's v3 JSON mapping, a mirror of the XML.

- The root element is not named: a snapshot is ``{"id": ..., "href": ..., ...}``, a
  collection ``{"snapshot": [...]}`` (an empty one ``{"snapshot": []}``).
- Attributes and child elements are both keys, in document order.
- Elements that may repeat (``link``, collection members) are always arrays; so are
  elements that do repeat. ``actions`` is ``{"link": [...]}``.
- Leaves are typed: booleans and numbers native, dates ``xs:dateTime`` strings
  (the same text as in XML), everything else strings. An element with neither text nor
  content is ``{}``.
- Text data is never escaped beyond JSON's own rules: an OVF document is a plain string
  holding its markup.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from conformance.engine._nodes import Node, Scalar
from conformance.engine._xml import xs_datetime

__all__ = ["json_scalar", "json_value", "render_json"]

JsonValue = Any  # dict[str, JsonValue] | list[JsonValue] | str | int | bool


def json_scalar(value: Scalar) -> JsonValue:
    if isinstance(value, datetime):
        return xs_datetime(value)
    return value


def json_value(node: Node) -> JsonValue:
    if not node.attrs and not node.children and node.items is None:
        return {} if node.text is None else json_scalar(node.text)
    value: dict[str, JsonValue] = {key: json_scalar(v) for key, v in node.attrs.items()}
    if node.text is not None:
        value["value"] = json_scalar(node.text)
    groups: dict[str, list[Node]] = {}
    for child in node.children:
        groups.setdefault(child.name, []).append(child)
    for name, members in groups.items():
        if len(members) > 1 or members[0].repeated or name == node.items:
            value[name] = [json_value(member) for member in members]
        else:
            value[name] = json_value(members[0])
    if node.items is not None and node.items not in value:
        value[node.items] = []
    return value


def render_json(node: Node) -> bytes:
    return json.dumps(json_value(node), ensure_ascii=False, indent=2).encode("utf-8")
