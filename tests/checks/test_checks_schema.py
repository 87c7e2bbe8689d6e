"""SNAP-REPR-15 and the v3 XSD it uses: upstream order, upstream leniency."""

from __future__ import annotations

import pytest
import xmlschema

from conformance import safexml
from conformance.checks import check_schema
from conformance.resources import spec

VM = "42ec2621-7ad6-4ca2-bd68-973a44b2562e"
VM_HREF = f"/ovirt-engine/api/vms/{VM}"
REF = f'<vm id="{VM}" href="{VM_HREF}"/>'
MEMORY = "<persist_memorystate>false</persist_memorystate>"
FAULT = "<fault><reason>Operation Failed</reason><detail>[Cannot]</detail></fault>"
SEED_VM = '<vm id="00000000-0000-0000-0000-000000000000" href="/ovirt-engine/api/vms/00000000-0000-0000-0000-000000000000"/>'


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(spec("v3/snapshot.xsd").read_text(encoding="utf-8"))


# --- the XSD itself ----------------------------------------------------------------------------------


def test_xsd_names_its_upstream(schema):
    text = spec("v3/snapshot.xsd").read_text(encoding="utf-8")
    assert "ovirt-engine-3.6.13.5" in text
    assert "backend/manager/modules/restapi/interface/definition/src/main/resources/api.xsd" in text
    assert {"snapshot", "snapshots", "vm", "action", "fault", "link", "status", "initialization", "configuration"} <= set(schema.elements)


def test_snapshot_content_keeps_the_upstream_order(schema):
    names = [element.name for element in schema.types["Snapshot"].content.iter_elements()]
    # BaseResource (after ActionableResource's actions), then VmBase, VM, and Snapshot's own
    assert names[:8] == ["actions", "name", "description", "comment", "creation_status", "link", "type", "status"]
    assert names[-4:] == ["vm", "date", "snapshot_status", "persist_memorystate"]
    assert names.index("initialization") < names.index("vm")
    snapshots = [element.name for element in schema.types["Snapshots"].content.iter_elements()]
    assert snapshots == ["actions", "size", "total", "active", "snapshot", "collapse_snapshots"]


def test_snapshot_members_are_optional_as_upstream(schema):
    for element in schema.types["Snapshot"].content.iter_elements():
        assert element.min_occurs == 0, element.name


# --- the check ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("snapshot-regular.xml", id="snapshot"),
        pytest.param("snapshots-collection.xml", id="collection"),
        pytest.param("snapshots-all-content.xml", id="all-content"),
        pytest.param("snapshot-upper-guid.xml", id="upper-case-guid"),
        pytest.param("snapshot-status-unknown.xml", id="status-is-a-string-upstream"),
        pytest.param("snapshot-date-offset.xml", id="date-with-offset"),
    ],
)
def test_valid_documents(document, v3, name):
    check_schema(document(name), v3)


def test_seed_in_schema_order_validates(document, v3):
    """The repaired seed differs from the schema only by its order (vm before description)."""
    check_schema(document("snapshot-seed-15.39.xml", (SEED_VM, ""), ("<date>", SEED_VM + "\n  <date>")), v3)


@pytest.mark.parametrize(
    ("replacements", "in_received"),
    [
        pytest.param([(REF, ""), ("<description>", REF + "<description>")], "description", id="vm-first-as-in-the-seed"),
        pytest.param([("<type>regular</type>", ""), ("<snapshot_status>", "<type>regular</type><snapshot_status>")], "type", id="type-after-date"),
        pytest.param([(MEMORY, ""), ("<date>", MEMORY + "<date>")], "date", id="memory-before-date"),
        pytest.param([("<description>", "<owner>me</owner><description>")], "owner", id="unknown-element"),
        pytest.param([("<date>", "<date>2015-02-10T00:39:24.123+01:00</date><date>")], "date", id="date-twice"),
        pytest.param([("<actions>", '<actions foo="bar">')], "foo", id="unknown-attribute"),
    ],
)
def test_order_and_content_failures(document, fails, v3, replacements, in_received):
    with fails("SNAP-REPR-15") as info:
        check_schema(document("snapshot-regular.xml", *replacements), v3)
    assert in_received in info.value.received


@pytest.mark.parametrize(
    ("name", "in_received"),
    [
        pytest.param("snapshot-seed-15.39.xml", "description", id="seed-order"),
        pytest.param("snapshot-memory-yes.xml", "persist_memorystate", id="memory-yes"),
        pytest.param("snapshot-date-space.xml", "date", id="date-space"),
        pytest.param("snapshot-date-garbage.xml", "date", id="date-garbage"),
        pytest.param("snapshot-ovf-children.xml", "data", id="ovf-as-children"),
    ],
)
def test_fixture_failures(document, fails, v3, name, in_received):
    with fails("SNAP-REPR-15") as info:
        check_schema(document(name), v3)
    assert in_received in info.value.received


def test_full_vm_inside_a_snapshot_validates(document, v3):
    full_vm = (
        f'<vm id="{VM}" href="{VM_HREF}"><name>VM_01</name><type>server</type><status><state>down</state></status>'
        "<memory>1073741824</memory><cpu><topology sockets='1' cores='1'/></cpu><os type='other'><boot dev='hd'/></os>"
        "<cluster id='c'/><stateless>false</stateless><disks/><nics/></vm>"
    )
    check_schema(document("snapshot-regular.xml", (f'<vm id="{VM}" href="{VM_HREF}"/>', full_vm)), v3)


def test_full_vm_in_the_wrong_order_fails(document, fails, v3):
    full_vm = f'<vm id="{VM}"><memory>1</memory><type>server</type></vm>'
    with fails("SNAP-REPR-15"):
        check_schema(document("snapshot-regular.xml", (f'<vm id="{VM}" href="{VM_HREF}"/>', full_vm)), v3)


def test_a_snapshot_inside_a_collection_validates_on_its_own(document, v3):
    check_schema(document("snapshots-collection.xml")[1], v3)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<action/>", id="empty-restore-action"),
        pytest.param("<action><status><state>complete</state></status></action>", id="complete"),
        pytest.param(f"<action><restore_memory>true</restore_memory><status><state>failed</state></status>{FAULT}</action>", id="failed"),
        pytest.param("<fault><reason>Incomplete parameters</reason><detail>Snapshot [description] required for add</detail></fault>", id="fault"),
    ],
)
def test_other_documents_of_the_subset(v3, text):
    check_schema(safexml.parse(text), v3)


def test_the_schema_failure_names_the_document(fails, v3):
    with fails("SNAP-REPR-15") as info:
        check_schema(safexml.parse("<snapshots><vm/></snapshots>"), v3)
    assert info.value.title.startswith("<snapshots>")


def test_missing_schema_is_a_lookup_error(document, v3):
    with pytest.raises(LookupError, match="no schema"):
        check_schema(document("snapshot-regular.xml"), v3, schema="v9/none.xsd")
