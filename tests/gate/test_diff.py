"""``diff``: categories, exit codes, tolerant reading, and the Markdown and HTML it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from conformance.catalogue import load_catalogue
from conformance.cli import main
from conformance.reports.combined import combine_results
from conformance.reports.diff import compare, gate_exit_code
from conformance.reports.reading import ResultsError, load_results, parse_results


def _diff(tmp_path: Path, capsys: pytest.CaptureFixture[str], old: dict, new: dict, *extra: str) -> tuple[int, str]:  # type: ignore[type-arg]
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    code = main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# --- exit codes ---------------------------------------------------------------------------------


def test_no_change_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc) -> None:  # type: ignore[no-untyped-def]
    code, out = _diff(tmp_path, capsys, doc(), doc())
    assert code == 0
    assert "no regression" in out
    assert f"{len(load_catalogue().for_dialect('3'))} unchanged pass" in out


def test_a_regression_exits_1_and_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc) -> None:  # type: ignore[no-untyped-def]
    code, out = _diff(tmp_path, capsys, doc(), doc({"SNAP-RST-02": "failed"}, messages={"SNAP-RST-02": "SNAP-RST-02: newer snapshot kept"}))
    assert code == 1
    assert "REGRESSED: SNAP-RST-02 (v3) passed -> failed: SNAP-RST-02: newer snapshot kept" in out


def test_a_fix_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc) -> None:  # type: ignore[no-untyped-def]
    code, out = _diff(tmp_path, capsys, doc({"SNAP-RST-02": "failed"}), doc())
    assert code == 0
    assert "FIXED: SNAP-RST-02 (v3) failed -> passed" in out


def test_a_changed_catalogue_warns_but_does_not_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc) -> None:  # type: ignore[no-untyped-def]
    old = doc(catalogue={"version": "0.0.9", "sha256": "ab" * 32})
    code, out = _diff(tmp_path, capsys, old, doc())
    assert code == 0
    assert "WARNING: the requirement catalogue changed between the runs (SHA-256 abababababab… then" in out


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param(None, "cannot read it", id="missing"),
        pytest.param(b"\x00\xff garbage", "not UTF-8", id="binary"),
        pytest.param(b'{"verdict": "conformant"', "not valid JSON", id="truncated"),
        pytest.param(b"[1, 2]", "not a results document", id="a-list"),
        pytest.param(b'{"verdict": "conformant", "engine": {"api_version": "3"}}', "no 'requirements' list", id="no-requirements"),
        pytest.param(b'{"verdict": "conformant", "engine": {"api_version": "3"}, "requirements": [{"id": 3}]}', "needs a string 'id'", id="bad-entry"),
        pytest.param(b"PK\x03\x04 not really a zip", "not a readable zip", id="fake-zip"),
    ],
)
def test_unreadable_input_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc, content: bytes | None, words: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "new.json").write_text(json.dumps(doc()))
    if content is not None:
        (tmp_path / "old.json").write_bytes(content)
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 3
    assert words in capsys.readouterr().err


# --- categories ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "category"),
    [
        pytest.param("passed", "failed", "regressed", id="passed-failed"),
        pytest.param("passed", "not_tested", "regressed", id="passed-untested"),
        pytest.param("passed", "not_applicable", "regressed", id="feature-withdrawn"),
        pytest.param("not_tested", "failed", "regressed", id="newly-tested-failure"),
        pytest.param("passed", "partially_tested", "regressed", id="passed-partially"),
        pytest.param("passed", "some_future_status", "regressed", id="unknown-status-is-not-passed"),
        pytest.param("failed", "passed", "fixed", id="fixed"),
        pytest.param("waived", "passed", "fixed", id="waived-fixed"),
        pytest.param("not_tested", "passed", "newly_tested", id="newly-tested"),
        pytest.param("not_applicable", "passed", "newly_tested", id="feature-offered"),
        pytest.param("failed", "failed", "unchanged_failure", id="still-failing"),
        pytest.param("waived", "failed", "unchanged_failure", id="waiver-gone"),
        pytest.param("failed", "not_tested", "changed", id="no-longer-tested"),
        pytest.param("not_tested", "not_tested", "unchanged_untested", id="still-untested"),
        pytest.param("passed", "passed", "unchanged_pass", id="still-passing"),
    ],
)
def test_each_pair_of_statuses_has_one_category(doc, old: str, new: str, category: str) -> None:  # type: ignore[no-untyped-def]
    comparison = compare(parse_results(doc({"SNAP-PUT-03": old}), "old"), parse_results(doc({"SNAP-PUT-03": new}), "new"))
    (change,) = [c for c in comparison.changes if c.requirement_id == "SNAP-PUT-03"]
    assert change.category == category
    assert comparison.exit_code == (1 if category == "regressed" else 0)


def test_a_regression_to_waived_is_accepted(doc) -> None:  # type: ignore[no-untyped-def]
    new = doc({"SNAP-PUT-03": "waived"})
    new["requirements"][[r["id"] for r in new["requirements"]].index("SNAP-PUT-03")]["waiver"] = {"reason": "known", "owner": "me", "expires": "2999-01-01"}
    comparison = compare(parse_results(doc(), "old"), parse_results(new, "new"))
    (change,) = comparison.of("regressed")
    assert change.accepted
    assert change.waiver is not None
    assert comparison.exit_code == 0
    assert "1 regression accepted by a waiver" in comparison.headline


def test_both_messages_of_an_unchanged_failure_are_kept(doc) -> None:  # type: ignore[no-untyped-def]
    old = doc({"SNAP-PUT-03": "failed"}, messages={"SNAP-PUT-03": "old words"})
    new = doc({"SNAP-PUT-03": "failed"}, messages={"SNAP-PUT-03": "new words"})
    (change,) = compare(parse_results(old, "o"), parse_results(new, "n")).of("unchanged_failure")
    assert (change.old_message, change.new_message) == ("old words", "new words")


def test_requirements_only_one_catalogue_has_are_added_or_removed(doc) -> None:  # type: ignore[no-untyped-def]
    old, new = doc(), doc()
    old["requirements"] = [r for r in old["requirements"] if r["id"] != "SNAP-PRV-03"]
    new["requirements"] = [r for r in new["requirements"] if r["id"] != "SNAP-PRV-02"]
    comparison = compare(parse_results(old, "o"), parse_results(new, "n"))
    assert [c.requirement_id for c in comparison.of("added")] == ["SNAP-PRV-03"]
    assert [c.requirement_id for c in comparison.of("removed")] == ["SNAP-PRV-02"]
    assert comparison.exit_code == 0


def test_a_dialect_the_new_run_left_out_counts_as_not_tested(doc) -> None:  # type: ignore[no-untyped-def]
    both = combine_results([("v3", doc()), ("v4", doc(api_version="4"))], exit_code=0)
    comparison = compare(parse_results(both, "both"), parse_results(doc(), "v3-only"))
    regressed = comparison.of("regressed")
    assert regressed
    assert {c.dialect for c in regressed} == {"4"}
    assert all(c.new_status == "not_tested" and "v4 dialect was not run" in c.new_message for c in regressed)
    assert any("did not check the old one's dialect v4" in warning for warning in comparison.warnings)
    assert comparison.exit_code == 1


def test_combined_results_are_compared_dialect_by_dialect(doc) -> None:  # type: ignore[no-untyped-def]
    old = combine_results([("v3", doc()), ("v4", doc(api_version="4"))], exit_code=0)
    new = combine_results([("v3", doc()), ("v4", doc({"SNAP-ALLC-06": "failed"}, api_version="4"))], exit_code=1)
    (change,) = compare(parse_results(old, "o"), parse_results(new, "n")).of("regressed")
    assert (change.requirement_id, change.dialect) == ("SNAP-ALLC-06", "4")


def test_the_reader_ignores_what_it_does_not_know(doc) -> None:  # type: ignore[no-untyped-def]
    document = doc({"SNAP-PUT-03": "partially_tested"})
    document.update({"interrupted": True, "fuzz": {"cases": 3}, "some_future_key": [1, 2]})
    document["requirements"][0]["follows_from"] = ["SNAP-CRT-01"]
    loaded = parse_results(document, "x")
    (run,) = loaded.runs
    assert run.interrupted
    assert run.get("SNAP-PUT-03").status == "partially_tested"
    comparison = compare(parse_results(doc(), "old"), loaded)
    assert any("did not finish" in warning for warning in comparison.warnings)


def test_the_gate_passes_on_could_not_run_and_interrupted(doc) -> None:  # type: ignore[no-untyped-def]
    regressed = compare(parse_results(doc(), "o"), parse_results(doc({"SNAP-PUT-03": "failed"}), "n"))
    assert gate_exit_code(1, regressed) == 1
    assert gate_exit_code(2, regressed) == 1
    assert gate_exit_code(3, regressed) == 3
    assert gate_exit_code(130, regressed) == 130
    unchanged = compare(parse_results(doc({"SNAP-PUT-03": "failed"}), "o"), parse_results(doc({"SNAP-PUT-03": "failed"}), "n"))
    assert gate_exit_code(1, unchanged) == 0  # not conformant, but no worse than before


# --- what it writes -----------------------------------------------------------------------------


def test_markdown_fits_a_comment_and_cannot_break_its_table(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc) -> None:  # type: ignore[no-untyped-def]
    hostile = "SNAP-PUT-03: a | pipe, <script>alert(1)</script>, `code`\nReceived: *x*\nExpected: y" + "z" * 2000
    new = doc({"SNAP-PUT-03": "failed"}, messages={"SNAP-PUT-03": hostile})
    code, _ = _diff(tmp_path, capsys, doc(), new, "--markdown", str(tmp_path / "diff.md"), "--html", str(tmp_path / "diff.html"))
    assert code == 1
    markdown = (tmp_path / "diff.md").read_text()
    assert markdown.startswith("## snapshot-conformance: 1 requirement regressed")
    assert "**The gate fails** (exit status 1)" in markdown
    (row,) = [line for line in markdown.splitlines() if line.startswith("| **SNAP-PUT-03**")]
    assert row.count(" | ") == 5  # six cells: the pipe in the message is escaped
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown
    assert len(row) < 1200  # messages are cut for a comment
    unchanged = len(load_catalogue().for_dialect("3")) - 1  # all but the one that regressed
    assert f"<details><summary>{unchanged} requirements</summary>" in markdown

    page = (tmp_path / "diff.html").read_text()
    assert "<script>alert(1)</script>" not in page
    tree = etree.HTML(page)
    assert tree.findtext(".//h1") == "Regression"
    assert tree.xpath("//section[@id='regressed']//td[contains(@class, 'id')]/text()")[0].strip() == "SNAP-PUT-03"
    assert not tree.xpath("//*[@src or @href[starts-with(., 'http')]]"), "the page must be self-contained"


def test_diff_reads_bundles(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc, write) -> None:  # type: ignore[no-untyped-def]
    report = tmp_path / "reports"
    write(report / "results.json", doc())
    write(report / "invocation.json", {"options": {"engine_url": "https://engine.example/ovirt-engine/api"}})
    assert main(["bundle", str(report), "-o", str(tmp_path / "old.zip")]) == 0
    write(tmp_path / "new.json", doc({"SNAP-PUT-01": "failed"}))
    capsys.readouterr()
    assert main(["diff", str(tmp_path / "old.zip"), str(tmp_path / "new.json")]) == 1
    assert load_results(tmp_path / "old.zip").bundle


def test_a_tampered_bundle_is_no_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc, write) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    report = tmp_path / "reports"
    write(report / "results.json", doc())
    write(report / "invocation.json", {"options": {}})
    assert main(["bundle", str(report), "-o", str(tmp_path / "b.zip")]) == 0
    with zipfile.ZipFile(tmp_path / "b.zip") as source, zipfile.ZipFile(tmp_path / "t.zip", "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data.replace(b'"conformant"', b'"not_conformant"') if info.filename == "reports/results.json" else data)
    with pytest.raises(ResultsError, match="fails verification"):
        load_results(tmp_path / "t.zip")
