"""Preview, commit and undo (VM actions of 3.x engines, optional in the catalogue)."""

from __future__ import annotations

import pytest


@pytest.fixture
def api(instant_engine, make_api):
    """These tests are about the outcome, not the waiting: an engine without delays."""
    return make_api(instant_engine)


@pytest.fixture
def previewed(api, vm):
    """A VM with snapshots A and B (descriptions desc-A, desc-B, now desc-now), previewing A."""
    ids = {}
    for name in "AB":
        api.set_description(vm, f"desc-{name}")
        ids[name] = api.create_snapshot(vm, f"snapshot {name}")
    api.set_description(vm, "desc-now")
    ids["former_active"] = api.active_id(vm)
    api.completed(api.post(f"vms/{vm}/previewsnapshot", f"<action><snapshot id='{ids['A']}'/></action>"))
    return ids


def test_preview_state(api, vm, previewed):
    snapshots = {s.get("id"): s for s in api.snapshots(vm)}
    assert snapshots[previewed["A"]].findtext("snapshot_status") == "in_preview"
    saved = snapshots[previewed["former_active"]]
    assert (saved.findtext("type"), saved.findtext("description")) == ("preview", "Active VM before the preview")
    assert len([s for s in snapshots.values() if s.findtext("type") == "active"]) == 1
    assert api.vm(vm).findtext("description") == "desc-A"


def test_nothing_else_while_in_preview(api, vm, previewed):
    api.failed_action(api.post(f"vms/{vm}/previewsnapshot", f"<action><snapshot id='{previewed['B']}'/></action>"), 409)
    api.failed_action(api.post(f"vms/{vm}/snapshots/{previewed['B']}/restore"), 409)
    api.fault(api.delete(f"vms/{vm}/snapshots/{previewed['B']}"), 409)
    api.fault(api.post(f"vms/{vm}/snapshots", "<snapshot><description>x</description></snapshot>"), 409)
    api.completed(api.post(f"vms/{vm}/undosnapshot"))


def test_commit(api, vm, previewed):
    api.completed(api.post(f"vms/{vm}/commitsnapshot"))
    snapshots = {s.get("id"): s for s in api.snapshots(vm)}
    assert snapshots[previewed["A"]].findtext("snapshot_status") == "ok"
    assert previewed["B"] not in snapshots
    assert previewed["former_active"] not in snapshots
    assert [s.findtext("type") for s in snapshots.values()].count("active") == 1
    assert "preview" not in [s.findtext("type") for s in snapshots.values()]
    assert api.vm(vm).findtext("description") == "desc-A"


def test_undo(api, vm, previewed):
    api.completed(api.post(f"vms/{vm}/undosnapshot"))
    snapshots = {s.get("id"): s for s in api.snapshots(vm)}
    assert {previewed["A"], previewed["B"], previewed["former_active"]} <= set(snapshots)
    assert snapshots[previewed["A"]].findtext("snapshot_status") == "ok"
    assert snapshots[previewed["former_active"]].findtext("type") == "active"
    assert "preview" not in [s.findtext("type") for s in snapshots.values()]
    assert api.vm(vm).findtext("description") == "desc-now"


def test_commit_or_undo_without_preview_is_409(api, vm):
    api.failed_action(api.post(f"vms/{vm}/commitsnapshot"), 409)
    api.failed_action(api.post(f"vms/{vm}/undosnapshot"), 409)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param("<action/>", 400, id="no-snapshot"),
        pytest.param("<action><snapshot id='zzz'/></action>", 400, id="malformed-id"),
        pytest.param("<action><snapshot id='6f1d0d0a-0000-4000-8000-000000000001'/></action>", 400, id="unknown-id"),
    ],
)
def test_preview_needs_a_snapshot(api, vm, body, status):
    response = api.post(f"vms/{vm}/previewsnapshot", body)
    assert response.status_code == status
    assert all(s.findtext("snapshot_status") == "ok" for s in api.snapshots(vm))


def test_preview_of_the_active_snapshot_is_400(api, vm):
    api.failed_action(api.post(f"vms/{vm}/previewsnapshot", f"<action><snapshot id='{api.active_id(vm)}'/></action>"), 400)


def test_preview_of_a_running_vm_is_409(api, up_vm):
    target = api.create_snapshot(up_vm, "t")
    api.failed_action(api.post(f"vms/{up_vm}/previewsnapshot", f"<action><snapshot id='{target}'/></action>"), 409)
