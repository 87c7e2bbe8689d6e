"""``snapshot-conformance serve``: foreground engine, URL and user printed, Ctrl-C stops it."""

from __future__ import annotations

import argparse
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

from conformance.cli import serve

# The command as the lead's `snapshot-conformance serve` will run it, without depending on
# the rest of the command line: a parser with just this subcommand.
SCRIPT = """
import argparse, sys
from conformance.cli import serve
parser = argparse.ArgumentParser(prog="snapshot-conformance")
serve.add_parser(parser.add_subparsers(dest="command", required=True))
sys.exit(serve.run(parser.parse_args(sys.argv[1:])))
"""


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    serve.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["serve", *argv])


class _Serving:
    """``serve`` in a child process, its output collected line by line."""

    def __init__(self, *argv: str, password: str | None) -> None:
        env = {k: v for k, v in os.environ.items() if k != "OVIRT_PASSWORD"}
        if password is not None:
            env["OVIRT_PASSWORD"] = password
        self.process = subprocess.Popen(
            [sys.executable, "-c", SCRIPT, "serve", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def until(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no {text!r} in the output: {''.join(self.output)!r}")
            self.output.append(line)
            if text in line:
                return "".join(self.output)

    def stop(self, sig: int) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(timeout=15)
        self.reader.join(timeout=5)
        while not self.lines.empty():
            self.output.append(self.lines.get())
        assert self.process.stdout is not None
        self.process.stdout.close()
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.mark.parametrize(
    ("password", "sig"),
    [pytest.param(None, signal.SIGINT, id="generated-password-ctrl-c"), pytest.param("chosen-secret", signal.SIGTERM, id="env-password-sigterm")],
)
def test_serve_prints_the_url_answers_and_stops_cleanly(password, sig):
    serving = _Serving("--port", "0", "--snapshot-lock-seconds", "0", password=password)
    try:
        output = serving.until("Press Ctrl-C")
        url = re.search(r"URL:\s+(http://127\.0\.0\.1:\d+/ovirt-engine/api)", output).group(1)
        assert re.search(r"User:\s+admin@internal", output)
        if password is None:
            password = re.search(r"Password:\s+(\S+)\s+\(generated", output).group(1)
        else:
            assert "chosen-secret" not in output, "a password from the environment is never printed"
        with httpx.Client(verify=False) as client:
            assert client.get(url + "/vms", auth=("admin@internal", password)).status_code == 200
            assert client.get(url + "/vms", auth=("admin@internal", "wrong")).status_code == 401
        assert serving.stop(sig) == 0
        assert "Stopped" in "".join(serving.output)
    finally:
        serving.kill()


def test_an_unknown_api_version_is_refused(capsys):
    assert serve.run(_parse("--api-version", "5")) == 3
    assert "API versions 3 and 4" in capsys.readouterr().err


def test_api_version_4_makes_v4_the_default_and_prints_the_sso_url():
    serving = _Serving("--port", "0", "--api-version", "4", password="chosen-secret")
    try:
        output = serving.until("Press Ctrl-C")
        assert "REST API v4" in output
        url = re.search(r"URL:\s+(http://127\.0\.0\.1:\d+/ovirt-engine/api)", output).group(1)
        sso = re.search(r"SSO:\s+(http://\S+/ovirt-engine/sso/oauth/token)", output).group(1)
        with httpx.Client(verify=False) as client:
            form = {"grant_type": "password", "scope": "ovirt-app-api", "username": "admin@internal", "password": "chosen-secret"}
            token = client.post(sso, data=form, headers={"Accept": "application/json"}).json()["access_token"]
            root = client.get(url, headers={"Authorization": f"Bearer {token}"})
            assert "<major>4</major>" in root.text  # v4 without a prefix or a Version header
            assert 'major="3"' in client.get(url, auth=("admin@internal", "chosen-secret"), headers={"Version": "3"}).text
        assert serving.stop(signal.SIGTERM) == 0
    finally:
        serving.kill()


def test_a_bad_state_file_is_refused(tmp_path, capsys):
    path = tmp_path / "state.yaml"
    path.write_text("version: 7\n")
    assert serve.run(_parse("--state", str(path), "--port", "0")) == 3
    assert "state file is not valid" in capsys.readouterr().err


def test_a_taken_port_is_refused(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert serve.run(_parse("--port", str(taken.getsockname()[1]))) == 3
    assert "cannot listen" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--snapshot-lock-seconds", "--restore-seconds", "--vm-transition-seconds", "--latency"])
def test_negative_timings_are_refused(option, capsys):
    assert serve.run(_parse(option, "-1")) == 3
    assert option in capsys.readouterr().err


def test_no_password_option():
    with pytest.raises(SystemExit):
        _parse("--password", "secret")
