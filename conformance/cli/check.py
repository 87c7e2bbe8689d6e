"""``snapshot-conformance check``: judge recorded traffic (HAR, VCR) offline.

The same checks, catalogue, verdict and report files as ``run``; a requirement no
recorded exchange can judge is *not tested*. For operators who may not write to a
production engine: capture its traffic (a browser's or mitmproxy's HAR, a VCR cassette),
check it here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from conformance.cli._pytest import base_pytest_args, exit_status, suite_started

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "check",
        help="judge recorded traffic (HAR files, VCR cassettes) offline, with the suite's checks",
        description=(
            "Judge recorded HTTP traffic of an engine offline: HAR files (browsers, mitmproxy, schemathesis) and VCR "
            "cassettes (YAML). Writes the same report files as `run`; requirements no recorded exchange can judge are "
            "not tested, so the verdict is often `incomplete` (exit 2). Exchanges of the other dialect are left out."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="recording files, or directories holding *.har, *.yaml, *.yml, *.json")
    parser.add_argument("--api-version", choices=["3", "4"], default="3", help="the dialect judged (default: 3); exchanges of the other one are left out")
    parser.add_argument("--report-dir", default="reports", metavar="DIR", help="where the reports go (default: reports/)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also pytest's tracebacks and FAILED lines")


def run(args: argparse.Namespace) -> int:
    report_dir = Path(args.report_dir)
    argv = [*base_pytest_args("conformance.offline", report_dir, verbose=args.verbose), "--api-version", args.api_version]
    for path in args.paths:
        argv += ["--recorded", str(path)]
    suite_started()
    return exit_status(int(pytest.main(argv)))
