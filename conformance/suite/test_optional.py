"""Optional features: quiescing file systems (SNAP-QSC-01) and snapshot sub-collections (SNAP-SUB-01)."""

from __future__ import annotations

import httpx
import pytest

from conformance import checks
from conformance.client.engine import VmRef
from conformance.client.http import url_for
from conformance.dialect import Dialect
from conformance.plugin.outcomes import not_applicable
from conformance.suite._phases import LivePhase
from conformance.suite._support import XML, list_snapshots

requirement = pytest.mark.requirement

SUB_COLLECTIONS = ("disks", "nics", "cdroms")


@requirement("SNAP-QSC-01")
@pytest.mark.parametrize("action", ["freeze", "thaw", "freeze-down"])
def test_freeze_and_thaw(live_phase: LivePhase, dialect: Dialect, action: str) -> None:
    """An engine MAY offer freezefilesystems/thawfilesystems; then they MUST complete on an up VM and be refused with a 4xx on a down VM."""
    answer = {"freeze": live_phase.freeze, "thaw": live_phase.thaw, "freeze-down": live_phase.freeze_down}[action]
    if answer is None:
        not_applicable("the VM offers no freezefilesystems action")
    if action == "freeze-down":
        checks.check_answer_status(answer, "SNAP-QSC-01", range(400, 500), "freezefilesystems on a down VM")
    else:
        checks.check_action_complete(answer, "SNAP-QSC-01", f"{action}filesystems on an up VM", dialect)


@requirement("SNAP-SUB-01")
def test_snapshot_sub_collections(client: httpx.Client, writable_vm: VmRef, suite_snapshots: tuple[str, ...]) -> None:
    """An engine MAY link disks, nics and cdroms from a snapshot; such sub-collections MUST answer GET with their root element and refuse PUT and POST."""
    # the suite's own VM only: the PUT and POST probes must never reach a pre-existing snapshot
    snapshots = [s for s in list_snapshots(client, writable_vm) if checks.snapshot_id(s) in suite_snapshots]
    linked = [(s, link.get("rel", ""), link.get("href", "")) for s in snapshots for link in s.findall("link") if link.get("rel") in SUB_COLLECTIONS]
    if not linked:
        not_applicable("the snapshots link no disks, nics or cdroms sub-collection")
    for snapshot, rel, href in linked:
        where = f"{rel} of snapshot {checks.snapshot_id(snapshot)}"
        answer = client.get(url_for(client, href), headers={"Accept": XML})
        checks.check_answer_status(answer, "SNAP-SUB-01", (200,), f"GET of the {where}")
        root = checks.parse_xml_answer(answer, "SNAP-SUB-01")
        if root.tag != rel:
            raise checks.RequirementFailure("SNAP-SUB-01", f"the {where} has the wrong root element", received=f"<{root.tag}>", expected=f"<{rel}>")
        for method in ("PUT", "POST"):
            refused = client.request(method, url_for(client, href), content=f"<{rel}/>".encode(), headers={"Accept": XML, "Content-Type": XML})
            checks.check_answer_status(refused, "SNAP-SUB-01", range(400, 500), f"{method} on the {where}")
