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

v4 keeps the shape and changes only the leaves (:func:`json_scalar_v4`): its JSON comes
from Jackson over the engine's JAXB classes, so dates are epoch milliseconds (numbers) and
booleans and integers are strings (``"false"``, ``"1073741824"``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from conformance.engine._nodes import Node, Scalar
from conformance.engine._xml import xs_datetime

__all__ = ["json_scalar", "json_scalar_v4", "json_value", "render_json"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

JsonValue = Any  # dict[str, JsonValue] | list[JsonValue] | str | int | bool
#: how a renderer spells a leaf
ScalarStyle = Callable[[Scalar], JsonValue]


def json_scalar(value: Scalar) -> JsonValue:
    if isinstance(value, datetime):
        return xs_datetime(value)
    return value


def json_scalar_v4(value: Scalar) -> JsonValue:
    """A leaf as v4 JSON: a date as epoch milliseconds, everything else a string."""
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, datetime):
        # truncated like the XML text (milliseconds): both spell the same instant
        return (value - _EPOCH) // timedelta(milliseconds=1)
    return str(value)


def json_value(node: Node, scalar: ScalarStyle = json_scalar) -> JsonValue:
    if not node.attrs and not node.children and node.items is None:
        return {} if node.text is None else scalar(node.text)
    value: dict[str, JsonValue] = {key: scalar(v) for key, v in node.attrs.items()}
    if node.text is not None:
        value["value"] = scalar(node.text)
    groups: dict[str, list[Node]] = {}
    for child in node.children:
        groups.setdefault(child.name, []).append(child)
    for name, members in groups.items():
        if len(members) > 1 or members[0].repeated or name == node.items:
            value[name] = [json_value(member, scalar) for member in members]
        else:
            value[name] = json_value(members[0], scalar)
    if node.items is not None and node.items not in value:
        value[node.items] = []
    return value


def render_json(node: Node, scalar: ScalarStyle = json_scalar) -> bytes:
    return json.dumps(json_value(node, scalar), ensure_ascii=False, indent=2).encode("utf-8")
