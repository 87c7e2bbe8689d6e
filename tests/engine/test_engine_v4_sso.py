"""The SSO: tokens for ``Authorization: Bearer``, the engine's error shapes, revocation."""

from __future__ import annotations

import asyncio
import base64
import time
from datetime import UTC, datetime

import httpx
import pytest

from conformance.engine import EngineSettings, create_app

TOKEN = "/ovirt-engine/sso/oauth/token"
LOGOUT = "/ovirt-engine/services/sso-logout"
API_SCOPE = " ".join(
    [
        "ovirt-app-api",
        "ovirt-ext=token-info:authz-search",
        "ovirt-ext=token-info:public-authz-search",
        "ovirt-ext=token-info:validate",
        "ovirt-ext=token:password-access",
    ]
)
JSON = {"Accept": "application/json"}
BAD_LOGIN = "Unable to log in. Verify your login information or contact the system administrator."


@pytest.fixture
def client(make_api, engine):
    """An HTTP client without credentials of its own."""
    return make_api(engine, auth=None).client


def _form(**overrides: str | None) -> dict[str, str]:
    form = {"grant_type": "password", "scope": "ovirt-app-api", "username": "admin@internal", "password": "reference-engine-test-password"}
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def _bearer(token: str, version: str = "4") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Version": version}


# --- getting a token ---------------------------------------------------------------------


def test_a_token_as_the_sdk_asks_for_it(client):
    before = time.time()
    response = client.post(TOKEN, data=_form(), headers=JSON)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"access_token", "scope", "exp", "token_type"}
    assert body["token_type"] == "bearer"
    assert body["scope"] == API_SCOPE
    assert body["exp"].isdigit()
    assert int(body["exp"]) > before * 1000
    assert len(body["access_token"]) >= 32
    assert client.post(TOKEN, data=_form(), headers=JSON).json()["access_token"] != body["access_token"]


def test_parameters_may_come_in_the_query(client):
    response = client.get(TOKEN, params=_form(), headers=JSON)
    assert response.status_code == 200
    assert "access_token" in response.json()


@pytest.mark.parametrize("version", ["3", "4"])
def test_a_token_works_in_both_dialects_and_basic_in_v4(client, seeded, version):
    token = client.post(TOKEN, data=_form(), headers=JSON).json()["access_token"]
    assert client.get(f"/ovirt-engine/api/vms/{seeded.db_01}", headers=_bearer(token, version)).status_code == 200
    basic = client.get(f"/ovirt-engine/api/vms/{seeded.db_01}", headers={"Version": version}, auth=(seeded.user, seeded.password))
    assert basic.status_code == 200


# --- refusals: 400 with the engine's JSON ------------------------------------------------


@pytest.mark.parametrize(
    ("form", "code", "message"),
    [
        pytest.param(_form(password="wrong"), "access_denied", f"Cannot authenticate user 'admin@internal': {BAD_LOGIN}.", id="wrong-password"),
        pytest.param(_form(username="someone@internal"), "access_denied", f"Cannot authenticate user 'someone@internal': {BAD_LOGIN}.", id="wrong-user"),
        pytest.param(
            _form(username="admin@elsewhere"),
            "access_denied",
            "Cannot authenticate user 'admin@elsewhere': No valid profile found in credentials..",
            id="unknown-profile",
        ),
        pytest.param(
            _form(username="admin"), "access_denied", "Cannot authenticate user 'admin@N/A': No valid profile found in credentials..", id="no-profile"
        ),
        pytest.param(
            _form(username="@internal"),
            "access_denied",
            "Cannot authenticate user '@internal': No user name found in credentials..",
            id="no-user-name",
        ),
        pytest.param(_form(password=None), "invalid_request", "Missing parameter: 'password'", id="no-password"),
        pytest.param(_form(username=None), "invalid_request", "Missing parameter: 'username'", id="no-username"),
        pytest.param(
            _form(grant_type=None),
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
            id="no-grant-type",
        ),
        pytest.param(
            _form(grant_type="client_credentials"),
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
            id="other-grant-type",
        ),
    ],
)
def test_refusals_in_the_rest_api_scope(client, form, code, message):
    response = client.post(TOKEN, data=form, headers=JSON)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error_code": code, "error": message}


@pytest.mark.parametrize("scope", [None, "openid", "ovirt-app-admin"])
def test_refusals_in_other_scopes_are_oauth_shaped(client, scope):
    response = client.post(TOKEN, data=_form(scope=scope, password="wrong"), headers=JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "access_denied", "error_description": f"Cannot authenticate user 'admin@internal': {BAD_LOGIN}."}


@pytest.mark.parametrize("accept", [None, "application/json, text/plain", "*/*"])
def test_the_answer_must_be_asked_for_as_json(client, accept):
    headers = {} if accept is None else {"Accept": accept}
    response = client.post(TOKEN, data=_form(), headers=headers)
    assert response.status_code == 400
    assert response.json() == {"error_code": "invalid_request", "error": "Missing parameter: 'Accept Header'"}


def test_the_sdk_reports_the_error(client):
    """What ovirtsdk4 makes of the refusal: error_code and error, as its AuthError message."""
    body = client.post(TOKEN, data=_form(password="wrong"), headers=JSON).json()
    code, message = (body.get("error"), body.get("error_description")) if "error_description" in body else (body.get("error_code"), body.get("error"))
    assert f"Error during SSO authentication {code} : {message}" == (
        f"Error during SSO authentication access_denied : Cannot authenticate user 'admin@internal': {BAD_LOGIN}."
    )


# --- using and losing a token -------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Bearer not-a-token", id="unknown"),
        pytest.param("Bearer", id="scheme-only"),
        pytest.param("Token abc", id="other-scheme"),
        pytest.param("Basic " + base64.b64encode(b"admin@internal:x").decode(), id="basic-wrong"),
    ],
)
def test_a_bad_bearer_is_401_without_data(client, seeded, authorization):
    response = client.get(f"/ovirt-engine/api/vms/{seeded.db_01}/snapshots", headers={"Authorization": authorization, "Version": "4"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="RESTAPI"'
    assert seeded.db_01 not in response.text


def test_logout_revokes_the_token(client, seeded):
    token = client.post(TOKEN, data=_form(), headers=JSON).json()["access_token"]
    other = client.post(TOKEN, data=_form(), headers=JSON).json()["access_token"]
    response = client.post(LOGOUT, data={"scope": "ovirt-app-api", "token": token}, headers=JSON)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {}
    assert client.get(f"/ovirt-engine/api/vms/{seeded.db_01}", headers=_bearer(token)).status_code == 401
    assert client.get(f"/ovirt-engine/api/vms/{seeded.db_01}", headers=_bearer(other)).status_code == 200


@pytest.mark.parametrize("form", [{"token": "never-issued"}, {}], ids=["unknown-token", "no-token"])
def test_logout_of_anything_else_is_an_empty_answer(client, form):
    response = client.post(LOGOUT, data=form, headers=JSON)
    assert (response.status_code, response.json()) == (200, {})


def test_a_token_outside_the_api_scope_opens_nothing(client, seeded):
    token = client.post(TOKEN, data=_form(scope="openid"), headers=JSON).json()["access_token"]
    assert client.get(f"/ovirt-engine/api/vms/{seeded.db_01}", headers=_bearer(token)).status_code == 401


class _Clock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def now(self) -> datetime:
        return datetime.fromtimestamp(1_900_000_000 + self.seconds, UTC)

    def monotonic(self) -> float:
        return self.seconds


def test_an_idle_token_expires_and_use_keeps_it_alive(seeded):
    clock = _Clock()
    app = create_app(EngineSettings(password=seeded.password, token_idle_seconds=60), clock=clock)

    async def scenario() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://engine") as client:
            body = (await client.post(TOKEN, data=_form(), headers=JSON)).json()
            assert body["exp"] == str((1_900_000_000 + 1000 + 60) * 1000)
            kept, idle = body["access_token"], (await client.post(TOKEN, data=_form(), headers=JSON)).json()["access_token"]
            for _ in range(3):  # 90 s in all, never 60 s without a use
                clock.seconds += 30
                assert (await client.get("/ovirt-engine/api", headers=_bearer(kept))).status_code == 200
            assert (await client.get("/ovirt-engine/api", headers=_bearer(idle))).status_code == 401
            clock.seconds += 60
            assert (await client.get("/ovirt-engine/api", headers=_bearer(kept))).status_code == 401

    asyncio.run(scenario())


def test_the_sso_paths_are_the_only_ones_outside_the_api(client):
    assert client.post("/ovirt-engine/sso/oauth/revoke", data={"token": "x"}).status_code == 404
    assert client.get("/ovirt-engine/sso").status_code == 404
