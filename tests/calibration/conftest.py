"""The calibration matrix, run once per test session: the whole suite against every fault
and every variant of the reference engine (a few minutes on two cores)."""

from __future__ import annotations

import os

import pytest

from conformance.calibration import Matrix, RunOptions, calibrate, select_cases


@pytest.fixture(scope="session")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    # One more run than CPUs: a run spends part of its time waiting for the engine's timers.
    workers = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1) + 1
    return calibrate(select_cases(), RunOptions(work_dir=tmp_path_factory.mktemp("calibration"), workers=workers))
