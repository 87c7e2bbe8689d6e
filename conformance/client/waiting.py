"""The one way the suite waits: poll with back-off until a condition holds or a deadline passes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["WaitTimeout", "poll"]

T = TypeVar("T")


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
    deadline = clock() + timeout
    delay = first_delay
    while True:
        value = fetch()
        if done(value):
            return value
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeout(what, timeout, describe(value))
        sleep(min(delay, remaining))
        delay = min(delay * factor, max_delay)
