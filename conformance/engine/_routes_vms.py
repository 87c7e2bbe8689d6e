"""VMs: the collection, one VM, its actions and its device sub-collections."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from lxml import etree
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from conformance.engine._body import child, guid, long, text_of
from conformance.engine._errors import NotFoundError, RefusedError
from conformance.engine._faults import bad_request, from_store_error, incomplete, malformed_body
from conformance.engine._http import Call, Handler, Resource
from conformance.engine._repr import API_PATH, DEVICE_KINDS
from conformance.engine._routes_common import absolute_url, devices_of, find_device, limit, restore_options
from conformance.engine._search import matches, parse_search

__all__ = ["routes"]

_NAME_MAX = 64
_MEMORY_MAX = 4 * 1024**4  # 4 TiB
_CPU_MAX = 64
_T = TypeVar("_T")


# --- the collection and one VM ---------------------------------------------------------


async def _list(call: Call) -> Response:
    vms = call.engine.store.vms()
    search = call.request.query_params.get("search")
    if search:
        criteria = parse_search(search, entity="Vms", fields={"name", "status", "description"})
        vms = [vm for vm in vms if matches(criteria, {"name": vm.config.name, "status": vm.status, "description": vm.config.description})]
    return call.respond(call.engine.representer.vms(limit(call, vms)))


async def _get(call: Call) -> Response:
    vm = call.engine.store.vm(call.guid("vm_id", "VM"))
    return call.respond(call.engine.representer.vm(vm))


async def _add(call: Call) -> Response:
    element = await call.body("vm")
    if element is None:
        raise incomplete("VM", "name, cluster.id|name, template.id|name", "add")
    name = text_of(element, "name")
    if name is None or not name.strip():
        raise incomplete("VM", "name", "add")
    store = call.engine.store
    cluster = _reference(element, "cluster", "Cluster", by_id=store.cluster, by_name=store.find_cluster)
    template = _reference(element, "template", "VmTemplate", by_id=store.template, by_name=store.find_template)
    fields = _Fields.read(element)
    vm = store.add_vm(
        name=_vm_name(name, "add"),
        description=fields.description or "",
        cluster=cluster,
        template=template,
        memory=fields.memory,
        sockets=fields.sockets,
        cores=fields.cores,
    )
    representer = call.engine.representer
    return call.respond(representer.vm(vm), 201, {"Location": absolute_url(call, representer.vm_href(vm.id))})


async def _update(call: Call) -> Response:
    vm_id = call.guid("vm_id", "VM")
    store = call.engine.store
    store.vm(vm_id)  # 404 before any complaint about the body
    element = await call.body("vm")
    if element is None:
        raise malformed_body("an update needs a <vm> document")
    name = text_of(element, "name")
    fields = _Fields.read(element)
    vm = store.update_vm(
        vm_id,
        name=None if name is None else _vm_name(name, "edit"),
        description=fields.description,
        memory=fields.memory,
        sockets=fields.sockets,
        cores=fields.cores,
    )
    return call.respond(call.engine.representer.vm(vm))


async def _remove(call: Call) -> Response:
    call.engine.store.remove_vm(call.guid("vm_id", "VM"))
    return call.complete()


@dataclass(frozen=True)
class _Fields:
    """The configuration fields a create or an update may carry."""

    description: str | None
    memory: int | None
    sockets: int | None
    cores: int | None

    @classmethod
    def read(cls, element: etree._Element) -> _Fields:
        memory = text_of(element, "memory")
        cpu = child(element, "cpu")
        topology = None if cpu is None else child(cpu, "topology")
        sockets = None if topology is None else text_of(topology, "sockets")
        cores = None if topology is None else text_of(topology, "cores")
        return cls(
            description=text_of(element, "description"),
            memory=None if memory is None else long("memory", memory, minimum=1, maximum=_MEMORY_MAX),
            sockets=None if sockets is None else long("cpu.topology.sockets", sockets, minimum=1, maximum=_CPU_MAX),
            cores=None if cores is None else long("cpu.topology.cores", cores, minimum=1, maximum=_CPU_MAX),
        )


def _vm_name(name: str, action: str) -> str:
    if len(name) > _NAME_MAX:
        raise bad_request(f"[Cannot {action} VM. The given name is too long (at most {_NAME_MAX} characters).]")
    if not all(c.isascii() and (c.isalnum() or c in "_.-") for c in name):
        raise bad_request(
            f"[Cannot {action} VM. The given name contains special characters. Only lower-case and upper-case letters, numbers, '_', '-', '.' are allowed.]"
        )
    return name


def _reference(element: etree._Element, name: str, entity: str, *, by_id: Callable[[str], _T], by_name: Callable[[str], _T | None]) -> _T:
    """A cluster or template given by id or by name; 400 when missing or unknown."""
    reference = child(element, name)
    raw_id = None if reference is None else text_of(reference, "id")
    raw_name = None if reference is None else text_of(reference, "name")
    if raw_id:
        entity_id = guid(f"{name}.id", raw_id)
        try:
            return by_id(entity_id)
        except NotFoundError:
            raise bad_request(f"Entity not found: {entity}: id={entity_id}") from None
    if raw_name:
        found = by_name(raw_name)
        if found is None:
            raise bad_request(f"Entity not found: {entity}: name={raw_name[:80]}")
        return found
    raise incomplete("VM", f"{name}.id|name", "add")


# --- actions ----------------------------------------------------------------------------


async def _action_body(call: Call) -> etree._Element | None:
    """The optional ``<action/>`` of a VM action (an empty body is taken as one)."""
    vm_id = call.guid("vm_id", "VM")
    call.engine.store.vm(vm_id)  # 404 first
    return await call.body("action")


async def _start(call: Call) -> Response:
    await _action_body(call)
    call.engine.store.start_vm(call.guid("vm_id", "VM"))
    return call.complete()


async def _stop(call: Call) -> Response:
    await _action_body(call)
    call.engine.store.stop_vm(call.guid("vm_id", "VM"))
    return call.complete()


async def _shutdown(call: Call) -> Response:
    await _action_body(call)
    call.engine.store.stop_vm(call.guid("vm_id", "VM"), graceful=True)
    return call.complete()


async def _freeze(call: Call) -> Response:
    await _action_body(call)
    call.engine.store.quiesce(call.guid("vm_id", "VM"), freeze=True)
    return call.complete()


async def _thaw(call: Call) -> Response:
    await _action_body(call)
    call.engine.store.quiesce(call.guid("vm_id", "VM"), freeze=False)
    return call.complete()


async def _preview(call: Call) -> Response:
    element = await _action_body(call)
    vm_id = call.guid("vm_id", "VM")
    target = None if element is None else child(element, "snapshot")
    raw_id = None if target is None else text_of(target, "id")
    if not raw_id:
        raise incomplete("Action", "snapshot.id", "previewSnapshot")
    snapshot_id = guid("snapshot.id", raw_id)
    store = call.engine.store
    try:
        snapshot = store.snapshot(vm_id, snapshot_id)
    except NotFoundError:
        # The id came in the body, so an unknown one is a bad request, not a missing resource.
        raise from_store_error(RefusedError("Cannot preview Snapshot. The snapshot does not exist."), as_action=True) from None
    restore_options(element, snapshot.config, action="preview")
    store.begin_preview(vm_id, snapshot_id)
    try:
        await asyncio.sleep(call.engine.settings.restore_seconds)
    finally:  # also when the client goes away: the VM must not stay busy
        store.finish_preview(vm_id, snapshot_id)
    return call.complete()


async def _commit(call: Call) -> Response:
    await _action_body(call)
    call.engine.store.commit_preview(call.guid("vm_id", "VM"))
    return call.complete()


async def _undo(call: Call) -> Response:
    await _action_body(call)
    call.engine.store.undo_preview(call.guid("vm_id", "VM"))
    return call.complete()


_ACTIONS: tuple[tuple[str, Handler], ...] = (
    ("start", _start),
    ("stop", _stop),
    ("shutdown", _shutdown),
    ("freezefilesystems", _freeze),
    ("thawfilesystems", _thaw),
    ("previewsnapshot", _preview),
    ("commitsnapshot", _commit),
    ("undosnapshot", _undo),
)


# --- device sub-collections of the VM (read-only) ----------------------------------------


def _device_list(kind: str) -> Handler:
    async def handler(call: Call) -> Response:
        vm = call.engine.store.vm(call.guid("vm_id", "VM"))
        return call.respond(call.engine.representer.devices(kind, limit(call, devices_of(vm.config, kind)), vm.id, None))

    return handler


def _device(kind: str) -> Handler:
    async def handler(call: Call) -> Response:
        vm = call.engine.store.vm(call.guid("vm_id", "VM"))
        device = find_device(vm.config, kind, call.guid("device_id", DEVICE_KINDS[kind]))
        return call.respond(call.engine.representer.device(device, vm.id, None))

    return handler


def routes() -> list[BaseRoute]:
    vm = f"{API_PATH}/vms/{{vm_id}}"
    action_routes: list[BaseRoute] = [Route(f"{vm}/{name}", Resource({"POST": handler}, actions=frozenset({"POST"}))) for name, handler in _ACTIONS]
    device_routes: list[BaseRoute] = []
    for kind in DEVICE_KINDS:
        device_routes.append(Route(f"{vm}/{kind}", Resource({"GET": _device_list(kind)})))
        device_routes.append(Route(f"{vm}/{kind}/{{device_id}}", Resource({"GET": _device(kind)})))
    return [
        Route(f"{API_PATH}/vms", Resource({"GET": _list, "POST": _add})),
        Route(vm, Resource({"GET": _get, "PUT": _update, "DELETE": _remove})),
        *action_routes,
        *device_routes,
    ]
