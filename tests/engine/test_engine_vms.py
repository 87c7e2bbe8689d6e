"""VMs: list, search, get, create, update, delete."""

from __future__ import annotations

import re
import uuid

import pytest


def _name() -> str:
    return f"vm-{uuid.uuid4().hex[:10]}"


def _vm_body(name: str, extra: str = "") -> str:
    return f"<vm><name>{name}</name>{extra}<cluster><name>Default</name></cluster><template><name>Blank</name></template></vm>"


# --- reading -----------------------------------------------------------------------------


def test_list_has_seeded_vms_up_and_down(api, seeded):
    vms = list(api.xml(api.get("vms")).iterfind("vm"))
    assert len(vms) >= 3
    states = {vm.findtext("status/state") for vm in vms}
    assert {"up", "down"} <= states
    for vm in vms:
        vm_id = vm.get("id") or ""
        assert re.fullmatch(seeded.guid_pattern, vm_id)
        href = f"/ovirt-engine/api/vms/{vm_id}"
        assert vm.get("href") == href
        assert vm.findtext("name")
        assert int(vm.findtext("memory") or 0) > 0
        topology = vm.find("cpu/topology")
        assert topology is not None
        assert int(topology.get("sockets") or 0) >= 1
        rels = {link.get("rel"): link.get("href") for link in vm.iterfind("link")}
        assert rels["snapshots"] == f"{href}/snapshots"
        assert {"disks", "nics", "cdroms"} <= set(rels)
        actions = {link.get("rel"): link.get("href") for link in vm.iterfind("actions/link")}
        for action in ("start", "stop", "freezefilesystems", "thawfilesystems"):
            assert actions[action] == f"{href}/{action}"
        assert vm.find("cluster").get("id") == seeded.default_cluster
        assert vm.find("template").get("id") == seeded.blank_template


def test_get_one_vm(api, seeded):
    vm = api.vm(seeded.db_01)
    assert vm.findtext("name") == "db-01"
    assert vm.findtext("status/state") == "down"
    assert vm.findtext("memory") == "8589934592"


def test_vm_as_json(api, seeded):
    vm = api.json(api.get(f"vms/{seeded.web_01}", headers={"Accept": "application/json"}))
    assert vm["id"] == seeded.web_01
    assert vm["status"] == {"state": "up"}
    assert vm["memory"] == 4294967296
    assert vm["cpu"]["topology"]["sockets"] == 2
    assert any(link["rel"] == "snapshots" for link in vm["link"])


@pytest.mark.parametrize(
    ("search", "names"),
    [
        pytest.param("name=db-01", {"db-01"}, id="exact"),
        pytest.param("name=DB-01", {"db-01"}, id="case-insensitive"),
        pytest.param("name=web*", {"web-01"}, id="wildcard"),
        pytest.param("Vms: name=monitor", {"monitor"}, id="prefixed"),
        pytest.param('name="build-agent-03"', {"build-agent-03"}, id="quoted"),
        pytest.param("name=nothing-like-this", set(), id="no-match"),
        pytest.param("name=db* and status=down", {"db-01"}, id="and"),
    ],
)
def test_search_by_name(api, search, names):
    found = {vm.findtext("name") for vm in api.xml(api.get("vms", params={"search": search})).iterfind("vm")}
    assert found & {"db-01", "web-01", "monitor", "build-agent-03"} == names


def test_search_by_status(api):
    vms = list(api.xml(api.get("vms", params={"search": "status=up"})).iterfind("vm"))
    assert vms
    assert all(vm.findtext("status/state") == "up" for vm in vms)


@pytest.mark.parametrize("search", ["name", "colour=blue", "name=a or name=b", "=x"])
def test_malformed_search_is_400(api, search):
    api.fault(api.get("vms", params={"search": search}), 400)


def test_max_limits_the_list(api):
    assert len(list(api.xml(api.get("vms", params={"max": "2"})).iterfind("vm"))) == 2
    api.fault(api.get("vms", params={"max": "many"}), 400)


def test_unknown_query_parameters_are_ignored(api):
    assert api.get("vms", params={"follow": "snapshots", "colour": "blue"}).status_code == 200


@pytest.mark.parametrize(
    "vm_id",
    [
        pytest.param("6f1d0d0a-0000-4000-8000-000000000001", id="unknown"),
        pytest.param("not-a-guid", id="malformed"),
        pytest.param("{dbc4cc47-2194-43f9-b7c0-0dc4acd5efea}", id="braces"),
    ],
)
def test_unknown_or_malformed_vm_is_404(api, vm_id):
    api.not_found(api.get(f"vms/{vm_id}"))


def test_upper_case_guid_finds_the_vm(api, seeded):
    assert api.vm(seeded.db_01.upper()).get("id") == seeded.db_01


# --- creating ----------------------------------------------------------------------------


def test_create_vm(api):
    name = _name()
    response = api.post("vms", _vm_body(name, "<description>made by a test</description>"))
    vm = api.xml(response, 201)
    vm_id = vm.get("id") or ""
    assert response.headers["location"].endswith(f"/ovirt-engine/api/vms/{vm_id}")
    assert response.headers["location"].startswith("http://")
    assert vm.findtext("name") == name
    assert vm.findtext("description") == "made by a test"
    assert vm.findtext("status/state") == "down"
    assert vm.findtext("memory") == str(1024**3)  # the Blank template's
    snapshots = api.snapshots(vm_id)
    assert [(s.findtext("type"), s.findtext("description")) for s in snapshots] == [("active", "Active VM")]
    assert [v.get("id") for v in api.xml(api.get("vms", params={"search": f"name={name}"})).iterfind("vm")] == [vm_id]
    api.delete(f"vms/{vm_id}")


def test_create_vm_by_ids_and_with_configuration(api, seeded):
    body = (
        f"<vm><name>{_name()}</name><memory>2147483648</memory><cpu><topology sockets='2' cores='2'/></cpu>"
        f"<cluster id='{seeded.default_cluster}'/><template id='{seeded.blank_template}'/></vm>"
    )
    vm = api.xml(api.post("vms", body), 201)
    assert vm.findtext("memory") == "2147483648"
    assert vm.find("cpu/topology").get("cores") == "2"
    api.delete(f"vms/{vm.get('id')}")


def test_create_vm_from_json(api):
    name = _name()
    body = {"name": name, "cluster": {"name": "Default"}, "template": {"name": "Blank"}, "cpu": {"topology": {"sockets": 2, "cores": 1}}}
    vm = api.json(api.request("POST", "vms", json_body=body, headers={"Accept": "application/json"}), 201)
    assert vm["name"] == name
    assert vm["cpu"]["topology"]["sockets"] == 2
    api.delete(f"vms/{vm['id']}")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param("<vm><cluster><name>Default</name></cluster><template><name>Blank</name></template></vm>", "Incomplete parameters", id="no-name"),
        pytest.param(
            "<vm><name> </name><cluster><name>Default</name></cluster><template><name>Blank</name></template></vm>", "Incomplete parameters", id="blank-name"
        ),
        pytest.param("<vm><name>{name}</name><template><name>Blank</name></template></vm>", "Incomplete parameters", id="no-cluster"),
        pytest.param("<vm><name>{name}</name><cluster><name>Default</name></cluster></vm>", "Incomplete parameters", id="no-template"),
        pytest.param("<vm><name>{name}</name><cluster><name>Nowhere</name></cluster><template><name>Blank</name></template></vm>", None, id="unknown-cluster"),
        pytest.param("<vm><name>{name}</name><cluster><name>Default</name></cluster><template><name>Fancy</name></template></vm>", None, id="unknown-template"),
        pytest.param(
            "<vm><name>{name}</name><cluster id='6f1d0d0a-0000-4000-8000-000000000001'/><template><name>Blank</name></template></vm>",
            None,
            id="unknown-cluster-id",
        ),
        pytest.param("<vm><name>{name}</name><cluster id='zzz'/><template><name>Blank</name></template></vm>", None, id="malformed-cluster-id"),
        pytest.param(
            "<vm><name>bad name!</name><cluster><name>Default</name></cluster><template><name>Blank</name></template></vm>", None, id="bad-name-characters"
        ),
        pytest.param(
            f"<vm><name>{'x' * 65}</name><cluster><name>Default</name></cluster><template><name>Blank</name></template></vm>", None, id="name-too-long"
        ),
        pytest.param(_vm_body("{name}", "<memory>abc</memory>"), "Invalid value", id="memory-not-a-number"),
        pytest.param(_vm_body("{name}", "<memory>-1</memory>"), "Invalid value", id="memory-negative"),
        pytest.param(_vm_body("{name}", "<cpu><topology sockets='x' cores='1'/></cpu>"), "Invalid value", id="sockets-not-a-number"),
        pytest.param("", "Incomplete parameters", id="empty-body"),
        pytest.param("<snapshot/>", None, id="wrong-root"),
    ],
)
def test_create_vm_refused_with_400(api, body, reason):
    name = _name()
    got_reason, _ = api.fault(api.post("vms", body.replace("{name}", name)), 400)
    if reason is not None:
        assert got_reason == reason
    assert not list(api.xml(api.get("vms", params={"search": f"name={name}"})).iterfind("vm"))


def test_create_vm_with_a_name_in_use_is_409(api):
    _, detail = api.fault(api.post("vms", _vm_body("db-01")), 409)
    assert "already in use" in detail
    assert len(list(api.xml(api.get("vms", params={"search": "name=db-01"})).iterfind("vm"))) == 1


# --- updating ----------------------------------------------------------------------------


def test_update_description_and_memory(api, vm):
    updated = api.xml(api.put(f"vms/{vm}", "<vm><description>changed</description><memory>3221225472</memory></vm>"))
    assert updated.findtext("description") == "changed"
    assert updated.findtext("memory") == "3221225472"
    again = api.vm(vm)
    assert (again.findtext("description"), again.findtext("memory")) == ("changed", "3221225472")


def test_update_name_and_cpu(api, vm):
    name = _name()
    updated = api.xml(api.put(f"vms/{vm}", f"<vm><name>{name}</name><cpu><topology sockets='4' cores='1'/></cpu></vm>"))
    assert updated.findtext("name") == name
    assert updated.find("cpu/topology").get("sockets") == "4"


def test_update_with_json(api, vm):
    updated = api.json(api.request("PUT", f"vms/{vm}", json_body={"description": "json"}, headers={"Accept": "application/json"}))
    assert updated["description"] == "json"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param("<vm><memory>abc</memory></vm>", 400, id="memory-abc"),
        pytest.param("<vm><memory>0</memory></vm>", 400, id="memory-zero"),
        pytest.param("<vm><memory>99999999999999999999999</memory></vm>", 400, id="memory-huge"),
        pytest.param("<vm><name>db-01</name></vm>", 409, id="name-in-use"),
        pytest.param("<vm><name>has space</name></vm>", 400, id="bad-name"),
        pytest.param("<vm><description>x</description>", 400, id="broken-xml"),
        pytest.param("", 400, id="empty"),
    ],
)
def test_refused_update_changes_nothing(api, vm, body, status):
    before = api.vm(vm)
    api.fault(api.put(f"vms/{vm}", body), status)
    after = api.vm(vm)
    for field in ("name", "description", "memory"):
        assert after.findtext(field) == before.findtext(field)


def test_update_unknown_vm_is_404(api):
    api.not_found(api.put("vms/6f1d0d0a-0000-4000-8000-000000000001", "<vm><description>x</description></vm>"))


# --- deleting ----------------------------------------------------------------------------


def test_delete_a_down_vm_removes_it_and_its_snapshots(api):
    vm_id = api.create_vm()
    api.create_snapshot(vm_id, "one")
    api.completed(api.delete(f"vms/{vm_id}"))
    api.not_found(api.get(f"vms/{vm_id}"))
    api.not_found(api.get(f"vms/{vm_id}/snapshots"))


def test_delete_a_running_vm_is_409(api, up_vm):
    _, detail = api.fault(api.delete(f"vms/{up_vm}"), 409)
    assert "running" in detail
    assert api.vm_status(up_vm) == "up"


def test_delete_unknown_vm_is_404(api):
    api.not_found(api.delete("vms/6f1d0d0a-0000-4000-8000-000000000001"))
