"""The selfcheck's matrix, asserted: every fault detected and blamed on exactly what it
breaks, every variant conformant, no unexpected 5xx, no engine error, no hang."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.calibration import Matrix, Row, render_markdown, select_cases
from conformance.catalogue import Level, load_catalogue

pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[2] / "docs" / "calibration.md"


#: every (case, dialect) pair the matrix runs, as pytest ids "name-v4"
FAULT_PAIRS = [pytest.param(c.name, c.dialect, id=f"{c.name}-v{c.dialect}") for c in select_cases() if c.kind == "fault"]
VARIANT_PAIRS = [pytest.param(c.name, c.dialect, id=f"{c.name}-v{c.dialect}") for c in select_cases() if c.kind == "variant"]


def _row(matrix: Matrix, name: str, dialect: str) -> Row:
    return next(row for row in matrix.rows if row.name == name and row.dialect == dialect)


def _blamed(row: Row) -> set[str]:
    outcome = row.outcome
    return set(outcome.blamed) | {rid for rid, status in outcome.statuses.items() if status in ("failed", "warning")}


def _healthy(row: Row) -> None:
    outcome = row.outcome
    assert outcome.problem is None, f"{row.name}: {outcome.problem} (reports in {outcome.report_dir})"
    assert outcome.engine_errors == (), f"{row.name}: the engine logged errors: {outcome.engine_errors}"
    if not outcome.case.produces_5xx:
        assert outcome.server_errors == 0, f"{row.name}: {outcome.server_errors} answers were 5xx"


@pytest.mark.parametrize(("name", "dialect"), FAULT_PAIRS)
def test_fault_is_detected_and_blamed_on_what_it_breaks(matrix: Matrix, name: str, dialect: str) -> None:
    row = _row(matrix, name, dialect)
    _healthy(row)
    catalogue = load_catalogue()
    outcome, breaks = row.outcome, row.outcome.case.breaks
    for rid in breaks:
        wanted = "warning" if catalogue[rid].level is Level.SHOULD else "failed"
        assert outcome.statuses.get(rid) == wanted, f"{name}: {rid} is {outcome.statuses.get(rid)}, not {wanted} ({outcome.report_dir})"
    breaks_must = any(catalogue[rid].level is not Level.SHOULD for rid in breaks)
    assert outcome.verdict == ("not_conformant" if breaks_must else "conformant"), f"{name}: verdict {outcome.verdict}"
    # no other requirement is blamed, a MUST least of all
    assert _blamed(row) <= set(breaks), f"{name}: also blamed {sorted(_blamed(row) - set(breaks))} ({outcome.report_dir})"
    assert row.verdict == "detected"


@pytest.mark.parametrize(("name", "dialect"), VARIANT_PAIRS)
def test_variant_stays_conformant(matrix: Matrix, name: str, dialect: str) -> None:
    row = _row(matrix, name, dialect)
    _healthy(row)
    assert row.outcome.verdict == "conformant", f"{name}: verdict {row.outcome.verdict} ({row.outcome.report_dir})"
    assert _blamed(row) == set(), f"{name}: false alarm on {sorted(_blamed(row))} ({row.outcome.report_dir})"
    assert row.verdict == "conformant"


def test_matrix_is_complete_and_green(matrix: Matrix) -> None:
    pairs = {(c.name, c.dialect) for c in select_cases()}
    assert {(row.name, row.dialect) for row in matrix.rows} == pairs
    assert matrix.ok, matrix.summary()
    faults = len(FAULT_PAIRS)
    assert matrix.summary().startswith(f"{faults}/{faults} faults detected (100 %), 0 mis-blamed, 0 false alarms")
    for dialect in ("3", "4"):  # each dialect's matrix is green on its own
        assert f"v{dialect}: " in matrix.summary()
        assert matrix.of_dialect(dialect).ok


def test_docs_calibration_is_the_generated_matrix(matrix: Matrix) -> None:
    """docs/calibration.md is what `selfcheck --markdown` writes: regenerate it when a fault changes."""
    assert DOCS.read_text() == render_markdown(matrix, load_catalogue()), "run: snapshot-conformance selfcheck --markdown docs/calibration.md"
