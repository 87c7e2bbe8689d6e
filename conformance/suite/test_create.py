"""SNAP-CRT: creating snapshots (seed 15.6.5.1 "Creating", example 15.41)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from conformance import checks
from conformance.client.engine import EngineAPI, VmRef
from conformance.client.ledger import Ledger
from conformance.dialect import Dialect
from conformance.plugin.options import RunConfig
from conformance.suite._phases import Created, LivePhase, post_xml, register_new_snapshots, snapshot_body, snapshot_kinds

requirement = pytest.mark.requirement


def _created_snapshot(created: Created, cause: str) -> str:
    """The new snapshot's id; none made: what would be judged on it is not tested, as it
    follows from ``cause`` (SNAP-CRT-01, or SNAP-CRT-05 for a live create), which fails."""
    if created.snapshot_id is None:
        pytest.skip(f"not tested: follows from {cause} (the create answered {created.answer.status_code} and made no snapshot)")
    return created.snapshot_id


# -- a down VM, the 202 path ------------------------------------------------------------
@requirement("SNAP-CRT-01")
def test_create_on_down_vm(down_create: Created) -> None:
    """An engine MUST answer a snapshot POST on a down VM with 201 or 202 and the snapshot, its GUID id and description."""
    checks.check_create_answer(down_create.answer, down_create.description)


@requirement("SNAP-CRT-03")
def test_new_snapshot_listed_and_unlocks(down_create: Created, dialect: Dialect) -> None:
    """An engine MUST list a new snapshot as regular with its description, and move its status from locked to ok within the timeout."""
    snapshot_id = _created_snapshot(down_create, "SNAP-CRT-01")
    checks.check_created_listed(down_create.listed, snapshot_id, down_create.description, dialect)
    if down_create.wait_problem is not None:
        raise checks.RequirementFailure(
            "SNAP-CRT-03", f"snapshot {snapshot_id} did not become ok in time", received=down_create.wait_problem, expected="status ok within the timeout"
        )
    checks.check_status_sequence(snapshot_id, down_create.statuses)


@requirement("SNAP-CRT-04")
def test_new_snapshot_date_in_request_window(down_create: Created, run_config: RunConfig) -> None:
    """An engine MUST date a new snapshot within the time of its create request, give or take the configured clock skew."""
    _created_snapshot(down_create, "SNAP-CRT-01")
    listed = down_create.listed_snapshot()
    if listed is None:
        raise checks.RequirementFailure("SNAP-CRT-04", "the new snapshot is not listed", received="no such snapshot", expected="the new snapshot with its date")
    checks.check_date_in_window(listed, down_create.start, down_create.end, run_config.clock_skew)


@requirement("SNAP-CRT-06")
def test_down_vm_snapshot_has_no_memory(down_create: Created) -> None:
    """An engine MUST report persist_memorystate false for a snapshot of a down VM."""
    _created_snapshot(down_create, "SNAP-CRT-01")
    listed = down_create.listed_snapshot()
    if listed is None:
        pytest.skip("not tested: follows from SNAP-CRT-01 (the new snapshot is not listed)")
    checks.check_memory_state(listed, False, "a snapshot of a down VM")


# -- Expect: 201-created ----------------------------------------------------------------
@requirement("SNAP-CRT-02")
def test_expect_201_created(expect_201_create: Created, down_create: Created, writable_vm: VmRef) -> None:
    """An engine SHOULD honour `Expect: 201-created` with 201 once the snapshot is done, and a Location equal to its href."""
    created = expect_201_create
    if created.snapshot_id is None and down_create.snapshot_id is None:
        pytest.skip("not tested: follows from SNAP-CRT-01 (no create makes a snapshot, with Expect or without)")
    checks.check_expect_201(created.answer, f"{writable_vm.href}/snapshots/{created.snapshot_id}", created.statuses)


# -- a live VM --------------------------------------------------------------------------
@requirement("SNAP-CRT-05")
@pytest.mark.parametrize("memory", [pytest.param(True, id="with-memory"), pytest.param(False, id="without-memory")])
def test_create_on_up_vm(live_phase: LivePhase, dialect: Dialect, memory: bool) -> None:
    """An engine MUST create a live snapshot of an up VM like one of a down VM."""
    created = live_phase.with_memory if memory else live_phase.without_memory
    try:
        checks.check_create_answer(created.answer, created.description)
        snapshot_id = _created_snapshot(created, "SNAP-CRT-05")
        checks.check_created_listed(created.listed, snapshot_id, created.description, dialect)
        if created.wait_problem is not None:
            raise checks.RequirementFailure(
                "SNAP-CRT-05", f"live snapshot {snapshot_id} did not become ok in time", received=created.wait_problem, expected="status ok"
            )
        checks.check_status_sequence(snapshot_id, created.statuses)
    except checks.RequirementFailure as failure:
        raise checks.RequirementFailure("SNAP-CRT-05", f"live snapshot: {failure.title}", received=failure.received, expected=failure.expected) from None


@requirement("SNAP-CRT-06")
@pytest.mark.parametrize("memory", [pytest.param(True, id="asked-true"), pytest.param(False, id="asked-false")])
def test_live_snapshot_memory_flag(live_phase: LivePhase, memory: bool) -> None:
    """An engine MUST report the persist_memorystate a live snapshot was asked with."""
    created = live_phase.with_memory if memory else live_phase.without_memory
    _created_snapshot(created, "SNAP-CRT-05")
    listed = created.listed_snapshot()
    if listed is None:
        pytest.skip("not tested: follows from SNAP-CRT-05 (the live snapshot is not listed)")
    checks.check_memory_state(listed, memory, f"a live snapshot asked with {str(memory).lower()}")


# -- refusals -----------------------------------------------------------------------------
MALFORMED_BODIES = [
    pytest.param(b"<snapshot><description>broken", id="unclosed-element"),
    pytest.param(b"<snapshot><description>a</snapshot>", id="mismatched-tags"),
    pytest.param(b"this is not xml", id="plain-text"),
]


@requirement("SNAP-CRT-07")
@pytest.mark.parametrize(
    "body", [pytest.param(snapshot_body(None), id="no-description"), pytest.param(b"<snapshot><description></description></snapshot>", id="empty-description")]
)
def test_create_without_description_refused(
    client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, writable_vm: VmRef, dialect: Dialect, body: bytes
) -> None:
    """An engine MUST refuse a snapshot POST without a description with 400 and a fault, and create nothing."""
    _check_refused_create(client, engine_api, ledger, writable_vm, dialect, body, "SNAP-CRT-07", "a snapshot POST without description")


@requirement("SNAP-CRT-08")
@pytest.mark.parametrize("body", MALFORMED_BODIES)
def test_create_with_malformed_body_refused(
    client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, writable_vm: VmRef, dialect: Dialect, body: bytes
) -> None:
    """An engine MUST refuse a snapshot POST whose body is not well-formed with 400 and a fault, and create nothing."""
    _check_refused_create(client, engine_api, ledger, writable_vm, dialect, body, "SNAP-CRT-08", "a snapshot POST with a malformed body")


def _check_refused_create(
    client: httpx.Client, api: EngineAPI, ledger: Ledger, vm: VmRef, dialect: Dialect, body: bytes, requirement_id: str, what: str
) -> None:
    before = snapshot_kinds(api, vm)
    answer = post_xml(client, f"{vm.href}/snapshots", body)
    created = register_new_snapshots(api, ledger, vm, before)  # whatever was accepted is cleaned up
    checks.check_fault_answer(answer, requirement_id, (400,), what, dialect)
    checks.check_nothing_created((), created, requirement_id, what)


@requirement("SNAP-CRT-09")
def test_create_on_unknown_vm_is_404(client: httpx.Client, run_config: RunConfig, writable_vm: VmRef) -> None:
    """An engine MUST answer 404 to a snapshot POST on a VM that does not exist."""
    href = f"{run_config.api_path}/vms/{uuid.uuid4()}/snapshots"
    answer = post_xml(client, href, snapshot_body(f"conformance {run_config.run_id} unknown VM"))
    checks.check_answer_status(answer, "SNAP-CRT-09", (404,), "a snapshot POST on an unknown VM")
