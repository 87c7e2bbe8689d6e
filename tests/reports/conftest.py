"""Builders of run records for the report tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conformance.catalogue import Catalogue, Level, Requirement
from conformance.reports.model import CreatedResource, EngineInfo, Exchange, RunRecord, TestRecord

STARTED = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
#: a secret that the tests plant in exchanges and messages
PASSWORD = "S3cr3t-Pa55!"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.sig"


def requirement(rid: str, level: Level = Level.MUST, dialects: tuple[str, ...] = ("3", "4")) -> Requirement:
    return Requirement(
        id=rid,
        level=level,
        dialects=frozenset(dialects),
        group=rid.split("-")[1],
        title=f"title of {rid}",
        text=f"An engine {level.value} do what {rid} says.",
        source="seed 15.6.5.1",
    )


def record(
    nodeid: str,
    ids: tuple[str, ...],
    outcome: str = "passed",
    *,
    blamed: tuple[str, ...] = (),
    message: str = "",
    not_applicable: bool = False,
    exchanges: tuple[Exchange, ...] = (),
    docstring: str = "An engine MUST behave.",
) -> TestRecord:
    return TestRecord(
        nodeid=nodeid,
        requirement_ids=ids,
        outcome=outcome,  # type: ignore[arg-type]
        blamed=blamed,
        message=message,
        not_applicable=not_applicable,
        docstring=docstring,
        duration=0.25,
        exchanges=exchanges,
        dialect="3",
    )


def run_record(*tests: TestRecord, api_version: str = "3", **overrides: Any) -> RunRecord:
    values: dict[str, Any] = {
        "engine": EngineInfo(url="https://engine.example/ovirt-engine/api", api_version=api_version, product="oVirt Engine", version="4.5.4"),
        "started": STARTED,
        "finished": STARTED + timedelta(minutes=3, seconds=5),
        "tests": tests,
        "created_resources": (CreatedResource(kind="vm", href="/ovirt-engine/api/vms/1", removed=True),),
        "read_only": False,
    }
    values.update(overrides)
    return RunRecord(**values)


def exchange(**overrides: Any) -> Exchange:
    values: dict[str, Any] = {
        "method": "POST",
        "url": "https://engine.example/ovirt-engine/api/vms/1/snapshots",
        "request_headers": (("Accept", "application/xml"), ("Content-Type", "application/xml")),
        "request_body": "<snapshot><description>conformance</description></snapshot>",
        "status": 400,
        "response_headers": (("Content-Type", "application/xml"),),
        "response_body": "<fault><reason>Incomplete parameters</reason></fault>",
        "elapsed_ms": 12.5,
        "error": None,
    }
    values.update(overrides)
    return Exchange(**values)


@pytest.fixture
def small_catalogue() -> Catalogue:
    """One requirement of each kind the rules tell apart."""
    return Catalogue(
        [
            requirement("SNAP-REPR-01"),
            requirement("SNAP-REPR-04", Level.SHOULD),
            requirement("SNAP-REPR-08", Level.MAY),
            requirement("SNAP-ALLC-06", dialects=("4",)),
        ]
    )


@pytest.fixture
def make_record() -> Callable[..., TestRecord]:
    return record


@pytest.fixture
def make_run() -> Callable[..., RunRecord]:
    return run_record


@pytest.fixture
def make_exchange() -> Callable[..., Exchange]:
    return exchange


@pytest.fixture
def planted() -> tuple[str, str]:
    """The password and the token planted in records (neither may reach a report)."""
    return PASSWORD, TOKEN
