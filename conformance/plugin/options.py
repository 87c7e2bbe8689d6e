"""Command-line options of the suite and the one frozen run configuration built from them."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conformance.dialect import Dialect, dialect_for

__all__ = ["RUN_CONFIG_KEY", "RunConfig", "Timeouts", "UsageError", "add_options", "build_run_config"]

DEFAULT_USERNAME = "admin@internal"
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

    @classmethod
    def from_base(cls, base: float) -> Timeouts:
        return cls(http=min(base, 60.0), snapshot=base, vm=base * 2.5, delete=base)


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
        return tuple(s for s in (self.password,) if s)


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
    group.addoption("--sample-vms", type=int, default=3, metavar="N", help="existing VMs to check read-only besides the suite's own (default: 3)")
    group.addoption("--clock-skew", type=float, default=120.0, metavar="SECONDS", help="tolerated clock difference between engine and suite (default: 120)")


def build_run_config(config: pytest.Config, *, environ: dict[str, str] | None = None) -> RunConfig:
    """Read the options (and the OVIRT_* environment defaults) into a :class:`RunConfig`."""
    env = dict(os.environ) if environ is None else environ
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
    sample = int(config.getoption("sample_vms"))
    if sample < 0:
        raise UsageError("--sample-vms must not be negative")
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
        timeouts=Timeouts.from_base(timeout),
        sample_size=sample,
        clock_skew=float(config.getoption("clock_skew")),
        run_id=secrets.token_hex(4),
    )
