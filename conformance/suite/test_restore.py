"""SNAP-RST: restoring snapshots (seed 15.6.5.1 "Restoring", example 15.42; facts: restore)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from conformance import checks
from conformance.client.engine import EngineAPI, VmRef
from conformance.client.ledger import Ledger
from conformance.dialect import Dialect
from conformance.plugin.outcomes import not_applicable
from conformance.suite._phases import LivePhase, RestoreChain, post_xml, require_idle, vm_configuration

requirement = pytest.mark.requirement


def _restored(chain: RestoreChain, dialect: Dialect) -> RestoreChain:
    """The chain, when its restore was done; what it left behind is judged only then."""
    try:
        checks.check_action_complete(chain.answer, "SNAP-RST-01", "restore of snapshot B", dialect)
    except checks.RequirementFailure as failure:
        pytest.skip(f"not tested: follows from SNAP-RST-01 (the restore was not done: {failure.title})")
    if chain.wait_problem is not None:
        pytest.skip("not tested: follows from SNAP-RST-01 (the accepted restore did not complete)")
    return chain


@requirement("SNAP-RST-01")
def test_restore_completes(restore_chain: RestoreChain, dialect: Dialect) -> None:
    """An engine MUST answer a restore of a regular snapshot of a down VM with 200 (or 202, then complete) and a complete action."""
    checks.check_action_complete(restore_chain.answer, "SNAP-RST-01", "restore of snapshot B", dialect)
    if restore_chain.wait_problem is not None:
        raise checks.RequirementFailure(
            "SNAP-RST-01", "the accepted restore did not complete", received=restore_chain.wait_problem, expected="the restored snapshot ok within the timeout"
        )


@requirement("SNAP-RST-02")
def test_restored_snapshot_ok_and_one_active(restore_chain: RestoreChain, dialect: Dialect) -> None:
    """An engine MUST keep the restored snapshot with status ok and exactly one active snapshot after a restore."""
    restore_chain = _restored(restore_chain, dialect)
    restored = next((s for s in restore_chain.listed_after if s.get("id") == restore_chain.ids["B"]), None)
    if restored is None:
        raise checks.RequirementFailure(
            "SNAP-RST-02",
            "the restored snapshot B is gone",
            received=f"ids {sorted(s.get('id', '') for s in restore_chain.listed_after)}",
            expected=f"snapshot {restore_chain.ids['B']} still listed",
        )
    status = restored.findtext("snapshot_status")
    if status != "ok":
        raise checks.RequirementFailure("SNAP-RST-02", "the restored snapshot B is not ok", received=repr(status), expected="ok")
    try:
        checks.check_one_active(list(restore_chain.listed_after), dialect)
    except checks.RequirementFailure as failure:
        raise checks.RequirementFailure("SNAP-RST-02", f"after the restore: {failure.title}", received=failure.received, expected=failure.expected) from None


@requirement("SNAP-RST-03")
def test_newer_snapshots_gone_older_kept(restore_chain: RestoreChain, dialect: Dialect) -> None:
    """An engine MUST remove the snapshots taken after the restored one and keep those taken before it."""
    restore_chain = _restored(restore_chain, dialect)
    listed = {s.get("id") for s in restore_chain.listed_after}
    if restore_chain.ids["C"] in listed:
        raise checks.RequirementFailure(
            "SNAP-RST-03",
            "snapshot C, taken after the restored B, is still there",
            received=f"snapshot {restore_chain.ids['C']} listed",
            expected="snapshot C removed by the restore of B",
        )
    if restore_chain.ids["A"] not in listed:
        raise checks.RequirementFailure(
            "SNAP-RST-03", "snapshot A, taken before the restored B, is gone", received=f"snapshot {restore_chain.ids['A']} missing", expected="snapshot A kept"
        )
    older = restore_chain.before_regular - {restore_chain.ids["B"], restore_chain.ids["C"]}
    lost = sorted(i for i in older if i not in listed)
    if lost:
        raise checks.RequirementFailure(
            "SNAP-RST-03", "snapshots older than the restored one are gone", received=f"missing ids {lost}", expected="every older snapshot kept"
        )


@requirement("SNAP-RST-04")
def test_vm_configuration_reverts(restore_chain: RestoreChain, dialect: Dialect) -> None:
    """An engine MUST return the VM's configuration to the restored snapshot's (a description and a memory size changed afterwards revert)."""
    restore_chain = _restored(restore_chain, dialect)
    check_configuration("SNAP-RST-04", restore_chain.configuration_after, restore_chain.configurations["B"], "snapshot B")


def check_configuration(requirement_id: str, now: tuple[str | None, str | None], wanted: tuple[str | None, str | None], what: str) -> None:
    """The VM's description and memory are those it had at ``what``."""
    names = ("description", "memory")
    differing = [(name, got, want) for name, got, want in zip(names, now, wanted, strict=True) if got != want]
    if differing:
        raise checks.RequirementFailure(
            requirement_id,
            f"the VM's {' and '.join(name for name, _, _ in differing)} did not revert to its value at {what}",
            received="; ".join(f"{name} {got!r}" for name, got, _ in differing),
            expected="; ".join(f"{name} {want!r}" for name, _, want in differing),
        )


@requirement("SNAP-RST-05")
def test_restore_refused_while_up(live_phase: LivePhase, dialect: Dialect) -> None:
    """An engine MUST refuse a restore while the VM is up with 409 or 400 and a fault, changing nothing."""
    if live_phase.restore_up is None:
        pytest.skip("not tested: follows from SNAP-CRT-01 (the suite has no snapshot of its own to aim a restore at)")
    checks.check_fault_answer(live_phase.restore_up, "SNAP-RST-05", (400, 409), "restore while the VM is up", dialect)
    if live_phase.before_restore != live_phase.after_restore:
        before_ids, before_description, before_status = live_phase.before_restore
        after_ids, after_description, after_status = live_phase.after_restore
        raise checks.RequirementFailure(
            "SNAP-RST-05",
            "a refused restore changed the VM",
            received=f"snapshots {sorted(after_ids)}, description {after_description!r}, status {after_status!r}",
            expected=f"snapshots {sorted(before_ids)}, description {before_description!r}, status {before_status!r}",
        )


@requirement("SNAP-RST-06")
def test_restore_unknown_snapshot(client: httpx.Client, writable_vm: VmRef) -> None:
    """An engine MUST answer a restore of an unknown snapshot with 404 or 400, never 2xx or 5xx."""
    answer = post_xml(client, f"{writable_vm.href}/snapshots/{uuid.uuid4()}/restore", b"<action/>")
    checks.check_answer_status(answer, "SNAP-RST-06", (400, 404), "restore of an unknown snapshot")


@requirement("SNAP-RST-07")
def test_restore_active_snapshot_refused(client: httpx.Client, engine_api: EngineAPI, suite_owned_vm: VmRef, dialect: Dialect) -> None:
    """An engine SHOULD refuse a restore of the active snapshot with a 4xx."""
    active = [s.get("id", "") for s in engine_api.snapshots(suite_owned_vm) if (s.findtext(dialect.type_element) or "").strip() == "active"]
    if len(active) != 1:
        pytest.skip(f"the VM lists {len(active)} active snapshots (SNAP-REPR-10 judges that)")
    engine_api.wait_vm_status(suite_owned_vm, "down")
    answer = post_xml(client, f"{suite_owned_vm.href}/snapshots/{active[0]}/restore", b"<action/>")
    checks.check_answer_status(answer, "SNAP-RST-07", range(400, 500), "restore of the active snapshot")


@requirement("SNAP-RST-08")
def test_restore_memory_parameter(
    client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, writable_vm: VmRef, restore_chain: RestoreChain, dialect: Dialect
) -> None:
    """An engine MAY accept the restore_memory parameter; when it does, the restore MUST be done like any other (VM back at the snapshot, newer ones gone)."""
    # judged by the rules of any restore, whatever the plain restore of B did: a defect of
    # every restore breaks this one too (an offered MAY is judged like a MUST)
    require_idle(engine_api, writable_vm)
    target = restore_chain.ids["A"]
    before = engine_api.snapshot_ids(writable_vm)
    answer = post_xml(client, f"{writable_vm.href}/snapshots/{target}/restore", b"<action><restore_memory>false</restore_memory></action>")
    if answer.status_code == 202:
        engine_api.wait_snapshot_status(writable_vm, target, "ok")
    after = engine_api.snapshots(writable_vm)
    for snapshot_id in ledger.snapshots_of(writable_vm):
        if snapshot_id in before and snapshot_id not in {s.get("id") for s in after}:
            ledger.mark_removed(writable_vm, snapshot_id)
    if answer.status_code == 400:
        not_applicable("the engine refuses the restore_memory parameter with 400")
    checks.check_action_complete(answer, "SNAP-RST-08", "restore with restore_memory", dialect)
    listed = {s.get("id"): s for s in after}
    if target not in listed or (listed[target].findtext("snapshot_status") or "").strip() != "ok":
        raise checks.RequirementFailure(
            "SNAP-RST-08",
            "the snapshot restored with restore_memory is not listed ok",
            received=f"ids {sorted(str(key) for key in listed)}",
            expected=f"{target} ok",
        )
    if restore_chain.ids["B"] in listed:
        raise checks.RequirementFailure(
            "SNAP-RST-08",
            "the restore with restore_memory kept a newer snapshot (B)",
            received=f"{restore_chain.ids['B']} listed",
            expected="B removed, as by any restore of A",
        )
    check_configuration(
        "SNAP-RST-08", vm_configuration(engine_api, writable_vm), restore_chain.configurations["A"], "snapshot A (restored with restore_memory)"
    )
