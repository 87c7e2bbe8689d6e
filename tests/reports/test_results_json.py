"""``results.json`` keeps the shape the product contract promises."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from conformance.catalogue import Catalogue, load_catalogue
from conformance.reports import results_document, write_results_json
from conformance.reports.model import CreatedResource, RunRecord, TestRecord
from conformance.reports.verdict import evaluate

MakeRecord = Callable[..., TestRecord]
MakeRun = Callable[..., RunRecord]

CONTRACT_KEYS = ["verdict", "engine", "requirements", "summary", "created_resources", "started", "finished"]
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")


def _written(tmp_path: Path, catalogue: Catalogue, run: RunRecord) -> dict:  # type: ignore[type-arg]
    path = write_results_json(tmp_path / "out" / "results.json", evaluate(catalogue, run), run)
    assert path == tmp_path / "out" / "results.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_every_key_of_the_contract_with_its_type(tmp_path: Path, make_record: MakeRecord, make_run: MakeRun) -> None:
    run = make_run(
        make_record("tests/a.py::test_a", ("SNAP-REPR-01",)),
        make_record("tests/a.py::test_b", ("SNAP-REPR-03",), "failed", blamed=("SNAP-REPR-03",), message="SNAP-REPR-03: bad"),
        created_resources=(
            CreatedResource(kind="vm", href="/ovirt-engine/api/vms/1", removed=True),
            CreatedResource(kind="snapshot", href="/ovirt-engine/api/vms/1/snapshots/2", removed=False, error="409 Conflict"),
        ),
    )
    document = _written(tmp_path, load_catalogue(), run)

    assert list(document)[: len(CONTRACT_KEYS)] == CONTRACT_KEYS
    assert document["verdict"] in {"conformant", "not_conformant", "incomplete"}
    assert document["verdict"] == "not_conformant"
    assert document["engine"] == {"url": "https://engine.example/ovirt-engine/api", "api_version": "3", "product": "oVirt Engine", "version": "4.5.4"}
    for entry in document["requirements"]:
        assert list(entry)[:5] == ["id", "level", "status", "tests", "message"]
        assert re.fullmatch(r"SNAP-[A-Z]+-\d\d", entry["id"])
        assert entry["level"] in {"MUST", "SHOULD", "MAY"}
        assert entry["status"] in {"passed", "failed", "warning", "not_tested", "not_applicable"}
        assert isinstance(entry["tests"], list)
        assert all(isinstance(test, str) for test in entry["tests"])
        assert isinstance(entry["message"], str)
    assert list(document["summary"]) == ["passed", "failed", "warning", "waived", "partially_tested", "not_tested", "not_applicable"]
    assert all(type(count) is int for count in document["summary"].values())
    assert sum(document["summary"].values()) == len(document["requirements"])
    for resource in document["created_resources"]:
        assert list(resource)[:3] == ["kind", "href", "removed"]
        assert resource["kind"] in {"vm", "snapshot"}
        assert isinstance(resource["href"], str)
        assert isinstance(resource["removed"], bool)
    assert document["created_resources"][1]["removed"] is False
    assert ISO_UTC.fullmatch(document["started"])
    assert ISO_UTC.fullmatch(document["finished"])


def test_requirements_follow_the_catalogue_and_carry_the_tests(tmp_path: Path, make_record: MakeRecord, make_run: MakeRun) -> None:
    catalogue = load_catalogue()
    document = _written(tmp_path, catalogue, make_run(make_record("tests/a.py::test_guid", ("SNAP-REPR-03",))))
    assert [entry["id"] for entry in document["requirements"]] == [r.id for r in catalogue.for_dialect("3")]
    guid = next(entry for entry in document["requirements"] if entry["id"] == "SNAP-REPR-03")
    assert guid == {
        "id": "SNAP-REPR-03",
        "level": "MUST",
        "status": "passed",
        "tests": ["tests/a.py::test_guid"],
        "message": "",
        "title": catalogue["SNAP-REPR-03"].title,
        "group": "REPR",
        "follows_from": [],
    }


def test_instants_are_written_in_utc(tmp_path: Path, small_catalogue: Catalogue, make_run: MakeRun) -> None:
    paris = timezone(timedelta(hours=2))
    run = make_run(started=datetime(2024, 5, 1, 14, 0, tzinfo=paris), finished=datetime(2024, 5, 1, 14, 5, tzinfo=paris))
    document = _written(tmp_path, small_catalogue, run)
    assert (document["started"], document["finished"]) == ("2024-05-01T12:00:00+00:00", "2024-05-01T12:05:00+00:00")


def test_extras_exit_code_read_only_aborted_tool(tmp_path: Path, small_catalogue: Catalogue, make_run: MakeRun) -> None:
    document = _written(tmp_path, small_catalogue, make_run(read_only=True, aborted="The engine was unreachable."))
    assert document["exit_code"] == 3
    assert document["read_only"] is True
    assert document["aborted"] == "The engine was unreachable."
    assert document["tool"]["name"] == "snapshot-conformance"


def test_a_failed_test_names_its_exchanges_listed_once(
    tmp_path: Path, small_catalogue: Catalogue, make_record: MakeRecord, make_run: MakeRun, make_exchange: Callable[..., object]
) -> None:
    """The evidence of every failure is in results.json: per test by id, each exchange once."""
    shared = make_exchange(exchange_id="shared-phase", response_body="<fault>" + "x" * 9000 + "</fault>")
    own = make_exchange(exchange_id="own", method="GET")
    run = make_run(
        make_record("a", ("SNAP-REPR-01",), "failed", blamed=("SNAP-REPR-01",), message="x", exchanges=(shared, own)),
        make_record("b", ("SNAP-REPR-04",), "failed", blamed=("SNAP-REPR-04",), message="y", exchanges=(shared,)),
        make_record("c", ("SNAP-REPR-01",), exchanges=(make_exchange(exchange_id="passing"),)),
    )
    document = json.loads(write_results_json(tmp_path / "results.json", evaluate(small_catalogue, run), run).read_text(encoding="utf-8"))
    tests = {test["nodeid"]: test for test in document["tests"]}
    assert tests["a"]["exchange_ids"] == ["shared-phase", "own"]
    assert tests["b"]["exchange_ids"] == ["shared-phase"]
    assert "exchange_ids" not in tests["c"]
    listed = {exchange["exchange_id"]: exchange for exchange in document["exchanges"]}
    assert list(listed) == ["shared-phase", "own"]
    assert listed["own"]["method"] == "GET"
    assert listed["shared-phase"]["response_body"].endswith("... [5015 more characters]")


def test_per_test_extras_carry_no_exchanges(
    tmp_path: Path, small_catalogue: Catalogue, make_record: MakeRecord, make_run: MakeRun, make_exchange: Callable[..., object]
) -> None:
    run = make_run(make_record("t", ("SNAP-REPR-01",), exchanges=(make_exchange(response_body="<secret-body/>"),)))
    text = write_results_json(tmp_path / "results.json", evaluate(small_catalogue, run), run).read_text(encoding="utf-8")
    assert "<secret-body/>" not in text
    assert json.loads(text)["tests"] == [
        {
            "nodeid": "t",
            "outcome": "passed",
            "requirement_ids": ["SNAP-REPR-01"],
            "blamed": [],
            "not_applicable": False,
            "suite_error": False,
            "duration": 0.25,
            "message": "",
        }
    ]


def test_stable_output_indent_2_and_newline(tmp_path: Path, small_catalogue: Catalogue, make_run: MakeRun) -> None:
    run = make_run()
    first = write_results_json(tmp_path / "1.json", evaluate(small_catalogue, run), run).read_text(encoding="utf-8")
    second = write_results_json(tmp_path / "2.json", evaluate(small_catalogue, run), run).read_text(encoding="utf-8")
    assert first == second
    assert first.startswith('{\n  "verdict": ')
    assert first.endswith("}\n")
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file of the atomic write is gone


def test_document_is_json_serialisable_without_help(small_catalogue: Catalogue, make_run: MakeRun) -> None:
    run = make_run()
    json.dumps(results_document(evaluate(small_catalogue, run), run))
