"""A VM's snapshots: list, get, create, delete, restore, creation status, device views."""

from __future__ import annotations

import asyncio

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from conformance.engine._body import boolean, guid, text_of
from conformance.engine._faults import incomplete
from conformance.engine._http import Call, Handler, Resource
from conformance.engine._repr import API_PATH, DEVICE_KINDS
from conformance.engine._routes_common import absolute_url, devices_of, find_device, limit, restore_options

__all__ = ["routes"]


async def _list(call: Call) -> Response:
    vm_id = call.guid("vm_id", "VM")
    snapshots = call.engine.store.snapshots(vm_id)
    node = call.engine.representer.snapshots(limit(call, snapshots), all_content=call.all_content())
    return call.respond(node)


async def _get(call: Call) -> Response:
    snapshot = call.engine.store.snapshot(call.guid("vm_id", "VM"), call.guid("snapshot_id", "Snapshot"))
    return call.respond(call.engine.representer.snapshot(snapshot, all_content=call.all_content()))


async def _create(call: Call) -> Response:
    vm_id = call.guid("vm_id", "VM")
    store = call.engine.store
    store.vm(vm_id)  # an unknown VM is a 404 whatever the body says
    element = await call.body("snapshot")
    description = None if element is None else text_of(element, "description")
    if element is None or description is None or not description.strip():
        raise incomplete("Snapshot", "description", "add")
    raw_flag = text_of(element, "persist_memorystate")
    # The default differs by dialect (v3 false, v4 true); a down VM saves no memory either way.
    persist = call.engine.representer.default_persist_memorystate if raw_flag is None else boolean("persist_memorystate", raw_flag)
    for disk in element.iterfind("disks/disk"):  # partial snapshots: ids must be well-formed
        raw_id = text_of(disk, "id")
        if raw_id is not None:
            guid("disks.disk.id", raw_id)

    snapshot, creation = store.create_snapshot(vm_id, description=description, persist_memorystate=persist)
    representer = call.engine.representer
    href = representer.snapshot_href(vm_id, snapshot.id)
    if creation is not None and not call.expects_201():
        # Asynchronous: 202 with the locked snapshot and how to follow its creation.
        return call.respond(representer.snapshot(snapshot, all_content=True, creation=creation), 202)
    while (delay := store.unlock_delay(vm_id, snapshot.id)) > 0:
        await asyncio.sleep(min(delay, 1.0) + 0.001)  # a hair past the deadline (or a second), then look again
    done = store.snapshot(vm_id, snapshot.id)
    return call.respond(representer.snapshot(done, all_content=True), 201, {"Location": absolute_url(call, href)})


async def _remove(call: Call) -> Response:
    call.engine.store.remove_snapshot(call.guid("vm_id", "VM"), call.guid("snapshot_id", "Snapshot"))
    return call.complete()


async def _restore(call: Call) -> Response:
    vm_id = call.guid("vm_id", "VM")
    snapshot_id = call.guid("snapshot_id", "Snapshot")
    store = call.engine.store
    snapshot = store.snapshot(vm_id, snapshot_id)  # 404 for an unknown VM or snapshot
    element = await call.body("action")
    restore_options(element, snapshot.config, action="revert to")
    store.begin_restore(vm_id, snapshot_id)
    try:
        # The engine forces a restore to be synchronous: preview, then commit.
        await asyncio.sleep(call.engine.settings.restore_seconds)
    finally:  # also when the client goes away: the VM must not stay busy
        store.finish_restore(vm_id, snapshot_id)
    return call.complete()


async def _creation(call: Call) -> Response:
    creation = call.engine.store.creation(
        call.guid("vm_id", "VM"),
        call.guid("snapshot_id", "Snapshot"),
        call.guid("creation_id", "Creation"),
    )
    return call.respond(call.engine.representer.creation(creation))


def _device_list(kind: str) -> Handler:
    async def handler(call: Call) -> Response:
        snapshot = call.engine.store.snapshot(call.guid("vm_id", "VM"), call.guid("snapshot_id", "Snapshot"))
        devices = limit(call, devices_of(snapshot.config, kind))
        return call.respond(call.engine.representer.devices(kind, devices, snapshot.vm_id, snapshot.id))

    return handler


def _device(kind: str) -> Handler:
    async def handler(call: Call) -> Response:
        snapshot = call.engine.store.snapshot(call.guid("vm_id", "VM"), call.guid("snapshot_id", "Snapshot"))
        device = find_device(snapshot.config, kind, call.guid("device_id", DEVICE_KINDS[kind]))
        return call.respond(call.engine.representer.device(device, snapshot.vm_id, snapshot.id))

    return handler


def routes() -> list[BaseRoute]:
    collection = f"{API_PATH}/vms/{{vm_id}}/snapshots"
    snapshot = f"{collection}/{{snapshot_id}}"
    device_routes: list[BaseRoute] = []
    for kind in DEVICE_KINDS:
        device_routes.append(Route(f"{snapshot}/{kind}", Resource({"GET": _device_list(kind)})))
        device_routes.append(Route(f"{snapshot}/{kind}/{{device_id}}", Resource({"GET": _device(kind)})))
    return [
        Route(collection, Resource({"GET": _list, "POST": _create})),
        Route(snapshot, Resource({"GET": _get, "DELETE": _remove})),
        Route(f"{snapshot}/restore", Resource({"POST": _restore}, actions=frozenset({"POST"}))),
        Route(f"{snapshot}/creation_status/{{creation_id}}", Resource({"GET": _creation})),
        *device_routes,
    ]
