"""Comparing two runs: what regressed, what was fixed, what is new (``diff``, ``run --baseline``).

Requirements are compared per dialect and ID. Each status has a rank, and a higher rank is
worse: ``passed`` 0, ``not_applicable`` 1, ``partially_tested`` 2, ``not_tested`` 3,
``warning``/``failed``/``waived`` 4, any status this version does not know 5. A dialect the
new run did not check counts as ``not_tested`` there. Each pair (old, new) falls into one
category:

======================  ===================================================================
category                when
======================  ===================================================================
``regressed``           the new status is worse (passed → failed, warning, not tested ...);
                        a regression to ``waived`` is listed but accepted (a waiver says so)
``fixed``               failed/warning/waived → passed or not applicable
``newly_tested``        not tested (or not applicable) → passed or not applicable
``unchanged_failure``   a failure (or warning, or waived) both times
``changed``             better, but not a fix: failed → not tested, not tested → partially
``unchanged_untested``  not tested (or partially) both times
``unchanged_pass``      passed (or not applicable) both times
``added``               only the new run's catalogue has the requirement
``removed``             only the old run's catalogue has it
======================  ===================================================================

The gate is "no worse than before": :attr:`Comparison.exit_code` is 1 when a requirement
regressed without a waiver, else 0. A changed catalogue (its SHA-256) or tool version is a
warning, never a failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from conformance.reports.reading import DialectResults, LoadedResults, RequirementState

__all__ = [
    "CATEGORIES",
    "EXIT_NO_REGRESSION",
    "EXIT_REGRESSION",
    "Category",
    "Change",
    "Comparison",
    "compare",
    "gate_exit_code",
    "status_rank",
]

Category = Literal[
    "regressed", "fixed", "newly_tested", "unchanged_failure", "changed", "unchanged_untested", "unchanged_pass", "added", "removed"
]  # fmt: skip

#: Every category, in the order the reports list them.
CATEGORIES: tuple[Category, ...] = (
    "regressed", "fixed", "newly_tested", "unchanged_failure", "changed", "unchanged_untested", "unchanged_pass", "added", "removed",
)  # fmt: skip

EXIT_NO_REGRESSION = 0
EXIT_REGRESSION = 1
#: exit statuses of ``run`` that the gate passes on as they are: could not run, interrupted
_NOT_GATED = (3, 130)

_RANK: Mapping[str, int] = {
    "passed": 0,
    "not_applicable": 1,
    "partially_tested": 2,
    "not_tested": 3,
    "warning": 4,
    "failed": 4,
    "waived": 4,
}
_UNKNOWN_RANK = 5
_GOOD = ("passed", "not_applicable")
_UNTESTED = ("partially_tested", "not_tested")


def status_rank(status: str) -> int:
    """How bad a status is (0 best); a status this version does not know ranks worst."""
    return _RANK.get(status, _UNKNOWN_RANK)


@dataclass(frozen=True)
class Change:
    """One requirement of one dialect, before and after."""

    requirement_id: str
    dialect: str
    level: str
    title: str
    category: Category
    #: None when the run did not have the requirement (added/removed)
    old_status: str | None
    new_status: str | None
    old_message: str
    new_message: str
    #: the new run's waiver of the requirement (status ``waived``), as results.json has it
    waiver: Mapping[str, object] | None = None

    @property
    def accepted(self) -> bool:
        """A regression that a waiver of the new run accepts."""
        return self.category == "regressed" and self.new_status == "waived"


@dataclass(frozen=True)
class Comparison:
    old: LoadedResults
    new: LoadedResults
    changes: tuple[Change, ...]
    warnings: tuple[str, ...]

    def of(self, category: Category) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.category == category)

    @property
    def counts(self) -> dict[str, int]:
        return {category: len(self.of(category)) for category in CATEGORIES}

    @property
    def regressions(self) -> tuple[Change, ...]:
        """Regressions no waiver accepts: these fail the gate."""
        return tuple(change for change in self.of("regressed") if not change.accepted)

    @property
    def exit_code(self) -> int:
        return EXIT_REGRESSION if self.regressions else EXIT_NO_REGRESSION

    @property
    def headline(self) -> str:
        """One sentence: the gate's answer."""
        regressions = len(self.regressions)
        accepted = len(self.of("regressed")) - regressions
        fixed = len(self.of("fixed"))
        text = f"{regressions} requirement{'s' if regressions != 1 else ''} regressed" if regressions else "no regression"
        extras = []
        if accepted:
            extras.append(f"{accepted} regression{'s' if accepted != 1 else ''} accepted by a waiver")
        if fixed:
            extras.append(f"{fixed} fixed")
        newly = len(self.of("newly_tested"))
        if newly:
            extras.append(f"{newly} newly tested")
        return text + (f" ({', '.join(extras)})" if extras else "")


def compare(old: LoadedResults, new: LoadedResults) -> Comparison:
    """Compare two runs requirement by requirement (see the module's table)."""
    changes: list[Change] = []
    dialects = list(dict.fromkeys([*old.dialects, *new.dialects]))
    for dialect in dialects:
        changes.extend(_compare_dialect(dialect, old.run(dialect), new.run(dialect)))
    return Comparison(old=old, new=new, changes=tuple(changes), warnings=tuple(_warnings(old, new)))


def gate_exit_code(run_exit: int, comparison: Comparison | None) -> int:
    """The exit status of ``run --baseline``: the gate's (0 or 1), unless the run could not
    run (3) or was interrupted (130); those pass through, as there is nothing to compare."""
    if run_exit in _NOT_GATED or comparison is None:
        return run_exit
    return comparison.exit_code


def _compare_dialect(dialect: str, old: DialectResults | None, new: DialectResults | None) -> list[Change]:
    old_ids = [state.id for state in old.requirements] if old else []
    new_ids = [state.id for state in new.requirements] if new else []
    changes = []
    for rid in dict.fromkeys([*old_ids, *new_ids]):
        before = old.get(rid) if old else None
        after = new.get(rid) if new else None
        changes.append(_change(dialect, rid, before, after, old_ran=old is not None, new_ran=new is not None))
    return changes


def _change(dialect: str, rid: str, before: RequirementState | None, after: RequirementState | None, *, old_ran: bool, new_ran: bool) -> Change:
    known = after or before
    assert known is not None
    # a dialect one run did not check is "not tested" there; an ID one catalogue lacks is added/removed
    old_status = before.status if before else (None if old_ran else "not_tested")
    new_status = after.status if after else (None if new_ran else "not_tested")
    category: Category
    if old_status is None:
        category = "added"
    elif new_status is None:
        category = "removed"
    else:
        category = _category(old_status, new_status)
    return Change(
        requirement_id=rid,
        dialect=dialect,
        level=known.level,
        title=known.title,
        category=category,
        old_status=old_status,
        new_status=new_status,
        old_message=before.message if before else ("" if old_ran else f"the v{dialect} dialect was not run"),
        new_message=after.message if after else ("" if new_ran else f"the v{dialect} dialect was not run"),
        waiver=after.waiver if after else None,
    )


def _category(old: str, new: str) -> Category:
    old_rank, new_rank = status_rank(old), status_rank(new)
    if new_rank > old_rank:
        return "regressed"
    if new_rank < old_rank:
        if new in _GOOD:
            return "fixed" if old_rank >= _RANK["failed"] else "newly_tested"
        return "changed"
    if new in _GOOD:
        return "unchanged_pass"
    if new in _UNTESTED:
        return "unchanged_untested"
    return "unchanged_failure"


def _warnings(old: LoadedResults, new: LoadedResults) -> list[str]:
    warnings = []
    if old.catalogue_sha256 != new.catalogue_sha256:
        if old.catalogue_sha256 and new.catalogue_sha256:
            detail = f"SHA-256 {old.catalogue_sha256[:12]}… then {new.catalogue_sha256[:12]}…"
        else:
            detail = "one of the runs does not record its catalogue"
        warnings.append(
            f"the requirement catalogue changed between the runs ({detail}): a requirement whose wording or level changed may differ for that reason alone"
        )
    if old.tool_version != new.tool_version:
        warnings.append(
            f"the runs were made by different versions of snapshot-conformance ({old.tool_version or 'unknown'}, then {new.tool_version or 'unknown'})"
        )
    missing = [dialect for dialect in old.dialects if dialect not in new.dialects]
    if missing:
        names = ", ".join("v" + dialect for dialect in missing)
        warnings.append(f"the new run did not check the old one's dialect {names}: its requirements count as not tested there")
    for dialect in new.dialects:
        run = new.run(dialect)
        if run is not None and (run.interrupted or run.aborted):
            warnings.append(f"the new run (v{dialect}) did not finish ({'interrupted' if run.interrupted else run.aborted}): its statuses are partial")
    return warnings
