"""``snapshot-conformance selfcheck``: prove that the suite can fail.

Runs the whole suite against the reference engine once per fault and per variant, prints
the matrix (fault -> expected IDs -> blamed IDs -> verdict) and a summary line, and exits
non-zero when a fault was missed or mis-blamed, a variant raised a false alarm, or a run
could not be judged.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

__all__ = ["add_parser", "run"]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_COULD_NOT_RUN = 3


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "selfcheck",
        help="calibration: run the suite against every fault and variant of the reference engine",
        description=(
            "Run the conformance suite against the reference engine with each named fault and variant, "
            "print the matrix fault -> expected IDs -> blamed IDs -> verdict, and exit 1 on any miss, "
            "mis-blame or false alarm. See `serve --list-faults` for the names."
        ),
    )
    parser.add_argument("--fault", action="append", default=[], metavar="NAME", help="run only this fault (repeatable)")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME", help="run only this variant (repeatable)")
    parser.add_argument(
        "--api-version",
        choices=("3", "4", "both"),
        default="both",
        help="the dialect(s) the suite checks: each case runs in each one it works in (default: both)",
    )
    parser.add_argument("-j", "--jobs", type=int, default=_cpus(), metavar="N", help="runs at a time (default: the number of CPUs)")
    parser.add_argument("--json", metavar="FILE", help="also write the matrix as JSON")
    parser.add_argument("--markdown", metavar="FILE", help="also write the matrix as Markdown (docs/calibration.md)")
    parser.add_argument("--timeout", type=float, default=3.0, metavar="SECONDS", help="the suite's deadline of one wait (default: 3)")
    parser.add_argument("--keep", metavar="DIR", help="keep every run's reports in DIR (default: a temporary directory, removed)")


def run(args: argparse.Namespace) -> int:
    from conformance.calibration import RunOptions, calibrate, matrix_document, render_markdown, render_text, select_cases
    from conformance.catalogue import load_catalogue

    try:
        cases = select_cases(args.fault, args.variant, ("3", "4") if args.api_version == "both" else (args.api_version,))
    except ValueError as error:
        _error(str(error))
        return EXIT_COULD_NOT_RUN
    if args.jobs < 1 or args.timeout <= 0:
        _error("-j must be at least 1 and --timeout positive")
        return EXIT_COULD_NOT_RUN
    work_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="snapshot-conformance-selfcheck-"))
    if not cases:
        _error(f"none of the cases named works in API version {args.api_version}")
        return EXIT_COULD_NOT_RUN
    faults = sum(1 for case in cases if case.kind == "fault")
    print(
        f"snapshot-conformance selfcheck: {faults} fault runs, {len(cases) - faults} variant runs (a case once per dialect it works in), {args.jobs} at a time",
        flush=True,
    )
    finished = 0

    def progress(outcome: object) -> None:
        nonlocal finished
        finished += 1
        name = getattr(getattr(outcome, "case", None), "name", "?")
        dialect = getattr(outcome, "dialect", "?")
        print(f"  [{finished}/{len(cases)}] {name} v{dialect} ({getattr(outcome, 'seconds', 0.0):.1f} s)", file=sys.stderr, flush=True)

    try:
        matrix = calibrate(cases, RunOptions(work_dir=work_dir, workers=args.jobs, timeout=args.timeout), progress)
    finally:
        if not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
    print(render_text(matrix), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(matrix_document(matrix), indent=2) + "\n")
    if args.markdown:
        Path(args.markdown).write_text(render_markdown(matrix, load_catalogue()))
    return EXIT_OK if matrix.ok else EXIT_PROBLEMS


def _error(message: str) -> None:
    print(f"snapshot-conformance selfcheck: {message}", file=sys.stderr, flush=True)
