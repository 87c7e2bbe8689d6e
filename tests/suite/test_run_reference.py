"""The whole suite against the reference engine: conformant, reports written, engine untouched."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from lxml import etree

from conformance.catalogue import Level, load_catalogue
from conformance.engine import EngineHandle, EngineSettings, start_engine

PASSWORD = "suite-e2e-Passw0rd"  # the reference_engine fixture's

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("api_version", ["3", "4"])
def test_full_run_is_conformant_and_leaves_the_engine_as_found(reference_engine: EngineHandle, tmp_path: Path, cli, state, api_version: str) -> None:  # type: ignore[no-untyped-def]
    before = state(reference_engine)
    result = cli("run", "--engine-url", reference_engine.url, "--api-version", api_version, "--timeout", "10", cwd=tmp_path)
    assert result.code == 0, result.stdout[-3000:]
    assert state(reference_engine) == before
    results = result.results
    assert results["verdict"] == "conformant"
    statuses = result.statuses()
    assert results["engine"]["api_version"] == api_version
    for requirement in load_catalogue().for_dialect(api_version):
        expected = {"passed", "not_applicable"} if requirement.level is Level.MAY else {"passed"}
        assert statuses[requirement.id] in expected, (requirement.id, statuses[requirement.id])
    assert results["created_resources"], "the run created its VM and snapshots"
    assert all(resource["removed"] for resource in results["created_resources"])
    assert {p.name for p in result.report_dir.iterdir()} >= {"report.html", "results.json", "junit.xml"}
    html = (result.report_dir / "report.html").read_text()
    assert "SNAP-REPR-11" in html
    assert "conformant" in html
    etree.parse(str(result.report_dir / "junit.xml"))
    for path in result.report_dir.iterdir():
        text = path.read_text(errors="replace")
        assert PASSWORD not in text, path.name
        assert re.search(r"(?i)bearer (?!&lt;redacted&gt;|<redacted>)[A-Za-z0-9]", text) is None, f"an SSO token in {path.name}"
        assert re.search(r'access_token"?\s*[:=]\s*"?(?!&lt;redacted|<redacted)[A-Za-z0-9]', text) is None, f"an SSO token in {path.name}"


def test_run_without_url_uses_the_embedded_engine(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", cwd=tmp_path)
    assert result.code == 0, result.stdout[-3000:]
    assert "embedded reference engine" in result.stdout
    assert result.results["verdict"] == "conformant"


def test_read_only_run_creates_nothing_and_is_incomplete(reference_engine: EngineHandle, tmp_path: Path, cli, state) -> None:  # type: ignore[no-untyped-def]
    before = state(reference_engine)
    result = cli("run", "--engine-url", reference_engine.url, "--read-only", "--timeout", "10", cwd=tmp_path)
    assert result.code == 2, result.stdout[-3000:]
    assert result.results["verdict"] == "incomplete"
    assert result.results["created_resources"] == []
    assert state(reference_engine) == before
    statuses = result.statuses()
    assert statuses["SNAP-REPR-03"] == "passed"  # read checks ran on existing VMs
    assert statuses["SNAP-CRT-01"] == "not_tested"


def test_disposable_vm_gets_back_its_state(reference_engine: EngineHandle, tmp_path: Path, cli, state) -> None:  # type: ignore[no-untyped-def]
    vm = next(iter(state(reference_engine)))
    before = state(reference_engine)
    result = cli("run", "--engine-url", reference_engine.url, "--vm", vm, "--timeout", "10", cwd=tmp_path)
    assert state(reference_engine) == before
    statuses = result.statuses()
    assert statuses["SNAP-RST-04"] == "passed"
    # the active snapshot of a VM the suite did not create is never a target
    assert statuses["SNAP-DEL-02"] == "not_tested"
    assert result.code == 2


@pytest.mark.parametrize(
    ("args", "password", "phrase"),
    [
        pytest.param(("--engine-url", "http://127.0.0.1:9/ovirt-engine/api"), PASSWORD, "unreachable", id="unreachable"),
        pytest.param((), "wrong-password", "refused the credentials", id="wrong-credentials"),
        pytest.param(("--cluster", "NoSuchCluster"), PASSWORD, "could not create its VM", id="vm-cannot-be-created"),
        pytest.param(("--vm", "no-such-vm"), PASSWORD, "does not exist", id="unknown-vm"),
    ],
)
def test_could_not_run_is_exit_3_with_one_sentence(
    reference_engine: EngineHandle, tmp_path: Path, cli, args: tuple[str, ...], password: str, phrase: str
) -> None:  # type: ignore[no-untyped-def]
    url_args = () if "--engine-url" in args else ("--engine-url", reference_engine.url)
    result = cli("run", *url_args, *args, "--timeout", "10", cwd=tmp_path, password=password)
    assert result.code == 3, result.stdout[-2000:]
    assert phrase in result.stdout + result.stderr
    assert result.stdout.count("FAILED") == 0  # one sentence, not a wall of failures
    assert "_pytest" not in result.stdout + result.stderr  # no pytest internals around it
    assert result.results["aborted"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_run_leaves_nothing_behind(tmp_path: Path, state, sig: signal.Signals) -> None:  # type: ignore[no-untyped-def]
    # slow snapshots so that the signal lands while the lifecycle checks are creating them
    settings = EngineSettings(password=PASSWORD, snapshot_lock_seconds=0.3, vm_transition_seconds=0.05)
    with start_engine(settings) as engine:
        before = state(engine)
        env = {"OVIRT_PASSWORD": PASSWORD, "PATH": "/usr/bin:/bin"}
        process = subprocess.Popen(
            [sys.executable, "-m", "conformance", "run", "--engine-url", engine.url, "--timeout", "10", "-k", "create or restore"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            _wait_for_suite_snapshots(engine, minimum=3)
            process.send_signal(sig)
            output, _ = process.communicate(timeout=60)
        finally:
            process.kill()
        assert state(engine) == before, output[-3000:]


def _wait_for_suite_snapshots(engine: EngineHandle, minimum: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(auth=("admin@internal", PASSWORD), headers={"Accept": "application/json"}) as http:
        while time.monotonic() < deadline:
            for vm in http.get(engine.url + "/vms").json().get("vm", []):
                if vm["name"].startswith("conformance-"):
                    snapshots = http.get(engine.base_url + vm["href"] + "/snapshots").json().get("snapshot", [])
                    if len(snapshots) > minimum:
                        return
            time.sleep(0.05)
    raise AssertionError("the suite never got to its lifecycle checks")
