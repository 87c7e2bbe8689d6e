"""Reading snapshots: the list and one snapshot, in XML and JSON, with the 3.6 shape."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from lxml import etree

from conformance.resources import spec

SNAPSHOT_TYPES = {"regular", "active", "stateless", "preview"}
SNAPSHOT_STATUSES = {"ok", "locked", "in_preview"}
# Element order of the 3.6 api.xsd, for the elements a snapshot can have here.
ORDER = ["actions", "description", "creation_status", "link", "type", "initialization", "vm", "date", "snapshot_status", "persist_memorystate"]
XS_DATETIME = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def _xs_datetime(text: str) -> datetime:
    assert XS_DATETIME.fullmatch(text), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _shape(element: etree._Element) -> tuple[object, ...]:
    """An element's content without the indentation (pretty-printing differs by depth)."""
    return (element.tag, dict(element.attrib), (element.text or "").strip(), [_shape(child) for child in element])


def _check_snapshot(snapshot: etree._Element, vm_id: str, guid_pattern: str) -> None:
    snapshot_id = snapshot.get("id") or ""
    assert re.fullmatch(guid_pattern, snapshot_id)
    href = f"/ovirt-engine/api/vms/{vm_id}/snapshots/{snapshot_id}"
    assert snapshot.get("href") == href
    active = snapshot.findtext("type") == "active"
    vm = snapshot.find("vm")
    actions = {link.get("rel"): link.get("href") for link in snapshot.iterfind("actions/link")}
    assert actions == {"restore": f"{href}/restore"}
    links = {link.get("rel"): link.get("href") for link in snapshot.iterfind("link")}
    assert "prev" not in links
    if active:  # as 3.6 to 4.4 engines answer: the active snapshot is the VM itself
        assert vm is None
        assert links == {}
    else:
        assert vm is not None
        assert (vm.get("id"), vm.get("href")) == (vm_id, f"/ovirt-engine/api/vms/{vm_id}")
        assert links == {rel: f"{href}/{rel}" for rel in ("disks", "nics", "cdroms")}
    assert snapshot.findtext("type") in SNAPSHOT_TYPES
    date = _xs_datetime(snapshot.findtext("date") or "")
    assert date.tzinfo is not None
    assert "." in (snapshot.findtext("date") or ""), "fractional seconds, as real engines write"
    assert snapshot.findtext("snapshot_status") in SNAPSHOT_STATUSES
    assert snapshot.findtext("persist_memorystate") in ("true", "false")
    assert snapshot.findtext("description") is not None
    tags = [child.tag for child in snapshot]
    assert tags == sorted(tags, key=ORDER.index), tags


def test_list_shape(api, seeded):
    root = api.xml(api.get(f"vms/{seeded.db_01}/snapshots"))
    assert root.tag == "snapshots"
    snapshots = list(root)
    assert {s.tag for s in snapshots} == {"snapshot"}
    assert len(snapshots) == 4
    for snapshot in snapshots:
        _check_snapshot(snapshot, seeded.db_01, seeded.guid_pattern)
    assert [s.findtext("type") for s in snapshots].count("active") == 1
    ids = [s.get("id") for s in snapshots]
    assert len(set(ids)) == len(ids)
    active = next(s for s in snapshots if s.findtext("type") == "active")
    assert active.get("id") == seeded.db_01_active
    assert active.findtext("description") == "Active VM"


def test_seeded_dates_are_in_the_past_and_differ(api, seeded):
    dates = [_xs_datetime(s.findtext("date") or "") for s in api.by_type(seeded.db_01, "regular")]
    assert len(set(dates)) == len(dates) == 3
    assert all(date < datetime.now().astimezone() for date in dates)


def test_every_vm_has_exactly_one_active_snapshot(api):
    for vm in api.xml(api.get("vms")).iterfind("vm"):
        assert len(api.by_type(vm.get("id"), "active")) == 1


def test_single_get_agrees_with_the_list(api, seeded):
    for listed in api.snapshots(seeded.db_01):
        single = api.snapshot(seeded.db_01, listed.get("id"))
        assert single.tag == "snapshot"
        assert _shape(single) == _shape(listed)


@pytest.mark.parametrize("all_content", [False, True], ids=["plain", "all-content"])
def test_documents_validate_against_the_v3_schema(api, seeded, all_content):
    xmlschema = pytest.importorskip("xmlschema")
    try:
        schema = xmlschema.XMLSchema(spec("v3/snapshot.xsd").read_text())
    except FileNotFoundError:
        pytest.skip("specs/v3/snapshot.xsd is not there")
    headers = {"All-Content": "true"} if all_content else {}
    schema.validate(api.get(f"vms/{seeded.db_01}/snapshots", headers=headers).text)
    schema.validate(api.get(f"vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}", headers=headers).text)


def test_create_answer_validates_against_the_v3_schema(api, vm):
    xmlschema = pytest.importorskip("xmlschema")
    try:
        schema = xmlschema.XMLSchema(spec("v3/snapshot.xsd").read_text())
    except FileNotFoundError:
        pytest.skip("specs/v3/snapshot.xsd is not there")
    response = api.post(f"vms/{vm}/snapshots", "<snapshot><description>schema</description></snapshot>")
    assert response.status_code == 202
    schema.validate(response.text)


def test_json_mirrors_the_xml(api, seeded):
    xml_snapshots = {s.get("id"): s for s in api.snapshots(seeded.web_01)}
    document = api.json(api.get(f"vms/{seeded.web_01}/snapshots", headers={"Accept": "application/json"}))
    assert set(document) == {"snapshot"}
    assert {s["id"] for s in document["snapshot"]} == set(xml_snapshots)
    for item in document["snapshot"]:
        xml = xml_snapshots[item["id"]]
        assert item["href"] == xml.get("href")
        assert item["description"] == xml.findtext("description")
        assert item.get("type") == xml.findtext("type")  # none on the next-run configuration snapshot
        assert item["snapshot_status"] == xml.findtext("snapshot_status")
        assert item["persist_memorystate"] is (xml.findtext("persist_memorystate") == "true")
        assert item["date"] == xml.findtext("date")
        assert item["actions"] == {"link": [{"href": f"{xml.get('href')}/restore", "rel": "restore"}]}
        if item.get("type") == "active":
            assert "vm" not in item
            assert "link" not in item
        else:
            assert item["vm"] == {"id": seeded.web_01, "href": f"/ovirt-engine/api/vms/{seeded.web_01}"}
            assert [link["rel"] for link in item["link"]] == ["disks", "nics", "cdroms"]
    assert any(item["persist_memorystate"] is True for item in document["snapshot"])


def test_single_snapshot_as_json(api, seeded):
    item = api.json(api.get(f"vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}", headers={"Accept": "application/json"}))
    assert item["id"] == seeded.db_01_initial
    assert item["type"] == "regular"


def test_empty_collection_in_json(api, vm):
    api.delete(f"vms/{vm}/snapshots/{api.active_id(vm)}")  # refused: the list keeps the active one
    document = api.json(api.get(f"vms/{vm}/snapshots", headers={"Accept": "application/json"}))
    assert [s["type"] for s in document["snapshot"]] == ["active"]


@pytest.mark.parametrize(
    "snapshot_id",
    [
        pytest.param("6f1d0d0a-0000-4000-8000-000000000001", id="unknown"),
        pytest.param("not-a-guid", id="malformed"),
        pytest.param("DBC4CC47-2194-43F9-B7C0", id="truncated"),
    ],
)
def test_unknown_or_malformed_snapshot_is_404(api, seeded, snapshot_id):
    api.not_found(api.get(f"vms/{seeded.db_01}/snapshots/{snapshot_id}"))


def test_a_404_carries_a_fault_with_the_variant_of_later_engines(make_engine, make_api, seeded):
    api = make_api(make_engine(variants={"fault-on-404"}))
    _, detail = api.fault(api.get(f"vms/{seeded.db_01}/snapshots/6f1d0d0a-0000-4000-8000-000000000001"), 404)
    assert "not found" in detail.lower()


def test_snapshots_of_an_unknown_vm_are_404(api):
    api.not_found(api.get("vms/6f1d0d0a-0000-4000-8000-000000000001/snapshots"))


def test_upper_case_ids_and_trailing_slash(api, seeded):
    snapshot = api.xml(api.client.get(f"/ovirt-engine/api/vms/{seeded.db_01.upper()}/snapshots/{seeded.db_01_initial.upper()}/"))
    assert snapshot.get("id") == seeded.db_01_initial


def test_head_and_options(api, seeded):
    head = api.request("HEAD", f"vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}")
    assert head.status_code == 200
    assert head.content == b""
    options = api.request("OPTIONS", f"vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}")
    assert options.status_code == 200
    assert set(options.headers["allow"].split(", ")) == {"GET", "DELETE", "HEAD", "OPTIONS"}


def test_max_limits_the_list(api, seeded):
    assert len(list(api.xml(api.get(f"vms/{seeded.db_01}/snapshots", params={"max": "1"})))) == 1


@pytest.mark.parametrize("version", ["3", "4"])
def test_a_running_vm_with_a_pending_change_lists_its_next_run_snapshot(api, seeded, version):
    """As real engines answer (facts, "Recorded answers"): the next-run configuration snapshot
    has no type, and the VM reports next_run_configuration_exists true."""
    headers = {"Version": version}
    type_element = "type" if version == "3" else "snapshot_type"
    snapshots = list(api.xml(api.get(f"vms/{seeded.web_01}/snapshots", headers=headers)).iterfind("snapshot"))
    (next_run,) = [s for s in snapshots if s.find(type_element) is None]
    assert next_run.findtext("description") == "Next Run configuration snapshot"
    assert next_run.find("vm").get("id") == seeded.web_01
    assert [s.findtext(type_element) for s in snapshots].count("active") == 1
    assert api.xml(api.get(f"vms/{seeded.web_01}", headers=headers)).findtext("next_run_configuration_exists") == "true"
    assert api.xml(api.get(f"vms/{seeded.db_01}", headers=headers)).findtext("next_run_configuration_exists") == "false"
