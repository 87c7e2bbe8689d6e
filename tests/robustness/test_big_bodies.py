"""An engine that answers a gigabyte to every snapshot request keeps the run's memory near
its normal peak: a body past the size the suite keeps is counted and cut off, never held
(not in the answer, not in an exception's frame, not in the report)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

API = "/ovirt-engine/api"
VM = f'<vm href="{API}/vms/1" id="1"><name>big</name><status><state>down</state></status><link rel="snapshots" href="{API}/vms/1/snapshots"/></vm>'
GIGABYTE = 1 << 30
CHUNK = b" " * (1 << 20)

# runs the CLI in this process and prints its peak resident size (KiB) when it ends
MEASURED = (
    "import resource, sys; from conformance.cli import main; code = main(sys.argv[1:]); "
    "print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


def _handler(huge: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            path = self.path.split("?")[0].rstrip("/")
            small = {API: b"<api><product_info><name>big</name></product_info></api>", f"{API}/vms": f"<vms>{VM}</vms>".encode(), f"{API}/vms/1": VM.encode()}
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            if path in small or not huge:
                body = small.get(path, b"<snapshots/>")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_header("Content-Length", str(GIGABYTE))
            self.end_headers()
            try:
                self.wfile.write(b"<snapshots>")
                for _ in range(GIGABYTE // len(CHUNK)):
                    self.wfile.write(CHUNK)
            except OSError:  # the suite hung up: the point
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def engine() -> Iterator[object]:
    servers: list[ThreadingHTTPServer] = []

    def start(huge: bool) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(huge))
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}{API}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _peak_kib(url: str, report_dir: Path) -> tuple[int, subprocess.CompletedProcess[str]]:
    env = {**os.environ, "OVIRT_PASSWORD": "big-password", "CI": "true"}
    argv = [sys.executable, "-c", MEASURED, "run", "--engine-url", url, "--report-dir", str(report_dir), "--read-only", "--timeout", "10"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stderr.splitlines() if line.startswith("maxrss ")]
    assert lines, done.stdout[-2000:] + done.stderr[-2000:]
    return int(lines[-1].split()[1]), done


def test_gigabyte_answers_keep_memory_near_the_normal_peak(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    normal, _ = _peak_kib(engine(False), tmp_path / "normal")
    peak, done = _peak_kib(engine(True), tmp_path / "huge")
    assert "Traceback" not in done.stdout + done.stderr
    results = json.loads((tmp_path / "huge" / "results.json").read_text())
    errors = [e["error"] or "" for e in results["exchanges"]]
    assert any("exceeds" in error for error in errors), errors  # the answers were cut off, as findings
    assert results["verdict"] == "not_conformant"
    # one kept answer (32 MiB) at a time and nothing more: the normal peak plus a margin
    assert peak < normal + 80 * 1024, f"peak {peak // 1024} MiB against {normal // 1024} MiB normally"
