"""From answers to documents: parse problems are failures of the caller's requirement."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from conformance.checks import (
    child_text,
    header,
    media_type,
    parse_json_answer,
    parse_xml_answer,
    parse_xml_text,
    snapshot_id,
)
from conformance.resources import read_fixture


@dataclass
class PlainAnswer:
    """Not an httpx.Response: the checks need only the HTTPAnswer protocol."""

    status_code: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""


# --- XML -----------------------------------------------------------------------------------


def test_repaired_seed_parses(answer):
    root = parse_xml_answer(answer(read_fixture("documents/snapshot-seed-15.39.xml")), "SNAP-REPR-05")
    assert root.tag == "snapshot"
    assert snapshot_id(root) == "00000000-0000-0000-0000-000000000000"


def test_seed_as_printed_is_a_readable_failure(answer, fails):
    printed = read_fixture("documents/snapshot-seed-15.39-as-printed.xml")
    with fails("SNAP-REPR-01") as info:
        parse_xml_answer(answer(printed), "SNAP-REPR-01")
    failure = info.value
    assert "not a well-formed" in failure.title
    assert "line 1, column 415" in failure.received
    assert "snapshots/ </actions>" in failure.received  # the text around the break is quoted


def test_bomb_is_refused_not_expanded(answer, fails):
    bomb = read_fixture("documents/bomb.xml")
    started = time.perf_counter()
    with fails("SNAP-REPR-01") as info:
        parse_xml_answer(answer(bomb), "SNAP-REPR-01")
    assert time.perf_counter() - started < 1.0
    assert "lol" * 100 not in str(info.value)  # nothing was expanded into the message


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b"", "empty", id="empty-body"),
        pytest.param(b"   \n", "empty", id="whitespace-body"),
        pytest.param(b"<html><body>Error 500</body>", "not well-formed", id="unclosed-html"),
        pytest.param(b'{"snapshot": []}', "not well-formed", id="json-body"),
        pytest.param(b"<snapshots/><snapshots/>", "not well-formed", id="two-roots"),
        pytest.param(b'<!DOCTYPE snapshots SYSTEM "http://example.invalid/x.dtd"><snapshots/>', "DOCTYPE", id="external-dtd"),
        pytest.param(
            b'<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><snapshots><snapshot id="&x;"/></snapshots>',
            "external entity",
            id="external-entity",
        ),
        pytest.param(b'<!DOCTYPE s [<!ENTITY x "xx">]><snapshots><snapshot id="&x;"/></snapshots>', "DOCTYPE", id="internal-entity"),
    ],
)
def test_bad_xml_fails_the_given_requirement(answer, fails, body, reason):
    with fails("SNAP-REPR-16") as info:
        parse_xml_answer(answer(body), "SNAP-REPR-16")
    assert reason in info.value.title
    assert "root:" not in str(info.value)  # no file was read into the message


def test_parse_xml_text_names_what_it_parsed(fails):
    with fails("SNAP-ALLC-03") as info:
        parse_xml_text("<ovf:Envelope", "SNAP-ALLC-03", what="the OVF of snapshot x")
    assert info.value.title.startswith("the OVF of snapshot x is not")


def test_long_bodies_are_cut(answer, fails):
    with fails("SNAP-REPR-01") as info:
        parse_xml_answer(answer(b"<" + b"x" * 5000), "SNAP-REPR-01")
    assert len(info.value.received) < 600
    assert "5001 characters in all" in info.value.received


# --- JSON ----------------------------------------------------------------------------------


def test_json_parses(answer):
    assert parse_json_answer(answer(b'{"snapshot": []}', content_type="application/json"), "SNAP-JSON-01") == {"snapshot": []}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"<snapshots/>", id="xml"),
        pytest.param(b'{"snapshot": [', id="truncated"),
        pytest.param(b'{"date": NaN}', id="nan"),
        pytest.param(b"[Infinity]", id="infinity"),
        pytest.param(b"\xc3(", id="bad-utf8"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested-too-deep"),
    ],
)
def test_bad_json_fails_the_given_requirement(answer, fails, body):
    with fails("SNAP-JSON-02"):
        parse_json_answer(answer(body, content_type="application/json"), "SNAP-JSON-02")


# --- headers and small readers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("application/xml", "application/xml", id="plain"),
        pytest.param("application/xml;charset=UTF-8", "application/xml", id="charset"),
        pytest.param(" Application/XML ; charset=utf-8", "application/xml", id="case-and-spaces"),
        pytest.param(None, "", id="absent"),
    ],
)
def test_media_type(answer, value, expected):
    assert media_type(answer(b"", content_type=value)) == expected


def test_headers_of_a_plain_mapping_are_found_without_regard_to_case():
    plain = PlainAnswer(headers={"content-type": "application/json; charset=utf-8"})
    assert header(plain, "Content-Type") == "application/json; charset=utf-8"
    assert media_type(plain) == "application/json"
    assert header(plain, "Location") is None


def test_plain_answer_parses(fails):
    assert parse_xml_answer(PlainAnswer(content=b"<snapshots/>"), "SNAP-REPR-01").tag == "snapshots"
    with fails("SNAP-REPR-01"):
        parse_xml_answer(PlainAnswer(content=b"<snapshots>"), "SNAP-REPR-01")


def test_snapshot_id_and_child_text(document):
    snapshot = document("snapshot-regular.xml")
    assert snapshot_id(snapshot) == "a209216d-2909-4802-8886-02aad55dccc8"
    assert snapshot_id(document("snapshot-regular.xml", (' id="a209216d-2909-4802-8886-02aad55dccc8"', ""))) == ""
    assert child_text(snapshot, "type") == "regular"
    assert child_text(snapshot, "initialization") is None
    assert child_text(document("snapshot-regular.xml", ("<description>Virtual Machine 1 - Snapshot A</description>", "<description/>")), "description") == ""
