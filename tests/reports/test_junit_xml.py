"""``junit.xml`` parses, and carries counts, the verdict and the requirement IDs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from conformance.catalogue import Catalogue
from conformance.reports import write_junit
from conformance.reports._junit import split_nodeid
from conformance.reports.model import RunRecord, TestRecord
from conformance.reports.verdict import evaluate

MakeRecord = Callable[..., TestRecord]
MakeRun = Callable[..., RunRecord]


@pytest.fixture
def junit(tmp_path: Path, small_catalogue: Catalogue, make_record: MakeRecord, make_run: MakeRun, make_exchange: Callable[..., object]) -> etree._Element:
    run = make_run(
        make_record("conformance/suite/test_repr.py::TestList::test_ok[v3]", ("SNAP-REPR-01", "SNAP-REPR-04")),
        make_record(
            "conformance/suite/test_repr.py::test_guid",
            ("SNAP-REPR-01",),
            "failed",
            blamed=("SNAP-REPR-04",),
            message='SNAP-REPR-04: GUID is upper case\nReceived: "<A&B>"\x00\x1b[0m\nExpected: lower case',
            exchanges=(make_exchange(response_body="<evidence-of-the-failure/>" + "x" * 5000),),
        ),
        make_record(
            "conformance/suite/test_prev.py::test_prev",
            ("SNAP-REPR-08",),
            "skipped",
            not_applicable=True,
            message="no rel=prev link",
            exchanges=(make_exchange(response_body="<passing-evidence-stays-out/>"),),
        ),
        make_record("conformance/suite/test_x.py::test_err", ("SNAP-REPR-01",), "error", blamed=("SNAP-REPR-01",), message="ConnectError: refused"),
        aborted=None,
    )
    path = write_junit(tmp_path / "junit.xml", evaluate(small_catalogue, run), run)
    assert b"passing-evidence-stays-out" not in path.read_bytes()
    return etree.parse(str(path)).getroot()


def test_a_failed_case_carries_its_exchanges_as_system_out(junit: etree._Element) -> None:
    """The evidence of a failure, in CI's own view: request, answer, the body cut short."""
    (case,) = [case for case in junit.findall("testsuite/testcase") if case.get("name") == "test_guid"]
    out = case.findtext("system-out") or ""
    assert "<evidence-of-the-failure/>" in out
    assert "-> " in out
    assert "more characters]" in out
    assert len(out) < 6000


def test_one_suite_with_counts(junit: etree._Element) -> None:
    assert junit.tag == "testsuites"
    (suite,) = junit.findall("testsuite")
    assert suite.get("name") == "snapshot-conformance"
    assert {key: suite.get(key) for key in ("tests", "failures", "errors", "skipped")} == {"tests": "4", "failures": "1", "errors": "1", "skipped": "1"}
    assert suite.get("timestamp") == "2024-05-01T12:00:00+00:00"
    assert float(suite.get("time", "")) == pytest.approx(1.0)


def test_suite_properties_carry_the_verdict(junit: etree._Element) -> None:
    properties = {p.get("name"): p.get("value") for p in junit.findall("testsuite/properties/property")}
    assert properties["verdict"] == "not_conformant"
    assert properties["api_version"] == "3"
    assert properties["engine_url"] == "https://engine.example/ovirt-engine/api"


def test_each_case_names_its_requirements(junit: etree._Element) -> None:
    cases = junit.findall("testsuite/testcase")
    assert [(case.get("classname"), case.get("name")) for case in cases] == [
        ("conformance.suite.test_repr.TestList", "test_ok[v3]"),
        ("conformance.suite.test_repr", "test_guid"),
        ("conformance.suite.test_prev", "test_prev"),
        ("conformance.suite.test_x", "test_err"),
    ]
    first, failed = cases[0], cases[1]
    assert [(p.get("name"), p.get("value")) for p in first.findall("properties/property") if p.get("name") == "requirement"] == [
        ("requirement", "SNAP-REPR-01"),
        ("requirement", "SNAP-REPR-04"),
    ]
    assert [p.get("value") for p in failed.findall("properties/property[@name='blamed']")] == ["SNAP-REPR-04"]
    assert first.find("failure") is None
    assert first.get("time") == "0.250"


def test_failure_error_and_skip_carry_the_message(junit: etree._Element) -> None:
    failed, skipped, errored = junit.findall("testsuite/testcase")[1:]
    failure = failed.find("failure")
    assert failure is not None
    assert failure.get("message") == "SNAP-REPR-04: GUID is upper case"
    # markup stays text, and characters XML cannot carry are shown as escapes
    assert failure.text == 'SNAP-REPR-04: GUID is upper case\nReceived: "<A&B>"\\x00\\x1b[0m\nExpected: lower case'
    skip = skipped.find("skipped")
    assert skip is not None
    assert skip.get("message") == "no rel=prev link"
    assert skipped.find("properties/property[@name='not_applicable']").get("value") == "true"  # type: ignore[union-attr]
    error = errored.find("error")
    assert error is not None
    assert error.get("message") == "ConnectError: refused"


@pytest.mark.parametrize(
    ("nodeid", "expected"),
    [
        pytest.param("tests/test_a.py::test_b", ("tests.test_a", "test_b"), id="function"),
        pytest.param("tests/test_a.py::TestC::test_d[x-y]", ("tests.test_a.TestC", "test_d[x-y]"), id="method-with-params"),
        pytest.param("test_a.py", ("", "test_a.py"), id="module-only"),
    ],
)
def test_split_nodeid(nodeid: str, expected: tuple[str, str]) -> None:
    assert split_nodeid(nodeid) == expected
