"""SNAP-REPR: the XML representation of snapshots (seed 15.6.5.1, example 15.39)."""

from __future__ import annotations

import httpx
import pytest

from conformance import checks
from conformance.client.engine import EngineAPI, VmRef
from conformance.dialect import Dialect
from conformance.plugin.options import RunConfig
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
def test_snapshot_ids_are_guids(client: httpx.Client, target_vm: VmRef) -> None:
    """An engine MUST identify every snapshot by a GUID of 8-4-4-4-12 hexadecimal digits without braces."""
    for snapshot in list_snapshots(client, target_vm):
        checks.check_guid(snapshot)


@requirement("SNAP-REPR-04")
def test_snapshot_ids_are_lower_case(client: httpx.Client, target_vm: VmRef) -> None:
    """An engine SHOULD write snapshot GUIDs in lower case."""
    for snapshot in list_snapshots(client, target_vm):
        checks.check_guid_lower_case(snapshot)


@requirement("SNAP-REPR-05")
def test_snapshot_href_resolves_to_the_snapshot(client: httpx.Client, target_vm: VmRef, run_config: RunConfig) -> None:
    """An engine MUST give every snapshot the href `{api}/vms/{vm id}/snapshots/{id}`, and a GET on it MUST return that snapshot."""
    for snapshot in list_snapshots(client, target_vm):
        href = checks.check_href(snapshot, api_path=run_config.api_path, vm_id=target_vm.id)
        fetched = checks.parse_xml_answer(get(client, href), "SNAP-REPR-05")
        checks.check_same_snapshot(fetched, checks.snapshot_id(snapshot))


@requirement("SNAP-REPR-06")
def test_snapshot_names_its_vm(client: httpx.Client, target_vm: VmRef) -> None:
    """An engine MUST name the parent VM in every snapshot with a `vm` element carrying the VM's id and href."""
    for snapshot in list_snapshots(client, target_vm):
        checks.check_vm_reference(snapshot, vm_id=target_vm.id, vm_href=target_vm.href)


@requirement("SNAP-REPR-07")
def test_snapshot_links_restore(client: httpx.Client, target_vm: VmRef) -> None:
    """An engine MUST offer every snapshot's restore action as `actions/link rel="restore"` to `{snapshot href}/restore`."""
    for snapshot in list_snapshots(client, target_vm):
        checks.check_restore_link(snapshot)


@requirement("SNAP-REPR-08")
def test_prev_link_when_present(client: httpx.Client, target_vm: VmRef) -> None:
    """An engine MAY link a snapshot to the previous one with rel="prev", which then MUST point to an older snapshot of the same VM."""
    snapshots = list_snapshots(client, target_vm)
    with_prev = [s for s in snapshots if checks.prev_link(s) is not None]
    if not with_prev:
        not_applicable('the engine emits no rel="prev" links (engines since 3.1 do not)')
    for snapshot in with_prev:
        checks.check_prev_link(snapshot, snapshots)


# -- the values ----------------------------------------------------------------------------
@requirement("SNAP-REPR-09")
def test_snapshot_type(client: httpx.Client, target_vm: VmRef, dialect: Dialect) -> None:
    """An engine MUST give every snapshot a type of regular, active, stateless or preview."""
    for snapshot in list_snapshots(client, target_vm):
        checks.check_type(snapshot, dialect)


@requirement("SNAP-REPR-10")
def test_exactly_one_active_snapshot(client: httpx.Client, target_vm: VmRef, dialect: Dialect) -> None:
    """An engine MUST list exactly one active snapshot for every VM."""
    checks.check_one_active(list_snapshots(client, target_vm), dialect)


@requirement("SNAP-REPR-11")
def test_snapshot_date_is_xs_datetime(client: httpx.Client, target_vm: VmRef) -> None:
    """An engine MUST give every snapshot a `date` that is a lexically valid xs:dateTime."""
    for snapshot in list_snapshots(client, target_vm):
        checks.check_date(snapshot)


@requirement("SNAP-REPR-12")
def test_snapshot_date_has_offset(client: httpx.Client, target_vm: VmRef) -> None:
    """An engine SHOULD write snapshot dates with a time-zone offset, so that they name one instant."""
    for snapshot in list_snapshots(client, target_vm):
        checks.check_date_offset(snapshot)


@requirement("SNAP-REPR-13")
def test_snapshot_status(client: httpx.Client, target_vm: VmRef) -> None:
    """An engine MUST give every snapshot a `snapshot_status` of ok, locked or in_preview."""
    for snapshot in list_snapshots(client, target_vm):
        checks.check_status(snapshot)


@requirement("SNAP-REPR-14")
def test_snapshot_memory_flag(client: httpx.Client, target_vm: VmRef) -> None:
    """An engine MUST give every snapshot a `persist_memorystate` that is an xs:boolean."""
    for snapshot in list_snapshots(client, target_vm):
        checks.check_memory_flag(snapshot)


@requirement("SNAP-REPR-15")
@pytest.mark.parametrize("shape", ["collection", "single"])
def test_documents_validate_against_schema(client: httpx.Client, target_vm: VmRef, dialect: Dialect, shape: str) -> None:
    """An engine SHOULD send snapshot documents that validate against the dialect's XSD, element order included."""
    snapshots = list_snapshots(client, target_vm)
    if shape == "collection":
        root = snapshots[0].getparent() if snapshots else None
        if root is not None:
            checks.check_schema(root, dialect)
        return
    for snapshot in snapshots:
        checks.check_schema(checks.parse_xml_answer(get(client, snapshot.get("href", "")), "SNAP-REPR-15"), dialect)


@requirement("SNAP-REPR-16")
def test_list_and_get_agree(client: httpx.Client, target_vm: VmRef, dialect: Dialect) -> None:
    """An engine MUST show the same values for a snapshot in the list and in its own GET."""
    for snapshot in list_snapshots(client, target_vm):
        if (snapshot.findtext("snapshot_status") or "").strip() != "ok":
            continue  # a snapshot changing state may differ between two reads
        fetched = checks.parse_xml_answer(get(client, snapshot.get("href", "")), "SNAP-REPR-16")
        checks.check_list_matches_get(snapshot, fetched, dialect)


@requirement("SNAP-REPR-17")
def test_snapshot_ids_are_unique(client: httpx.Client, target_vm: VmRef) -> None:
    """An engine MUST NOT list two snapshots of one VM with the same id."""
    checks.check_unique_ids(list_snapshots(client, target_vm))
