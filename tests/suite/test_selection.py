"""Selection by requirement: ``--requirement`` (globs) and ``--group``; a selection that
matches nothing is an error (exit 3, one sentence), never a silent "incomplete"."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.engine import EngineHandle

pytestmark = pytest.mark.slow


def _tested(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {rid for rid, status in result.statuses().items() if status != "not_tested"}


def test_requirement_globs_run_only_their_tests(reference_engine: EngineHandle, tmp_path: Path, cli, state) -> None:  # type: ignore[no-untyped-def]
    before = state(reference_engine)
    result = cli("run", "--engine-url", reference_engine.url, "--requirement", "snap-put-*", "--requirement", "SNAP-ERR-01", cwd=tmp_path)
    assert result.code == 2, result.stdout[-3000:]  # the rest is not tested: incomplete
    tested = _tested(result)
    assert tested == {"SNAP-PUT-01", "SNAP-PUT-02", "SNAP-PUT-03", "SNAP-ERR-01"}
    assert result.results["selection"] == {"requirements": ["SNAP-ERR-01", "SNAP-PUT-01", "SNAP-PUT-02", "SNAP-PUT-03"]}
    assert "only 4 requirements (--requirement, --group)" in (result.report_dir / "report.html").read_text()
    assert state(reference_engine) == before


def test_group_runs_the_groups_requirements(reference_engine: EngineHandle, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", "--engine-url", reference_engine.url, "--group", "del", cwd=tmp_path)
    assert result.code == 2, result.stdout[-3000:]
    tested = _tested(result)
    assert tested
    assert all(rid.startswith("SNAP-DEL-") for rid in tested), tested


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        pytest.param(("--requirement", "SNAP-NOPE-*"), "--requirement SNAP-NOPE-* matches no requirement", id="unknown-id"),
        pytest.param(("--group", "NOPE"), "--group NOPE", id="unknown-group"),
        pytest.param(("--requirement", "SNAP-ALLC-06"), "matches no requirement", id="other-dialect-only"),
        pytest.param(("-k", "SNAP-PUT-01"), "the selection (-k SNAP-PUT-01) matches no test", id="k-matches-nothing"),
    ],
)
def test_a_selection_that_matches_nothing_is_an_error(reference_engine: EngineHandle, tmp_path: Path, cli, args: tuple[str, ...], phrase: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", "--engine-url", reference_engine.url, *args, cwd=tmp_path)
    assert result.code == 3, result.stdout[-3000:]
    assert phrase in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "_pytest" not in result.stdout + result.stderr  # one sentence, no pytest internals
