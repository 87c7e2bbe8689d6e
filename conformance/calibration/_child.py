"""One calibration run, inside a worker process: an engine with one fault or variant, the
whole suite against it, and what happened written to ``outcome.json``.

The workers are forked from a server process that imported this module once, so pytest,
its plugins, the suite and the engine are loaded (and the XSD compiled) before any run:
a run pays for its tests, not for its imports. Each worker runs one case and exits.
"""

from __future__ import annotations

import gc
import importlib
import importlib.metadata
import json
import logging
import os
import pkgutil
import secrets
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
from lxml import etree

import conformance.suite
from conformance import checks
from conformance.catalogue import load_catalogue
from conformance.dialect import dialect_for
from conformance.engine import EngineSettings, start_engine

__all__ = ["CaseJob", "run_job", "warm_up"]

PASSWORD_ENV = "SNAPSHOT_CONFORMANCE_SELFCHECK_PASSWORD"  # noqa: S105 - a variable name
OUTCOME_FILE = "outcome.json"
LOG_FILE = "pytest.log"
_LOCK_SECONDS = 0.02


@dataclass(frozen=True)
class CaseJob:
    """What a worker needs to run one case (plain data: it crosses a process boundary)."""

    name: str
    kind: str  # "fault" | "variant"
    report_dir: str
    #: the suite's --timeout: the deadline of one wait
    timeout: float
    sample_vms: int
    #: the dialect the suite checks (--api-version): "3" or "4"
    dialect: str = "3"
    #: point the suite at the API root with the version in its path (/ovirt-engine/api/v4)
    version_prefix: bool = False


class _Collector(logging.Handler):
    """Counts what the engine logs: injected 5xx answers and unexpected errors."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.server_errors = 0
        self.engine_errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "conformance.engine.injection":
            self.server_errors += 1
        elif record.levelno >= logging.ERROR:
            self.engine_errors.append(f"{record.name}: {record.getMessage()}"[:300])


def warm_up() -> None:
    """Import (and read) what every run needs, once, in the process the workers fork from."""
    for entry_point in importlib.metadata.entry_points(group="pytest11"):
        try:
            entry_point.load()
        except Exception:  # noqa: S112 - a broken third-party plugin is pytest's to report, in the run
            continue
    for module in pkgutil.iter_modules(conformance.suite.__path__):
        if module.name == "conftest" or module.name.startswith("test_"):
            importlib.import_module(f"conformance.suite.{module.name}")
    for version in ("3", "4"):  # compiles each dialect's XSD once
        checks.check_schema(etree.fromstring(b"<snapshots/>"), dialect_for(version))
    load_catalogue()  # cached: the plugin and the verdict read it in every run
    # What was loaded lives as long as the workers: keep it out of their garbage collections.
    gc.collect()
    gc.freeze()


def _pytest_args(job: CaseJob, url: str) -> list[str]:
    suite_root = Path(conformance.suite.__file__).resolve().parent.parent.parent
    return [
        "--pyargs", "conformance.suite",
        "-c", os.devnull,  # no user configuration
        "--rootdir", str(suite_root),
        "-p", "no:cacheprovider",
        "-p", "no:html",  # the matrix needs results.json only
        # the modules were imported before pytest could rewrite their asserts (warm_up)
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        "--engine-url", url,
        "--insecure",  # plain HTTP on loopback: spares loading the CA bundle for every client
        "--api-version", job.dialect,
        "--username", EngineSettings().username,
        "--password-env", PASSWORD_ENV,
        "--report-dir", job.report_dir,
        "--timeout", str(job.timeout),
        "--sample-vms", str(job.sample_vms),
        "-q",
    ]  # fmt: skip


def run_job(job: CaseJob) -> None:
    """Run one case; write ``outcome.json`` (and the pytest output) into ``job.report_dir``."""
    report_dir = Path(job.report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    # The run's output goes to a file: a worker must not write over the matrix being printed.
    log = os.open(report_dir / LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    collector = _Collector()
    for name in ("conformance.engine", "uvicorn.error", "uvicorn"):
        logging.getLogger(name).addHandler(collector)
    started = time.monotonic()
    # The run is the suite's own business: no defaults from the caller's environment
    # (OVIRT_CA_FILE would clash with --insecure, PYTEST_ADDOPTS would change the run).
    for variable in ("OVIRT_URL", "OVIRT_USERNAME", "OVIRT_PASSWORD", "OVIRT_CA_FILE", "PYTEST_ADDOPTS", "PYTEST_PLUGINS"):
        os.environ.pop(variable, None)
    password = secrets.token_urlsafe(16)
    os.environ[PASSWORD_ENV] = password
    names = frozenset({job.name})
    settings = EngineSettings(
        password=password,
        # short but observable: a snapshot is locked, a VM powering up, for a moment
        snapshot_lock_seconds=_LOCK_SECONDS,
        vm_transition_seconds=_LOCK_SECONDS,
        faults=names if job.kind == "fault" else frozenset(),
        variants=names if job.kind == "variant" else frozenset(),
    )
    code: int | None = None
    problem: str | None = None
    try:
        with start_engine(settings) as engine:
            url = f"{engine.url}/v{job.dialect}" if job.version_prefix else engine.url
            code = int(pytest.main(_pytest_args(job, url)))
            if not engine.running:
                problem = "the engine stopped during the run"
    except Exception as error:  # reported in the matrix, never raised past the worker
        problem = f"{type(error).__name__}: {error}"
    outcome = {
        "exit_code": code,
        "problem": problem,
        "server_errors": collector.server_errors,
        "engine_errors": collector.engine_errors,
        "seconds": round(time.monotonic() - started, 2),
        "job": asdict(job),
    }
    (report_dir / OUTCOME_FILE).write_text(json.dumps(outcome, indent=2))
    sys.stdout.flush()
