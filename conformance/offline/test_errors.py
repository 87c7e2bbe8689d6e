"""Recorded refusals: SNAP-ERR, SNAP-AUTH, SNAP-CRT-09, judged on every error the recordings hold."""

from __future__ import annotations

import re

import pytest

from conformance import checks
from conformance.offline._judging import Traffic, not_tested
from conformance.offline._traffic import Recorded

requirement = pytest.mark.requirement

#: the documented snapshot operations (and the VM actions on snapshots)
OPERATIONS = ("snapshots", "snapshot", "restore", "sub-collection", "vm-action")
_ENTITY_VALUE = re.compile(rb'<!ENTITY\s+[^\s%]+\s+"([^"]{3,})"')


def _json_asked(exchange: Recorded) -> bool:
    accept = exchange.request_header("Accept") or ""
    return "json" in accept.lower() and "xml" not in accept.lower()


@requirement("SNAP-ERR-01")
def test_error_answers_carry_faults(traffic: Traffic) -> None:
    """An engine MUST answer a 400 or 409 with a fault whose reason is not empty (a 404, 405 or 406 may have no body, but a body it has MUST be a fault)."""
    answers = [ex for ex in traffic.of(*OPERATIONS, methods=["GET", "POST", "PUT", "DELETE"]) if ex.status_code in (400, 404, 405, 406, 409)]

    def check(exchange: Recorded) -> None:
        what = f"{exchange.method} {exchange.route.kind}"
        if exchange.status_code in (400, 409):
            checks.check_fault_answer(exchange, "SNAP-ERR-01", (exchange.status_code,), what, traffic.dialect, json_expected=_json_asked(exchange))
        else:
            checks.check_empty_or_fault(exchange, "SNAP-ERR-01", (exchange.status_code,), what, traffic.dialect)

    traffic.judge(
        "SNAP-ERR-01", answers, check, exchanges_of=lambda ex: [ex], nothing="no 400, 404, 405, 406 or 409 answer to a snapshot operation was recorded"
    )


@requirement("SNAP-ERR-02")
def test_unknown_and_malformed_ids(traffic: Traffic) -> None:
    """An engine MUST answer 404 to an unknown snapshot id, 400 or 404 to a malformed one, and never 5xx."""
    refused = [ex for ex in traffic.of("snapshot") if ex.status_code >= 300 and ex.status_code not in (401, 403)]

    def check(exchange: Recorded) -> None:
        identifier = exchange.route.snapshot_id or ""
        what = f"GET of snapshot id {identifier[:40]!r}"
        checks.check_no_server_error(exchange, "SNAP-ERR-02", what)
        checks.check_answer_status(exchange, "SNAP-ERR-02", (404,) if checks.is_guid(identifier) else (400, 404), what)

    traffic.judge("SNAP-ERR-02", refused, check, exchanges_of=lambda ex: [ex], nothing="no GET of an unknown or malformed snapshot id was recorded")


@requirement("SNAP-ERR-03")
def test_no_server_errors(traffic: Traffic) -> None:
    """An engine MUST NOT answer any request to the snapshot operations with a 5xx."""
    answers = traffic.of(*OPERATIONS, methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"])
    traffic.judge(
        "SNAP-ERR-03",
        answers,
        lambda ex: checks.check_no_server_error(ex, "SNAP-ERR-03", f"{ex.method} {ex.route.kind}"),
        exchanges_of=lambda ex: [ex],
        nothing="no request to a snapshot operation was recorded",
    )


@requirement("SNAP-ERR-04")
def test_entities_never_expanded(traffic: Traffic) -> None:
    """An engine MUST refuse a body declaring entities with a 4xx, or else echo nothing of any entity's expansion."""
    declaring = [
        ex for ex in traffic.of(*OPERATIONS, methods=["POST", "PUT"]) if b"<!DOCTYPE" in (ex.request_body or b"") or b"<!ENTITY" in (ex.request_body or b"")
    ]

    def check(exchange: Recorded) -> None:
        if 400 <= exchange.status_code < 500:
            return
        echoed = [value.decode("utf-8", "replace") for value in _ENTITY_VALUE.findall(exchange.request_body or b"") if value in exchange.content]
        if echoed:
            raise checks.RequirementFailure(
                "SNAP-ERR-04", "the answer holds an entity's replacement text", received=f"{echoed[0]!r} in the answer", expected="no entity expanded"
            )
        if not 200 <= exchange.status_code < 300:
            raise checks.RequirementFailure(
                "SNAP-ERR-04", f"a body declaring entities answered {exchange.status_code}", received=f"status {exchange.status_code}", expected="a 4xx refusal"
            )

    traffic.judge("SNAP-ERR-04", declaring, check, exchanges_of=lambda ex: [ex], nothing="no request body declaring entities was recorded")


@requirement("SNAP-CRT-09")
def test_create_on_unknown_vm(traffic: Traffic) -> None:
    """An engine MUST answer 404 to a snapshot POST on a VM that does not exist."""
    known = {(ex.source, ex.route.vm_id) for ex in traffic.exchanges if ex.route.vm_id and ex.status_code == 200 and ex.method == "GET"}
    unknown = [
        ex
        for ex in traffic.of("snapshots", methods=["POST"])
        if (ex.source, ex.route.vm_id) not in known and 400 <= ex.status_code < 500 and ex.status_code not in (401, 403)
    ]
    if not unknown:
        not_tested("no snapshot POST on a VM the recording never showed was recorded")
    traffic.judge(
        "SNAP-CRT-09",
        unknown,
        lambda ex: checks.check_answer_status(ex, "SNAP-CRT-09", (404,), "a snapshot POST on an unknown VM"),
        exchanges_of=lambda ex: [ex],
        nothing="",
    )


@requirement("SNAP-AUTH-01")
def test_no_data_without_valid_credentials(traffic: Traffic) -> None:
    """An engine MUST answer 401 to a request without valid credentials and reveal no snapshot data."""
    # Only the 401s: a request recorded without Authorization proves nothing, recorders
    # strip credentials (VCR's filter_sensitive_data, HAR exports) as a matter of course.
    refused = [ex for ex in traffic.exchanges if ex.status_code == 401 and ex.route.kind != "other"]
    secrets: dict[str, set[str]] = {}
    for exchange, root in traffic.lists(all_content=None):
        for snapshot in root.findall("snapshot"):
            secrets.setdefault(exchange.source, set()).update(v for v in (snapshot.get("id"), snapshot.findtext("description")) if v and len(v) > 3)

    def check(exchange: Recorded) -> None:
        checks.check_unauthorized(exchange, sorted(secrets.get(exchange.source, set())), f"{exchange.method} {exchange.route.kind} without valid credentials")

    traffic.judge("SNAP-AUTH-01", refused, check, exchanges_of=lambda ex: [ex], nothing="no 401 answer was recorded")
