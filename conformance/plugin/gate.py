"""What a conformance run does after its reports: ``invocation.json``, the gate, the bundle.

:class:`RunEnd` wraps ``pytest_sessionfinish`` as its innermost wrapper, so its second half
runs after every report writer (pytest-html's ``report.html`` included) and before the
terminal summary: it writes ``invocation.json``, compares with ``--baseline`` (the exit
status then follows the gate, see :func:`conformance.reports.diff.gate_exit_code`) and packs
``--bundle``.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance.plugin.options import RunConfig
from conformance.reports.bundle import BundleError, write_bundle
from conformance.reports.diff import Comparison, gate_exit_code
from conformance.reports.gate import DIFF_HTML, DIFF_MARKDOWN, baseline_gate, comparison_lines
from conformance.reports.invocation import invocation_document, write_invocation
from conformance.reports.reading import ResultsError

if TYPE_CHECKING:
    from conformance.plugin.plugin import ConformanceRun

__all__ = ["RunEnd", "run_options"]

EXIT_COULD_NOT_RUN = 3
#: exit statuses after which there is nothing to gate or bundle: could not run, interrupted
NOT_GATED = (EXIT_COULD_NOT_RUN, 130)


def run_options(config: RunConfig, pytest_config: pytest.Config) -> dict[str, Any]:
    """The options a run resolved, as ``invocation.json`` records them (never the password)."""
    option = pytest_config.option
    return {
        "engine_url": config.engine_url,
        "api_version": config.api_version,
        "username": config.username,
        "password_env": pytest_config.getoption("password_env"),
        "ca_file": config.ca_file,
        "insecure": config.insecure,
        "vm": config.vm_name,
        "cluster": config.cluster,
        "template": config.template,
        "read_only": config.read_only,
        "report_dir": str(config.report_dir),
        "timeout": pytest_config.getoption("conformance_timeout"),
        "sample_vms": config.sample_size,
        "clock_skew": config.clock_skew,
        "keyword": getattr(option, "keyword", "") or None,
        "markexpr": getattr(option, "markexpr", "") or None,
        "workers": getattr(option, "numprocesses", None),
        "waivers": None if config.waivers is None else {"path": config.waivers.path, "sha256": config.waivers.sha256},
        "baseline": None if config.baseline is None else str(config.baseline),
        "bundle": None if config.bundle is None else str(config.bundle),
        "run_id": config.run_id,
    }


class RunEnd:
    """The plugin's last steps of a session (registered next to :class:`ConformanceRun`)."""

    def __init__(self, run: ConformanceRun) -> None:
        self._run = run
        self.comparison: Comparison | None = None
        self.problems: list[str] = []

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> Generator[None, object, object]:
        result = yield
        run = self._run
        if run.state is None or run.evaluation is None or hasattr(session.config, "workerinput"):
            return result
        config = run.config
        report_dir = Path(config.report_dir)
        document = invocation_document(
            run_options(config, session.config),
            argv=[str(arg) for arg in session.config.invocation_params.args],
            started=run.state.started,
            finished=datetime.now(UTC),
            secrets=run.secrets,
        )
        write_invocation(report_dir / "invocation.json", document)
        code = int(session.exitstatus)
        if code in NOT_GATED:
            # nothing to compare or certify: the run could not run, or was interrupted
            if config.baseline is not None or config.bundle is not None:
                self.problems.append(f"no diff and no bundle: the run did not complete (exit status {code})")
            return result
        if config.baseline is not None:
            try:
                self.comparison = baseline_gate(report_dir, config.baseline)
            except ResultsError as error:
                self.problems.append(f"the gate could not compare: {error}")
                code = EXIT_COULD_NOT_RUN
            else:
                code = gate_exit_code(code, self.comparison)
        if config.bundle is not None:
            try:
                write_bundle(report_dir, config.bundle)
            except (BundleError, OSError) as error:
                self.problems.append(f"the bundle could not be written: {error}")
                code = EXIT_COULD_NOT_RUN
        session.exitstatus = code
        return result

    @pytest.hookimpl(trylast=True)  # after the verdict line of ConformanceRun
    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
        if self.comparison is not None:
            terminalreporter.write_sep("-", f"snapshot-conformance gate: {self.comparison.headline}")
            for line in comparison_lines(self.comparison)[1:]:
                terminalreporter.write_line(line)
            report_dir = Path(self._run.config.report_dir)
            terminalreporter.write_line(f"diff: {report_dir / DIFF_MARKDOWN}, {report_dir / DIFF_HTML}")
        for problem in self.problems:
            terminalreporter.write_line(f"snapshot-conformance: {problem}")
        if self._run.active and self._run.config.bundle is not None and not self.problems and self._run.config.bundle.exists():
            terminalreporter.write_line(f"bundle: {self._run.config.bundle}")
