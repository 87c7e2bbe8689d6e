"""Running the suite once per case, ``workers`` runs at a time, each in its own process.

A worker process runs one case and exits, so no state leaks from one run into the next.
Workers are forked from a server process that has already imported everything
(``_preload``), which keeps a run's cost to its tests. A run that overstays its deadline
is killed and reported as hung, never waited for.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from conformance.calibration._child import OUTCOME_FILE, CaseJob, run_job
from conformance.engine import Injectable

__all__ = ["Case", "Outcome", "RunOptions", "run_cases"]

_PRELOAD = "conformance.calibration._preload"


@dataclass(frozen=True)
class RunOptions:
    """How the runs are made."""

    work_dir: Path
    #: runs at a time
    workers: int = 2
    #: the suite's --timeout (seconds one wait may take); a fault that makes the suite wait
    #: costs this much, and the slowest variant must fit in it with room to spare
    timeout: float = 3.0
    #: existing VMs the read checks also look at (the seeded state's, besides the suite's own)
    sample_vms: int = 1
    #: a run that takes longer is killed and reported as hung
    deadline: float = 240.0


@dataclass(frozen=True)
class Case:
    """One run of the matrix: a fault or variant, in one dialect."""

    injectable: Injectable
    #: "3" or "4"
    dialect: str

    @property
    def name(self) -> str:
        return self.injectable.name

    @property
    def kind(self) -> str:
        return self.injectable.kind

    @property
    def key(self) -> tuple[str, str]:
        return self.injectable.name, self.dialect


@dataclass(frozen=True)
class Outcome:
    """What one run of the suite against one case gave."""

    case: Injectable
    #: the run's exit status (None when it did not finish)
    exit_code: int | None
    #: results.json's verdict (None when there is none)
    verdict: str | None
    #: requirement ID -> status, from results.json
    statuses: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: every ID a test blamed
    blamed: tuple[str, ...] = ()
    #: 5xx answers the engine's injection layer gave during the run
    server_errors: int = 0
    #: unexpected exceptions the engine logged
    engine_errors: tuple[str, ...] = ()
    seconds: float = 0.0
    #: why the run could not be judged (hung, crashed, no results), None when it could
    problem: str | None = None
    report_dir: str = ""
    #: the dialect the run checked
    dialect: str = "3"


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: workers are forked from a clean, single-threaded server (safe whatever
    # threads the caller runs, e.g. engines in a pytest session), preloaded once.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([_PRELOAD])
        _start_forkserver()
        return context
    return multiprocessing.get_context("spawn")


def _start_forkserver() -> None:
    """Start the server with Python's safe path: it runs ``python -c`` and imports the preload
    before it takes the caller's ``sys.path`` (3.11 ignores it), so the working directory
    would come first, and from a source checkout ``conformance`` would be the source tree
    (without its packaged data: ``No module named 'conformance.fixtures'``), not the package
    the caller runs."""
    before = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        if before is None:
            os.environ.pop("PYTHONSAFEPATH", None)
        else:
            os.environ["PYTHONSAFEPATH"] = before


def _read(case: Injectable, job: CaseJob, seconds: float, problem: str | None) -> Outcome:
    report_dir = Path(job.report_dir)
    outcome: dict[str, Any] = {}
    results: dict[str, Any] = {}
    try:
        outcome = json.loads((report_dir / OUTCOME_FILE).read_text())
    except (OSError, ValueError):
        problem = problem or "the worker wrote no outcome (it crashed)"
    try:
        results = json.loads((report_dir / "results.json").read_text())
    except (OSError, ValueError):
        problem = problem or outcome.get("problem") or "the run wrote no results.json"
    problem = problem or outcome.get("problem")
    if results.get("aborted"):
        problem = problem or f"the run could not run: {results['aborted']}"
    left = [r.get("href", "?") for r in results.get("created_resources", []) if not r.get("removed")]
    if left and not case.keeps_resources:  # whatever the engine does, the suite leaves nothing behind
        problem = problem or f"the run left {len(left)} of its resources on the engine: {', '.join(left[:3])}"
    if case.keeps_resources and not left:
        problem = problem or "the engine refuses every removal, yet the run lists nothing as left behind"
    shown = {rid for test in results.get("tests", []) if test.get("exchange_ids") for rid in test.get("blamed", [])}
    bare = [r["id"] for r in results.get("requirements", []) if r.get("status") == "failed" and r["id"] not in shown]
    if bare:  # every failure carries its evidence (results.json, junit.xml and report.html share it)
        problem = problem or f"the run failed {', '.join(bare[:3])} without an HTTP exchange as evidence"
    blamed = sorted({rid for test in results.get("tests", []) for rid in test.get("blamed", [])})
    return Outcome(
        case=case,
        exit_code=outcome.get("exit_code"),
        verdict=results.get("verdict"),
        statuses=MappingProxyType({r["id"]: r["status"] for r in results.get("requirements", [])}),
        blamed=tuple(blamed),
        server_errors=int(outcome.get("server_errors", 0)),
        engine_errors=tuple(outcome.get("engine_errors", ())),
        seconds=float(outcome.get("seconds", seconds)),
        problem=problem,
        report_dir=str(report_dir),
        dialect=job.dialect,
    )


def run_cases(cases: Sequence[Case], options: RunOptions, progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run the suite against every case; the outcomes in the order of ``cases``."""
    context = _context()
    pending = list(cases)
    running: dict[int, tuple[Case, CaseJob, Any, float]] = {}
    done: dict[tuple[str, str], Outcome] = {}
    workers = max(1, options.workers)
    while pending or running:
        while pending and len(running) < workers:
            case = pending.pop(0)
            report_dir = options.work_dir / f"v{case.dialect}" / case.kind / case.name
            job = CaseJob(case.name, case.kind, str(report_dir), options.timeout, options.sample_vms, case.dialect, case.injectable.version_prefix)
            sys.stdout.flush()  # a forked buffer would be written twice
            sys.stderr.flush()
            process = context.Process(target=run_job, args=(job,), name=f"selfcheck-{case.name}-v{case.dialect}")  # type: ignore[attr-defined]
            process.start()
            running[process.sentinel] = (case, job, process, time.monotonic())
        multiprocessing.connection.wait(list(running), timeout=0.5)
        now = time.monotonic()
        for sentinel, (case, job, process, started) in list(running.items()):
            problem = None
            if process.is_alive():
                if now - started <= options.deadline:
                    continue
                process.kill()
                problem = f"hung: killed after {options.deadline:g} s"
            process.join()
            del running[sentinel]
            outcome = _read(case.injectable, job, now - started, problem)
            done[case.key] = outcome
            if progress is not None:
                progress(outcome)
    return [done[case.key] for case in cases]
