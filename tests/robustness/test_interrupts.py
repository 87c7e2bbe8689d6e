"""Interrupted and killed runs leave nothing behind, and their reports say what happened.

Each case runs ``snapshot-conformance run`` as a separate process against a reference
engine in this process (with locks and power changes that last long enough to be caught
in the middle), sends it signals at a point chosen by a seeded random generator, then
reads the engine: no ``conformance-*`` VM is left and the seeded VMs' snapshots are as
they were. A SIGKILL leaves everything, by nature; ``snapshot-conformance cleanup`` with
the run's ledger must then remove it all. ``INTERRUPT_RUNS`` sets how many random cases
run (default 4, the CI budget; the issue's 20 by hand: ``INTERRUPT_RUNS=20``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conformance.engine import EngineHandle, EngineSettings, start_engine
from conformance.safexml import parse

pytestmark = pytest.mark.slow

PASSWORD = "interrupt-Test-pass"
TIMINGS = {"snapshot_lock_seconds": 0.4, "restore_seconds": 0.3, "vm_transition_seconds": 0.3}
RUNS = int(os.environ.get("INTERRUPT_RUNS", "4"))
KINDS = ("SIGINT", "SIGTERM", "SIGTERMx2")


@pytest.fixture(scope="module")
def engine() -> Iterator[EngineHandle]:
    with start_engine(EngineSettings(password=PASSWORD, **TIMINGS)) as handle:
        yield handle


def _state(url: str) -> tuple[list[str], dict[str, int]]:
    """The names of the suite's VMs on the engine, and the snapshot count of every other VM."""
    with httpx.Client(auth=("admin@internal", PASSWORD), headers={"Accept": "application/xml", "Version": "3"}, timeout=10) as http:
        vms = parse(http.get(f"{url}/vms").content).findall("vm")
        ours = sorted(vm.findtext("name") or "" for vm in vms if (vm.findtext("name") or "").startswith("conformance-"))
        counts = {vm.get("id", ""): len(parse(http.get(f"{url}/vms/{vm.get('id')}/snapshots").content).findall("snapshot")) for vm in vms}
    return ours, {vid: n for vid, n in counts.items() if vid not in {vm.get("id") for vm in vms if (vm.findtext("name") or "").startswith("conformance-")}}


def _start(url: str, report_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "OVIRT_PASSWORD": PASSWORD, "CI": "true"}
    argv = [sys.executable, "-m", "conformance", "run", "--engine-url", url, "--report-dir", str(report_dir), "--timeout", "20"]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_started(process: subprocess.Popen[str], report_dir: Path, after: float) -> None:
    """Wait until the run has written its ledger (it is under way), then ``after`` seconds more."""
    deadline = time.monotonic() + 30
    while not list(report_dir.glob("ledger-*.json")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    time.sleep(after)


def _cases() -> list[tuple[str, float]]:
    rng = random.Random(17)
    return [(KINDS[i % len(KINDS)], round(rng.uniform(0.2, 4.0), 2)) for i in range(RUNS)]


@pytest.mark.parametrize(("kind", "after"), _cases(), ids=lambda v: str(v))
def test_an_interrupted_run_leaves_nothing_and_says_so(engine: EngineHandle, tmp_path: Path, kind: str, after: float) -> None:
    before_vms, before_counts = _state(engine.url)
    process = _start(engine.url, tmp_path)
    _wait_started(process, tmp_path, after)
    if process.poll() is None:
        process.send_signal(signal.SIGINT if kind == "SIGINT" else signal.SIGTERM)
        if kind == "SIGTERMx2":
            time.sleep(0.3)
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=120)
    assert "Traceback" not in output, output
    after_vms, after_counts = _state(engine.url)
    assert after_vms == before_vms, output  # nothing of the run is left
    assert after_counts == before_counts, output  # nothing else was touched
    results = json.loads((tmp_path / "results.json").read_text())
    created = results["created_resources"]
    assert created, "the run created its VM before it was interrupted"
    assert all(resource["removed"] for resource in created), created
    if process.returncode == 130:  # interrupted while running (not after it had finished)
        assert results["interrupted"] is True
        assert "interrupted by SIG" in output
    else:
        assert process.returncode in (0, 1, 2), output
    ledger = json.loads(next(tmp_path.glob("ledger-*.json")).read_text())
    assert all(entry["removed"] for entry in ledger["resources"])


def test_cleanup_after_sigkill_removes_what_the_ledger_lists(engine: EngineHandle, tmp_path: Path) -> None:
    before_vms, before_counts = _state(engine.url)
    process = _start(engine.url, tmp_path)
    _wait_started(process, tmp_path, 2.0)
    process.kill()
    process.communicate(timeout=30)
    assert _state(engine.url)[0] != before_vms, "SIGKILL leaves the run's VM (else this test proves nothing)"
    env = {**os.environ, "OVIRT_PASSWORD": PASSWORD}
    listed = subprocess.run([sys.executable, "-m", "conformance", "cleanup", "--ledger", str(tmp_path)], env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "remove the VM 'conformance-" in listed.stdout
    assert _state(engine.url) == (before_vms, before_counts)
    again = subprocess.run([sys.executable, "-m", "conformance", "cleanup", "--ledger", str(tmp_path)], env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0
    assert "nothing to do" in again.stdout


def test_cleanup_without_a_ledger_lists_and_removes_only_run_vms(engine: EngineHandle, tmp_path: Path) -> None:
    before_vms, before_counts = _state(engine.url)
    process = _start(engine.url, tmp_path)
    _wait_started(process, tmp_path, 1.0)
    process.kill()
    process.communicate(timeout=30)
    left = _state(engine.url)[0]
    assert left != before_vms
    env = {**os.environ, "OVIRT_PASSWORD": PASSWORD}
    argv = [sys.executable, "-m", "conformance", "cleanup", "--engine-url", engine.url]
    listed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 1  # something is left, and nothing was removed without --yes
    assert all(name in listed.stdout for name in left)
    assert _state(engine.url)[0] == left
    removed = subprocess.run([*argv, "--yes"], env=env, capture_output=True, text=True, timeout=120)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert _state(engine.url) == (before_vms, before_counts)


def test_a_signal_after_the_reports_changes_nothing(engine: EngineHandle, tmp_path: Path) -> None:
    """Once results.json is written the outcome is decided: a late SIGTERM (twice, as GNU
    ``timeout`` sends) neither kills the process nor changes its exit status."""
    process = _start(engine.url, tmp_path)
    deadline = time.monotonic() + 120
    while not (tmp_path / "results.json").exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    time.sleep(0.05)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=120)
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["interrupted"] is False
    assert process.returncode == results["exit_code"] == 0, output
