"""v4 authentication: an SSO token from the engine, sent as ``Authorization: Bearer``.

:class:`SsoAuth` is an ``httpx.Auth`` flow, so it lives in the one transport seam like
Basic auth does: the first request fetches a token (``POST /ovirt-engine/sso/oauth/token``,
the form the oVirt SDK sends), a 401 fetches a new one once (tokens expire), and
:meth:`SsoAuth.revoke` ends the session (``/ovirt-engine/services/sso-logout``).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Generator
from urllib.parse import urlsplit

import httpx

__all__ = ["SsoAuth", "SsoError", "sso_urls"]


class SsoError(httpx.HTTPError):
    """The SSO service gave no token; ``str()`` says what it answered."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


def sso_urls(engine_url: str) -> tuple[str, str]:
    """The token and logout URLs of an engine, computed from its scheme and host as the SDK does."""
    parts = urlsplit(engine_url)
    root = f"{parts.scheme}://{parts.netloc}/ovirt-engine"
    return f"{root}/sso/oauth/token", f"{root}/services/sso-logout"


class SsoAuth(httpx.Auth):
    requires_response_body = True

    def __init__(self, engine_url: str, username: str, password: str, *, on_token: Callable[[str], None] = lambda token: None) -> None:
        self._token_url, self._logout_url = sso_urls(engine_url)
        self._username = username
        self._password = password
        self._on_token = on_token
        self._lock = threading.Lock()
        self._token: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._token
        if token is None:
            token = yield from self._fetch()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            # an expired or revoked token: one new token, one retry (the SDK does the same)
            token = yield from self._fetch()
            request.headers["Authorization"] = f"Bearer {token}"
            yield request

    def _fetch(self) -> Generator[httpx.Request, httpx.Response, str]:
        form = {"grant_type": "password", "scope": "ovirt-app-api", "username": self._username, "password": self._password}
        response = yield httpx.Request("POST", self._token_url, data=form, headers={"Accept": "application/json"})
        token = _token_from(response)
        with self._lock:
            self._token = token
        self._on_token(token)
        return token

    def revoke(self, client: httpx.Client) -> None:
        """End the SSO session; never raises (it runs in teardown)."""
        with self._lock:
            token, self._token = self._token, None
        if token is None:
            return
        with contextlib.suppress(httpx.HTTPError):
            client.post(self._logout_url, data={"scope": "ovirt-app-api", "token": token}, headers={"Accept": "application/json"}, auth=httpx.Auth())


def _token_from(response: httpx.Response) -> str:
    try:
        data = json.loads(response.content)
    except ValueError:
        raise SsoError(f"the SSO service answered {response.status_code} without JSON") from None
    if isinstance(data, list) and data:
        data = data[0]
    if not isinstance(data, dict):
        raise SsoError(f"the SSO service answered {response.status_code} with an unexpected document")
    token = data.get("access_token")
    if isinstance(token, str) and token:
        return token
    error = data.get("error_description") or data.get("error") or f"status {response.status_code}"
    raise SsoError(f"the SSO service refused the credentials: {error}")
