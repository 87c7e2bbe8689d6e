"""Hook implementations of the conformance plugin (the ``pytest11`` entry point).

The plugin is loaded in every pytest session where the package is installed, so it stays
inert until a run is a conformance run: ``--engine-url`` is given, or collected tests carry
the ``requirement`` marker. Then :class:`ConformanceRun` gathers every test's outcome and
HTTP exchanges, judges the requirements, writes the reports and sets the exit status.
"""

from __future__ import annotations

import contextlib
import json
import signal
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
from lxml import etree

from conformance.catalogue import load_catalogue
from conformance.checks import RequirementFailure
from conformance.client.deadlines import Deadlines, RunTimeout
from conformance.client.engine import EngineError
from conformance.client.recorder import Recorder
from conformance.client.waiting import WaitTimeout, observe_waits
from conformance.plugin.gate import RunEnd
from conformance.plugin.options import RUN_CONFIG_KEY, RunConfig, UsageError, add_options, build_run_config
from conformance.plugin.outcomes import NotApplicable
from conformance.plugin.state import RunState, install_interrupt_handlers
from conformance.reports import (
    EXIT_COULD_NOT_RUN,
    EXIT_INTERRUPTED,
    CreatedResource,
    EngineInfo,
    Evaluation,
    Exchange,
    RunRecord,
    evaluate,
    exit_code,
    failure_lines,
    redact_text,
    render_exchanges,
    render_summary,
    write_junit,
    write_results_json,
)
from conformance.reports.waivers import apply_waivers, verdict_label, waiver_lines
from conformance.safexml import UnsafeOrMalformedXML

__all__ = ["RUN_KEY", "ConformanceRun"]

MARKER = "requirement"
RUN_KEY = pytest.StashKey["ConformanceRun"]()
_SEEN_KEY = pytest.StashKey[set[int]]()

#: What an engine's answer can raise in a conformance test besides a
#: :class:`RequirementFailure`: an engine call that did not work, a transport error or
#: timeout, a wait that expired, a body that is not XML, JSON or UTF-8. Such a failure
#: blames every requirement the test names. Any other exception is a bug of the suite:
#: it blames nothing and is reported apart (a check must turn whatever an engine answers
#: into a RequirementFailure).
ENGINE_ERRORS: tuple[type[BaseException], ...] = (
    EngineError,
    httpx.HTTPError,
    WaitTimeout,
    UnsafeOrMalformedXML,
    etree.LxmlError,
    json.JSONDecodeError,
    UnicodeDecodeError,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


@pytest.hookimpl(tryfirst=True)  # before pytest-html reads --html
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(*ids): the catalogue requirements (SNAP-...) a conformance test checks")
    run = ConformanceRun(config)
    config.stash[RUN_KEY] = run
    config.pluginmanager.register(run, "conformance-run")
    config.pluginmanager.register(RunEnd(run), "conformance-run-end")
    if config.getoption("engine_url") or config.getoption("recorded"):
        run.activate()
        if config.getoption("htmlpath", None) is None and not hasattr(config, "workerinput"):
            config.option.htmlpath = str(run.config.report_dir / "report.html")
            config.option.self_contained_html = True


def requirement_ids(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for marker in item.iter_markers(MARKER):
        ids.extend(str(arg) for arg in marker.args)
    return tuple(dict.fromkeys(ids))


def _payload(report: pytest.TestReport) -> dict[str, Any] | None:
    """What :meth:`ConformanceRun.pytest_runtest_makereport` attached to a report."""
    for name, value in report.user_properties:
        if name == "conformance" and isinstance(value, dict):
            return value
    return None


def _redact_report(report: pytest.TestReport, secrets: tuple[str, ...]) -> None:
    """Keep credentials out of tracebacks and captured output (terminal, HTML, JUnit)."""
    if report.longrepr is not None:
        if isinstance(report.longrepr, tuple):
            path, line, reason = report.longrepr
            report.longrepr = (path, line, redact_text(reason, secrets))
        else:
            text = report.longreprtext
            cleaned = redact_text(text, secrets)
            if cleaned != text:
                report.longrepr = cleaned
    report.sections = [(title, redact_text(content, secrets)) for title, content in report.sections]


class ConformanceRun:
    """The state and hooks of one conformance run (one object per pytest config)."""

    def __init__(self, config: pytest.Config) -> None:
        self._pytest_config = config
        self._run_config: RunConfig | None = None
        self.state: RunState | None = None
        self.evaluation: Evaluation | None = None
        self._old_handlers: dict[int, Any] = {}

    # -- activation -------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.state is not None

    @property
    def config(self) -> RunConfig:
        assert self._run_config is not None, "the conformance run is not active"
        return self._run_config

    def activate(self) -> None:
        if self.active:
            return
        try:
            self._run_config = build_run_config(self._pytest_config)
        except UsageError as error:
            raise pytest.UsageError(f"snapshot-conformance: {error}") from None
        self._pytest_config.stash[RUN_CONFIG_KEY] = self._run_config
        timeouts = self._run_config.timeouts
        self.state = RunState(recorder=Recorder(self._run_config.secrets), deadlines=Deadlines(timeouts.answer, timeouts.run))
        self._old_handlers = install_interrupt_handlers(self.state)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The password and whatever credential the run learnt since (an SSO token)."""
        assert self.state is not None
        return self.state.recorder.secrets

    def abort(self, reason: str) -> NoReturn:
        """The run cannot go on (engine unreachable, auth, no VM): exit 3 with ``reason``."""
        assert self.state is not None
        self.state.aborted = reason
        pytest.exit(f"could not run: {reason}", returncode=EXIT_COULD_NOT_RUN)
        raise AssertionError("unreachable")  # pytest.exit raises

    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
        marked = [item for item in items if requirement_ids(item)]
        if not marked:
            return
        self.activate()
        catalogue = load_catalogue()
        unknown = sorted({rid for item in marked for rid in requirement_ids(item) if rid not in catalogue})
        if unknown:
            raise pytest.UsageError(f"conformance tests name requirements that are not in the catalogue: {', '.join(unknown)}")
        # a test of requirements that only the other dialect has (SNAP-ALLC-06 is v4) does not run
        version = self.config.api_version
        foreign = [item for item in marked if not any(catalogue[rid].applies_to(version) for rid in requirement_ids(item))]
        selected = self.config.selected
        unselected = [] if selected is None else [item for item in marked if not selected.intersection(requirement_ids(item))]
        dropped = {id(item) for item in (*foreign, *unselected)}
        if dropped:
            config.hook.pytest_deselected(items=[item for item in items if id(item) in dropped])
            items[:] = [item for item in items if id(item) not in dropped]

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """The header: what is checked, as whom, on which VM, with which deadline (before the
        first dot, so a slow engine's run is never silent about what it is doing)."""
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if self.state is None or reporter is None or hasattr(session.config, "workerinput"):
            return
        for line in header_lines(self.config):
            reporter.write_line(redact_text(line, self.secrets))
        observe_waits(self._report_wait, now=time.monotonic())

    def _report_wait(self, what: str, elapsed: float, timeout: float) -> None:
        """A wait under way, on its own line (the test's output capture set aside for it)."""
        reporter = self._pytest_config.pluginmanager.get_plugin("terminalreporter")
        capture = self._pytest_config.pluginmanager.get_plugin("capturemanager")
        if reporter is None:
            return
        line = redact_text(f"  waiting for {what}: {elapsed:.0f} s of {timeout:g} s", self.secrets)
        with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
            reporter.write_line(line)

    # -- per test ---------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        if self.state is None:
            return
        _redact_report(report, self.secrets)
        ids = requirement_ids(item)
        if not ids:
            return
        error = call.excinfo.value if call.excinfo is not None else None
        blamed: list[str] = []
        message = ""
        suite_error = False
        if report.failed:
            if isinstance(error, RequirementFailure):
                blamed, message = [error.requirement], str(error)
            elif error is not None and not isinstance(error, ENGINE_ERRORS):
                # a bug of the suite: never the engine's fault, so it blames nothing
                suite_error = True
                message = f"error of the suite: {type(error).__name__}: {error}"
            else:
                blamed = list(ids)
                message = f"{type(error).__name__}: {error}" if error is not None else report.longreprtext[-2000:]
        elif report.skipped and error is not None:
            message = str(getattr(error, "msg", error))
        exchanges = self._evidence(item, self.state.recorder.drain())
        doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
        payload = {
            "requirements": list(ids),
            "docstring": " ".join(doc.split()),
            "dialect": self.config.api_version,
            "blamed": blamed,
            "message": message,
            "not_applicable": isinstance(error, NotApplicable),
            "suite_error": suite_error,
            "exchanges": [e.to_dict() for e in exchanges],
        }
        report.user_properties.append(("conformance", payload))
        if report.failed and exchanges:
            from pytest_html import extras

            block = extras.html(render_exchanges(exchanges, secrets=self.secrets))
            report.extras = [*getattr(report, "extras", []), block]  # type: ignore[attr-defined]

    @staticmethod
    def _evidence(item: pytest.Item, fresh: tuple[Exchange, ...]) -> tuple[Exchange, ...]:
        """This phase's exchanges plus those of shared phases (fixture values carrying
        ``exchanges``) the test judges, each exchange once per test."""
        seen = item.stash.setdefault(_SEEN_KEY, set())
        shared: list[Exchange] = []
        for value in getattr(item, "funcargs", {}).values():
            kept = getattr(value, "exchanges", None)
            if isinstance(kept, tuple):
                shared.extend(e for e in kept if isinstance(e, Exchange))
        result = [e for e in (*shared, *fresh) if id(e) not in seen]
        seen.update(id(e) for e in result)
        return tuple(result)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.state is None:
            return
        payload = _payload(report)
        if payload is None:
            return
        self.state.accumulator(report.nodeid).add_phase(payload, report.when, report.outcome, report.duration)

    # -- pytest-xdist: workers hand their engine fingerprint and ledger to the controller --
    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", {}).get("conformance")
        if not output or self.state is None:
            return
        data = json.loads(output)
        if data["engine"] and self.state.engine is None:
            self.state.engine = EngineInfo.from_dict(data["engine"])
        self.state.created_resources.extend(CreatedResource.from_dict(r) for r in data["created"])
        self.state.teardown_problems.extend(data.get("teardown_problems", ()))
        self.state.aborted = self.state.aborted or data["aborted"]
        self.state.interrupted = self.state.interrupted or data.get("interrupted")

    # -- the end ------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.state is None:
            return
        # session fixtures (the ledger's teardown) end before any report is written: after an
        # interrupt pytest would tear them down only after this hook
        self.state.tearing_down = True
        self.state.deadlines.expire_run()
        with contextlib.suppress(Exception):  # the ledger reports its own problems
            session._setupstate.teardown_exact(None)
        observe_waits(None)
        if exitstatus == pytest.ExitCode.INTERRUPTED and self.state.interrupted is None:
            self.state.interrupted = "SIGINT"
        self.state.finishing = True  # from here on the outcome is fixed: reports, then exit
        config = session.config
        if hasattr(config, "workerinput"):
            config.workeroutput["conformance"] = json.dumps(  # type: ignore[attr-defined]
                {
                    "engine": None if self.state.engine is None else self.state.engine.to_dict(),
                    "created": [r.to_dict() for r in self.state.created_resources],
                    "teardown_problems": self.state.teardown_problems,
                    "aborted": self.state.aborted,
                    "interrupted": self.state.interrupted,
                }
            )
            return
        if not self.state.tests and self.state.aborted is None and self.state.interrupted is None:
            # -k, -m or the xdist workers' collections left nothing: never a silent "incomplete"
            self.state.aborted = f"the selection ({_selection_words(config)}) matches no test of the v{self.config.api_version} suite"
        run = self.run_record()
        waivers = self.config.waivers
        self.evaluation = apply_waivers(evaluate(load_catalogue(), run), waivers, run.engine)
        report_dir = self.config.report_dir
        report_dir.mkdir(parents=True, exist_ok=True)
        secrets = self.secrets
        write_results_json(report_dir / "results.json", self.evaluation, run, secrets=secrets)
        write_junit(report_dir / "junit.xml", self.evaluation, run, secrets=secrets)
        if exitstatus in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
            session.exitstatus = EXIT_COULD_NOT_RUN
        elif run.interrupted:
            session.exitstatus = EXIT_INTERRUPTED
        else:
            session.exitstatus = exit_code(self.evaluation, run)

    def run_record(self) -> RunRecord:
        assert self.state is not None
        engine = self.state.engine or EngineInfo(url=self.config.engine_url, api_version=self.config.api_version, product=None, version=None)
        return RunRecord(
            engine=engine,
            started=self.state.started,
            finished=datetime.now(UTC),
            tests=tuple(acc.record() for acc in self.state.tests.values()),
            created_resources=tuple(self.state.created_resources),
            read_only=self.config.read_only,
            aborted=self.state.aborted,
            teardown_problems=tuple(self.state.teardown_problems),
            interrupted=self.state.interrupted is not None,
            selection=None if self.config.selected is None else tuple(sorted(self.config.selected)),
        )

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session) -> None:
        if self.state is not None and self.evaluation is not None:
            prefix.append(render_summary(self.evaluation, self.run_record(), secrets=self.secrets))

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report: Any) -> None:
        if self.state is not None:
            report.title = f"snapshot-conformance: {self.config.engine_url} (v{self.config.api_version})"

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        if self.state is not None:
            cells.insert(2, "<th>Requirements</th>")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        if self.state is None:
            return
        from html import escape

        payload = _payload(report)
        ids = ", ".join(payload["requirements"]) if payload else ""
        doc = payload["docstring"] if payload else ""
        # pytest-html writes the test id unescaped; a parameter id must never become markup
        cells[1] = f'<td class="col-testId">{escape(report.nodeid + ("" if report.when == "call" else "::" + report.when))}</td>'
        cells.insert(2, f'<td class="col-requirements" title="{escape(doc)}">{escape(ids)}</td>')

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """The summary says "interrupted by SIGINT" in one line: pytest's own report of the
        KeyboardInterrupt (the file and line where it landed) is left out. A run that could not
        run (exit 3: pytest prints no summary then) ends in its one sentence, without pytest's
        ``! _pytest.outcomes.Exit: … !`` around it."""
        if self.state is None:
            return
        reporter = self._pytest_config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None or not hasattr(reporter, "_report_keyboardinterrupt"):
            return
        if isinstance(excinfo.value, pytest.exit.Exception):
            reason = self.state.aborted
            if reason is not None:
                line = redact_text(f"snapshot-conformance: could not run: {reason}", self.secrets)
                reporter._report_keyboardinterrupt = lambda: reporter.write_line(line, red=True, bold=True)
            return
        if isinstance(excinfo.value, RunTimeout) and self.state.interrupted is None:
            self.state.interrupted = "--run-timeout"
        reporter._report_keyboardinterrupt = lambda: None

    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
        if self.state is None or self.evaluation is None:
            return

        def write(line: str) -> None:  # whatever an engine answered may echo a secret
            terminalreporter.write_line(redact_text(line, self.secrets))

        counts = ", ".join(f"{n} {status}" for status, n in self.evaluation.summary.items() if n)
        waived = self.evaluation.summary.get("waived", 0)
        verdict = "could not run" if self.state.aborted else verdict_label(self.evaluation.verdict.value, waived)
        terminalreporter.write_sep("=", f"snapshot-conformance verdict: {verdict} ({counts})", bold=True)
        record = self.run_record()
        engine = record.engine
        if engine.product or engine.version:
            write(f"engine: {engine.product or 'unknown product'} {engine.version or ''} (API v{engine.api_version})".rstrip())
        for line in waiver_lines(self.evaluation, engine):
            write(line)
        if self.state.aborted:
            write(f"could not run: {self.state.aborted}")
        if self.state.interrupted:
            write(f"interrupted by {self.state.interrupted}: the statuses are partial (exit status {EXIT_INTERRUPTED})")
        for line in failure_lines(self.evaluation):
            write(line)
        for test in record.suite_errors:
            write(f"ERROR OF THE SUITE (blames nothing; please report it): {test.nodeid}: {test.message}")
        for problem in record.teardown_problems:
            write(f"TEARDOWN: {problem}")
        left = [r for r in self.state.created_resources if not r.removed]
        for resource in left:
            write(f"NOT REMOVED: {resource.kind} {resource.href} ({resource.error})")
        write(f"reports: {Path(self.config.report_dir).resolve()}")
        if config.get_verbosity() < 0:
            # quiet (the command line's default): pytest's count of tests ("105 failed") under
            # the verdict's count of requirements reads as a contradiction; say what it is
            stats = terminalreporter.stats
            ran = len({report.nodeid for key in ("passed", "failed", "skipped", "error") for report in stats.get(key, []) if hasattr(report, "nodeid")})
            took = (datetime.now(UTC) - self.state.started).total_seconds()
            line = f"{ran} test{'' if ran == 1 else 's'} ran in {took:.1f} s (pytest's count; the verdict above counts requirements)"
            terminalreporter.summary_stats = lambda: write(line)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._restore_handlers()  # after every report (pytest-html's, the gate's) is written

    def _restore_handlers(self) -> None:
        observe_waits(None)
        for signum, handler in self._old_handlers.items():
            signal.signal(signum, handler)
        self._old_handlers = {}


def _selection_words(config: pytest.Config) -> str:
    """The options that chose the tests, as the user wrote them."""
    words = [f"-k {config.option.keyword}"] if config.option.keyword else []
    words += [f"-m {config.option.markexpr}"] if config.option.markexpr else []
    words += [f"--requirement {pattern}" for pattern in config.getoption("requirement_patterns") or ()]
    words += [f"--group {group}" for group in config.getoption("requirement_groups") or ()]
    return ", ".join(words) or "no options"


def header_lines(config: RunConfig) -> list[str]:
    """What a run checks, before it starts."""
    if config.recorded:
        return [f"snapshot-conformance: judging recorded traffic offline (API v{config.api_version}): {', '.join(config.recorded)}"]
    if config.read_only:
        vm = "read-only: existing VMs only, nothing is created"
    elif config.vm_name:
        vm = f"the disposable VM {config.vm_name!r} (--vm), put back at the end"
    else:
        vm = f"its own VM conformance-{config.run_id} (cluster {config.cluster}, template {config.template}), removed at the end"
    timeouts = config.timeouts
    lines = [
        f"snapshot-conformance: checking {config.engine_url} (API v{config.api_version}) as {config.username}",
        f"  on {vm}; waits up to {timeouts.snapshot:g} s (power changes {timeouts.vm:g} s), one answer up to {timeouts.answer:g} s",
    ]
    if config.selected is not None:
        lines.append(f"  only {len(config.selected)} requirements (--requirement, --group): {', '.join(sorted(config.selected))}")
    return lines
