"""Records survive the JSON trip between pytest-xdist workers and the controller."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from conformance.reports.model import CreatedResource, EngineInfo, Exchange, ModelError, RunRecord, TestRecord

MakeRecord = Callable[..., TestRecord]
MakeRun = Callable[..., RunRecord]
MakeExchange = Callable[..., Exchange]


def test_run_round_trips_through_json(make_record: MakeRecord, make_run: MakeRun, make_exchange: MakeExchange) -> None:
    run = make_run(
        make_record("a", ("SNAP-REPR-01",), exchanges=(make_exchange(), make_exchange(status=None, error="ConnectTimeout"))),
        make_record("b", ("SNAP-REPR-04",), "failed", blamed=("SNAP-REPR-04",), message="x"),
        started=datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))),
        created_resources=(CreatedResource(kind="snapshot", href="/s/1", removed=False, error="409"),),
        aborted="unreachable",
    )
    assert RunRecord.from_dict(json.loads(json.dumps(run.to_dict()))) == run


@pytest.mark.parametrize(
    "record_type",
    [Exchange, TestRecord, EngineInfo, CreatedResource],
)
def test_every_record_type_round_trips(record_type: type[Any], make_record: MakeRecord, make_exchange: MakeExchange) -> None:
    samples: dict[type[Any], Any] = {
        Exchange: make_exchange(),
        TestRecord: make_record("n", ("SNAP-REPR-01",), "skipped", not_applicable=True, message="no"),
        EngineInfo: EngineInfo(url="u", api_version="4", product=None, version=None),
        CreatedResource: CreatedResource(kind="vm", href="/vms/1", removed=True),
    }
    sample = samples[record_type]
    assert record_type.from_dict(json.loads(json.dumps(sample.to_dict()))) == sample


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"outcome": "exploded"}, "'outcome' must be one of", id="unknown-outcome"),
        pytest.param({"requirement_ids": "SNAP-REPR-01"}, "'requirement_ids' must be a list", id="ids-not-a-list"),
        pytest.param({"not_applicable": "yes"}, "'not_applicable' must be a boolean", id="not-a-boolean"),
        pytest.param({"duration": "1s"}, "'duration' must be a number", id="not-a-number"),
        pytest.param({"nodeid": None}, "'nodeid' must be a string", id="not-a-string"),
    ],
)
def test_malformed_records_are_refused(make_record: MakeRecord, change: dict[str, Any], message: str) -> None:
    data = {**make_record("n", ("SNAP-REPR-01",)).to_dict(), **change}
    with pytest.raises(ModelError, match=message):
        TestRecord.from_dict(data)


def test_missing_key_is_named(make_record: MakeRecord) -> None:
    data = make_record("n", ("SNAP-REPR-01",)).to_dict()
    del data["dialect"]
    with pytest.raises(ModelError, match="missing key 'dialect'"):
        TestRecord.from_dict(data)


def test_headers_must_be_pairs(make_exchange: MakeExchange) -> None:
    data = {**make_exchange().to_dict(), "request_headers": [["Accept"]]}
    with pytest.raises(ModelError, match="pairs"):
        Exchange.from_dict(data)


def test_naive_datetimes_are_refused(make_run: MakeRun) -> None:
    with pytest.raises(ModelError, match="time-zone aware"):
        make_run(started=datetime(2024, 5, 1, 12, 0))


def test_records_are_frozen(make_record: MakeRecord) -> None:
    record = make_record("n", ("SNAP-REPR-01",))
    with pytest.raises(AttributeError):
        record.outcome = "failed"  # type: ignore[misc]


def test_test_record_is_not_collected_as_a_test_class() -> None:
    assert TestRecord.__test__ is False
