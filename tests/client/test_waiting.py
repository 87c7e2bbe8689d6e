"""The polling helper: back-off, deadline, what was last seen."""

from __future__ import annotations

import itertools

import pytest

from conformance.client.waiting import PROGRESS_EVERY, WaitTimeout, observe_waits, poll


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_returns_first_value_that_is_done_without_sleeping() -> None:
    clock = FakeClock()
    assert poll(lambda: "ok", lambda v: v == "ok", timeout=5, what="x", clock=clock, sleep=clock.sleep) == "ok"
    assert clock.sleeps == []


def test_backs_off_geometrically_up_to_the_cap() -> None:
    clock = FakeClock()
    values = iter(["locked"] * 6 + ["ok"])
    probes: list[float] = []

    def fetch() -> str:
        probes.append(clock.now)
        return next(values)

    poll(fetch, lambda v: v == "ok", timeout=100, what="x", clock=clock, sleep=clock.sleep, first_delay=1, factor=2, max_delay=5)
    assert [later - earlier for earlier, later in itertools.pairwise(probes)] == [1, 2, 4, 5, 5, 5]


def test_a_long_wait_reports_its_progress_between_probes() -> None:
    clock = FakeClock()
    reports: list[tuple[str, float, float]] = []
    observe_waits(lambda what, elapsed, timeout: reports.append((what, elapsed, timeout)))
    try:
        with pytest.raises(WaitTimeout):
            poll(lambda: "locked", lambda v: False, timeout=30, what="snapshot 1 unlocking", clock=clock, sleep=clock.sleep, first_delay=10, factor=1)
    finally:
        observe_waits(None)
    assert [elapsed for _, elapsed, _ in reports] == [PROGRESS_EVERY * n for n in range(1, 8)]  # never silent longer than that
    assert all(what == "snapshot 1 unlocking" and timeout == 30 for what, _, timeout in reports)


def test_deadline_raises_with_the_last_value_seen() -> None:
    clock = FakeClock()
    with pytest.raises(WaitTimeout) as caught:
        poll(lambda: "locked", lambda v: v == "ok", timeout=3, what="snapshot 1 unlocking", clock=clock, sleep=clock.sleep, first_delay=1, factor=1)
    assert caught.value.last_seen == "'locked'"
    assert "snapshot 1 unlocking" in str(caught.value)
    assert clock.now == pytest.approx(3)  # never sleeps past the deadline


def test_sleeps_never_overshoot_the_deadline() -> None:
    clock = FakeClock()
    with pytest.raises(WaitTimeout):
        poll(lambda: 0, lambda v: False, timeout=2.5, what="x", clock=clock, sleep=clock.sleep, first_delay=2, factor=10)
    assert clock.sleeps == [2, 0.5]
