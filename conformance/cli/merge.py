"""``snapshot-conformance merge RESULTS...``: the fleet matrix, engine by requirement.

Each input (``results.json`` or bundle) gives one column per dialect it checked. Writes
``--html`` (self-contained) and ``--json``; prints each column's verdict. Exits 0, or 3
when an input cannot be read or an output written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from conformance.reports._common import write_atomically
from conformance.reports.merge import merge
from conformance.reports.pages import render_matrix_html
from conformance.reports.reading import ResultsError, load_results

__all__ = ["add_parser", "run"]

EXIT_UNREADABLE = 3


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "merge",
        help="the fleet matrix of several runs (engine x requirement), as HTML and JSON",
        description="Put several runs (results.json or bundles) side by side: one column per engine and dialect, one row per requirement.",
    )
    parser.add_argument("inputs", nargs="+", metavar="RESULTS", help="results.json files or bundles")
    parser.add_argument("--html", metavar="FILE", help="write the matrix as a self-contained HTML page")
    parser.add_argument("--json", metavar="FILE", help="write the matrix as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        loaded = [load_results(path) for path in args.inputs]
    except ResultsError as error:
        print(f"snapshot-conformance merge: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    matrix = merge(loaded)
    try:
        if args.html:
            write_atomically(Path(args.html), render_matrix_html(matrix).encode("utf-8"))
        if args.json:
            text = json.dumps(matrix.to_dict(), indent=2, ensure_ascii=False) + "\n"
            write_atomically(Path(args.json), text.encode("utf-8"))
    except OSError as error:
        print(f"snapshot-conformance merge: cannot write the matrix: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    differing = sum(1 for row in matrix.rows if row.differs)
    print(f"{len(matrix.columns)} columns x {len(matrix.rows)} requirements; {differing} differ between the columns")
    for column in matrix.columns:
        print(f"  {column.label}: {column.product or 'unknown'} {column.version or ''} v{column.api_version} ({column.started}): {column.verdict_label}")
    for warning in matrix.warnings:
        print(f"WARNING: {warning}")
    return 0
