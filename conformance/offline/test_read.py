"""Recorded reads: SNAP-REPR, SNAP-JSON, SNAP-ALLC, SNAP-NEG, SNAP-SUB, judged on what was recorded."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from conformance import checks
from conformance.checks.reading import ALL_CONTENT_CHECKS, LIST_CHECKS, judge_list, offers_prev_links
from conformance.offline._judging import Traffic, asks_all_content, not_tested
from conformance.offline._traffic import Recorded
from conformance.plugin.outcomes import not_applicable

requirement = pytest.mark.requirement

Listed = tuple[Recorded, etree._Element]


def _exchange(subject: Listed) -> list[Recorded]:
    return [subject[0]]


def _accepts_json(exchange: Recorded) -> bool:
    accept = exchange.request_header("Accept")
    return accept is not None and "json" in accept.lower() and "xml" not in accept.lower()


# -- the collection ---------------------------------------------------------------------------
@requirement("SNAP-REPR-01")
def test_collection_is_snapshots_xml(traffic: Traffic) -> None:
    """An engine MUST answer GET on a VM's snapshots with 200 and an application/xml `snapshots` document of `snapshot` elements."""
    answers = [ex for ex in traffic.of("snapshots", statuses=range(200, 300)) if not _accepts_json(ex) and checks.media_type(ex) != "application/json"]
    traffic.judge("SNAP-REPR-01", answers, checks.check_collection_answer, exchanges_of=lambda ex: [ex], nothing="no XML snapshot list was recorded")


@requirement("SNAP-REPR-02")
def test_vm_links_its_snapshots(traffic: Traffic) -> None:
    """An engine MUST link a VM's snapshots from the VM with rel="snapshots" and href `{vm href}/snapshots`."""
    vms: list[tuple[Recorded, etree._Element]] = []
    for exchange in traffic.of("vm", "vms", statuses=range(200, 300)):
        root = traffic.xml(exchange)
        if root is not None:
            vms.extend((exchange, vm) for vm in ([root] if root.tag == "vm" else root.findall("vm")) if vm.get("href"))
    traffic.judge(
        "SNAP-REPR-02",
        vms,
        lambda subject: checks.check_vm_links_snapshots(subject[1], subject[1].get("href", "")),
        exchanges_of=_exchange,
        nothing="no VM was recorded",
    )


# -- every list, by the shared table of read checks ---------------------------------------------
LIST_REQUIREMENTS = sorted(rid for rid in LIST_CHECKS if rid not in ("SNAP-REPR-08", "SNAP-ALLC-01"))


def _each(ids: list[str]) -> list[object]:
    """One parameter per requirement, marked with that requirement alone."""
    return [pytest.param(rid, marks=requirement(rid), id=rid) for rid in ids]


@pytest.mark.parametrize("requirement_id", _each(LIST_REQUIREMENTS))
def test_recorded_lists(traffic: Traffic, requirement_id: str, record_property: Callable[[str, object], None]) -> None:
    """An engine MUST (SHOULD, for lower-case ids and date offsets) write every listed snapshot as the catalogue says."""
    notes: list[str] = []

    def check(subject: Listed) -> None:
        exchange, root = subject
        notes.extend(judge_list(requirement_id, root.findall("snapshot"), traffic.context(exchange)))

    traffic.judge(requirement_id, traffic.lists(all_content=None), check, exchanges_of=_exchange, nothing="no XML snapshot list was recorded")
    for note in dict.fromkeys(notes):
        record_property("note", note)


@requirement("SNAP-REPR-05")
def test_get_returns_the_snapshot(traffic: Traffic) -> None:
    """An engine MUST answer a GET on a snapshot's href with that snapshot."""
    traffic.judge(
        "SNAP-REPR-05",
        traffic.singles(),
        lambda subject: checks.check_same_snapshot(subject[1], subject[0].route.snapshot_id or ""),
        exchanges_of=_exchange,
        nothing="no GET of a single snapshot was recorded",
    )


@requirement("SNAP-REPR-08")
def test_prev_links_when_present(traffic: Traffic) -> None:
    """An engine MAY link a snapshot to the previous one with rel="prev", which then MUST point to an older snapshot of the same VM."""
    lists = [subject for subject in traffic.lists(all_content=None) if offers_prev_links(subject[1].findall("snapshot"))]
    if not lists:
        if not traffic.lists(all_content=None):
            not_tested("no XML snapshot list was recorded")
        not_applicable('the recorded lists carry no rel="prev" links (engines since 3.1 emit none)')
    traffic.judge(
        "SNAP-REPR-08",
        lists,
        lambda subject: judge_list("SNAP-REPR-08", subject[1].findall("snapshot"), traffic.context(subject[0])),
        exchanges_of=_exchange,
        nothing="",
    )


@requirement("SNAP-REPR-15")
def test_documents_validate_against_schema(traffic: Traffic, record_property: Callable[[str, object], None]) -> None:
    """An engine SHOULD send snapshot documents that validate against the dialect's XSD, element order included (v4 VM members in its version's order)."""
    notes: list[str] = []
    traffic.judge(
        "SNAP-REPR-15",
        [*traffic.lists(all_content=None), *traffic.singles()],
        lambda subject: notes.extend(checks.check_schema(subject[1], traffic.dialect)),
        exchanges_of=_exchange,
        nothing="no XML snapshot document was recorded",
    )
    for note in dict.fromkeys(notes):
        record_property("note", note)


@requirement("SNAP-REPR-16")
def test_list_and_get_agree(traffic: Traffic) -> None:
    """An engine MUST show the same values for a snapshot in the list and in its own GET."""
    pairs: list[tuple[Recorded, etree._Element, Recorded, etree._Element]] = []
    lists = traffic.lists(all_content=None)
    for single, fetched in traffic.singles():
        if (fetched.findtext("snapshot_status") or "").strip() != "ok":
            continue  # a snapshot changing state may differ between two reads
        near = [(ex, root) for ex, root in lists if ex.source == single.source and ex.route.vm_id == single.route.vm_id]
        near.sort(key=lambda item: abs(item[0].index - single.index))
        for list_exchange, root in near[:1]:
            listed = next((s for s in root.findall("snapshot") if checks.same_id(s.get("id"), single.route.snapshot_id)), None)
            if listed is not None and (listed.findtext("snapshot_status") or "").strip() == "ok":
                pairs.append((list_exchange, listed, single, fetched))
    traffic.judge(
        "SNAP-REPR-16",
        pairs,
        lambda pair: checks.check_list_matches_get(pair[1], pair[3], traffic.dialect),
        exchanges_of=lambda pair: [pair[0], pair[2]],
        nothing="no single GET of a listed snapshot was recorded beside its list",
    )


# -- All-Content -------------------------------------------------------------------------------
@requirement("SNAP-ALLC-01")
def test_no_configuration_without_all_content(traffic: Traffic) -> None:
    """An engine MUST leave the OVF configuration out unless `All-Content: true` is asked for."""
    traffic.judge(
        "SNAP-ALLC-01",
        traffic.lists(all_content=False),
        lambda subject: checks.check_no_configuration_data(subject[1].findall("snapshot")),
        exchanges_of=_exchange,
        nothing="no recorded list is known to be read without All-Content (request headers not recorded, or none)",
    )


@pytest.mark.parametrize("requirement_id", _each(sorted(ALL_CONTENT_CHECKS)))
def test_recorded_all_content(traffic: Traffic, requirement_id: str) -> None:
    """An engine MUST (SHOULD, for the OVF's description of the VM) include each regular snapshot's OVF as the catalogue says when All-Content is asked for."""
    subjects = [*traffic.lists(all_content=True), *traffic.singles(all_content=True)]

    def check(subject: Listed) -> None:
        exchange, root = subject
        snapshots = [root] if root.tag == "snapshot" else root.findall("snapshot")
        judge_list(requirement_id, snapshots, traffic.context(exchange))

    traffic.judge(requirement_id, subjects, check, exchanges_of=_exchange, nothing="no recorded read is known to ask for All-Content")


@requirement("SNAP-ALLC-06")
def test_all_content_query(traffic: Traffic) -> None:
    """An engine MUST (v4) treat the query all_content=true like the All-Content header."""
    by_query = [s for s in traffic.lists(all_content=True) if "all_content" in s[0].query]
    by_header = [s for s in traffic.lists(all_content=True) if "all_content" not in s[0].query]
    pairs = [(q, h) for q in by_query for h in by_header if q[0].source == h[0].source and q[0].route.vm_id == h[0].route.vm_id][:50]
    traffic.judge(
        "SNAP-ALLC-06",
        pairs,
        lambda pair: checks.check_all_content_query(pair[0][1].findall("snapshot"), pair[1][1].findall("snapshot"), traffic.dialect),
        exchanges_of=lambda pair: [pair[0][0], pair[1][0]],
        nothing="no VM's list was recorded both with the all_content query and with the header",
    )


# -- JSON ---------------------------------------------------------------------------------------
def _json_lists(traffic: Traffic) -> list[Recorded]:
    return [ex for ex in traffic.of("snapshots", statuses=range(200, 300)) if _accepts_json(ex) or checks.media_type(ex) == "application/json"]


@requirement("SNAP-JSON-01")
def test_json_collection(traffic: Traffic) -> None:
    """An engine MUST answer `Accept: application/json` with 200 application/json holding a `snapshot` array."""
    traffic.judge(
        "SNAP-JSON-01", _json_lists(traffic), checks.check_json_collection_answer, exchanges_of=lambda ex: [ex], nothing="no JSON snapshot list was recorded"
    )


@pytest.mark.parametrize("requirement_id", _each(["SNAP-JSON-02", "SNAP-ALLC-04"]))
def test_json_matches_xml(traffic: Traffic, requirement_id: str) -> None:
    """An engine MUST carry the same snapshots with the same values (and OVF) in JSON as in XML."""
    pairs: list[tuple[Recorded, Recorded, etree._Element]] = []
    for json_answer in _json_lists(traffic):
        wanted = asks_all_content(json_answer, traffic.dialect)
        for xml_answer, root in traffic.lists(all_content=None):
            same_vm = xml_answer.source == json_answer.source and xml_answer.route.vm_id == json_answer.route.vm_id
            if same_vm and asks_all_content(xml_answer, traffic.dialect) == wanted and (requirement_id == "SNAP-JSON-02" or wanted):
                pairs.append((json_answer, xml_answer, root))
                break

    def check(pair: tuple[Recorded, Recorded, etree._Element]) -> None:
        json_snapshots = checks.check_json_collection_answer(pair[0])
        xml_snapshots = pair[2].findall("snapshot")
        stable = [s for s in xml_snapshots if (s.findtext("snapshot_status") or "").strip() != "locked"]
        ids = {checks.snapshot_id(s).lower() for s in stable}
        if requirement_id == "SNAP-JSON-02":
            checks.check_json_matches_xml([s for s in json_snapshots if str(s.get("id", "")).lower() in ids], stable, traffic.dialect)
            return
        by_id = {str(s.get("id", "")).lower(): s for s in json_snapshots}
        for snapshot in stable:
            data = checks.configuration_data(snapshot)
            if data is not None and checks.snapshot_id(snapshot).lower() in by_id:
                checks.check_ovf_json(by_id[checks.snapshot_id(snapshot).lower()], data)

    traffic.judge(requirement_id, pairs, check, exchanges_of=lambda pair: [pair[0], pair[1]], nothing="no VM's list was recorded both in JSON and in XML")


# -- negotiation ------------------------------------------------------------------------------------
def _snapshot_reads(traffic: Traffic) -> list[Recorded]:
    return [ex for ex in traffic.of("snapshots", "snapshot") if ex.request_headers is not None and ex.status_code < 500]


@requirement("SNAP-NEG-01")
def test_xml_without_accept(traffic: Traffic) -> None:
    """An engine MUST answer in application/xml when the request has no Accept header."""
    answers = [ex for ex in _snapshot_reads(traffic) if ex.request_header("Accept") is None and 200 <= ex.status_code < 300]
    traffic.judge(
        "SNAP-NEG-01", answers, checks.check_default_xml, exchanges_of=lambda ex: [ex], nothing="no snapshot read without Accept was recorded with its headers"
    )


@requirement("SNAP-NEG-02")
def test_unsupported_accept_is_406(traffic: Traffic) -> None:
    """An engine SHOULD answer 406 to an Accept header naming only a type it cannot produce."""

    def unsupported(accept: str | None) -> bool:
        return accept is not None and not any(kind in accept.lower() for kind in ("xml", "json", "*/*", "application/*"))

    answers = [ex for ex in _snapshot_reads(traffic) if unsupported(ex.request_header("Accept"))]
    traffic.judge(
        "SNAP-NEG-02", answers, checks.check_not_acceptable, exchanges_of=lambda ex: [ex], nothing="no snapshot read with an unsupported Accept was recorded"
    )


# -- sub-collections ----------------------------------------------------------------------------------
@requirement("SNAP-SUB-01")
def test_snapshot_sub_collections(traffic: Traffic) -> None:
    """An engine MAY link disks, nics and cdroms from a snapshot; such sub-collections MUST answer GET with their root element and refuse PUT and POST."""
    linked = any(link.get("rel") in ("disks", "nics", "cdroms") for _, root in traffic.lists(all_content=None) for link in root.iterfind("snapshot/link"))
    answers = [ex for ex in traffic.exchanges if ex.route.kind == "sub-collection"]
    if not answers:
        if not linked:
            if not traffic.lists(all_content=None):
                not_tested("no XML snapshot list was recorded")
            not_applicable("the recorded snapshots link no disks, nics or cdroms sub-collection")
        not_tested("the snapshots link sub-collections, but no request to one was recorded")

    def check(exchange: Recorded) -> None:
        where = f"{exchange.route.tail} of snapshot {exchange.route.snapshot_id}"
        if exchange.method in ("PUT", "POST"):
            checks.check_answer_status(exchange, "SNAP-SUB-01", range(400, 500), f"{exchange.method} on the {where}")
            return
        if exchange.method != "GET":
            return
        checks.check_answer_status(exchange, "SNAP-SUB-01", (200,), f"GET of the {where}")
        root = checks.parse_xml_answer(exchange, "SNAP-SUB-01")
        if root.tag != exchange.route.tail:
            raise checks.RequirementFailure(
                "SNAP-SUB-01", f"the {where} has the wrong root element", received=f"<{root.tag}>", expected=f"<{exchange.route.tail}>"
            )

    traffic.judge("SNAP-SUB-01", answers, check, exchanges_of=lambda ex: [ex], nothing="")
