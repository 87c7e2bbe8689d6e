"""SNAP-REPR: the XML representation of snapshots (seed 15.6.5.1, example 15.39)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from conformance import checks
from conformance.checks.reading import ListContext, judge_list, offers_prev_links
from conformance.client.engine import EngineAPI, VmRef
from conformance.dialect import Dialect
from conformance.plugin.outcomes import not_applicable
from conformance.suite._support import get, list_snapshots

requirement = pytest.mark.requirement


# -- the collection and its link from the VM --------------------------------------------
@requirement("SNAP-REPR-01")
def test_collection_is_snapshots_xml(client: httpx.Client, target_vm: VmRef) -> None:
    """An engine MUST answer GET on a VM's snapshots with 200 and an application/xml `snapshots` document of `snapshot` elements."""
    list_snapshots(client, target_vm)


@requirement("SNAP-REPR-02")
def test_vm_links_its_snapshots(engine_api: EngineAPI, target_vm: VmRef) -> None:
    """An engine MUST link a VM's snapshots from the VM with rel="snapshots" and href `{vm href}/snapshots`."""
    checks.check_vm_links_snapshots(engine_api.get_vm(target_vm), target_vm.href)


# -- identity and links of every snapshot --------------------------------------------------
@requirement("SNAP-REPR-03")
def test_snapshot_ids_are_guids(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine MUST identify every snapshot by a GUID of 8-4-4-4-12 hexadecimal digits without braces."""
    judge_list("SNAP-REPR-03", list_snapshots(client, target_vm), list_context)


@requirement("SNAP-REPR-04")
def test_snapshot_ids_are_lower_case(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine SHOULD write snapshot GUIDs in lower case."""
    judge_list("SNAP-REPR-04", list_snapshots(client, target_vm), list_context)


@requirement("SNAP-REPR-05")
def test_snapshot_href_resolves_to_the_snapshot(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine MUST give every snapshot the href `{api}/vms/{vm id}/snapshots/{id}`, and a GET on it MUST return that snapshot."""
    snapshots = list_snapshots(client, target_vm)
    judge_list("SNAP-REPR-05", snapshots, list_context)
    for snapshot in snapshots:
        fetched = checks.parse_xml_answer(get(client, snapshot.get("href", "")), "SNAP-REPR-05")
        checks.check_same_snapshot(fetched, checks.snapshot_id(snapshot))


@requirement("SNAP-REPR-06")
def test_snapshot_names_its_vm(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine MUST name the parent VM in every snapshot but the active one with a `vm` element carrying the VM's id (an href on it the VM's)."""
    judge_list("SNAP-REPR-06", list_snapshots(client, target_vm), list_context)


@requirement("SNAP-REPR-07")
def test_snapshot_links_restore(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine MUST offer every snapshot's restore action as `actions/link rel="restore"` to `{snapshot href}/restore`."""
    judge_list("SNAP-REPR-07", list_snapshots(client, target_vm), list_context)


@requirement("SNAP-REPR-08")
def test_prev_link_when_present(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine MAY link a snapshot to the previous one with rel="prev", which then MUST point to an older snapshot of the same VM."""
    snapshots = list_snapshots(client, target_vm)
    if not offers_prev_links(snapshots):
        not_applicable('the engine emits no rel="prev" links (engines since 3.1 do not)')
    judge_list("SNAP-REPR-08", snapshots, list_context)


# -- the values ----------------------------------------------------------------------------
@requirement("SNAP-REPR-09")
def test_snapshot_type(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine MUST give every snapshot a type of regular, active, stateless or preview (a pending next-run configuration snapshot excepted)."""
    judge_list("SNAP-REPR-09", list_snapshots(client, target_vm), list_context)


@requirement("SNAP-REPR-10")
def test_exactly_one_active_snapshot(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine MUST list exactly one active snapshot for every VM."""
    judge_list("SNAP-REPR-10", list_snapshots(client, target_vm), list_context)


@requirement("SNAP-REPR-11")
def test_snapshot_date_is_xs_datetime(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine MUST give every snapshot a `date` that is a lexically valid xs:dateTime."""
    judge_list("SNAP-REPR-11", list_snapshots(client, target_vm), list_context)


@requirement("SNAP-REPR-12")
def test_snapshot_date_has_offset(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine SHOULD write snapshot dates with a time-zone offset, so that they name one instant."""
    judge_list("SNAP-REPR-12", list_snapshots(client, target_vm), list_context)


@requirement("SNAP-REPR-13")
def test_snapshot_status(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine MUST give every snapshot a `snapshot_status` of ok, locked or in_preview."""
    judge_list("SNAP-REPR-13", list_snapshots(client, target_vm), list_context)


@requirement("SNAP-REPR-14")
def test_snapshot_memory_flag(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine MUST give every snapshot a `persist_memorystate` that is an xs:boolean."""
    judge_list("SNAP-REPR-14", list_snapshots(client, target_vm), list_context)


@requirement("SNAP-REPR-15")
@pytest.mark.parametrize("shape", ["collection", "single"])
def test_documents_validate_against_schema(
    client: httpx.Client, target_vm: VmRef, dialect: Dialect, shape: str, record_property: Callable[[str, object], None]
) -> None:
    """An engine SHOULD send snapshot documents that validate against the dialect's XSD, element order included (v4 VM members in its version's order)."""
    snapshots = list_snapshots(client, target_vm)
    notes: list[str] = []
    if shape == "collection":
        root = snapshots[0].getparent() if snapshots else None
        if root is not None:
            notes.extend(checks.check_schema(root, dialect))
    else:
        for snapshot in snapshots:
            notes.extend(checks.check_schema(checks.parse_xml_answer(get(client, snapshot.get("href", "")), "SNAP-REPR-15"), dialect))
    for note in notes:
        record_property("note", note)


@requirement("SNAP-REPR-16")
def test_list_and_get_agree(client: httpx.Client, target_vm: VmRef, dialect: Dialect) -> None:
    """An engine MUST show the same values for a snapshot in the list and in its own GET."""
    for snapshot in list_snapshots(client, target_vm):
        if (snapshot.findtext("snapshot_status") or "").strip() != "ok":
            continue  # a snapshot changing state may differ between two reads
        fetched = checks.parse_xml_answer(get(client, snapshot.get("href", "")), "SNAP-REPR-16")
        checks.check_list_matches_get(snapshot, fetched, dialect)


@requirement("SNAP-REPR-17")
def test_snapshot_ids_are_unique(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine MUST NOT list two snapshots of one VM with the same id."""
    judge_list("SNAP-REPR-17", list_snapshots(client, target_vm), list_context)
