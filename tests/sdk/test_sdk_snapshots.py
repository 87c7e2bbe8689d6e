"""The official Python SDK (ovirtsdk4), unmodified, against the reference engine.

Every step a snapshot script or an Ansible module takes: connect with SSO, list VMs, add a
VM from Blank, add snapshots and wait for ``ok``, list them with ``all_content``, get one,
update the VM, restore, preview then commit or undo, remove, close the connection.
"""

from __future__ import annotations

import httpx
import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest


def _snapshot(vm_service, description: str, wait_for, *, persist_memorystate: bool = False):
    """Add a snapshot and wait until it is ``ok``, as SDK examples do."""
    snapshots_service = vm_service.snapshots_service()
    added = snapshots_service.add(types.Snapshot(description=description, persist_memorystate=persist_memorystate))
    assert added.id
    assert added.description == description
    assert added.snapshot_status in (types.SnapshotStatus.LOCKED, types.SnapshotStatus.OK)
    snapshot_service = snapshots_service.snapshot_service(added.id)
    wait_for(lambda: snapshot_service.get().snapshot_status, lambda status: status == types.SnapshotStatus.OK)
    return added.id


def _by_id(vm_service, **kwargs):
    return {s.id: s for s in vm_service.snapshots_service().list(**kwargs)}


def test_connect_with_sso_and_list_vms(connection):
    assert connection.test(raise_exception=True)
    api = connection.system_service().get()
    assert api.product_info.version.major == 4
    names = {vm.name for vm in connection.system_service().vms_service().list()}
    assert {"web-01", "db-01"} <= names
    (found,) = connection.system_service().vms_service().list(search="name=db-01")
    assert found.status == types.VmStatus.DOWN
    assert found.memory == 8 * 1024**3


def test_add_a_vm_from_blank(vms_service, vm):
    got = vms_service.vm_service(vm.id).get()
    assert (got.name, got.status, got.type) == (vm.name, types.VmStatus.DOWN, types.VmType.SERVER)
    assert got.cluster.id
    assert got.template.id == "00000000-0000-0000-0000-000000000000"


def test_add_snapshots_list_with_all_content_and_get(vms_service, vm, wait_for):
    vm_service = vms_service.vm_service(vm.id)
    first = _snapshot(vm_service, "first", wait_for)
    second = _snapshot(vm_service, "second", wait_for)

    listed = _by_id(vm_service)
    assert {first, second} <= set(listed)
    types_seen = sorted(s.snapshot_type.value for s in listed.values())
    assert types_seen == ["active", "regular", "regular"]
    assert all(s.initialization is None for s in listed.values())

    full = _by_id(vm_service, all_content=True)
    for snapshot_id in (first, second):
        configuration = full[snapshot_id].initialization.configuration
        assert configuration.type == types.ConfigurationType.OVF
        assert "ovf:Envelope" in configuration.data

    got = vm_service.snapshots_service().snapshot_service(first).get()
    assert (got.id, got.description, got.snapshot_type, got.snapshot_status) == (first, "first", types.SnapshotType.REGULAR, types.SnapshotStatus.OK)
    assert got.persist_memorystate is False
    assert got.date == listed[first].date
    assert got.date.tzinfo is not None
    assert got.vm.id == vm.id


def test_update_the_vm_and_restore(vms_service, vm, wait_for):
    vm_service = vms_service.vm_service(vm.id)
    vm_service.update(types.Vm(description="before"))
    target = _snapshot(vm_service, "target", wait_for)
    vm_service.update(types.Vm(description="after"))
    newer = _snapshot(vm_service, "newer", wait_for)
    assert vm_service.get().description == "after"

    vm_service.snapshots_service().snapshot_service(target).restore()

    assert vm_service.get().description == "before"
    snapshots = _by_id(vm_service)
    assert snapshots[target].snapshot_status == types.SnapshotStatus.OK
    assert newer not in snapshots
    assert [s.snapshot_type for s in snapshots.values()].count(types.SnapshotType.ACTIVE) == 1


@pytest.mark.parametrize("finish", ["commit", "undo"])
def test_preview_then_commit_or_undo(vms_service, vm, wait_for, finish):
    vm_service = vms_service.vm_service(vm.id)
    vm_service.update(types.Vm(description="at A"))
    target = _snapshot(vm_service, "A", wait_for)
    vm_service.update(types.Vm(description="at B"))
    newer = _snapshot(vm_service, "B", wait_for)
    vm_service.update(types.Vm(description="now"))

    vm_service.preview_snapshot(snapshot=types.Snapshot(id=target), restore_memory=False)
    snapshots = _by_id(vm_service)
    assert snapshots[target].snapshot_status == types.SnapshotStatus.IN_PREVIEW
    (saved,) = [s for s in snapshots.values() if s.snapshot_type == types.SnapshotType.PREVIEW]
    assert saved.description == "Active VM before the preview"
    assert vm_service.get().description == "at A"
    with pytest.raises(sdk.Error) as refused:
        vm_service.preview_snapshot(snapshot=types.Snapshot(id=newer))
    assert refused.value.code == 409

    if finish == "commit":
        vm_service.commit_snapshot()
        snapshots = _by_id(vm_service)
        assert newer not in snapshots
        assert saved.id not in snapshots
        assert vm_service.get().description == "at A"
    else:
        vm_service.undo_snapshot()
        snapshots = _by_id(vm_service)
        assert {target, newer, saved.id} <= set(snapshots)
        assert vm_service.get().description == "now"
    assert snapshots[target].snapshot_status == types.SnapshotStatus.OK
    assert types.SnapshotType.PREVIEW not in {s.snapshot_type for s in snapshots.values()}


def test_remove_a_snapshot_and_the_vm(vms_service, vm, wait_for):
    vm_service = vms_service.vm_service(vm.id)
    snapshot_id = _snapshot(vm_service, "doomed", wait_for)
    snapshot_service = vm_service.snapshots_service().snapshot_service(snapshot_id)
    snapshot_service.remove()
    with pytest.raises(sdk.NotFoundError):
        snapshot_service.get()
    vm_service.remove()
    with pytest.raises(sdk.NotFoundError):
        vm_service.get()


def test_refusals_reach_the_sdk_as_errors(vms_service, vm, wait_for):
    vm_service = vms_service.vm_service(vm.id)
    active = next(s for s in vm_service.snapshots_service().list() if s.snapshot_type == types.SnapshotType.ACTIVE)
    with pytest.raises(sdk.Error) as refused:
        vm_service.snapshots_service().snapshot_service(active.id).remove()
    assert refused.value.code == 409
    assert refused.value.fault.reason == "Operation Failed"
    with pytest.raises(sdk.NotFoundError):
        vm_service.snapshots_service().snapshot_service("6f1d0d0a-0000-4000-8000-000000000001").get()
    vm_service.start()
    wait_for(lambda: vm_service.get().status, lambda status: status == types.VmStatus.UP)
    live = _snapshot(vm_service, "live", wait_for, persist_memorystate=True)
    assert vm_service.snapshots_service().snapshot_service(live).get().persist_memorystate is True
    with pytest.raises(sdk.Error) as running:
        vm_service.snapshots_service().snapshot_service(live).restore()
    assert running.value.code == 409
    assert "not down" in running.value.fault.detail


def test_close_revokes_the_token(engine, credentials):
    user, password = credentials
    connection = sdk.Connection(url=engine.url, username=user, password=password, insecure=True)
    token = connection.authenticate()
    with httpx.Client() as client:
        bearer = {"Authorization": f"Bearer {token}", "Version": "4"}
        assert client.get(engine.url, headers=bearer).status_code == 200
        connection.close()
        assert client.get(engine.url, headers=bearer).status_code == 401


def test_wrong_credentials_are_an_auth_error(engine, credentials):
    user, _ = credentials
    connection = sdk.Connection(url=engine.url, username=user, password="wrong", insecure=True)
    with pytest.raises(sdk.AuthError) as refused:
        connection.system_service().vms_service().list()
    assert str(refused.value) == (
        "Error during SSO authentication access_denied : Cannot authenticate user 'admin@internal': "
        "Unable to log in. Verify your login information or contact the system administrator.."
    )
    connection.close()
