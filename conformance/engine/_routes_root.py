"""The API root and the read-only clusters and templates the VMs refer to."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from conformance.engine._http import Call, Resource
from conformance.engine._repr import API_PATH
from conformance.engine._routes_common import limit
from conformance.engine._search import matches, parse_search

__all__ = ["routes"]


async def _api(call: Call) -> Response:
    store = call.engine.store
    return call.respond(call.engine.representer.api(store.vms(), store.now()))


async def _clusters(call: Call) -> Response:
    clusters = call.engine.store.clusters()
    search = call.request.query_params.get("search")
    if search:
        criteria = parse_search(search, entity="Clusters", fields={"name"})
        clusters = [c for c in clusters if matches(criteria, {"name": c.name})]
    return call.respond(call.engine.representer.clusters(limit(call, clusters)))


async def _cluster(call: Call) -> Response:
    cluster = call.engine.store.cluster(call.guid("cluster_id", "Cluster"))
    return call.respond(call.engine.representer.cluster(cluster))


async def _templates(call: Call) -> Response:
    templates = call.engine.store.templates()
    search = call.request.query_params.get("search")
    if search:
        criteria = parse_search(search, entity="Templates", fields={"name"})
        templates = [t for t in templates if matches(criteria, {"name": t.name})]
    return call.respond(call.engine.representer.templates(limit(call, templates)))


async def _template(call: Call) -> Response:
    template = call.engine.store.template(call.guid("template_id", "Template"))
    return call.respond(call.engine.representer.template(template))


def routes() -> list[BaseRoute]:
    return [
        Route(API_PATH, Resource({"GET": _api})),
        Route(f"{API_PATH}/clusters", Resource({"GET": _clusters})),
        Route(f"{API_PATH}/clusters/{{cluster_id}}", Resource({"GET": _cluster})),
        Route(f"{API_PATH}/templates", Resource({"GET": _templates})),
        Route(f"{API_PATH}/templates/{{template_id}}", Resource({"GET": _template})),
    ]
