"""SNAP-NEG checks: the default media type, and refusing what cannot be served."""

from __future__ import annotations

import pytest

from conformance.checks import check_default_xml, check_not_acceptable


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("application/xml", id="plain"),
        pytest.param("application/xml;charset=UTF-8", id="charset"),
        pytest.param("APPLICATION/XML", id="upper-case"),
    ],
)
def test_default_xml(answer, content_type):
    check_default_xml(answer(b"<snapshots/>", content_type=content_type))


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("application/json", id="json"),
        pytest.param("text/xml", id="text-xml"),
        pytest.param("text/html", id="html"),
        pytest.param(None, id="absent"),
    ],
)
def test_default_xml_failures(answer, fails, content_type):
    with fails("SNAP-NEG-01") as info:
        check_default_xml(answer(b"{}", content_type=content_type))
    assert (repr(content_type) if content_type else "absent") in info.value.received


def test_not_acceptable(answer):
    check_not_acceptable(answer(b"", status=406, content_type=None))


@pytest.mark.parametrize("status", [200, 400, 415, 500])
def test_not_acceptable_failures(answer, fails, status):
    with fails("SNAP-NEG-02") as info:
        check_not_acceptable(answer(b"<snapshots/>", status=status))
    assert f"status {status}" in info.value.received
