"""The ``snapshot-conformance`` command: ``run``, ``check``, ``serve``, ``requirements``, ``selfcheck``,
``cleanup`` (what earlier runs left), and for the results of runs ``diff``, ``merge``, ``bundle``, ``verify``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from conformance import __version__
from conformance.cli import bundle, check, cleanup, diff, merge, requirements, run, selfcheck, serve, verify
from conformance.cli._pytest import EXIT_INTERRUPTED, install_process_signals

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="snapshot-conformance",
        description="Conformance suite for the oVirt engine's VM snapshot REST API, with an embedded reference engine.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run.add_parser(subparsers)
    serve.add_parser(subparsers)
    check.add_parser(subparsers)
    requirements.add_parser(subparsers)
    selfcheck.add_parser(subparsers)
    diff.add_parser(subparsers)
    merge.add_parser(subparsers)
    bundle.add_parser(subparsers)
    verify.add_parser(subparsers)
    cleanup.add_parser(subparsers)
    # no abbreviations: "--password secret" must be an error, never "--password-env secret"
    parser.allow_abbrev = False
    for subparser in subparsers.choices.values():
        subparser.allow_abbrev = False
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as error:  # argparse exits 2 on bad arguments; the contract says 3
        return 0 if error.code == 0 else 3
    handler = {
        "run": run.run,
        "serve": serve.run,
        "requirements": requirements.run,
        "selfcheck": selfcheck.run,
        "diff": diff.run,
        "merge": merge.run,
        "bundle": bundle.run,
        "verify": verify.run,
        "check": check.run,
        "cleanup": cleanup.run,
    }[args.command]
    if argv is None:  # the process's own command line: the console script, python -m conformance
        install_process_signals()
    try:
        return handler(args)
    except KeyboardInterrupt as interrupt:
        print(f"snapshot-conformance: interrupted ({interrupt or 'SIGINT'})", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
