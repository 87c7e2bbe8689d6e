"""The terminal of ``run``: a header before the first test, and a summary that names each
broken requirement once, without pytest's tracebacks or FAILED lines (``--verbose`` adds them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.engine import EngineHandle, EngineSettings, start_engine

pytestmark = pytest.mark.slow

PASSWORD = "suite-e2e-Passw0rd"  # the cli fixture's


@pytest.fixture
def broken_engine() -> Iterator[EngineHandle]:
    settings = EngineSettings(password=PASSWORD, snapshot_lock_seconds=0.02, vm_transition_seconds=0.02, faults=frozenset({"put-applied"}))
    with start_engine(settings) as engine:
        yield engine


def test_a_failing_run_ends_in_a_summary_that_fits_a_screen(broken_engine: EngineHandle, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", "--engine-url", broken_engine.url, "--timeout", "10", cwd=tmp_path)
    assert result.code == 1, result.stdout[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == f"snapshot-conformance: checking {broken_engine.url} (API v3) as admin@internal"
    assert "its own VM conformance-" in lines[1]
    assert len(lines) < 25, result.stdout
    assert "Traceback" not in result.stdout
    assert not any("suite/test_" in line for line in lines)  # pytest's lines, by test
    assert "FAILED SNAP-PUT-01 (MUST): PUT on a snapshot answered 200" in lines
    assert "engine: snapshot-conformance reference engine" in result.stdout
    assert lines[-1].endswith("(pytest's count; the verdict above counts requirements)")
    verbose = cli("run", "--engine-url", broken_engine.url, "--timeout", "10", "--verbose", cwd=tmp_path)
    assert verbose.code == 1
    assert any(line.startswith("FAILED ") and "suite/test_put.py::" in line for line in verbose.stdout.splitlines())


def test_a_long_wait_is_never_silent(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    with start_engine(EngineSettings(password=PASSWORD, snapshot_lock_seconds=5, vm_transition_seconds=0.02)) as engine:
        result = cli("run", "--engine-url", engine.url, "--requirement", "SNAP-CRT-01", "--timeout", "20", cwd=tmp_path)
    assert result.code == 2, result.stdout[-3000:]  # the rest is not tested
    assert result.statuses()["SNAP-CRT-01"] == "passed"
    waits = [line for line in result.stdout.splitlines() if line.startswith("  waiting for ")]
    assert waits, result.stdout
    assert all(line.endswith(" s of 20 s") for line in waits), waits
