"""SNAP-REPR checks: the good documents pass, each broken one fails its requirement."""

from __future__ import annotations

import pytest

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
    check_prev_link,
    check_restore_link,
    check_same_snapshot,
    check_status,
    check_type,
    check_unique_ids,
    check_vm_links_snapshots,
    check_vm_reference,
    prev_link,
)
from conformance.resources import read_fixture

API = "/ovirt-engine/api"
VM = "42ec2621-7ad6-4ca2-bd68-973a44b2562e"
VM_HREF = f"{API}/vms/{VM}"
REG = "a209216d-2909-4802-8886-02aad55dccc8"
ACT = "9b2f6c1e-4d7a-4f0b-8c3e-1a5d7e9f2b64"
ZERO = "00000000-0000-0000-0000-000000000000"
ZERO_VM_HREF = f"{API}/vms/{ZERO}"
REG_DATE = "2015-02-10T00:39:24.123+01:00"


def must_checks(snapshot, dialect, *, vm_id, vm_href, siblings):
    """Every MUST check of one snapshot, in the order a reader would go."""
    check_guid(snapshot)
    href = check_href(snapshot, api_path=API, vm_id=vm_id)
    check_same_snapshot(snapshot, checks.snapshot_id(snapshot))
    check_vm_reference(snapshot, vm_id=vm_id, vm_href=vm_href, dialect=dialect)
    check_restore_link(snapshot)
    check_type(snapshot, dialect)
    check_date(snapshot)
    check_status(snapshot)
    check_memory_flag(snapshot)
    check_list_matches_get(snapshot, snapshot, dialect)
    check_unique_ids(siblings)
    check_one_active(siblings, dialect)
    return href


# --- the seed, example 15.39 ------------------------------------------------------------------


def test_repaired_seed_passes_every_must_check(document, v3):
    seed = document("snapshot-seed-15.39.xml")
    href = must_checks(seed, v3, vm_id=ZERO, vm_href=ZERO_VM_HREF, siblings=[seed])
    assert href == f"{ZERO_VM_HREF}/snapshots/{ZERO}"
    assert check_type(seed, v3) == "active"
    assert check_date(seed) == "2010-08-16T14:24:29"
    assert check_status(seed) == "ok"
    assert check_memory_flag(seed) is False
    check_guid_lower_case(seed)


def test_repaired_seed_warns_only_for_its_offset(document, fails):
    with fails("SNAP-REPR-12") as info:
        check_date_offset(document("snapshot-seed-15.39.xml"))
    assert "'2010-08-16T14:24:29'" in info.value.received


def test_repaired_seed_prev_link_points_to_itself(document, fails):
    """The seed's placeholder ids make its prev link point at the snapshot itself, which
    SNAP-REPR-08 (checked when present) refuses: a prev link must name another snapshot."""
    seed = document("snapshot-seed-15.39.xml")
    assert prev_link(seed) == f"{ZERO_VM_HREF}/snapshots/{ZERO}"
    with fails("SNAP-REPR-08") as info:
        check_prev_link(seed, [seed])
    assert "itself" in info.value.title


def test_seed_as_printed_fails_readably(answer, fails):
    with fails("SNAP-REPR-01"):
        check_collection_answer(answer(read_fixture("documents/snapshot-seed-15.39-as-printed.xml")))


# --- SNAP-REPR-01: the collection answer --------------------------------------------------------


def test_collection_answer_returns_the_root(answer):
    root = check_collection_answer(answer(read_fixture("documents/snapshots-collection.xml"), content_type="application/xml; charset=UTF-8"))
    assert [checks.snapshot_id(s) for s in root] == [REG, ACT]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<snapshots/>", id="empty-list"),
        pytest.param(b"<snapshots><!-- none yet --></snapshots>", id="comment"),
        pytest.param(b"<snapshots><size>1</size><snapshot id='x'/><total>1</total></snapshots>", id="collection-members"),
    ],
)
def test_collection_answer_accepts_what_the_schema_allows(answer, body):
    check_collection_answer(answer(body))


@pytest.mark.parametrize(
    ("status", "content_type", "body", "in_title"),
    [
        pytest.param(500, "application/xml", b"<fault/>", "200", id="status-500"),
        pytest.param(204, None, b"", "200", id="status-204"),
        pytest.param(200, "text/html", b"<snapshots/>", "application/xml", id="html"),
        pytest.param(200, "application/json", b"<snapshots/>", "application/xml", id="json-type"),
        pytest.param(200, None, b"<snapshots/>", "application/xml", id="no-content-type"),
        pytest.param(200, "application/xml", b"<snapshot id='x'/>", "root", id="single-snapshot-root"),
        pytest.param(200, "application/xml", b"<s:snapshots xmlns:s='urn:x'/>", "root", id="namespaced-root"),
        pytest.param(200, "application/xml", b"<snapshots><snapshot/><vm/></snapshots>", "other than snapshot", id="stray-child"),
        pytest.param(200, "application/xml", b"<snapshots><snapshot>", "well-formed", id="truncated"),
        pytest.param(200, "application/xml", read_fixture("documents/bomb.xml"), "well-formed", id="entity-bomb"),
    ],
)
def test_collection_answer_failures(answer, fails, status, content_type, body, in_title):
    with fails("SNAP-REPR-01") as info:
        check_collection_answer(answer(body, status=status, content_type=content_type))
    assert in_title in info.value.title


# --- SNAP-REPR-02: the VM links its snapshots -----------------------------------------------------


@pytest.mark.parametrize("vm_href", [pytest.param(VM_HREF, id="plain"), pytest.param(VM_HREF + "/", id="trailing-slash")])
def test_vm_links_snapshots(document, vm_href):
    assert check_vm_links_snapshots(document("vm.xml"), vm_href) == f"{VM_HREF}/snapshots"


@pytest.mark.parametrize(
    "replacement",
    [
        pytest.param(('rel="snapshots"', 'rel="snapshot"'), id="wrong-rel"),
        pytest.param((f'href="{VM_HREF}/snapshots"', f'href="{VM_HREF}/snapshots/"'), id="trailing-slash"),
        pytest.param((f'href="{VM_HREF}/snapshots"', 'href="/api/vms/x/snapshots"'), id="other-vm"),
    ],
)
def test_vm_links_snapshots_failures(document, fails, replacement):
    with fails("SNAP-REPR-02") as info:
        check_vm_links_snapshots(document("vm.xml", replacement), VM_HREF)
    assert VM in info.value.title


# --- every MUST check over the good collection ----------------------------------------------------


def test_collection_snapshots_pass_every_must_check(document, v3):
    snapshots = list(document("snapshots-collection.xml"))
    for snapshot in snapshots:
        must_checks(snapshot, v3, vm_id=VM, vm_href=VM_HREF, siblings=snapshots)
        check_guid_lower_case(snapshot)
        check_date_offset(snapshot)
        check_prev_link(snapshot, snapshots)


# --- SNAP-REPR-03, -04: GUIDs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "replacement"),
    [
        pytest.param("snapshot-bad-guid-braces.xml", None, id="braces"),
        pytest.param("snapshot-bad-guid-groups.xml", None, id="wrong-groups"),
        pytest.param("snapshot-regular.xml", (f'id="{REG}"', f'id="{REG}\n"'), id="trailing-newline"),
        pytest.param("snapshot-regular.xml", (f'id="{REG}"', 'id=""'), id="empty"),
        pytest.param("snapshot-regular.xml", (f'id="{REG}"', ""), id="absent"),
    ],
)
def test_guid_failures(document, fails, name, replacement):
    snapshot = document(name, *([replacement] if replacement else []))
    with fails("SNAP-REPR-03"):
        check_guid(snapshot)


def test_upper_case_guid_is_a_guid_but_not_lower_case(document, fails):
    snapshot = document("snapshot-upper-guid.xml")
    check_guid(snapshot)
    with fails("SNAP-REPR-04") as info:
        check_guid_lower_case(snapshot)
    assert REG.upper() in info.value.title
    assert REG in info.value.expected


def test_upper_case_guid_passes_the_other_must_checks(document, v3):
    snapshot = document("snapshot-upper-guid.xml")
    active = document("snapshots-collection.xml")[1]
    must_checks(snapshot, v3, vm_id=VM, vm_href=VM_HREF, siblings=[snapshot, active])


# --- SNAP-REPR-05: href and GET ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("replacement", "api_path"),
    [
        pytest.param((f'href="{VM_HREF}/snapshots/{REG}"', f'href="{VM_HREF}/snapshots/{REG}/"'), API, id="trailing-slash"),
        pytest.param((f'href="{VM_HREF}/snapshots/{REG}"', f'href="https://engine.example{VM_HREF}/snapshots/{REG}"'), API, id="absolute-url"),
        pytest.param((f'href="{VM_HREF}/snapshots/{REG}"', f'href="/api/vms/{VM}/snapshots/{REG}"'), API, id="other-api-path"),
        pytest.param((f'href="{VM_HREF}/snapshots/{REG}"', f'href="{VM_HREF}/snapshots/ {REG}"'), API, id="seed-stray-space"),
        pytest.param((f'href="{VM_HREF}/snapshots/{REG}"', ""), API, id="absent"),
        pytest.param((f'id="{REG}"', ""), API, id="no-id"),
        pytest.param(("<type>", "<type>"), "/ovirt-engine/api/v4", id="engine-under-other-path"),
    ],
)
def test_href_failures(document, fails, replacement, api_path):
    with fails("SNAP-REPR-05"):
        check_href(document("snapshot-regular.xml", replacement), api_path=api_path, vm_id=VM)


def test_href_accepts_api_path_with_trailing_slash(document):
    assert check_href(document("snapshot-regular.xml"), api_path=API + "/", vm_id=VM) == f"{VM_HREF}/snapshots/{REG}"


def test_same_snapshot(document, fails):
    fetched = document("snapshot-regular.xml")
    check_same_snapshot(fetched, REG)
    check_same_snapshot(fetched, REG.upper())  # GUIDs name the same snapshot in either case
    with fails("SNAP-REPR-05"):
        check_same_snapshot(fetched, ACT)
    with fails("SNAP-REPR-05"):
        check_same_snapshot(document("snapshots-collection.xml"), REG)


# --- SNAP-REPR-06: the vm reference ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "replacement",
    [
        pytest.param((f'<vm id="{VM}" href="{VM_HREF}"/>', ""), id="no-vm"),
        pytest.param((f'<vm id="{VM}"', f'<vm id="{ZERO}"'), id="other-vm-id"),
        pytest.param((f'href="{VM_HREF}"/>', f'href="{VM_HREF}/"/>'), id="other-href"),
        pytest.param((f'<vm id="{VM}" href="{VM_HREF}"/>', f'<vm href="{VM_HREF}"/>'), id="no-vm-id"),
        pytest.param((f'<vm id="{VM}" href="{VM_HREF}"/>', f'<vm id="{VM}" href="{ZERO_VM_HREF}"/>'), id="href-of-another-vm"),
    ],
)
def test_vm_reference_failures(document, fails, v3, replacement):
    with fails("SNAP-REPR-06") as info:
        check_vm_reference(document("snapshot-regular.xml", replacement), vm_id=VM, vm_href=VM_HREF, dialect=v3)
    assert REG in info.value.title


def test_vm_reference_without_href_is_fine(document, v3):
    """Real v4 engines write <vm id="..."> without href; an href is checked only when present."""
    snapshot = document("snapshot-regular.xml", (f'<vm id="{VM}" href="{VM_HREF}"/>', f'<vm id="{VM}"/>'))
    check_vm_reference(snapshot, vm_id=VM, vm_href=VM_HREF, dialect=v3)


def test_vm_reference_may_be_a_full_vm(document, v3):
    """3.6 puts the VM's configuration at the snapshot's time in ``vm``: extra content is fine."""
    full_vm = f'<vm id="{VM}" href="{VM_HREF}"><name>VM_01</name><memory>1073741824</memory></vm>'
    snapshot = document("snapshot-regular.xml", (f'<vm id="{VM}" href="{VM_HREF}"/>', full_vm))
    check_vm_reference(snapshot, vm_id=VM, vm_href=VM_HREF, dialect=v3)


def test_active_snapshot_may_omit_vm(document, fails, v3):
    """Real 3.6 to 4.4 engines leave vm off the active snapshot; every other type needs it."""
    no_vm = (f'<vm id="{VM}" href="{VM_HREF}"/>', "")
    check_vm_reference(document("snapshot-regular.xml", no_vm, ("<type>regular</type>", "<type>active</type>")), vm_id=VM, vm_href=VM_HREF, dialect=v3)
    for kind in ("preview", "stateless"):
        with fails("SNAP-REPR-06") as info:
            snapshot = document("snapshot-regular.xml", no_vm, ("<type>regular</type>", f"<type>{kind}</type>"))
            check_vm_reference(snapshot, vm_id=VM, vm_href=VM_HREF, dialect=v3)
        assert kind in info.value.title
    with fails("SNAP-REPR-06") as info:
        check_vm_reference(document("snapshot-regular.xml", no_vm, ("<type>regular</type>", "")), vm_id=VM, vm_href=VM_HREF, dialect=v3)
    assert "without type" in info.value.title


def test_active_snapshot_with_a_vm_is_held_to_it(document, fails, v3):
    """An active snapshot that does carry vm must name the right VM."""
    active = ("<type>regular</type>", "<type>active</type>")
    with fails("SNAP-REPR-06"):
        check_vm_reference(document("snapshot-regular.xml", active, (f'<vm id="{VM}"', f'<vm id="{ZERO}"')), vm_id=VM, vm_href=VM_HREF, dialect=v3)


# --- SNAP-REPR-07: the restore link ------------------------------------------------------------------------

RESTORE = f'<link rel="restore" href="{VM_HREF}/snapshots/{REG}/restore"/>'


@pytest.mark.parametrize(
    ("replacements", "in_received"),
    [
        pytest.param([(RESTORE, "")], "no actions/link", id="absent"),
        pytest.param([(RESTORE, RESTORE.replace("/restore", "/restore/"))], "restore/'", id="trailing-slash"),
        pytest.param([(RESTORE, RESTORE.replace('rel="restore"', 'rel="Restore"'))], "no actions/link", id="rel-case"),
        pytest.param([(RESTORE, ""), ("<description>", RESTORE + "<description>")], "not under actions", id="outside-actions"),
        pytest.param([(f'href="{VM_HREF}/snapshots/{REG}">', ">")], "restore links", id="snapshot-without-href"),
    ],
)
def test_restore_link_failures(document, fails, replacements, in_received):
    with fails("SNAP-REPR-07") as info:
        check_restore_link(document("snapshot-regular.xml", *replacements))
    assert in_received in info.value.received


# --- SNAP-REPR-08: the prev link (MAY) --------------------------------------------------------------------------


def test_prev_link_absent_is_not_applicable(document):
    snapshot = document("snapshot-regular.xml")
    assert prev_link(snapshot) is None
    check_prev_link(snapshot, [snapshot])


def test_prev_link_directly_under_the_snapshot_is_found(document):
    snapshots = list(document("snapshots-collection.xml"))
    prev = f'<link rel="prev" href="{VM_HREF}/snapshots/{REG}"/>'
    moved = list(document("snapshots-collection.xml", (prev, ""), ("<description>Active VM</description>", "<description>Active VM</description>" + prev)))
    assert prev_link(moved[1]) == prev_link(snapshots[1]) == f"{VM_HREF}/snapshots/{REG}"
    check_prev_link(moved[1], moved)


@pytest.mark.parametrize(
    ("replacements", "in_title"),
    [
        pytest.param([(f'rel="prev" href="{VM_HREF}/snapshots/{REG}"', f'rel="prev" href="{VM_HREF}/snapshots/{ACT}"')], "itself", id="itself"),
        pytest.param([(f'rel="prev" href="{VM_HREF}/snapshots/{REG}"', f'rel="prev" href="{VM_HREF}/snapshots/{ZERO}"')], "no snapshot", id="unknown"),
        pytest.param([(f'rel="prev" href="{VM_HREF}/snapshots/{REG}"', 'rel="prev"')], "no snapshot", id="no-href"),
        pytest.param([(REG_DATE, "2015-02-10T09:15:02.457+01:00")], "newer", id="newer"),
        pytest.param([(REG_DATE, "2015-02-10T08:39:24.123Z")], "newer", id="newer-in-another-zone"),
        pytest.param([(REG_DATE, "yesterday")], "cannot be dated", id="undated"),
    ],
)
def test_prev_link_failures(document, fails, replacements, in_title):
    snapshots = list(document("snapshots-collection.xml", *replacements))
    with fails("SNAP-REPR-08") as info:
        check_prev_link(snapshots[1], snapshots)
    assert in_title in info.value.title
    assert ACT in info.value.title


def test_prev_link_to_a_snapshot_of_the_same_instant_is_fine(document):
    snapshots = list(document("snapshots-collection.xml", (REG_DATE, "2015-02-10T08:15:02.456Z")))
    check_prev_link(snapshots[1], snapshots)


# --- SNAP-REPR-09, -10: type ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["regular", "active", "stateless", "preview"])
def test_type_values(document, v3, value):
    assert check_type(document("snapshot-regular.xml", ("<type>regular</type>", f"<type>{value}</type>")), v3) == value


@pytest.mark.parametrize(
    "replacement",
    [
        pytest.param(("<type>regular</type>", "<type>REGULAR</type>"), id="upper-case"),
        pytest.param(("<type>regular</type>", "<type>server</type>"), id="vm-type"),
        pytest.param(("<type>regular</type>", "<type> regular</type>"), id="leading-space"),
        pytest.param(("<type>regular</type>", "<type/>"), id="empty"),
        pytest.param(("<type>regular</type>", ""), id="absent"),
        pytest.param(("<type>regular</type>", "<snapshot_type>regular</snapshot_type>"), id="v4-element-in-v3"),
    ],
)
def test_type_failures(document, fails, v3, replacement):
    with fails("SNAP-REPR-09"):
        check_type(document("snapshot-regular.xml", replacement), v3)


NEXT_RUN = ("<description>Virtual Machine 1 - Snapshot A</description>", "<description>Next Run configuration snapshot</description>")


def test_next_run_snapshot_may_lack_type_while_pending(document, fails, v3):
    """A running VM's pending change is listed with no type while next_run_configuration_exists is true."""
    snapshot = document("snapshot-regular.xml", NEXT_RUN, ("<type>regular</type>", ""))
    assert check_type(snapshot, v3, next_run_pending=True) is None
    with fails("SNAP-REPR-09") as info:
        check_type(snapshot, v3)  # the VM does not report a pending change
    assert "next_run_configuration_exists" in info.value.title


def test_only_the_next_run_snapshot_may_lack_type(document, fails, v3):
    with fails("SNAP-REPR-09"):
        check_type(document("snapshot-regular.xml", ("<type>regular</type>", "")), v3, next_run_pending=True)
    with fails("SNAP-REPR-09"):  # a wrong value is wrong even on the next-run snapshot
        check_type(document("snapshot-regular.xml", NEXT_RUN, ("<type>regular</type>", "<type>next_run</type>")), v3, next_run_pending=True)


def test_type_follows_the_dialect(document, fails, v4):
    with fails("SNAP-REPR-09") as info:
        check_type(document("snapshot-regular.xml"), v4)
    assert "snapshot_type" in info.value.title
    v4_snapshot = document("snapshot-regular.xml", ("<type>regular</type>", "<type>desktop</type><snapshot_type>regular</snapshot_type>"))
    assert check_type(v4_snapshot, v4) == "regular"


@pytest.mark.parametrize(
    ("replacement", "in_received"),
    [
        pytest.param(("<type>active</type>", "<type>regular</type>"), "none", id="no-active"),
        pytest.param(("<type>regular</type>", "<type>active</type>"), f"{REG}, {ACT}", id="two-active"),
    ],
)
def test_one_active_failures(document, fails, v3, replacement, in_received):
    with fails("SNAP-REPR-10") as info:
        check_one_active(list(document("snapshots-collection.xml", replacement)), v3)
    assert in_received in info.value.received


def test_one_active_of_an_empty_list_fails(fails, v3):
    with fails("SNAP-REPR-10"):
        check_one_active([], v3)


# --- SNAP-REPR-11, -12: date ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "replacement"),
    [
        pytest.param("snapshot-date-space.xml", None, id="space-separated"),
        pytest.param("snapshot-date-garbage.xml", None, id="garbage"),
        pytest.param("snapshot-regular.xml", (REG_DATE, "2015-02-30T00:39:24.123+01:00"), id="february-30"),
        pytest.param("snapshot-regular.xml", (REG_DATE, "1423525164123"), id="epoch-millis-in-xml"),
        pytest.param("snapshot-regular.xml", (REG_DATE, ""), id="empty"),
        pytest.param("snapshot-regular.xml", (f"<date>{REG_DATE}</date>", ""), id="absent"),
    ],
)
def test_date_failures(document, fails, name, replacement):
    with fails("SNAP-REPR-11") as info:
        check_date(document(name, *([replacement] if replacement else [])))
    assert REG in info.value.title


@pytest.mark.parametrize(
    ("name", "replacement", "expected"),
    [
        pytest.param("snapshot-regular.xml", None, REG_DATE, id="millis-plus-offset"),
        pytest.param("snapshot-date-offset.xml", None, "2015-02-09T18:09:24.123456-05:30", id="micros-minus-half-hour"),
        pytest.param("snapshot-regular.xml", (REG_DATE, "2015-02-09T23:39:24Z"), "2015-02-09T23:39:24Z", id="utc"),
        pytest.param("snapshot-regular.xml", (REG_DATE, "2015-02-09T23:39:24"), "2015-02-09T23:39:24", id="no-offset"),
        pytest.param("snapshot-regular.xml", (REG_DATE, f"\n  {REG_DATE}\n"), REG_DATE, id="pretty-printed"),
    ],
)
def test_date_values(document, name, replacement, expected):
    assert check_date(document(name, *([replacement] if replacement else []))) == expected


@pytest.mark.parametrize(
    ("name", "replacement", "in_title"),
    [
        pytest.param("snapshot-seed-15.39.xml", None, "no time-zone offset", id="seed"),
        pytest.param("snapshot-date-garbage.xml", None, "no instant", id="garbage"),
        pytest.param("snapshot-regular.xml", (f"<date>{REG_DATE}</date>", ""), "no instant", id="absent"),
    ],
)
def test_date_offset_failures(document, fails, name, replacement, in_title):
    with fails("SNAP-REPR-12") as info:
        check_date_offset(document(name, *([replacement] if replacement else [])))
    assert in_title in info.value.title


def test_date_offset_passes_with_any_offset(document):
    check_date_offset(document("snapshot-regular.xml"))
    check_date_offset(document("snapshot-date-offset.xml"))
    check_date_offset(document("snapshot-regular.xml", (REG_DATE, "2015-02-09T23:39:24Z")))


# --- SNAP-REPR-13: status ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["ok", "locked", "in_preview"])
def test_status_values(document, value):
    assert check_status(document("snapshot-regular.xml", ("<snapshot_status>ok", f"<snapshot_status>{value}"))) == value


@pytest.mark.parametrize(
    ("name", "replacement"),
    [
        pytest.param("snapshot-status-unknown.xml", None, id="upper-case-OK"),
        pytest.param("snapshot-regular.xml", ("<snapshot_status>ok", "<snapshot_status>deleting"), id="unknown"),
        pytest.param("snapshot-regular.xml", ("<snapshot_status>ok", "<snapshot_status>in-preview"), id="dash"),
        pytest.param("snapshot-regular.xml", ("<snapshot_status>ok</snapshot_status>", ""), id="absent"),
        pytest.param("snapshot-regular.xml", ("<snapshot_status>ok</snapshot_status>", "<status><state>ok</state></status>"), id="vm-status-instead"),
    ],
)
def test_status_failures(document, fails, name, replacement):
    with fails("SNAP-REPR-13"):
        check_status(document(name, *([replacement] if replacement else [])))


# --- SNAP-REPR-14: memory flag ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False), ("1", True), ("0", False), (" true\n", True)])
def test_memory_flag_values(document, value, expected):
    snapshot = document("snapshot-regular.xml", ("<persist_memorystate>false", f"<persist_memorystate>{value}"))
    assert check_memory_flag(snapshot) is expected


@pytest.mark.parametrize(
    ("name", "replacement"),
    [
        pytest.param("snapshot-memory-yes.xml", None, id="yes"),
        pytest.param("snapshot-regular.xml", ("<persist_memorystate>false", "<persist_memorystate>False"), id="capitalised"),
        pytest.param("snapshot-regular.xml", ("<persist_memorystate>false</persist_memorystate>", "<persist_memorystate/>"), id="empty"),
        pytest.param("snapshot-regular.xml", ("<persist_memorystate>false</persist_memorystate>", ""), id="absent"),
    ],
)
def test_memory_flag_failures(document, fails, name, replacement):
    with fails("SNAP-REPR-14"):
        check_memory_flag(document(name, *([replacement] if replacement else [])))


# --- SNAP-REPR-16: list and GET agree ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "replacement",
    [
        pytest.param((REG_DATE, "2015-02-09T23:39:24.123Z"), id="same-instant-other-zone"),
        pytest.param((REG_DATE, "2015-02-09T23:39:24.123000+00:00"), id="same-instant-more-digits"),
        pytest.param(("<persist_memorystate>false", "<persist_memorystate>0"), id="false-as-0"),
        pytest.param((f'<vm id="{VM}"', f'<vm id="{VM.upper()}"'), id="vm-id-case"),
        pytest.param(("<description>", "<name>x</name><description>"), id="field-not-compared"),
    ],
)
def test_list_matches_get(document, v3, replacement):
    check_list_matches_get(document("snapshot-regular.xml"), document("snapshot-regular.xml", replacement), v3)


@pytest.mark.parametrize(
    ("replacements", "fields"),
    [
        pytest.param([("Snapshot A", "Snapshot B")], ["description"], id="description"),
        pytest.param([("<type>regular", "<type>active")], ["type"], id="type"),
        pytest.param([(REG_DATE, "2015-02-10T00:39:24.123Z")], ["date"], id="date-other-instant"),
        pytest.param([(REG_DATE, "2015-02-10T00:39:24.124+01:00")], ["date"], id="date-a-millisecond-off"),
        pytest.param([("<snapshot_status>ok", "<snapshot_status>locked")], ["snapshot_status"], id="status"),
        pytest.param([("<persist_memorystate>false", "<persist_memorystate>true")], ["persist_memorystate"], id="memory"),
        pytest.param([(f'href="{VM_HREF}"/>', 'href="/elsewhere"/>')], ["vm href"], id="vm-href"),
        pytest.param([(f'<vm id="{VM}" href="{VM_HREF}"/>', "")], ["vm id", "vm href"], id="vm-absent"),
        pytest.param([(f'href="{VM_HREF}/snapshots/{REG}">', f'href="{VM_HREF}/snapshots/{REG}/">')], ["href"], id="href"),
        pytest.param([(f'id="{REG}"', f'id="{ACT}"'), ("Snapshot A", "Snapshot B")], ["id", "description"], id="two-fields"),
    ],
)
def test_list_matches_get_failures(document, fails, v3, replacements, fields):
    with fails("SNAP-REPR-16") as info:
        check_list_matches_get(document("snapshot-regular.xml"), document("snapshot-regular.xml", *replacements), v3)
    assert info.value.title.endswith(", ".join(fields))
    assert REG in info.value.title


# --- SNAP-REPR-17: unique ids --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "replacement",
    [
        pytest.param((f'id="{ACT}"', f'id="{REG}"'), id="same-id"),
        pytest.param((f'id="{ACT}"', f'id="{REG.upper()}"'), id="same-guid-other-case"),
    ],
)
def test_unique_ids_failures(document, fails, replacement):
    with fails("SNAP-REPR-17") as info:
        check_unique_ids(list(document("snapshots-collection.xml", replacement)))
    assert REG in info.value.title


def test_unique_ids_ignores_missing_ids(document):
    check_unique_ids(list(document("snapshots-collection.xml", (f'id="{ACT}"', ""), (f'id="{REG}"', ""))))
