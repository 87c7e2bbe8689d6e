"""Preview, commit and undo in v4 (the SDK's action bodies, v4 shapes), and what both dialects refuse."""

from __future__ import annotations

import pytest


@pytest.fixture
def v4api(instant_engine, make_v4api):
    """These tests are about the outcome, not the waiting: an engine without delays."""
    return make_v4api(instant_engine)


@pytest.fixture
def api(instant_engine, make_api):
    return make_api(instant_engine)


def _preview_body(snapshot_id: str) -> str:
    """The body ``VmService.preview_snapshot(snapshot=..., restore_memory=False)`` sends."""
    return f'<action>\n  <restore_memory>false</restore_memory>\n  <snapshot id="{snapshot_id}"/>\n</action>\n'


@pytest.fixture
def previewed(v4api, v4vm):
    """Snapshots A and B (VM descriptions desc-A, desc-B; now desc-now), previewing A."""
    ids = {}
    for name in "AB":
        v4api.set_description(v4vm, f"desc-{name}")
        ids[name] = v4api.create_snapshot(v4vm, f"snapshot {name}")
    v4api.set_description(v4vm, "desc-now")
    ids["former_active"] = v4api.active_id(v4vm)
    v4api.completed(v4api.post(f"vms/{v4vm}/previewsnapshot", _preview_body(ids["A"])))
    return ids


def _by_id(v4api, vm_id):
    return {s.get("id"): s for s in v4api.snapshots(vm_id)}


def test_preview(v4api, v4vm, previewed):
    snapshots = _by_id(v4api, v4vm)
    assert snapshots[previewed["A"]].findtext("snapshot_status") == "in_preview"
    saved = snapshots[previewed["former_active"]]
    assert (saved.findtext("snapshot_type"), saved.findtext("description")) == ("preview", "Active VM before the preview")
    assert [s.findtext("snapshot_type") for s in snapshots.values()].count("active") == 1
    assert v4api.vm(v4vm).findtext("description") == "desc-A"


def test_nothing_else_while_in_preview(v4api, v4vm, previewed):
    active = v4api.active_id(v4vm)
    for target in (previewed["B"], previewed["A"], active, previewed["former_active"]):
        v4api.failed_action(v4api.post(f"vms/{v4vm}/previewsnapshot", _preview_body(target)), 409)
    v4api.failed_action(v4api.post(f"vms/{v4vm}/snapshots/{previewed['B']}/restore"), 409)
    v4api.fault(v4api.delete(f"vms/{v4vm}/snapshots/{previewed['B']}"), 409)
    v4api.fault(v4api.delete(f"vms/{v4vm}/snapshots/{previewed['former_active']}"), 409)
    v4api.fault(v4api.post(f"vms/{v4vm}/snapshots", "<snapshot><description>x</description></snapshot>"), 409)
    assert _by_id(v4api, v4vm)[previewed["A"]].findtext("snapshot_status") == "in_preview"


def test_commit(v4api, v4vm, previewed):
    v4api.completed(v4api.post(f"vms/{v4vm}/commitsnapshot"))
    snapshots = _by_id(v4api, v4vm)
    assert snapshots[previewed["A"]].findtext("snapshot_status") == "ok"
    assert previewed["B"] not in snapshots
    assert previewed["former_active"] not in snapshots
    assert sorted(s.findtext("snapshot_type") for s in snapshots.values()) == ["active", "regular"]
    assert v4api.vm(v4vm).findtext("description") == "desc-A"


def test_undo(v4api, v4vm, previewed):
    v4api.completed(v4api.post(f"vms/{v4vm}/undosnapshot"))
    snapshots = _by_id(v4api, v4vm)
    assert {previewed["A"], previewed["B"], previewed["former_active"]} <= set(snapshots)
    assert snapshots[previewed["A"]].findtext("snapshot_status") == "ok"
    assert snapshots[previewed["former_active"]].findtext("snapshot_type") == "active"
    assert "preview" not in [s.findtext("snapshot_type") for s in snapshots.values()]
    assert v4api.vm(v4vm).findtext("description") == "desc-now"


def test_commit_or_undo_without_preview_is_409(v4api, v4vm):
    v4api.failed_action(v4api.post(f"vms/{v4vm}/commitsnapshot"), 409)
    v4api.failed_action(v4api.post(f"vms/{v4vm}/undosnapshot"), 409)


def test_preview_of_the_active_snapshot_is_400(v4api, v4vm):
    v4api.failed_action(v4api.post(f"vms/{v4vm}/previewsnapshot", _preview_body(v4api.active_id(v4vm))), 400)


def test_in_v3_too_a_preview_of_the_active_snapshot_during_a_preview_is_409(api, vm):
    target = api.create_snapshot(vm, "t")
    api.completed(api.post(f"vms/{vm}/previewsnapshot", f"<action><snapshot id='{target}'/></action>"))
    api.failed_action(api.post(f"vms/{vm}/previewsnapshot", f"<action><snapshot id='{api.active_id(vm)}'/></action>"), 409)
    api.completed(api.post(f"vms/{vm}/undosnapshot"))
