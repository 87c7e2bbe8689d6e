"""Deadlines: one answer is bounded as a whole, and so is the run."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from conformance.client.deadlines import AnswerTimeout, Deadlines, RunTimeout
from conformance.client.recorder import Recorder, RecordingTransport


class _Blocking(httpx.BaseTransport):
    """An engine that never answers (a read that blocks far longer than any deadline)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        time.sleep(30)
        return httpx.Response(200)


class _Drip(httpx.SyncByteStream):
    """A body that comes one byte every ``gap`` seconds: no single read is slow."""

    def __init__(self, gap: float, count: int) -> None:
        self._gap, self._count = gap, count

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self._count):
            time.sleep(self._gap)
            yield b"x"


def _client(inner: httpx.BaseTransport, recorder: Recorder, deadlines: Deadlines) -> httpx.Client:
    return httpx.Client(base_url="http://engine.test/ovirt-engine/api/", transport=RecordingTransport(inner, recorder, deadlines=deadlines))


def test_an_answer_that_never_comes_is_broken_off_at_the_answer_deadline() -> None:
    recorder = Recorder()
    started = time.monotonic()
    with _client(_Blocking(), recorder, Deadlines(answer_seconds=0.2)) as client, pytest.raises(httpx.ReadTimeout) as raised:
        client.get("vms")
    assert time.monotonic() - started < 5
    assert isinstance(raised.value, AnswerTimeout)
    (exchange,) = recorder.drain()
    assert exchange.status is None
    assert exchange.error is not None
    assert "answer deadline" in exchange.error


def test_the_timer_is_disarmed_after_each_answer() -> None:
    deadlines = Deadlines(answer_seconds=0.1)
    with _client(httpx.MockTransport(lambda request: httpx.Response(200, text="ok")), Recorder(), deadlines) as client:
        assert client.get("vms").text == "ok"
    time.sleep(0.3)  # a timer left armed would raise here


def test_a_dripping_body_off_the_main_thread_is_bounded_between_chunks() -> None:
    recorder = Recorder()
    outcome: list[BaseException | None] = []

    def fetch() -> None:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=_Drip(gap=0.05, count=200)))
        with _client(transport, recorder, Deadlines(answer_seconds=0.3)) as client:
            try:
                client.get("vms")
                outcome.append(None)
            except BaseException as error:  # handed to the main thread
                outcome.append(error)

    worker = threading.Thread(target=fetch)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive()
    (error,) = outcome
    assert isinstance(error, AnswerTimeout)
    assert "bytes came" in str(error)


def test_the_run_deadline_interrupts_the_next_request() -> None:
    deadlines = Deadlines(answer_seconds=5, run_seconds=0.05)
    time.sleep(0.1)
    with _client(httpx.MockTransport(lambda request: httpx.Response(200)), Recorder(), deadlines) as client, pytest.raises(RunTimeout, match="--run-timeout"):
        client.get("vms")
    with _client(httpx.MockTransport(lambda request: httpx.Response(200)), Recorder(), deadlines) as client:
        assert client.get("vms").status_code == 200  # acted on once: teardown's requests go through


def test_the_run_deadline_breaks_off_a_blocked_answer() -> None:
    deadlines = Deadlines(answer_seconds=10, run_seconds=0.2)
    started = time.monotonic()
    with _client(_Blocking(), Recorder(), deadlines) as client, pytest.raises(RunTimeout):
        client.get("vms")
    assert time.monotonic() - started < 5
