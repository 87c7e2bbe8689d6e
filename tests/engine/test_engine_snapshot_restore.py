"""Restoring a snapshot: the VM returns to it, newer snapshots go, ids follow the engine."""

from __future__ import annotations

import time

import pytest


@pytest.fixture
def api(instant_engine, make_api):
    """These tests are about the outcome, not the waiting: an engine without delays."""
    return make_api(instant_engine)


@pytest.fixture
def chain(api, vm):
    """Snapshots A, B, C of a down VM, its description and memory changed before each."""
    ids = {}
    for index, name in enumerate("ABC"):
        api.xml(api.put(f"vms/{vm}", f"<vm><description>desc-{name}</description><memory>{(index + 1) * 1024**3}</memory></vm>"))
        ids[name] = api.create_snapshot(vm, f"snapshot {name}")
    api.xml(api.put(f"vms/{vm}", "<vm><description>desc-now</description><memory>4294967296</memory></vm>"))
    return ids


def test_restore_b(api, vm, chain):
    before_ids = {s.get("id") for s in api.snapshots(vm)}
    old_active = api.active_id(vm)
    api.completed(api.post(f"vms/{vm}/snapshots/{chain['B']}/restore"))
    snapshots = {s.get("id"): s for s in api.snapshots(vm)}
    restored = snapshots[chain["B"]]
    assert (restored.findtext("type"), restored.findtext("snapshot_status")) == ("regular", "ok")
    assert chain["C"] not in snapshots, "snapshots newer than the restored one are gone"
    assert chain["A"] in snapshots, "older snapshots remain"
    actives = [s for s in snapshots.values() if s.findtext("type") == "active"]
    assert len(actives) == 1
    assert actives[0].get("id") not in before_ids | {old_active}, "the active snapshot gets a fresh id"
    vm_element = api.vm(vm)
    assert vm_element.findtext("description") == "desc-B"
    assert vm_element.findtext("memory") == str(2 * 1024**3)
    assert len(snapshots) == 3


def test_restore_then_create_again(api, vm, chain):
    api.completed(api.post(f"vms/{vm}/snapshots/{chain['A']}/restore"))
    active = api.active_id(vm)
    new = api.create_snapshot(vm, "after restore")
    assert new == active
    assert [s.findtext("description") for s in api.snapshots(vm)] == ["snapshot A", "after restore", "Active VM"]


def test_restore_while_up_is_refused_and_changes_nothing(api, vm, chain):
    api.start_vm(vm)
    before = [(s.get("id"), s.findtext("snapshot_status")) for s in api.snapshots(vm)]
    _, detail = api.failed_action(api.post(f"vms/{vm}/snapshots/{chain['A']}/restore"), 409)
    assert "not down" in detail
    assert [(s.get("id"), s.findtext("snapshot_status")) for s in api.snapshots(vm)] == before
    assert api.vm(vm).findtext("description") == "desc-now"


def test_restore_the_active_snapshot_is_400(api, vm):
    _, detail = api.failed_action(api.post(f"vms/{vm}/snapshots/{api.active_id(vm)}/restore"), 400)
    assert detail == "[Cannot preview Active VM snapshot.]"


def test_restore_unknown_or_malformed_is_404(api, vm):
    api.not_found(api.post(f"vms/{vm}/snapshots/6f1d0d0a-0000-4000-8000-000000000001/restore"))
    api.not_found(api.post(f"vms/{vm}/snapshots/zzz/restore"))


def test_restore_with_parameters(api, vm, chain):
    body = "<action><restore_memory>true</restore_memory></action>"
    api.completed(api.post(f"vms/{vm}/snapshots/{chain['C']}/restore", body))
    assert api.vm(vm).findtext("description") == "desc-C"


def test_restore_of_a_seeded_snapshot_with_disks(make_engine, make_api, seeded):
    api = make_api(make_engine())
    disks = list(api.xml(api.get(f"vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}/disks")).iterfind("disk"))
    body = "<action><disks>" + "".join(f"<disk id='{d.get('id')}'/>" for d in disks) + "</disks></action>"
    api.completed(api.post(f"vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}/restore", body))
    assert [s.findtext("type") for s in api.snapshots(seeded.db_01)] == ["regular", "active"]
    vm = api.vm(seeded.db_01)
    assert vm.findtext("memory") == str(4 * 1024**3)
    assert len(list(api.xml(api.get(f"vms/{seeded.db_01}/disks")).iterfind("disk"))) == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param("<action><restore_memory>perhaps</restore_memory></action>", 400, id="bad-boolean"),
        pytest.param("<action><disks><disk id='zzz'/></disks></action>", 400, id="malformed-disk-id"),
        pytest.param("<action><disks><disk id='6f1d0d0a-0000-4000-8000-000000000001'/></disks></action>", 400, id="foreign-disk"),
        pytest.param("<action>", 400, id="broken-xml"),
        pytest.param("<snapshot/>", 400, id="wrong-root"),
    ],
)
def test_restore_with_bad_parameters_changes_nothing(api, vm, chain, body, status):
    before = [s.get("id") for s in api.snapshots(vm)]
    response = api.post(f"vms/{vm}/snapshots/{chain['A']}/restore", body)
    assert response.status_code == status
    assert [s.get("id") for s in api.snapshots(vm)] == before
    assert api.vm(vm).findtext("description") == "desc-now"


def test_restore_blocks_and_locks_the_vm(make_engine, make_api):
    import threading

    engine = make_engine(restore_seconds=0.3)
    api, other = make_api(engine), make_api(engine)
    vm = api.create_vm()
    target = api.create_snapshot(vm, "target")
    seen = {}

    def during() -> None:
        time.sleep(0.1)
        seen["status"] = other.snapshot_status(vm, target)
        seen["create"] = other.post(f"vms/{vm}/snapshots", "<snapshot><description>x</description></snapshot>").status_code
        seen["start"] = other.post(f"vms/{vm}/start").status_code

    thread = threading.Thread(target=during)
    started = time.monotonic()
    thread.start()
    api.completed(api.post(f"vms/{vm}/snapshots/{target}/restore"))
    elapsed = time.monotonic() - started
    thread.join()
    assert elapsed >= 0.3
    assert seen == {"status": "in_preview", "create": 409, "start": 409}
    assert api.snapshot_status(vm, target) == "ok"


def test_restore_as_json(api, vm, chain):
    action = api.json(api.request("POST", f"vms/{vm}/snapshots/{chain['B']}/restore", json_body={}, headers={"Accept": "application/json"}))
    assert action["status"] == {"state": "complete"}
