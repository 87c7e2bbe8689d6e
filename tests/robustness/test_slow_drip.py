"""An engine that drips its answers a byte at a time never hangs a run: the answer deadline
cuts each answer (headers or body) off as a finding with its exchange, and the run deadline
ends the run with its teardown and reports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

API = "/ovirt-engine/api"
VM = f'<vm href="{API}/vms/1" id="1"><name>drip</name><status><state>down</state></status><link rel="snapshots" href="{API}/vms/1/snapshots"/></vm>'


def _serve(listener: socket.socket, drip_headers: bool, stop: threading.Event) -> None:
    def answer(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                path = data.split(b" ", 2)[1].decode().split("?")[0].rstrip("/")
                if path == API:
                    body = b'<?xml version="1.0"?><api><product_info><name>drip</name></product_info></api>'
                elif path == f"{API}/vms":
                    body = f"<vms>{VM}</vms>".encode()
                elif path == f"{API}/vms/1":
                    body = VM.encode()
                else:  # the snapshots: dripped, one byte every 0.2 s, for minutes
                    body = b"<snapshots>" + b" " * 5000 + b"</snapshots>"
                    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                    for byte in (head + body) if drip_headers else body:
                        if stop.is_set():
                            return
                        if not drip_headers and byte == body[0]:
                            conn.sendall(head)
                        conn.sendall(bytes([byte]))
                        time.sleep(0.2)
                    return
                conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            except OSError:
                return

    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=answer, args=(conn,), daemon=True).start()


@pytest.fixture(params=[pytest.param(False, id="body-drips"), pytest.param(True, id="headers-drip")])
def drip_engine(request: pytest.FixtureRequest) -> Iterator[str]:
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    thread = threading.Thread(target=_serve, args=(listener, request.param, stop), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}{API}"
    finally:
        stop.set()
        listener.close()


def test_a_dripping_engine_ends_within_the_deadlines_with_a_verdict(drip_engine: str, tmp_path: Path) -> None:
    env = {**os.environ, "OVIRT_PASSWORD": "drip-password", "CI": "true"}
    argv = [
        sys.executable, "-m", "conformance", "run", "--engine-url", drip_engine, "--report-dir", str(tmp_path),
        "--read-only", "--timeout", "2", "--answer-timeout", "1", "--run-timeout", "15",
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert elapsed < 40, f"the run took {elapsed:.0f} s"
    assert "Traceback" not in done.stdout + done.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert done.returncode in (1, 130), done.stdout[-3000:]
    assert results["verdict"] == "not_conformant" or results["interrupted"]
    errors = [e["error"] or "" for e in results["exchanges"]]
    assert any("answer deadline" in error for error in errors), errors
    # the snapshot list never came whole: the requirements read from it fail, saying why
    failed = {r["id"]: r["message"] for r in results["requirements"] if r["status"] == "failed"}
    assert any("answer deadline" in message for message in failed.values()), failed
