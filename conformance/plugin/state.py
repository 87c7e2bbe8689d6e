"""What one conformance run accumulates while it goes: the engine, the tests, the ledger."""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from conformance.client.deadlines import Deadlines
from conformance.client.ledger import Ledger
from conformance.client.recorder import Recorder
from conformance.reports.model import CreatedResource, EngineInfo, Exchange, TestRecord

__all__ = ["INTERRUPT_SIGNALS", "RunState", "TestAccumulator", "install_interrupt_handlers"]


@dataclass
class TestAccumulator:
    """The phases (setup, call, teardown) of one test, folded into one :class:`TestRecord`."""

    nodeid: str
    requirement_ids: tuple[str, ...] = ()
    docstring: str = ""
    dialect: str = ""
    outcome: str = "passed"
    blamed: list[str] = field(default_factory=list)
    message: str = ""
    not_applicable: bool = False
    suite_error: bool = False
    duration: float = 0.0
    exchanges: list[Exchange] = field(default_factory=list)

    def add_phase(self, payload: dict[str, Any], when: str, outcome: str, duration: float) -> None:
        self.requirement_ids = tuple(payload["requirements"])
        self.docstring = payload["docstring"]
        self.dialect = payload["dialect"]
        self.duration += duration
        self.exchanges.extend(Exchange.from_dict(e) for e in payload["exchanges"])
        if outcome == "passed":
            return
        if outcome == "skipped":
            if self.outcome == "passed":
                self.outcome = "skipped"
                self.message = payload["message"]
                self.not_applicable = payload["not_applicable"]
            return
        # a failure: in the call phase the test failed, elsewhere it errored
        if self.outcome in ("passed", "skipped"):
            self.outcome = "failed" if when == "call" else "error"
            self.message = payload["message"]
            self.not_applicable = False
        if payload.get("suite_error"):
            # an error of the suite is an error, whichever phase it happened in
            self.outcome = "error"
            self.suite_error = True
        for requirement in payload["blamed"]:
            if requirement not in self.blamed:
                self.blamed.append(requirement)

    def record(self) -> TestRecord:
        return TestRecord(
            nodeid=self.nodeid,
            requirement_ids=self.requirement_ids,
            outcome=self.outcome,  # type: ignore[arg-type]
            blamed=tuple(self.blamed) if self.outcome in ("failed", "error") else (),
            message=self.message,
            not_applicable=self.not_applicable,
            docstring=self.docstring,
            duration=self.duration,
            exchanges=tuple(self.exchanges),
            dialect=self.dialect,
            suite_error=self.suite_error,
        )


@dataclass
class RunState:
    """Mutable state of a run; lives on the plugin object, never in a module global."""

    recorder: Recorder
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    engine: EngineInfo | None = None
    tests: dict[str, TestAccumulator] = field(default_factory=dict)
    created_resources: list[CreatedResource] = field(default_factory=list)
    aborted: str | None = None
    teardown_problems: list[str] = field(default_factory=list)
    #: the name of the signal that interrupted the run (SIGINT, SIGTERM), else None
    interrupted: str | None = None
    #: set when teardown starts: an interrupt then no longer breaks anything off
    tearing_down: bool = False
    #: teardown is over and the reports are being written: a signal now changes nothing
    #: (the reports must agree with the exit status), and must not kill the process either
    finishing: bool = False
    ledger: Ledger | None = None
    #: the answer and run deadlines every request of the run is held to
    deadlines: Deadlines = field(default_factory=lambda: Deadlines(60.0))

    def accumulator(self, nodeid: str) -> TestAccumulator:
        if nodeid not in self.tests:
            self.tests[nodeid] = TestAccumulator(nodeid)
        return self.tests[nodeid]


#: the signals that interrupt a run: the first one tears down cleanly, a second one hurries
INTERRUPT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def install_interrupt_handlers(state: RunState) -> dict[int, Any]:
    """SIGINT and SIGTERM interrupt the run so teardown (the ledger) runs and the reports say
    so; a signal that arrives while teardown runs never breaks it off: the first lets it
    finish, a later one makes it hurry (no more waits or retries); one that arrives while the
    reports are written is ignored. Returns the old handlers (put back when pytest ends)."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def _interrupt(signum: int, frame: FrameType | None) -> None:
        if state.finishing:
            return
        first = state.interrupted is None
        if first:
            state.interrupted = signal.Signals(signum).name
        if first and not state.tearing_down:
            raise KeyboardInterrupt(f"interrupted by {state.interrupted}")
        if not first and state.ledger is not None:
            state.ledger.hurry.set()

    return {signum: signal.signal(signum, _interrupt) for signum in INTERRUPT_SIGNALS}
