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


def test_engine_error_blames_every_named_id(run) -> None:  # type: ignore[no-untyped-def]
    source = """
import pytest
from conformance.client.engine import EngineError

@pytest.mark.requirement("SNAP-REPR-03", "SNAP-REPR-17")
def test_engine_call():
    raise EngineError("GET /vms/1/snapshots answered 500")
"""
    result, out = run(source)
    statuses = _statuses(out)
    assert statuses["SNAP-REPR-03"] == statuses["SNAP-REPR-17"] == "failed"
    data = json.loads((out / "results.json").read_text())
    assert data["suite_errors"] == []
    assert result.ret == 1


def test_error_of_the_suite_blames_nothing_and_is_shown_apart(run) -> None:  # type: ignore[no-untyped-def]
    source = """
import pytest

@pytest.mark.requirement("SNAP-REPR-03", "SNAP-REPR-17")
def test_crash():
    raise KeyError("boom")

@pytest.mark.requirement("SNAP-REPR-17")
def test_unique():
    pass
"""
    result, out = run(source)
    statuses = _statuses(out)
    assert statuses["SNAP-REPR-03"] == "not_tested"  # never blamed on the engine
    assert statuses["SNAP-REPR-17"] == "partially_tested"  # one test passed, one could not judge
    data = json.loads((out / "results.json").read_text())
    assert data["verdict"] == "incomplete"
    assert result.ret == 2
    assert [e["nodeid"] for e in data["suite_errors"]] == ["test_conformance.py::test_crash"]
    assert "KeyError" in data["suite_errors"][0]["message"]
    crash = next(t for t in data["tests"] if t["nodeid"].endswith("test_crash"))
    assert crash["outcome"] == "error"
    assert crash["suite_error"]
    assert crash["blamed"] == []
    junit = etree.parse(str(out / "junit.xml"))
    assert [e.get("type") for e in junit.iter("error")] == ["suite-error"]
    html = (out / "report.html").read_text()
    assert "Errors of the suite" in html
    result.stdout.fnmatch_lines(["ERROR OF THE SUITE*test_crash*KeyError*"])


def test_a_failure_names_the_failed_prerequisite_it_follows_from(run) -> None:  # type: ignore[no-untyped-def]
    source = """
import pytest
from conformance.checks import RequirementFailure

@pytest.mark.requirement("SNAP-CRT-01")
def test_create():
    raise RequirementFailure("SNAP-CRT-01", "create answered 500", received="500", expected="201 or 202")

@pytest.mark.requirement("SNAP-RST-03")
def test_history():
    raise RequirementFailure("SNAP-RST-03", "newer snapshots kept", received="2", expected="0")

@pytest.mark.requirement("SNAP-REPR-03")
def test_guids():
    raise RequirementFailure("SNAP-REPR-03", "braces", received="{a}", expected="a GUID")
"""
    result, out = run(source)
    data = json.loads((out / "results.json").read_text())
    follows = {r["id"]: r["follows_from"] for r in data["requirements"]}
    # RST-03 needs RST-01, which was not broken: the walk goes on to CRT-01
    assert follows["SNAP-RST-03"] == ["SNAP-CRT-01"]
    assert follows["SNAP-CRT-01"] == []
    assert follows["SNAP-REPR-03"] == []
    assert follows["SNAP-REPR-04"] == []  # not broken: nothing to explain
    junit = etree.parse(str(out / "junit.xml"))
    assert [p.get("value") for p in junit.iter("property") if p.get("name") == "follows_from"] == ["SNAP-CRT-01"]
    assert 'Follows from <a href="#sc-SNAP-CRT-01">SNAP-CRT-01</a>' in (out / "report.html").read_text()
    # the terminal lists causes first, each consequence indented under them
    lines = [line for line in result.stdout.lines if line.lstrip().startswith("FAILED SNAP-")]
    assert [line.split()[1] for line in lines] == ["SNAP-REPR-03", "SNAP-CRT-01", "SNAP-RST-03"]
    assert lines[-1].startswith("  FAILED SNAP-RST-03 (MUST) follows from SNAP-CRT-01")


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


TEARDOWN_PROBLEM = """
import pytest
from conformance.plugin.plugin import RUN_KEY

@pytest.fixture(scope="session")
def borrowed(request):
    yield
    # what the ledger fixture does when it cannot put a --vm back
    request.config.stash[RUN_KEY].state.teardown_problems.append("could not put the VM 'web-01' back as it was: 409")

@pytest.mark.requirement("SNAP-REPR-03")
def test_guid(borrowed):
    pass
"""


@pytest.mark.parametrize("workers", [pytest.param((), id="in-process"), pytest.param(("-n", "2"), id="xdist-workers")])
def test_teardown_problems_reach_every_output(run, workers: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result, out = run(TEARDOWN_PROBLEM, *workers)
    problem = "could not put the VM 'web-01' back as it was: 409"
    data = json.loads((out / "results.json").read_text())
    assert data["teardown_problems"] == [problem]
    junit = etree.parse(str(out / "junit.xml"))
    assert [p.get("value") for p in junit.iter("property") if p.get("name") == "teardown_problem"] == [problem]
    assert problem in junit.findtext(".//testsuite/system-err")
    assert "Teardown could not put everything back" in (out / "report.html").read_text()
    result.stdout.fnmatch_lines([f"TEARDOWN: {problem}"])


def test_a_run_that_could_not_run_says_so_in_every_output(run) -> None:  # type: ignore[no-untyped-def]
    source = """
import pytest
from conformance.plugin.plugin import RUN_KEY

@pytest.mark.requirement("SNAP-REPR-03")
def test_guid(request):
    request.config.stash[RUN_KEY].abort("the engine is unreachable")
"""
    result, out = run(source)
    assert result.ret == 3
    data = json.loads((out / "results.json").read_text())
    assert (data["verdict"], data["exit_code"]) == ("could_not_run", 3)
    junit = etree.parse(str(out / "junit.xml"))
    assert {p.get("name"): p.get("value") for p in junit.iter("property")}["verdict"] == "could_not_run"
