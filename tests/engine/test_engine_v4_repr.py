"""The v4 shapes: element order of the v4 schema, plain statuses, v4 JSON, all_content."""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files

import pytest
from lxml import etree

#: the v4 schema's order for a snapshot (BaseResource, VmBase, Snapshot), as far as the engine fills it
SNAPSHOT_ORDER = [
    "actions",
    "description",
    "creation_status",
    "link",
    "initialization",
    "date",
    "persist_memorystate",
    "snapshot_status",
    "snapshot_type",
    "vm",
]


def _in_order(element: etree._Element, order: list[str]) -> None:
    tags = [child.tag for child in element]
    assert set(tags) <= set(order), tags
    positions = [order.index(tag) for tag in tags]
    assert positions == sorted(positions), tags


@pytest.fixture(scope="module")
def v4_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring((files("conformance.specs") / "v4" / "snapshot.xsd").read_bytes()))


# --- XML --------------------------------------------------------------------------------


@pytest.mark.parametrize("all_content", [False, True], ids=["plain", "all-content"])
def test_snapshots_follow_the_v4_schema(v4api, seeded, v4_schema, all_content):
    root = v4api.xml(v4api.get(f"vms/{seeded.db_01}/snapshots", params={"all_content": str(all_content).lower()}))
    assert v4_schema.validate(root), v4_schema.error_log
    for snapshot in root.iterfind("snapshot"):
        _in_order(snapshot, SNAPSHOT_ORDER)
        assert snapshot.find("type") is None, "in v4 <type> is the VM type; a snapshot has snapshot_type"
        assert snapshot.findtext("snapshot_type") in {"regular", "active"}
        assert snapshot.findtext("snapshot_status") == "ok"
        assert snapshot.findtext("persist_memorystate") in {"true", "false"}
        datetime.fromisoformat(snapshot.findtext("date"))
        configuration = snapshot.find("initialization/configuration")
        if all_content and snapshot.findtext("snapshot_type") == "regular":
            assert [child.tag for child in configuration] == ["data", "type"]
            assert configuration.findtext("type") == "ovf"
        else:
            assert configuration is None


def test_a_created_snapshot_follows_the_v4_schema(v4api, v4vm, v4_schema):
    response = v4api.post(f"vms/{v4vm}/snapshots", "<snapshot><description>v4</description></snapshot>")
    snapshot = v4api.xml(response, 202)
    assert v4_schema.validate(snapshot), v4_schema.error_log
    _in_order(snapshot, SNAPSHOT_ORDER)
    assert snapshot.findtext("creation_status") == "pending"  # plain, as every v4 status
    (link,) = [link for link in snapshot.iterfind("link") if link.get("rel") == "creation_status"]
    v4api.wait_snapshot(v4vm, snapshot.get("id"), "ok")
    creation = v4api.xml(v4api.get(link.get("href")))
    assert creation.tag == "creation"
    assert creation.findtext("status") == "complete"


def test_expect_201_locates_the_snapshot(v4api, v4vm):
    response = v4api.client.post(
        f"/ovirt-engine/api/v4/vms/{v4vm}/snapshots",
        content=b"<snapshot><description>sync</description></snapshot>",
        headers={"Content-Type": "application/xml", "Expect": "201-created"},
    )
    snapshot = v4api.xml(response, 201)
    assert snapshot.findtext("snapshot_status") == "ok"
    assert response.headers["location"] == v4api.engine.base_url + snapshot.get("href")
    assert snapshot.get("href").startswith("/ovirt-engine/api/v4/vms/")


def test_a_vm_has_a_plain_status(v4api, v4vm):
    vm = v4api.vm(v4vm)
    assert vm.findtext("status") == "down"
    assert vm.find("status/state") is None
    assert [t.tag for t in vm.find("cpu/topology")] == ["cores", "sockets", "threads"]
    assert vm.findtext("os/type")
    assert vm.findtext("os/boot/devices/device") == "hd"
    rels = {link.get("rel"): link.get("href") for link in vm.iterfind("link")}
    assert rels["snapshots"] == f"{vm.get('href')}/snapshots"


def test_actions_and_faults(v4api, v4vm, up_vm_v4):
    v4api.completed(v4api.post(f"vms/{v4vm}/start"))
    # A refused action: an <action> whose fault comes before its status (sorted members).
    target = v4api.create_snapshot(up_vm_v4, "t")
    response = v4api.post(f"vms/{up_vm_v4}/snapshots/{target}/restore")
    root = v4api.xml(response, 409)
    assert [child.tag for child in root] == ["fault", "status"]
    assert root.findtext("status") == "failed"
    assert [child.tag for child in root.find("fault")] == ["detail", "reason"]
    # A plain fault: detail, then reason.
    fault = v4api.xml(v4api.post(f"vms/{v4vm}/snapshots", "<snapshot/>"), 400)
    assert [child.tag for child in fault] == ["detail", "reason"]
    assert fault.findtext("reason") == "Incomplete parameters"


@pytest.fixture
def up_vm_v4(v4api):
    vm_id = v4api.create_vm()
    v4api.start_vm(vm_id)
    yield vm_id
    v4api.stop_vm(vm_id)
    assert v4api.delete(f"vms/{vm_id}").status_code == 200


def test_the_api_root(v4api):
    root = v4api.xml(v4api.get(""))
    version = root.find("product_info/version")
    assert [child.tag for child in version] == ["build", "full_version", "major", "minor", "revision"]
    assert (version.findtext("major"), version.findtext("minor")) == ("4", "2")
    assert [child.tag for child in root.find("summary/vms")] == ["active", "total"]


# --- JSON -------------------------------------------------------------------------------


def test_json_dates_are_epoch_milliseconds_and_values_are_strings(v4api, seeded):
    json_list = v4api.json(v4api.get(f"vms/{seeded.db_01}/snapshots", headers={"Accept": "application/json"}))
    xml_list = {s.get("id"): s for s in v4api.xml(v4api.get(f"vms/{seeded.db_01}/snapshots")).iterfind("snapshot")}
    assert set(json_list) == {"snapshot"}
    for snapshot in json_list["snapshot"]:
        xml = xml_list[snapshot["id"]]
        assert isinstance(snapshot["date"], int)
        assert snapshot["date"] == round(datetime.fromisoformat(xml.findtext("date")).timestamp() * 1000)
        assert snapshot["persist_memorystate"] in {"true", "false"}
        assert snapshot["persist_memorystate"] == xml.findtext("persist_memorystate")
        assert snapshot["snapshot_type"] == xml.findtext("snapshot_type")
        assert snapshot["actions"]["link"][0]["rel"] == "restore"
        if snapshot["snapshot_type"] == "active":
            assert "vm" not in snapshot
            continue
        vm = snapshot["vm"]  # the VM's configuration inline, no href, as real v4 engines answer
        assert "href" not in vm
        assert vm["id"] == seeded.db_01
        assert vm["name"] == xml.findtext("vm/name")
        assert vm["memory"] == xml.findtext("vm/memory")
        assert isinstance(snapshot["link"], list)


def test_json_integers_are_strings(v4api, seeded):
    vm = v4api.json(v4api.get(f"vms/{seeded.db_01}", headers={"Accept": "application/json"}))
    assert vm["memory"] == "8589934592"
    assert vm["status"] == "down"
    assert vm["cpu"]["topology"] == {"cores": "2", "sockets": "2", "threads": "1"}
    assert vm["stateless"] == "false"


def test_json_actions_and_faults(v4api, v4vm):
    headers = {"Accept": "application/json"}
    assert v4api.json(v4api.post(f"vms/{v4vm}/undosnapshot", headers=headers), 409) == {
        "fault": {"detail": "[Cannot undo Snapshot. VM is not in preview mode.]", "reason": "Operation Failed"},
        "status": "failed",
    }
    assert v4api.json(v4api.post(f"vms/{v4vm}/start", headers=headers)) == {"status": "complete"}


# --- All-Content ------------------------------------------------------------------------


def _has_ovf(api, vm_id: str, **kwargs) -> bool:
    root = api.xml(api.get(f"vms/{vm_id}/snapshots", **kwargs))
    return any(s.find("initialization/configuration/data") is not None for s in root.iterfind("snapshot"))


@pytest.mark.parametrize(
    ("params", "headers", "expected"),
    [
        pytest.param({}, {}, False, id="neither"),
        pytest.param({"all_content": "true"}, {}, True, id="query-true"),
        pytest.param({"all_content": "TRUE"}, {}, True, id="query-upper-case"),
        pytest.param({"all_content": "1"}, {}, True, id="query-1"),
        pytest.param({"all_content": "yes"}, {}, True, id="query-yes"),
        pytest.param({"all_content": ""}, {}, True, id="query-without-value"),
        pytest.param({"all_content": "false"}, {}, False, id="query-false"),
        pytest.param({"all_content": "maybe"}, {}, False, id="query-not-a-boolean"),
        pytest.param({}, {"All-Content": "true"}, True, id="header-true"),
        pytest.param({}, {"All-Content": "false"}, False, id="header-false"),
        pytest.param({"all_content": "false"}, {"All-Content": "true"}, True, id="either-is-enough"),
    ],
)
def test_all_content_as_query_or_header(v4api, seeded, params, headers, expected):
    assert _has_ovf(v4api, seeded.db_01, params=params, headers=headers) is expected


def test_v3_knows_only_the_header(api, seeded):
    assert not _has_ovf(api, seeded.db_01, params={"all_content": "true"})
    assert _has_ovf(api, seeded.db_01, headers={"All-Content": "true"})


# --- create defaults --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [pytest.param("3", "false", id="v3-false"), pytest.param("4", "true", id="v4-true")],
)
def test_a_live_snapshot_saves_memory_by_the_dialects_default(api, up_vm, dialect, expected):
    response = api.post(f"vms/{up_vm}/snapshots", "<snapshot><description>live</description></snapshot>", headers={"Version": dialect})
    snapshot = api.xml(response, response.status_code)
    assert snapshot.findtext("persist_memorystate") == expected
    api.wait_snapshot(up_vm, snapshot.get("id"), "ok")


def test_a_down_vm_saves_no_memory_in_v4_either(v4api, v4vm):
    snapshot_id = v4api.create_snapshot(v4vm, "down")
    assert v4api.snapshot(v4vm, snapshot_id).findtext("persist_memorystate") == "false"


def test_a_snapshot_holds_the_vm_as_it_was_and_the_active_one_no_vm(v4api, v4vm):
    """Real v4 engines (4.2 to 4.4, recorded): a non-active snapshot's vm has the VM's id, no
    href, and its configuration at snapshot time; the active snapshot has no vm and no links."""
    before = v4api.xml(v4api.get(f"vms/{v4vm}"))
    snapshot_id = v4api.create_snapshot(v4vm, "as it was")
    v4api.xml(v4api.put(f"vms/{v4vm}", f"<vm><memory>{2 * int(before.findtext('memory'))}</memory></vm>"))
    snapshots = {s.findtext("snapshot_type"): s for s in v4api.xml(v4api.get(f"vms/{v4vm}/snapshots")).iterfind("snapshot")}
    active, regular = snapshots["active"], snapshots["regular"]
    assert regular.get("id") == snapshot_id
    assert active.find("vm") is None
    assert active.find("link") is None
    vm = regular.find("vm")
    assert (vm.get("id"), vm.get("href")) == (v4vm, None)
    assert vm.findtext("name") == before.findtext("name")
    assert vm.findtext("memory") == before.findtext("memory")
    assert vm.find("cluster").get("id") == before.find("cluster").get("id")
    assert vm.find("cluster").get("href") is None
    assert vm.findtext("cpu/topology/cores") == before.findtext("cpu/topology/cores")


def test_v4_answers_carry_the_recorded_headers(v4api, api, seeded):
    """4.2 to 4.4 engines (recorded): application/xml;charset=UTF-8 and a correlation-id."""
    answer = v4api.get(f"vms/{seeded.db_01}/snapshots")
    assert answer.headers["content-type"] == "application/xml;charset=UTF-8"
    assert len(answer.headers["correlation-id"]) == 36
    assert v4api.get(f"vms/{seeded.db_01}/snapshots").headers["correlation-id"] != answer.headers["correlation-id"]
    v3 = api.get(f"vms/{seeded.db_01}/snapshots")  # 3.6: application/xml, no correlation-id
    assert v3.headers["content-type"] == "application/xml"
    assert "correlation-id" not in v3.headers
