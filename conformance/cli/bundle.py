"""``snapshot-conformance bundle DIR -o FILE.zip``: pack a report directory as a certification bundle.

The directory must be one a run wrote (``results.json``, ``invocation.json``); the bundle
holds its files, the catalogue and a SHA-256 manifest (``conformance.reports.bundle``).
Exits 0, or 3 when the directory cannot be bundled.
"""

from __future__ import annotations

import argparse
import sys

from conformance.reports.bundle import BundleError, write_bundle

__all__ = ["add_parser", "run"]

EXIT_COULD_NOT_BUNDLE = 3


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "bundle",
        help="pack a report directory into a certification bundle (zip with a SHA-256 manifest)",
        description="Pack the reports of a run, the catalogue used, the options and a SHA-256 manifest into one zip.",
    )
    parser.add_argument("report_dir", metavar="DIR", help="the report directory of a run (default of run: reports/)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.zip", help="the bundle to write")


def run(args: argparse.Namespace) -> int:
    if not args.output.endswith(".zip"):
        print(f"snapshot-conformance bundle: the bundle must be a .zip file, got {args.output!r}", file=sys.stderr)
        return EXIT_COULD_NOT_BUNDLE
    try:
        path = write_bundle(args.report_dir, args.output)
    except (BundleError, OSError) as error:
        print(f"snapshot-conformance bundle: {error}", file=sys.stderr)
        return EXIT_COULD_NOT_BUNDLE
    print(f"bundle: {path} (snapshot-conformance verify {path} checks it)")
    return 0
