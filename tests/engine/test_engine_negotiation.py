"""Content negotiation: Accept for answers (XML by default, JSON on request, 406 else),
Content-Type for request bodies (XML or JSON, 415 else)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        pytest.param(None, "application/xml", id="absent"),
        pytest.param("", "application/xml", id="empty"),
        pytest.param("application/xml", "application/xml", id="xml"),
        pytest.param("application/json", "application/json", id="json"),
        pytest.param("*/*", "application/xml", id="anything"),
        pytest.param("application/*", "application/xml", id="application-wildcard"),
        pytest.param("APPLICATION/JSON", "application/json", id="json-upper-case"),
        pytest.param("application/json; charset=utf-8", "application/json", id="json-with-charset"),
        pytest.param("application/json;q=0.9, application/xml;q=0.5", "application/json", id="q-prefers-json"),
        pytest.param("application/xml;q=0.1, application/json", "application/json", id="q-default-1"),
        pytest.param("application/xml, application/json", "application/xml", id="tie-xml-wins"),
        pytest.param("text/html, application/json;q=0.1", "application/json", id="only-json-acceptable"),
        pytest.param("application/json;q=0, */*", "application/xml", id="json-refused-wildcard"),
        pytest.param("*/*;q=0.5, application/json", "application/json", id="specific-beats-wildcard"),
        pytest.param("application/json;q=bogus, application/xml", "application/xml", id="malformed-q-ignored"),
    ],
)
def test_accept_chooses_the_format(api, seeded, accept, expected):
    headers = {} if accept is None else {"Accept": accept}
    response = api.get(f"vms/{seeded.db_01}/snapshots", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    if expected == "application/json":
        assert isinstance(response.json()["snapshot"], list)
    else:
        assert response.content.startswith(b"<?xml")


@pytest.mark.parametrize(
    "accept",
    [
        pytest.param("text/csv", id="csv"),
        pytest.param("text/html, application/pdf", id="html-pdf"),
        pytest.param("application/xml;q=0", id="xml-q0"),
        pytest.param("application/xml;q=0, application/json;q=0", id="both-q0"),
        pytest.param("nonsense", id="garbage"),
        pytest.param("application/x-yaml", id="yaml"),
    ],
)
@pytest.mark.parametrize("path", [pytest.param("vms", id="vms"), pytest.param("", id="root"), pytest.param("no/such", id="unknown")])
def test_unsupported_accept_is_406_with_empty_body(api, accept, path):
    response = api.get(path, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.content == b""


def test_a_json_body_is_understood(api, vm):
    response = api.request("POST", f"vms/{vm}/snapshots", json_body={"description": "from JSON", "persist_memorystate": False})
    assert response.status_code in (201, 202)
    assert api.xml(response, response.status_code).findtext("description") == "from JSON"


def test_a_json_body_may_be_wrapped_in_its_root_name(api, vm):
    response = api.request("POST", f"vms/{vm}/snapshots", json_body={"snapshot": {"description": "wrapped"}})
    assert response.status_code in (201, 202)
    assert api.xml(response, response.status_code).findtext("description") == "wrapped"


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("application/xml", id="xml"),
        pytest.param("application/xml; charset=UTF-8", id="xml-charset"),
        pytest.param("text/xml", id="text-xml"),
    ],
)
def test_xml_content_types_are_understood(api, vm, content_type):
    response = api.post(f"vms/{vm}/snapshots", "<snapshot><description>ct</description></snapshot>", headers={"Content-Type": content_type})
    assert response.status_code in (201, 202)


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("text/plain", id="text"),
        pytest.param("application/x-www-form-urlencoded", id="form"),
        pytest.param("application/octet-stream", id="octets"),
        pytest.param("multipart/form-data; boundary=x", id="multipart"),
    ],
)
def test_unsupported_content_type_is_415_with_a_fault(api, vm, content_type):
    before = len(api.snapshots(vm))
    response = api.post(f"vms/{vm}/snapshots", "<snapshot><description>x</description></snapshot>", headers={"Content-Type": content_type})
    reason, _ = api.fault(response, 415)
    assert reason == "Unsupported Media Type"
    assert len(api.snapshots(vm)) == before


def test_faults_follow_the_negotiated_format(api, seeded):
    response = api.post(f"vms/{seeded.db_01}/snapshots", "<snapshot/>", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json()["reason"]
