"""SNAP-REPR-15 in v4, and the v4 XSD it uses: the generated schema's order (members sorted
by name within each declaring type), checked against the model's rules and the SDK."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import xmlschema

from conformance import safexml
from conformance.checks import check_schema
from conformance.resources import spec

VM = "42ec2621-7ad6-4ca2-bd68-973a44b2562e"
VM_HREF = f"/ovirt-engine/api/vms/{VM}"
REF = f'<vm href="{VM_HREF}" id="{VM}"/>'
MEMORY = "<persist_memorystate>false</persist_memorystate>"
STATUS = "<snapshot_status>ok</snapshot_status>"
TYPE = "<snapshot_type>regular</snapshot_type>"
DATE = "<date>2015-02-10T00:39:24.123+01:00</date>"

#: the members the hand-written BaseResource (and ActionableResource) put first
BASE_RESOURCE = ["actions", "name", "description", "comment", "creation_status", "link"]


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(spec("v4/snapshot.xsd").read_text(encoding="utf-8"))


def names(schema: xmlschema.XMLSchema10, type_name: str) -> list[str]:
    return [element.name for element in schema.types[type_name].content.iter_elements()]


def own(schema: xmlschema.XMLSchema10, type_name: str) -> list[str]:
    """The members a type declares itself (its sequence after its base type's)."""
    kind = schema.types[type_name]
    inherited = len(list(kind.base_type.content.iter_elements())) if kind.derivation == "extension" else 0
    return names(schema, type_name)[inherited:]


def sdk_writer_tags(writer: str) -> list[str]:
    """The tags the installed SDK's ``writer`` writes, in its order (read as text, not imported)."""
    found = importlib.util.find_spec("ovirtsdk4")
    if found is None or not found.submodule_search_locations:
        pytest.skip("ovirt-engine-sdk-python is not installed")
    source = Path(next(iter(found.submodule_search_locations)), "writers.py").read_text(encoding="utf-8")
    body = source.split(f"class {writer}(Writer):", 1)[1].split("\nclass ", 1)[0]
    body = body.split("def write_one", 1)[1].split("def write_many", 1)[0]
    pattern = (
        r"Writer\.write_\w+\(writer, '(\w+)'"
        r"|Writer\.write_one\(obj\.\w+, writer, '(\w+)'\)"
        r"|Writer\.write_many\(obj\.\w+, writer, '\w+', '(\w+)'\)"
    )
    return [next(group for group in match.groups() if group) for match in re.finditer(pattern, body)]


# --- the XSD itself ----------------------------------------------------------------------------------


def test_xsd_names_its_upstream(schema):
    text = spec("v4/snapshot.xsd").read_text(encoding="utf-8")
    for source in (
        "oVirt/ovirt-engine-api-metamodel, tag 1.3.10",
        "tool/src/main/java/org/ovirt/api/metamodel/tool/SchemaGenerator.java",
        "oVirt/ovirt-engine-api-model, tag 4.6.1",
        "caff9a9d857b0f6e143ee50352445474df87c83f",
        "ovirt-engine-4.5.7",
        "backend/manager/modules/restapi/interface/definition/src/main/schema/api.xsd",
    ):
        assert source in text, source
    assert {"snapshot", "snapshots", "vm", "action", "fault", "link", "initialization", "configuration"} <= set(schema.elements)


def test_snapshot_content_is_base_resource_then_each_type_in_turn(schema):
    snapshot = names(schema, "Snapshot")
    assert snapshot[:6] == BASE_RESOURCE
    assert own(schema, "Snapshot") == ["date", "persist_memorystate", "snapshot_status", "snapshot_type", "disks", "vm"]
    # VmBase's members, then Vm's, then Snapshot's: never one alphabetical run across them
    assert snapshot.index("type") < snapshot.index("fqdn") < snapshot.index("status") < snapshot.index("date")
    assert snapshot.index("initialization") < snapshot.index("type") < snapshot.index("cluster")
    assert names(schema, "Snapshots") == ["actions", "size", "total", "active", "snapshot"]


@pytest.mark.parametrize(
    ("type_name", "attributes", "links"),
    [
        pytest.param("VmBase", 43, ["cluster", "cpu_profile", "quota", "storage_domain"], id="VmBase"),
        pytest.param("Vm", 14, None, id="Vm"),
        pytest.param("Snapshot", 4, ["disks", "vm"], id="Snapshot"),
        pytest.param("Initialization", 22, [], id="Initialization"),
        pytest.param("Configuration", 2, [], id="Configuration"),
        pytest.param("Fault", 2, [], id="Fault"),
        pytest.param("Action", 9, [], id="Action"),
    ],
)
def test_each_type_lists_attributes_then_links_each_sorted(schema, type_name, attributes, links):
    members = own(schema, type_name)
    declared, linked = members[:attributes], members[attributes:]
    if links is not None:
        assert linked == links
    assert declared == sorted(declared)
    # host_numa_nodes is the numa_nodes member, sorted by that name (a tag-name exception)
    assert [name.replace("host_numa_nodes", "numa_nodes") for name in linked] == sorted(name.replace("host_numa_nodes", "numa_nodes") for name in linked)


def test_configuration_and_fault_order_differs_from_v3(schema):
    assert names(schema, "Configuration") == ["data", "type"]
    assert names(schema, "Fault") == ["detail", "reason"]
    assert own(schema, "Action")[-3:] == ["snapshot", "status", "vm"]


def test_members_are_optional_as_generated(schema):
    for type_name in ("Snapshot", "Initialization", "Configuration", "Fault", "Action"):
        for element in schema.types[type_name].content.iter_elements():
            if element.name != "link":
                assert (element.min_occurs, element.max_occurs) == (0, 1), (type_name, element.name)


@pytest.mark.parametrize(
    ("type_name", "values"),
    [
        pytest.param("SnapshotType", ["active", "preview", "regular", "stateless"], id="snapshot-type"),
        pytest.param("SnapshotStatus", ["in_preview", "locked", "ok"], id="snapshot-status"),
        pytest.param("VmType", ["desktop", "high_performance", "server"], id="vm-type"),
        pytest.param("ConfigurationType", ["ova", "ovf"], id="configuration-type"),
    ],
)
def test_enums_are_restricted_to_the_model_values(schema, type_name, values):
    assert sorted(schema.types[type_name].enumeration) == values


@pytest.mark.parametrize(
    ("writer", "type_name"),
    [
        pytest.param("SnapshotWriter", "Snapshot", id="snapshot"),
        pytest.param("VmWriter", "Vm", id="vm"),
        pytest.param("InitializationWriter", "Initialization", id="initialization"),
        pytest.param("ConfigurationWriter", "Configuration", id="configuration"),
        pytest.param("FaultWriter", "Fault", id="fault"),
    ],
)
def test_the_sdk_writes_the_same_members(schema, writer, type_name):
    """The SDK is generated from the same model: the same member tags, and within each
    declaring type the same relative order (the SDK sorts the flattened hierarchy, the
    schema each type apart, both by name)."""
    tags = sdk_writer_tags(writer)
    members = [name for name in names(schema, type_name) if name not in ("actions", "creation_status", "link")]
    assert set(tags) == set(members)
    for declaring in {"Snapshot": ["VmBase", "Vm", "Snapshot"], "Vm": ["VmBase", "Vm"]}.get(type_name, [type_name]):
        declared = own(schema, declaring)
        assert [tag for tag in tags if tag in declared] == declared, declaring


# --- the check ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("v4/snapshot-regular.xml", id="snapshot"),
        pytest.param("v4/snapshots-collection.xml", id="collection"),
        pytest.param("v4/snapshots-all-content.xml", id="all-content"),
        pytest.param("v4/action-complete.xml", id="action-complete"),
        pytest.param("v4/action-failed.xml", id="action-failed"),
        pytest.param("v4/fault.xml", id="fault"),
    ],
)
def test_valid_v4_documents(document, v4, name):
    check_schema(document(name), v4)


def test_a_snapshot_inside_a_collection_validates_on_its_own(document, v4):
    check_schema(document("v4/snapshots-all-content.xml")[0], v4)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("v4/snapshot-regular.xml", id="snapshot"),
        pytest.param("v4/snapshots-all-content.xml", id="all-content"),
        pytest.param("v4/action-failed.xml", id="action-failed"),
        pytest.param("v4/fault.xml", id="fault"),
    ],
)
def test_v4_documents_are_not_v3_documents(document, fails, v3, name):
    """The dialect picks the schema: the v4 order fails the v3 schema."""
    with fails("SNAP-REPR-15") as info:
        check_schema(document(name), v3)
    assert "specs/v3/snapshot.xsd" in info.value.title


@pytest.mark.parametrize(
    ("name", "in_received"),
    [
        pytest.param("v4/snapshot-v3-order.xml", "date", id="v3-order"),
        pytest.param("v4/snapshot-v3-type.xml", "type", id="v3-type-active-is-no-vm-type"),
        pytest.param("v4/action-nested-status.xml", "status", id="nested-action-status"),
        pytest.param("snapshot-regular.xml", "type", id="a-v3-snapshot"),
        pytest.param("snapshots-collection.xml", "type", id="a-v3-collection"),
    ],
)
def test_fixture_failures(document, fails, v4, name, in_received):
    with fails("SNAP-REPR-15") as info:
        check_schema(document(name), v4)
    assert "specs/v4/snapshot.xsd" in info.value.title
    assert in_received in info.value.received


@pytest.mark.parametrize(
    ("replacements", "in_received"),
    [
        pytest.param([(REF, ""), ("<date>", REF + "<date>")], "date", id="vm-before-date"),
        pytest.param([(MEMORY, ""), (TYPE, TYPE + MEMORY)], "persist_memorystate", id="memory-last"),
        pytest.param([(STATUS, ""), ("<date>", STATUS + "<date>")], "date", id="status-first"),
        pytest.param([("<snapshot_status>ok<", "<snapshot_status>OK<")], "snapshot_status", id="status-not-an-enum-value"),
        pytest.param([("<snapshot_type>regular<", "<snapshot_type>Regular<")], "snapshot_type", id="type-not-an-enum-value"),
        pytest.param([(MEMORY, "<persist_memorystate>no</persist_memorystate>")], "persist_memorystate", id="memory-no"),
        pytest.param([(DATE, "<date>2015-02-10 00:39:24</date>")], "date", id="date-space"),
        pytest.param([("<description>", "<owner>me</owner><description>")], "owner", id="unknown-element"),
        pytest.param([("<description>", "<collapse_snapshots>true</collapse_snapshots><description>")], "collapse_snapshots", id="v3-only-element"),
    ],
)
def test_order_and_content_failures(document, fails, v4, replacements, in_received):
    with fails("SNAP-REPR-15") as info:
        check_schema(document("v4/snapshot-regular.xml", *replacements), v4)
    assert in_received in info.value.received


def test_configuration_in_v3_order_fails(document, fails, v4):
    """v4 writes a configuration's data before its type (Configuration's members sorted)."""
    text = "<initialization><configuration><type>ovf</type><data>x</data></configuration></initialization>"
    with fails("SNAP-REPR-15") as info:
        check_schema(document("v4/snapshot-regular.xml", ("<date>", text + "<date>")), v4)
    assert "data" in info.value.received


def test_vm_members_sit_in_their_place_with_any_content(document, v4):
    """A snapshot is a Vm: VM members are allowed, with any content where the subset leaves
    their type out, but only in the generated order (VmBase's, then Vm's)."""
    members = (
        "<cpu><topology sockets='1' cores='1'/></cpu><memory>1073741824</memory><os type='other'><boot/></os>"
        "<stateless>false</stateless><type>server</type><cluster id='c'/>"
        "<status>down</status><disk_attachments/><nics/><host_numa_nodes/>"
    )
    check_schema(document("v4/snapshot-regular.xml", ("<date>", members + "<date>")), v4)


@pytest.mark.parametrize(
    ("members", "in_received"),
    [
        pytest.param("<type>server</type><memory>1</memory>", "memory", id="vmbase-out-of-order"),
        pytest.param("<status>down</status><type>server</type>", "type", id="vm-member-before-vmbase-member"),
        pytest.param("<status><state>down</state></status>", "status", id="nested-vm-status"),
        pytest.param("<type>active</type>", "type", id="snapshot-type-in-the-vm-type"),
        pytest.param("<numa_nodes/>", "numa_nodes", id="numa-nodes-under-its-model-name"),
    ],
)
def test_vm_member_failures(document, fails, v4, members, in_received):
    with fails("SNAP-REPR-15") as info:
        check_schema(document("v4/snapshot-regular.xml", ("<date>", members + "<date>")), v4)
    assert in_received in info.value.received


def test_full_vm_reference_validates(document, v4):
    full_vm = f'<vm href="{VM_HREF}" id="{VM}"><name>VM_01</name><memory>1073741824</memory><type>server</type><status>up</status></vm>'
    check_schema(document("v4/snapshot-regular.xml", (REF, full_vm)), v4)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<action/>", id="empty-restore-action"),
        pytest.param("<action><async>false</async><restore_memory>true</restore_memory></action>", id="restore-parameters"),
        pytest.param(f'<action><snapshot id="s"/><status>complete</status>{REF}</action>', id="preview"),
    ],
)
def test_other_v4_documents_of_the_subset(v4, text):
    check_schema(safexml.parse(text), v4)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<fault><reason>Operation Failed</reason><detail>[Cannot]</detail></fault>", id="fault-in-v3-order"),
        pytest.param("<action><status>failed</status><fault><reason>r</reason></fault></action>", id="status-before-fault"),
        pytest.param("<action><status><state>complete</state></status></action>", id="nested-status"),
    ],
)
def test_v3_shaped_documents_fail_in_v4(fails, v4, text):
    with fails("SNAP-REPR-15"):
        check_schema(safexml.parse(text), v4)


def test_each_dialect_has_its_own_schema(document, v3, v4):
    """The same document, judged by each dialect's schema; both are built once and kept."""
    check_schema(document("snapshot-regular.xml"), v3)
    check_schema(document("v4/snapshot-regular.xml"), v4)
    check_schema(document("snapshot-regular.xml"), v3)
