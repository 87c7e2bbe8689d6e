"""The HTML fragments for pytest-html: escaped, self-contained, with working structure."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from lxml import html as lxml_html

from conformance.catalogue import Catalogue, load_catalogue
from conformance.reports import render_exchanges, render_summary
from conformance.reports.model import CreatedResource, Exchange, RunRecord, TestRecord
from conformance.reports.verdict import evaluate

MakeRecord = Callable[..., TestRecord]
MakeRun = Callable[..., RunRecord]
MakeExchange = Callable[..., Exchange]

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'


def _parse(fragment: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(fragment, create_parent="div")


@pytest.fixture
def hostile_run(make_record: MakeRecord, make_run: MakeRun, make_exchange: MakeExchange) -> RunRecord:
    return make_run(
        make_record("tests/a.py::test_ok", ("SNAP-REPR-01",)),
        make_record(
            'tests/a.py::test_bad["><script>x</script>]',
            ("SNAP-REPR-03",),
            "failed",
            blamed=("SNAP-REPR-03",),
            message=f"SNAP-REPR-03: bad id\nReceived: {HOSTILE}\nExpected: a GUID",
        ),
        make_record("tests/a.py::test_prev", ("SNAP-REPR-08",), "skipped", not_applicable=True, message="no prev link"),
        engine=make_run().engine.__class__(url=f"https://engine.example/{HOSTILE}", api_version="3", product=HOSTILE, version=None),
        created_resources=(CreatedResource(kind="snapshot", href=f"/ovirt-engine/api/vms/1/snapshots/{HOSTILE}", removed=False, error=HOSTILE),),
    )


@pytest.fixture
def summary(hostile_run: RunRecord) -> str:
    return render_summary(evaluate(load_catalogue(), hostile_run), hostile_run)


def test_hostile_strings_stay_text(summary: str) -> None:
    assert HOSTILE not in summary
    assert "<img" not in summary
    tree = _parse(summary)
    assert len(tree.findall(".//script")) == 1  # ours, and only ours
    assert not tree.xpath("//*[@onerror]")
    assert HOSTILE in tree.text_content()  # shown, as text


def test_verdict_banner_and_counts(summary: str) -> None:
    banner = _parse(summary).find_class("sc-banner")[0]
    assert "sc-verdict-not_conformant" in banner.get("class")
    text = " ".join(banner.text_content().split())
    assert "Not conformant" in text
    assert "1 failed" in text
    assert "Exit status 1." in text


@pytest.mark.parametrize(
    ("verdict_class", "outcome"),
    [pytest.param("sc-verdict-conformant", "passed", id="conformant"), pytest.param("sc-verdict-incomplete", "skipped", id="incomplete")],
)
def test_banner_colour_follows_the_verdict(small_catalogue: Catalogue, make_record: MakeRecord, make_run: MakeRun, verdict_class: str, outcome: str) -> None:
    run = make_run(make_record("t", ("SNAP-REPR-01",), outcome))
    banner = _parse(render_summary(evaluate(small_catalogue, run), run)).find_class("sc-banner")[0]
    assert verdict_class in banner.get("class")


def test_aborted_run_says_why(small_catalogue: Catalogue, make_run: MakeRun) -> None:
    run = make_run(aborted="The engine answered 401: check the user name and password.")
    banner = _parse(render_summary(evaluate(small_catalogue, run), run)).find_class("sc-banner")[0]
    assert "sc-verdict-aborted" in banner.get("class")
    assert "Could not run" in banner.text_content()
    assert "check the user name and password" in banner.text_content()
    assert "Exit status 3." in banner.text_content()


def test_fingerprint(small_catalogue: Catalogue, make_run: MakeRun) -> None:
    run = make_run(read_only=True)
    fingerprint = _parse(render_summary(evaluate(small_catalogue, run), run)).find_class("sc-fingerprint")[0]
    rows = {row[0].text_content(): " ".join(row[1].text_content().split()) for row in fingerprint.iter("tr")}
    assert rows["URL"] == "https://engine.example/ovirt-engine/api"
    assert rows["Product"] == "oVirt Engine"
    assert rows["Version"] == "4.5.4"
    assert rows["Dialect"] == "v3"
    assert rows["Started"] == "2024-05-01T12:00:00+00:00"
    assert rows["Finished"] == "2024-05-01T12:03:05+00:00 (3 min 05 s)"
    assert rows["Mode"].startswith("read-only")


def test_leftovers_are_listed_only_when_there_are_some(summary: str, small_catalogue: Catalogue, make_run: MakeRun) -> None:
    leftovers = _parse(summary).find_class("sc-leftovers")
    assert len(leftovers) == 1
    assert "could not be removed" in leftovers[0].text_content()
    assert "/ovirt-engine/api/vms/1/snapshots/" in leftovers[0].text_content()
    clean = make_run()  # its one resource was removed
    assert not _parse(render_summary(evaluate(small_catalogue, clean), clean)).find_class("sc-leftovers")


def test_matrix_has_a_row_per_requirement_with_its_text(summary: str) -> None:
    catalogue = load_catalogue()
    rows = _parse(summary).xpath("//table[contains(@class, 'sc-matrix')]/tbody/tr")
    assert [row.get("id") for row in rows] == [f"sc-{r.id}" for r in catalogue.for_dialect("3")]
    by_id = {row.get("id"): row for row in rows}
    guid = by_id["sc-SNAP-REPR-03"]
    assert guid.get("data-status") == "failed"
    assert guid.get("data-level") == "MUST"
    assert guid.get("title") == catalogue["SNAP-REPR-03"].text  # the text on hover
    details = guid.find(".//details")
    assert details is not None
    assert details.find("summary").text_content() == catalogue["SNAP-REPR-03"].title
    assert catalogue["SNAP-REPR-03"].text in details.text_content()  # and in the expandable detail
    assert guid.find_class("sc-badge")[0].text_content() == "failed"
    assert "Received:" in guid.find(".//pre").text_content()
    assert by_id["sc-SNAP-REPR-08"].get("data-status") == "not_applicable"
    assert by_id["sc-SNAP-REPR-01"].find_class("sc-badge")[0].text_content() == "passed"


def test_filter_controls(summary: str) -> None:
    tree = _parse(summary)
    (controls,) = tree.find_class("sc-controls")
    statuses = [box.get("value") for box in controls.xpath(".//input[@data-sc-filter='status']")]
    levels = [box.get("value") for box in controls.xpath(".//input[@data-sc-filter='level']")]
    assert statuses == ["passed", "failed", "warning", "waived", "partially_tested", "not_tested", "not_applicable"]
    assert levels == ["MUST", "SHOULD", "MAY"]
    assert controls.xpath(".//input[@type='search' and contains(@class, 'sc-search')]")
    assert controls.get("hidden") is not None  # revealed by the script; without it, no dead controls
    script = tree.find(".//script").text
    assert "document.currentScript" in script
    assert "data-sc-filter" in script


def test_self_contained(summary: str) -> None:
    tree = _parse(summary)
    assert tree.find(".//style") is not None
    assert not tree.xpath("//link | //script[@src] | //img | //iframe")
    style = tree.find(".//style").text
    assert "url(" not in style
    assert "@import" not in style
    # pytest-html's own names are left alone: every class of ours is scoped
    classes = {name for element in tree.iter() for name in (element.get("class") or "").split()}
    assert classes
    assert all(name.startswith("sc-") for name in classes)


def test_test_links_point_at_pytest_html_rows(summary: str) -> None:
    links = _parse(summary).xpath("//tr[@id='sc-SNAP-REPR-01']//a")
    assert [link.get("href") for link in links] == ["#tests/a.py%3A%3Atest_ok"]


# --- exchanges ---------------------------------------------------------------------------


def test_exchanges_are_collapsible_blocks(make_exchange: MakeExchange) -> None:
    fragment = render_exchanges(
        [
            make_exchange(method="GET", status=200, response_body="<snapshots/>"),
            make_exchange(status=None, response_headers=(), response_body="", error="ConnectTimeout: timed out"),
            make_exchange(
                status=409,
                request_headers=(("Accept", "application/xml"), ("Authorization", "Basic YWRtaW46cGFzcw==")),
                response_body="<fault><reason>Conflict</reason></fault>",
            ),
        ]
    )
    tree = _parse(fragment)
    blocks = tree.findall(".//details")
    assert len(blocks) == 3
    assert [block.get("open") is not None for block in blocks] == [False, False, True]  # the last one is open
    first = blocks[0].find("summary").text_content()
    assert "GET https://engine.example/ovirt-engine/api/vms/1/snapshots" in first
    assert "200 OK" in first
    assert "No response: ConnectTimeout: timed out" in blocks[1].text_content()
    request, response = (pre.text_content() for pre in blocks[2].findall(".//pre"))
    assert request.startswith("POST https://engine.example/ovirt-engine/api/vms/1/snapshots\nAccept: application/xml\n")
    assert "<snapshot><description>conformance</description></snapshot>" in request
    assert "Authorization: <redacted>" in request
    assert response.startswith("409 Conflict\nContent-Type: application/xml\n")
    assert "<fault><reason>Conflict</reason></fault>" in response  # shown as text
    assert not tree.findall(".//script")
    assert not tree.findall(".//fault")


def test_exchanges_escape_hostile_content(make_exchange: MakeExchange) -> None:
    fragment = render_exchanges([make_exchange(url=f"https://e/{HOSTILE}", response_body=HOSTILE, response_headers=(("X-Evil", HOSTILE),))])
    assert HOSTILE not in fragment
    tree = _parse(fragment)
    assert not tree.xpath("//script | //img | //*[@onerror]")
    # the URL (summary line and request line), the header and the body, all as text
    assert tree.text_content().count('<script>alert("x")</script>') == 4


def test_no_exchanges(make_exchange: MakeExchange) -> None:
    assert "No HTTP exchange was recorded." in render_exchanges([])


# --- inside a real pytest-html report ------------------------------------------------------------

CONFTEST = """
from datetime import datetime, timezone

import pytest
from pytest_html import extras

from conformance.catalogue import load_catalogue
from conformance.reports import evaluate, render_exchanges, render_summary
from conformance.reports.model import EngineInfo, Exchange, RunRecord, TestRecord

NOW = datetime(2024, 5, 1, tzinfo=timezone.utc)
EXCHANGE = Exchange("GET", "https://e/api/vms/1/snapshots", (), "", 500, (), "<fault>boom &amp; more</fault>", 1.0, None)


def pytest_html_results_summary(prefix, summary, postfix, session):
    record = TestRecord("test_x.py::test_fails", ("SNAP-REPR-01",), "failed", ("SNAP-REPR-01",), "SNAP-REPR-01: <b>bad</b>", False, "", 0.1, (), "3")
    run = RunRecord(EngineInfo("https://e/api", "3", None, None), NOW, NOW, (record,), (), False)
    prefix.append(render_summary(evaluate(load_catalogue(), run), run))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        report.extras = [*getattr(report, "extras", []), extras.html(render_exchanges([EXCHANGE]))]
"""


def test_fragments_inside_a_pytest_html_report(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # not the project's settings
    (tmp_path / "test_x.py").write_text("def test_fails():\n    assert False\n", encoding="utf-8")
    report = tmp_path / "report.html"
    # only pytest-html (and the pytest-metadata it needs): other installed plugins cost seconds
    environment = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path), "-p", "no:cacheprovider",
         "-p", "pytest_metadata.plugin", "-p", "pytest_html.plugin",
         f"--html={report}", "--self-contained-html", "-q", str(tmp_path / "test_x.py")],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 1, completed.stdout + completed.stderr
    page = cast(lxml_html.HtmlElement, lxml_html.fromstring(report.read_text(encoding="utf-8")))
    # the summary fragment is written verbatim into pytest-html's summary prefix container
    (prefix,) = cast(list[lxml_html.HtmlElement], page.xpath("//div[contains(@class, 'additional-summary') and contains(@class, 'prefix')]"))
    assert prefix.find_class("sc-report")
    assert prefix.find_class("sc-matrix")
    scripts = [script.text or "" for script in page.iter("script")]
    assert any("document.currentScript" in script for script in scripts)  # our inline script is in the page
    # the exchanges travel inside pytest-html's JSON blob and are inserted by its script
    blob = page.get_element_by_id("data-container").get("data-jsonblob", "")
    assert "sc-exchanges" in blob
    assert re.search(r"&lt;fault&gt;boom &amp;amp; more&lt;/fault&gt;", blob)
