"""Shared engine work of the write checks, done once and judged by several tests.

On a real engine a create or a restore takes seconds to minutes, so the suite makes each
one once: a phase fixture does the work, keeps the raw answers and what it saw while
waiting, and the tests judge them, one requirement each. A phase keeps its exchanges as
``exchanges``; the plugin adds them to the evidence of every test that uses the phase.
Everything a phase creates goes into the ledger at once, also when the engine answered
with an error (the ids before and after are compared), so teardown can remove it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from lxml import etree

from conformance import checks, safexml
from conformance.client.engine import EngineAPI, EngineError, VmRef, xml_body
from conformance.client.http import url_for
from conformance.client.ledger import Ledger
from conformance.client.recorder import Recorder
from conformance.client.waiting import WaitTimeout, poll
from conformance.plugin.options import RunConfig
from conformance.reports.model import Exchange

__all__ = [
    "DESCRIPTION_MARKS",
    "Created",
    "LivePhase",
    "RestoreChain",
    "create_and_watch",
    "description",
    "down_create",
    "expect_201_create",
    "live_phase",
    "make_snapshot",
    "post_xml",
    "register_new_snapshots",
    "require_idle",
    "require_made",
    "restore_chain",
    "setting_up",
    "settle",
    "snapshot_body",
    "snapshot_kinds",
    "suite_snapshots",
    "vm_configuration",
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


def snapshot_kinds(api: EngineAPI, vm: VmRef) -> dict[str, str]:
    """The VM's snapshots now: id -> type (what :func:`register_new_snapshots` compares)."""
    type_element = api.dialect.type_element
    return {s.get("id", ""): (s.findtext(type_element) or "").strip() for s in api.snapshots(vm)}


def register_new_snapshots(api: EngineAPI, ledger: Ledger, vm: VmRef, before: Mapping[str, str]) -> list[str]:
    """Put every snapshot that appeared since ``before`` (:func:`snapshot_kinds`) into the
    ledger; return their ids.

    A real engine gives a new snapshot the id the active snapshot had, and the active one a
    fresh id: so a new snapshot is one not listed before, or listed before as the active
    one, that is not the active one now. A request the engine accepted (a malformed create
    it took) may have left a snapshot that is still locked; a real engine refuses the next
    change of the VM until it is done, so this waits for the VM to settle.
    """
    now = snapshot_kinds(api, vm)
    new = sorted(sid for sid, kind in now.items() if kind != "active" and (sid not in before or before[sid] == "active"))
    for snapshot_id in new:
        if snapshot_id not in ledger.snapshots_of(vm):
            ledger.snapshot_created(vm, snapshot_id)
    if new:
        settle(api, vm)
    return new


def settle(api: EngineAPI, vm: VmRef) -> str | None:
    """Wait (bounded by the snapshot deadline) until none of the VM's snapshots is locked;
    returns None then, else what the engine showed last (the next step reports it)."""
    try:
        api.wait_idle(vm)
    except WaitTimeout as error:
        return str(error)
    return None


def require_idle(api: EngineAPI, vm: VmRef) -> None:
    """A phase starts on a VM whose snapshots are not locked: a real engine refuses every
    change of it before; when they never unlock, what the phase judges follows from
    SNAP-CRT-03 (a new snapshot turns ok within the timeout), which fails, and is not tested."""
    problem = settle(api, vm)
    if problem is not None:
        pytest.skip(f"not tested: follows from SNAP-CRT-03 (the suite's VM stays busy: {problem})")


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
        before = snapshot_kinds(api, vm)
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
        if snapshot_id is None:  # an answer without id: the new snapshot carrying our description
            listed_now = {s.get("id", ""): s for s in api.snapshots(vm)}
            snapshot_id = next((sid for sid in new if listed_now.get(sid) is not None and listed_now[sid].findtext("description") == description), None)
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


#: What every description the suite sends carries besides its words: XML's special
#: characters and letters beyond ASCII, which an engine must store and give back exactly.
#: Only ASCII and letters: real engines refuse other characters in descriptions
#: (ovirt-engine ValidDescription, ValidationUtils.ONLY_I18N_ASCII_OR_NONE = [\p{ASCII}\p{L}]*).
DESCRIPTION_MARKS = "<&> \"quoted\" 'apostrophe' Grüße ÆØÅ 日本"

#: How many regular snapshots the suite creates on its VM for the read checks.
READ_SNAPSHOTS = 2


def description(run_config: RunConfig, what: str) -> str:
    """A description of the suite's: the run's id, ``what`` it is for, :data:`DESCRIPTION_MARKS`."""
    return f"conformance {run_config.run_id} {what} {DESCRIPTION_MARKS}"


def require_made(created: Created, *, live: bool = False) -> str:
    """The id of a snapshot another check needs; when the engine botched it, the
    requirement that says a create must work fails (SNAP-CRT-01 and -03, SNAP-CRT-05 on an
    up VM) — for every test that needed it, never as a run that could not run."""
    answer_requirement = "SNAP-CRT-05" if live else "SNAP-CRT-01"
    status_requirement = "SNAP-CRT-05" if live else "SNAP-CRT-03"

    def restated(failure: checks.RequirementFailure, requirement: str) -> checks.RequirementFailure:
        return checks.RequirementFailure(requirement, failure.title, received=failure.received, expected=failure.expected)

    # what the other checks need of it: an accepted create naming a snapshot; the rest of
    # the answer (its description ...) is judged by SNAP-CRT-01's own test
    try:
        checks.check_answer_status(created.answer, answer_requirement, (201, 202), "creating a snapshot the suite needs")
    except checks.RequirementFailure as failure:
        raise restated(failure, answer_requirement) from None
    if created.snapshot_id is None or not checks.is_guid(created.snapshot_id):
        raise checks.RequirementFailure(
            answer_requirement,
            "the create answer names no snapshot the suite could find",
            received=f"status {created.answer.status_code}, snapshot id {created.snapshot_id!r}",
            expected="a new snapshot with a GUID id",
        )
    if created.wait_problem is not None:
        raise checks.RequirementFailure(
            status_requirement,
            f"snapshot {created.snapshot_id} did not become ok in time",
            received=created.wait_problem,
            expected="status ok within the timeout",
        )
    try:
        checks.check_status_sequence(created.snapshot_id, created.statuses)
    except checks.RequirementFailure as failure:
        raise restated(failure, status_requirement) from None
    return created.snapshot_id


def make_snapshot(client: httpx.Client, api: EngineAPI, ledger: Ledger, recorder: Recorder, vm: VmRef, what: str, run_config: RunConfig) -> str:
    """Create a snapshot the suite needs (see :func:`require_made`) and wait until it is ok."""
    return require_made(create_and_watch(client, api, ledger, recorder, vm, description(run_config, what), run_config.timeouts.snapshot))


@pytest.fixture(scope="session")
def suite_snapshots(
    client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, recorder: Recorder, own_vm: VmRef | None, run_config: RunConfig
) -> tuple[str, ...]:
    """Regular snapshots the suite created on ``own_vm`` for the read checks (none when read-only)."""
    if own_vm is None or run_config.read_only:
        return ()
    return tuple(make_snapshot(client, engine_api, ledger, recorder, own_vm, f"read check {number}", run_config) for number in range(1, READ_SNAPSHOTS + 1))


@pytest.fixture(scope="session")
def down_create(client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, recorder: Recorder, writable_vm: VmRef, run_config: RunConfig) -> Created:
    """A snapshot of the suite's VM while it is down, without ``Expect`` (the 202 path)."""
    with setting_up("bringing the suite's VM down"):
        engine_api.wait_vm_status(writable_vm, "down")
    require_idle(engine_api, writable_vm)
    return create_and_watch(client, engine_api, ledger, recorder, writable_vm, description(run_config, "down"), run_config.timeouts.snapshot)


@pytest.fixture(scope="session")
def expect_201_create(client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, recorder: Recorder, writable_vm: VmRef, run_config: RunConfig) -> Created:
    """A snapshot asked for with ``Expect: 201-created``."""
    with setting_up("bringing the suite's VM down"):
        engine_api.wait_vm_status(writable_vm, "down")
    require_idle(engine_api, writable_vm)
    return create_and_watch(
        client, engine_api, ledger, recorder, writable_vm, description(run_config, "expect-201"), run_config.timeouts.snapshot, expect_201=True
    )


@dataclass(frozen=True)
class LivePhase:
    """Everything done while the suite's VM is up (one start, one stop)."""

    with_memory: Created
    without_memory: Created
    freeze: httpx.Response | None
    thaw: httpx.Response | None
    freeze_down: httpx.Response | None
    #: None when the suite had no snapshot of its own to aim the restore at
    restore_up: httpx.Response | None
    restore_target: str
    before_restore: tuple[frozenset[str], str | None, str]
    after_restore: tuple[frozenset[str], str | None, str]
    exchanges: tuple[Exchange, ...] = ()


def _offers(vm: etree._Element, action: str) -> bool:
    return any(link.get("rel") == action for link in vm.iterfind("actions/link"))


@contextmanager
def setting_up(what: str) -> Iterator[None]:
    """The calls of engine-surface.md a phase needs (VM updates, power changes) are not the
    snapshot contract: when the engine refuses one, what the phase would judge is *not
    tested* (with the engine's answer as the reason), never blamed on a requirement."""
    try:
        yield
    except EngineError as error:
        pytest.skip(f"not tested: {what} could not be done ({error})")


def _stop(api: EngineAPI, vm: VmRef) -> None:
    """Bring the VM down, whatever power state it is in (bounded by the VM deadline)."""
    status = api.vm_status(vm)
    if status in ("up", "powering_up", "paused"):
        api.stop_vm(vm)
    elif status != "down":
        api.wait_vm_status(vm, "down")


@pytest.fixture(scope="session")
def live_phase(
    request: pytest.FixtureRequest, client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, recorder: Recorder, writable_vm: VmRef, run_config: RunConfig
) -> LivePhase:
    """Start the VM; two live snapshots (memory true/false); freeze/thaw when offered; a
    restore attempt while up; stop the VM; freeze refused while down."""
    timeout = run_config.timeouts.snapshot
    require_idle(engine_api, writable_vm)
    with recorder.capture() as evidence, setting_up("the live phase (start the suite's VM, stop it)"):
        engine_api.wait_vm_status(writable_vm, "down")
        offers_quiesce = _offers(engine_api.get_vm(writable_vm), "freezefilesystems")
        engine_api.start_vm(writable_vm)
        try:
            with_memory = create_and_watch(
                client, engine_api, ledger, recorder, writable_vm, description(run_config, "live memory"), timeout, persist_memorystate=True
            )
            without_memory = create_and_watch(
                client, engine_api, ledger, recorder, writable_vm, description(run_config, "live no memory"), timeout, persist_memorystate=False
            )
            freeze = thaw = None
            if offers_quiesce:
                freeze = engine_api.vm_action(writable_vm, "freezefilesystems")
                thaw = engine_api.vm_action(writable_vm, "thawfilesystems")
            target = _restore_target(request, with_memory, without_memory)
            settle(engine_api, writable_vm)  # a restore refused for a lock would prove nothing
            before = _vm_state(engine_api, writable_vm)
            restore_up = post_xml(client, f"{writable_vm.href}/snapshots/{target}/restore", b"<action/>") if target else None
            after = _vm_state(engine_api, writable_vm)
        finally:
            _stop(engine_api, writable_vm)
        freeze_down = engine_api.vm_action(writable_vm, "freezefilesystems") if offers_quiesce else None
    return LivePhase(with_memory, without_memory, freeze, thaw, freeze_down, restore_up, target, before, after, tuple(evidence))


def _restore_target(request: pytest.FixtureRequest, *made: Created) -> str:
    """A regular snapshot of the suite's for the restore attempt while up: one of the read
    checks', else one just made (the live phase does not need the read checks' snapshots)."""
    try:
        read_snapshots: tuple[str, ...] = request.getfixturevalue("suite_snapshots")
    except checks.RequirementFailure:
        read_snapshots = ()
    return next(iter(read_snapshots), next((c.snapshot_id for c in made if c.snapshot_id), ""))


def _vm_state(api: EngineAPI, vm: VmRef) -> tuple[frozenset[str], str | None, str]:
    """The VM's snapshot ids, description and status."""
    document = api.get_vm(vm)
    return frozenset(api.snapshot_ids(vm)), document.findtext("description"), api.dialect.status_text(document) or ""


@dataclass(frozen=True)
class RestoreChain:
    """Snapshots A, B, C with the VM's description and memory changed before each; then B restored."""

    ids: dict[str, str]
    #: the VM's configuration (description, memory) before each snapshot was taken, as read back
    configurations: dict[str, tuple[str | None, str | None]]
    #: the ids of the regular snapshots just before the restore
    before_regular: frozenset[str]
    answer: httpx.Response
    listed_after: tuple[etree._Element, ...]
    #: the VM's (description, memory) after the restore
    configuration_after: tuple[str | None, str | None]
    wait_problem: str | None
    exchanges: tuple[Exchange, ...] = field(default=())


#: the VM's memory before snapshots A, B and C, and after C: within what a VM made from the
#: Blank template may have (1 GiB, at most 4 times that)
_MEMORY = {"A": 1024**3, "B": 2 * 1024**3, "C": 1536 * 1024**2, "after C": 3 * 1024**3}


def vm_configuration(api: EngineAPI, vm: VmRef) -> tuple[str | None, str | None]:
    """The VM's description and memory, as it shows them now."""
    document = api.get_vm(vm)
    return document.findtext("description"), (document.findtext("memory") or "").strip() or None


@pytest.fixture(scope="session")
def restore_chain(client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, recorder: Recorder, writable_vm: VmRef, run_config: RunConfig) -> RestoreChain:
    ids: dict[str, str] = {}
    configurations: dict[str, tuple[str | None, str | None]] = {}
    require_idle(engine_api, writable_vm)
    with recorder.capture() as evidence, setting_up("the restore chain (change the VM between snapshots)"):
        engine_api.wait_vm_status(writable_vm, "down")
        for name in ("A", "B", "C", "after C"):
            engine_api.update_vm(writable_vm, description=description(run_config, f"VM state {name}"), memory=str(_MEMORY[name]))
            # as the engine keeps it: a restore is judged on the configuration it saw
            configurations[name] = vm_configuration(engine_api, writable_vm)
            if name != "after C":
                ids[name] = make_snapshot(client, engine_api, ledger, recorder, writable_vm, f"restore chain {name}", run_config)
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
        after = vm_configuration(engine_api, writable_vm)
    configurations.pop("after C")
    return RestoreChain(ids, configurations, before, answer, listed, after, problem, tuple(evidence))
