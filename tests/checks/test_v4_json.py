"""SNAP-JSON checks in the v4 dialect: Jackson over the JAXB classes writes dates as epoch
milliseconds and booleans and integers as JSON strings; the checks compare values."""

from __future__ import annotations

import copy

import pytest

from conformance.checks import check_json_collection_answer, check_json_matches_xml, json_instant
from conformance.checks.lexical import parse_xs_datetime
from conformance.resources import read_fixture

REG = "a209216d-2909-4802-8886-02aad55dccc8"
ACT = "9b2f6c1e-4d7a-4f0b-8c3e-1a5d7e9f2b64"
REG_MILLIS = 1423525164123  # 2015-02-10T00:39:24.123+01:00
DROP = object()


@pytest.fixture
def items(json_document):
    return json_document("v4/snapshots-all-content.json")["snapshot"]


@pytest.fixture
def xml(document):
    return list(document("v4/snapshots-all-content.xml"))


def edited(items, index, **changes):
    result = copy.deepcopy(items)
    for key, value in changes.items():
        if value is DROP:
            del result[index][key]
        else:
            result[index][key] = value
    return result


def test_fixture_json_is_what_the_xml_says(items, xml):
    """The fixture is v4 JSON as Jackson writes it: epoch milliseconds as numbers,
    booleans as strings, and the same instants as the XML."""
    for item, snapshot in zip(items, xml, strict=True):
        assert isinstance(item["date"], int)
        assert item["persist_memorystate"] == "false"
        assert "type" not in item
        assert json_instant(item["date"]) == (parse_xs_datetime(snapshot.findtext("date")), True)


def test_v4_collection_answer(answer):
    body = read_fixture("documents/v4/snapshots-all-content.json")
    listed = check_json_collection_answer(answer(body, content_type="application/json"))
    assert [item["id"] for item in listed] == [REG, ACT]
    assert [item["snapshot_type"] for item in listed] == ["regular", "active"]


@pytest.mark.parametrize("xml_name", ["v4/snapshots-all-content.xml", "v4/snapshots-collection.xml"])
def test_v4_json_matches_v4_xml(items, document, v4, xml_name):
    check_json_matches_xml(items, list(document(xml_name)), v4)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"date": str(REG_MILLIS)}, id="millis-as-string"),
        pytest.param({"date": float(REG_MILLIS)}, id="millis-as-float"),
        pytest.param({"date": "2015-02-09T23:39:24.123Z"}, id="iso-string"),
        pytest.param({"persist_memorystate": False}, id="json-boolean"),
        pytest.param({"persist_memorystate": "0"}, id="zero-string"),
        pytest.param({"memory": "1073741824", "cpu_shares": "0"}, id="uncompared-integers-as-strings"),
        pytest.param({"type": "server"}, id="uncompared-vm-type"),
        pytest.param({"id": REG.upper()}, id="id-upper-case"),
    ],
)
def test_v4_spellings_that_agree(items, xml, v4, changes):
    check_json_matches_xml(edited(items, 0, **changes), xml, v4)


@pytest.mark.parametrize(
    ("changes", "in_received"),
    [
        pytest.param({"date": REG_MILLIS + 1}, "date", id="a-millisecond-off"),
        pytest.param({"date": str(REG_MILLIS // 1000)}, "date", id="epoch-seconds"),
        pytest.param({"date": "yesterday"}, "date", id="garbage"),
        pytest.param({"persist_memorystate": "true"}, "persist_memorystate", id="memory-true"),
        pytest.param({"persist_memorystate": "False"}, "persist_memorystate", id="memory-capitalised"),
        pytest.param({"snapshot_type": "active"}, "snapshot_type", id="snapshot-type"),
        pytest.param({"snapshot_type": DROP}, "snapshot_type", id="snapshot-type-missing"),
        pytest.param({"snapshot_status": "locked"}, "snapshot_status", id="status"),
    ],
)
def test_v4_values_that_disagree(items, xml, fails, v4, changes, in_received):
    with fails("SNAP-JSON-02") as info:
        check_json_matches_xml(edited(items, 0, **changes), xml, v4)
    assert in_received in info.value.received
    assert REG in info.value.title


def test_v3_json_does_not_match_v4_xml(json_document, xml, fails, v4):
    """A JSON that names the snapshot type ``type`` (v3) lacks v4's ``snapshot_type``."""
    with fails("SNAP-JSON-02") as info:
        check_json_matches_xml(json_document("snapshots-all-content.json")["snapshot"], xml, v4)
    assert "snapshot_type" in info.value.received


def test_v4_json_does_not_match_v3_xml(items, document, fails, v3):
    with fails("SNAP-JSON-02") as info:
        check_json_matches_xml(items, list(document("snapshots-all-content.xml")), v3)
    assert "type" in info.value.received
