"""The plugin end to end with pytester: markers, statuses, verdict, exit codes, report files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

PASSWORD = "pytester-Secret-42"

PASSING = """
import pytest
from conformance.checks import RequirementFailure
from conformance.plugin.outcomes import not_applicable

@pytest.mark.requirement("SNAP-REPR-03")
def test_guid():
    '''An engine MUST use GUIDs.'''

@pytest.mark.requirement("SNAP-REPR-04")
def test_lower_case():
    '''An engine SHOULD write lower case.'''
    raise RequirementFailure("SNAP-REPR-04", "upper case", received="'ABC'", expected="lower case")

@pytest.mark.requirement("SNAP-REPR-08")
def test_prev():
    '''An engine MAY link prev.'''
    not_applicable("no prev links")
"""


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OVIRT_PASSWORD", PASSWORD)
    monkeypatch.delenv("OVIRT_URL", raising=False)

    def _run(source: str, *args: str) -> tuple[pytest.RunResult, Path]:
        pytester.makepyfile(test_conformance=source)
        result = pytester.runpytest("--engine-url", "http://127.0.0.1:9/ovirt-engine/api", "--report-dir", "out", *args)
        return result, pytester.path / "out"

    return _run


def _statuses(report_dir: Path) -> dict[str, str]:
    data = json.loads((report_dir / "results.json").read_text())
    return {r["id"]: r["status"] for r in data["requirements"]}


def test_statuses_verdict_and_files(run) -> None:  # type: ignore[no-untyped-def]
    result, out = run(PASSING)
    statuses = _statuses(out)
    assert statuses["SNAP-REPR-03"] == "passed"
    assert statuses["SNAP-REPR-04"] == "warning"  # a SHOULD failure warns
    assert statuses["SNAP-REPR-08"] == "not_applicable"
    assert statuses["SNAP-REPR-01"] == "not_tested"
    data = json.loads((out / "results.json").read_text())
    assert data["verdict"] == "incomplete"  # MUSTs left untested
    assert result.ret == 2
    assert {p.name for p in out.iterdir()} >= {"results.json", "junit.xml", "report.html"}


def test_must_failure_is_not_conformant_and_blames_only_its_id(run) -> None:  # type: ignore[no-untyped-def]
    source = """
import pytest
from conformance.checks import RequirementFailure

@pytest.mark.requirement("SNAP-REPR-03", "SNAP-REPR-17")
def test_two():
    raise RequirementFailure("SNAP-REPR-17", "duplicate ids", received="a, a", expected="unique")
"""
    result, out = run(source)
    statuses = _statuses(out)
    assert statuses["SNAP-REPR-17"] == "failed"
    assert statuses["SNAP-REPR-03"] == "not_tested"  # named, not blamed, not passed
    assert result.ret == 1
    junit = etree.parse(str(out / "junit.xml"))
    values = {p.get("value") for p in junit.iter("property") if p.get("name") == "requirement"}
    assert values >= {"SNAP-REPR-03", "SNAP-REPR-17"}


def test_other_exception_blames_every_named_id(run) -> None:  # type: ignore[no-untyped-def]
    source = """
import pytest

@pytest.mark.requirement("SNAP-REPR-03", "SNAP-REPR-17")
def test_crash():
    raise KeyError("boom")
"""
    result, out = run(source)
    statuses = _statuses(out)
    assert statuses["SNAP-REPR-03"] == statuses["SNAP-REPR-17"] == "failed"
    assert result.ret == 1


def test_unknown_requirement_id_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    source = """
import pytest

@pytest.mark.requirement("SNAP-NOPE-99")
def test_unknown():
    pass
"""
    result, _ = run(source)
    result.stderr.fnmatch_lines(["*SNAP-NOPE-99*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_no_password_is_a_usage_error(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OVIRT_PASSWORD", raising=False)
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest("--engine-url", "http://127.0.0.1:9/ovirt-engine/api")
    result.stderr.fnmatch_lines(["*no password*OVIRT_PASSWORD*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_inert_without_engine_url_and_markers(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OVIRT_URL", raising=False)
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    assert not (pytester.path / "reports").exists()


def test_password_never_reaches_a_report(run) -> None:  # type: ignore[no-untyped-def]
    source = f"""
import pytest
from conformance.checks import RequirementFailure

@pytest.mark.requirement("SNAP-REPR-03")
def test_leaky():
    raise RequirementFailure("SNAP-REPR-03", "leak {PASSWORD}", received="{PASSWORD}", expected="x")
"""
    _, out = run(source)
    for path in out.iterdir():
        assert PASSWORD not in path.read_text(errors="replace"), path.name
