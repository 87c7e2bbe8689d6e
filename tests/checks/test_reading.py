"""The read checks of a list, by requirement (conformance.checks.reading): every entry
passes a good list and fails one that breaks its requirement."""

from __future__ import annotations

import pytest

from conformance.checks.reading import ALL_CONTENT_CHECKS, LIST_CHECKS, ListContext, judge_list, offers_prev_links

API = "/ovirt-engine/api"
VM = "42ec2621-7ad6-4ca2-bd68-973a44b2562e"
VM_HREF = f"{API}/vms/{VM}"
REG = "a209216d-2909-4802-8886-02aad55dccc8"
ACT = "9b2f6c1e-4d7a-4f0b-8c3e-1a5d7e9f2b64"


@pytest.fixture
def context(v3):
    return ListContext(v3, api_path=API, vm_id=VM, vm_href=VM_HREF, next_run_pending=False, vm_name="VM_01")


#: requirement -> one change to snapshots-collection.xml that breaks it
BREAKS = {
    "SNAP-REPR-03": (f'<snapshot id="{REG}"', '<snapshot id="{0000-zz}"'),
    "SNAP-REPR-04": (f'<snapshot id="{REG}"', f'<snapshot id="{REG.upper()}"'),
    "SNAP-REPR-05": (f'href="{API}/vms/{VM}/snapshots/{REG}">', f'href="vms/{VM}/snapshots/{REG}">'),
    "SNAP-REPR-06": (f'<vm id="{VM}"', '<vm id="00000000-0000-0000-0000-000000000000"'),
    "SNAP-REPR-07": ('<link rel="restore"', '<link rel="undo"'),
    "SNAP-REPR-08": (f'<link rel="prev" href="{API}/vms/{VM}/snapshots/{REG}"/>', f'<link rel="prev" href="{API}/vms/{VM}/snapshots/{ACT}"/>'),
    "SNAP-REPR-09": ("<type>regular</type>", "<type>server</type>"),
    "SNAP-REPR-10": ("<type>active</type>", "<type>regular</type>"),
    "SNAP-REPR-11": ("<date>2015-02-10T00:39:24.123+01:00</date>", "<date>2015-02-10 00:39:24</date>"),
    "SNAP-REPR-12": ("<date>2015-02-10T00:39:24.123+01:00</date>", "<date>2015-02-10T00:39:24.123</date>"),
    "SNAP-REPR-13": ("<snapshot_status>ok</snapshot_status>", "<snapshot_status>up</snapshot_status>"),
    "SNAP-REPR-14": ("<persist_memorystate>false</persist_memorystate>", "<persist_memorystate>no</persist_memorystate>"),
    "SNAP-REPR-17": (f'<snapshot id="{ACT}"', f'<snapshot id="{REG}"'),
}


@pytest.mark.parametrize("requirement", sorted(LIST_CHECKS))
def test_every_list_check_passes_a_good_list_and_fails_a_broken_one(document, fails, context, requirement):
    good = list(document("snapshots-collection.xml"))
    assert judge_list(requirement, good, context) == ()
    broken = list(document("snapshots-all-content.xml")) if requirement == "SNAP-ALLC-01" else list(document("snapshots-collection.xml", BREAKS[requirement]))
    with fails(requirement):
        judge_list(requirement, broken, context)


@pytest.mark.parametrize("requirement", sorted(ALL_CONTENT_CHECKS))
def test_every_all_content_check_passes_the_ovf_and_fails_without_it(document, fails, context, requirement):
    with_ovf = list(document("snapshots-all-content.xml"))
    assert judge_list(requirement, with_ovf, context) == ()
    if requirement == "SNAP-ALLC-02":
        broken = list(document("snapshots-collection.xml"))
    elif requirement == "SNAP-ALLC-03":
        broken = list(document("snapshots-all-content.xml", ("&lt;ovf:Envelope", "&lt;ovf:Envelop")))
    else:  # the OVF names another VM than the one listed
        broken, context = with_ovf, ListContext(context.dialect, api_path=API, vm_id=VM, vm_href=VM_HREF, vm_name="VM_02")
    with fails(requirement):
        judge_list(requirement, broken, context)


def test_prev_links_are_offered_or_not(document):
    assert offers_prev_links(list(document("snapshots-collection.xml")))
    assert not offers_prev_links(list(document("snapshot-regular.xml")))


def test_unknown_next_run_state_is_a_note(document, v3):
    """Recorded traffic may lack the VM's own answer: a next-run snapshot without type is
    then taken as pending, and the report says so."""
    snapshots = list(
        document(
            "snapshots-collection.xml",
            ("<description>Virtual Machine 1 - Snapshot A</description>", "<description>Next Run configuration snapshot</description>"),
            ("<type>regular</type>", ""),
        )
    )
    unknown = ListContext(v3, api_path=API, vm_id=VM, vm_href=VM_HREF, next_run_pending=None)
    (note,) = judge_list("SNAP-REPR-09", snapshots, unknown)
    assert "next_run_configuration_exists" in note


def test_unknown_requirement_is_a_key_error(document, context):
    with pytest.raises(KeyError):
        judge_list("SNAP-PUT-01", [], context)
