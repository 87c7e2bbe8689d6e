"""Recorded writes: SNAP-PUT, SNAP-CRT, SNAP-DEL, SNAP-RST, SNAP-PRV, SNAP-QSC, judged on the
answers (and, where the recording has them, the reads that followed)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest
from lxml import etree

from conformance import checks, safexml
from conformance.offline._judging import Traffic, not_tested
from conformance.offline._traffic import Recorded
from conformance.plugin.options import RunConfig
from conformance.plugin.outcomes import not_applicable

requirement = pytest.mark.requirement


def _body(exchange: Recorded) -> etree._Element | None:
    try:
        return None if not exchange.request_body else safexml.parse(exchange.request_body)
    except safexml.UnsafeOrMalformedXML:
        return None


def _listed_later(traffic: Traffic, exchange: Recorded) -> list[tuple[Recorded, etree._Element]]:
    """The lists of the same VM recorded after ``exchange``, in order."""
    return [
        (ex, root)
        for ex, root in traffic.lists(all_content=None)
        if ex.source == exchange.source and ex.route.vm_id == exchange.route.vm_id and ex.index > exchange.index
    ]


def _listed_before(traffic: Traffic, exchange: Recorded) -> etree._Element | None:
    """The last list of the same VM recorded before ``exchange``."""
    before = [
        root
        for ex, root in traffic.lists(all_content=None)
        if ex.source == exchange.source and ex.route.vm_id == exchange.route.vm_id and ex.index < exchange.index
    ]
    return before[-1] if before else None


def _type_of(traffic: Traffic, exchange: Recorded) -> str | None:
    """The type the last list before ``exchange`` gave its snapshot (None: not listed or unknown)."""
    root = _listed_before(traffic, exchange)
    if root is None:
        return None
    found = next((s for s in root.findall("snapshot") if checks.same_id(s.get("id"), exchange.route.snapshot_id)), None)
    return None if found is None else (found.findtext(traffic.dialect.type_element) or "").strip()


# -- PUT ------------------------------------------------------------------------------------------
@requirement("SNAP-PUT-01")
def test_put_is_refused(traffic: Traffic) -> None:
    """An engine MUST refuse a PUT on a snapshot with a 4xx status."""
    traffic.judge(
        "SNAP-PUT-01",
        traffic.of("snapshot", methods=["PUT"]),
        lambda ex: checks.check_answer_status(ex, "SNAP-PUT-01", range(400, 500), "PUT on a snapshot"),
        exchanges_of=lambda ex: [ex],
        nothing="no PUT on a snapshot was recorded",
    )


@requirement("SNAP-PUT-02")
def test_put_is_405_with_allow(traffic: Traffic) -> None:
    """An engine SHOULD refuse a PUT on a snapshot with 405 and an Allow header without PUT."""
    traffic.judge(
        "SNAP-PUT-02", traffic.of("snapshot", methods=["PUT"]), checks.check_put_405, exchanges_of=lambda ex: [ex], nothing="no PUT on a snapshot was recorded"
    )


@requirement("SNAP-PUT-03")
def test_put_changes_nothing(traffic: Traffic) -> None:
    """An engine MUST leave a snapshot unchanged after a refused PUT."""
    singles = traffic.singles()
    pairs = []
    for put in traffic.of("snapshot", methods=["PUT"]):
        same = [(ex, root) for ex, root in singles if ex.source == put.source and ex.route.snapshot_id == put.route.snapshot_id]
        before = [item for item in same if item[0].index < put.index]
        after = [item for item in same if item[0].index > put.index]
        if before and after:
            pairs.append((before[-1], put, after[0]))
    traffic.judge(
        "SNAP-PUT-03",
        pairs,
        lambda triple: checks.check_unchanged_snapshot(triple[0][1], triple[2][1], traffic.dialect, "SNAP-PUT-03", "a PUT"),
        exchanges_of=lambda triple: [triple[0][0], triple[1], triple[2][0]],
        nothing="no PUT on a snapshot was recorded between two reads of it",
    )


# -- create ---------------------------------------------------------------------------------------
def _creates(traffic: Traffic) -> list[tuple[Recorded, str]]:
    """Accepted creates with the description they asked for."""
    found = []
    for exchange in traffic.of("snapshots", methods=["POST"], statuses=range(200, 300)):
        body = _body(exchange)
        description = None if body is None else body.findtext("description")
        if description is not None:
            found.append((exchange, description))
    return found


@requirement("SNAP-CRT-01")
def test_create_answer(traffic: Traffic) -> None:
    """An engine MUST answer an accepted snapshot POST with 201 or 202 and the snapshot, its GUID id and description."""
    traffic.judge(
        "SNAP-CRT-01",
        _creates(traffic),
        lambda pair: checks.check_create_answer(pair[0], pair[1]),
        exchanges_of=lambda pair: [pair[0]],
        nothing="no accepted snapshot create (with its request body) was recorded",
    )


@requirement("SNAP-CRT-02")
def test_expect_201_created(traffic: Traffic) -> None:
    """An engine SHOULD honour `Expect: 201-created` with 201 once the snapshot is done, and a Location equal to its href."""
    asked = [(ex, d) for ex, d in _creates(traffic) if "201-created" in (ex.request_header("Expect") or "").lower()]

    def check(pair: tuple[Recorded, str]) -> None:
        snapshot = checks.check_create_answer(pair[0], pair[1])
        checks.check_expect_201(pair[0], f"{pair[0].route.vm_href}/snapshots/{checks.snapshot_id(snapshot)}")

    traffic.judge("SNAP-CRT-02", asked, check, exchanges_of=lambda pair: [pair[0]], nothing="no create with Expect: 201-created was recorded")


@requirement("SNAP-CRT-03")
def test_new_snapshot_listed_and_unlocks(traffic: Traffic) -> None:
    """An engine MUST list a new snapshot as regular with its description, and move its status from locked to ok."""
    subjects = []
    for exchange, description in _creates(traffic):
        try:
            new_id = checks.snapshot_id(safexml.parse(exchange.content))
        except safexml.UnsafeOrMalformedXML:
            continue
        later = _listed_later(traffic, exchange)
        if new_id and later:
            subjects.append((exchange, description, new_id, later))

    def check(subject: tuple[Recorded, str, str, list[tuple[Recorded, etree._Element]]]) -> None:
        _, description, new_id, later = subject
        checks.check_created_listed(later[0][1].findall("snapshot"), new_id, description, traffic.dialect)
        statuses = [next((s.findtext("snapshot_status") for s in root.findall("snapshot") if checks.same_id(s.get("id"), new_id)), None) for _, root in later]
        seen = [s for s in statuses if s is not None]
        if seen and seen[-1] == "ok":
            checks.check_status_sequence(new_id, seen)
        elif seen:
            odd = [s for s in seen if s not in ("locked", "ok")]
            if odd:
                checks.check_status_sequence(new_id, seen)

    traffic.judge(
        "SNAP-CRT-03",
        subjects,
        check,
        exchanges_of=lambda subject: [subject[0], subject[3][0][0]],
        nothing="no accepted create was recorded with a list of its VM after it",
    )


@pytest.mark.parametrize(
    "requirement_id", [pytest.param("SNAP-CRT-07", marks=requirement("SNAP-CRT-07")), pytest.param("SNAP-CRT-08", marks=requirement("SNAP-CRT-08"))]
)
def test_create_refusals(traffic: Traffic, requirement_id: str) -> None:
    """An engine MUST refuse a snapshot POST without a description (SNAP-CRT-07) or with a malformed body (SNAP-CRT-08) with 400 and a fault."""
    chosen = []
    for exchange in traffic.of("snapshots", methods=["POST"]):
        if exchange.request_body is None:
            continue
        body = _body(exchange)
        if (requirement_id == "SNAP-CRT-08" and body is None and b"<!DOCTYPE" not in exchange.request_body) or (
            requirement_id == "SNAP-CRT-07" and body is not None and body.tag == "snapshot" and not (body.findtext("description") or "").strip()
        ):
            chosen.append(exchange)
    traffic.judge(
        requirement_id,
        chosen,
        lambda ex: checks.check_fault_answer(
            ex, requirement_id, (400,), "a refused snapshot POST", traffic.dialect, json_expected="json" in (ex.request_header("Accept") or "")
        ),
        exchanges_of=lambda ex: [ex],
        nothing="no such create was recorded",
    )


# -- delete ---------------------------------------------------------------------------------------
@requirement("SNAP-DEL-01")
def test_delete_regular_snapshot(traffic: Traffic) -> None:
    """An engine MUST delete a regular snapshot on DELETE (200, 202 or 204), after which it is gone from the list."""
    deletes = [ex for ex in traffic.of("snapshot", methods=["DELETE"]) if _type_of(traffic, ex) == "regular"]

    def check(exchange: Recorded) -> None:
        checks.check_answer_status(exchange, "SNAP-DEL-01", (200, 202, 204), "DELETE of a regular snapshot")
        later = _listed_later(traffic, exchange)
        if later and any(checks.same_id(s.get("id"), exchange.route.snapshot_id) for s in later[-1][1].findall("snapshot")):
            raise checks.RequirementFailure(
                "SNAP-DEL-01",
                f"snapshot {exchange.route.snapshot_id} is still listed after DELETE",
                received=f"listed in {later[-1][0].name}",
                expected="gone from the list",
            )

    traffic.judge("SNAP-DEL-01", deletes, check, exchanges_of=lambda ex: [ex], nothing="no DELETE of a snapshot listed as regular was recorded")


@requirement("SNAP-DEL-02")
def test_delete_active_snapshot_refused(traffic: Traffic) -> None:
    """An engine MUST refuse to delete the active snapshot with 400 or 409 and a fault."""
    deletes = [ex for ex in traffic.of("snapshot", methods=["DELETE"]) if _type_of(traffic, ex) == "active"]
    traffic.judge(
        "SNAP-DEL-02",
        deletes,
        lambda ex: checks.check_fault_answer(
            ex, "SNAP-DEL-02", (400, 409), "DELETE of the active snapshot", traffic.dialect, json_expected="json" in (ex.request_header("Accept") or "")
        ),
        exchanges_of=lambda ex: [ex],
        nothing="no DELETE of a snapshot listed as active was recorded",
    )


@requirement("SNAP-DEL-03")
def test_delete_unknown_snapshot_is_404(traffic: Traffic) -> None:
    """An engine MUST answer 404 to a DELETE of a snapshot id it does not know."""
    unknown = [ex for ex in traffic.of("snapshot", methods=["DELETE"]) if _listed_before(traffic, ex) is not None and _type_of(traffic, ex) is None]
    traffic.judge(
        "SNAP-DEL-03",
        unknown,
        lambda ex: checks.check_answer_status(ex, "SNAP-DEL-03", (404,), "DELETE of an unknown snapshot"),
        exchanges_of=lambda ex: [ex],
        nothing="no DELETE of a snapshot id its VM's list did not hold was recorded",
    )


# -- restore ---------------------------------------------------------------------------------------
def _vm_status_before(traffic: Traffic, exchange: Recorded) -> str | None:
    vm = traffic.vm_document(exchange)
    return None if vm is None else traffic.dialect.status_text(vm)


@requirement("SNAP-RST-01")
def test_restore_completes(traffic: Traffic) -> None:
    """An engine MUST answer an accepted restore with 200 (or 202) and a complete action."""
    traffic.judge(
        "SNAP-RST-01",
        traffic.of("restore", methods=["POST"], statuses=range(200, 300)),
        lambda ex: checks.check_action_complete(ex, "SNAP-RST-01", "restore", traffic.dialect),
        exchanges_of=lambda ex: [ex],
        nothing="no accepted restore was recorded",
    )


@requirement("SNAP-RST-05")
def test_restore_refused_while_up(traffic: Traffic) -> None:
    """An engine MUST refuse a restore while the VM is up with 409 or 400 and a fault."""
    up = [ex for ex in traffic.of("restore", methods=["POST"]) if _vm_status_before(traffic, ex) == "up"]
    traffic.judge(
        "SNAP-RST-05",
        up,
        lambda ex: checks.check_fault_answer(ex, "SNAP-RST-05", (400, 409), "restore while the VM is up", traffic.dialect),
        exchanges_of=lambda ex: [ex],
        nothing="no restore of an up VM was recorded",
    )


@requirement("SNAP-RST-06")
def test_restore_unknown_snapshot(traffic: Traffic) -> None:
    """An engine MUST answer a restore of an unknown snapshot with 404 or 400."""
    unknown = [ex for ex in traffic.of("restore", methods=["POST"]) if _listed_before(traffic, ex) is not None and _type_of(traffic, ex) is None]
    traffic.judge(
        "SNAP-RST-06",
        unknown,
        lambda ex: checks.check_answer_status(ex, "SNAP-RST-06", (400, 404), "restore of an unknown snapshot"),
        exchanges_of=lambda ex: [ex],
        nothing="no restore of a snapshot its VM's list did not hold was recorded",
    )


@requirement("SNAP-RST-07")
def test_restore_active_snapshot_refused(traffic: Traffic) -> None:
    """An engine SHOULD refuse a restore of the active snapshot with a 4xx."""
    active = [ex for ex in traffic.of("restore", methods=["POST"]) if _type_of(traffic, ex) == "active"]
    traffic.judge(
        "SNAP-RST-07",
        active,
        lambda ex: checks.check_answer_status(ex, "SNAP-RST-07", range(400, 500), "restore of the active snapshot"),
        exchanges_of=lambda ex: [ex],
        nothing="no restore of the active snapshot was recorded",
    )


@requirement("SNAP-RST-08")
def test_restore_memory_parameter(traffic: Traffic) -> None:
    """An engine MAY accept the restore_memory parameter; when it does, the restore MUST complete."""
    asked = [ex for ex in traffic.of("restore", methods=["POST"]) if b"restore_memory" in (ex.request_body or b"")]
    if not asked:
        not_tested("no restore with restore_memory was recorded")
    if all(ex.status_code == 400 for ex in asked):
        not_applicable("the engine refuses the restore_memory parameter with 400")
    traffic.judge(
        "SNAP-RST-08",
        [ex for ex in asked if ex.status_code != 400],
        lambda ex: checks.check_action_complete(ex, "SNAP-RST-08", "restore with restore_memory", traffic.dialect),
        exchanges_of=lambda ex: [ex],
        nothing="",
    )


# -- VM actions --------------------------------------------------------------------------------------
def _vm_actions(traffic: Traffic, *names: str) -> list[Recorded]:
    return [ex for ex in traffic.of("vm-action", methods=["POST"]) if ex.route.tail in names]


@pytest.mark.parametrize(
    ("requirement_id", "action"),
    [
        pytest.param("SNAP-PRV-01", "previewsnapshot", marks=requirement("SNAP-PRV-01"), id="preview"),
        pytest.param("SNAP-PRV-02", "commitsnapshot", marks=requirement("SNAP-PRV-02"), id="commit"),
        pytest.param("SNAP-PRV-03", "undosnapshot", marks=requirement("SNAP-PRV-03"), id="undo"),
    ],
)
def test_preview_actions(traffic: Traffic, requirement_id: str, action: str) -> None:
    """An engine MAY offer previewsnapshot; its preview, commit and undo MUST then complete, and the lists that follow MUST show their effect."""
    answers = [ex for ex in _vm_actions(traffic, action, action.replace("snapshot", "_snapshot")) if ex.status_code < 300]
    if not answers:
        not_tested(f"no accepted {action} was recorded")

    def check(exchange: Recorded) -> None:
        checks.check_action_complete(exchange, requirement_id, action, traffic.dialect)
        later = _listed_later(traffic, exchange)
        if not later:
            return
        kinds = [(s.findtext(traffic.dialect.type_element) or "").strip() for s in later[0][1].findall("snapshot")]
        statuses = [(s.findtext("snapshot_status") or "").strip() for s in later[0][1].findall("snapshot")]
        if action == "previewsnapshot" and (kinds.count("preview") != 1 or "in_preview" not in statuses):
            raise checks.RequirementFailure(
                requirement_id,
                "after a preview, no single preview snapshot beside one in_preview",
                received=f"types {kinds}, statuses {statuses}",
                expected="one preview snapshot, the target in_preview",
            )
        if action != "previewsnapshot" and ("preview" in kinds or "in_preview" in statuses):
            raise checks.RequirementFailure(
                requirement_id,
                f"after {action}, the preview remains",
                received=f"types {kinds}, statuses {statuses}",
                expected="no preview snapshot, none in_preview",
            )

    traffic.judge(requirement_id, answers, check, exchanges_of=lambda ex: [ex], nothing="")


@requirement("SNAP-QSC-01")
def test_freeze_and_thaw(traffic: Traffic) -> None:
    """An engine MAY offer freezefilesystems/thawfilesystems; then they MUST complete on an up VM and be refused with a 4xx on a down VM."""
    answers = _vm_actions(traffic, "freezefilesystems", "thawfilesystems")
    if not answers:
        not_tested("no freezefilesystems or thawfilesystems was recorded")

    def check(exchange: Recorded) -> None:
        status = _vm_status_before(traffic, exchange)
        if status == "down":
            checks.check_answer_status(exchange, "SNAP-QSC-01", range(400, 500), f"{exchange.route.tail} on a down VM")
        elif status == "up":
            checks.check_action_complete(exchange, "SNAP-QSC-01", f"{exchange.route.tail} on an up VM", traffic.dialect)

    traffic.judge("SNAP-QSC-01", answers, check, exchanges_of=lambda ex: [ex], nothing="")


@requirement("SNAP-CRT-04")
def test_new_snapshot_date_in_request_window(traffic: Traffic, run_config: RunConfig) -> None:
    """An engine MUST date a new snapshot within the time of its create request, give or take the configured clock skew."""
    subjects = []
    for exchange, _ in _creates(traffic):
        moment = _instant(exchange.recorded_at)
        if moment is None:
            continue
        try:
            snapshot = safexml.parse(exchange.content)
        except safexml.UnsafeOrMalformedXML:
            continue
        subjects.append((exchange, snapshot, moment))
    traffic.judge(
        "SNAP-CRT-04",
        subjects,
        lambda subject: checks.check_date_in_window(subject[1], subject[2], subject[2], run_config.clock_skew),
        exchanges_of=lambda subject: [subject[0]],
        nothing="no accepted create was recorded with the time it was made",
    )


@pytest.mark.parametrize("requirement_id", [pytest.param(rid, marks=requirement(rid), id=rid) for rid in ("SNAP-CRT-05", "SNAP-CRT-06")])
def test_live_creates(traffic: Traffic, requirement_id: str) -> None:
    """An engine MUST create a live snapshot like one of a down VM and report the persist_memorystate asked (false for a down VM)."""
    subjects = [(ex, d, _vm_status_before(traffic, ex)) for ex, d in _creates(traffic)]
    subjects = [s for s in subjects if s[2] in ("up", "down") and (requirement_id == "SNAP-CRT-06" or s[2] == "up")]

    def check(subject: tuple[Recorded, str, str | None]) -> None:
        exchange, description, status = subject
        try:
            snapshot = checks.check_create_answer(exchange, description)
        except checks.RequirementFailure as failure:
            raise checks.RequirementFailure(requirement_id, f"live snapshot: {failure.title}", received=failure.received, expected=failure.expected) from None
        if requirement_id == "SNAP-CRT-06":
            body = _body(exchange)
            asked = None if body is None else body.findtext("persist_memorystate")
            if status == "down":
                checks.check_memory_state(snapshot, False, "a snapshot of a down VM")
            elif asked is not None and checks.is_xs_boolean(asked):
                checks.check_memory_state(snapshot, checks.parse_xs_boolean(asked), f"a live snapshot asked with {asked}")

    traffic.judge(
        requirement_id, subjects, check, exchanges_of=lambda subject: [subject[0]], nothing="no accepted create was recorded with its VM's state before it"
    )


@pytest.mark.parametrize("requirement_id", [pytest.param(rid, marks=requirement(rid), id=rid) for rid in ("SNAP-RST-02", "SNAP-RST-03")])
def test_after_restore(traffic: Traffic, requirement_id: str) -> None:
    """An engine MUST keep the restored snapshot ok beside one active one, keep the older snapshots and remove the newer ones."""
    subjects = []
    for exchange in traffic.of("restore", methods=["POST"], statuses=range(200, 300)):
        before, later = _listed_before(traffic, exchange), _listed_later(traffic, exchange)
        if before is not None and later:
            subjects.append((exchange, before, later[0]))

    def check(subject: tuple[Recorded, etree._Element, tuple[Recorded, etree._Element]]) -> None:
        exchange, before, (_, after) = subject
        target = exchange.route.snapshot_id
        listed = {checks.snapshot_id(s).lower(): s for s in after.findall("snapshot")}
        restored = listed.get((target or "").lower())
        if requirement_id == "SNAP-RST-02":
            if restored is None or (restored.findtext("snapshot_status") or "").strip() != "ok":
                raise checks.RequirementFailure(
                    "SNAP-RST-02",
                    f"the restored snapshot {target} is not listed ok afterwards",
                    received="absent" if restored is None else str(restored.findtext("snapshot_status")),
                    expected="listed, ok",
                )
            try:
                checks.check_one_active(list(listed.values()), traffic.dialect)
            except checks.RequirementFailure as failure:
                raise checks.RequirementFailure(
                    "SNAP-RST-02", f"after the restore: {failure.title}", received=failure.received, expected=failure.expected
                ) from None
            return
        regular = [s for s in before.findall("snapshot") if (s.findtext(traffic.dialect.type_element) or "").strip() == "regular"]
        anchor = next((s for s in regular if checks.same_id(s.get("id"), target)), None)
        if anchor is None or not checks.is_xs_datetime(anchor.findtext("date") or ""):
            return
        when = checks.parse_xs_datetime(anchor.findtext("date") or "")
        for snapshot in regular:
            text = snapshot.findtext("date") or ""
            if not checks.is_xs_datetime(text) or checks.same_id(snapshot.get("id"), target):
                continue
            newer, kept = checks.parse_xs_datetime(text) > when, checks.snapshot_id(snapshot).lower() in listed
            if newer == kept:
                raise checks.RequirementFailure(
                    "SNAP-RST-03",
                    f"snapshot {checks.snapshot_id(snapshot)}, {'newer' if newer else 'older'} than the restored one, is {'still there' if kept else 'gone'}",
                    received=f"dated {text}, restored one {anchor.findtext('date')}",
                    expected="newer snapshots gone, older ones kept",
                )

    traffic.judge(
        requirement_id, subjects, check, exchanges_of=lambda subject: [subject[0]], nothing="no accepted restore was recorded between two lists of its VM"
    )


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
