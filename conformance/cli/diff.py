"""``snapshot-conformance diff OLD NEW``: what regressed, what was fixed, between two runs.

Reads ``results.json`` files (one dialect or ``--api-version both``) and certification
bundles (verified first). Prints the comparison, writes ``--html``/``--markdown``; exits 0
when nothing regressed, 1 on a regression, 3 when an input cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conformance.reports.diff import compare
from conformance.reports.gate import comparison_lines, write_diff
from conformance.reports.reading import ResultsError, load_results

__all__ = ["add_parser", "run"]

EXIT_UNREADABLE = 3


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "diff",
        help="compare two runs (results.json or bundles); exit 1 only on a regression",
        description=(
            "Compare two runs requirement by requirement: regressed, fixed, newly tested, unchanged. "
            "Exit 0: no regression; 1: a regression; 3: unreadable input."
        ),
    )
    parser.add_argument("old", metavar="OLD", help="results.json or bundle of the earlier (accepted) run")
    parser.add_argument("new", metavar="NEW", help="results.json or bundle of the later run")
    parser.add_argument("--html", metavar="FILE", help="write the diff as a self-contained HTML page")
    parser.add_argument("--markdown", metavar="FILE", help="write the diff as Markdown (a pull-request or ticket comment)")


def run(args: argparse.Namespace) -> int:
    try:
        old, new = load_results(args.old), load_results(args.new)
    except ResultsError as error:
        print(f"snapshot-conformance diff: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    comparison = compare(old, new)
    try:
        write_diff(comparison, markdown=Path(args.markdown) if args.markdown else None, html=Path(args.html) if args.html else None)
    except OSError as error:
        print(f"snapshot-conformance diff: cannot write the diff: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    for line in comparison_lines(comparison):
        print(line)
    return comparison.exit_code
