"""Device sub-collections (disks, nics, cdroms) of snapshots and VMs: read-only."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("kind", "element", "count"), [("disks", "disk", 1), ("nics", "nic", 1), ("cdroms", "cdrom", 1)])
def test_snapshot_devices_are_those_of_its_time(api, seeded, kind, element, count):
    base = f"/ovirt-engine/api/vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}/{kind}"
    root = api.xml(api.get(base))
    assert root.tag == kind
    devices = list(root.iterfind(element))
    assert len(devices) == count
    for device in devices:
        assert device.get("href") == f"{base}/{device.get('id')}"
        single = api.xml(api.get(device.get("href")))
        assert single.tag == element
        assert single.get("id") == device.get("id")


def test_vm_devices_are_those_of_now(api, seeded):
    assert len(list(api.xml(api.get(f"vms/{seeded.db_01}/disks")).iterfind("disk"))) == 2
    assert len(list(api.xml(api.get(f"vms/{seeded.db_01}/nics")).iterfind("nic"))) == 2
    cdrom = api.xml(api.get(f"vms/{seeded.db_01}/cdroms")).find("cdrom")
    assert cdrom.find("file").get("id") == "rhel-8.10-x86_64-dvd.iso"


def test_a_snapshot_freezes_its_disk_volumes(api, seeded, make_engine, make_api):
    """A new snapshot keeps the disk's volume; the VM writes on a new one."""
    api = make_api(make_engine())
    before = api.xml(api.get(f"vms/{seeded.web_01}/disks")).find("disk")
    snapshot_id = api.create_snapshot(seeded.web_01, "volumes")
    frozen = api.xml(api.get(f"vms/{seeded.web_01}/snapshots/{snapshot_id}/disks")).find("disk")
    after = api.xml(api.get(f"vms/{seeded.web_01}/disks")).find("disk")
    assert frozen.get("id") == before.get("id") == after.get("id")
    assert frozen.findtext("image_id") == before.findtext("image_id") != after.findtext("image_id")
    assert frozen.find("snapshot").get("id") == snapshot_id


def test_disk_representation(api, seeded):
    disk = api.xml(api.get(f"vms/{seeded.db_01}/disks")).find("disk")
    assert disk.findtext("alias") == "db-01_Disk1"
    assert disk.findtext("provisioned_size") == "32212254720"
    assert disk.findtext("status/state") == "ok"
    assert disk.find("vm").get("id") == seeded.db_01


def test_devices_as_json(api, seeded):
    document = api.json(api.get(f"vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}/nics", headers={"Accept": "application/json"}))
    assert [nic["mac"]["address"] for nic in document["nic"]] == ["00:1a:4a:16:01:7c"]


def test_empty_device_collection(api, vm):
    document = api.json(api.get(f"vms/{vm}/disks", headers={"Accept": "application/json"}))
    assert document == {"disk": []}
    assert list(api.xml(api.get(f"vms/{vm}/disks"))) == []


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_device_collections_are_read_only(api, seeded, method):
    for kind in ("disks", "nics", "cdroms"):
        response = api.request(method, f"vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}/{kind}", body="<x/>")
        assert response.status_code == 405
        assert "GET" in response.headers["allow"]


def test_unknown_device_is_404(api, seeded):
    api.not_found(api.get(f"vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}/disks/6f1d0d0a-0000-4000-8000-000000000001"))
    api.not_found(api.get(f"vms/{seeded.db_01}/nics/zzz"))
