"""SNAP-DEL: deleting snapshots (facts: Operations / delete)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from conformance import checks
from conformance.client.engine import EngineAPI, VmRef
from conformance.client.http import url_for
from conformance.client.ledger import Ledger
from conformance.client.waiting import WaitTimeout, poll
from conformance.dialect import Dialect
from conformance.plugin.options import RunConfig
from conformance.suite._phases import Created
from conformance.suite._support import JSON, XML

requirement = pytest.mark.requirement


@requirement("SNAP-DEL-01")
def test_delete_regular_snapshot(
    client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, writable_vm: VmRef, down_create: Created, run_config: RunConfig
) -> None:
    """An engine MUST delete a regular snapshot on DELETE (200, 202 or 204), after which it answers 404 and is gone from the list."""
    snapshot_id = down_create.snapshot_id
    if snapshot_id is None:
        pytest.skip("the create check made no snapshot to delete")
    if engine_api.snapshot_status(writable_vm, snapshot_id) is None:
        # something else removed it (an accepted restore of the running VM: SNAP-RST-05)
        pytest.skip(f"the snapshot {snapshot_id} the create check made is gone already")
    engine_api.wait_snapshot_status(writable_vm, snapshot_id, "ok")
    href = f"{writable_vm.href}/snapshots/{snapshot_id}"
    answer = client.delete(url_for(client, href), headers={"Accept": XML})
    checks.check_answer_status(answer, "SNAP-DEL-01", (200, 202, 204), "DELETE of a regular snapshot")

    def gone() -> tuple[int, bool]:
        return client.get(url_for(client, href), headers={"Accept": XML}).status_code, snapshot_id in engine_api.snapshot_ids(writable_vm)

    try:
        poll(gone, lambda seen: seen == (404, False), timeout=run_config.timeouts.delete, what=f"snapshot {snapshot_id} disappearing")
    except WaitTimeout as error:
        raise checks.RequirementFailure(
            "SNAP-DEL-01",
            f"snapshot {snapshot_id} is still there after DELETE",
            received=f"(GET status, still listed) = {error.last_seen}",
            expected="(404, False) within the timeout",
        ) from None
    ledger.mark_removed(writable_vm, snapshot_id)


@requirement("SNAP-DEL-02")
@pytest.mark.parametrize("accept", [pytest.param(XML, id="xml"), pytest.param(JSON, id="json")])
def test_delete_active_snapshot_refused(client: httpx.Client, engine_api: EngineAPI, suite_owned_vm: VmRef, dialect: Dialect, accept: str) -> None:
    """An engine MUST refuse to delete the active snapshot with 400 or 409 and a fault, and keep it."""
    active = _active_id(engine_api, suite_owned_vm, dialect)
    answer = client.delete(url_for(client, f"{suite_owned_vm.href}/snapshots/{active}"), headers={"Accept": accept})
    checks.check_fault_answer(answer, "SNAP-DEL-02", (400, 409), "DELETE of the active snapshot", dialect, json_expected=accept == JSON)
    if active not in engine_api.snapshot_ids(suite_owned_vm):
        raise checks.RequirementFailure(
            "SNAP-DEL-02",
            "the active snapshot is gone after a refused DELETE",
            received=f"snapshot {active} no longer listed",
            expected="the active snapshot kept",
        )


@requirement("SNAP-DEL-03")
def test_delete_unknown_snapshot_is_404(client: httpx.Client, writable_vm: VmRef) -> None:
    """An engine MUST answer 404 to a DELETE of a snapshot id it does not know."""
    answer = client.delete(url_for(client, f"{writable_vm.href}/snapshots/{uuid.uuid4()}"), headers={"Accept": XML})
    checks.check_answer_status(answer, "SNAP-DEL-03", (404,), "DELETE of an unknown snapshot")


def _active_id(api: EngineAPI, vm: VmRef, dialect: Dialect) -> str:
    # never cached: every create and restore gives the active snapshot a new id
    active = [s.get("id", "") for s in api.snapshots(vm) if (s.findtext(dialect.type_element) or "").strip() == "active"]
    if len(active) != 1:
        pytest.skip(f"the VM lists {len(active)} active snapshots (SNAP-REPR-10 judges that)")
    return active[0]
