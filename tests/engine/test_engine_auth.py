"""Authentication: HTTP Basic on every API path; a 401 reveals no data."""

from __future__ import annotations

import base64

import pytest

SEEDED_VM = "dbc4cc47-2194-43f9-b7c0-0dc4acd5efea"
PATHS = [
    pytest.param("/ovirt-engine/api", id="root"),
    pytest.param("/ovirt-engine/api/vms", id="vms"),
    pytest.param(f"/ovirt-engine/api/vms/{SEEDED_VM}/snapshots", id="snapshots"),
    pytest.param("/ovirt-engine/api/no/such/thing", id="unknown-path"),
]


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="none"),
        pytest.param(_basic("admin@internal", "wrong"), id="wrong-password"),
        pytest.param(_basic("someone@internal", "reference-engine-test-password"), id="wrong-user"),
        pytest.param(_basic("admin@internal", ""), id="empty-password"),
        pytest.param("Basic !!!not-base64!!!", id="malformed-basic"),
        pytest.param("Basic " + base64.b64encode(b"no-colon").decode(), id="no-colon"),
        pytest.param("Bearer abc.def.ghi", id="bearer-token"),
    ],
)
def test_missing_or_wrong_credentials_get_401_without_data(make_api, engine, path, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = make_api(engine, auth=None).client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="RESTAPI"'
    assert response.headers["content-type"].startswith("text/html")
    body = response.text
    assert "<html" in body.lower()
    assert SEEDED_VM not in body
    assert "snapshot" not in body.lower()


def test_right_credentials_are_accepted(make_api, engine, seeded):
    response = make_api(engine, auth=None).client.get(f"/ovirt-engine/api/vms/{seeded.db_01}/snapshots", auth=(seeded.user, seeded.password))
    assert response.status_code == 200


def test_a_refused_create_changes_nothing(api, make_api, engine, seeded):
    before = len(api.snapshots(seeded.db_01))
    response = make_api(engine, auth=None).client.post(
        f"/ovirt-engine/api/vms/{seeded.db_01}/snapshots",
        content=b"<snapshot><description>sneaky</description></snapshot>",
        headers={"Content-Type": "application/xml"},
        auth=(seeded.user, "wrong"),
    )
    assert response.status_code == 401
    assert len(api.snapshots(seeded.db_01)) == before


def test_paths_outside_the_api_are_404_without_auth(make_api, engine):
    client = make_api(engine, auth=None).client
    for path in ("/", "/ovirt-engine", "/ovirt-engine/apifoo", "/favicon.ico"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.content == b""
