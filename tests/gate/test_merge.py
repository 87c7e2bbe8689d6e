"""``merge``: the fleet matrix from results and bundles; and three real runs, two engines."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from conformance.catalogue import load_catalogue
from conformance.cli import main
from conformance.reports.combined import combine_results
from conformance.reports.merge import merge
from conformance.reports.reading import parse_results

V3 = len(load_catalogue().for_dialect("3"))


def test_columns_are_engines_in_a_dialect_and_rows_requirements(doc) -> None:  # type: ignore[no-untyped-def]
    production = parse_results(doc(version="4.5.4", started="2024-05-01T12:00:00+00:00"), "fleet/production/results.json")
    staging = parse_results(doc({"SNAP-PUT-03": "failed"}, version="4.5.5"), "fleet/staging/results.json")
    both = parse_results(combine_results([("v3", doc()), ("v4", doc(api_version="4"))], exit_code=0), "lab/results.json")
    matrix = merge([production, staging, both])
    assert [column.label for column in matrix.columns] == ["production", "staging", "lab v3", "lab v4"]
    assert [(column.version, column.api_version) for column in matrix.columns] == [("4.5.4", "3"), ("4.5.5", "3"), ("4.5.4", "3"), ("4.5.4", "4")]
    rows = {row.id: row for row in matrix.rows}
    assert [cell.status if cell else None for cell in rows["SNAP-PUT-03"].cells] == ["passed", "failed", "passed", "passed"]
    assert rows["SNAP-PUT-03"].differs
    assert not rows["SNAP-PUT-01"].differs
    # a v4-only requirement has no cell in the v3 columns
    assert [cell.status if cell else None for cell in rows["SNAP-ALLC-06"].cells] == [None, None, None, "passed"]
    assert [row.id for row in matrix.rows][:2] == ["SNAP-REPR-01", "SNAP-REPR-02"]  # catalogue order


def test_the_same_label_twice_is_numbered(doc) -> None:  # type: ignore[no-untyped-def]
    matrix = merge([parse_results(doc(), "a/results.json"), parse_results(doc(), "b/a/results.json")])
    assert [column.label for column in matrix.columns] == ["a (1)", "a (2)"]


def test_merge_writes_html_and_json_and_reads_bundles(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc, write) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path / "old" / "results.json", doc())
    write(tmp_path / "old" / "invocation.json", {"options": {}})
    assert main(["bundle", str(tmp_path / "old"), "-o", str(tmp_path / "old" / "bundle.zip")]) == 0
    write(tmp_path / "new" / "results.json", doc({"SNAP-PUT-03": "failed"}, catalogue={"sha256": "f" * 64}))
    capsys.readouterr()
    args = ["merge", str(tmp_path / "old" / "bundle.zip"), str(tmp_path / "new" / "results.json")]
    assert main([*args, "--html", str(tmp_path / "m.html"), "--json", str(tmp_path / "m.json")]) == 0
    out = capsys.readouterr().out
    assert f"2 columns x {V3} requirements; 1 differ between the columns" in out
    assert "WARNING: the runs were judged by different requirement catalogues" in out
    data = json.loads((tmp_path / "m.json").read_text())
    assert [c["label"] for c in data["columns"]] == ["old", "new"]
    put = next(r for r in data["requirements"] if r["id"] == "SNAP-PUT-03")
    assert [cell["status"] for cell in put["cells"]] == ["passed", "failed"]
    assert put["differs"]
    assert main(["merge", str(tmp_path / "missing.json")]) == 3


# --- three real runs: the embedded engine in both dialects, and a faulty engine ----------------


@pytest.mark.slow
def test_the_faulty_run_is_conformant_with_one_waiver(faulty_run, password: str) -> None:  # type: ignore[no-untyped-def]
    result, reports = faulty_run
    assert result.code == 0, result.stdout[-3000:]
    assert "snapshot-conformance verdict: conformant with 1 waiver" in result.stdout
    assert "WAIVED: SNAP-PUT-03 (failed)" in result.stdout
    assert "WAIVER NO LONGER NEEDED: SNAP-REPR-03 is passed" in result.stdout
    assert "WAIVER NOT APPLIED: SNAP-REPR-04: the engine's version 3.6.0.0 does not match '4.*'" in result.stdout
    data = json.loads((reports / "results.json").read_text())
    assert data["verdict"] == "conformant"
    assert data["summary"]["waived"] == 1
    statuses = {item["id"]: item["status"] for item in data["requirements"]}
    assert (statuses["SNAP-PUT-03"], statuses["SNAP-REPR-04"]) == ("waived", "warning")
    assert [w["state"] for w in data["waivers"]] == ["applied", "not_needed", "engine_mismatch"]
    junit = etree.parse(str(reports / "junit.xml"))
    waived = [case.get("name") for case in junit.iter("testcase") if case.find("skipped") is not None and case.find("skipped").get("type") == "waived"]
    assert waived == ["test_put_changes_nothing"]
    for path in reports.rglob("*"):
        if path.is_file():
            assert password not in path.read_text(errors="replace"), path.name


@pytest.mark.slow
def test_merge_of_three_runs_of_two_engines(both_run: Path, faulty_run, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    _, faulty = faulty_run
    inputs = [str(both_run / "v3" / "results.json"), str(both_run / "v4" / "results.json"), str(faulty / "results.json")]
    html, data = tmp_path / "matrix.html", tmp_path / "matrix.json"
    assert main(["merge", *inputs, "--html", str(html), "--json", str(data)]) == 0
    matrix = json.loads(data.read_text())
    assert [(c["label"], c["api_version"], c["verdict_label"]) for c in matrix["columns"]] == [
        ("v3", "3", "conformant"),
        ("v4", "4", "conformant"),
        ("reports", "3", "conformant with 1 waiver"),
    ]
    rows = {row["id"]: row for row in matrix["requirements"]}
    assert [cell["status"] if cell else None for cell in rows["SNAP-PUT-03"]["cells"]] == ["passed", "passed", "waived"]
    assert [cell["status"] if cell else None for cell in rows["SNAP-REPR-04"]["cells"]] == ["passed", "passed", "warning"]
    assert [cell["status"] if cell else None for cell in rows["SNAP-ALLC-06"]["cells"]] == [None, "passed", None]
    assert sorted(rid for rid, row in rows.items() if row["differs"]) == ["SNAP-PUT-03", "SNAP-REPR-04"]
    page = etree.HTML(html.read_text())
    headers = page.xpath("//table[contains(@class, 'matrix')]/thead/tr/th")
    assert len(headers) == 2 + 3
    assert "snapshot-conformance reference engine" in etree.tostring(headers[2], encoding="unicode")
    assert page.xpath("//tr[@id='SNAP-PUT-03']/@data-differs") == ["true"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_the_matrix_page_runs_its_filters_in_a_browser(tmp_path: Path, doc) -> None:  # type: ignore[no-untyped-def]
    """The page's script runs in a real browser: the filters show and count the rows."""
    from conformance.reports.pages import render_matrix_html

    matrix = merge([parse_results(doc(), "a/results.json"), parse_results(doc({"SNAP-PUT-03": "failed"}), "b/results.json")])
    page = tmp_path / "matrix.html"
    page.write_text(render_matrix_html(matrix))
    done = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = etree.HTML(done.stdout)
    (controls,) = dom.xpath("//div[contains(@class, 'controls')]")
    assert controls.get("hidden") is None  # the script unhid the filters
    assert dom.xpath("//span[contains(@class, 'shown')]/text()") == [f"{V3} of {V3} requirements shown"]
