"""Judging the runs: was each fault detected and blamed on what it breaks, did each variant
stay conformant?

A fault's row is **detected** when every requirement it breaks is failed (a warning for a
SHOULD), no other requirement is blamed, and the verdict is what those levels call for:
not conformant when it breaks a MUST (or an offered MAY), conformant with warnings when
it breaks SHOULDs only. A variant's row is **conformant** when the run is conformant
without a failure or a warning. Either way the engine must not have answered a 5xx the
case does not exist to produce, nor logged an unexpected error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from conformance.calibration._runner import Outcome
from conformance.catalogue import Catalogue, Level

__all__ = ["Matrix", "Row", "Verdict", "judge"]

Verdict = Literal["detected", "missed", "mis-blamed", "wrong verdict", "conformant", "false alarm", "engine fault", "error"]
_BLAMING = ("failed", "warning")


@dataclass(frozen=True)
class Row:
    """One case of the matrix and its judgement."""

    outcome: Outcome
    #: expected IDs the run did not fail
    missing: tuple[str, ...]
    #: blamed IDs the case does not break (for a variant: every blamed ID)
    extra: tuple[str, ...]
    #: the run's verdict that the expected IDs call for
    wanted_verdict: str
    verdict: Verdict
    #: one sentence on what went wrong, "" when nothing did
    note: str

    @property
    def name(self) -> str:
        return self.outcome.case.name

    @property
    def dialect(self) -> str:
        return self.outcome.dialect

    @property
    def ok(self) -> bool:
        return self.verdict in ("detected", "conformant")


@dataclass(frozen=True)
class Matrix:
    rows: tuple[Row, ...]
    #: seconds the whole calibration took
    seconds: float = 0.0

    @property
    def faults(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.outcome.case.kind == "fault")

    @property
    def variants(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.outcome.case.kind == "variant")

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def dialects(self) -> tuple[str, ...]:
        """The dialects the rows cover, in row order."""
        return tuple(dict.fromkeys(row.dialect for row in self.rows))

    def of_dialect(self, dialect: str) -> Matrix:
        """The rows of one dialect."""
        return Matrix(tuple(row for row in self.rows if row.dialect == dialect), self.seconds)

    def summary(self) -> str:
        """One line: detection, mis-blame, false alarms (and errors when there are any), counted
        in (case, dialect) pairs, then per dialect when there are several."""
        line = self._counts()
        if len(self.dialects) > 1:
            line += " (" + "; ".join(f"v{d}: {self.of_dialect(d)._counts()}" for d in self.dialects) + ")"
        return line

    def _counts(self) -> str:
        faults, variants = self.faults, self.variants
        detected = sum(1 for r in faults if r.verdict == "detected")
        misblamed = sum(1 for r in faults if r.extra)
        alarms = sum(1 for r in variants if r.verdict != "conformant")
        errors = sum(1 for r in self.rows if r.verdict in ("error", "engine fault"))
        percent = f" ({100 * detected / len(faults):.0f} %)" if faults else ""
        parts = [
            f"{detected}/{len(faults)} faults detected{percent}",
            f"{misblamed} mis-blamed",
            f"{alarms} false alarm{'s' if alarms != 1 else ''} on {len(variants)} variant{'s' if len(variants) != 1 else ''}",
        ]
        if errors:
            parts.append(f"{errors} could not be judged")
        return ", ".join(parts)


def _wanted_verdict(expected: Sequence[str], catalogue: Catalogue) -> str:
    if not expected:
        return "conformant"
    levels = {catalogue[rid].level for rid in expected}
    return "conformant" if levels == {Level.SHOULD} else "not_conformant"


def _judge_fault(outcome: Outcome, catalogue: Catalogue) -> Row:
    expected = outcome.case.breaks
    missing = tuple(rid for rid in expected if outcome.statuses.get(rid) not in _BLAMING)
    blamed = set(outcome.blamed) | {rid for rid, status in outcome.statuses.items() if status in _BLAMING}
    extra = tuple(sorted(blamed - set(expected)))
    wanted = _wanted_verdict(expected, catalogue)
    verdict: Verdict
    if outcome.problem is not None or outcome.verdict is None:
        verdict, note = "error", outcome.problem or "no verdict"
    elif missing:
        verdict, note = "missed", f"not failed: {', '.join(missing)}"
    elif extra:
        verdict, note = "mis-blamed", f"also blamed: {', '.join(extra)}"
    elif outcome.verdict != wanted:
        verdict, note = "wrong verdict", f"verdict {outcome.verdict}, expected {wanted}"
    else:
        verdict, note = _engine_health(outcome, "detected")
    return Row(outcome, missing, extra, wanted, verdict, note)


def _judge_variant(outcome: Outcome) -> Row:
    blamed = set(outcome.blamed) | {rid for rid, status in outcome.statuses.items() if status in _BLAMING}
    extra = tuple(sorted(blamed))
    verdict: Verdict
    if outcome.problem is not None or outcome.verdict is None:
        verdict, note = "error", outcome.problem or "no verdict"
    elif extra or outcome.verdict != "conformant":
        verdict, note = "false alarm", f"verdict {outcome.verdict}" + (f"; blamed: {', '.join(extra)}" if extra else "")
    else:
        verdict, note = _engine_health(outcome, "conformant")
    return Row(outcome, (), extra, "conformant", verdict, note)


def _engine_health(outcome: Outcome, good: Verdict) -> tuple[Verdict, str]:
    if outcome.engine_errors:
        return "engine fault", f"the engine logged {len(outcome.engine_errors)} unexpected error(s): {outcome.engine_errors[0]}"
    if outcome.server_errors and not outcome.case.produces_5xx:
        return "engine fault", f"the engine answered {outcome.server_errors} request(s) with a 5xx"
    return good, ""


def judge(outcomes: Sequence[Outcome], catalogue: Catalogue, *, seconds: float = 0.0) -> Matrix:
    rows = tuple(_judge_fault(o, catalogue) if o.case.kind == "fault" else _judge_variant(o) for o in outcomes)
    return Matrix(rows, seconds)
