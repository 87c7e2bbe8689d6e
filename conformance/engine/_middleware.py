"""What happens to every request before a resource sees it, in this order:

latency, path normalisation (a trailing slash is ignored, as example 15.41 posts to
``.../snapshots/``), the SSO's own paths (``_sso``), paths outside the API (404),
authentication (401: Basic, or an SSO token as ``Bearer``), the dialect (``_dialect``:
400 for a version not served; a ``/v3``/``/v4`` prefix is taken off the path the routes
see), oversized bodies (413), content negotiation (406); and a last safety net that turns
an unexpected error into a 400 fault instead of a 5xx. A v4 answer gets the headers real
4.x engines send: ``application/xml;charset=UTF-8`` and a ``correlation-id``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conformance.engine import _sso
from conformance.engine._auth import error_page, is_authorized, unauthorized
from conformance.engine._context import EngineContext
from conformance.engine._dialect import unsupported_version, unsupported_version_page
from conformance.engine._faults import bad_request, too_large
from conformance.engine._http import FORMAT_SCOPE_KEY, REPRESENTER_SCOPE_KEY, fault_response
from conformance.engine._negotiation import negotiate
from conformance.engine._repr import API_PATH

__all__ = ["EngineMiddleware"]

_log = logging.getLogger("conformance.engine")
# An oversized body is read and discarded up to this much before the 413 is sent, so
# that the client sees the answer rather than a reset connection.
_DRAIN_FACTOR = 8
_DRAIN_MINIMUM = 16 * 1024 * 1024


class EngineMiddleware:
    def __init__(self, app: ASGIApp, engine: EngineContext) -> None:
        self.app = app
        self.engine = engine
        self.error_page = error_page()
        self.version_page = unsupported_version_page()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.engine.settings
        if settings.latency_seconds > 0:
            await asyncio.sleep(settings.latency_seconds)

        path = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            scope = dict(scope, path=path.rstrip("/") or "/")
            path = scope["path"]
        if path in _sso.PATHS:
            await self.engine.sso(scope, receive, send)
            return
        if path != API_PATH and not path.startswith(API_PATH + "/"):
            await Response(status_code=404)(scope, receive, send)
            return

        headers = Headers(scope=scope)
        authorization = headers.get("authorization")
        if not (is_authorized(authorization, settings) or self.engine.sso.accepts(authorization)):
            await unauthorized(self.error_page)(scope, receive, send)
            return

        selection = self.engine.dialects.select(path, headers.get("version"))
        if selection is None:
            await unsupported_version(self.version_page)(scope, receive, send)
            return
        scope = dict(scope, path=selection.path)
        scope[REPRESENTER_SCOPE_KEY] = representer = selection.representer

        fmt = negotiate(headers.get("accept"))
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > settings.max_body_bytes:
            closes = await _drain(receive, max(_DRAIN_MINIMUM, _DRAIN_FACTOR * settings.max_body_bytes))
            response = fault_response(too_large(settings.max_body_bytes), representer, fmt or "xml")
            if closes:
                response.headers["Connection"] = "close"
            await response(scope, receive, send)
            return
        if fmt is None:
            await Response(status_code=406)(scope, receive, send)
            return
        scope[FORMAT_SCOPE_KEY] = fmt

        started = False
        v4 = representer.dialect.version == "4"

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if v4:
                    message = dict(message, headers=_v4_headers(message.get("headers", [])))
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            _log.exception("unexpected error answering %s %s", scope.get("method"), path)
            if not started:
                fault = bad_request("The engine could not process this request")
                await fault_response(fault, representer, fmt)(scope, receive, send)


def _v4_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers of a v4 answer as 4.2 to 4.4 engines send them (recorded): XML as
    ``application/xml;charset=UTF-8``, and a ``correlation-id`` on every answer."""
    out = [(name, b"application/xml;charset=UTF-8" if name.lower() == b"content-type" and value == b"application/xml" else value) for name, value in headers]
    if not any(name.lower() == b"correlation-id" for name, _ in out):
        out.append((b"correlation-id", str(uuid.uuid4()).encode()))
    return out


async def _drain(receive: Receive, cap: int) -> bool:
    """Read and drop the request body, at most ``cap`` bytes; True when more remained."""
    drained = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return True
        drained += len(message.get("body", b""))
        if not message.get("more_body", False):
            return False
        if drained > cap:
            return True
