"""Helpers shared by the route modules: list limits, Location URLs, device lookups, restore parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from lxml import etree

from conformance.engine._body import boolean, guid, long, text_of
from conformance.engine._faults import bad_request, incomplete, not_found
from conformance.engine._http import Call
from conformance.engine._model import CdromConfig, DiskConfig, NicConfig, VmConfig

__all__ = ["absolute_url", "devices_of", "find_device", "limit", "restore_options"]

_T = TypeVar("_T")


def limit(call: Call, items: Sequence[_T]) -> Sequence[_T]:
    """The ``max`` query parameter of a list (-1 or absent: everything)."""
    raw = call.request.query_params.get("max")
    if raw is None:
        return items
    count = long("max", raw, minimum=-1, maximum=2**31 - 1)
    return items if count == -1 else items[:count]


def absolute_url(call: Call, href: str) -> str:
    """``href`` as an absolute URL on this server (what a ``Location`` header carries)."""
    return str(call.request.base_url).rstrip("/") + href


def devices_of(config: VmConfig, kind: str) -> Sequence[DiskConfig | NicConfig | CdromConfig]:
    if kind == "disks":
        return config.disks
    if kind == "nics":
        return config.nics
    return config.cdroms


def find_device(config: VmConfig, kind: str, device_id: str) -> DiskConfig | NicConfig | CdromConfig:
    for device in devices_of(config, kind):
        if device.id == device_id:
            return device
    raise not_found(f"{kind[:-1]} {device_id}")


def restore_options(element: etree._Element | None, config: VmConfig, *, action: str) -> None:
    """Check the optional parameters of a restore or preview: ``restore_memory`` (an
    ``xs:boolean``) and ``disks/disk`` (GUIDs of disks the snapshot has). The engine keeps
    no disk contents, so once valid they change nothing."""
    if element is None:
        return
    restore_memory = text_of(element, "restore_memory")
    if restore_memory is not None:
        boolean("restore_memory", restore_memory)
    known = {disk.id for disk in config.disks}
    for disk in element.iterfind("disks/disk"):
        raw_id = text_of(disk, "id")
        if raw_id is None:
            raise incomplete("Action", "disks.disk.id", action)
        disk_id = guid("disks.disk.id", raw_id)
        image_id = text_of(disk, "image_id")
        if image_id is not None:
            guid("disks.disk.image_id", image_id)
        if disk_id not in known:
            raise bad_request(f"[Cannot {action} Snapshot. The disk {disk_id} is not part of the snapshot.]", as_action=True)
