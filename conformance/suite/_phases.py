"""Shared engine work of the write checks, done once and judged by several tests.

On a real engine a create or a restore takes seconds to minutes, so the suite makes each
one once: a phase fixture does the work, keeps the raw answers and what it saw while
waiting, and the tests judge them, one requirement each. A phase keeps its exchanges as
``exchanges``; the plugin adds them to the evidence of every test that uses the phase.
Everything a phase creates goes into the ledger at once, also when the engine answered
with an error (the ids before and after are compared), so teardown can remove it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from lxml import etree

from conformance import safexml
from conformance.client.engine import EngineAPI, VmRef, xml_body
from conformance.client.http import url_for
from conformance.client.ledger import Ledger
from conformance.client.recorder import Recorder
from conformance.client.waiting import WaitTimeout, poll
from conformance.plugin.options import RunConfig
from conformance.reports.model import Exchange

__all__ = [
    "Created",
    "LivePhase",
    "RestoreChain",
    "create_and_watch",
    "down_create",
    "expect_201_create",
    "live_phase",
    "post_xml",
    "register_new_snapshots",
    "restore_chain",
    "snapshot_body",
]

XML = "application/xml"


def _now() -> datetime:
    return datetime.now(UTC)


def snapshot_body(description: str | None, *, persist_memorystate: bool | None = None) -> bytes:
    body = etree.Element("snapshot")
    if description is not None:
        etree.SubElement(body, "description").text = description
    if persist_memorystate is not None:
        etree.SubElement(body, "persist_memorystate").text = "true" if persist_memorystate else "false"
    return xml_body(body)


def post_xml(client: httpx.Client, href: str, body: bytes, *, accept: str = XML, headers: dict[str, str] | None = None) -> httpx.Response:
    merged = {"Accept": accept, "Content-Type": XML, **(headers or {})}
    return client.post(url_for(client, href), content=body, headers=merged)


def register_new_snapshots(api: EngineAPI, ledger: Ledger, vm: VmRef, before: set[str]) -> list[str]:
    """Put every snapshot that appeared since ``before`` into the ledger; return their ids."""
    new = sorted(api.snapshot_ids(vm) - before)
    for snapshot_id in new:
        if snapshot_id not in ledger.snapshots_of(vm):
            ledger.snapshot_created(vm, snapshot_id)
    return new


@dataclass(frozen=True)
class Created:
    """One create request and what followed it."""

    description: str
    answer: httpx.Response
    start: datetime
    end: datetime
    snapshot_id: str | None
    statuses: tuple[str | None, ...]
    wait_problem: str | None
    listed: tuple[etree._Element, ...]
    exchanges: tuple[Exchange, ...] = ()

    def listed_snapshot(self) -> etree._Element | None:
        return next((s for s in self.listed if s.get("id") == self.snapshot_id), None)


def create_and_watch(
    client: httpx.Client,
    api: EngineAPI,
    ledger: Ledger,
    recorder: Recorder,
    vm: VmRef,
    description: str,
    timeout: float,
    *,
    persist_memorystate: bool | None = None,
    expect_201: bool = False,
) -> Created:
    """POST a snapshot, then poll it until ``ok`` (or the deadline), noting every status seen."""
    with recorder.capture() as evidence:
        before = api.snapshot_ids(vm)
        headers = {"Expect": "201-created"} if expect_201 else {}
        start = _now()
        answer = post_xml(client, f"{vm.href}/snapshots", snapshot_body(description, persist_memorystate=persist_memorystate), headers=headers)
        end = _now()
        snapshot_id: str | None = None
        if answer.status_code in (200, 201, 202):
            try:
                snapshot_id = safexml.parse(answer.content).get("id") or None
            except safexml.UnsafeOrMalformedXML:
                snapshot_id = None
        new = register_new_snapshots(api, ledger, vm, before)
        if snapshot_id is None and len(new) == 1:
            snapshot_id = new[0]
        statuses: list[str | None] = []
        problem: str | None = None
        if snapshot_id is not None:
            sid = snapshot_id

            def fetch() -> str | None:
                status = api.snapshot_status(vm, sid)
                statuses.append(status)
                return status

            try:
                poll(fetch, lambda s: s == "ok", timeout=timeout, what=f"snapshot {sid} becoming ok")
            except WaitTimeout as error:
                problem = str(error)
        listed = tuple(api.snapshots(vm))
    return Created(description, answer, start, end, snapshot_id, tuple(statuses), problem, listed, tuple(evidence))


def _description(run_config: RunConfig, what: str) -> str:
    return f"conformance {run_config.run_id} {what}"


@pytest.fixture(scope="session")
def down_create(client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, recorder: Recorder, writable_vm: VmRef, run_config: RunConfig) -> Created:
    """A snapshot of the suite's VM while it is down, without ``Expect`` (the 202 path)."""
    engine_api.wait_vm_status(writable_vm, "down")
    return create_and_watch(client, engine_api, ledger, recorder, writable_vm, _description(run_config, "down"), run_config.timeouts.snapshot)


@pytest.fixture(scope="session")
def expect_201_create(client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, recorder: Recorder, writable_vm: VmRef, run_config: RunConfig) -> Created:
    """A snapshot asked for with ``Expect: 201-created``."""
    engine_api.wait_vm_status(writable_vm, "down")
    return create_and_watch(
        client, engine_api, ledger, recorder, writable_vm, _description(run_config, "expect-201"), run_config.timeouts.snapshot, expect_201=True
    )


@dataclass(frozen=True)
class LivePhase:
    """Everything done while the suite's VM is up (one start, one stop)."""

    with_memory: Created
    without_memory: Created
    freeze: httpx.Response | None
    thaw: httpx.Response | None
    freeze_down: httpx.Response | None
    restore_up: httpx.Response
    restore_target: str
    before_restore: tuple[frozenset[str], str | None]
    after_restore: tuple[frozenset[str], str | None]
    exchanges: tuple[Exchange, ...] = ()


def _offers(vm: etree._Element, action: str) -> bool:
    return any(link.get("rel") == action for link in vm.iterfind("actions/link"))


@pytest.fixture(scope="session")
def live_phase(
    client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, recorder: Recorder, writable_vm: VmRef, run_config: RunConfig, suite_snapshots: tuple[str, ...]
) -> LivePhase:
    """Start the VM; two live snapshots (memory true/false); freeze/thaw when offered; a
    restore attempt while up; stop the VM; freeze refused while down."""
    timeout = run_config.timeouts.snapshot
    with recorder.capture() as evidence:
        engine_api.wait_vm_status(writable_vm, "down")
        offers_quiesce = _offers(engine_api.get_vm(writable_vm), "freezefilesystems")
        engine_api.start_vm(writable_vm)
        try:
            with_memory = create_and_watch(
                client, engine_api, ledger, recorder, writable_vm, _description(run_config, "live memory"), timeout, persist_memorystate=True
            )
            without_memory = create_and_watch(
                client, engine_api, ledger, recorder, writable_vm, _description(run_config, "live no memory"), timeout, persist_memorystate=False
            )
            freeze = thaw = None
            if offers_quiesce:
                freeze = engine_api.vm_action(writable_vm, "freezefilesystems")
                thaw = engine_api.vm_action(writable_vm, "thawfilesystems")
            target = suite_snapshots[0] if suite_snapshots else (with_memory.snapshot_id or "")
            before = _vm_state(engine_api, writable_vm)
            restore_up = post_xml(client, f"{writable_vm.href}/snapshots/{target}/restore", b"<action/>")
            after = _vm_state(engine_api, writable_vm)
        finally:
            status = engine_api.vm_status(writable_vm)
            if status != "down":
                engine_api.stop_vm(writable_vm)
        freeze_down = engine_api.vm_action(writable_vm, "freezefilesystems") if offers_quiesce else None
    return LivePhase(with_memory, without_memory, freeze, thaw, freeze_down, restore_up, target, before, after, tuple(evidence))


def _vm_state(api: EngineAPI, vm: VmRef) -> tuple[frozenset[str], str | None]:
    return frozenset(api.snapshot_ids(vm)), api.get_vm(vm).findtext("description")


@dataclass(frozen=True)
class RestoreChain:
    """Snapshots A, B, C with the VM's description changed before each; then B restored."""

    ids: dict[str, str]
    descriptions: dict[str, str]
    #: the ids of the regular snapshots just before the restore
    before_regular: frozenset[str]
    answer: httpx.Response
    listed_after: tuple[etree._Element, ...]
    description_after: str | None
    wait_problem: str | None
    exchanges: tuple[Exchange, ...] = field(default=())


@pytest.fixture(scope="session")
def restore_chain(client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, recorder: Recorder, writable_vm: VmRef, run_config: RunConfig) -> RestoreChain:
    ids: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    with recorder.capture() as evidence:
        engine_api.wait_vm_status(writable_vm, "down")
        for name in ("A", "B", "C"):
            descriptions[name] = _description(run_config, f"VM state {name}")
            engine_api.update_vm(writable_vm, description=descriptions[name])
            ids[name] = engine_api.create_snapshot(
                writable_vm, _description(run_config, f"restore chain {name}"), on_created=lambda sid: ledger.snapshot_created(writable_vm, sid)
            )
        engine_api.update_vm(writable_vm, description=_description(run_config, "VM state after C"))
        type_element = engine_api.dialect.type_element
        before = frozenset(s.get("id", "") for s in engine_api.snapshots(writable_vm) if (s.findtext(type_element) or "").strip() == "regular")
        answer = post_xml(client, f"{writable_vm.href}/snapshots/{ids['B']}/restore", b"<action/>")
        problem: str | None = None
        if answer.status_code == 202:
            try:
                engine_api.wait_snapshot_status(writable_vm, ids["B"], "ok")
            except Exception as error:
                problem = str(error)
        listed = tuple(engine_api.snapshots(writable_vm))
        gone = {ids["C"]} - {s.get("id") for s in listed}
        for snapshot_id in gone:
            ledger.mark_removed(writable_vm, snapshot_id)
        description_after = engine_api.get_vm(writable_vm).findtext("description")
    return RestoreChain(ids, descriptions, before, answer, listed, description_after, problem, tuple(evidence))
