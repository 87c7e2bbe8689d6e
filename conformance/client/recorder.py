"""Recording of every HTTP exchange a test makes, redacted and bounded, for the report.

The recorder sits in the one transport seam (:class:`RecordingTransport` wraps httpx's
transport), so every request of every test passes through it whatever code made it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from conformance.client.deadlines import AnswerTimeout, Deadlines
from conformance.reports.model import Exchange
from conformance.reports.redaction import redact_headers, redact_text

__all__ = ["MAX_RESPONSE_BYTES", "Recorder", "RecordingTransport", "ResponseTooLarge"]

#: A response larger than this is cut off and reported, never read without bound.
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
#: What the report keeps of each body.
KEPT_BODY_CHARS = 16 * 1024


class ResponseTooLarge(httpx.TransportError):
    """The engine sent more than :data:`MAX_RESPONSE_BYTES`."""


class Recorder:
    """Collects exchanges until :meth:`drain` hands them over (once per test phase)."""

    def __init__(self, secrets: tuple[str, ...] = (), *, kept_body_chars: int = KEPT_BODY_CHARS) -> None:
        self._secrets = tuple(secrets)
        self._kept = kept_body_chars
        self._lock = threading.Lock()
        self._exchanges: list[Exchange] = []
        self._taps: list[list[Exchange]] = []

    def record(self, request: httpx.Request, response: httpx.Response | None, elapsed: float, error: str | None) -> None:
        exchange = Exchange(
            method=request.method,
            url=redact_text(str(request.url), self._secrets),
            request_headers=redact_headers(request.headers.multi_items(), self._secrets),
            request_body=self._body(request.content if _has_content(request) else b""),
            status=None if response is None else response.status_code,
            response_headers=() if response is None else redact_headers(response.headers.multi_items(), self._secrets),
            response_body="" if response is None else self._body(response.content),
            elapsed_ms=round(elapsed * 1000, 1),
            error=None if error is None else redact_text(error, self._secrets),
            exchange_id=uuid.uuid4().hex,
        )
        with self._lock:
            self._exchanges.append(exchange)
            for tap in self._taps:
                tap.append(exchange)

    @property
    def secrets(self) -> tuple[str, ...]:
        return self._secrets

    def add_secret(self, secret: str) -> None:
        """A credential learnt during the run (an SSO token) is redacted from then on."""
        with self._lock:
            if secret and secret not in self._secrets:
                self._secrets = (*self._secrets, secret)

    def drain(self) -> tuple[Exchange, ...]:
        with self._lock:
            taken, self._exchanges = tuple(self._exchanges), []
        return taken

    @contextmanager
    def capture(self) -> Iterator[list[Exchange]]:
        """Also collect the exchanges made inside the block into the yielded list.

        A shared fixture uses it to keep its evidence for every test that judges it,
        while the exchanges still go to the test that happened to run it first.
        """
        tap: list[Exchange] = []
        with self._lock:
            self._taps.append(tap)
        try:
            yield tap
        finally:
            with self._lock:
                self._taps.remove(tap)

    def _body(self, raw: bytes) -> str:
        text = raw[: self._kept * 4].decode("utf-8", errors="replace")
        if len(text) > self._kept or len(raw) > self._kept * 4:
            text = f"{text[: self._kept]}\n... [{len(raw)} bytes in all, cut for the report]"
        return redact_text(text, self._secrets)


def _has_content(request: httpx.Request) -> bool:
    try:
        request.content  # noqa: B018 - raises for unread streams
    except httpx.RequestNotRead:
        return False
    return True


class RecordingTransport(httpx.BaseTransport):
    """Wraps a transport: reads each response (bounded) and records the exchange."""

    def __init__(
        self, inner: httpx.BaseTransport, recorder: Recorder, *, max_response_bytes: int = MAX_RESPONSE_BYTES, deadlines: Deadlines | None = None
    ) -> None:
        self._inner = inner
        self._recorder = recorder
        self._max = max_response_bytes
        self._deadlines = deadlines

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            if self._deadlines is None:
                response = self._inner.handle_request(request)
                body = self._read_bounded(response, None)
            else:
                with self._deadlines.answer() as end:
                    response = self._inner.handle_request(request)
                    body = self._read_bounded(response, end)
        except Exception as error:
            self._recorder.record(request, None, time.perf_counter() - started, f"{type(error).__name__}: {error}")
            raise
        bounded = httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            content=body,
            extensions=response.extensions,
            request=request,
        )
        bounded.read()
        self._recorder.record(request, bounded, time.perf_counter() - started, None)
        return bounded

    def _read_bounded(self, response: httpx.Response, end: float | None) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.stream:  # type: ignore[union-attr]
                size += len(chunk)
                if size > self._max:
                    chunks.clear()  # an exception's frame outlives the read (pytest keeps it): hold nothing
                    raise ResponseTooLarge(f"response body exceeds {self._max} bytes (the suite stopped reading after {size})")
                if end is not None and time.monotonic() > end:  # off the main thread no timer fires
                    raise AnswerTimeout(f"no whole answer within {self._deadlines.answer_seconds:g} s (the answer deadline); {size} bytes came")  # type: ignore[union-attr]
                chunks.append(chunk)
        finally:
            response.close()
        return b"".join(chunks)

    def close(self) -> None:
        self._inner.close()
