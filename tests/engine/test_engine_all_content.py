"""All-Content: the OVF of every regular snapshot, escaped in XML, a raw string in JSON."""

from __future__ import annotations

import pytest
from lxml import etree

from conformance.safexml import parse

OVF = "http://schemas.dmtf.org/ovf/envelope/1/"
RASD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"


def _envelope(data: str) -> etree._Element:
    root = parse(data)
    assert root.tag == f"{{{OVF}}}Envelope"
    return root


def _hardware(envelope: etree._Element) -> dict[str, etree._Element]:
    """Hardware items by rasd:ResourceType (the first of each)."""
    items: dict[str, etree._Element] = {}
    for item in envelope.iterfind("Content/Section/Item"):
        items.setdefault(item.findtext(f"{{{RASD}}}ResourceType") or "", item)
    return items


@pytest.mark.parametrize("value", ["true", "TRUE", "True"])
def test_list_with_all_content_carries_the_ovf(api, seeded, value):
    response = api.get(f"vms/{seeded.db_01}/snapshots", headers={"All-Content": value})
    assert b"&lt;ovf:Envelope" in response.content  # escaped character data
    for snapshot in api.xml(response).iterfind("snapshot"):
        configuration = snapshot.find("initialization/configuration")
        if snapshot.findtext("type") == "active":
            assert configuration is None
            continue
        assert configuration is not None
        assert configuration.findtext("type") == "ovf"
        data = configuration.find("data")
        assert data is not None
        assert len(data) == 0, "data is text, without child elements"
        envelope = _envelope(data.text or "")
        assert envelope.findtext("Content/Name") == "db-01"
        items = _hardware(envelope)
        assert {"3", "4"} <= set(items)


def test_the_ovf_describes_the_vm_as_it_was(api, seeded):
    """db-01's first snapshot was taken with 4 GiB, one socket of two cores, one disk."""
    snapshot = api.snapshot(seeded.db_01, seeded.db_01_initial, all_content=True)
    envelope = _envelope(snapshot.findtext("initialization/configuration/data") or "")
    items = _hardware(envelope)
    assert items["4"].findtext(f"{{{RASD}}}VirtualQuantity") == "4096"
    assert items["4"].findtext(f"{{{RASD}}}AllocationUnits") == "MegaBytes"
    assert items["3"].findtext(f"{{{RASD}}}num_of_sockets") == "1"
    assert items["3"].findtext(f"{{{RASD}}}cpu_per_socket") == "2"
    assert len(envelope.findall("Section/Disk")) == 1
    assert envelope.findtext("Content/Description") == "PostgreSQL 12 primary (fresh install)"
    assert api.vm(seeded.db_01).findtext("memory") == str(8 * 1024**3)


@pytest.mark.parametrize(
    "headers",
    [pytest.param({}, id="absent"), pytest.param({"All-Content": "false"}, id="false"), pytest.param({"All-Content": "yes"}, id="not-true")],
)
def test_without_all_content_there_is_no_ovf(api, seeded, headers):
    response = api.get(f"vms/{seeded.db_01}/snapshots", headers=headers)
    assert api.xml(response).find("snapshot/initialization") is None
    single = api.get(f"vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}", headers=headers)
    assert api.xml(single).find("initialization") is None


def test_json_carries_the_raw_markup(api, seeded):
    xml = api.snapshot(seeded.db_01, seeded.db_01_initial, all_content=True).findtext("initialization/configuration/data")
    document = api.json(api.get(f"vms/{seeded.db_01}/snapshots", headers={"All-Content": "true", "Accept": "application/json"}))
    item = next(s for s in document["snapshot"] if s["id"] == seeded.db_01_initial)
    data = item["initialization"]["configuration"]["data"]
    assert isinstance(data, str)
    assert "<ovf:Envelope" in data
    assert "&lt;" not in data
    assert data == xml
    assert item["initialization"]["configuration"]["type"] == "ovf"


def test_a_new_snapshot_keeps_the_configuration_of_its_time(api, vm):
    api.xml(api.put(f"vms/{vm}", "<vm><description>before</description><memory>2147483648</memory></vm>"))
    snapshot_id = api.create_snapshot(vm, "captured")
    api.xml(api.put(f"vms/{vm}", "<vm><description>after</description><memory>3221225472</memory></vm>"))
    envelope = _envelope(api.snapshot(vm, snapshot_id, all_content=True).findtext("initialization/configuration/data") or "")
    assert envelope.findtext("Content/Description") == "before"
    assert _hardware(envelope)["4"].findtext(f"{{{RASD}}}VirtualQuantity") == "2048"
    assert envelope.findtext("Content/Name") == api.vm(vm).findtext("name")
