"""From an HTTP answer to a parsed document, and small readers over snapshot elements.

Parsing is where a hostile or broken engine shows first; here every problem (not
well-formed, a DOCTYPE, too large, not JSON) becomes a :class:`RequirementFailure` of the
requirement the caller is checking, never another exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Protocol

from lxml import etree

from conformance import safexml
from conformance.checks._failure import RequirementFailure
from conformance.checks._show import show, show_body

__all__ = [
    "HTTPAnswer",
    "check_ok_answer",
    "child_text",
    "header",
    "media_type",
    "parse_json_answer",
    "parse_xml_answer",
    "parse_xml_text",
    "snapshot_id",
]


class HTTPAnswer(Protocol):
    """What a check needs of an HTTP answer; an ``httpx.Response`` is one."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> bytes: ...


def header(answer: HTTPAnswer, name: str) -> str | None:
    """The value of header ``name``, looked up without regard to case."""
    value = answer.headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in answer.headers.items():
        if key.lower() == wanted:
            return candidate
    return None


def media_type(answer: HTTPAnswer) -> str:
    """The answer's media type, lower case, without parameters (``""`` when none)."""
    value = header(answer, "Content-Type") or ""
    return value.split(";", 1)[0].strip().lower()


#: libxml2's position in its messages ("..., line 1, column 415")
_POSITION = re.compile(r"line (\d+), column (\d+)")


def _received(raw: bytes, problem: str) -> str:
    """The body, and the text around the parser's complaint when it names a place
    (a best effort: a break deep in a long body would be cut off otherwise)."""
    described = show_body(raw)
    place = _POSITION.search(problem)
    if place is None:
        return described
    line, column = int(place[1]), int(place[2])
    lines = raw.decode("utf-8", errors="replace").splitlines()
    if not 1 <= line <= len(lines):
        return described
    start = max(0, column - 60)
    return f"{described}; at line {line}, column {column}: {show(lines[line - 1][start : column + 40])}"


def check_ok_answer(answer: HTTPAnswer, requirement: str, *, what: str, media: str, body: str) -> None:
    """``answer`` is a 200 of media type ``media`` (parameters such as charset allowed),
    else ``requirement`` fails (SNAP-REPR-01, SNAP-JSON-01)."""
    if answer.status_code != 200:
        raise RequirementFailure(
            requirement,
            f"{what} did not answer 200",
            received=f"status {answer.status_code}, {show_body(answer.content)}",
            expected=f"200 with {body}",
        )
    if media_type(answer) != media:
        raise RequirementFailure(
            requirement,
            f"{what} is not {media}",
            received=f"Content-Type {show(header(answer, 'Content-Type'))}",
            expected=f"{media} (parameters such as charset allowed)",
        )


def parse_xml_text(text: str | bytes, requirement: str, *, what: str = "the answer") -> etree._Element:
    """Parse ``text`` safely (see :mod:`conformance.safexml`), failing ``requirement``."""
    try:
        return safexml.parse(text)
    except safexml.UnsafeOrMalformedXML as error:
        raw = text.encode("utf-8") if isinstance(text, str) else text
        raise RequirementFailure(
            requirement,
            f"{what} is not a well-formed, safe XML document: {error}",
            received=_received(raw, str(error)),
            expected="a well-formed XML document without DOCTYPE",
        ) from None


def parse_xml_answer(answer: HTTPAnswer, requirement: str) -> etree._Element:
    """The root element of the answer's body; a body that is not safe, well-formed XML
    fails ``requirement``."""
    return parse_xml_text(answer.content, requirement)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_answer(answer: HTTPAnswer, requirement: str) -> Any:
    """The JSON value of the answer's body; a body that is not JSON fails ``requirement``.

    ``NaN`` and ``Infinity`` (which Python's parser accepts) are refused, and so are
    bodies larger than the XML bound or nested too deeply to parse.
    """
    content = answer.content
    problem: str | None = None
    if len(content) > safexml.DEFAULT_MAX_BYTES:
        problem = f"{len(content)} bytes exceed the limit of {safexml.DEFAULT_MAX_BYTES} bytes"
    elif not content.strip():
        problem = "the body is empty"
    else:
        try:
            return json.loads(content, parse_constant=_refuse_constant)
        except RecursionError:
            problem = "nested too deeply"
        except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, bad constants
            problem = str(error)
    raise RequirementFailure(
        requirement,
        f"the answer is not a JSON document: {problem}",
        received=show_body(content),
        expected="a well-formed JSON document (RFC 8259)",
    )


def snapshot_id(snapshot: etree._Element) -> str:
    """The snapshot's ``id`` attribute, or ``""`` when it has none."""
    return snapshot.get("id") or ""


def child_text(element: etree._Element, path: str) -> str | None:
    """The text of the first element at ``path`` below ``element``; ``""`` when that element
    is empty, None when it is absent."""
    found = element.find(path)
    if found is None:
        return None
    return found.text or ""
