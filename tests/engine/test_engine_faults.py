"""Malformed requests: always a 4xx with a fault (or an empty 404/405/406), never a 5xx."""

from __future__ import annotations

import json

import pytest

SNAPSHOTS = "vms/{vm}/snapshots"
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><snapshot><description>&lol3;</description></snapshot>'
)
EXTERNAL_ENTITY = '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><snapshot><description>&x;</description></snapshot>'
DEEP_JSON = "{" + '"a":{' * 200 + "}" * 201


def _xml(content: str) -> tuple[str, dict[str, str]]:
    return content, {"Content-Type": "application/xml"}


def _json(content: str) -> tuple[str, dict[str, str]]:
    return content, {"Content-Type": "application/json"}


MALFORMED_BODIES = [
    pytest.param(*_xml("<snapshot><description>x</snapshot>"), 400, id="xml-mismatched-tags"),
    pytest.param(*_xml("<snapshot><description>x"), 400, id="xml-truncated"),
    pytest.param(*_xml(BOMB), 400, id="xml-entity-bomb"),
    pytest.param(*_xml(EXTERNAL_ENTITY), 400, id="xml-external-entity"),
    pytest.param(*_xml("<snapshot xmlns:a='urn:x'><a:description>x</a:description></snapshot>"), 400, id="xml-namespaced-field"),
    pytest.param(*_xml("\x00\x01\x02 binary"), 400, id="xml-binary"),
    pytest.param(*_xml("<?xml version='1.0' encoding='klingon'?><snapshot/>"), 400, id="xml-unknown-encoding"),
    pytest.param(*_json('{"description": '), 400, id="json-truncated"),
    pytest.param(*_json("[1, 2, 3]"), 400, id="json-array"),
    pytest.param(*_json('"just a string"'), 400, id="json-string"),
    pytest.param(*_json(DEEP_JSON), 400, id="json-deeply-nested"),
    pytest.param(*_json('{"description": NaN}'), 400, id="json-nan"),
    pytest.param(*_json('{"description": "a\\u0000b"}'), 400, id="json-nul-character"),
    pytest.param(*_json('{"description": [[1]]}'), 400, id="json-nested-arrays"),
    pytest.param(*_json('{"bad key": "x"}'), 400, id="json-bad-member-name"),
    pytest.param(*_json('{"description": "x", "persist_memorystate": "yes"}'), 400, id="json-bad-boolean"),
    pytest.param(*_json('{"description": ' + "9" * 5000 + "}"), 400, id="json-huge-number"),
    pytest.param("<snapshot><description>x</description></snapshot>", {"Content-Type": "text/plain"}, 415, id="wrong-content-type"),
    pytest.param("description=x", {"Content-Type": "application/x-www-form-urlencoded"}, 415, id="form-content-type"),
    pytest.param('{"description": "x"}', {"Content-Type": "application/json; charset=klingon"}, 400, id="unknown-charset"),
]


@pytest.mark.parametrize(("body", "headers", "status"), MALFORMED_BODIES)
def test_malformed_create_is_refused_and_creates_nothing(api, vm, body, headers, status):
    before = [s.get("id") for s in api.snapshots(vm)]
    response = api.request("POST", SNAPSHOTS.format(vm=vm), body=body, headers=headers)
    api.fault(response, status)
    assert [s.get("id") for s in api.snapshots(vm)] == before


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("vms/" + "a" * 10_000, id="very-long-id"),
        pytest.param("vms/..%2F..%2Fetc%2Fpasswd/snapshots", id="path-traversal"),
        pytest.param("vms/%00/snapshots", id="nul"),
        pytest.param("vms/1%20OR%201=1/snapshots", id="injection"),
        pytest.param("vms/dbc4cc47-2194-43f9-b7c0-0dc4acd5efea/snapshots/%7Bbc16c79d-c478-4d49-a41d-77952a2d50bf%7D", id="braced-snapshot"),
        pytest.param("vms/dbc4cc47-2194-43f9-b7c0-0dc4acd5efea/snapshots/-1", id="negative"),
        pytest.param("vms/dbc4cc47-2194-43f9-b7c0-0dc4acd5efea/snapshots/bc16c79d-c478-4d49-a41d-77952a2d50bf/nothing", id="unknown-sub-path"),
        pytest.param("nothing/here", id="unknown-collection"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_absurd_paths_are_404(api, path, method):
    response = api.request(method, path, body="<action/>")
    assert response.status_code in (404, 405), response.status_code
    if response.status_code == 404:
        api.not_found(response)


def test_oversized_body_is_413(make_engine, make_api):
    api = make_api(make_engine(max_body_bytes=1024))
    vm = api.create_vm()
    big = "<snapshot><description>" + "x" * 4096 + "</description></snapshot>"
    reason, _ = api.fault(api.post(f"vms/{vm}/snapshots", big), 413)
    assert reason == "Request Entity Too Large"
    assert len(api.snapshots(vm)) == 1
    # Still serving on the same client afterwards.
    assert api.get(f"vms/{vm}").status_code == 200


def test_oversized_chunked_body_is_413(make_engine, make_api):
    api = make_api(make_engine(max_body_bytes=1024))
    vm = api.create_vm()

    def chunks():
        yield b"<snapshot><description>"
        for _ in range(64):
            yield b"x" * 512
        yield b"</description></snapshot>"

    response = api.client.post(f"/ovirt-engine/api/vms/{vm}/snapshots", content=chunks(), headers={"Content-Type": "application/xml"})
    api.fault(response, 413)
    assert len(api.snapshots(vm)) == 1


def test_default_limit_is_a_mebibyte(api, vm):
    big = "<snapshot><description>" + "x" * (1024 * 1024) + "</description></snapshot>"
    api.fault(api.post(f"vms/{vm}/snapshots", big), 413)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param("<vm><memory>abc</memory></vm>", "memory", id="memory-abc"),
        pytest.param("<vm><memory>1e3</memory></vm>", "memory", id="memory-exponent"),
        pytest.param("<vm><memory>1.5</memory></vm>", "memory", id="memory-fraction"),
        pytest.param("<vm><memory></memory></vm>", "memory", id="memory-empty"),
        pytest.param('<vm><cpu><topology sockets="0" cores="1"/></cpu></vm>', "cpu.topology.sockets", id="sockets-zero"),
        pytest.param('<vm><cpu><topology sockets="2" cores="many"/></cpu></vm>', "cpu.topology.cores", id="cores-text"),
    ],
)
def test_wrong_value_types_are_400_invalid_value(api, vm, body, field):
    reason, detail = api.fault(api.put(f"vms/{vm}", body), 400)
    assert reason == "Invalid value"
    assert f"'{field}'" in detail


def test_json_wrong_types_are_400(api, vm):
    response = api.request("PUT", f"vms/{vm}", json_body={"memory": "abc"})
    api.fault(response, 400)
    response = api.request("PUT", f"vms/{vm}", json_body={"memory": 1.5})
    api.fault(response, 400)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"max": "-5"}, id="max-negative"),
        pytest.param({"max": "1e9"}, id="max-exponent"),
        pytest.param({"max": "99999999999999999999"}, id="max-huge"),
        pytest.param({"search": "name=" + "x" * 5000}, id="search-long"),
        pytest.param({"search": "(name=x"}, id="search-syntax"),
        pytest.param({"search": "\x00\x01"}, id="search-control-characters"),
    ],
)
def test_bad_query_values_are_400(api, seeded, params):
    api.fault(api.get(f"vms/{seeded.db_01}/snapshots" if "max" in params else "vms", params=params), 400)


def test_strange_headers_do_not_break_anything(api, seeded):
    headers = {"All-Content": "\u00e9t\u00e9".encode(), "Expect": b"nonsense", "Accept-Language": b"x" * 2000}
    assert api.get(f"vms/{seeded.db_01}/snapshots", headers=headers).status_code == 200
    # A version the engine does not serve is the one header that is refused (400, as 4.x engines).
    assert api.get(f"vms/{seeded.db_01}/snapshots", headers={"Version": "\u00e9".encode()}).status_code == 400


def test_faults_as_json_have_reason_and_detail(api, vm):
    response = api.request("POST", SNAPSHOTS.format(vm=vm), json_body={"persist_memorystate": True}, headers={"Accept": "application/json"})
    fault = api.json(response, 400)
    assert fault == {"reason": "Incomplete parameters", "detail": "Snapshot [description] required for add"}
    action = api.json(api.post(f"vms/{vm}/stop", headers={"Accept": "application/json"}), 409)
    assert action["status"] == {"state": "failed"}
    assert action["fault"]["reason"] == "Operation Failed"
    assert json.dumps(action)
