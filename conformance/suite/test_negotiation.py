"""SNAP-NEG: content negotiation with ``Accept`` (seed 15.6.5.1, All-Content)."""

from __future__ import annotations

import httpx
import pytest

from conformance import checks
from conformance.client.engine import VmRef
from conformance.suite._support import get, get_without_accept, snapshots_href

requirement = pytest.mark.requirement


@requirement("SNAP-NEG-01")
@pytest.mark.parametrize("resource", ["collection", "snapshot"])
def test_xml_without_accept(client: httpx.Client, any_vm: VmRef, resource: str) -> None:
    """An engine MUST answer in application/xml when the request has no Accept header."""
    href = snapshots_href(any_vm)
    if resource == "snapshot":
        first = checks.check_collection_answer(get(client, href)).find("snapshot")
        if first is None:
            pytest.skip(f"the VM {any_vm.name!r} has no snapshot")
        href = first.get("href", "")
    checks.check_default_xml(get_without_accept(client, href))


@requirement("SNAP-NEG-02")
def test_unsupported_accept_is_406(client: httpx.Client, any_vm: VmRef) -> None:
    """An engine SHOULD answer 406 to an Accept header naming only a type it cannot produce."""
    checks.check_not_acceptable(get(client, snapshots_href(any_vm), accept="text/csv"))
