"""The pytest command line every conformance run shares (live ``run`` and offline ``check``)."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from types import FrameType

import conformance

__all__ = ["base_pytest_args", "exit_status", "install_process_signals", "suite_started"]

#: set when a conformance run starts; from then on its outcome is the suite's to decide
_suite_started = threading.Event()


def suite_started() -> None:
    """A conformance run begins: the plugin handles signals while it runs."""
    _suite_started.set()


def install_process_signals() -> None:
    """SIGINT and SIGTERM for the command's own process (the console script). Before a run
    starts they interrupt (``KeyboardInterrupt``: exit 130, no traceback). While it runs the
    plugin's handlers replace these, and put them back after the reports are written; a
    signal after that finds the outcome decided and is ignored (a second SIGTERM from GNU
    ``timeout`` or a process-group kill would otherwise kill the process: exit -15)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def _handler(signum: int, frame: FrameType | None) -> None:
        if not _suite_started.is_set():
            raise KeyboardInterrupt(signal.Signals(signum).name)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _handler)


EXIT_COULD_NOT_RUN = 3
EXIT_INTERRUPTED = 130


def base_pytest_args(package: str, report_dir: Path, *, verbose: bool = False) -> list[str]:
    """Run the tests of ``package`` with the plugin's reports in ``report_dir``, isolated
    from the user's own pytest configuration. Quiet by default: progress, then the plugin's
    summary (the verdict and one line per broken requirement), no pytest tracebacks;
    ``verbose`` adds them back (short tracebacks and pytest's FAILED lines)."""
    root = Path(conformance.__file__).resolve().parent.parent
    return [
        "--pyargs", package,
        "-c", os.devnull,  # the user's own pytest configuration must not leak into a run
        "--rootdir", str(root),
        "-p", "no:cacheprovider",
        # the embedded engine imported anyio (a pytest plugin too) before pytest could rewrite it
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        "--report-dir", str(report_dir),
        "--html", str(report_dir / "report.html"),
        "--self-contained-html",
        *(("-rfE", "--tb=short") if verbose else ("-q", "-rN", "--tb=no")),
    ]  # fmt: skip


def exit_status(code: int) -> int:
    """0/1/2/3 come from the plugin's verdict, 130 from an interrupt; pytest's own usage and
    internal errors mean "could not run"."""
    return code if code in (0, 1, 2, 3, EXIT_INTERRUPTED) else EXIT_COULD_NOT_RUN
