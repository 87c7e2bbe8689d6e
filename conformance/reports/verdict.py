"""From test records to a status per requirement and one verdict for the run.

Per requirement of the run's dialect (others are left out):

========================  ===============================================================
status                    when
========================  ===============================================================
``failed``                a test blames it (``warning`` instead for a SHOULD)
``partially_tested``      else, a test naming it passed, and another errored, or was skipped
                          as "not tested: …" (it follows from a failed requirement): never
                          a pass of the whole
``passed``                else, a test naming it passed
``not_applicable``        else, a MAY whose tests were all skipped as not applicable (a MUST
                          or SHOULD skipped so is ``not_tested``: only an optional feature
                          can be absent)
``not_tested``            else (no test, skipped, deselected, errored without blame)
========================  ===============================================================

A tested MAY requirement is judged like a MUST. The verdict: a failed MUST or MAY makes the
engine ``not_conformant``; else an applicable MUST left ``not_tested`` or
``partially_tested`` makes the run
``incomplete``; else it is ``conformant``. Warnings never change the verdict.

A failure or warning that a waiver accepts (:mod:`.waivers`, ``run --waivers``) becomes
``waived``: it keeps its message and names its waiver, and no longer counts against the
verdict (:func:`rejudged`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from conformance.catalogue import Catalogue, Level, Requirement
from conformance.reports.model import RunRecord, TestRecord

if TYPE_CHECKING:  # waivers.py imports this module
    from conformance.reports.waivers import WaiverUse

__all__ = [
    "EXIT_CODES",
    "EXIT_COULD_NOT_RUN",
    "EXIT_INTERRUPTED",
    "STATUSES",
    "Evaluation",
    "RequirementResult",
    "Status",
    "UnknownRequirementError",
    "Verdict",
    "evaluate",
    "exit_code",
    "failure_lines",
    "rejudged",
    "run_verdict",
]

Status = Literal["passed", "failed", "warning", "waived", "partially_tested", "not_tested", "not_applicable"]

#: How a skip reason starts when the test could not judge what it should have (the suite's
#: convention: ``pytest.skip("not tested: follows from SNAP-CRT-01 (…)")``)
NOT_TESTED_PREFIX = "not tested"

#: Every status, in the order summaries list them.
STATUSES: tuple[Status, ...] = ("passed", "failed", "warning", "waived", "partially_tested", "not_tested", "not_applicable")


class Verdict(enum.StrEnum):
    CONFORMANT = "conformant"
    NOT_CONFORMANT = "not_conformant"
    INCOMPLETE = "incomplete"

    def __str__(self) -> str:
        return self.value


#: Exit status of ``snapshot-conformance run`` per verdict (see the product contract).
EXIT_CODES: Mapping[Verdict, int] = MappingProxyType({Verdict.CONFORMANT: 0, Verdict.NOT_CONFORMANT: 1, Verdict.INCOMPLETE: 2})
#: Exit status when the run could not run: bad arguments, engine unreachable, TLS or auth failure.
EXIT_COULD_NOT_RUN = 3
#: Exit status when a signal (SIGINT, SIGTERM) interrupted the run (after its teardown and reports).
EXIT_INTERRUPTED = 130


class UnknownRequirementError(ValueError):
    """A test names or blames an ID the catalogue does not have (a bug in the suite)."""


@dataclass(frozen=True)
class RequirementResult:
    requirement: Requirement
    status: Status
    #: node IDs of the tests naming or blaming the requirement, in run order
    tests: tuple[str, ...]
    #: the first blaming test's message, else a skip reason, else ""
    message: str
    #: the waiver that accepts this failure or warning (status ``waived``), else None
    waiver: WaiverUse | None = None
    #: for a failure, warning or waived failure: the failed prerequisites it follows from
    #: (the nearest along each path of the catalogue's ``prerequisites``); empty for a cause
    follows_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    results: tuple[RequirementResult, ...]
    verdict: Verdict
    #: a count for every status of :data:`STATUSES`, zeros included
    summary: Mapping[str, int]
    #: every waiver of the run's waiver file and what became of it (empty without one)
    waivers: tuple[WaiverUse, ...] = ()

    @property
    def exit_code(self) -> int:
        """The exit status the verdict maps to (a run that could not run: :func:`exit_code`)."""
        return EXIT_CODES[self.verdict]


def evaluate(catalogue: Catalogue, run: RunRecord) -> Evaluation:
    """Judge every requirement of the run's dialect from the run's test records."""
    _check_ids(catalogue, run.tests)
    results = tuple(_judge(requirement, run.tests) for requirement in catalogue.for_dialect(run.engine.api_version))
    results = _with_causes(catalogue, results)
    return Evaluation(results=results, verdict=_verdict(results), summary=_count(results))


#: The statuses of a requirement the engine broke (a waiver accepting it does not mend it).
BROKEN: tuple[Status, ...] = ("failed", "warning", "waived")


def _with_causes(catalogue: Catalogue, results: tuple[RequirementResult, ...]) -> tuple[RequirementResult, ...]:
    """Each broken requirement names the broken prerequisites it follows from.

    The search walks the catalogue's ``prerequisites`` and stops at the first broken one on
    each path: that one is nearer the cause (and names its own causes in turn). A
    requirement of another dialect, or one that was not broken, is walked through.
    """
    status = {result.requirement.id: result.status for result in results}

    def causes(rid: str, seen: set[str]) -> list[str]:
        found: list[str] = []
        for other in catalogue[rid].prerequisites:
            if other in seen:
                continue
            seen.add(other)
            if status.get(other) in BROKEN:
                found.append(other)
            else:
                found.extend(causes(other, seen))
        return found

    return tuple(
        replace(result, follows_from=tuple(dict.fromkeys(causes(result.requirement.id, set())))) if result.status in BROKEN else result for result in results
    )


def rejudged(evaluation: Evaluation, results: tuple[RequirementResult, ...], waivers: tuple[WaiverUse, ...]) -> Evaluation:
    """``evaluation`` with other results (some waived): counted and judged again.

    A verdict the results do not decide (a run that could not run) is kept as it is.
    """
    judged = evaluation.verdict in (Verdict.CONFORMANT, Verdict.NOT_CONFORMANT, Verdict.INCOMPLETE)
    verdict = _verdict(results) if judged else evaluation.verdict
    return replace(evaluation, results=results, verdict=verdict, summary=_count(results), waivers=waivers)


def _count(results: tuple[RequirementResult, ...]) -> Mapping[str, int]:
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for result in results:
        counts[result.status] += 1
    return MappingProxyType(counts)


def exit_code(evaluation: Evaluation, run: RunRecord) -> int:
    """The exit status of ``run``: 3 when it could not run, 130 when interrupted, else the verdict's."""
    if run.aborted:
        return EXIT_COULD_NOT_RUN
    return EXIT_INTERRUPTED if run.interrupted else evaluation.exit_code


#: The verdict the reports write for a run that could not run (exit status 3).
COULD_NOT_RUN = "could_not_run"


def run_verdict(evaluation: Evaluation, run: RunRecord) -> str:
    """The verdict every report writes: ``could_not_run`` when the run stopped before it
    could judge (exit status 3), else the evaluation's."""
    return COULD_NOT_RUN if run.aborted else evaluation.verdict.value


def _check_ids(catalogue: Catalogue, tests: tuple[TestRecord, ...]) -> None:
    # An unknown ID is a typo in a marker or a failure: judging on would hide a requirement.
    for test in tests:
        for kind, ids in (("blames", test.blamed), ("names", test.requirement_ids)):
            unknown = [requirement_id for requirement_id in ids if requirement_id not in catalogue]
            if unknown:
                raise UnknownRequirementError(f"{test.nodeid} {kind} {', '.join(unknown)}, which the requirement catalogue does not have")


def _judge(requirement: Requirement, tests: tuple[TestRecord, ...]) -> RequirementResult:
    rid = requirement.id
    related = [test for test in tests if rid in test.requirement_ids or rid in test.blamed]
    naming = [test for test in related if rid in test.requirement_ids]
    blaming = [test for test in related if rid in test.blamed]
    nodeids = tuple(dict.fromkeys(test.nodeid for test in related))

    status: Status
    message = ""
    if blaming:
        status = "warning" if requirement.level is Level.SHOULD else "failed"
        message = blaming[0].message
    elif any(test.outcome == "passed" for test in naming):
        untested = [test for test in naming if _left_untested(test)]
        status = "partially_tested" if untested else "passed"
        message = _why_not_tested(untested)
    elif naming and all(test.outcome == "skipped" and test.not_applicable for test in naming):
        # only an optional feature can be absent: a MUST or SHOULD skipped so is left untested
        status = "not_applicable" if requirement.level is Level.MAY else "not_tested"
        message = naming[0].message if status == "not_applicable" else f"{naming[0].message} (a {requirement.level.value} is never not applicable)"
    else:
        status = "not_tested"
        message = _why_not_tested(naming)
    return RequirementResult(requirement=requirement, status=status, tests=nodeids, message=message)


def _left_untested(test: TestRecord) -> bool:
    """A test that should have judged its requirement and could not: it errored or failed
    without blaming it, or was skipped as ``not tested: …`` (what it needed follows from a
    failed requirement). A skip for want of data (a VM without snapshots) is not one."""
    if test.outcome in ("error", "failed"):
        return True
    return test.outcome == "skipped" and not test.not_applicable and test.message.startswith(NOT_TESTED_PREFIX)


def _why_not_tested(naming: list[TestRecord]) -> str:
    """The first skip reason; failing that, the message of an error that blamed nothing."""
    for wanted in ("skipped", "error", "failed"):
        for test in naming:
            if test.outcome == wanted and test.message:
                return test.message
    return ""


def _verdict(results: tuple[RequirementResult, ...]) -> Verdict:
    # a SHOULD never reaches "failed" (it becomes a warning), so "failed" means MUST or MAY
    if any(result.status == "failed" for result in results):
        return Verdict.NOT_CONFORMANT
    if any(result.status in ("not_tested", "partially_tested") and result.requirement.level is Level.MUST for result in results):
        return Verdict.INCOMPLETE
    return Verdict.CONFORMANT


def failure_lines(evaluation: Evaluation) -> list[str]:
    """One line per broken requirement for a terminal, causes first, each consequence
    under the cause it follows from."""
    broken = [result for result in evaluation.results if result.status in BROKEN]
    causes = [result for result in broken if not result.follows_from]
    lines: list[str] = []
    for result in (*causes, *(r for r in broken if r.follows_from)):
        headline = (result.message.strip().splitlines() or [""])[0].removeprefix(f"{result.requirement.id}: ")
        label = result.status.upper() if result.status != "warning" else "WARNING"
        if result.follows_from:
            lines.append(f"  {label} {result.requirement.id} ({result.requirement.level.value}) follows from {', '.join(result.follows_from)}: {headline}")
        else:
            lines.append(f"{label} {result.requirement.id} ({result.requirement.level.value}): {headline}")
    return lines
