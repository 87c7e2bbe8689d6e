"""Waiver files: what is refused (with the line), and what each waiver does to a verdict."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree

from conformance.catalogue import Level, load_catalogue
from conformance.reports import evaluate, junit_tree, render_summary, results_document
from conformance.reports.model import EngineInfo, RunRecord, TestRecord
from conformance.reports.waivers import WaiverError, apply_waivers, load_waivers, parse_waivers, verdict_label, waiver_lines

TODAY = date(2025, 1, 15)

ONE = """\
- requirement: SNAP-PUT-03
  reason: a refused PUT still changes the description
  owner: platform-team
  link: https://bugs.example/1
  expires: 2025-06-30
"""


def waivers_of(text: str, today: date = TODAY):  # type: ignore[no-untyped-def]
    return parse_waivers(text, "waivers.yaml", load_catalogue(), today=today)


def problems_of(text: str, today: date = TODAY) -> list[tuple[int, str]]:
    with pytest.raises(WaiverError) as caught:
        waivers_of(text, today)
    assert str(caught.value).startswith("waivers.yaml:")
    return list(caught.value.problems)


# --- reading -------------------------------------------------------------------------------


def test_a_valid_entry_is_read_with_its_line() -> None:
    (waiver,) = waivers_of("# accepted failures\n" + ONE)
    assert waiver.requirement == "SNAP-PUT-03"
    assert waiver.expires == date(2025, 6, 30)
    assert waiver.engine_version is None
    assert (waiver.source, waiver.line) == ("waivers.yaml", 2)


@pytest.mark.parametrize("text", ["", "# nothing waived yet\n", "[]\n"], ids=["empty", "comment", "empty-list"])
def test_an_empty_file_waives_nothing(text: str) -> None:
    assert waivers_of(text) == ()


def test_the_expiry_day_itself_still_counts() -> None:
    assert waivers_of(ONE, today=date(2025, 6, 30))


def test_an_expired_waiver_is_an_error_naming_its_line() -> None:
    text = ONE + ONE.replace("SNAP-PUT-03", "SNAP-PUT-01").replace("2025-06-30", "2024-12-31")
    ((line, message),) = problems_of(text)
    assert line == 10  # the expires line of the second entry
    assert "expired on 2024-12-31" in message
    assert "SNAP-PUT-01" in message
    assert "platform-team" in message


def test_an_unknown_requirement_is_an_error() -> None:
    ((line, message),) = problems_of(ONE.replace("SNAP-PUT-03", "SNAP-PUT-99"))
    assert line == 1
    assert "unknown requirement ID 'SNAP-PUT-99'" in message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        pytest.param("- requirement: [unclosed\n", 2, "not valid YAML", id="yaml"),
        pytest.param("requirement: SNAP-PUT-03\n", 1, "YAML list", id="not-a-list"),
        pytest.param("- SNAP-PUT-03\n", 1, "mapping", id="entry-not-a-mapping"),
        pytest.param(ONE.replace("  owner: platform-team\n", ""), 1, "lacks 'owner'", id="missing-key"),
        pytest.param(ONE.replace("expires:", "expiry:"), 5, "unknown key 'expiry'", id="misspelt-key"),
        pytest.param(ONE.replace("2025-06-30", "30.06.2025"), 5, "YYYY-MM-DD", id="date-format"),
        pytest.param(ONE.replace("2025-06-30", "2025-02-30"), 5, "YYYY-MM-DD", id="no-such-day"),
        pytest.param(ONE.replace("platform-team", "''"), 3, "'owner' must not be empty", id="empty-value"),
        pytest.param(ONE.replace("platform-team", "[a, b]"), 3, "single value", id="list-value"),
        pytest.param(ONE + "  reason: again\n", 6, "appears twice", id="duplicate-key"),
        pytest.param(ONE + ONE, 6, "a second waiver for SNAP-PUT-03", id="duplicate-waiver"),
    ],
)
def test_a_malformed_file_is_refused_at_the_line(text: str, line: int, words: str) -> None:
    problems = problems_of(text)
    assert (line, words) in [(found, words) for found, message in problems if words in message], problems


def test_every_problem_is_reported_at_once() -> None:
    text = ONE.replace("SNAP-PUT-03", "SNAP-NOPE-01") + ONE.replace("2025-06-30", "2020-01-01")
    assert [line for line, _ in problems_of(text)] == [1, 10]


def test_load_reads_the_file_and_keeps_its_digest(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(ONE)
    loaded = load_waivers(path, load_catalogue(), today=TODAY)
    assert loaded.path == str(path)
    assert len(loaded.sha256) == 64
    assert len(loaded.waivers) == 1
    with pytest.raises(WaiverError, match=r"missing\.yaml:0: cannot read"):
        load_waivers(tmp_path / "missing.yaml", load_catalogue())


# --- applying ------------------------------------------------------------------------------


def _record(nodeid: str, ids: tuple[str, ...], outcome: str = "passed", blamed: tuple[str, ...] = ()) -> TestRecord:
    return TestRecord(
        nodeid=nodeid,
        requirement_ids=ids,
        outcome=outcome,  # type: ignore[arg-type]
        blamed=blamed,
        message=f"{blamed[0]}: broken\nReceived: a\nExpected: b" if blamed else "",
        not_applicable=False,
        docstring="An engine MUST behave.",
        duration=0.1,
        exchanges=(),
        dialect="3",
    )


def _run(version: str | None = "4.5.4", *, put_fails: bool = True) -> RunRecord:
    """Every v3 requirement passes, except SNAP-PUT-03 (failed) and SNAP-REPR-04 (a warning)."""
    tests = []
    for requirement in load_catalogue().for_dialect("3"):
        if requirement.id == "SNAP-PUT-03" and put_fails:
            tests.append(_record("t::put", (requirement.id,), "failed", (requirement.id,)))
        elif requirement.id == "SNAP-REPR-04":
            tests.append(_record("t::lower", (requirement.id,), "failed", (requirement.id,)))
        elif requirement.id != "SNAP-CRT-04":  # never tested
            tests.append(_record(f"t::{requirement.id}", (requirement.id,)))
    started = datetime(2025, 1, 15, 12, tzinfo=UTC)
    return RunRecord(
        engine=EngineInfo(url="https://e/ovirt-engine/api", api_version="3", product="oVirt Engine", version=version),
        started=started,
        finished=started,
        tests=tuple(tests),
        created_resources=(),
        read_only=False,
    )


def _waived(text: str, run: RunRecord):  # type: ignore[no-untyped-def]
    from conformance.reports.waivers import WaiverFile

    waivers = WaiverFile(path="waivers.yaml", sha256="0" * 64, waivers=waivers_of(text))
    return apply_waivers(evaluate(load_catalogue(), run), waivers, run.engine)


def _entry(requirement: str, engine_version: str | None = None) -> str:
    text = ONE.replace("SNAP-PUT-03", requirement)
    return text + (f'  engine_version: "{engine_version}"\n' if engine_version else "")


def test_a_waived_failure_no_longer_fails_the_verdict() -> None:
    run = _run()
    plain = evaluate(load_catalogue(), run)
    assert plain.verdict.value == "not_conformant"
    waived = _waived(_entry("SNAP-PUT-03"), run)
    assert waived.verdict.value == "incomplete"  # SNAP-CRT-04 stays untested
    result = next(r for r in waived.results if r.requirement.id == "SNAP-PUT-03")
    assert result.status == "waived"
    assert result.waiver is not None
    assert result.waiver.status == "failed"
    assert result.message.startswith("SNAP-PUT-03: broken")  # the evidence stays
    assert waived.summary["waived"] == 1
    assert waived.summary["failed"] == 0
    assert [use.state for use in waived.waivers] == ["applied"]


def test_the_verdict_says_how_many_waivers() -> None:
    assert verdict_label("conformant", 0) == "conformant"
    assert verdict_label("conformant", 1) == "conformant with 1 waiver"
    assert verdict_label("not_conformant", 2) == "not_conformant with 2 waivers"


@pytest.mark.parametrize(
    ("entry", "version", "state", "status"),
    [
        pytest.param(_entry("SNAP-PUT-03", "4.5.*"), "4.5.4", "applied", "waived", id="version-matches"),
        pytest.param(_entry("SNAP-PUT-03", "4.4.*"), "4.5.4", "engine_mismatch", "failed", id="version-differs"),
        pytest.param(_entry("SNAP-PUT-03", "4.5.*"), None, "engine_mismatch", "failed", id="version-unknown"),
        pytest.param(_entry("SNAP-PUT-01"), "4.5.4", "not_needed", "passed", id="passes-now"),
        pytest.param(_entry("SNAP-CRT-04"), "4.5.4", "not_judged", "not_tested", id="not-tested"),
        pytest.param(_entry("SNAP-REPR-04"), "4.5.4", "applied", "waived", id="a-should-warning"),
    ],
)
def test_what_each_waiver_does(entry: str, version: str | None, state: str, status: str) -> None:
    evaluation = _waived(entry, _run(version))
    (use,) = evaluation.waivers
    assert use.state == state
    rid = use.waiver.requirement
    assert next(r for r in evaluation.results if r.requirement.id == rid).status == status


def test_a_requirement_of_the_other_dialect_is_left_alone() -> None:
    evaluation = _waived(_entry("SNAP-ALLC-06"), _run())  # a v4 requirement, a v3 run
    assert [(use.state, use.status) for use in evaluation.waivers] == [("other_dialect", None)]


def test_a_second_matching_waiver_is_shadowed() -> None:
    evaluation = _waived(_entry("SNAP-PUT-03") + _entry("SNAP-PUT-03", "4.*"), _run())
    assert [use.state for use in evaluation.waivers] == ["applied", "shadowed"]


def test_the_terminal_tells_what_each_waiver_did() -> None:
    run = _run("4.5.4")
    evaluation = _waived(_entry("SNAP-PUT-03") + _entry("SNAP-PUT-01") + _entry("SNAP-REPR-04", "4.4.*"), run)
    lines = waiver_lines(evaluation, run.engine)
    assert lines[0].startswith("WAIVED: SNAP-PUT-03 (failed) until 2025-06-30: a refused PUT")
    assert "waivers.yaml:1" in lines[0]
    assert lines[1].startswith("WAIVER NO LONGER NEEDED: SNAP-PUT-01 is passed; remove the waiver at waivers.yaml:6")
    assert lines[2].startswith("WAIVER NOT APPLIED: SNAP-REPR-04: the engine's version 4.5.4 does not match '4.4.*'")


def test_results_json_junit_and_html_show_the_waiver() -> None:
    run = _run()
    evaluation = _waived(_entry("SNAP-PUT-03") + _entry("SNAP-PUT-01"), run)
    document = results_document(evaluation, run)
    entry = next(item for item in document["requirements"] if item["id"] == "SNAP-PUT-03")
    assert entry["status"] == "waived"
    assert entry["waiver"]["reason"] == "a refused PUT still changes the description"
    assert entry["waiver"]["status"] == "failed"
    assert document["summary"]["waived"] == 1
    assert [(w["requirement"], w["state"]) for w in document["waivers"]] == [("SNAP-PUT-03", "applied"), ("SNAP-PUT-01", "not_needed")]

    tree = junit_tree(evaluation, run)
    (case,) = [case for case in tree.iter("testcase") if case.get("name") == "put"]
    skipped = case.find("skipped")
    assert skipped is not None
    assert skipped.get("type") == "waived"
    assert "SNAP-PUT-03 until 2025-06-30" in skipped.get("message", "")
    assert case.find("failure") is None
    assert "waived" in {p.get("name") for p in case.iter("property")}
    suite = tree.find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "1"

    html = render_summary(evaluation, run)
    page = etree.HTML(html)
    assert "Not conformant" not in html
    assert "with 1 waiver" in page.findtext(".//h2")
    waived_row = page.xpath("//tr[@id='sc-SNAP-PUT-03']")[0]
    assert waived_row.get("data-status") == "waived"
    waivers_table = page.xpath("//table[contains(@class, 'sc-waivers')]")[0]
    assert "no longer needed" in etree.tostring(waivers_table, encoding="unicode")


def test_a_should_requirement_level_is_what_the_catalogue_says() -> None:
    # the warning path above relies on SNAP-REPR-04 being a SHOULD
    assert load_catalogue()["SNAP-REPR-04"].level is Level.SHOULD
