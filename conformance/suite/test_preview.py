"""SNAP-PRV: preview, commit and undo of a snapshot (VM actions; facts: Operations / preview)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from lxml import etree

from conformance import checks
from conformance.client.engine import EngineAPI, VmRef, xml_body
from conformance.client.http import url_for
from conformance.client.ledger import Ledger
from conformance.client.recorder import Recorder
from conformance.dialect import Dialect
from conformance.plugin.options import RunConfig
from conformance.plugin.outcomes import not_applicable
from conformance.reports.model import Exchange
from conformance.suite._phases import description, make_snapshot, post_xml, require_idle, setting_up

requirement = pytest.mark.requirement


#: the VM action links of preview, commit and undo: v4 engines name them previewsnapshot ...,
#: v3 engines preview_snapshot ... (recorded: fixtures/recorded/manageiq-ovirt-3.6.7-refresher-target-vm-v3.yaml)
_ACTION_RELS = {"preview": ("previewsnapshot", "preview_snapshot"), "commit": ("commitsnapshot", "commit_snapshot"), "undo": ("undosnapshot", "undo_snapshot")}


def _actions(vm: etree._Element) -> dict[str, str]:
    """The hrefs of the VM's preview, commit and undo actions, by what they do."""
    links = {link.get("rel"): link.get("href", "") for link in vm.iterfind("actions/link")}
    return {what: links[rel] for what, rels in _ACTION_RELS.items() for rel in rels if links.get(rel)}


def _action(snapshot_id: str | None = None) -> bytes:
    action = etree.Element("action")
    if snapshot_id is not None:
        etree.SubElement(action, "snapshot", id=snapshot_id)
    return xml_body(action)


@dataclass(frozen=True)
class Listing:
    """The VM's snapshots (id → (type, status)) and its description at one moment."""

    snapshots: dict[str, tuple[str, str]]
    description: str | None

    def of_type(self, kind: str) -> list[str]:
        return [sid for sid, (t, _) in self.snapshots.items() if t == kind]


def _listing(api: EngineAPI, vm: VmRef) -> Listing:
    type_element = api.dialect.type_element
    snapshots = {s.get("id", ""): ((s.findtext(type_element) or "").strip(), (s.findtext("snapshot_status") or "").strip()) for s in api.snapshots(vm)}
    return Listing(snapshots, api.get_vm(vm).findtext("description"))


@dataclass(frozen=True)
class PreviewPhase:
    target: str
    newer: str
    target_description: str
    #: the active snapshot's id just before the preview (it turns into the preview snapshot)
    active_before: str
    preview: httpx.Response
    in_preview: Listing
    refusals: tuple[tuple[str, httpx.Response], ...]
    commit: httpx.Response
    after_commit: Listing
    before_undo: Listing
    undo_preview: httpx.Response
    undo: httpx.Response
    after_undo: Listing
    exchanges: tuple[Exchange, ...] = ()


@pytest.fixture(scope="session")
def preview_phase(
    client: httpx.Client,
    engine_api: EngineAPI,
    ledger: Ledger,
    recorder: Recorder,
    writable_vm: VmRef,
    run_config: RunConfig,
) -> PreviewPhase | None:
    """Snapshots T and N (the VM's description changed before each); preview T, try what
    preview forbids, commit; then preview T again and undo."""
    vm = writable_vm
    with setting_up("bringing the suite's VM down"):
        engine_api.wait_vm_status(vm, "down")
    actions = _actions(engine_api.get_vm(vm))
    if "preview" not in actions:
        return None  # the feature is not offered
    require_idle(engine_api, vm)
    with recorder.capture() as evidence, setting_up("the preview phase (change the VM between snapshots)"):
        ids = {}
        for name in ("T", "N"):
            engine_api.update_vm(vm, description=description(run_config, f"preview state {name}"))
            ids[name] = make_snapshot(client, engine_api, ledger, recorder, vm, f"preview {name}", run_config)
        engine_api.update_vm(vm, description=description(run_config, "preview state after N"))
        active_before = next(iter(_listing(engine_api, vm).of_type("active")), "")
        ledger.preview_started(vm)  # on disk first: teardown (or cleanup) undoes a preview left behind
        preview = post_xml(client, actions["preview"], _action(ids["T"]))
        in_preview = _listing(engine_api, vm)
        refusals = (
            ("second preview", post_xml(client, actions["preview"], _action(ids["N"]))),
            ("restore", post_xml(client, f"{vm.href}/snapshots/{ids['N']}/restore", _action())),
            ("delete", client.delete(url_for(client, f"{vm.href}/snapshots/{ids['N']}"), headers={"Accept": "application/xml"})),
        )
        commit = post_xml(client, actions.get("commit", f"{vm.href}/commitsnapshot"), _action())
        after_commit = _listing(engine_api, vm)
        if ids["N"] not in after_commit.snapshots:
            ledger.mark_removed(vm, ids["N"])
        engine_api.update_vm(vm, description=description(run_config, "preview state before undo"))
        before_undo = _listing(engine_api, vm)
        undo_preview = post_xml(client, actions["preview"], _action(ids["T"]))
        undo = post_xml(client, actions.get("undo", f"{vm.href}/undosnapshot"), _action())
        after_undo = _listing(engine_api, vm)
        if not after_undo.of_type("preview"):
            ledger.preview_ended(vm)
    return PreviewPhase(
        ids["T"], ids["N"], description(run_config, "preview state T"), active_before, preview, in_preview, refusals, commit, after_commit,
        before_undo, undo_preview, undo, after_undo, tuple(evidence),
    )  # fmt: skip


def _offered(phase: PreviewPhase | None) -> PreviewPhase:
    if phase is None:
        not_applicable("the VM offers no previewsnapshot (v3: preview_snapshot) action")
    return phase


def _fail(requirement_id: str, title: str, received: object, expected: object) -> checks.RequirementFailure:
    return checks.RequirementFailure(requirement_id, title, received=str(received), expected=str(expected))


def _guid(text: str) -> str:
    return text.replace("-", "").lower()


@requirement("SNAP-PRV-01")
def test_preview(preview_phase: PreviewPhase | None, dialect: Dialect) -> None:
    """An engine MAY offer previewsnapshot; a preview MUST then put the target in_preview beside a `preview` snapshot and refuse more with 409."""
    phase = _offered(preview_phase)
    checks.check_action_complete(phase.preview, "SNAP-PRV-01", "previewsnapshot", dialect)
    target = phase.in_preview.snapshots.get(phase.target)
    if target is None or target[1] != "in_preview":
        raise _fail("SNAP-PRV-01", "the previewed snapshot is not in_preview", target, "status in_preview")
    previews = phase.in_preview.of_type("preview")
    # the former active snapshot's id as a GUID (how it is spelled is SNAP-REPR-03/-04's to
    # judge); when the VM listed no active one, SNAP-REPR-10 judges that, and one preview will do
    if len(previews) != 1 or (phase.active_before and _guid(previews[0]) != _guid(phase.active_before)):
        raise _fail(
            "SNAP-PRV-01",
            "the former active snapshot is not the one listed as type preview",
            f"preview snapshots {phase.in_preview.of_type('preview')}, the active one before the preview {phase.active_before}",
            "the former active snapshot, and it alone, listed as type preview",
        )
    for what, answer in phase.refusals:
        checks.check_answer_status(answer, "SNAP-PRV-01", (409,), f"{what} while in preview")


@requirement("SNAP-PRV-02")
def test_commit(preview_phase: PreviewPhase | None, dialect: Dialect) -> None:
    """An engine offering preview MUST commit it: target ok, the preview and newer snapshots gone, the target's configuration kept."""
    phase = _offered(preview_phase)
    checks.check_answer_status(phase.commit, "SNAP-PRV-02", (200,), "commitsnapshot")
    checks.check_action_complete(phase.commit, "SNAP-PRV-02", "commitsnapshot", dialect)
    after = phase.after_commit
    if after.snapshots.get(phase.target, ("", ""))[1] != "ok":
        raise _fail("SNAP-PRV-02", "the committed snapshot is not ok", after.snapshots.get(phase.target), "status ok")
    if after.of_type("preview"):
        raise _fail("SNAP-PRV-02", "a preview snapshot remains after commit", after.of_type("preview"), "none")
    if phase.newer in after.snapshots:
        raise _fail("SNAP-PRV-02", "a snapshot newer than the committed one remains", phase.newer, "removed by the commit")
    if after.description != phase.target_description:
        raise _fail("SNAP-PRV-02", "the VM's configuration is not the committed snapshot's", repr(after.description), repr(phase.target_description))


@requirement("SNAP-PRV-03")
def test_undo(preview_phase: PreviewPhase | None, dialect: Dialect) -> None:
    """An engine offering preview MUST undo it: target ok, no preview snapshot, every earlier snapshot and the earlier configuration back."""
    phase = _offered(preview_phase)
    checks.check_action_complete(phase.undo_preview, "SNAP-PRV-03", "previewsnapshot before undo", dialect)
    checks.check_answer_status(phase.undo, "SNAP-PRV-03", (200,), "undosnapshot")
    checks.check_action_complete(phase.undo, "SNAP-PRV-03", "undosnapshot", dialect)
    before, after = phase.before_undo, phase.after_undo
    if after.snapshots.get(phase.target, ("", ""))[1] != "ok":
        raise _fail("SNAP-PRV-03", "the previewed snapshot is not ok after undo", after.snapshots.get(phase.target), "status ok")
    if after.of_type("preview"):
        raise _fail("SNAP-PRV-03", "a preview snapshot remains after undo", after.of_type("preview"), "none")
    lost = sorted(sid for sid, (kind, _) in before.snapshots.items() if kind != "active" and sid not in after.snapshots)
    if lost:
        raise _fail("SNAP-PRV-03", "snapshots that existed before the preview are gone after undo", lost, "all kept")
    if after.description != before.description:
        raise _fail("SNAP-PRV-03", "the VM's configuration is not back to the one before the preview", repr(after.description), repr(before.description))
