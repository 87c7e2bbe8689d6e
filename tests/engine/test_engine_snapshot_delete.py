"""Deleting snapshots: regular ones go, the active one stays, unknown ids are 404."""

from __future__ import annotations


def test_delete_a_regular_snapshot(api, vm):
    keep = api.create_snapshot(vm, "keep")
    drop = api.create_snapshot(vm, "drop")
    api.completed(api.delete(f"vms/{vm}/snapshots/{drop}"))
    api.not_found(api.get(f"vms/{vm}/snapshots/{drop}"))
    ids = {s.get("id") for s in api.snapshots(vm)}
    assert drop not in ids
    assert keep in ids
    assert len(api.by_type(vm, "active")) == 1


def test_delete_the_active_snapshot_is_refused(api, vm):
    active = api.active_id(vm)
    _, detail = api.fault(api.delete(f"vms/{vm}/snapshots/{active}"), 409)
    assert "only allowed for regular snapshots" in detail
    assert api.active_id(vm) == active


def test_delete_unknown_or_malformed_is_404(api, vm):
    api.not_found(api.delete(f"vms/{vm}/snapshots/6f1d0d0a-0000-4000-8000-000000000001"))
    api.not_found(api.delete(f"vms/{vm}/snapshots/zzz"))
    api.not_found(api.delete("vms/6f1d0d0a-0000-4000-8000-000000000001/snapshots/6f1d0d0a-0000-4000-8000-000000000002"))


def test_delete_with_the_v3_async_matrix_parameter(api, vm):
    snapshot_id = api.create_snapshot(vm, "matrix")
    api.completed(api.delete(f"vms/{vm}/snapshots/{snapshot_id};async"))
    api.not_found(api.get(f"vms/{vm}/snapshots/{snapshot_id}"))


def test_delete_as_json(api, vm):
    snapshot_id = api.create_snapshot(vm, "json")
    action = api.json(api.delete(f"vms/{vm}/snapshots/{snapshot_id}", headers={"Accept": "application/json"}))
    assert action == {"status": {"state": "complete"}}


def test_delete_a_snapshot_of_a_running_vm(api, up_vm):
    snapshot_id = api.create_snapshot(up_vm, "live")
    api.completed(api.delete(f"vms/{up_vm}/snapshots/{snapshot_id}"))
