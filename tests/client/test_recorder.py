"""The recording transport: every exchange kept, redacted, bounded."""

from __future__ import annotations

import httpx
import pytest

from conformance.client.recorder import Recorder, RecordingTransport, ResponseTooLarge

PASSWORD = "s3cret-pass"


def _client(handler: httpx.MockTransport, recorder: Recorder, **kwargs: int) -> httpx.Client:
    return httpx.Client(
        base_url="http://engine.test/ovirt-engine/api/", transport=RecordingTransport(handler, recorder, **kwargs), auth=("admin@internal", PASSWORD)
    )


def test_records_request_and_response_without_credentials() -> None:
    recorder = Recorder((PASSWORD,))
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers={"Set-Cookie": "JSESSIONID=abc"}, text=f"<snapshots>{PASSWORD}</snapshots>"))
    with _client(transport, recorder) as client:
        response = client.post("vms", content=f"<password>{PASSWORD}</password>")
    assert response.text == f"<snapshots>{PASSWORD}</snapshots>"  # the caller sees the real body
    (exchange,) = recorder.drain()
    assert exchange.method == "POST"
    assert exchange.status == 200
    flat = repr(exchange)
    assert PASSWORD not in flat
    assert "Basic " not in flat
    assert "JSESSIONID=abc" not in flat
    assert dict(exchange.request_headers)["authorization"] == "<redacted>"
    assert recorder.drain() == ()  # drained once


def test_long_bodies_are_cut_for_the_report() -> None:
    recorder = Recorder(kept_body_chars=100)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="x" * 10_000))
    with _client(transport, recorder) as client:
        assert len(client.get("vms").text) == 10_000
    (exchange,) = recorder.drain()
    assert exchange.response_body.startswith("x" * 100)
    assert "10000 bytes in all" in exchange.response_body
    assert len(exchange.response_body) < 200


def test_oversized_response_is_an_error_not_a_hang() -> None:
    recorder = Recorder()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"y" * 5000))
    with _client(transport, recorder, max_response_bytes=1000) as client, pytest.raises(ResponseTooLarge):
        client.get("vms")
    (exchange,) = recorder.drain()
    assert exchange.status is None
    assert exchange.error is not None
    assert "exceeds 1000 bytes" in exchange.error


def test_transport_errors_are_recorded() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    recorder = Recorder()
    with _client(httpx.MockTransport(refuse), recorder) as client, pytest.raises(httpx.ConnectError):
        client.get("vms")
    (exchange,) = recorder.drain()
    assert exchange.error == "ConnectError: connection refused"


def test_capture_keeps_a_copy_for_shared_evidence() -> None:
    recorder = Recorder()
    transport = httpx.MockTransport(lambda request: httpx.Response(204))
    with _client(transport, recorder) as client:
        client.get("a")
        with recorder.capture() as captured:
            client.get("b")
        client.get("c")
    assert [e.url.rsplit("/", 1)[1] for e in captured] == ["b"]
    assert [e.url.rsplit("/", 1)[1] for e in recorder.drain()] == ["a", "b", "c"]
