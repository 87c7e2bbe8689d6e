"""``snapshot-conformance run``: the suite against an engine URL, or the embedded engine."""

from __future__ import annotations

import argparse
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conformance.catalogue import GROUPS
from conformance.cli._finish import check_gate_options, finish
from conformance.cli._pytest import EXIT_COULD_NOT_RUN, EXIT_INTERRUPTED, base_pytest_args, exit_status, suite_started

__all__ = ["add_parser", "combined_exit_code", "pytest_args", "run"]

#: Environment variable through which the embedded engine's password reaches the suite
#: (a password never travels on a command line).
EMBEDDED_PASSWORD_ENV = "SNAPSHOT_CONFORMANCE_EMBEDDED_PASSWORD"  # noqa: S105 - a variable name


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "run",
        help="run the conformance suite (against the embedded reference engine when no URL is given)",
        description=(
            "Check an engine's VM snapshot API against the requirement catalogue: the suite creates its own VM and "
            "snapshots (or uses --vm), removes everything it created, and writes report.html, results.json and junit.xml. "
            "Exit 0 conformant, 1 not conformant, 2 incomplete, 3 could not run, 130 interrupted. The password comes "
            "from an environment variable (--password-env), never the command line."
        ),
    )
    parser.add_argument(
        "--engine-url", default=os.environ.get("OVIRT_URL"), help="API root of the engine under test (default: $OVIRT_URL; none: the embedded reference engine)"
    )
    parser.add_argument(
        "--api-version",
        choices=["3", "4", "both"],
        default="3",
        help="dialect to check (default: 3); both: one run per dialect, reports in DIR/v3 and DIR/v4, one results.json and index.html in DIR",
    )
    parser.add_argument("--username", default=None, help="the user (default: $OVIRT_USERNAME or admin@internal)")
    parser.add_argument("--password-env", default="OVIRT_PASSWORD", metavar="VAR", help="environment variable holding the password (default: OVIRT_PASSWORD)")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--ca-file", default=None, metavar="PEM", help="PEM file of the CA that signed the engine's certificate (default: $OVIRT_CA_FILE)")
    tls.add_argument("--insecure", action="store_true", help="do not verify the engine's TLS certificate")
    parser.add_argument("--vm", metavar="NAME", help="a disposable VM for the suite's own snapshots (default: the suite creates its own VM)")
    parser.add_argument("--cluster", default="Default", help="cluster of the suite's own VM (default: Default)")
    parser.add_argument("--template", default="Blank", help="template of the suite's own VM (default: Blank)")
    parser.add_argument("--read-only", action="store_true", help="only GET checks on existing VMs and snapshots")
    parser.add_argument("--sample-vms", type=int, default=3, metavar="N", help="existing VMs the read checks also look at (default: 3)")
    parser.add_argument("--report-dir", default="reports", metavar="DIR", help="where the reports and the ledger go (default: reports/)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="deadline of one wait (default: 120; 10 against the embedded engine)")
    parser.add_argument(
        "--answer-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="deadline of one whole answer, however slowly it drips (default: twice one read's)",
    )
    parser.add_argument(
        "--run-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="deadline of the whole run: then it tears down, writes its reports and exits 130 (default: 4 h)",
    )
    parser.add_argument(
        "--requirement",
        action="append",
        metavar="ID",
        help="only the tests of this requirement (repeatable; globs such as 'SNAP-RST-*'); the rest is not tested, so the verdict is at best incomplete",
    )
    parser.add_argument("--group", action="append", metavar="GROUP", help=f"only the tests of this group's requirements (repeatable: {', '.join(GROUPS)})")
    parser.add_argument("-k", dest="keyword", metavar="EXPR", help="only tests matching the pytest expression; one that matches nothing is an error (exit 3)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also pytest's tracebacks and FAILED lines (the summary names each failed requirement)")
    parser.add_argument("-n", dest="workers", metavar="WORKERS", help="parallel workers (pytest-xdist)")
    parser.add_argument("--waivers", metavar="FILE", help="YAML list of accepted failures: a waived failure does not fail the verdict")
    parser.add_argument("--baseline", metavar="FILE", help="results.json or bundle of the last accepted run: exit 1 only on a regression (diff.md, diff.html)")
    parser.add_argument("--bundle", metavar="FILE.zip", help="also write a certification bundle (reports, catalogue, options, SHA-256 manifest)")


def pytest_args(args: argparse.Namespace, *, engine_url: str, password_env: str, api_version: str, report_dir: Path) -> list[str]:
    """The pytest command line of a run (the suite is an ordinary pytest plugin)."""
    argv = [
        *base_pytest_args("conformance.suite", report_dir, verbose=args.verbose),
        "--engine-url", engine_url,
        "--api-version", api_version,
        "--password-env", password_env,
        "--cluster", args.cluster,
        "--template", args.template,
        "--sample-vms", str(args.sample_vms),
    ]  # fmt: skip
    if args.username:
        argv += ["--username", args.username]
    if args.ca_file:
        argv += ["--ca-file", args.ca_file]
    if args.insecure:
        argv.append("--insecure")
    if args.vm:
        argv += ["--vm", args.vm]
    if args.read_only:
        argv.append("--read-only")
    if args.timeout is not None:
        argv += ["--timeout", str(args.timeout)]
    if args.answer_timeout is not None:
        argv += ["--answer-timeout", str(args.answer_timeout)]
    if args.run_timeout is not None:
        argv += ["--run-timeout", str(args.run_timeout)]
    for pattern in args.requirement or ():
        argv += ["--requirement", pattern]
    for group in args.group or ():
        argv += ["--group", group]
    if args.keyword:
        argv += ["-k", args.keyword]
    if args.workers:
        argv += ["-n", args.workers]
    if getattr(args, "waivers", None):
        argv += ["--waivers", args.waivers]
    return argv


def run(args: argparse.Namespace) -> int:
    versions = ["3", "4"] if args.api_version == "both" else [args.api_version]
    report_root = Path(args.report_dir)
    started = datetime.now(UTC)
    refused = check_gate_options(args)
    if refused is not None:
        return refused

    def one_run(url: str, password_env: str, version: str) -> int:
        report_dir = report_root / f"v{version}" if len(versions) > 1 else report_root
        if len(versions) > 1:
            print(f"snapshot-conformance: checking the v{version} dialect; reports in {report_dir}")
        suite_started()
        return exit_status(int(pytest.main(pytest_args(args, engine_url=url, password_env=password_env, api_version=version, report_dir=report_dir))))

    def each_dialect(url: str, password_env: str) -> list[int]:
        codes: list[int] = []
        for version in versions:
            codes.append(one_run(url, password_env, version))
            if codes[-1] == EXIT_INTERRUPTED:
                break  # an interrupt ends the whole command, not one dialect
        return codes

    if args.engine_url:
        codes = each_dialect(args.engine_url, args.password_env)
    else:
        if args.timeout is None:
            args.timeout = 10.0
        with _embedded_engine() as url:
            print(f"snapshot-conformance: no --engine-url given; checking the embedded reference engine at {url}")
            codes = each_dialect(url, EMBEDDED_PASSWORD_ENV)
    # --baseline and --bundle apply to the whole command (both dialects), so the CLI does them
    return finish(args, versions=versions, report_root=report_root, code=combined_exit_code(codes), started=started)


def combined_exit_code(codes: list[int]) -> int:
    """The exit status of several runs: the worst of them (130, then 3, then 1, then 2, then 0)."""
    for worst in (EXIT_INTERRUPTED, EXIT_COULD_NOT_RUN, 1, 2):
        if worst in codes:
            return worst
    return 0


@contextmanager
def _embedded_engine() -> Iterator[str]:
    """The reference engine on a free loopback port; it serves both dialects (``Version``)."""
    from conformance.engine import EngineSettings, start_engine

    password = secrets.token_urlsafe(16)
    os.environ[EMBEDDED_PASSWORD_ENV] = password
    try:
        with start_engine(EngineSettings(password=password)) as handle:
            yield handle.url
    finally:
        os.environ.pop(EMBEDDED_PASSWORD_ENV, None)
