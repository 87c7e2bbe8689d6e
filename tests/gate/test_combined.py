"""``run --api-version both`` as one result: a combined results.json and an index page on top of
the per-dialect reports, and its bundle; one real run (both dialects) shared by the tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree

from conformance.catalogue import load_catalogue
from conformance.cli import main
from conformance.reports.combined import combine_results, worst_verdict
from conformance.reports.reading import load_results, parse_results


def test_the_worse_verdict_and_status_win(doc) -> None:  # type: ignore[no-untyped-def]
    v3 = doc({"SNAP-PUT-03": "waived"})
    v4 = doc({"SNAP-PUT-03": "failed", "SNAP-CRT-04": "not_tested"}, api_version="4")
    combined = combine_results([("v3", v3), ("v4", v4)], exit_code=1)
    assert combined["verdict"] == "not_conformant"
    assert combined["engine"]["api_version"] == "both"
    put = next(item for item in combined["requirements"] if item["id"] == "SNAP-PUT-03")
    assert put["status"] == "failed"
    assert put["dialects"] == {"3": "waived", "4": "failed"}
    allc = next(item for item in combined["requirements"] if item["id"] == "SNAP-ALLC-06")
    assert allc["dialects"] == {"4": "passed"}
    assert sum(combined["summary"].values()) == len(combined["requirements"])
    assert [run["report"] for run in combined["runs"]] == ["v3/report.html", "v4/report.html"]
    assert worst_verdict(["conformant", "incomplete"]) == "incomplete"
    assert worst_verdict(["conformant", "could_not_run"]) == "could_not_run"


@pytest.mark.slow
def test_both_dialects_give_one_result_with_an_index(both_run: Path) -> None:
    data = json.loads((both_run / "results.json").read_text())
    assert data["verdict"] == "conformant"
    assert data["exit_code"] == 0
    assert data["engine"]["api_version"] == "both"
    assert [run["api_version"] for run in data["runs"]] == ["3", "4"]
    ids = {item["id"] for item in data["requirements"]}
    assert ids == {requirement.id for requirement in load_catalogue()}
    for run in data["runs"]:
        for key in ("results", "report", "junit"):
            assert (both_run / run[key]).is_file(), run[key]
    loaded = load_results(both_run / "results.json")
    assert loaded.dialects == ("3", "4")
    assert loaded.run("4").get("SNAP-ALLC-06").status == "passed"  # type: ignore[union-attr]

    index = etree.HTML((both_run / "index.html").read_text())
    links = set(index.xpath("//a/@href"))
    assert {"v3/report.html", "v4/report.html", "v3/results.json", "v4/junit.xml"} <= links
    assert "v4/report.html#sc-SNAP-ALLC-06" in links
    assert not [link for link in links if re.match(r"https?://", link)], "the index must be self-contained"
    invocation = json.loads((both_run / "invocation.json").read_text())
    assert invocation["command"]["options"]["api_version"] == "both"
    assert invocation["runs"] == ["v3/invocation.json", "v4/invocation.json"]


@pytest.mark.slow
def test_the_run_s_bundle_verifies_and_holds_both_dialects(both_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(both_run / "bundle.zip")]) == 0
    out = capsys.readouterr().out
    assert "verdict:    conformant (exit status 0)" in out
    assert "dialects:   v3, v4" in out
    import zipfile

    with zipfile.ZipFile(both_run / "bundle.zip") as archive:
        names = set(archive.namelist())
    assert {"reports/index.html", "reports/v3/report.html", "reports/v4/junit.xml", "reports/v3/invocation.json", "catalogue/requirements.yaml"} <= names


@pytest.mark.slow
def test_a_run_diffed_with_itself_has_no_regression(both_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(both_run / "bundle.zip"), str(both_run / "results.json"), "--html", str(tmp_path / "d.html")]) == 0
    assert "no regression" in capsys.readouterr().out
    assert parse_results(json.loads((both_run / "results.json").read_text()), "x").verdict_label == "conformant"
