"""Deadlines that bound everything: one answer (headers and the whole body, not one socket
read), and the whole run.

httpx bounds each socket read, so an engine that drips one byte a second never trips it.
:class:`Deadlines` arms the process's real-time interval timer (``SIGALRM``) for the
nearer of the two deadlines while an answer is awaited; when it fires, the blocking read
is broken off with :class:`AnswerTimeout` (an ``httpx.ReadTimeout``: the answer is a
finding with its exchange, like any timeout) or :class:`RunTimeout` (an interrupt: the
run tears down and writes its reports, exit status 130). Signals reach only the main
thread, so elsewhere only the run deadline's check between requests applies; the
recording transport also checks the answer deadline between body chunks.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import httpx

__all__ = ["AnswerTimeout", "Deadlines", "RunTimeout"]


class AnswerTimeout(httpx.ReadTimeout):
    """An answer (its headers and whole body) took longer than the answer deadline."""


class RunTimeout(KeyboardInterrupt):
    """The whole run took longer than ``--run-timeout``: it is interrupted (teardown, reports)."""


class Deadlines:
    """The answer deadline (seconds) and the run's end (a ``time.monotonic()`` instant or None)."""

    def __init__(self, answer_seconds: float, run_seconds: float | None = None) -> None:
        self.answer_seconds = answer_seconds
        self._run_end = None if run_seconds is None else time.monotonic() + run_seconds
        self._run_seconds = run_seconds
        self._answer_end: float | None = None
        self._armed = False
        self._old_handler: object = None

    @property
    def run_expired(self) -> bool:
        return self._run_end is not None and time.monotonic() >= self._run_end

    def expire_run(self) -> None:
        """The run deadline passed and was acted on: from now on (teardown) only answers are bounded."""
        self._run_end = None

    def check_run(self) -> None:
        """Raise :class:`RunTimeout` when the run deadline has passed."""
        if self.run_expired:
            self.expire_run()
            raise RunTimeout(f"the run took longer than --run-timeout {self._run_seconds:g} s")

    @contextmanager
    def answer(self) -> Iterator[float]:
        """Bound the answer awaited inside the block; yields its deadline (a monotonic instant)."""
        self.check_run()
        end = time.monotonic() + self.answer_seconds
        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer") or self._armed:
            yield end
            return
        self._answer_end = end
        self._armed = True
        old = signal.signal(signal.SIGALRM, self._expired)
        try:
            nearest = end if self._run_end is None else min(end, self._run_end)
            signal.setitimer(signal.ITIMER_REAL, max(nearest - time.monotonic(), 0.001))
            yield end
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
            self._armed = False
            self._answer_end = None

    def _expired(self, signum: int, frame: FrameType | None) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if self.run_expired:
            self.expire_run()
            raise RunTimeout(f"the run took longer than --run-timeout {self._run_seconds:g} s")
        raise AnswerTimeout(f"no whole answer within {self.answer_seconds:g} s (the answer deadline)")
