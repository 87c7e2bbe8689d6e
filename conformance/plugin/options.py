"""Command-line options of the suite and the one frozen run configuration built from them."""

from __future__ import annotations

import fnmatch
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conformance.catalogue import GROUPS, load_catalogue
from conformance.dialect import Dialect, dialect_for
from conformance.reports.reading import ResultsError, load_results
from conformance.reports.waivers import WaiverError, WaiverFile, load_waivers

__all__ = ["RUN_CONFIG_KEY", "RunConfig", "Timeouts", "UsageError", "add_options", "build_run_config", "gate_options", "select_requirements"]

DEFAULT_USERNAME = "admin@internal"
#: the whole run's deadline: generous (a real engine's full run takes minutes)
DEFAULT_RUN_TIMEOUT = 4 * 3600.0
DEFAULT_PASSWORD_ENV = "OVIRT_PASSWORD"  # noqa: S105 - a variable name


class UsageError(ValueError):
    """The options do not describe a run that can start; ``str()`` is one clear sentence."""


@dataclass(frozen=True)
class Timeouts:
    """Deadlines in seconds, per kind of operation (``--timeout`` scales them all)."""

    http: float = 30.0
    snapshot: float = 120.0
    vm: float = 300.0
    delete: float = 120.0
    #: one whole answer (headers and body), however slowly it drips in
    answer: float = 60.0
    #: the whole run (``--run-timeout``); None: unbounded
    run: float | None = None

    @classmethod
    def from_base(cls, base: float, *, answer: float | None = None, run: float | None = None) -> Timeouts:
        http = min(base, 60.0)
        return cls(http=http, snapshot=base, vm=base * 2.5, delete=base, answer=answer if answer is not None else 2 * http, run=run)


@dataclass(frozen=True)
class RunConfig:
    """Everything a conformance run needs to know; built once in ``pytest_configure``."""

    engine_url: str
    api_version: str
    username: str
    password: str = field(repr=False)
    ca_file: str | None
    insecure: bool
    vm_name: str | None
    cluster: str
    template: str
    read_only: bool
    report_dir: Path
    timeouts: Timeouts
    sample_size: int
    clock_skew: float
    run_id: str
    #: files of recorded traffic judged offline (``snapshot-conformance check``); then no
    #: engine is reached and ``engine_url`` only names the recordings
    recorded: tuple[str, ...] = ()
    #: ``--waivers``: accepted failures (applied where the plugin evaluates)
    waivers: WaiverFile | None = None
    #: ``--baseline``: the results the run must be no worse than (the exit status follows the gate)
    baseline: Path | None = None
    #: ``--bundle``: the certification bundle written at the end
    bundle: Path | None = None
    #: ``--requirement`` / ``--group``: the requirement IDs whose tests run; None: all
    selected: frozenset[str] | None = None

    @property
    def dialect(self) -> Dialect:
        return dialect_for(self.api_version)

    @property
    def api_path(self) -> str:
        """The path part of the API root (``/ovirt-engine/api``); hrefs start with it."""
        from urllib.parse import urlsplit

        return urlsplit(self.engine_url).path.rstrip("/")

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never appear in a report."""
        # user:password is what a Basic credential encodes: an echoed header is caught in base64 too
        return tuple(s for s in (self.password, f"{self.username}:{self.password}" if self.password else "") if s)


RUN_CONFIG_KEY = pytest.StashKey[RunConfig]()


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("snapshot-conformance", "oVirt snapshot API conformance")
    group.addoption("--engine-url", help="API root of the engine under test, e.g. https://engine.example/ovirt-engine/api (default: $OVIRT_URL)")
    group.addoption("--api-version", default="3", choices=["3", "4"], help="API dialect to check (default: 3)")
    group.addoption("--username", help=f"user name (default: $OVIRT_USERNAME or {DEFAULT_USERNAME})")
    group.addoption("--password-env", default=DEFAULT_PASSWORD_ENV, metavar="VAR", help="environment variable holding the password (default: OVIRT_PASSWORD)")
    group.addoption("--ca-file", help="PEM file of the CA that signed the engine's certificate (default: $OVIRT_CA_FILE)")
    group.addoption("--insecure", action="store_true", default=False, help="do not verify the engine's TLS certificate")
    group.addoption(
        "--vm",
        dest="conformance_vm",
        metavar="NAME",
        help="a disposable VM on which the suite creates, deletes and restores only its own snapshots (default: the suite creates its own VM)",
    )
    group.addoption("--cluster", default="Default", help="cluster of the suite's own VM (default: Default)")
    group.addoption("--template", default="Blank", help="template of the suite's own VM (default: Blank)")
    group.addoption("--read-only", action="store_true", default=False, help="only GET checks on existing VMs and snapshots; create nothing")
    group.addoption("--report-dir", default="reports", help="directory for report.html, results.json and junit.xml (default: reports/)")
    group.addoption(
        "--timeout",
        dest="conformance_timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="deadline for one wait (snapshot unlock, deletion); VM waits get 2.5 times as long (default: 120)",
    )
    group.addoption(
        "--answer-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="deadline of one whole answer, headers and body, however slowly it drips (default: twice one read's, at most 120)",
    )
    group.addoption(
        "--run-timeout",
        type=float,
        default=DEFAULT_RUN_TIMEOUT,
        metavar="SECONDS",
        help=f"deadline of the whole run: past it the run is interrupted, tears down and writes its reports (exit 130; default: {DEFAULT_RUN_TIMEOUT:g})",
    )
    group.addoption("--sample-vms", type=int, default=3, metavar="N", help="existing VMs to check read-only besides the suite's own (default: 3)")
    group.addoption(
        "--recorded",
        action="append",
        default=[],
        metavar="PATH",
        help="judge this recorded traffic (HAR or VCR) offline instead of an engine (repeatable; the conformance.offline tests)",
    )
    group.addoption("--clock-skew", type=float, default=120.0, metavar="SECONDS", help="tolerated clock difference between engine and suite (default: 120)")
    group.addoption("--waivers", metavar="FILE", help="YAML list of accepted failures (requirement, reason, owner, link, expires, engine_version)")
    group.addoption(
        "--baseline",
        metavar="FILE",
        help="results.json or bundle of an accepted earlier run: exit 1 only when a requirement is worse than there (writes diff.md, diff.html)",
    )
    group.addoption("--bundle", metavar="FILE.zip", help="also write a certification bundle: the reports, catalogue and options with a SHA-256 manifest")
    group.addoption(
        "--requirement",
        action="append",
        dest="requirement_patterns",
        metavar="ID",
        help="only the tests of this requirement (repeatable; globs such as SNAP-RST-*; the rest is not tested)",
    )
    group.addoption(
        "--group",
        action="append",
        dest="requirement_groups",
        metavar="GROUP",
        help=f"only the tests of this group's requirements (repeatable; one of {', '.join(GROUPS)})",
    )


def build_run_config(config: pytest.Config, *, environ: dict[str, str] | None = None) -> RunConfig:
    """Read the options (and the OVIRT_* environment defaults) into a :class:`RunConfig`."""
    env = dict(os.environ) if environ is None else environ
    recorded = tuple(config.getoption("recorded") or ())
    selected = select_requirements(config.getoption("requirement_patterns"), config.getoption("requirement_groups"), config.getoption("api_version"))
    if recorded:
        return _offline_config(config, recorded, selected)
    engine_url = config.getoption("engine_url") or env.get("OVIRT_URL")
    if not engine_url:
        raise UsageError("no engine URL: pass --engine-url or set OVIRT_URL")
    if not engine_url.startswith(("http://", "https://")):
        raise UsageError(f"the engine URL must start with http:// or https://, got {engine_url!r}")
    password_env = config.getoption("password_env")
    password = env.get(password_env, "")
    if not password:
        raise UsageError(f"no password: set the environment variable {password_env}")
    ca_file = config.getoption("ca_file") or env.get("OVIRT_CA_FILE")
    insecure = bool(config.getoption("insecure"))
    if ca_file and insecure:
        raise UsageError("--ca-file and --insecure exclude each other")
    if ca_file and not Path(ca_file).is_file():
        raise UsageError(f"the CA file {ca_file!r} does not exist")
    timeout = float(config.getoption("conformance_timeout"))
    if timeout <= 0:
        raise UsageError("--timeout must be positive")
    answer, run_timeout = config.getoption("answer_timeout"), float(config.getoption("run_timeout"))
    if (answer is not None and answer <= 0) or run_timeout <= 0:
        raise UsageError("--answer-timeout and --run-timeout must be positive")
    sample = int(config.getoption("sample_vms"))
    if sample < 0:
        raise UsageError("--sample-vms must not be negative")
    waivers, baseline, bundle = gate_options(config.getoption("waivers"), config.getoption("baseline"), config.getoption("bundle"))
    return RunConfig(
        engine_url=engine_url.rstrip("/"),
        api_version=config.getoption("api_version"),
        username=config.getoption("username") or env.get("OVIRT_USERNAME") or DEFAULT_USERNAME,
        password=password,
        ca_file=ca_file,
        insecure=insecure,
        vm_name=config.getoption("conformance_vm"),
        cluster=config.getoption("cluster"),
        template=config.getoption("template"),
        read_only=bool(config.getoption("read_only")),
        report_dir=Path(config.getoption("report_dir")),
        timeouts=Timeouts.from_base(timeout, answer=answer, run=run_timeout),
        sample_size=sample,
        clock_skew=float(config.getoption("clock_skew")),
        run_id=secrets.token_hex(4),
        waivers=waivers,
        baseline=baseline,
        bundle=bundle,
        selected=selected,
    )


def _offline_config(config: pytest.Config, recorded: tuple[str, ...], selected: frozenset[str] | None) -> RunConfig:
    """A run over recorded traffic: no engine, no credentials, nothing created."""
    missing = [path for path in recorded if not Path(path).exists()]
    if missing:
        raise UsageError(f"no such recording: {', '.join(missing)}")
    return RunConfig(
        engine_url="recorded traffic: " + ", ".join(recorded),
        api_version=config.getoption("api_version"),
        username="",
        password="",
        ca_file=None,
        insecure=False,
        vm_name=None,
        cluster="",
        template="",
        read_only=True,
        report_dir=Path(config.getoption("report_dir")),
        timeouts=Timeouts(),
        sample_size=0,
        clock_skew=float(config.getoption("clock_skew")),
        run_id=secrets.token_hex(4),
        recorded=recorded,
        selected=selected,
    )


def select_requirements(patterns: list[str] | None, groups: list[str] | None, api_version: str) -> frozenset[str] | None:
    """The requirement IDs ``--requirement`` (globs, any case) and ``--group`` name among those
    of the dialect (their union); None when neither is given. A pattern or group that names
    none is refused: a selection that runs nothing must never pass for a run."""
    if not patterns and not groups:
        return None
    ids = [requirement.id for requirement in load_catalogue() if requirement.applies_to(api_version)]
    selected: set[str] = set()
    for pattern in patterns or ():
        matched = fnmatch.filter(ids, pattern.strip().upper())
        if not matched:
            raise UsageError(f"--requirement {pattern} matches no requirement of the v{api_version} catalogue (see: snapshot-conformance requirements)")
        selected.update(matched)
    for name in groups or ():
        group = name.strip().upper()
        if group not in GROUPS:
            raise UsageError(f"--group {name} is not a group of the catalogue; expected one of {', '.join(GROUPS)}")
        members = [rid for rid in ids if rid.startswith(f"SNAP-{group}-")]
        if not members:
            raise UsageError(f"--group {name} has no requirement of the v{api_version} catalogue")
        selected.update(members)
    return frozenset(selected)


def gate_options(waivers: str | None, baseline: str | None, bundle: str | None) -> tuple[WaiverFile | None, Path | None, Path | None]:
    """Check ``--waivers``, ``--baseline`` and ``--bundle`` before anything runs (one sentence
    per problem, naming the file and, for waivers, the line)."""
    loaded = None
    if waivers:
        try:
            loaded = load_waivers(waivers, load_catalogue())
        except WaiverError as error:
            raise UsageError(f"the waiver file is not usable:\n{error}") from None
    if baseline:
        try:
            load_results(baseline)
        except ResultsError as error:
            raise UsageError(f"the baseline is not usable: {error}") from None
    if bundle and not bundle.endswith(".zip"):
        raise UsageError(f"--bundle must name a .zip file, got {bundle!r}")
    return loaded, Path(baseline) if baseline else None, Path(bundle) if bundle else None
