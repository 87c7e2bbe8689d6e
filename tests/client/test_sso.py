"""The v4 SSO flow of the client: token, Bearer, one retry on 401, refusals, revocation."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest

from conformance.client.sso import SsoAuth, SsoError, sso_urls

URL = "https://engine.test:8443/ovirt-engine/api"


class FakeEngine:
    def __init__(self, *, password: str = "pw", token_error: dict[str, str] | None = None) -> None:
        self.password = password
        self.token_error = token_error
        self.issued: list[str] = []
        self.revoked: list[str] = []
        self.forms: list[dict[str, list[str]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/sso/oauth/token"):
            form = parse_qs(request.content.decode())
            self.forms.append(form)
            if self.token_error is not None or form.get("password") != [self.password]:
                return httpx.Response(400, json=self.token_error or {"error_code": "access_denied", "error": "Cannot authenticate user"})
            token = f"token-{len(self.issued) + 1}"
            self.issued.append(token)
            return httpx.Response(200, json={"access_token": token, "token_type": "bearer"})
        if path.endswith("/services/sso-logout"):
            self.revoked.append(parse_qs(request.content.decode())["token"][0])
            return httpx.Response(200, json={})
        valid = {f"Bearer {t}" for t in self.issued if t not in self.revoked}
        return httpx.Response(200, text="<api/>") if request.headers.get("Authorization") in valid else httpx.Response(401)


def _client(engine: FakeEngine, password: str = "pw", seen: list[str] | None = None) -> httpx.Client:
    auth = SsoAuth(URL, "admin@internal", password, on_token=(seen.append if seen is not None else lambda token: None))
    return httpx.Client(base_url=URL + "/", auth=auth, transport=httpx.MockTransport(engine))


def test_urls_follow_the_sdk() -> None:
    assert sso_urls(URL) == ("https://engine.test:8443/ovirt-engine/sso/oauth/token", "https://engine.test:8443/ovirt-engine/services/sso-logout")


def test_first_request_fetches_a_token_then_reuses_it() -> None:
    engine, seen = FakeEngine(), []
    with _client(engine, seen=seen) as client:
        assert client.get("").status_code == 200
        assert client.get("vms").status_code == 200
    assert engine.issued == ["token-1"]
    assert seen == ["token-1"]  # the recorder learns the token, to redact it
    form = engine.forms[0]
    assert form["grant_type"] == ["password"]
    assert form["scope"] == ["ovirt-app-api"]
    assert form["username"] == ["admin@internal"]


def test_an_expired_token_is_replaced_once() -> None:
    engine = FakeEngine()
    with _client(engine) as client:
        client.get("")
        engine.revoked.append("token-1")  # the engine forgot it
        assert client.get("").status_code == 200
    assert engine.issued == ["token-1", "token-2"]


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        pytest.param(None, "Cannot authenticate user", id="app-api-shape"),
        pytest.param({"error": "invalid_grant", "error_description": "bad password"}, "bad password", id="openid-shape"),
    ],
)
def test_refused_credentials_raise_one_sentence(error: dict[str, str] | None, shown: str) -> None:
    engine = FakeEngine(token_error=error)
    with _client(engine, password="wrong") as client, pytest.raises(SsoError) as caught:
        client.get("")
    assert "refused the credentials" in str(caught.value)
    assert shown in str(caught.value)


def test_a_token_answer_that_is_not_json_is_an_error() -> None:
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html>not here</html>")

    auth = SsoAuth(URL, "admin@internal", "pw")
    with httpx.Client(auth=auth, transport=httpx.MockTransport(html)) as client, pytest.raises(SsoError, match="without JSON"):
        client.get(URL)


def test_revoke_ends_the_session_and_never_raises() -> None:
    engine = FakeEngine()
    with _client(engine) as client:
        client.get("")
        auth = client.auth
        assert isinstance(auth, SsoAuth)
        auth.revoke(client)
        auth.revoke(client)  # twice: nothing left to revoke
    assert engine.revoked == ["token-1"]
    assert json.dumps(engine.forms)  # the forms were plain data
