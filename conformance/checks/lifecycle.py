"""Checks of the write side: create, PUT, delete, restore, errors and authentication.

Like every check, these look only at answers and parsed documents the caller hands them;
the waiting and the requests are the conformance tests' business.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from lxml import etree

from conformance.checks._failure import RequirementFailure
from conformance.checks._show import listing, show, show_body, subject
from conformance.checks.documents import HTTPAnswer, header, media_type, parse_json_answer, parse_xml_answer, snapshot_id
from conformance.checks.lexical import is_guid, is_xs_boolean, is_xs_datetime, parse_xs_boolean, parse_xs_datetime
from conformance.dialect import Dialect

__all__ = [
    "check_action_complete",
    "check_answer_status",
    "check_create_answer",
    "check_created_listed",
    "check_date_in_window",
    "check_empty_or_fault",
    "check_expect_201",
    "check_fault_answer",
    "check_memory_state",
    "check_no_server_error",
    "check_nothing_created",
    "check_put_405",
    "check_status_sequence",
    "check_unauthorized",
    "check_unchanged_snapshot",
    "compared_fields",
]

#: The fields that say what a snapshot is; a refused PUT must leave all of them alone.
_FIELDS = ("description", "date", "snapshot_status", "persist_memorystate")


def _status_line(answer: HTTPAnswer) -> str:
    return f"{answer.status_code} {media_type(answer) or 'without Content-Type'}, {show_body(answer.content)}"


def check_answer_status(answer: HTTPAnswer, requirement: str, allowed: Collection[int], what: str) -> None:
    """``answer`` has one of the ``allowed`` status codes, else ``requirement`` fails
    (SNAP-CRT-09, SNAP-DEL-03, SNAP-RST-06, SNAP-ERR-02, SNAP-PUT-01 ...)."""
    if answer.status_code not in allowed:
        raise RequirementFailure(
            requirement,
            f"{what} answered {answer.status_code}",
            received=_status_line(answer),
            expected=f"status {' or '.join(str(code) for code in sorted(allowed))}",
        )


def check_no_server_error(answer: HTTPAnswer, requirement: str, what: str) -> None:
    """``answer`` is not a 5xx (SNAP-ERR-02, SNAP-ERR-03)."""
    if answer.status_code >= 500:
        raise RequirementFailure(
            requirement, f"{what} caused a server error", received=_status_line(answer), expected="a 4xx refusal (or a 2xx for a valid request), never 5xx"
        )


def _status_form(dialect: Dialect, value: str) -> str:
    """A status as the dialect writes it (v3 nests it in ``state``, v4 does not)."""
    return f"<status><state>{value}</state></status>" if dialect.nested_status else f"<status>{value}</status>"


def _shown_status(root: etree._Element, dialect: Dialect) -> str:
    """The action's status for a message, saying so when it has the other dialect's form
    (which :meth:`Dialect.status_text` cannot read)."""
    element = root.find("status")
    if element is None:
        return "no <status>"
    state = element.find("state")
    if not dialect.nested_status and state is not None:
        return f"a nested <status><state>{(state.text or '').strip()}</state></status> (the v3 form) in v{dialect.version}"
    if dialect.nested_status and state is None and (element.text or "").strip():
        return f"a plain <status>{(element.text or '').strip()}</status> (the v4 form) in v{dialect.version}"
    return show(dialect.status_text(root))


def _fault_of(root: etree._Element, dialect: Dialect) -> etree._Element | None:
    if root.tag == "fault":
        return root
    if root.tag == "action":
        status = dialect.status_text(root)
        fault = root.find("fault")
        if status == "failed" and fault is not None:
            return fault
    return None


def _json_fault_reason(value: object) -> str | None:
    """The non-empty reason of a JSON fault (``{"reason": ..}``, ``{"fault": {"reason": ..}}``,
    a failed action holding one), None when ``value`` is no such fault."""
    fault = value.get("fault", value) if isinstance(value, dict) else None
    reason = fault.get("reason") if isinstance(fault, dict) else None
    return reason if isinstance(reason, str) and reason.strip() else None


def check_fault_answer(answer: HTTPAnswer, requirement: str, allowed: Collection[int], what: str, dialect: Dialect, *, json_expected: bool = False) -> None:
    """A refusal: one of the ``allowed`` codes, and a fault with a non-empty reason in the
    negotiated format — a ``fault`` document, or a failed ``action`` carrying one
    (SNAP-CRT-07, SNAP-CRT-08, SNAP-DEL-02, SNAP-RST-05, SNAP-ERR-01)."""
    check_answer_status(answer, requirement, allowed, what)
    if json_expected:
        if media_type(answer) != "application/json":
            raise RequirementFailure(
                requirement,
                f"{what}: the fault is not in the negotiated format",
                received=_status_line(answer),
                expected="an application/json fault (Accept: application/json was sent)",
            )
        if _json_fault_reason(parse_json_answer(answer, requirement)) is None:
            raise RequirementFailure(
                requirement,
                f"{what}: the JSON fault has no reason",
                received=show_body(answer.content),
                expected='an object with a non-empty "reason" (a fault, or a failed action holding one)',
            )
        return
    if media_type(answer) not in ("application/xml", "text/xml"):
        raise RequirementFailure(
            requirement, f"{what}: the answer is not an XML fault", received=_status_line(answer), expected="an application/xml fault document"
        )
    root = parse_xml_answer(answer, requirement)
    fault = _fault_of(root, dialect)
    if fault is None:
        raise RequirementFailure(
            requirement,
            f"{what}: the answer carries no fault",
            received=show_body(answer.content),
            expected=f"<fault><reason>..</reason></fault>, or an <action> with {_status_form(dialect, 'failed')} and a nested <fault>",
        )
    if not (fault.findtext("reason") or "").strip():
        raise RequirementFailure(
            requirement, f"{what}: the fault has an empty reason", received=show_body(answer.content), expected="a fault with a non-empty <reason>"
        )


def check_empty_or_fault(answer: HTTPAnswer, requirement: str, allowed: Collection[int], what: str, dialect: Dialect) -> None:
    """A 404, 405 or 406 may come without a body (engines before 4.5 send none); a body it
    has is a fault (SNAP-ERR-01)."""
    check_answer_status(answer, requirement, allowed, what)
    if not answer.content.strip():
        return
    kind = media_type(answer)
    if kind == "application/json":
        if _json_fault_reason(parse_json_answer(answer, requirement)) is not None:
            return
        raise RequirementFailure(
            requirement,
            f"{what}: the body is not a fault",
            received=show_body(answer.content),
            expected='an empty body or a JSON fault with a non-empty "reason"',
        )
    if kind in ("application/xml", "text/xml"):
        fault = _fault_of(parse_xml_answer(answer, requirement), dialect)
        if fault is None or not (fault.findtext("reason") or "").strip():
            raise RequirementFailure(
                requirement,
                f"{what}: the body is not a fault" if fault is None else f"{what}: the fault has an empty reason",
                received=show_body(answer.content),
                expected="an empty body or a <fault> document with a non-empty <reason>",
            )
        return
    raise RequirementFailure(
        requirement, f"{what}: the body is neither empty nor a fault", received=_status_line(answer), expected="an empty body, or a fault in XML or JSON"
    )


def check_create_answer(answer: HTTPAnswer, description: str) -> etree._Element:
    """SNAP-CRT-01: 201 or 202 with a snapshot carrying a GUID id and the description."""
    requirement = "SNAP-CRT-01"
    check_answer_status(answer, requirement, (201, 202), "creating a snapshot")
    snapshot = parse_xml_answer(answer, requirement)
    if snapshot.tag != "snapshot":
        raise RequirementFailure(requirement, "the create answer is not a snapshot", received=f"<{snapshot.tag}>", expected="a <snapshot> document")
    if not is_guid(snapshot_id(snapshot)):
        raise RequirementFailure(
            requirement, "the created snapshot has no GUID id", received=show(snapshot.get("id")), expected="an id of 8-4-4-4-12 hexadecimal digits"
        )
    if snapshot.findtext("description") != description:
        raise RequirementFailure(
            requirement,
            f"{subject(snapshot_id(snapshot))}: the create answer lost the description",
            received=show(snapshot.findtext("description")),
            expected=show(description),
        )
    return snapshot


def check_expect_201(answer: HTTPAnswer, snapshot_href: str, statuses_after: Sequence[str | None] = ()) -> None:
    """SNAP-CRT-02 (SHOULD): ``Expect: 201-created`` gives 201 once the snapshot is done
    (its status in the answer, and at the first read after it, is not ``locked``), with
    ``Location`` = the href."""
    requirement = "SNAP-CRT-02"
    if answer.status_code != 201:
        raise RequirementFailure(
            requirement, "Expect: 201-created was not honoured", received=f"status {answer.status_code}", expected="201 Created once the snapshot is done"
        )
    location = header(answer, "Location")
    if location is None or urlsplit(location).path.rstrip("/") != snapshot_href.rstrip("/"):
        raise RequirementFailure(requirement, "the 201 answer's Location is not the snapshot's href", received=show(location), expected=show(snapshot_href))
    try:
        answered = parse_xml_answer(answer, requirement).findtext("snapshot_status")
    except RequirementFailure:
        answered = None  # what the 201 answer's body is, is SNAP-CRT-01's concern
    first_read = statuses_after[0] if statuses_after else None
    if "locked" in (answered, first_read):
        raise RequirementFailure(
            requirement,
            "the 201 came before the snapshot was done",
            received=f"snapshot_status {show(answered)} in the answer, {show(first_read)} at the first read after it",
            expected="201 only once the snapshot is ok",
        )


def check_created_listed(snapshots: Sequence[etree._Element], snapshot_id_: str, description: str, dialect: Dialect) -> etree._Element:
    """SNAP-CRT-03 (first half): the new snapshot is listed, type regular, with the description."""
    requirement = "SNAP-CRT-03"
    found = next((s for s in snapshots if snapshot_id(s) == snapshot_id_), None)
    if found is None:
        raise RequirementFailure(
            requirement,
            f"{subject(snapshot_id_)} is not in the VM's list",
            received=f"ids {listing(snapshot_id(s) for s in snapshots)}",
            expected="the new snapshot listed",
        )
    kind = (found.findtext(dialect.type_element) or "").strip()
    if kind != "regular":
        raise RequirementFailure(
            requirement,
            f"{subject(snapshot_id_)} is not a regular snapshot",
            received=show(found.findtext(dialect.type_element)),
            expected=f"<{dialect.type_element}>regular</{dialect.type_element}>",
        )
    if found.findtext("description") != description:
        raise RequirementFailure(
            requirement, f"{subject(snapshot_id_)} is listed with another description", received=show(found.findtext("description")), expected=show(description)
        )
    return found


def check_status_sequence(snapshot_id_: str, statuses: Sequence[str | None]) -> None:
    """SNAP-CRT-03 (second half): the statuses seen go locked → ok, with no other value."""
    requirement = "SNAP-CRT-03"
    seen = list(statuses)
    odd = [s for s in seen if s not in ("locked", "ok")]
    if odd:
        raise RequirementFailure(
            requirement,
            f"{subject(snapshot_id_)} showed a status other than locked and ok",
            received=f"statuses in order: {listing(str(s) for s in seen)}",
            expected="locked (while being made), then ok",
        )
    if not seen or seen[-1] != "ok":
        raise RequirementFailure(
            requirement,
            f"{subject(snapshot_id_)} did not become ok",
            received=f"statuses in order: {listing(str(s) for s in seen)}",
            expected="ok within the timeout",
        )
    first_ok = seen.index("ok")
    if "locked" in seen[first_ok:]:
        raise RequirementFailure(
            requirement,
            f"{subject(snapshot_id_)} went back from ok to locked",
            received=f"statuses in order: {listing(str(s) for s in seen)}",
            expected="locked, then ok for good",
        )


def check_date_in_window(snapshot: etree._Element, start: datetime, end: datetime, skew: float) -> None:
    """SNAP-CRT-04: the new snapshot's date lies in the request window, give or take ``skew`` seconds."""
    requirement = "SNAP-CRT-04"
    text = snapshot.findtext("date")
    if text is None or not is_xs_datetime(text):
        raise RequirementFailure(requirement, f"{subject(snapshot_id(snapshot))} has no usable date", received=show(text), expected="an xs:dateTime")
    value = parse_xs_datetime(text)
    low, high = start - timedelta(seconds=skew), end + timedelta(seconds=skew)
    if not low <= value <= high:
        raise RequirementFailure(
            requirement,
            f"{subject(snapshot_id(snapshot))} is dated outside the time it was created",
            received=f"{text} ({value.isoformat()})",
            expected=f"between {start.isoformat()} and {end.isoformat()}, ±{skew:g} s",
        )


def check_memory_state(snapshot: etree._Element, expected: bool, why: str) -> None:
    """SNAP-CRT-06: ``persist_memorystate`` reports what was asked (false for a down VM)."""
    requirement = "SNAP-CRT-06"
    text = snapshot.findtext("persist_memorystate")
    if text is None or not is_xs_boolean(text) or parse_xs_boolean(text) is not expected:
        raise RequirementFailure(
            requirement,
            f"{subject(snapshot_id(snapshot))}: persist_memorystate does not match {why}",
            received=show(text),
            expected="true" if expected else "false",
        )


def check_nothing_created(before: Iterable[str], after: Iterable[str], requirement: str, what: str) -> None:
    """A refused request left the VM's snapshots as they were (SNAP-CRT-07, SNAP-CRT-08)."""
    new = sorted(set(after) - set(before))
    if new:
        raise RequirementFailure(
            requirement, f"{what} created a snapshot all the same", received=f"new snapshot ids {listing(new)}", expected="no new snapshot"
        )


def check_put_405(answer: HTTPAnswer) -> None:
    """SNAP-PUT-02 (SHOULD): 405 with an ``Allow`` header that does not list PUT."""
    requirement = "SNAP-PUT-02"
    check_answer_status(answer, requirement, (405,), "PUT on a snapshot")
    allow = header(answer, "Allow")
    methods = {m.strip().upper() for m in (allow or "").split(",") if m.strip()}
    if not methods or "PUT" in methods:
        raise RequirementFailure(
            requirement,
            "the 405 answer's Allow header is missing or lists PUT",
            received=show(allow),
            expected="Allow with the snapshot's methods (e.g. GET, DELETE), without PUT",
        )


def compared_fields(snapshot: etree._Element, dialect: Dialect) -> dict[str, str | None]:
    """The values that identify a snapshot's state, for before/after comparisons (SNAP-PUT-03)."""
    values: dict[str, str | None] = {name: snapshot.findtext(name) for name in _FIELDS}
    values[dialect.type_element] = snapshot.findtext(dialect.type_element)
    return values


def check_unchanged_snapshot(before: etree._Element, after: etree._Element, dialect: Dialect, requirement: str, what: str) -> None:
    """``after`` shows the snapshot exactly as ``before`` did (SNAP-PUT-03)."""
    old, new = compared_fields(before, dialect), compared_fields(after, dialect)
    changed = [name for name in old if old[name] != new[name]]
    if changed:
        raise RequirementFailure(
            requirement,
            f"{subject(snapshot_id(before))} changed after {what}",
            received="; ".join(f"{name}: {show(new[name])}" for name in changed),
            expected="; ".join(f"{name}: {show(old[name])}" for name in changed),
        )


def check_action_complete(answer: HTTPAnswer, requirement: str, what: str, dialect: Dialect) -> None:
    """A 200 ``action`` whose status is complete, or a 202 one still under way (pending,
    in_progress) or complete — never failed, never carrying a fault (SNAP-RST-01,
    SNAP-RST-08, SNAP-QSC-01, SNAP-PRV-01..03)."""
    check_answer_status(answer, requirement, (200, 202), what)
    root = parse_xml_answer(answer, requirement)
    if root.tag != "action":
        raise RequirementFailure(requirement, f"{what}: the answer is not an action", received=f"<{root.tag}>", expected="an <action> document")
    status = dialect.status_text(root)
    allowed = ("complete",) if answer.status_code == 200 else ("complete", "pending", "in_progress")
    if status not in allowed or root.find("fault") is not None:
        raise RequirementFailure(
            requirement,
            f"{what}: the action {'failed' if status == 'failed' or root.find('fault') is not None else 'did not complete'}",
            received=f"{answer.status_code} with {_shown_status(root, dialect)}" + (" and a <fault>" if root.find("fault") is not None else ""),
            expected=" or ".join(_status_form(dialect, value) for value in allowed) + " without a fault",
        )


def check_unauthorized(answer: HTTPAnswer, secrets: Iterable[str], what: str) -> None:
    """SNAP-AUTH-01: 401, and none of the snapshot data (ids, descriptions) in the body."""
    requirement = "SNAP-AUTH-01"
    check_answer_status(answer, requirement, (401,), what)
    body = answer.content.decode("utf-8", errors="replace")
    leaked = [s for s in secrets if s and s in body]
    if leaked or "<snapshot" in body or '"snapshot"' in body:
        raise RequirementFailure(
            requirement,
            f"{what}: the 401 answer reveals snapshot data",
            received=f"the body holds {listing(leaked) if leaked else 'snapshot elements'}",
            expected="no snapshot data without valid credentials",
        )
