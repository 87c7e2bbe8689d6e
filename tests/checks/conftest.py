"""Shared fixtures of the checks' own tests: documents from fixtures/documents/, answers,
and the one way to assert that a check fails a given requirement."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx
import pytest
from lxml import etree

from conformance import safexml
from conformance.checks import RequirementFailure
from conformance.dialect import DIALECTS, Dialect
from conformance.resources import read_fixture


def raw(name: str) -> bytes:
    """The bytes of fixtures/documents/``name``."""
    return read_fixture(f"documents/{name}")


@pytest.fixture
def v3() -> Dialect:
    return DIALECTS["3"]


@pytest.fixture
def v4() -> Dialect:
    return DIALECTS["4"]


@pytest.fixture
def document() -> Callable[..., etree._Element]:
    """``document(name, *replacements)``: a fixture document, parsed, after replacing
    each ``(old, new)`` once (the old text must be there: a variant breaks one thing)."""

    def load(name: str, *replacements: tuple[str, str]) -> etree._Element:
        text = raw(name).decode("utf-8")
        for old, new in replacements:
            assert old in text, f"{old!r} is not in {name}"
            text = text.replace(old, new, 1)
        return safexml.parse(text.encode("utf-8"))

    return load


@pytest.fixture
def json_document() -> Callable[[str], Any]:
    def load(name: str) -> Any:
        return json.loads(raw(name))

    return load


@pytest.fixture
def answer() -> Callable[..., httpx.Response]:
    """``answer(content, status=200, content_type="application/xml")``: an HTTP answer as
    the suite's client returns it."""

    def build(content: bytes | str = b"", status: int = 200, content_type: str | None = "application/xml") -> httpx.Response:
        headers = {"Content-Type": content_type} if content_type is not None else {}
        body = content.encode("utf-8") if isinstance(content, str) else content
        return httpx.Response(status, content=body, headers=headers)

    return build


@contextmanager
def _fails(requirement: str) -> Iterator[pytest.ExceptionInfo[RequirementFailure]]:
    with pytest.raises(RequirementFailure) as info:
        yield info
    failure = info.value
    assert failure.requirement == requirement, f"expected {requirement}, got:\n{failure}"
    message = str(failure)
    assert message.startswith(f"{requirement}: ")
    assert "\nReceived: " in message, message
    assert "\nExpected: " in message, message
    assert failure.received.strip(), message
    assert failure.expected.strip(), message


@pytest.fixture
def fails() -> Callable[[str], AbstractContextManager[pytest.ExceptionInfo[RequirementFailure]]]:
    """``with fails("SNAP-REPR-03"): ...``: the block raises a RequirementFailure of that
    requirement, with a title, a Received line and an Expected line."""
    return _fails
