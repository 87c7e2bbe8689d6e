"""The rules that turn test records into requirement statuses and a verdict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.catalogue import Catalogue, load_catalogue
from conformance.reports.model import RunRecord, TestRecord
from conformance.reports.verdict import (
    EXIT_CODES,
    EXIT_COULD_NOT_RUN,
    STATUSES,
    UnknownRequirementError,
    Verdict,
    evaluate,
    exit_code,
)

MakeRecord = Callable[..., TestRecord]
MakeRun = Callable[..., RunRecord]

# (requirement, records as (nodeid, names, outcome, extra fields), expected status, expected message)
STATUS_CASES = [
    # --- failed / warning -------------------------------------------------------------
    pytest.param(
        "SNAP-REPR-01", [("t1", ("SNAP-REPR-01",), "failed", {"blamed": ("SNAP-REPR-01",), "message": "boom"})], "failed", "boom", id="must-blamed-fails"
    ),
    pytest.param(
        "SNAP-REPR-04",
        [("t1", ("SNAP-REPR-04",), "failed", {"blamed": ("SNAP-REPR-04",), "message": "upper case"})],
        "warning",
        "upper case",
        id="should-blamed-warns",
    ),
    pytest.param(
        "SNAP-REPR-08",
        [("t1", ("SNAP-REPR-08",), "failed", {"blamed": ("SNAP-REPR-08",), "message": "prev"})],
        "failed",
        "prev",
        id="may-tested-judged-as-must",
    ),
    pytest.param(
        "SNAP-REPR-01",
        [("t1", ("SNAP-REPR-01",), "passed", {}), ("t2", ("SNAP-REPR-01",), "failed", {"blamed": ("SNAP-REPR-01",), "message": "second"})],
        "failed",
        "second",
        id="blame-beats-a-pass",
    ),
    pytest.param(
        "SNAP-REPR-01",
        [
            ("t1", ("SNAP-REPR-01",), "failed", {"blamed": ("SNAP-REPR-01",), "message": "first"}),
            ("t2", ("SNAP-REPR-01",), "error", {"blamed": ("SNAP-REPR-01",), "message": "second"}),
        ],
        "failed",
        "first",
        id="message-of-the-first-blaming-test",
    ),
    pytest.param(
        "SNAP-REPR-01",
        [("t1", ("SNAP-REPR-04",), "failed", {"blamed": ("SNAP-REPR-01",), "message": "other"})],
        "failed",
        "other",
        id="blamed-by-a-test-not-naming-it",
    ),
    pytest.param(
        "SNAP-REPR-01",
        [("t1", ("SNAP-REPR-01",), "error", {"blamed": ("SNAP-REPR-01",), "message": "KeyError"})],
        "failed",
        "KeyError",
        id="generic-error-blames",
    ),
    # --- passed ----------------------------------------------------------------------
    pytest.param("SNAP-REPR-01", [("t1", ("SNAP-REPR-01",), "passed", {})], "passed", "", id="passed"),
    pytest.param("SNAP-REPR-08", [("t1", ("SNAP-REPR-08",), "passed", {})], "passed", "", id="may-passed"),
    pytest.param(
        "SNAP-REPR-01",
        [("t1", ("SNAP-REPR-01",), "skipped", {"not_applicable": True, "message": "no such VM"}), ("t2", ("SNAP-REPR-01",), "passed", {})],
        "passed",
        "",
        id="a-pass-beside-not-applicable",
    ),
    # --- partially tested: never a pass of the whole --------------------------------
    pytest.param(
        "SNAP-REPR-01",
        [("t1", ("SNAP-REPR-01",), "skipped", {"message": "not tested: follows from SNAP-CRT-05"}), ("t2", ("SNAP-REPR-01",), "passed", {})],
        "partially_tested",
        "not tested: follows from SNAP-CRT-05",
        id="a-pass-beside-a-not-tested-skip",
    ),
    pytest.param(
        "SNAP-REPR-01",
        [("t1", ("SNAP-REPR-01",), "skipped", {"message": "the VM has no snapshot"}), ("t2", ("SNAP-REPR-01",), "passed", {})],
        "passed",
        "",
        id="a-pass-beside-a-skip-for-want-of-data",
    ),
    pytest.param(
        "SNAP-REPR-01",
        [("t1", ("SNAP-REPR-01",), "passed", {}), ("t2", ("SNAP-REPR-01",), "error", {"message": "fixture broke"})],
        "partially_tested",
        "fixture broke",
        id="a-pass-beside-an-error-without-blame",
    ),
    pytest.param(
        "SNAP-REPR-01",
        [("t1", ("SNAP-REPR-01", "SNAP-REPR-04"), "failed", {"blamed": ("SNAP-REPR-04",), "message": "x"}), ("t2", ("SNAP-REPR-01",), "passed", {})],
        "partially_tested",
        "x",
        id="failure-blaming-another-id-leaves-it-partly-judged",
    ),
    # --- not applicable --------------------------------------------------------------
    pytest.param(
        "SNAP-REPR-08",
        [("t1", ("SNAP-REPR-08",), "skipped", {"not_applicable": True, "message": "no prev link"})],
        "not_applicable",
        "no prev link",
        id="not-applicable",
    ),
    pytest.param(
        "SNAP-REPR-08",
        [
            ("t1", ("SNAP-REPR-08",), "skipped", {"not_applicable": True, "message": "a"}),
            ("t2", ("SNAP-REPR-08",), "skipped", {"not_applicable": True, "message": "b"}),
        ],
        "not_applicable",
        "a",
        id="all-not-applicable",
    ),
    pytest.param(
        "SNAP-REPR-08",
        [("t1", ("SNAP-REPR-08",), "skipped", {"not_applicable": True, "message": "a"}), ("t2", ("SNAP-REPR-08",), "skipped", {"message": "read-only"})],
        "not_tested",
        "a",
        id="partly-not-applicable-is-not-tested",
    ),
    pytest.param(
        "SNAP-REPR-01",
        [("t1", ("SNAP-REPR-01",), "skipped", {"not_applicable": True, "message": "no such feature"})],
        "not_tested",
        "no such feature (a MUST is never not applicable)",
        id="a-must-is-never-not-applicable",
    ),
    pytest.param(
        "SNAP-REPR-04",
        [("t1", ("SNAP-REPR-04",), "skipped", {"not_applicable": True, "message": "no such feature"})],
        "not_tested",
        "no such feature (a SHOULD is never not applicable)",
        id="a-should-is-never-not-applicable",
    ),
    # --- not tested ------------------------------------------------------------------
    pytest.param("SNAP-REPR-01", [], "not_tested", "", id="no-test"),
    pytest.param("SNAP-REPR-01", [("t1", ("SNAP-REPR-04",), "passed", {})], "not_tested", "", id="only-other-requirements-tested"),
    pytest.param("SNAP-REPR-01", [("t1", ("SNAP-REPR-01",), "skipped", {"message": "--read-only"})], "not_tested", "--read-only", id="skipped"),
    pytest.param("SNAP-REPR-01", [("t1", ("SNAP-REPR-01",), "error", {"message": "fixture broke"})], "not_tested", "fixture broke", id="error-without-blame"),
    pytest.param(
        "SNAP-REPR-01",
        [("t1", ("SNAP-REPR-01",), "error", {"message": "fixture broke"}), ("t2", ("SNAP-REPR-01",), "skipped", {"message": "skip reason"})],
        "not_tested",
        "skip reason",
        id="skip-reason-preferred",
    ),
    pytest.param("SNAP-REPR-08", [], "not_tested", "", id="may-untested"),
]


@pytest.mark.parametrize(("rid", "records", "status", "message"), STATUS_CASES)
def test_requirement_status(
    small_catalogue: Catalogue,
    make_record: MakeRecord,
    make_run: MakeRun,
    rid: str,
    records: list[tuple[str, tuple[str, ...], str, dict[str, Any]]],
    status: str,
    message: str,
) -> None:
    tests = [make_record(nodeid, names, outcome, **extra) for nodeid, names, outcome, extra in records]
    evaluation = evaluate(small_catalogue, make_run(*tests))

    result = next(result for result in evaluation.results if result.requirement.id == rid)
    assert (result.status, result.message) == (status, message)
    assert result.tests == tuple(nodeid for nodeid, names, _, extra in records if rid in names or rid in extra.get("blamed", ()))


# (statuses of REPR-01 MUST, REPR-04 SHOULD, REPR-08 MAY as records, expected verdict)
VERDICT_CASES = [
    pytest.param({"SNAP-REPR-01": "passed", "SNAP-REPR-04": "passed", "SNAP-REPR-08": "passed"}, Verdict.CONFORMANT, id="all-passed"),
    pytest.param({"SNAP-REPR-01": "passed"}, Verdict.CONFORMANT, id="untested-should-and-may-do-not-matter"),
    pytest.param({"SNAP-REPR-01": "passed", "SNAP-REPR-04": "blamed"}, Verdict.CONFORMANT, id="warnings-never-change-the-verdict"),
    pytest.param({"SNAP-REPR-01": "passed", "SNAP-REPR-08": "not_applicable"}, Verdict.CONFORMANT, id="may-not-applicable"),
    pytest.param({"SNAP-REPR-01": "blamed"}, Verdict.NOT_CONFORMANT, id="must-failed"),
    pytest.param({"SNAP-REPR-01": "passed", "SNAP-REPR-08": "blamed"}, Verdict.NOT_CONFORMANT, id="may-failed"),
    pytest.param({"SNAP-REPR-01": "skipped"}, Verdict.INCOMPLETE, id="must-skipped"),
    pytest.param({"SNAP-REPR-01": "partially_tested"}, Verdict.INCOMPLETE, id="must-partially-tested"),
    pytest.param({"SNAP-REPR-01": "passed", "SNAP-REPR-08": "partially_tested"}, Verdict.CONFORMANT, id="may-partially-tested"),
    pytest.param({}, Verdict.INCOMPLETE, id="nothing-run"),
    pytest.param({"SNAP-REPR-01": "skipped", "SNAP-REPR-08": "blamed"}, Verdict.NOT_CONFORMANT, id="failure-beats-incomplete"),
]


@pytest.mark.parametrize(("outcomes", "verdict"), VERDICT_CASES)
def test_verdict(small_catalogue: Catalogue, make_record: MakeRecord, make_run: MakeRun, outcomes: dict[str, str], verdict: Verdict) -> None:
    tests = []
    for rid, kind in outcomes.items():
        if kind == "blamed":
            tests.append(make_record(f"test_{rid}", (rid,), "failed", blamed=(rid,), message="x"))
        elif kind == "not_applicable":
            tests.append(make_record(f"test_{rid}", (rid,), "skipped", not_applicable=True))
        elif kind == "partially_tested":
            tests += [make_record(f"test_{rid}_a", (rid,), "passed"), make_record(f"test_{rid}_b", (rid,), "skipped", message="not tested: follows from")]
        else:
            tests.append(make_record(f"test_{rid}", (rid,), kind))
    evaluation = evaluate(small_catalogue, make_run(*tests))
    assert evaluation.verdict is verdict
    assert evaluation.exit_code == EXIT_CODES[verdict]


def test_exit_codes_follow_the_product_contract() -> None:
    assert dict(EXIT_CODES) == {Verdict.CONFORMANT: 0, Verdict.NOT_CONFORMANT: 1, Verdict.INCOMPLETE: 2}
    assert EXIT_COULD_NOT_RUN == 3


def test_an_aborted_run_exits_3(small_catalogue: Catalogue, make_run: MakeRun) -> None:
    run = make_run(aborted="The engine at https://engine.example answered 401 to the credentials.")
    evaluation = evaluate(small_catalogue, run)
    assert evaluation.verdict is Verdict.INCOMPLETE
    assert exit_code(evaluation, run) == EXIT_COULD_NOT_RUN
    assert exit_code(evaluation, make_run()) == 2


@pytest.mark.parametrize(
    ("api_version", "expected"),
    [
        pytest.param("3", ("SNAP-REPR-01", "SNAP-REPR-04", "SNAP-REPR-08"), id="v3-leaves-out-v4-only"),
        pytest.param("4", ("SNAP-REPR-01", "SNAP-REPR-04", "SNAP-REPR-08", "SNAP-ALLC-06"), id="v4-has-all"),
    ],
)
def test_requirements_of_other_dialects_are_left_out(small_catalogue: Catalogue, make_run: MakeRun, api_version: str, expected: tuple[str, ...]) -> None:
    evaluation = evaluate(small_catalogue, make_run(api_version=api_version))
    assert tuple(result.requirement.id for result in evaluation.results) == expected


def test_an_untested_v4_only_must_does_not_make_a_v3_run_incomplete(small_catalogue: Catalogue, make_record: MakeRecord, make_run: MakeRun) -> None:
    run = make_run(make_record("t", ("SNAP-REPR-01",)), api_version="3")
    assert evaluate(small_catalogue, run).verdict is Verdict.CONFORMANT
    assert evaluate(small_catalogue, make_run(make_record("t", ("SNAP-REPR-01",)), api_version="4")).verdict is Verdict.INCOMPLETE


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        pytest.param("blames", {"outcome": "failed", "blamed": ("SNAP-NOPE-01",)}, id="blamed"),
        pytest.param("names", {"outcome": "passed"}, id="named"),
    ],
)
def test_an_unknown_id_is_an_error(small_catalogue: Catalogue, make_record: MakeRecord, make_run: MakeRun, field: str, kwargs: dict[str, Any]) -> None:
    ids = ("SNAP-REPR-01",) if field == "blames" else ("SNAP-NOPE-01",)
    test = make_record("tests/x.py::t", ids, kwargs.pop("outcome"), **kwargs)
    with pytest.raises(UnknownRequirementError, match=rf"tests/x.py::t {field} SNAP-NOPE-01"):
        evaluate(small_catalogue, make_run(test))


def test_summary_counts_every_status(small_catalogue: Catalogue, make_record: MakeRecord, make_run: MakeRun) -> None:
    run = make_run(
        make_record("a", ("SNAP-REPR-01",)),
        make_record("b", ("SNAP-REPR-04",), "failed", blamed=("SNAP-REPR-04",)),
        make_record("c", ("SNAP-REPR-08",), "skipped", not_applicable=True),
        api_version="4",
    )
    summary = evaluate(small_catalogue, run).summary
    assert list(summary) == list(STATUSES)
    assert dict(summary) == {"passed": 1, "failed": 0, "warning": 1, "waived": 0, "partially_tested": 0, "not_tested": 1, "not_applicable": 1}


def test_evaluation_is_immutable(small_catalogue: Catalogue, make_run: MakeRun) -> None:
    evaluation = evaluate(small_catalogue, make_run())
    with pytest.raises(TypeError):
        evaluation.summary["passed"] = 5  # type: ignore[index]


def test_the_real_catalogue_with_no_tests_is_incomplete(make_run: MakeRun) -> None:
    catalogue = load_catalogue()
    evaluation = evaluate(catalogue, make_run())
    assert evaluation.verdict is Verdict.INCOMPLETE
    assert len(evaluation.results) == len(catalogue.for_dialect("3"))
    assert evaluation.summary["not_tested"] == len(evaluation.results)
