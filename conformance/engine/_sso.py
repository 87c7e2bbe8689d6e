"""The engine's SSO service, as far as API clients use it: tokens for ``Authorization: Bearer``.

``POST /ovirt-engine/sso/oauth/token`` with the form (or query) ``grant_type=password``,
``scope=ovirt-app-api``, ``username``, ``password`` and ``Accept: application/json``
answers 200 ``{"access_token", "scope", "exp", "token_type": "bearer"}`` (enginesso
``OAuthTokenServlet.buildResponse``; ``scope`` with its dependencies, ``exp`` in epoch
milliseconds as a string). Every refusal is 400 JSON shaped by ``SsoService
.sendJsonDataWithMessage``: for the REST API scope ``{"error_code": code, "error":
message}``, for any other ``{"error": code, "error_description": message}``; bad
credentials are ``access_denied`` with the engine's wording (``AppMessages.properties``)::

    Cannot authenticate user 'admin@internal': Unable to log in. Verify your login
    information or contact the system administrator..

``/ovirt-engine/services/sso-logout`` (``token``, ``scope``) revokes the token and answers
200 ``{}`` whatever the token was: the services ``SsoLogoutServlet`` relays the SSO's
revoke answer, which is an empty object for unknown tokens too.

A token works on every API path, in both dialects, until it is revoked or left unused for
``EngineSettings.token_idle_seconds`` (the engine's session timeout); using it restarts
that wait. Tokens live in memory and die with the engine.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from conformance.engine._clock import Clock
from conformance.engine._settings import EngineSettings

__all__ = ["LOGOUT_PATH", "PATHS", "TOKEN_PATH", "Sso"]

TOKEN_PATH = "/ovirt-engine/sso/oauth/token"  # noqa: S105 - a path, not a secret
LOGOUT_PATH = "/ovirt-engine/services/sso-logout"
#: the paths the SSO answers, outside the API and without API authentication
PATHS = frozenset({TOKEN_PATH, LOGOUT_PATH})

API_SCOPE = "ovirt-app-api"
# What a requested scope brings with it (packaging/dbscripts/data/02800_insert_sso_scope_dependency.sql).
_REVOKE_ALL = "ovirt-ext=revoke:revoke-all"
_API_DEPENDENCIES = (
    "ovirt-ext=token-info:authz-search",
    "ovirt-ext=token-info:public-authz-search",
    "ovirt-ext=token-info:validate",
    "ovirt-ext=token:password-access",
)
_SCOPE_DEPENDENCIES: Mapping[str, tuple[str, ...]] = {
    API_SCOPE: _API_DEPENDENCIES,
    "ovirt-app-admin": (API_SCOPE, *_API_DEPENDENCIES, _REVOKE_ALL),
    "ovirt-app-portal": (API_SCOPE, *_API_DEPENDENCIES, _REVOKE_ALL),
}

# SsoConstants and AppMessages.properties (ovirt-engine master), word for word.
_UNSUPPORTED_GRANT_TYPE = "The authorization grant type is not supported by the authorization server."
_MISSING_PARAMETER = "Missing parameter: '{}'"
_CANNOT_AUTHENTICATE = "Cannot authenticate user '{}@{}': {}."
_NO_USER_NAME = "No user name found in credentials."
_NO_VALID_PROFILE = "No valid profile found in credentials."
_FAILED_TO_AUTHENTICATE = "Unable to log in. Verify your login information or contact the system administrator."

_FORM = "application/x-www-form-urlencoded"
# Live tokens are bounded: past this many, the least recently used ones are forgotten.
_MAX_TOKENS = 10_000


class _OAuthError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class _Session:
    scope: frozenset[str]
    last_used: float  # monotonic


class Sso:
    """The tokens of one engine, and the ASGI endpoint of :data:`PATHS`."""

    def __init__(self, settings: EngineSettings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        user, _, profile = settings.username.rpartition("@")
        # A configured name without "@" has no profile: then only names without one match.
        self._user, self._profile = (user, profile or None) if user else (settings.username, None)

    # --- tokens ---------------------------------------------------------------------

    def accepts(self, authorization: str | None) -> bool:
        """Whether ``authorization`` is ``Bearer`` with a live token of the API scope; a
        use restarts the token's idle time."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False
        with self._lock:
            self._expire()
            session = self._sessions.get(token)
            if session is None or API_SCOPE not in session.scope:
                return False
            session.last_used = self._clock.monotonic()
            self._sessions.move_to_end(token)
            return True

    def _issue(self, scope: frozenset[str]) -> str:
        token = secrets.token_urlsafe(64)
        with self._lock:
            self._expire()
            self._sessions[token] = _Session(scope, self._clock.monotonic())
            while len(self._sessions) > _MAX_TOKENS:
                self._sessions.popitem(last=False)
        return token

    def _revoke(self, token: str) -> None:
        with self._lock:
            self._sessions.pop(token, None)

    def _expire(self) -> None:
        """Forget the tokens idle for too long (oldest use first; call with the lock held)."""
        deadline = self._clock.monotonic() - self._settings.token_idle_seconds
        while self._sessions:
            token, session = next(iter(self._sessions.items()))
            if session.last_used > deadline:
                return
            del self._sessions[token]

    # --- HTTP -----------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            params = await self._parameters(request)
        except _OAuthError as error:
            response = _error(error, rest_api=True)
        else:
            if scope["path"] == TOKEN_PATH:
                response = self._token(request, params)
            else:
                # The SDK's close(): revoke whatever token came, always 200 with a JSON object.
                self._revoke(params.get("token", ""))
                response = _json({})
        await response(scope, receive, send)

    def _token(self, request: Request, params: Mapping[str, str]) -> Response:
        scope = _resolve_scope(params.get("scope", ""))
        rest_api = API_SCOPE in scope and not scope & {"ovirt-app-admin", "ovirt-app-portal"}
        try:
            # A missing grant_type reads as the literal "grant_type", hence unsupported.
            if params.get("grant_type", "grant_type") != "password":
                raise _OAuthError("unsupported_grant_type", _UNSUPPORTED_GRANT_TYPE)
            name = _required(params, "username")
            password = _required(params, "password")
            self._authenticate(name, password)
            if request.headers.get("accept") != "application/json":
                raise _OAuthError("invalid_request", _MISSING_PARAMETER.format("Accept Header"))
        except _OAuthError as error:
            return _error(error, rest_api=rest_api)
        token = self._issue(scope)
        expires = self._clock.now().timestamp() + self._settings.token_idle_seconds
        return _json({"access_token": token, "scope": " ".join(sorted(scope)), "exp": str(round(expires * 1000)), "token_type": "bearer"})

    def _authenticate(self, name: str, password: str) -> None:
        """Check a user as the SSO does (SsoService.translateUser, areCredentialsValid)."""
        user, at, profile = name.rpartition("@")
        if not at:
            user, profile = name, ""
        shown_profile = profile or "N/A"
        if not user:
            raise _OAuthError("access_denied", _CANNOT_AUTHENTICATE.format(user, shown_profile, _NO_USER_NAME))
        if (profile or None) != self._profile:
            raise _OAuthError("access_denied", _CANNOT_AUTHENTICATE.format(user, shown_profile, _NO_VALID_PROFILE))
        # Both compared in constant time, and always both.
        user_ok = hmac.compare_digest(user.encode("utf-8"), self._user.encode("utf-8"))
        password_ok = hmac.compare_digest(password.encode("utf-8"), self._settings.password.encode("utf-8"))
        if not (user_ok and password_ok):
            raise _OAuthError("access_denied", _CANNOT_AUTHENTICATE.format(user, shown_profile, _FAILED_TO_AUTHENTICATE))

    async def _parameters(self, request: Request) -> dict[str, str]:
        """The request's parameters as a servlet sees them: the query, then a form body;
        the first value of a name wins."""
        params: dict[str, str] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, value)
        media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
        if media == _FORM:
            body = await self._body(request)
            for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                params.setdefault(key, value)
        return params

    async def _body(self, request: Request) -> bytes:
        limit = self._settings.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _OAuthError("invalid_request", f"The request body exceeds the limit of {limit} bytes")
                chunks.append(chunk)
        except ClientDisconnect:
            raise _OAuthError("invalid_request", "The request body is incomplete") from None
        return b"".join(chunks)


def _resolve_scope(text: str) -> frozenset[str]:
    """The requested scopes with their dependencies (SsoService.resolveScopeWithDependencies)."""
    scopes: set[str] = set()
    for name in text.split():
        scopes.add(name)
        scopes.update(_SCOPE_DEPENDENCIES.get(name, ()))
    return frozenset(scopes)


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if value is None:
        raise _OAuthError("invalid_request", _MISSING_PARAMETER.format(name))
    return value


def _error(error: _OAuthError, *, rest_api: bool) -> Response:
    body = {"error_code": error.code, "error": error.message} if rest_api else {"error": error.code, "error_description": error.message}
    return _json(body, status=400)


def _json(body: Mapping[str, str], status: int = 200) -> Response:
    return Response(json.dumps(body).encode("utf-8"), status_code=status, media_type="application/json")
