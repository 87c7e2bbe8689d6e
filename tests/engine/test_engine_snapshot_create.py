"""Creating snapshots: 202 with a creation status, or 201 with Expect; the lock; the rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest


def _create(api, vm, description="snap", headers=None, extra=""):
    body = f"<snapshot><description>{description}</description>{extra}</snapshot>"
    return api.post(f"vms/{vm}/snapshots", body, headers=headers or {})


def test_create_answers_202_locked_then_ok(api, vm, poll):
    previous_active = api.active_id(vm)
    started = datetime.now().astimezone()
    response = _create(api, vm, "first")
    finished = datetime.now().astimezone()
    snapshot = api.xml(response, 202)
    snapshot_id = snapshot.get("id")
    assert snapshot_id == previous_active, "a new snapshot takes the former active snapshot's id"
    assert snapshot.findtext("description") == "first"
    assert snapshot.findtext("type") == "regular"
    assert snapshot.findtext("snapshot_status") == "locked"
    assert snapshot.findtext("creation_status/state") == "pending"
    date = datetime.fromisoformat(snapshot.findtext("date") or "")
    assert started - timedelta(seconds=1) <= date <= finished + timedelta(seconds=1)
    (link,) = [link for link in snapshot.iterfind("link") if link.get("rel") == "creation_status"]
    creation = api.xml(api.get(link.get("href")))
    assert creation.tag == "creation"
    assert creation.findtext("status/state") in ("pending", "complete")
    poll(lambda: api.snapshot_status(vm, snapshot_id), lambda s: s == "ok")
    assert api.xml(api.get(link.get("href"))).findtext("status/state") == "complete"
    listed = {s.get("id"): s for s in api.snapshots(vm)}
    assert listed[snapshot_id].findtext("type") == "regular"
    assert listed[snapshot_id].findtext("description") == "first"
    new_active = api.active_id(vm)
    assert new_active not in (previous_active, snapshot_id)


def test_status_goes_only_from_locked_to_ok(make_engine, make_api):
    api = make_api(make_engine(snapshot_lock_seconds=0.15))
    vm = api.create_vm()
    snapshot_id = api.xml(_create(api, vm), 202).get("id")
    seen = []
    while not seen or seen[-1] != "ok":
        seen.append(api.snapshot_status(vm, snapshot_id))
    assert set(seen) == {"locked", "ok"}
    assert seen.index("ok") == len(seen) - 1


@pytest.mark.parametrize("header", ["Expect", "X-Ovirt-Expect"])
def test_expect_201_waits_and_answers_201_with_location(api, vm, header):
    response = _create(api, vm, "waited", headers={header: "201-created"})
    snapshot = api.xml(response, 201)
    assert snapshot.findtext("snapshot_status") == "ok"
    assert snapshot.find("creation_status") is None
    assert response.headers["location"] == f"{api.engine.base_url}{snapshot.get('href')}"


def test_without_a_lock_the_answer_is_201(make_engine, make_api):
    api = make_api(make_engine(snapshot_lock_seconds=0))
    vm = api.create_vm()
    response = _create(api, vm)
    assert api.xml(response, 201).findtext("snapshot_status") == "ok"
    assert response.headers["location"].endswith(api.xml(response, 201).get("href"))


def test_the_create_answer_carries_the_ovf(api, vm):
    snapshot = api.xml(_create(api, vm), 202)
    assert snapshot.findtext("initialization/configuration/type") == "ovf"
    assert "Envelope" in (snapshot.findtext("initialization/configuration/data") or "")


def test_trailing_slash_as_in_the_guide(api, vm):
    response = api.client.post(
        f"/ovirt-engine/api/vms/{vm}/snapshots/",
        content=b"<snapshot>\n    <description>Snapshot description</description>\n</snapshot>",
        headers={"Content-Type": "application/xml", "Accept": "application/xml"},
    )
    assert response.status_code == 202


def test_create_as_json(api, vm):
    response = api.request("POST", f"vms/{vm}/snapshots", json_body={"description": "js"}, headers={"Accept": "application/json"})
    item = api.json(response, 202)
    assert item["snapshot_status"] == "locked"
    assert item["creation_status"] == {"state": "pending"}
    assert item["persist_memorystate"] is False


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("<snapshot/>", id="no-description"),
        pytest.param("<snapshot><description></description></snapshot>", id="empty"),
        pytest.param("<snapshot><description>   </description></snapshot>", id="blank"),
        pytest.param("<snapshot><persist_memorystate>true</persist_memorystate></snapshot>", id="only-memory"),
        pytest.param("", id="empty-body"),
    ],
)
def test_description_is_required(api, vm, body):
    before = [s.get("id") for s in api.snapshots(vm)]
    reason, detail = api.fault(api.post(f"vms/{vm}/snapshots", body), 400)
    assert reason == "Incomplete parameters"
    assert detail == "Snapshot [description] required for add"
    assert [s.get("id") for s in api.snapshots(vm)] == before


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("<snapshot><description>x</description>", id="unclosed"),
        pytest.param("<snapshot><description>x</snapshot>", id="mismatched"),
        pytest.param("<vm><description>x</description></vm>", id="wrong-root"),
        pytest.param("<snapshot><description>x</description><persist_memorystate>maybe</persist_memorystate></snapshot>", id="bad-boolean"),
        pytest.param("<snapshot><description>x</description><disks><disk id='nope'/></disks></snapshot>", id="bad-disk-id"),
    ],
)
def test_malformed_body_is_400_and_creates_nothing(api, vm, body):
    before = [s.get("id") for s in api.snapshots(vm)]
    api.fault(api.post(f"vms/{vm}/snapshots", body), 400)
    assert [s.get("id") for s in api.snapshots(vm)] == before


def test_unknown_vm_is_404(api):
    api.not_found(_create(api, "6f1d0d0a-0000-4000-8000-000000000001"))


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        pytest.param(None, "false", id="default"),
        pytest.param("true", "true", id="true"),
        pytest.param("false", "false", id="false"),
        pytest.param("1", "true", id="one"),
    ],
)
def test_memory_state_of_a_live_snapshot(api, up_vm, asked, expected):
    extra = "" if asked is None else f"<persist_memorystate>{asked}</persist_memorystate>"
    snapshot = api.xml(_create(api, up_vm, "live", extra=extra), 202)
    assert snapshot.findtext("persist_memorystate") == expected
    api.wait_snapshot(up_vm, snapshot.get("id"), "ok")
    assert api.snapshot(up_vm, snapshot.get("id")).findtext("persist_memorystate") == expected


def test_a_down_vm_has_no_memory_to_save(api, vm):
    snapshot = api.xml(_create(api, vm, extra="<persist_memorystate>true</persist_memorystate>"), 202)
    assert snapshot.findtext("persist_memorystate") == "false"


def test_a_locked_snapshot_blocks_other_changes(make_engine, make_api):
    api = make_api(make_engine(snapshot_lock_seconds=30))  # stays locked for this whole test
    vm = api.create_vm()
    locked = api.xml(_create(api, vm, "slow"), 202).get("id")
    _, detail = api.fault(_create(api, vm, "second"), 409)
    assert "Snapshot" in detail
    api.fault(api.delete(f"vms/{vm}/snapshots/{locked}"), 409)
    api.failed_action(api.post(f"vms/{vm}/snapshots/{locked}/restore"), 409)
    api.fault(api.put(f"vms/{vm}", "<vm><description>x</description></vm>"), 409)
    api.fault(api.delete(f"vms/{vm}"), 409)
    assert [s.findtext("snapshot_status") for s in api.snapshots(vm)] == ["locked", "ok"]


def test_a_live_snapshot_can_be_taken_after_freezing(api, up_vm):
    api.completed(api.post(f"vms/{up_vm}/freezefilesystems"))
    snapshot_id = api.create_snapshot(up_vm, "quiesced", persist=True)
    api.completed(api.post(f"vms/{up_vm}/thawfilesystems"))
    assert api.snapshot(up_vm, snapshot_id).findtext("persist_memorystate") == "true"
