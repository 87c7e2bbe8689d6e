"""An engine that echoes every request (headers and body, raw and base64) never gets the
password into anything the tool writes, in any encoding the password can take."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

pytestmark = pytest.mark.slow

USER = "admin@internal"
PASSWORD = "p@ss w:rd&<ö>\"'%+/="


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with an XML document quoting the request back."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        raw = "\n".join(f"{k}: {v}" for k, v in self.headers.items()) + "\n" + body
        echo = escape(raw) + "\n" + base64.b64encode(raw.encode()).decode()
        api = "/ovirt-engine/api"
        vm = (
            f'<vm href="{api}/vms/1" id="1"><name>echo</name><description>{echo}</description>'
            f'<status><state>down</state></status><link rel="snapshots" href="{api}/vms/1/snapshots"/></vm>'
        )
        path = self.path.split("?")[0].rstrip("/")
        status, text = 400, f"<fault><reason>{echo}</reason><detail>{escape(self.path)}</detail></fault>"
        if self.command == "GET" and path == api:
            status, text = 200, f"<api><product_info><name>{echo}</name></product_info></api>"
        elif self.command == "GET" and path == f"{api}/vms":
            status, text = 200, f"<vms>{vm}</vms>"
        elif self.command == "GET" and path == f"{api}/vms/1":
            status, text = 200, vm
        elif self.command == "GET" and path == f"{api}/vms/1/snapshots":
            # ids that are no GUIDs: the read checks fail, so the echo is their evidence
            status, text = (
                200,
                f'<snapshots><snapshot id="{{not-a-guid}}" href="{api}/vms/1/snapshots/x"><description>{echo}</description></snapshot></snapshots>',
            )
        data = f'<?xml version="1.0"?>{text}'.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("X-Echo-Authorization", self.headers.get("Authorization", ""))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_engine() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ovirt-engine/api"
    finally:
        server.shutdown()
        server.server_close()


def _forms(secret: str) -> set[str]:
    data = secret.encode()
    b64 = base64.b64encode(data).decode()
    return {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1], escape(secret), b64, b64.rstrip("=")}


def test_an_echoing_engine_never_gets_the_password_into_any_output(echo_engine: str, tmp_path: Path) -> None:
    env = {**os.environ, "OVIRT_PASSWORD": PASSWORD, "CI": "true"}
    argv = [sys.executable, "-m", "conformance", "run", "--engine-url", echo_engine, "--report-dir", str(tmp_path), "--timeout", "2"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    written = {path.name: path.read_text("utf-8", "replace") for path in tmp_path.rglob("*") if path.is_file()}
    assert "results.json" in written, done.stdout + done.stderr
    assert "x-echo-authorization" in written["report.html"].lower(), "the echo reached the report (else this proves nothing)"
    assert "x-echo-authorization" in written["results.json"].lower()
    forms = _forms(PASSWORD) | _forms(f"{USER}:{PASSWORD}")
    for name, text in {**written, "stdout": done.stdout, "stderr": done.stderr}.items():
        leaked = sorted(form for form in forms if form in text)
        assert not leaked, f"{name} holds the password as {leaked}"
