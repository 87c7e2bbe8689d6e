"""The write-side checks in the v4 dialect: a plain ``<status>`` in actions, and
``snapshot_type`` for the type of a created snapshot."""

from __future__ import annotations

import pytest

from conformance.checks import (
    check_action_complete,
    check_created_listed,
    check_empty_or_fault,
    check_fault_answer,
    check_unchanged_snapshot,
    compared_fields,
)
from conformance.resources import read_fixture

REG = "a209216d-2909-4802-8886-02aad55dccc8"


def fixture(name: str) -> bytes:
    return read_fixture(f"documents/{name}")


# --- actions: SNAP-RST-01 and the refusals ---------------------------------------------------------------


def test_v4_complete_action(answer, v4):
    check_action_complete(answer(fixture("v4/action-complete.xml")), "SNAP-RST-01", "restore", v4)


def test_nested_status_in_v4_fails_and_says_why(answer, fails, v4):
    with fails("SNAP-RST-01") as info:
        check_action_complete(answer(fixture("v4/action-nested-status.xml")), "SNAP-RST-01", "restore", v4)
    assert "nested <status><state>complete</state></status> (the v3 form)" in info.value.received
    assert info.value.expected == "<status>complete</status> without a fault"


def test_plain_status_in_v3_fails_and_says_why(answer, fails, v3):
    with fails("SNAP-RST-01") as info:
        check_action_complete(answer(fixture("v4/action-complete.xml")), "SNAP-RST-01", "restore", v3)
    assert "plain <status>complete</status> (the v4 form)" in info.value.received
    assert info.value.expected == "<status><state>complete</state></status> without a fault"


@pytest.mark.parametrize(
    ("body", "status", "received"),
    [
        pytest.param(b"<action><status>failed</status></action>", 200, "200 with 'failed'", id="failed"),
        pytest.param(b"<action/>", 200, "200 with no <status>", id="no-status"),
        pytest.param(b"<action><status>failed</status></action>", 202, "202 with 'failed'", id="failed-202"),
        pytest.param(
            b"<action><fault><reason>x</reason></fault><status>complete</status></action>", 200, "200 with 'complete' and a <fault>", id="complete-with-fault"
        ),
    ],
)
def test_v4_incomplete_actions(answer, fails, v4, body, status, received):
    with fails("SNAP-RST-01") as info:
        check_action_complete(answer(body, status=status), "SNAP-RST-01", "restore", v4)
    assert info.value.received == received


@pytest.mark.parametrize("state", ["pending", "in_progress", "complete"])
def test_202_under_way_is_fine(answer, v4, state):
    check_action_complete(answer(f"<action><status>{state}</status></action>", status=202), "SNAP-RST-01", "restore", v4)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{}", id="empty-object"),
        pytest.param(b'{"fault": {}}', id="fault-without-reason"),
        pytest.param(b'{"reason": "  "}', id="blank-reason"),
        pytest.param(b'{"snapshot": []}', id="a-snapshot-list"),
    ],
)
def test_a_json_404_body_must_be_a_fault(answer, fails, v4, body):
    with fails("SNAP-ERR-01"):
        check_empty_or_fault(answer(body, status=404, content_type="application/json"), "SNAP-ERR-01", (404,), "GET", v4)


def test_a_json_404_fault_or_nothing_is_fine(answer, v4):
    check_empty_or_fault(
        answer(b'{"reason": "Operation Failed", "detail": "Entity not found"}', status=404, content_type="application/json"), "SNAP-ERR-01", (404,), "GET", v4
    )
    check_empty_or_fault(answer(b"", status=404, content_type=None), "SNAP-ERR-01", (404,), "GET", v4)


def test_an_xml_404_fault_needs_a_reason(answer, fails, v4):
    with fails("SNAP-ERR-01"):
        check_empty_or_fault(answer(b"<fault><detail>x</detail><reason/></fault>", status=404), "SNAP-ERR-01", (404,), "GET", v4)


@pytest.mark.parametrize("name", ["v4/action-failed.xml", "v4/fault.xml"])
def test_v4_refusals_carry_a_fault(answer, v4, name):
    check_fault_answer(answer(fixture(name), status=409), "SNAP-RST-05", (400, 409), "restore while up", v4)


def test_v4_failed_action_is_no_fault_in_v3(answer, fails, v3):
    with fails("SNAP-RST-05") as info:
        check_fault_answer(answer(fixture("v4/action-failed.xml"), status=409), "SNAP-RST-05", (409,), "restore while up", v3)
    assert "<status><state>failed</state></status>" in info.value.expected


def test_v3_failed_action_is_no_fault_in_v4(answer, fails, v4):
    body = b"<action><status><state>failed</state></status><fault><reason>Operation Failed</reason></fault></action>"
    with fails("SNAP-RST-05") as info:
        check_fault_answer(answer(body, status=409), "SNAP-RST-05", (409,), "restore while up", v4)
    assert "<status>failed</status>" in info.value.expected


def test_v4_json_failed_action_carries_a_fault(answer, v4):
    body = b'{"fault": {"detail": "[Cannot revert]", "reason": "Operation Failed"}, "status": "failed"}'
    check_fault_answer(answer(body, status=409, content_type="application/json"), "SNAP-ERR-01", (409,), "restore while up", v4, json_expected=True)


# --- the created snapshot and its fields -------------------------------------------------------------------


def test_created_snapshot_is_told_by_snapshot_type(document, fails, v3, v4):
    snapshots = list(document("v4/snapshots-collection.xml"))
    assert check_created_listed(snapshots, REG, "Virtual Machine 1 - Snapshot A", v4) is snapshots[0]
    with fails("SNAP-CRT-03") as info:
        check_created_listed(snapshots, REG, "Virtual Machine 1 - Snapshot A", v3)
    assert "<type>regular</type>" in info.value.expected


def test_compared_fields_name_the_v4_type(document, fails, v4):
    before = document("v4/snapshot-regular.xml")
    assert compared_fields(before, v4)["snapshot_type"] == "regular"
    check_unchanged_snapshot(before, document("v4/snapshot-v3-order.xml"), v4, "SNAP-PUT-03", "a refused PUT")
    after = document("v4/snapshot-regular.xml", ("<snapshot_type>regular<", "<snapshot_type>active<"))
    with fails("SNAP-PUT-03") as info:
        check_unchanged_snapshot(before, after, v4, "SNAP-PUT-03", "a refused PUT")
    assert "snapshot_type" in info.value.received
