"""The HTTP plumbing of every resource: method dispatch, faults, HEAD/OPTIONS, rendering.

A :class:`Resource` is the ASGI endpoint of one path; it maps methods to handlers and
answers everything else itself: 405 with ``Allow`` (empty body), OPTIONS, HEAD (the GET
answer without its body). Whatever a handler raises becomes a 4xx answer; an unexpected
exception is logged and answered 400, because a reference engine must never answer 5xx.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

from lxml import etree
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from conformance.engine._body import parse_body, read_body
from conformance.engine._context import EngineContext
from conformance.engine._errors import NotFoundError, StoreError
from conformance.engine._faults import EngineFault, bad_request, from_store_error, method_not_allowed, not_found
from conformance.engine._ids import normalize_guid
from conformance.engine._injector import reshape
from conformance.engine._nodes import Node
from conformance.engine._repr import Representer
from conformance.engine._serialize import MEDIA_TYPES, Format

__all__ = ["FORMAT_SCOPE_KEY", "REPRESENTER_SCOPE_KEY", "Call", "Handler", "Resource", "fault_response", "representer_of"]

#: where the middleware leaves the negotiated format for the resources
FORMAT_SCOPE_KEY = "conformance.engine.format"
#: where the middleware leaves the representer of the request's dialect (and version prefix)
REPRESENTER_SCOPE_KEY = "conformance.engine.representer"
_log = logging.getLogger("conformance.engine")


@dataclass(frozen=True)
class Call:
    """One request as a handler sees it."""

    request: Request
    engine: EngineContext
    fmt: Format

    def guid(self, param: str, kind: str) -> str:
        """A path parameter that must be a GUID; anything else is a 404, as in the engine.

        A matrix parameter (``{id};async``, v3) is ignored.
        """
        raw = str(self.request.path_params[param]).split(";", 1)[0]
        value = normalize_guid(raw)
        if value is None:
            raise not_found(f"{kind} {raw}")
        return value

    def header_is_true(self, name: str) -> bool:
        return (self.request.headers.get(name) or "").strip().lower() == "true"

    def all_content(self) -> bool:
        """Whether a read asks for All-Content, by the rules of the request's dialect."""
        return self.engine.representer.all_content(self.request.headers, self.request.query_params)

    def expects_201(self) -> bool:
        """``Expect: 201-created`` (or ``X-Ovirt-Expect``): wait for creation, answer 201."""
        values = self.request.headers.getlist("expect") + self.request.headers.getlist("x-ovirt-expect")
        return any(part.strip().lower() == "201-created" for value in values for part in value.split(","))

    async def body(self, root: str) -> etree._Element | None:
        """The request body as a ``root`` element (None when empty)."""
        limit = self.engine.settings.max_body_bytes
        raw = await read_body(self.request, limit)
        return parse_body(raw, self.request.headers.get("content-type"), root=root, max_bytes=limit)

    def respond(self, node: Node, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        node = reshape(node, self, status)  # the calibration faults and variants, when any are on
        body = self.engine.representer.render(node, self.fmt)
        return Response(body, status_code=status, media_type=MEDIA_TYPES[self.fmt], headers=dict(headers or {}))

    def fault(self, fault: EngineFault) -> Response:
        return fault_response(fault, self.engine.representer, self.fmt)

    def complete(self) -> Response:
        """200 with ``<action>`` whose status is complete."""
        return self.respond(self.engine.representer.action())


Handler = Callable[[Call], Awaitable[Response]]


class Resource:
    """The ASGI endpoint of one path.

    ``actions`` names the methods whose handlers perform an engine action: a refusal of
    the store there is answered as a failed ``action`` carrying the fault.
    """

    def __init__(self, handlers: Mapping[str, Handler], *, actions: frozenset[str] = frozenset()) -> None:
        self.handlers = {method.upper(): handler for method, handler in handlers.items()}
        self.actions = actions
        methods = set(self.handlers) | {"OPTIONS"}
        if "GET" in methods:
            methods.add("HEAD")
        self.allow = ", ".join(sorted(methods))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        engine: EngineContext = request.app.state.engine
        # The handlers see the engine with the representer of this request's dialect.
        engine = replace(engine, representer=representer_of(scope, engine))
        fmt: Format = scope.get(FORMAT_SCOPE_KEY, "xml")
        response = await self.dispatch(Call(request, engine, fmt))
        await response(scope, receive, send)

    async def dispatch(self, call: Call) -> Response:
        method = call.request.method.upper()
        if method == "OPTIONS":
            return Response(status_code=200, headers={"Allow": self.allow})
        handler = self.handlers.get("GET" if method == "HEAD" else method)
        if handler is None:
            return call.fault(method_not_allowed(self.allow))
        try:
            response = await handler(call)
        except EngineFault as fault:
            response = call.fault(fault)
        except NotFoundError as error:
            response = call.fault(from_store_error(error))
        except StoreError as error:
            response = call.fault(from_store_error(error, as_action=method in self.actions))
        except Exception:
            _log.exception("unexpected error answering %s %s", method, call.request.url.path)
            response = call.fault(bad_request("The engine could not process this request"))
        if method == "HEAD":
            head = Response(status_code=response.status_code)
            head.raw_headers = list(response.raw_headers)
            return head
        return response


def representer_of(scope: Scope, engine: EngineContext) -> Representer:
    """The representer the middleware chose for this request (the default dialect's before it chose)."""
    chosen = scope.get(REPRESENTER_SCOPE_KEY)
    return chosen if isinstance(chosen, Representer) else engine.representer


def fault_response(fault: EngineFault, representer: Representer, fmt: Format) -> Response:
    """The answer to ``fault`` in format ``fmt`` (an empty body when it has no reason)."""
    if fault.reason is None:
        return Response(status_code=fault.status, headers=fault.headers)
    node = representer.failed_action(fault.reason, fault.detail) if fault.as_action else representer.fault(fault.reason, fault.detail)
    return Response(representer.render(node, fmt), status_code=fault.status, media_type=MEDIA_TYPES[fmt], headers=fault.headers)
