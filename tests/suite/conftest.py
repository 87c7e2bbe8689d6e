"""Running the whole suite (``python -m conformance run``) against reference engines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.engine import EngineHandle, EngineSettings, start_engine

PASSWORD = "suite-e2e-Passw0rd"


@dataclass(frozen=True)
class RunResult:
    code: int
    stdout: str
    stderr: str
    report_dir: Path

    @property
    def results(self) -> dict[str, Any]:
        return json.loads((self.report_dir / "results.json").read_text())

    def statuses(self) -> dict[str, str]:
        return {r["id"]: r["status"] for r in self.results["requirements"]}


def run_cli(*args: str, cwd: Path, password: str = PASSWORD, timeout: float = 240) -> RunResult:
    env = {**os.environ, "OVIRT_PASSWORD": password}
    env.pop("OVIRT_URL", None)
    done = subprocess.run([sys.executable, "-m", "conformance", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return RunResult(done.returncode, done.stdout, done.stderr, cwd / "reports")


def engine_state(engine: EngineHandle, password: str = PASSWORD) -> dict[str, Any]:
    """Everything a run could change: VMs (description, memory, status) and their snapshots."""
    with httpx.Client(auth=("admin@internal", password), headers={"Accept": "application/json"}, timeout=10) as http:
        state: dict[str, Any] = {}
        for vm in http.get(engine.url + "/vms").json().get("vm", []):
            snapshots = http.get(engine.base_url + vm["href"] + "/snapshots").json().get("snapshot", [])
            state[vm["name"]] = {
                "description": vm.get("description"),
                "memory": vm.get("memory"),
                "status": vm.get("status"),
                "snapshots": sorted(
                    (s["id"], s.get("description"), s.get("type"), s.get("snapshot_status"), s.get("date")) for s in snapshots if s.get("type") != "active"
                ),
                "active": sum(1 for s in snapshots if s.get("type") == "active"),
            }
        return state


@pytest.fixture
def cli():  # type: ignore[no-untyped-def]
    """``cli(*args, cwd=..., password=...)``: the command line in a subprocess."""
    return run_cli


@pytest.fixture
def state():  # type: ignore[no-untyped-def]
    """``state(engine)``: the engine's VMs and snapshots, for before/after comparisons."""
    return engine_state


@pytest.fixture
def reference_engine() -> Iterator[EngineHandle]:
    with start_engine(EngineSettings(password=PASSWORD, snapshot_lock_seconds=0.02, vm_transition_seconds=0.02)) as engine:
        yield engine
