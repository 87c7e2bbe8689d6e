"""The API root, and the clusters and templates VMs refer to."""

from __future__ import annotations

import re


def test_root_identifies_the_reference_engine(api):
    root = api.xml(api.get(""))
    assert root.tag == "api"
    info = root.find("product_info")
    assert info is not None
    assert "reference engine" in (info.findtext("name") or "")
    assert info.findtext("vendor")
    version = info.find("version")
    assert version is not None
    assert (version.get("major"), version.get("minor")) == ("3", "6")
    assert all(re.fullmatch(r"\d+", version.get(key) or "") for key in ("major", "minor", "build", "revision"))
    rels = {link.get("rel"): link.get("href") for link in root.iterfind("link")}
    assert rels["vms"] == "/ovirt-engine/api/vms"
    assert rels["vms/search"] == "/ovirt-engine/api/vms?search={query}"
    assert int(root.findtext("summary/vms/total") or 0) >= 3


def test_root_with_a_trailing_slash(api):
    assert api.xml(api.client.get("/ovirt-engine/api/")).tag == "api"


def test_root_as_json(api):
    document = api.json(api.get("", headers={"Accept": "application/json"}))
    assert document["product_info"]["version"]["major"] == 3
    assert any(link["rel"] == "vms" for link in document["link"])


def test_clusters_and_templates(api, seeded):
    clusters = api.xml(api.get("clusters"))
    assert [c.findtext("name") for c in clusters.iterfind("cluster")] == ["Default"]
    cluster = api.xml(api.get(f"clusters/{seeded.default_cluster}"))
    assert cluster.get("href") == f"/ovirt-engine/api/clusters/{seeded.default_cluster}"
    templates = api.xml(api.get("templates", params={"search": "name=Blank"}))
    (blank,) = templates.iterfind("template")
    assert blank.get("id") == seeded.blank_template
    assert api.xml(api.get(f"templates/{seeded.blank_template}")).findtext("name") == "Blank"


def test_unknown_cluster_and_template_are_404(api):
    api.not_found(api.get("clusters/6f1d0d0a-0000-4000-8000-000000000001"))
    api.not_found(api.get("templates/not-a-guid"))
