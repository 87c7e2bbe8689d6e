"""Requests the conformance tests share: raw answers, so the checks see what the engine sent."""

from __future__ import annotations

import httpx
from lxml import etree

from conformance import checks
from conformance.client.engine import VmRef
from conformance.client.http import url_for

__all__ = ["JSON", "XML", "get", "get_without_accept", "list_snapshots", "snapshots_href"]

XML = "application/xml"
JSON = "application/json"


def snapshots_href(vm: VmRef) -> str:
    return f"{vm.href}/snapshots"


def get(client: httpx.Client, href: str, *, accept: str = XML, all_content: str | None = None) -> httpx.Response:
    headers = {"Accept": accept}
    if all_content is not None:
        headers["All-Content"] = all_content
    return client.get(url_for(client, href), headers=headers)


def get_without_accept(client: httpx.Client, href: str) -> httpx.Response:
    """A GET that carries no ``Accept`` header at all (httpx adds ``*/*`` by default)."""
    request = client.build_request("GET", url_for(client, href))
    del request.headers["Accept"]
    return client.send(request)


def list_snapshots(client: httpx.Client, vm: VmRef, *, all_content: str | None = None) -> list[etree._Element]:
    """The VM's snapshots in XML; an unusable collection fails SNAP-REPR-01."""
    root = checks.check_collection_answer(get(client, snapshots_href(vm), all_content=all_content))
    return root.findall("snapshot")
