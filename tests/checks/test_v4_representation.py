"""SNAP-REPR checks in the v4 dialect: the v4 documents pass every MUST check, the
v3-shaped ones fail where v4 differs (``snapshot_type``), and order is REPR-15's alone."""

from __future__ import annotations

import pytest
from lxml import etree

from conformance import checks
from conformance.checks import (
    check_collection_answer,
    check_date,
    check_date_offset,
    check_guid,
    check_guid_lower_case,
    check_href,
    check_list_matches_get,
    check_memory_flag,
    check_one_active,
    check_restore_link,
    check_same_snapshot,
    check_schema,
    check_status,
    check_type,
    check_unique_ids,
    check_vm_reference,
)
from conformance.resources import read_fixture

API = "/ovirt-engine/api"
VM = "42ec2621-7ad6-4ca2-bd68-973a44b2562e"
VM_HREF = f"{API}/vms/{VM}"
REG = "a209216d-2909-4802-8886-02aad55dccc8"
ACT = "9b2f6c1e-4d7a-4f0b-8c3e-1a5d7e9f2b64"
REG_TYPE = "<snapshot_type>regular</snapshot_type>"
ACT_TYPE = "<snapshot_type>active</snapshot_type>"
REF = f'<vm href="{VM_HREF}" id="{VM}"/>'


def must_checks(snapshot, dialect, *, siblings):
    """Every MUST check of one snapshot of the fixtures' VM."""
    check_guid(snapshot)
    href = check_href(snapshot, api_path=API, vm_id=VM)
    check_same_snapshot(snapshot, checks.snapshot_id(snapshot))
    check_vm_reference(snapshot, vm_id=VM, vm_href=VM_HREF, dialect=dialect)
    check_restore_link(snapshot)
    check_type(snapshot, dialect)
    check_date(snapshot)
    check_status(snapshot)
    check_memory_flag(snapshot)
    check_list_matches_get(snapshot, snapshot, dialect)
    check_unique_ids(siblings)
    check_one_active(siblings, dialect)
    return href


# --- good v4 documents -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["v4/snapshots-collection.xml", "v4/snapshots-all-content.xml"])
def test_v4_collections_pass_every_check(answer, v4, name):
    root = check_collection_answer(answer(read_fixture(f"documents/{name}")))
    snapshots = list(root)
    assert [check_type(s, v4) for s in snapshots] == ["regular", "active"]
    for snapshot in snapshots:
        must_checks(snapshot, v4, siblings=snapshots)
        check_guid_lower_case(snapshot)
        check_date_offset(snapshot)
    check_schema(root, v4)


def test_v4_snapshot_passes_every_check(document, v4):
    snapshot = document("v4/snapshot-regular.xml")
    active = document("v4/snapshots-collection.xml")[1]
    assert must_checks(snapshot, v4, siblings=[snapshot, active]) == f"{VM_HREF}/snapshots/{REG}"
    assert check_type(snapshot, v4) == "regular"
    assert check_date(snapshot) == "2015-02-10T00:39:24.123+01:00"
    assert check_status(snapshot) == "ok"
    assert check_memory_flag(snapshot) is False
    check_schema(snapshot, v4)


def test_the_vm_type_beside_the_snapshot_type_is_no_concern(document, v4):
    """In v4 ``type`` is the VM's type; the snapshot's is ``snapshot_type``."""
    snapshot = document("v4/snapshot-regular.xml", ("<date>", "<type>server</type><date>"))
    assert check_type(snapshot, v4) == "regular"
    check_schema(snapshot, v4)


def test_v3_order_passes_every_must_check_and_warns(document, fails, v4):
    """Element order never matters to the MUST checks; only SNAP-REPR-15 (SHOULD) holds
    a v4 document in v3 order to the v4 schema's order."""
    snapshot = document("v4/snapshot-v3-order.xml")
    must_checks(snapshot, v4, siblings=[snapshot, document("v4/snapshots-collection.xml")[1]])
    check_list_matches_get(snapshot, document("v4/snapshot-regular.xml"), v4)
    with fails("SNAP-REPR-15") as info:
        check_schema(snapshot, v4)
    assert "v4" in info.value.title


# --- v3 shapes in v4 ------------------------------------------------------------------------------------


def test_v3_type_without_snapshot_type_fails_in_v4(document, fails, v3, v4):
    snapshot = document("v4/snapshot-v3-type.xml")
    with fails("SNAP-REPR-09") as info:
        check_type(snapshot, v4)
    assert "snapshot_type is absent" in info.value.title
    assert "<snapshot_type>" in info.value.expected
    assert check_type(snapshot, v3) == "active"  # what a v3 reader would take it for
    with fails("SNAP-REPR-15"):
        check_schema(snapshot, v4)


def test_collection_with_a_v3_style_active_snapshot_has_no_active_one_in_v4(document, fails, v4):
    snapshots = [document("v4/snapshot-regular.xml"), document("v4/snapshot-v3-type.xml")]
    with fails("SNAP-REPR-10") as info:
        check_one_active(snapshots, v4)
    assert "0 active" in info.value.title
    assert "<snapshot_type>active</snapshot_type>" in info.value.expected


@pytest.mark.parametrize("name", ["snapshot-regular.xml", "snapshots-collection.xml"])
def test_v3_documents_fail_the_type_check_in_v4(document, fails, v4, name):
    root = document(name)
    snapshot = root if root.tag == "snapshot" else root[0]
    with fails("SNAP-REPR-09"):
        check_type(snapshot, v4)


@pytest.mark.parametrize(
    "replacement",
    [
        pytest.param((REG_TYPE, "<snapshot_type>Regular</snapshot_type>"), id="capitalised"),
        pytest.param((REG_TYPE, "<snapshot_type>server</snapshot_type>"), id="a-vm-type"),
        pytest.param((REG_TYPE, "<snapshot_type/>"), id="empty"),
        pytest.param((REG_TYPE, "<type>regular</type>"), id="v3-name"),
    ],
)
def test_snapshot_type_failures(document, fails, v4, replacement):
    with fails("SNAP-REPR-09"):
        check_type(document("v4/snapshot-regular.xml", replacement), v4)


@pytest.mark.parametrize(
    ("replacement", "count"),
    [
        pytest.param((REG_TYPE, ACT_TYPE), 2, id="two-active"),
        pytest.param((ACT_TYPE, "<snapshot_type>regular</snapshot_type>"), 0, id="none-active"),
        pytest.param((ACT_TYPE, "<type>active</type>"), 0, id="active-under-the-v3-name"),
    ],
)
def test_one_active_in_v4(document, fails, v4, replacement, count):
    with fails("SNAP-REPR-10") as info:
        check_one_active(list(document("v4/snapshots-collection.xml", replacement)), v4)
    assert info.value.title.startswith(f"{count} active")


# --- SNAP-REPR-16 compares the v4 type ------------------------------------------------------------------


def test_list_and_get_agree_across_spellings(document, v4):
    check_list_matches_get(
        document("v4/snapshot-regular.xml"),
        document(
            "v4/snapshot-regular.xml",
            ("2015-02-10T00:39:24.123+01:00", "2015-02-09T23:39:24.123Z"),
            ("<persist_memorystate>false<", "<persist_memorystate>0<"),
            ("<date>", "<type>server</type><date>"),
        ),
        v4,
    )


@pytest.mark.parametrize(
    ("replacement", "field"),
    [
        pytest.param((REG_TYPE, "<snapshot_type>active</snapshot_type>"), "snapshot_type", id="snapshot-type"),
        pytest.param((REG_TYPE, ""), "snapshot_type", id="snapshot-type-missing"),
        pytest.param(("<snapshot_status>ok<", "<snapshot_status>locked<"), "snapshot_status", id="status"),
        pytest.param((f'<vm href="{VM_HREF}"', '<vm href="/elsewhere"'), "vm href", id="vm-href"),
    ],
)
def test_list_and_get_disagree_in_v4(document, fails, v4, replacement, field):
    with fails("SNAP-REPR-16") as info:
        check_list_matches_get(document("v4/snapshot-regular.xml"), document("v4/snapshot-regular.xml", replacement), v4)
    assert field in info.value.title


def test_v4_list_and_get_ignore_the_vm_type(document, v4):
    """``type`` is the VM type in v4, not a field SNAP-REPR-16 names."""
    check_list_matches_get(document("v4/snapshot-regular.xml", ("<date>", "<type>server</type><date>")), document("v4/snapshot-regular.xml"), v4)


# --- the shapes real v4 engines send (facts: "Recorded answers") ---------------------------


def test_recorded_v4_shape_passes_every_check(document, v4):
    """A vm with id, no href and the VM's configuration inside is what real v4 engines send."""
    snapshot = document("v4/snapshot-inline-vm.xml")
    active = document("v4/snapshot-regular.xml", (REF, ""), (REG_TYPE, ACT_TYPE), (REG, ACT), (REG, ACT), (REG, ACT), (REG, ACT), (REG, ACT))
    must_checks(snapshot, v4, siblings=[snapshot, active])
    assert check_schema(snapshot, v4) == ()


def test_placement_policy_of_another_version_is_a_note_not_a_warning(document, fails, v4):
    """4.2-era engines place placement_policy elsewhere among the vm's members: every member
    valid, only the order differs, so REPR-15 notes it and passes."""
    moved = document(
        "v4/snapshot-inline-vm.xml",
        ("        <placement_policy><affinity>migratable</affinity></placement_policy>\n", ""),
        ("        <cluster id=", "        <placement_policy><affinity>migratable</affinity></placement_policy>\n        <cluster id="),
    )
    (note,) = check_schema(moved, v4)
    assert "placement_policy" in note
    assert "another order" in note
    collection = etree.Element("snapshots")
    collection.append(moved)
    assert check_schema(collection, v4)  # the collection is judged alike


def test_misordered_snapshot_members_still_warn(document, fails, v4):
    """Only the vm's own members get that allowance: the snapshot's own order is the model's in every 4.x."""
    swapped = document(
        "v4/snapshot-inline-vm.xml",
        ("    <date>2015-02-10T00:39:24.123+01:00</date>\n", ""),
        ("    <snapshot_type>regular</snapshot_type>\n", "    <snapshot_type>regular</snapshot_type>\n    <date>2015-02-10T00:39:24.123+01:00</date>\n"),
    )
    with fails("SNAP-REPR-15"):
        check_schema(swapped, v4)


def test_invalid_vm_member_is_still_a_warning_whatever_the_order(document, fails, v4):
    broken = document(
        "v4/snapshot-inline-vm.xml",
        ("        <placement_policy><affinity>migratable</affinity></placement_policy>\n", ""),
        ("        <cluster id=", "        <placement_policy/>\n        <cluster id="),
        ("<status>down</status>", "<status>sleeping</status>"),
    )
    with fails("SNAP-REPR-15"):
        check_schema(broken, v4)


def test_active_snapshot_without_vm_passes(document, v4):
    """The active snapshot real engines list: no vm, no sub-collection links."""
    active = document(
        "v4/snapshot-regular.xml",
        (REF, ""),
        (REG_TYPE, ACT_TYPE),
    )
    for link in list(active.findall("link")):
        active.remove(link)
    check_vm_reference(active, vm_id=VM, vm_href=VM_HREF, dialect=v4)
    assert check_schema(active, v4) == ()
