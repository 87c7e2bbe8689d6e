"""Snapshots are immutable: PUT is not a method of a snapshot (405, Allow, nothing changes)."""

from __future__ import annotations

import pytest


def test_put_on_a_snapshot_is_405_and_changes_nothing(api, seeded):
    path = f"vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}"
    before = api.get(path).content
    response = api.put(path, "<snapshot><description>changed</description></snapshot>")
    assert response.status_code == 405
    assert response.content == b""
    assert set(response.headers["allow"].split(", ")) == {"GET", "DELETE", "HEAD", "OPTIONS"}
    assert api.get(path).content == before


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        pytest.param("PUT", "vms/{vm}/snapshots", {"GET", "POST", "HEAD", "OPTIONS"}, id="put-collection"),
        pytest.param("DELETE", "vms/{vm}/snapshots", {"GET", "POST", "HEAD", "OPTIONS"}, id="delete-collection"),
        pytest.param("POST", "vms/{vm}/snapshots/{snapshot}", {"GET", "DELETE", "HEAD", "OPTIONS"}, id="post-snapshot"),
        pytest.param("PATCH", "vms/{vm}/snapshots/{snapshot}", {"GET", "DELETE", "HEAD", "OPTIONS"}, id="patch-snapshot"),
        pytest.param("GET", "vms/{vm}/snapshots/{snapshot}/restore", {"POST", "OPTIONS"}, id="get-restore"),
        pytest.param("PUT", "vms/{vm}/snapshots/{snapshot}/disks", {"GET", "HEAD", "OPTIONS"}, id="put-disks"),
        pytest.param("POST", "vms/{vm}/snapshots/{snapshot}/nics", {"GET", "HEAD", "OPTIONS"}, id="post-nics"),
        pytest.param("POST", "vms/{vm}/snapshots/{snapshot}/cdroms", {"GET", "HEAD", "OPTIONS"}, id="post-cdroms"),
        pytest.param("PATCH", "vms", {"GET", "POST", "HEAD", "OPTIONS"}, id="patch-vms"),
    ],
)
def test_methods_a_resource_lacks_are_405(api, seeded, method, path, allowed):
    response = api.request(method, path.format(vm=seeded.db_01, snapshot=seeded.db_01_initial), body="<snapshot/>")
    assert response.status_code == 405
    assert response.content == b""
    assert set(response.headers["allow"].split(", ")) == allowed


def test_put_with_json_is_405_too(api, seeded):
    response = api.request("PUT", f"vms/{seeded.db_01}/snapshots/{seeded.db_01_initial}", json_body={"description": "x"})
    assert response.status_code == 405
