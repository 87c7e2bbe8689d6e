"""The plugin's --waivers, --baseline and --bundle, end to end with pytester (no engine needed:
the conformance tests here are stand-ins that pass or fail as told)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.cli import main

PASSWORD = "pytester-Secret-42"

#: SNAP-PUT-03 fails, SNAP-REPR-03 passes; nothing else runs (the verdict is "incomplete"
#: unless every other MUST is deselected, so the tests compare statuses and exit codes)
SOURCE = """
import pytest
from conformance.checks import RequirementFailure

@pytest.mark.requirement("SNAP-PUT-03")
def test_put():
    '''An engine MUST NOT change a snapshot on a PUT.'''
    raise RequirementFailure("SNAP-PUT-03", "changed after a PUT", received="new", expected="old")

@pytest.mark.requirement("SNAP-REPR-03")
def test_guid():
    '''An engine MUST use GUIDs.'''
"""

WAIVER = """\
- requirement: SNAP-PUT-03
  reason: known; fixed in 4.6
  owner: platform-team
  link: https://bugs.example/1
  expires: {expires}
{extra}"""


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OVIRT_PASSWORD", PASSWORD)
    monkeypatch.delenv("OVIRT_URL", raising=False)
    pytester.makepyfile(test_conformance=SOURCE)

    def _run(*args: str) -> tuple[pytest.RunResult, Path]:
        result = pytester.runpytest("--engine-url", "http://127.0.0.1:9/ovirt-engine/api", "--report-dir", "out", *args)
        return result, pytester.path / "out"

    return _run


def _waivers(path: Path, expires: str = "2999-12-31", extra: str = "") -> str:
    path.write_text(WAIVER.format(expires=expires, extra=extra))
    return str(path)


def _statuses(out: Path) -> dict[str, str]:
    return {item["id"]: item["status"] for item in json.loads((out / "results.json").read_text())["requirements"]}


def test_a_waived_failure_leaves_the_run_green_and_says_so(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result, out = run("-k", "put or guid", "--waivers", _waivers(tmp_path / "w.yaml"))
    statuses = _statuses(out)
    assert statuses["SNAP-PUT-03"] == "waived"
    assert result.ret == 2  # incomplete (the other MUSTs did not run), not 1: the failure is accepted
    result.stdout.fnmatch_lines(
        ["*snapshot-conformance verdict: incomplete with 1 waiver*", "WAIVED: SNAP-PUT-03 (failed) until 2999-12-31: known; fixed in 4.6*"]
    )
    data = json.loads((out / "results.json").read_text())
    assert data["verdict"] == "incomplete"
    assert data["summary"]["waived"] == 1
    assert data["waivers"][0]["state"] == "applied"


def test_without_the_waiver_the_same_run_fails(run) -> None:  # type: ignore[no-untyped-def]
    result, out = run("-k", "put or guid")
    assert _statuses(out)["SNAP-PUT-03"] == "failed"
    assert result.ret == 1


def test_an_engine_version_that_does_not_match_leaves_the_failure(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the stand-in tests never ask the engine, so its version is unknown: a pattern cannot match
    result, out = run("--waivers", _waivers(tmp_path / "w.yaml", extra='  engine_version: "4.*"\n'))
    assert _statuses(out)["SNAP-PUT-03"] == "failed"
    assert result.ret == 1
    result.stdout.fnmatch_lines(["WAIVER NOT APPLIED: SNAP-PUT-03: the engine's version unknown does not match '4.*'*"])


def test_a_waiver_no_longer_needed_is_flagged(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "w.yaml"
    path.write_text(WAIVER.format(expires="2999-12-31", extra="").replace("SNAP-PUT-03", "SNAP-REPR-03"))
    result, out = run("--waivers", str(path))
    result.stdout.fnmatch_lines([f"WAIVER NO LONGER NEEDED: SNAP-REPR-03 is passed; remove the waiver at {path}:1"])
    assert json.loads((out / "results.json").read_text())["waivers"][0]["state"] == "not_needed"
    assert result.ret == 1  # SNAP-PUT-03 still fails


def test_an_expired_waiver_stops_the_run_naming_the_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result, out = run("--waivers", _waivers(tmp_path / "w.yaml", expires="2020-01-31"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR  # the command line makes it 3
    result.stderr.fnmatch_lines(["*w.yaml:5: the waiver for SNAP-PUT-03 (owner platform-team) expired on 2020-01-31*"])
    assert not (out / "results.json").exists()


# --- the same through the command line: refused before anything starts (exit 3) -------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param(WAIVER.format(expires="2020-01-31", extra=""), "w.yaml:5: the waiver for SNAP-PUT-03", id="expired"),
        pytest.param(WAIVER.format(expires="2999-12-31", extra="").replace("SNAP-PUT-03", "SNAP-PUT-77"), "w.yaml:1: unknown requirement ID", id="unknown-id"),
        pytest.param("- requirement: SNAP-PUT-03\n  reason: [\n", "w.yaml:3: not valid YAML", id="malformed"),
    ],
)
def test_run_refuses_a_bad_waiver_file_with_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, words: str) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(text)
    assert main(["run", "--waivers", str(path), "--report-dir", str(tmp_path / "reports")]) == 3
    assert words in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()  # nothing ran


def test_run_refuses_an_unreadable_baseline_and_a_bundle_that_is_no_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "old.json").write_text("{not json")
    assert main(["run", "--baseline", str(tmp_path / "old.json"), "--report-dir", str(tmp_path / "r")]) == 3
    assert "old.json: not valid JSON (line 1" in capsys.readouterr().err
    assert main(["run", "--bundle", str(tmp_path / "b.tar"), "--report-dir", str(tmp_path / "r")]) == 3
    assert "must name a .zip file" in capsys.readouterr().err


# --- the gate: no worse than the baseline ---------------------------------------------------


def test_the_gate_fails_on_a_regression(run, tmp_path: Path, doc, write) -> None:  # type: ignore[no-untyped-def]
    baseline = write(tmp_path / "old.json", doc())  # everything passed
    result, out = run("--baseline", str(baseline))
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*snapshot-conformance gate: * regressed*", "REGRESSED: SNAP-PUT-03 (v3) passed -> failed: SNAP-PUT-03: changed after a PUT*"])
    assert "SNAP-PUT-03" in (out / "diff.md").read_text()
    assert (out / "diff.html").read_text().startswith("<!DOCTYPE html>")


def test_the_gate_passes_a_run_no_worse_than_before(run, tmp_path: Path, doc, write) -> None:  # type: ignore[no-untyped-def]
    # the baseline knew SNAP-PUT-03 failed and had nothing else tested: not conformant, but no worse
    statuses = {requirement["id"]: "not_tested" for requirement in doc()["requirements"]}
    statuses.update({"SNAP-PUT-03": "failed", "SNAP-REPR-03": "passed"})
    baseline = write(tmp_path / "old.json", doc(statuses))
    result, out = run("--baseline", str(baseline))
    assert _statuses(out)["SNAP-PUT-03"] == "failed"
    assert result.ret == 0, result.stdout.str()[-2000:]
    result.stdout.fnmatch_lines(["*snapshot-conformance gate: no regression*"])


def test_a_waived_regression_passes_the_gate(run, tmp_path: Path, doc, write) -> None:  # type: ignore[no-untyped-def]
    statuses = {requirement["id"]: "not_tested" for requirement in doc()["requirements"]}
    statuses.update({"SNAP-PUT-03": "passed", "SNAP-REPR-03": "passed"})
    baseline = write(tmp_path / "old.json", doc(statuses))
    result, _ = run("--baseline", str(baseline), "--waivers", _waivers(tmp_path / "w.yaml"))
    assert result.ret == 0
    result.stdout.fnmatch_lines(["REGRESSED (accepted by a waiver): SNAP-PUT-03 (v3) passed -> waived*"])


def test_the_plugin_writes_a_bundle_that_verifies(run, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    bundle = tmp_path / "bundle.zip"
    result, out = run("--bundle", str(bundle), "--waivers", _waivers(tmp_path / "w.yaml"))
    assert result.ret == 2
    assert json.loads((out / "invocation.json").read_text())["options"]["bundle"] == str(bundle)
    capsys.readouterr()
    assert main(["verify", str(bundle)]) == 0
    printed = capsys.readouterr().out
    assert "verdict:    incomplete with 1 waiver" in printed
    assert PASSWORD not in printed
