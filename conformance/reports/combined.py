"""One result for ``run --api-version both``: the dialects' ``results.json`` folded into one.

The combined document keeps the contract's keys, so a reader that knows one dialect's
``results.json`` reads it too: ``verdict`` is the worse of the dialects' (could not run,
then not conformant, then incomplete, then conformant), ``engine.api_version`` is
``"both"``, and each requirement's ``status`` is its worse status over the dialects that
have it (``dialects`` gives each: ``{"3": "passed", "4": "failed"}``). ``runs`` holds
each dialect's verdict, summary, requirements and waivers, with the paths of its reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from conformance.reports.diff import status_rank
from conformance.reports.verdict import STATUSES

__all__ = ["VERDICT_ORDER", "combine_results", "worst_verdict"]

#: verdicts from worst to best; a verdict this version does not know ranks after could_not_run
VERDICT_ORDER = ("could_not_run", "not_conformant", "incomplete", "conformant")


def worst_verdict(verdicts: Sequence[str]) -> str:
    def badness(verdict: str) -> int:
        return VERDICT_ORDER.index(verdict) if verdict in VERDICT_ORDER else 0

    return min(verdicts, key=badness)


def combine_results(parts: Sequence[tuple[str, Mapping[str, Any]]], *, exit_code: int) -> dict[str, Any]:
    """Fold ``(subdirectory, results document)`` pairs, one per dialect, into one document."""
    if not parts:
        raise ValueError("combine_results needs at least one dialect's results")
    documents = [document for _, document in parts]
    first = documents[0]
    engines = [document.get("engine") or {} for document in documents]
    requirements = _requirements(parts)
    summary: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for requirement in requirements:
        summary[requirement["status"]] = summary.get(requirement["status"], 0) + 1
    combined: dict[str, Any] = {
        "verdict": worst_verdict([str(document.get("verdict")) for document in documents]),
        "engine": {
            "url": engines[0].get("url"),
            "api_version": "both",
            "product": next((engine.get("product") for engine in engines if engine.get("product")), None),
            "version": next((engine.get("version") for engine in engines if engine.get("version")), None),
        },
        "requirements": requirements,
        "summary": summary,
        "created_resources": [resource for document in documents for resource in document.get("created_resources") or []],
        "started": min(str(document.get("started")) for document in documents),
        "finished": max(str(document.get("finished")) for document in documents),
        "exit_code": exit_code,
        "read_only": any(bool(document.get("read_only")) for document in documents),
        "aborted": next((document.get("aborted") for document in documents if document.get("aborted")), None),
        "tool": first.get("tool"),
        "catalogue": first.get("catalogue"),
        "waivers": [
            {**waiver, "api_version": _api_version(document)}
            for document in documents
            for waiver in document.get("waivers") or []
            if isinstance(waiver, Mapping)
        ],
        "runs": [_run(directory, document) for directory, document in parts],
    }
    if any("interrupted" in document for document in documents):
        combined["interrupted"] = any(bool(document.get("interrupted")) for document in documents)
    return combined


def _api_version(document: Mapping[str, Any]) -> str:
    return str((document.get("engine") or {}).get("api_version"))


def _run(directory: str, document: Mapping[str, Any]) -> dict[str, Any]:
    prefix = f"{directory}/" if directory else ""
    run = {
        "api_version": _api_version(document),
        "verdict": document.get("verdict"),
        "exit_code": document.get("exit_code"),
        "summary": document.get("summary"),
        "engine": document.get("engine"),
        "started": document.get("started"),
        "finished": document.get("finished"),
        "aborted": document.get("aborted"),
        "requirements": document.get("requirements") or [],
        "waivers": document.get("waivers") or [],
        "results": prefix + "results.json",
        "report": prefix + "report.html",
        "junit": prefix + "junit.xml",
    }
    if "interrupted" in document:
        run["interrupted"] = document.get("interrupted")
    return run


def _badness(status: str) -> tuple[int, int]:
    # among statuses of one rank, an unaccepted failure shows before a waived one
    return status_rank(status), {"failed": 2, "warning": 1}.get(status, 0)


def _requirements(parts: Sequence[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for _, document in parts:
        version = _api_version(document)
        for item in document.get("requirements") or []:
            if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
                continue
            status = str(item.get("status"))
            entry = merged.get(item["id"])
            if entry is None:
                entry = merged[item["id"]] = {
                    "id": item["id"],
                    "level": item.get("level"),
                    "status": status,
                    "tests": [],
                    "message": item.get("message") or "",
                    "title": item.get("title"),
                    "group": item.get("group"),
                    "dialects": {},
                }
            elif _badness(status) > _badness(entry["status"]):
                entry["status"] = status
                entry["message"] = item.get("message") or ""
            entry["dialects"][version] = status
            entry["tests"].extend(f"v{version}: {nodeid}" for nodeid in item.get("tests") or [])
    return list(merged.values())
