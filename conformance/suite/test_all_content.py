"""SNAP-ALLC: ``All-Content: true`` adds the snapshot's OVF configuration (seed 15.6.5.1, example 15.40)."""

from __future__ import annotations

import httpx
import pytest

from conformance import checks
from conformance.checks import reading
from conformance.checks.reading import ListContext, judge_list
from conformance.client.engine import VmRef
from conformance.client.http import url_for
from conformance.dialect import Dialect
from conformance.suite._support import JSON, XML, get, list_snapshots, snapshots_href

requirement = pytest.mark.requirement


@requirement("SNAP-ALLC-01")
@pytest.mark.parametrize("header", [pytest.param(None, id="no-header"), pytest.param("false", id="false")])
def test_no_configuration_without_all_content(client: httpx.Client, target_vm: VmRef, list_context: ListContext, header: str | None) -> None:
    """An engine MUST leave the OVF configuration out unless `All-Content: true` is asked for."""
    judge_list("SNAP-ALLC-01", list_snapshots(client, target_vm, all_content=header), list_context)


@requirement("SNAP-ALLC-02")
@pytest.mark.parametrize("shape", ["list", "single"])
def test_configuration_with_all_content(client: httpx.Client, target_vm: VmRef, dialect: Dialect, shape: str) -> None:
    """An engine MUST include an ovf configuration with non-empty data in every regular snapshot when `All-Content: true` is sent."""
    regular = _regular_with_all_content(client, target_vm, dialect)
    for snapshot in regular:
        if shape == "single":
            snapshot = checks.parse_xml_answer(get(client, snapshot.get("href", ""), all_content="true"), "SNAP-ALLC-02")
        checks.check_configuration_present(snapshot, dialect)


@requirement("SNAP-ALLC-03")
def test_ovf_is_escaped_envelope_in_xml(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine MUST send the OVF in XML as escaped character data holding a well-formed OVF Envelope."""
    judge_list("SNAP-ALLC-03", _carrying_ovf(client, target_vm, list_context.dialect), list_context)


@requirement("SNAP-ALLC-04")
def test_ovf_is_raw_string_in_json(client: httpx.Client, target_vm: VmRef, dialect: Dialect) -> None:
    """An engine MUST send the OVF in JSON as a plain string of raw markup, the same document as in XML."""
    regular = _carrying_ovf(client, target_vm, dialect)
    answer = get(client, snapshots_href(target_vm), accept=JSON, all_content="true")
    by_id = {str(s.get("id")): s for s in checks.check_json_collection_answer(answer)}
    for snapshot in regular:
        xml_text = checks.configuration_data(snapshot) or ""
        json_snapshot = by_id.get(checks.snapshot_id(snapshot))
        if json_snapshot is None:
            raise checks.RequirementFailure(
                "SNAP-ALLC-04",
                f"snapshot {checks.snapshot_id(snapshot)} is missing from the JSON list",
                received=f"ids {sorted(by_id)}",
                expected="the same snapshots as in XML",
            )
        checks.check_ovf_json(json_snapshot, xml_text)


@requirement("SNAP-ALLC-05")
def test_ovf_describes_the_vm(client: httpx.Client, target_vm: VmRef, list_context: ListContext) -> None:
    """An engine SHOULD describe the VM in the OVF: its name, a CPU item and a memory item."""
    judge_list("SNAP-ALLC-05", _carrying_ovf(client, target_vm, list_context.dialect), list_context)


def _regular_with_all_content(client: httpx.Client, vm: VmRef, dialect: Dialect) -> list:  # type: ignore[type-arg]
    regular = reading.regular(list_snapshots(client, vm, all_content="true"), dialect)
    if not regular:
        pytest.skip(f"the VM {vm.name!r} has no regular snapshot to read")
    return regular


def _carrying_ovf(client: httpx.Client, vm: VmRef, dialect: Dialect) -> list:  # type: ignore[type-arg]
    """The regular snapshots that carry configuration data: how that data is written is
    judged only where there is some (whether it is there is SNAP-ALLC-02's concern)."""
    carrying = reading.carrying_ovf(_regular_with_all_content(client, vm, dialect), dialect)
    if not carrying:
        pytest.skip(f"no regular snapshot of the VM {vm.name!r} carries an OVF with All-Content (SNAP-ALLC-02 judges that)")
    return carrying


@requirement("SNAP-ALLC-06")
@pytest.mark.parametrize("shape", ["list", "single"])
def test_all_content_query(client: httpx.Client, target_vm: VmRef, dialect: Dialect, shape: str) -> None:
    """An engine MUST (v4) treat the query all_content=true like the All-Content header, on the list and on a single GET."""
    by_header = list_snapshots(client, target_vm, all_content="true")
    if shape == "list":
        answer = client.get(url_for(client, snapshots_href(target_vm)), params={"all_content": "true"}, headers={"Accept": XML})
        by_query = checks.check_collection_answer(answer).findall("snapshot")
    else:
        # The header's list is the reference (SNAP-ALLC-02 judges it); each of its regular
        # snapshots, read alone with the query, must carry the same OVF.
        by_header = reading.regular(by_header, dialect)
        by_query = [
            checks.parse_xml_answer(
                client.get(url_for(client, snapshot.get("href", "")), params={"all_content": "true"}, headers={"Accept": XML}), "SNAP-ALLC-06"
            )
            for snapshot in by_header
        ]
    checks.check_all_content_query(by_query, by_header, dialect)
