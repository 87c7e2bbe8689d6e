"""The one way the suite waits: poll with back-off until a condition holds or a deadline passes.

A long wait is never silent: every :data:`PROGRESS_EVERY` seconds it tells the observer set
with :func:`observe_waits` (the plugin prints "waiting for …: 8 s of 120 s").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["PROGRESS_EVERY", "WaitTimeout", "observe_waits", "poll"]

T = TypeVar("T")

#: seconds between two progress reports of one wait
PROGRESS_EVERY = 4.0

#: called as ``observer(what, elapsed, timeout)`` while a wait lasts; None: nobody listens
_observer: Callable[[str, float, float], None] | None = None


#: when the observer last heard of a wait (a ``clock()`` instant), so that a chain of short
#: waits is reported too
_last_report: list[float] = []


def observe_waits(observer: Callable[[str, float, float], None] | None, *, now: float | None = None) -> None:
    """Report long waits to ``observer`` (None: stop); the silence counts from ``now`` (the
    ``clock()`` instant the terminal last said something; None: only from each wait's start).
    The run's one terminal listens."""
    global _observer
    _observer = observer
    _last_report[:] = [] if now is None else [now]


class WaitTimeout(TimeoutError):
    """The deadline passed; ``last_seen`` says what the engine showed last."""

    def __init__(self, what: str, seconds: float, last_seen: str) -> None:
        self.what = what
        self.seconds = seconds
        self.last_seen = last_seen
        super().__init__(f"{what}: not reached within {seconds:g} s; last seen: {last_seen}")


def poll(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout: float,
    what: str,
    describe: Callable[[T], str] = repr,
    first_delay: float = 0.02,
    factor: float = 1.6,
    max_delay: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fetch`` until ``done(value)``; return that value or raise :class:`WaitTimeout`.

    The first probe happens at once; the delays between probes grow geometrically from
    ``first_delay`` up to ``max_delay`` and never overshoot the deadline.
    """
    start = clock()
    deadline = start + timeout
    # one wait after another: the silence counts from the last report, not from this wait
    next_report = max(start + 1.0, min(_last_report[0] + PROGRESS_EVERY, start + PROGRESS_EVERY)) if _last_report else start + PROGRESS_EVERY
    delay = first_delay
    while True:
        value = fetch()
        if done(value):
            return value
        now = clock()
        remaining = deadline - now
        if remaining <= 0:
            raise WaitTimeout(what, timeout, describe(value))
        wake = now + min(delay, remaining)
        while now < wake:  # the next probe comes when the back-off says; reports fall in between
            if now >= next_report:
                if _observer is not None:
                    _observer(what, now - start, timeout)
                    _last_report[:] = [now]
                next_report = now + PROGRESS_EVERY
            sleep(min(wake, next_report) - now)
            now = clock()
        delay = min(delay * factor, max_delay)
