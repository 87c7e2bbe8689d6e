"""Request bodies: read within the size limit, parsed safely, read field by field.

An XML body goes through :func:`conformance.safexml.parse` (no DTD, no entities). A JSON
body is turned into the same element tree (``{"description": "x"}`` becomes
``<snapshot><description>x</description></snapshot>``; ``id``/``href``/``rel`` become
attributes), so every route reads one shape. Field readers accept a value either as an
attribute or as a child element, which is what a JSON client naturally sends for
``<topology sockets="2"/>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from lxml import etree
from starlette.requests import ClientDisconnect, Request

from conformance.engine._faults import invalid_value, malformed_body, malformed_id, too_large, unsupported_media_type
from conformance.engine._ids import normalize_guid
from conformance.engine._negotiation import body_type
from conformance.safexml import UnsafeOrMalformedXML, parse

__all__ = ["boolean", "child", "guid", "long", "parse_body", "read_body", "text_of"]

_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_ATTRIBUTE_KEYS = frozenset({"id", "href", "rel"})
_MAX_JSON_DEPTH = 32
LONG_MAX = 2**63 - 1


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or 413 as soon as it grows past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect:
        raise malformed_body("the client closed the connection before the body was complete") from None
    return b"".join(chunks)


def parse_body(raw: bytes, content_type: str | None, *, root: str, max_bytes: int) -> etree._Element | None:
    """The body as an element named ``root``; None for an empty body."""
    kind = body_type(content_type)
    if kind is None:
        raise unsupported_media_type(content_type or "")
    if not raw.strip():
        return None
    if kind.format == "json":
        return _json_document(raw, kind.charset, root)
    try:
        element = parse(raw, max_bytes=max_bytes)
    except UnsafeOrMalformedXML as error:
        raise malformed_body(str(error)) from None
    if element.tag != root:
        raise malformed_body(f"expected a <{root}> document, not <{_tag_name(element)}>")
    return element


def _tag_name(element: etree._Element) -> str:
    tag = element.tag
    return tag if isinstance(tag, str) else "?"


def _json_document(raw: bytes, charset: str | None, root: str) -> etree._Element:
    try:
        text = raw.decode(charset) if charset else raw
        document = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, LookupError, RecursionError, UnicodeDecodeError) as error:
        raise malformed_body(f"not well-formed JSON: {str(error)[:200]}") from None
    if not isinstance(document, dict):
        raise malformed_body(f"expected a JSON object for <{root}>, not a JSON {type(document).__name__}")
    # Accept both the unwrapped object of the v3 mapping and one wrapped in its root name.
    if set(document) == {root} and isinstance(document[root], dict):
        document = document[root]
    return _json_element(root, document, 0)


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _json_element(name: str, members: Mapping[str, object], depth: int) -> etree._Element:
    if depth > _MAX_JSON_DEPTH:
        raise malformed_body(f"JSON nested deeper than {_MAX_JSON_DEPTH} levels")
    element = etree.Element(name)
    for key, value in members.items():
        if not _XML_NAME.fullmatch(key):
            raise malformed_body(f"'{key[:40]}' is not a valid member name")
        for entry in value if isinstance(value, list) else [value]:
            _append_json(element, key, entry, depth)
    return element


def _append_json(parent: etree._Element, key: str, value: object, depth: int) -> None:
    if value is None:
        return
    if isinstance(value, dict):
        parent.append(_json_element(key, value, depth + 1))
        return
    if isinstance(value, list):
        raise malformed_body(f"'{key}' holds an array of arrays")
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    try:
        if key in _ATTRIBUTE_KEYS:
            parent.set(key, text)
        else:
            etree.SubElement(parent, key).text = text
    except ValueError:  # characters XML cannot carry (NUL, most control characters)
        raise malformed_body(f"'{key}' holds characters that are not allowed") from None


def child(element: etree._Element, name: str) -> etree._Element | None:
    return element.find(name)


def text_of(element: etree._Element, name: str) -> str | None:
    """An attribute's value or a child element's text ('' for an empty element), else None."""
    value = element.get(name)
    if value is not None:
        return value
    found = element.find(name)
    if found is None:
        return None
    return found.text or ""


def boolean(name: str, value: str) -> bool:
    """An ``xs:boolean``: true, false, 1 or 0."""
    text = value.strip()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise invalid_value(name, value, "an xs:boolean (true or false)")


def long(name: str, value: str, *, minimum: int, maximum: int = LONG_MAX) -> int:
    """An integer (``xs:long``/``xs:int``) within ``minimum``..``maximum``."""
    text = value.strip()
    if not _INTEGER.fullmatch(text):
        raise invalid_value(name, value, "an integer")
    number = int(text)
    if not minimum <= number <= maximum:
        raise invalid_value(name, value, f"an integer between {minimum} and {maximum}")
    return number


def guid(name: str, value: str) -> str:
    """A GUID given in a body, in lower case; 400 when malformed."""
    normalized = normalize_guid(value.strip())
    if normalized is None:
        raise malformed_id(name, value)
    return normalized
