"""``results.json``: the machine-readable report (shape fixed by the product contract).

The contract's keys come first and in its order (``verdict`` is ``could_not_run`` when the
run stopped before it could judge, exit status 3); the extras follow (``exit_code``,
``read_only``, ``aborted``, ``interrupted``, ``selection`` (only when ``--requirement`` or
``--group`` narrowed the run), ``teardown_problems``, ``suite_errors``, ``tests``,
``engine_operations``, ``tool``, ``catalogue``, ``waivers``), and per requirement ``title``,
``group`` and ``follows_from`` (the failed prerequisites a failure follows from; empty for a
cause), and ``waiver`` when one accepted its failure (status ``waived``), per created
resource ``error``, and the evidence: every
test that failed or erred names its HTTP exchanges (``exchange_ids``), and ``exchanges``
lists each of them once, redacted, bodies cut to :data:`EVIDENCE_BODY_CHARS`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from conformance.catalogue import catalogue_sha256
from conformance.reports._common import TOOL_NAME, TOOL_VERSION, utc_iso, write_atomically
from conformance.reports.model import Exchange, RunRecord, TestRecord
from conformance.reports.operations import count_operations
from conformance.reports.redaction import redact_exchange, redact_text
from conformance.reports.verdict import STATUSES, Evaluation, exit_code, run_verdict

__all__ = ["EVIDENCE_BODY_CHARS", "evidence", "results_document", "write_results_json"]

#: a body in results.json or junit.xml keeps this many characters (report.html keeps all)
EVIDENCE_BODY_CHARS = 4000


def _cut(text: str) -> str:
    return text if len(text) <= EVIDENCE_BODY_CHARS else text[:EVIDENCE_BODY_CHARS] + f"... [{len(text) - EVIDENCE_BODY_CHARS} more characters]"


def evidence(test: TestRecord, secrets: tuple[str, ...]) -> tuple[Exchange, ...]:
    """The exchanges behind a failed or erred test, redacted and with bodies cut short; none otherwise."""
    if test.outcome not in ("failed", "error"):
        return ()
    return tuple(
        replace(redacted, request_body=_cut(redacted.request_body), response_body=_cut(redacted.response_body))
        for redacted in (redact_exchange(exchange, secrets) for exchange in test.exchanges)
    )


def results_document(evaluation: Evaluation, run: RunRecord, *, secrets: Iterable[str] = ()) -> dict[str, Any]:
    """The ``results.json`` document as a dictionary (ready for :func:`json.dumps`)."""
    kept = tuple(secrets)

    def clean(text: str) -> str:
        return redact_text(text, kept)

    def clean_optional(text: str | None) -> str | None:
        return None if text is None else clean(text)

    def clean_values(values: dict[str, Any]) -> dict[str, Any]:
        return {key: clean(value) if isinstance(value, str) else value for key, value in values.items()}

    listed: dict[str, dict[str, Any]] = {}
    exchange_ids: dict[str, list[str]] = {}
    for test in run.tests:
        for exchange in evidence(test, kept):
            key = exchange.exchange_id or f"unnamed-{len(listed)}"
            listed.setdefault(key, {**exchange.to_dict(), "exchange_id": key})
            exchange_ids.setdefault(test.nodeid, []).append(key)

    return {
        "verdict": run_verdict(evaluation, run),
        "engine": {
            "url": clean(run.engine.url),
            "api_version": run.engine.api_version,
            "product": clean_optional(run.engine.product),
            "version": clean_optional(run.engine.version),
        },
        "requirements": [
            {
                "id": result.requirement.id,
                "level": result.requirement.level.value,
                "status": result.status,
                "tests": [clean(nodeid) for nodeid in result.tests],
                "message": clean(result.message),
                "title": result.requirement.title,
                "group": result.requirement.group,
                "follows_from": list(result.follows_from),
                **({"waiver": clean_values(result.waiver.to_dict())} if result.waiver is not None else {}),
            }
            for result in evaluation.results
        ],
        "summary": {status: int(evaluation.summary.get(status, 0)) for status in STATUSES},
        "created_resources": [
            {
                "kind": resource.kind,
                "href": clean(resource.href),
                "removed": resource.removed,
                "error": clean_optional(resource.error),
            }
            for resource in run.created_resources
        ],
        "started": utc_iso(run.started),
        "finished": utc_iso(run.finished),
        "exit_code": exit_code(evaluation, run),
        "read_only": run.read_only,
        "aborted": clean_optional(run.aborted),
        "interrupted": run.interrupted,
        **({} if run.selection is None else {"selection": {"requirements": list(run.selection)}}),
        "teardown_problems": [clean(problem) for problem in run.teardown_problems],
        "suite_errors": [{"nodeid": clean(test.nodeid), "message": clean(test.message)} for test in run.suite_errors],
        "tests": [
            {
                "nodeid": clean(test.nodeid),
                "outcome": test.outcome,
                "requirement_ids": list(test.requirement_ids),
                "blamed": list(test.blamed),
                "not_applicable": test.not_applicable,
                "suite_error": test.suite_error,
                "duration": round(test.duration, 3),
                "message": clean(test.message),
                **({"exchange_ids": exchange_ids[test.nodeid]} if test.nodeid in exchange_ids else {}),
            }
            for test in run.tests
        ],
        "engine_operations": count_operations(run),
        "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
        # which catalogue judged the run: the catalogue ships with the tool, the digest tells edits apart
        "catalogue": {"version": TOOL_VERSION, "sha256": catalogue_sha256()},
        "waivers": [clean_values(use.to_dict()) for use in evaluation.waivers],
        "exchanges": list(listed.values()),
    }


def write_results_json(path: str | os.PathLike[str], evaluation: Evaluation, run: RunRecord, *, secrets: Iterable[str] = ()) -> Path:
    """Write ``results.json`` (UTF-8, indent 2, keys in a stable order); return its path."""
    document = results_document(evaluation, run, secrets=secrets)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return write_atomically(path, text.encode("utf-8"))
