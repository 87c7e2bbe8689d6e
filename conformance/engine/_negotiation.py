"""Content negotiation: which format an answer takes, which format a request body has.

``Accept`` follows RFC 9110: each media range may carry a ``q`` weight; for each format
the most specific matching range decides its weight; the heaviest format wins, XML on a
tie (it is the engine's default). No ``Accept`` (or an empty one) means XML; a header
that accepts neither XML nor JSON is answered 406.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.engine._serialize import MEDIA_TYPES, Format

__all__ = ["BodyType", "body_type", "negotiate"]

_PREFERENCE: tuple[Format, ...] = ("xml", "json")
_XML_TYPES = frozenset({"application/xml", "text/xml"})
_JSON_TYPES = frozenset({"application/json"})


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float


def negotiate(accept: str | None) -> Format | None:
    """The answer's format for an ``Accept`` header, or None when none is acceptable."""
    if accept is None or not accept.strip():
        return "xml"
    ranges = [r for r in (_parse_range(part) for part in accept.split(",")) if r is not None]
    best: Format | None = None
    best_q = 0.0
    for fmt in _PREFERENCE:
        q = _weight(ranges, MEDIA_TYPES[fmt])
        if q > best_q:
            best, best_q = fmt, q
    return best


def _parse_range(text: str) -> _Range | None:
    """One media range, or None when it is malformed (it is then ignored)."""
    media, *params = (piece.strip() for piece in text.split(";"))
    if media.count("/") != 1:
        return None
    type_, subtype = (piece.strip().lower() for piece in media.split("/"))
    if not type_ or not subtype or (type_ == "*" and subtype != "*"):
        return None
    q = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return None
            if not 0.0 <= q <= 1.0:
                return None
    return _Range(type_, subtype, q)


def _weight(ranges: list[_Range], media_type: str) -> float:
    type_, subtype = media_type.split("/")
    best_specificity = -1
    weight = 0.0
    for candidate in ranges:
        if candidate.type == type_ and candidate.subtype == subtype:
            specificity = 2
        elif candidate.type == type_ and candidate.subtype == "*":
            specificity = 1
        elif candidate.type == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, weight = specificity, candidate.q
    return weight


@dataclass(frozen=True)
class BodyType:
    format: Format
    charset: str | None


def body_type(content_type: str | None) -> BodyType | None:
    """How to read a request body, or None for a media type the engine cannot consume.

    Without a ``Content-Type`` the body is read as XML, the API's default.
    """
    if content_type is None or not content_type.strip():
        return BodyType("xml", None)
    media, *params = (piece.strip() for piece in content_type.split(";"))
    media = media.lower()
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    if media in _XML_TYPES or (media.startswith("application/") and media.endswith("+xml")):
        return BodyType("xml", charset)
    if media in _JSON_TYPES or (media.startswith("application/") and media.endswith("+json")):
        return BodyType("json", charset)
    return None
