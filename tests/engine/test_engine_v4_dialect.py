"""Which dialect answers: the /v3 or /v4 prefix, else the Version header, else the default."""

from __future__ import annotations

import pytest

from conformance.engine import EngineSettings

API = "/ovirt-engine/api"


def _dialect(root) -> str:
    """Which dialect a snapshot list is in, judged by its active snapshot's shape."""
    active = root.find("snapshot")
    assert active is not None
    if active.find("snapshot_type") is not None and active.find("type") is None:
        return "4"
    assert active.find("type") is not None
    assert active.find("snapshot_type") is None
    return "3"


@pytest.mark.parametrize(
    ("path", "headers", "dialect", "href_root"),
    [
        pytest.param("", {}, "3", API, id="default"),
        pytest.param("", {"Version": "3"}, "3", API, id="header-3"),
        pytest.param("", {"Version": "4"}, "4", API, id="header-4"),
        pytest.param("/v4", {}, "4", API + "/v4", id="prefix-4"),
        pytest.param("/v3", {}, "3", API + "/v3", id="prefix-3"),
        pytest.param("/v3", {"Version": "4"}, "3", API + "/v3", id="prefix-beats-header"),
        pytest.param("/v4", {"Version": "3"}, "4", API + "/v4", id="prefix-4-beats-header-3"),
    ],
)
def test_the_dialect_and_the_hrefs_follow_the_request(api, seeded, path, headers, dialect, href_root):
    response = api.client.get(f"{API}{path}/vms/{seeded.db_01}/snapshots", headers=headers)
    root = api.xml(response)
    assert _dialect(root) == dialect
    for snapshot in root.iterfind("snapshot"):
        assert snapshot.get("href") == f"{href_root}/vms/{seeded.db_01}/snapshots/{snapshot.get('id')}"
        vm = snapshot.find("vm")
        if snapshot.findtext("type") == "active" or snapshot.findtext("snapshot_type") == "active":
            assert vm is None  # as real engines answer
        else:  # a v3 vm links the VM; a v4 one holds its configuration and has no href
            assert vm.get("id") == seeded.db_01
            assert vm.get("href") == (None if dialect == "4" else f"{href_root}/vms/{seeded.db_01}")
    # Every href answers, in the same dialect.
    href = root.find("snapshot").get("href")
    assert _dialect(api.xml(api.client.get(href.rsplit("/", 1)[0], headers=headers))) == dialect


def test_the_api_root_under_a_prefix(api):
    root = api.xml(api.client.get(f"{API}/v4"))
    rels = {link.get("rel"): link.get("href") for link in root.iterfind("link")}
    assert rels["vms"] == f"{API}/v4/vms"
    assert root.findtext("product_info/version/major") == "4"
    assert api.xml(api.client.get(f"{API}/v4/")).tag == "api"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        pytest.param("/vms", {"Version": "5"}, id="header-5"),
        pytest.param("/vms", {"Version": "4.0"}, id="header-4.0"),
        pytest.param("/vms", {"Version": "v4"}, id="header-v4"),
        pytest.param("/v5/vms", {}, id="prefix-5"),
        pytest.param("/v2", {}, id="prefix-2"),
        pytest.param("/v04/vms", {"Version": "4"}, id="prefix-04"),
    ],
)
def test_a_version_not_served_is_400_with_an_html_page(api, path, headers):
    response = api.client.get(API + path, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text.lower()


def test_authentication_comes_before_the_version(make_api, engine):
    response = make_api(engine, auth=None).client.get(f"{API}/v5/vms")
    assert response.status_code == 401


def test_paths_that_only_look_like_a_version_are_ordinary_paths(api):
    # Only /v followed by digits (and nothing else in that segment) names a version.
    api.not_found(api.client.get(f"{API}/v4vms"))
    api.not_found(api.client.get(f"{API}/vx/vms"))


def test_a_v4_default_engine(make_engine, make_api, seeded):
    api = make_api(make_engine(default_api_version="4"))
    assert _dialect(api.xml(api.get(f"vms/{seeded.db_01}/snapshots"))) == "4"
    assert _dialect(api.xml(api.get(f"vms/{seeded.db_01}/snapshots", headers={"Version": "3"}))) == "3"
    assert _dialect(api.xml(api.client.get(f"{API}/v3/vms/{seeded.db_01}/snapshots"))) == "3"


@pytest.mark.parametrize("version", ["2", "5", "", "4.0"])
def test_the_default_must_be_a_served_version(version):
    with pytest.raises(ValueError, match="default_api_version"):
        EngineSettings(password="x", default_api_version=version)


def test_both_dialects_see_the_same_engine(api, v4api, vm):
    snapshot_id = api.create_snapshot(vm, "made in v3")
    (seen,) = [s for s in v4api.snapshots(vm) if s.get("id") == snapshot_id]
    assert (seen.findtext("description"), seen.findtext("snapshot_type")) == ("made in v3", "regular")


def test_a_created_vm_is_located_under_the_prefix(api):
    body = "<vm><name>v4-prefixed</name><cluster><name>Default</name></cluster><template><name>Blank</name></template></vm>"
    response = api.client.post(f"{API}/v4/vms", content=body, headers={"Content-Type": "application/xml"})
    vm = api.xml(response, 201)
    try:
        assert vm.get("href") == f"{API}/v4/vms/{vm.get('id')}"
        assert response.headers["location"] == f"{api.engine.base_url}{API}/v4/vms/{vm.get('id')}"
        assert vm.findtext("status") == "down"
    finally:
        assert api.delete(f"vms/{vm.get('id')}").status_code == 200
