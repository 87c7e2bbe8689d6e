"""SNAP-JSON checks: the JSON list, and its agreement with the XML one."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from conformance.checks import check_json_collection_answer, check_json_matches_xml, json_instant
from conformance.resources import read_fixture

REG = "a209216d-2909-4802-8886-02aad55dccc8"
ACT = "9b2f6c1e-4d7a-4f0b-8c3e-1a5d7e9f2b64"
JSON_TYPE = "application/json"


# --- SNAP-JSON-01 ---------------------------------------------------------------------------------


def test_collection_answer_returns_the_array(answer):
    items = check_json_collection_answer(answer(read_fixture("documents/snapshots-all-content.json"), content_type=JSON_TYPE))
    assert [item["id"] for item in items] == [REG, ACT]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{}", id="empty-object-is-an-empty-list"),
        pytest.param(b'{"snapshot": []}', id="empty-array"),
        pytest.param(b'{"size": "0"}', id="other-members-only"),
    ],
)
def test_empty_collections(answer, body):
    assert check_json_collection_answer(answer(body, content_type="application/json; charset=utf-8")) == []


@pytest.mark.parametrize(
    ("status", "content_type", "body", "in_title"),
    [
        pytest.param(500, JSON_TYPE, b"{}", "200", id="status-500"),
        pytest.param(200, "application/xml", b"<snapshots/>", "application/json", id="xml-answer"),
        pytest.param(200, "text/plain", b"{}", "application/json", id="text-plain"),
        pytest.param(200, JSON_TYPE, b"<snapshots/>", "not a JSON document", id="xml-body"),
        pytest.param(200, JSON_TYPE, b"[]", "not an object", id="top-level-array"),
        pytest.param(200, JSON_TYPE, b'{"snapshot": {"id": "x"}}', "not an array", id="single-object"),
        pytest.param(200, JSON_TYPE, b'{"snapshot": ["x"]}', "not an array of objects", id="array-of-strings"),
        pytest.param(200, JSON_TYPE, b'{"snapshots": {"snapshot": []}}', "wrapped", id="wrapped-root"),
    ],
)
def test_collection_answer_failures(answer, fails, status, content_type, body, in_title):
    with fails("SNAP-JSON-01") as info:
        check_json_collection_answer(answer(body, status=status, content_type=content_type))
    assert in_title in info.value.title


# --- SNAP-JSON-02 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("xml_name", ["snapshots-all-content.xml", "snapshots-collection.xml"])
def test_json_matches_xml(document, json_document, v3, xml_name):
    check_json_matches_xml(json_document("snapshots-all-content.json")["snapshot"], list(document(xml_name)), v3)


def test_json_for_another_instant_fails(document, json_document, fails, v3):
    with fails("SNAP-JSON-02") as info:
        check_json_matches_xml(json_document("snapshots-json-other-instant.json")["snapshot"], list(document("snapshots-all-content.xml")), v3)
    assert REG in info.value.title
    assert "date" in info.value.received
    assert "2015-02-10T00:39:24.123+01:00" in info.value.received


def _edited(json_document, index, **changes):
    items = copy.deepcopy(json_document("snapshots-all-content.json")["snapshot"])
    for key, value in changes.items():
        if value is _DROP:
            del items[index][key]
        else:
            items[index][key] = value
    return items


_DROP = object()


@pytest.mark.parametrize(
    ("index", "changes"),
    [
        pytest.param(0, {"date": 1423525164123}, id="epoch-millis-number"),
        pytest.param(0, {"date": 1423525164123.0}, id="epoch-millis-float"),
        pytest.param(0, {"date": "2015-02-09T23:39:24.123Z"}, id="iso-utc"),
        pytest.param(0, {"date": "2015-02-09T23:39:24.123+0000"}, id="jackson-offset-without-colon"),
        pytest.param(0, {"date": "2015-02-09 23:39:24.123+00:00"}, id="iso-space-separator"),
        pytest.param(0, {"persist_memorystate": False}, id="memory-bool"),
        pytest.param(0, {"persist_memorystate": "0"}, id="memory-zero-string"),
        pytest.param(1, {"persist_memorystate": "false"}, id="memory-string"),
        pytest.param(0, {"id": REG.upper()}, id="id-upper-case"),
        pytest.param(0, {"name": "ignored"}, id="uncompared-member"),
    ],
)
def test_json_spellings_that_agree(document, json_document, v3, index, changes):
    check_json_matches_xml(_edited(json_document, index, **changes), list(document("snapshots-all-content.xml")), v3)


@pytest.mark.parametrize(
    ("index", "changes", "in_received"),
    [
        pytest.param(0, {"date": 1423525164124}, "date", id="epoch-a-millisecond-off"),
        pytest.param(0, {"date": "1423525164"}, "date", id="epoch-seconds"),
        pytest.param(0, {"date": "2015-02-10"}, "date", id="date-only"),
        pytest.param(0, {"date": "yesterday"}, "date", id="garbage"),
        pytest.param(0, {"date": True}, "date", id="boolean-date"),
        pytest.param(0, {"date": _DROP}, "date", id="date-missing"),
        pytest.param(0, {"persist_memorystate": "yes"}, "persist_memorystate", id="memory-yes"),
        pytest.param(0, {"persist_memorystate": 0}, "persist_memorystate", id="memory-number"),
        pytest.param(0, {"persist_memorystate": True}, "persist_memorystate", id="memory-other-value"),
        pytest.param(0, {"description": "Snapshot B"}, "description", id="description"),
        pytest.param(0, {"type": "active"}, "type", id="type"),
        pytest.param(0, {"snapshot_status": "OK"}, "snapshot_status", id="status"),
        pytest.param(0, {"href": "/elsewhere"}, "href", id="href"),
    ],
)
def test_json_values_that_disagree(document, json_document, fails, v3, index, changes, in_received):
    with fails("SNAP-JSON-02") as info:
        check_json_matches_xml(_edited(json_document, index, **changes), list(document("snapshots-all-content.xml")), v3)
    assert in_received in info.value.received
    assert REG in info.value.title


@pytest.mark.parametrize(
    ("mutate", "in_received"),
    [
        pytest.param(lambda items: items.pop(1), f"only in XML: {ACT}", id="missing-in-json"),
        pytest.param(lambda items: items.append({**items[0], "id": "0b0b0b0b-0000-0000-0000-000000000000"}), "only in JSON: 0b0b0b0b", id="extra-in-json"),
    ],
)
def test_json_lists_other_snapshots(document, json_document, fails, v3, mutate, in_received):
    items = json_document("snapshots-all-content.json")["snapshot"]
    mutate(items)
    with fails("SNAP-JSON-02") as info:
        check_json_matches_xml(items, list(document("snapshots-all-content.xml")), v3)
    assert in_received in info.value.received


@pytest.mark.parametrize("identifier", [pytest.param(_DROP, id="absent"), pytest.param(42, id="number"), pytest.param("", id="empty")])
def test_json_snapshot_without_string_id(document, json_document, fails, v3, identifier):
    with fails("SNAP-JSON-02"):
        check_json_matches_xml(_edited(json_document, 0, id=identifier), list(document("snapshots-all-content.xml")), v3)


def test_json_type_follows_the_dialect(document, json_document, fails, v4):
    """In v4 the snapshot type is ``snapshot_type``; a v3-style JSON then lacks it."""
    xml = list(
        document(
            "snapshots-all-content.xml",
            ("<type>regular</type>", "<snapshot_type>regular</snapshot_type>"),
            ("<type>active</type>", "<snapshot_type>active</snapshot_type>"),
        )
    )
    with fails("SNAP-JSON-02") as info:
        check_json_matches_xml(json_document("snapshots-all-content.json")["snapshot"], xml, v4)
    assert "snapshot_type" in info.value.received
    items = json_document("snapshots-all-content.json")["snapshot"]
    for item in items:
        item["snapshot_type"] = item.pop("type")
    check_json_matches_xml(items, xml, v4)


def test_many_differences_are_summarised(document, json_document, fails, v3):
    items = json_document("snapshots-all-content.json")["snapshot"]
    for item in items:
        item.update(description="x", type="x", snapshot_status="x", href="x")
    with fails("SNAP-JSON-02") as info:
        check_json_matches_xml(items, list(document("snapshots-all-content.xml")), v3)
    assert "and 3 more" in info.value.received
    assert REG in info.value.title
    assert ACT in info.value.title


# --- reading JSON dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "millis"),
    [
        pytest.param(0, datetime(1970, 1, 1, tzinfo=UTC), True, id="zero"),
        pytest.param("1423525164123", datetime(2015, 2, 9, 23, 39, 24, 123000, tzinfo=UTC), True, id="string-millis"),
        pytest.param("-1000", datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC), True, id="before-epoch"),
        pytest.param("2015-02-09T23:39:24", datetime(2015, 2, 9, 23, 39, 24, tzinfo=UTC), False, id="naive-iso-is-utc"),
    ],
)
def test_json_instant(value, expected, millis):
    assert json_instant(value) == (expected, millis)


@pytest.mark.parametrize("value", [None, True, [], {}, "", "2015-02-10", float("nan"), float("inf"), 10**30, "not a date"])
def test_json_instant_refuses(value):
    assert json_instant(value) is None


def test_fixture_json_is_what_the_xml_says(json_document):
    """The fixture pair is consistent: the regular snapshot's epoch string is its XML date."""
    items = json_document("snapshots-all-content.json")["snapshot"]
    assert json_instant(items[0]["date"]) == (datetime(2015, 2, 9, 23, 39, 24, 123000, tzinfo=UTC), True)
    assert json.dumps(items)  # plain JSON, nothing exotic
