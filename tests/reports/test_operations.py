"""Counting the engine work of a run from its exchanges."""

from __future__ import annotations

from datetime import UTC, datetime

from conformance.reports.model import EngineInfo, Exchange, RunRecord, TestRecord
from conformance.reports.operations import OPERATIONS, count_operations

API = "http://engine.test/ovirt-engine/api"
VM = f"{API}/vms/0e2c5f2b-6f5a-4e4b-9d7e-0c2f3a9b1d00"


def _exchange(method: str, url: str, status: int | None = 200, exchange_id: str = "") -> Exchange:
    return Exchange(method, url, (), "", status, (), "", 1.0, None, exchange_id)


def _run(*tests: tuple[Exchange, ...]) -> RunRecord:
    records = tuple(TestRecord(f"t{i}", ("SNAP-CRT-01",), "passed", (), "", False, "", 0.1, exchanges, "3") for i, exchanges in enumerate(tests))
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return RunRecord(EngineInfo(API, "3", None, None), moment, moment, records, (), False)


def test_counts_accepted_state_changes_by_kind() -> None:
    run = _run(
        (
            _exchange("POST", f"{API}/vms", 201),
            _exchange("POST", f"{VM}/snapshots", 202),
            _exchange("POST", f"{VM}/snapshots", 400),  # refused: no work
            _exchange("GET", f"{VM}/snapshots"),  # reads are not operations
            _exchange("POST", f"{VM}/snapshots/abc/restore"),
            _exchange("POST", f"{VM}/start"),
            _exchange("POST", f"{VM}/stop"),
            _exchange("PUT", VM),
            _exchange("DELETE", f"{VM}/snapshots/abc"),
            _exchange("DELETE", VM),
            _exchange("POST", f"{VM}/snapshots", None),  # no answer
        )
    )
    assert count_operations(run) == {
        "vm_create": 1,
        "vm_update": 1,
        "vm_start": 1,
        "vm_stop": 1,
        "vm_delete": 1,
        "snapshot_create": 1,
        "snapshot_restore": 1,
        "snapshot_delete": 1,
    }


def test_an_exchange_shared_by_several_tests_counts_once() -> None:
    shared = _exchange("POST", f"{VM}/snapshots", 202, exchange_id="e1")
    run = _run((shared,), (shared,), (_exchange("POST", f"{VM}/snapshots", 202, exchange_id="e2"),))
    assert count_operations(run)["snapshot_create"] == 2


def test_every_kind_is_listed() -> None:
    assert tuple(count_operations(_run())) == OPERATIONS
