"""The registry of faults and variants, how the engine and the command line take them, and
how the matrix is judged (without running the suite)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conformance.calibration import Outcome, render_text, select_cases
from conformance.calibration._matrix import judge
from conformance.catalogue import Level, load_catalogue
from conformance.cli import main, serve
from conformance.engine import FAULTS, VARIANTS, EngineSettings, Injectable, start_engine
from conformance.engine._injector import BEHAVIOURS

#: Requirements no fault can break alone, and why (docs/calibration.md lists the faults).
NOT_ISOLABLE = {
    # every answer that is not a 4xx is no 405 either (SNAP-PUT-02, SHOULD)
    "SNAP-PUT-01",
    # an absent or invalid date names no instant (SNAP-REPR-12, SHOULD): the suite reads it so on purpose
    "SNAP-REPR-11",
}


@pytest.mark.parametrize("dialect", ["3", "4"])
def test_every_requirement_of_the_dialects_catalogue_has_a_fault_in_that_dialect(dialect: str) -> None:
    """MUST, SHOULD and MAY alike: an offered MAY is judged like a MUST."""
    covered = {rid for fault in FAULTS.values() if dialect in fault.dialects for rid in fault.breaks}
    missing = [r.id for r in load_catalogue().for_dialect(dialect) if r.id not in covered]
    assert not missing, f"v{dialect} requirements without a v{dialect} fault behind them: {missing}"


@pytest.mark.parametrize("dialect", ["3", "4"])
def test_every_requirement_has_a_fault_of_its_own_where_one_can_exist(dialect: str) -> None:
    alone = {fault.breaks[0] for fault in FAULTS.values() if len(fault.breaks) == 1 and dialect in fault.dialects}
    assert {r.id for r in load_catalogue().for_dialect(dialect)} - alone == NOT_ISOLABLE


def test_faults_name_known_requirements_and_say_why_they_break_several() -> None:
    catalogue = load_catalogue()
    for fault in FAULTS.values():
        assert fault.kind == "fault"
        for dialect in fault.dialects:  # what it breaks applies in every dialect it runs in
            assert set(fault.breaks) <= {r.id for r in catalogue.for_dialect(dialect)}, (fault.name, dialect)
        assert len(set(fault.breaks)) == len(fault.breaks), fault.name
        assert bool(fault.why) == (len(fault.breaks) > 1), fault.name
        assert fault.summary.endswith("."), fault.name
    for variant in VARIANTS.values():
        assert variant.kind == "variant"
        assert variant.breaks == ()
    for case in (*FAULTS.values(), *VARIANTS.values()):  # a case restricted to one dialect says why
        assert case.dialects, case.name
        assert case.dialects <= {"3", "4"}, case.name
        assert bool(case.restricted) == (case.dialects != {"3", "4"}), case.name


def test_every_name_has_a_behaviour_and_every_behaviour_a_name() -> None:
    assert set(BEHAVIOURS) == set(FAULTS) | set(VARIANTS)
    assert not set(FAULTS) & set(VARIANTS)


def test_settings_take_names_and_refuse_unknown_ones() -> None:
    settings = EngineSettings(password="x", faults=["auth-bypass"], variants={"delete-204"})  # type: ignore[arg-type]
    assert settings.faults == frozenset({"auth-bypass"})
    assert settings.variants == frozenset({"delete-204"})
    with pytest.raises(ValueError, match=r"unknown fault.*no-such-fault.*known faults: .*auth-bypass"):
        EngineSettings(password="x", faults=frozenset({"no-such-fault"}))
    with pytest.raises(ValueError, match=r"unknown variant.*auth-bypass.*known variants: .*delete-204"):
        EngineSettings(password="x", variants=frozenset({"auth-bypass"}))
    with pytest.raises(ValueError, match="collection of names"):
        EngineSettings(password="x", faults="auth-bypass")  # type: ignore[arg-type]


def test_variant_timings_apply_and_faults_combine() -> None:
    slow = EngineSettings(password="pw", variants=frozenset({"slow-timings"}))
    with start_engine(slow) as engine, httpx.Client(auth=("admin@internal", "pw")) as client:
        assert client.get(engine.url).status_code == 200
    combined = EngineSettings(password="pw", faults=frozenset({"auth-bypass", "json-by-default"}))
    with start_engine(combined) as engine, httpx.Client() as client:
        request = client.build_request("GET", engine.url + "/vms")
        del request.headers["Accept"]
        answer = client.send(request)  # no credentials, no Accept: both faults at once
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/json")


def test_an_engine_without_faults_is_untouched() -> None:
    with start_engine(EngineSettings(password="pw")) as engine, httpx.Client() as client:
        assert client.get(engine.url + "/vms").status_code == 401


def _serve_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    serve.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["serve", *argv])


def test_serve_accepts_faults_and_variants() -> None:
    args = _serve_args("--fault", "auth-bypass", "--fault", "put-400", "--variant", "delete-204", "--port", "0")
    assert args.fault == ["auth-bypass", "put-400"]
    assert args.variant == ["delete-204"]


def test_serve_lists_every_fault_and_variant(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.run(_serve_args("--list-faults")) == 0
    listed = capsys.readouterr().out
    for name in (*FAULTS, *VARIANTS):
        assert f"  {name} " in listed
    assert "SNAP-REPR-04 (SHOULD)" in listed


@pytest.mark.parametrize("argv", [("--fault", "no-such-fault"), ("--variant", "auth-bypass")])
def test_serve_refuses_unknown_names(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.run(_serve_args(*argv, "--port", "0")) == 3
    assert "--list-faults" in capsys.readouterr().err


def test_selection_of_cases() -> None:
    every = (*FAULTS.values(), *VARIANTS.values())
    assert len(select_cases()) == sum(len(case.dialects) for case in every)
    assert [(c.name, c.dialect) for c in select_cases(["put-400"], ["delete-204"])] == [
        ("put-400", "3"),
        ("delete-204", "3"),
        ("put-400", "4"),
        ("delete-204", "4"),
    ]
    assert [c.name for c in select_cases(variants=["delete-204"], dialects=["4"])] == ["delete-204"]
    # a case limited to v4 is not run in v3
    assert select_cases(["all-content-query-ignored"], dialects=["3"]) == ()
    assert [c.dialect for c in select_cases(["all-content-query-ignored"])] == ["4"]
    with pytest.raises(ValueError, match="unknown fault 'nope'"):
        select_cases(["nope"])
    with pytest.raises(ValueError, match="unknown dialect"):
        select_cases(dialects=["5"])


def test_selfcheck_refuses_unknown_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selfcheck", "--fault", "nope"]) == 3
    assert "unknown fault 'nope'" in capsys.readouterr().err


# --- judging, on made-up outcomes ------------------------------------------------------------


def _outcome(case: Injectable, verdict: str | None, statuses: dict[str, str], **extra: object) -> Outcome:
    blamed = tuple(sorted(rid for rid, status in statuses.items() if status in ("failed", "warning")))
    return Outcome(case=case, exit_code=0, verdict=verdict, statuses=statuses, blamed=blamed, **extra)  # type: ignore[arg-type]


MUST_FAULT = FAULTS["collection-status-203"]  # SNAP-REPR-01, MUST
SHOULD_FAULT = FAULTS["ids-upper-case"]  # SNAP-REPR-04, SHOULD
VARIANT = VARIANTS["delete-204"]


@pytest.mark.parametrize(
    ("outcome", "verdict"),
    [
        pytest.param(_outcome(MUST_FAULT, "not_conformant", {"SNAP-REPR-01": "failed"}), "detected", id="detected"),
        pytest.param(_outcome(MUST_FAULT, "conformant", {"SNAP-REPR-01": "passed"}), "missed", id="missed"),
        pytest.param(_outcome(MUST_FAULT, "not_conformant", {"SNAP-REPR-01": "failed", "SNAP-REPR-02": "failed"}), "mis-blamed", id="mis-blamed"),
        pytest.param(_outcome(SHOULD_FAULT, "conformant", {"SNAP-REPR-04": "warning"}), "detected", id="should-is-a-warning"),
        pytest.param(_outcome(SHOULD_FAULT, "incomplete", {"SNAP-REPR-04": "warning"}), "wrong verdict", id="should-fault-not-conformant"),
        pytest.param(_outcome(MUST_FAULT, "not_conformant", {"SNAP-REPR-01": "failed"}, server_errors=2), "engine fault", id="unexpected-5xx"),
        pytest.param(_outcome(MUST_FAULT, None, {}, problem="hung: killed after 240 s"), "error", id="hung"),
        pytest.param(_outcome(VARIANT, "conformant", {"SNAP-DEL-01": "passed"}), "conformant", id="variant-conformant"),
        pytest.param(_outcome(VARIANT, "not_conformant", {"SNAP-DEL-01": "failed"}), "false alarm", id="false-alarm"),
        pytest.param(_outcome(VARIANT, "conformant", {"SNAP-REPR-04": "warning"}), "false alarm", id="a-warning-is-an-alarm-too"),
    ],
)
def test_judging(outcome: Outcome, verdict: str) -> None:
    matrix = judge([outcome], load_catalogue())
    (row,) = matrix.rows
    assert row.verdict == verdict
    assert matrix.ok is (verdict in ("detected", "conformant"))
    assert row.name in render_text(matrix)


def test_summary_line() -> None:
    outcomes = [
        _outcome(MUST_FAULT, "not_conformant", {"SNAP-REPR-01": "failed"}),
        _outcome(SHOULD_FAULT, "conformant", {"SNAP-REPR-04": "passed"}),
        _outcome(VARIANT, "conformant", {}),
    ]
    summary = judge(outcomes, load_catalogue()).summary()
    assert summary == "1/2 faults detected (50 %), 0 mis-blamed, 0 false alarms on 1 variant"
    assert Level.SHOULD is load_catalogue()["SNAP-REPR-04"].level


def test_selfcheck_prints_the_matrix_and_writes_json_and_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["selfcheck", "--fault", "put-400", "--variant", "delete-204", "-j", "2", "--json", str(tmp_path / "m.json"), "--markdown", str(tmp_path / "m.md")]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "put-400" in printed
    # both dialects by default: the summary counts (case, dialect) pairs, then each dialect
    assert "2/2 faults detected (100 %), 0 mis-blamed, 0 false alarms on 2 variants (v3: 1/1 faults detected" in printed
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["ok"] is True
    assert [(f["dialect"], f["blamed"]) for f in document["faults"]] == [("3", ["SNAP-PUT-02"]), ("4", ["SNAP-PUT-02"])]
    assert document["variants"][0]["verdict"] == "conformant"
    assert "| `put-400` | v4 |" in (tmp_path / "m.md").read_text()


def test_selfcheck_runs_one_dialect(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selfcheck", "--fault", "all-content-query-ignored", "--api-version", "4", "-j", "1"]) == 0
    assert "1/1 faults detected (100 %), 0 mis-blamed, 0 false alarms on 0 variants" in capsys.readouterr().out
    assert main(["selfcheck", "--fault", "all-content-query-ignored", "--api-version", "3"]) == 3
    assert "works in API version 3" in capsys.readouterr().err


def _outcome_of(tmp_path: Path, case: Injectable, results: dict[str, object]) -> Outcome:
    from conformance.calibration._child import OUTCOME_FILE, CaseJob
    from conformance.calibration._runner import _read

    (tmp_path / OUTCOME_FILE).write_text(json.dumps({"exit_code": 1, "seconds": 1.0}))
    (tmp_path / "results.json").write_text(json.dumps(results))
    return _read(case, CaseJob(case.name, case.kind, str(tmp_path), 10.0, 1), 1.0, None)


def test_a_failure_without_evidence_or_a_resource_left_behind_is_a_problem(tmp_path: Path) -> None:
    """Whatever the engine does, every failed requirement shows an exchange and nothing stays behind."""
    case = FAULTS["put-applied"]
    failed = {"id": "SNAP-PUT-01", "status": "failed"}
    shown = {"nodeid": "t", "blamed": ["SNAP-PUT-01"], "exchange_ids": ["x"]}
    bare = {"nodeid": "t", "blamed": ["SNAP-PUT-01"]}
    assert _outcome_of(tmp_path, case, {"verdict": "not_conformant", "requirements": [failed], "tests": [shown]}).problem is None
    problem = _outcome_of(tmp_path, case, {"verdict": "not_conformant", "requirements": [failed], "tests": [bare]}).problem
    assert problem is not None
    assert "SNAP-PUT-01 without an HTTP exchange" in problem
    left = {"requirements": [failed], "tests": [shown], "created_resources": [{"href": "/vms/1", "removed": False}]}
    assert "left 1 of its resources" in (_outcome_of(tmp_path, case, left).problem or "")
    assert _outcome_of(tmp_path, FAULTS["snapshots-never-unlock"], left).problem is None


def test_selfcheck_runs_from_a_source_checkout(tmp_path: Path) -> None:
    """From the repository root the working directory holds a ``conformance/`` that is not
    the installed package (no packaged data): the workers must not import it."""
    shadow = tmp_path / "conformance" / "calibration"
    shadow.mkdir(parents=True)
    for module in ("__init__.py", "calibration/__init__.py", "calibration/_preload.py"):  # importable, but not the package
        (tmp_path / "conformance" / module).write_text("")
    script = Path(sys.executable).with_name("snapshot-conformance")
    argv = [str(script), "selfcheck", "--fault", "put-400", "--api-version", "3", "-j", "1"]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1/1 faults detected (100 %)" in done.stdout
