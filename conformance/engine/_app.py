"""The Starlette application of one reference engine."""

from __future__ import annotations

from dataclasses import replace

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from conformance import __version__
from conformance.engine import _routes_root, _routes_snapshots, _routes_vms
from conformance.engine._clock import Clock, SystemClock
from conformance.engine._context import EngineContext
from conformance.engine._dialect import Dialects
from conformance.engine._faults import not_found
from conformance.engine._http import FORMAT_SCOPE_KEY, fault_response, representer_of
from conformance.engine._injection import variant_settings
from conformance.engine._injector import InjectionMiddleware, Injector, deviations
from conformance.engine._middleware import EngineMiddleware
from conformance.engine._repr import API_PATH, ProductInfo
from conformance.engine._seed import load_state
from conformance.engine._settings import EngineSettings
from conformance.engine._sso import Sso
from conformance.engine._store import Store, Timings

__all__ = ["PRODUCT", "PRODUCT_V4", "create_app"]

#: how the engine introduces itself in ``GET /``: honestly, as what it is
PRODUCT = ProductInfo(
    name="snapshot-conformance reference engine",
    vendor="snapshot-conformance",
    major=3,
    minor=6,
    build=0,
    revision=0,
    full_version=f"3.6.0-reference (snapshot-conformance {__version__})",
)
#: in v4 it presents itself as a 4.x engine that still serves v3, as 4.0 to 4.2 did
PRODUCT_V4 = ProductInfo(
    name=PRODUCT.name,
    vendor=PRODUCT.vendor,
    major=4,
    minor=2,
    build=0,
    revision=0,
    full_version=f"4.2.0-reference (snapshot-conformance {__version__})",
)


def create_app(settings: EngineSettings, *, clock: Clock | None = None) -> Starlette:
    """A reference engine (v3 and v4 dialects) with the state of ``settings.state_file``.

    Raises ``ValueError`` without a password and :class:`StateFileError` for a bad state file.
    """
    settings.require_password()
    settings = replace(settings, **variant_settings(settings.variants))  # e.g. slow-timings
    clock = clock or SystemClock()
    seed = load_state(settings.state_file, clock=clock)
    timings = Timings(settings.snapshot_lock_seconds, settings.vm_transition_seconds)
    store = Store(seed, timings=timings, clock=clock, deviations=deviations(settings.faults))
    dialects = Dialects(settings.default_api_version, {"3": PRODUCT, "4": PRODUCT_V4})
    engine = EngineContext(settings=settings, store=store, representer=dialects.default, dialects=dialects, sso=Sso(settings, clock))
    routes: list[BaseRoute] = [
        *_routes_root.routes(),
        *_routes_vms.routes(),
        *_routes_snapshots.routes(),
        Route(API_PATH + "/{rest:path}", _UnknownPath(engine)),
    ]
    middleware = [Middleware(EngineMiddleware, engine=engine)]
    if settings.faults or settings.variants:  # calibration (_injection): outside everything else
        middleware.insert(0, Middleware(InjectionMiddleware, injector=Injector(engine, settings.faults, settings.variants)))
    app = Starlette(routes=routes, middleware=middleware)
    app.state.engine = engine
    return app


class _UnknownPath:
    """Any other path under the API: 404 with a fault, whatever the method."""

    def __init__(self, engine: EngineContext) -> None:
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fault = not_found(f"no resource at {scope['path']}")
        response: Response = fault_response(fault, representer_of(scope, self.engine), scope.get(FORMAT_SCOPE_KEY, "xml"))
        await response(scope, receive, send)
