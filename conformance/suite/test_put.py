"""SNAP-PUT: snapshots cannot be modified with PUT (seed 15.6.5.1, note)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from lxml import etree

from conformance import checks
from conformance.client.engine import VmRef, xml_body
from conformance.client.http import url_for
from conformance.client.recorder import Recorder
from conformance.dialect import Dialect
from conformance.plugin.options import RunConfig
from conformance.reports.model import Exchange
from conformance.suite._phases import description
from conformance.suite._support import get

requirement = pytest.mark.requirement


@dataclass(frozen=True)
class PutAttempt:
    before: etree._Element
    answer: httpx.Response
    after: etree._Element
    exchanges: tuple[Exchange, ...]


@pytest.fixture(scope="module")
def put_attempt(client: httpx.Client, recorder: Recorder, writable_vm: VmRef, suite_snapshots: tuple[str, ...], run_config: RunConfig) -> PutAttempt:
    """One PUT with a changed description on one of the suite's snapshots."""
    href = f"{writable_vm.href}/snapshots/{suite_snapshots[0]}"
    with recorder.capture() as evidence:
        before = checks.parse_xml_answer(get(client, href), "SNAP-PUT-03")
        body = etree.Element("snapshot")
        etree.SubElement(body, "description").text = description(run_config, "changed by PUT")
        answer = client.put(url_for(client, href), content=xml_body(body), headers={"Accept": "application/xml", "Content-Type": "application/xml"})
        after = checks.parse_xml_answer(get(client, href), "SNAP-PUT-03")
    return PutAttempt(before, answer, after, tuple(evidence))


@requirement("SNAP-PUT-01")
def test_put_is_refused(put_attempt: PutAttempt) -> None:
    """An engine MUST refuse a PUT on a snapshot with a 4xx status."""
    checks.check_answer_status(put_attempt.answer, "SNAP-PUT-01", range(400, 500), "PUT on a snapshot")


@requirement("SNAP-PUT-02")
def test_put_is_405_with_allow(put_attempt: PutAttempt) -> None:
    """An engine SHOULD refuse a PUT on a snapshot with 405 and an Allow header without PUT."""
    checks.check_put_405(put_attempt.answer)


@requirement("SNAP-PUT-03")
def test_put_changes_nothing(put_attempt: PutAttempt, dialect: Dialect) -> None:
    """An engine MUST leave a snapshot unchanged after a refused PUT."""
    checks.check_unchanged_snapshot(put_attempt.before, put_attempt.after, dialect, "SNAP-PUT-03", "a PUT")


@requirement("SNAP-ERR-01")
def test_405_body_empty_or_fault(put_attempt: PutAttempt, dialect: Dialect) -> None:
    """An engine MAY answer 405 without a body, but a body it sends MUST be a fault."""
    if put_attempt.answer.status_code != 405:
        pytest.skip(f"the engine refuses the PUT with {put_attempt.answer.status_code}, not 405 (SNAP-PUT-02 judges it)")
    checks.check_empty_or_fault(put_attempt.answer, "SNAP-ERR-01", (405,), "PUT on a snapshot", dialect)
