"""The seeded state: a YAML file of clusters, templates, VMs and their snapshots, validated.

The packaged ``fixtures/engine-state.yaml`` documents the format in its header. Every
problem is reported as a :class:`StateFileError` that names the file, the place in it
(``vms[1].snapshots[0].date``) and what is wrong, so a user who passes ``--state`` can
fix the file without reading this module.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml

from conformance.engine._clock import Clock
from conformance.engine._ids import derived_guid, normalize_guid
from conformance.engine._model import (
    ACTIVE_DESCRIPTION,
    NEXT_RUN_DESCRIPTION,
    CdromConfig,
    Cluster,
    DiskConfig,
    NicConfig,
    Snapshot,
    Template,
    Vm,
    VmConfig,
)
from conformance.engine._ovf import OvfContext, build_ovf
from conformance.resources import fixture

__all__ = ["DEFAULT_STATE_FILE", "SeedState", "StateFileError", "load_state"]

DEFAULT_STATE_FILE = "engine-state.yaml"
_MAX_FILE_BYTES = 4 * 1024 * 1024
_FORMAT_VERSION = 1
_DEFAULT_STORAGE_DOMAIN = "2b8f9c4e-7d1a-4c3b-9e5f-0a6d8b1c2e3f"
_DEFAULT_STORAGE_POOL = "00000002-0002-0002-0002-000000000255"
_T = TypeVar("_T")


class StateFileError(ValueError):
    """The state file cannot be used; ``str()`` names the file, the place and the problem."""


@dataclass(frozen=True)
class SeedState:
    clusters: tuple[Cluster, ...]
    templates: tuple[Template, ...]
    vms: tuple[Vm, ...]
    storage_domain_id: str
    storage_pool_id: str


def load_state(path: str | None, *, clock: Clock) -> SeedState:
    """Read and validate a state file (None: the packaged one) into fresh model objects."""
    if path is None:
        source = f"packaged fixtures/{DEFAULT_STATE_FILE}"
        try:
            raw = fixture(DEFAULT_STATE_FILE).read_bytes()
        except OSError as error:
            raise StateFileError(f"{source}: cannot be read: {error}") from None
    else:
        source = path
        try:
            file = Path(path)
            if file.stat().st_size > _MAX_FILE_BYTES:
                raise StateFileError(f"{source}: larger than {_MAX_FILE_BYTES} bytes; is it really a state file?")
            raw = file.read_bytes()
        except OSError as error:
            raise StateFileError(f"{source}: cannot be read: {error.strerror or error}") from None
    try:
        document = yaml.load(raw, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise StateFileError(f"{source}: not valid YAML: {error}") from None
    return _Reader(source, clock).state(document)


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader without anchors/aliases: a state file never needs them, and aliases
    nested in aliases make a tiny file expand into a huge structure."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in a state file", event.start_mark)
        return super().compose_node(parent, index)


class _Reader:
    """Validates the parsed YAML; every method takes the path of the value it reads."""

    def __init__(self, source: str, clock: Clock) -> None:
        self.source = source
        self.now = clock.now()
        self.ids: dict[str, str] = {}  # id -> where it was first seen

    def fail(self, path: str, message: str) -> StateFileError:
        return StateFileError(f"{self.source}: {path}: {message}")

    # --- the document ---------------------------------------------------------------

    def state(self, document: object) -> SeedState:
        top = self.mapping(document, "(top level)", required={"version", "clusters", "templates", "vms"}, optional={"storage"})
        if top["version"] != _FORMAT_VERSION or isinstance(top["version"], bool):
            raise self.fail("version", f"must be {_FORMAT_VERSION}, not {top['version']!r}")
        storage = self.mapping(top.get("storage", {}), "storage", optional={"domain_id", "pool_id"})
        domain_id = self.guid(storage["domain_id"], "storage.domain_id") if "domain_id" in storage else _DEFAULT_STORAGE_DOMAIN
        pool_id = self.guid(storage["pool_id"], "storage.pool_id") if "pool_id" in storage else _DEFAULT_STORAGE_POOL
        clusters = self.items(top["clusters"], "clusters", self.cluster, minimum=1)
        templates = self.items(top["templates"], "templates", self.template, minimum=1)
        self.unique_names(clusters, "clusters", lambda c: c.name)
        self.unique_names(templates, "templates", lambda t: t.name)
        by_cluster = {c.name: c for c in clusters}
        by_template = {t.name: t for t in templates}
        seq = itertools.count(1)
        vms = self.items(top["vms"], "vms", lambda value, path: self.vm(value, path, by_cluster, by_template, domain_id, pool_id, seq))
        self.unique_names(vms, "vms", lambda v: v.config.name)
        return SeedState(tuple(clusters), tuple(templates), tuple(vms), domain_id, pool_id)

    def cluster(self, value: object, path: str) -> Cluster:
        data = self.mapping(value, path, required={"id", "name"}, optional={"description"})
        return Cluster(
            id=self.new_id(data["id"], f"{path}.id"),
            name=self.string(data["name"], f"{path}.name"),
            description=self.string(data.get("description", ""), f"{path}.description", empty=True),
        )

    def template(self, value: object, path: str) -> Template:
        data = self.mapping(value, path, required={"id", "name"}, optional={"description", "memory", "cpu", "os"})
        sockets, cores = self.cpu(data.get("cpu", {"sockets": 1, "cores": 1}), f"{path}.cpu")
        return Template(
            id=self.new_id(data["id"], f"{path}.id"),
            name=self.string(data["name"], f"{path}.name"),
            description=self.string(data.get("description", ""), f"{path}.description", empty=True),
            memory=self.integer(data.get("memory", 1024**3), f"{path}.memory", minimum=1),
            sockets=sockets,
            cores=cores,
            os_type=self.string(data.get("os", "other"), f"{path}.os"),
        )

    def vm(
        self,
        value: object,
        path: str,
        clusters: Mapping[str, Cluster],
        templates: Mapping[str, Template],
        domain_id: str,
        pool_id: str,
        seq: Iterator[int],
    ) -> Vm:
        data = self.mapping(
            value,
            path,
            required={"id", "name", "status", "cluster", "template", "created", "memory", "cpu", "active_snapshot"},
            optional={"description", "os", "disks", "nics", "cdroms", "snapshots", "next_run"},
        )
        vm_id = self.new_id(data["id"], f"{path}.id")
        cluster_name = self.string(data["cluster"], f"{path}.cluster")
        if cluster_name not in clusters:
            raise self.fail(f"{path}.cluster", f"no cluster named {cluster_name!r} (known: {', '.join(sorted(clusters))})")
        template_name = self.string(data["template"], f"{path}.template")
        if template_name not in templates:
            raise self.fail(f"{path}.template", f"no template named {template_name!r} (known: {', '.join(sorted(templates))})")
        template = templates[template_name]
        status = data["status"]
        if status not in ("up", "down"):
            raise self.fail(f"{path}.status", f"must be up or down, not {status!r}")
        created = self.past_date(data["created"], f"{path}.created")
        sockets, cores = self.cpu(data["cpu"], f"{path}.cpu")
        current = VmConfig(
            name=self.vm_name(data["name"], f"{path}.name"),
            description=self.string(data.get("description", ""), f"{path}.description", empty=True),
            memory=self.integer(data["memory"], f"{path}.memory", minimum=1),
            sockets=sockets,
            cores=cores,
            os_type=self.string(data.get("os", template.os_type), f"{path}.os"),
            disks=tuple(self.items(data.get("disks", []), f"{path}.disks", lambda v, p: self.disk(v, p, "active"))),
            nics=tuple(self.items(data.get("nics", []), f"{path}.nics", self.nic)),
            cdroms=tuple(self.items(data.get("cdroms", []), f"{path}.cdroms", self.cdrom)),
        )

        snapshots: list[Snapshot] = []
        previous = created
        for index, item in enumerate(self.sequence(data.get("snapshots", []), f"{path}.snapshots")):
            where = f"{path}.snapshots[{index}]"
            snapshot = self.snapshot(item, where, current)
            if snapshot.date <= previous:
                raise self.fail(f"{where}.date", "must be later than the VM's creation and than the previous snapshot (oldest first)")
            previous = snapshot.date
            snapshot.seq = next(seq)
            assert snapshot.config is not None
            context = OvfContext(vm_id, snapshot.id, template, created, snapshot.date, domain_id, pool_id)
            snapshot.ovf = build_ovf(snapshot.config, context)
            snapshots.append(snapshot)

        active_data = self.mapping(data["active_snapshot"], f"{path}.active_snapshot", required={"id", "date"})
        active_date = self.past_date(active_data["date"], f"{path}.active_snapshot.date")
        if active_date < previous:
            raise self.fail(f"{path}.active_snapshot.date", "must not be earlier than the VM's creation or its newest snapshot")
        active = Snapshot(
            id=self.new_id(active_data["id"], f"{path}.active_snapshot.id"),
            type="active",
            description=ACTIVE_DESCRIPTION,
            date=active_date,
            seq=next(seq),
        )
        pending: list[Snapshot] = []
        if "next_run" in data:
            where = f"{path}.next_run"
            if status != "up":
                raise self.fail(where, "only a running VM has a next-run configuration (its change waits for the next start)")
            given = self.mapping(data["next_run"], where, required={"id", "date"}, optional={"configuration"})
            next_run = self.snapshot(dict(given, description=NEXT_RUN_DESCRIPTION), where, current)
            if next_run.date < active_date:
                raise self.fail(f"{where}.date", "must not be earlier than the active snapshot's date")
            next_run.type = "next_run"
            next_run.seq = next(seq)
            assert next_run.config is not None
            context = OvfContext(vm_id, next_run.id, template, created, next_run.date, domain_id, pool_id)
            next_run.ovf = build_ovf(next_run.config, context)
            pending.append(next_run)
        return Vm(
            id=vm_id,
            cluster=clusters[cluster_name],
            template=template,
            creation_time=created,
            config=current,
            power="up" if status == "up" else "down",
            start_time=self.now if status == "up" else None,
            snapshots=[*snapshots, active, *pending],
        )

    def snapshot(self, value: object, path: str, current: VmConfig) -> Snapshot:
        data = self.mapping(value, path, required={"id", "description", "date"}, optional={"persist_memorystate", "configuration"})
        snapshot_id = self.new_id(data["id"], f"{path}.id")
        description = self.string(data["description"], f"{path}.description")
        date = self.past_date(data["date"], f"{path}.date")
        memory_state = self.boolean(data.get("persist_memorystate", False), f"{path}.persist_memorystate")
        config = self.configuration(data.get("configuration", {}), f"{path}.configuration", current, snapshot_id)
        return Snapshot(
            id=snapshot_id,
            type="regular",
            description=description,
            date=date,
            seq=0,
            persist_memorystate=memory_state,
            config=config,
        )

    def configuration(self, value: object, path: str, current: VmConfig, snapshot_id: str) -> VmConfig:
        """The VM's configuration when the snapshot was taken: what the file gives, the
        rest as now; disks the file leaves out get this snapshot's own volumes."""
        data = self.mapping(value, path, optional={"name", "description", "memory", "cpu", "os", "disks", "nics", "cdroms"})
        config = current
        if "name" in data:
            config = replace(config, name=self.vm_name(data["name"], f"{path}.name"))
        if "description" in data:
            config = replace(config, description=self.string(data["description"], f"{path}.description", empty=True))
        if "memory" in data:
            config = replace(config, memory=self.integer(data["memory"], f"{path}.memory", minimum=1))
        if "cpu" in data:
            sockets, cores = self.cpu(data["cpu"], f"{path}.cpu")
            config = replace(config, sockets=sockets, cores=cores)
        if "os" in data:
            config = replace(config, os_type=self.string(data["os"], f"{path}.os"))
        if "disks" in data:
            # The same disks as the VM's (by id) may appear here again, so no global uniqueness.
            disks = self.items(data["disks"], f"{path}.disks", lambda v, p: self.disk(v, p, snapshot_id, fresh=False))
            config = replace(config, disks=tuple(disks))
        else:
            config = replace(config, disks=tuple(replace(d, image_id=derived_guid(d.id, snapshot_id)) for d in current.disks))
        if "nics" in data:
            config = replace(config, nics=tuple(self.items(data["nics"], f"{path}.nics", lambda v, p: self.nic(v, p, fresh=False))))
        if "cdroms" in data:
            config = replace(config, cdroms=tuple(self.items(data["cdroms"], f"{path}.cdroms", lambda v, p: self.cdrom(v, p, fresh=False))))
        return config

    def disk(self, value: object, path: str, volume_owner: str, *, fresh: bool = True) -> DiskConfig:
        data = self.mapping(
            value,
            path,
            required={"id", "alias", "provisioned_size"},
            optional={"image_id", "actual_size", "interface", "format", "sparse", "bootable", "wipe_after_delete"},
        )
        disk_id = self.new_id(data["id"], f"{path}.id") if fresh else self.guid(data["id"], f"{path}.id")
        size = self.integer(data["provisioned_size"], f"{path}.provisioned_size", minimum=1)
        disk_format = data.get("format", "cow")
        if disk_format not in ("raw", "cow"):
            raise self.fail(f"{path}.format", f"must be raw or cow, not {disk_format!r}")
        interface = data.get("interface", "virtio")
        if interface not in ("virtio", "virtio_scsi", "ide"):
            raise self.fail(f"{path}.interface", f"must be virtio, virtio_scsi or ide, not {interface!r}")
        image_id = self.guid(data["image_id"], f"{path}.image_id") if "image_id" in data else derived_guid(disk_id, volume_owner)
        return DiskConfig(
            id=disk_id,
            alias=self.string(data["alias"], f"{path}.alias"),
            image_id=image_id,
            provisioned_size=size,
            actual_size=self.integer(data.get("actual_size", size), f"{path}.actual_size", minimum=0),
            interface=interface,
            format="raw" if disk_format == "raw" else "cow",
            sparse=self.boolean(data.get("sparse", disk_format == "cow"), f"{path}.sparse"),
            bootable=self.boolean(data.get("bootable", False), f"{path}.bootable"),
            wipe_after_delete=self.boolean(data.get("wipe_after_delete", False), f"{path}.wipe_after_delete"),
        )

    def nic(self, value: object, path: str, *, fresh: bool = True) -> NicConfig:
        data = self.mapping(value, path, required={"id", "name", "mac"}, optional={"network", "interface", "linked", "plugged"})
        mac = self.string(data["mac"], f"{path}.mac")
        if len(mac) != 17 or any(c not in "0123456789abcdefABCDEF:" for c in mac) or mac.count(":") != 5:
            raise self.fail(f"{path}.mac", f"not a MAC address like '00:1a:4a:16:01:51' (quote it in YAML): {mac!r}")
        return NicConfig(
            id=self.new_id(data["id"], f"{path}.id") if fresh else self.guid(data["id"], f"{path}.id"),
            name=self.string(data["name"], f"{path}.name"),
            mac=mac.lower(),
            network=self.string(data.get("network", "ovirtmgmt"), f"{path}.network"),
            interface=self.string(data.get("interface", "virtio"), f"{path}.interface"),
            linked=self.boolean(data.get("linked", True), f"{path}.linked"),
            plugged=self.boolean(data.get("plugged", True), f"{path}.plugged"),
        )

    def cdrom(self, value: object, path: str, *, fresh: bool = True) -> CdromConfig:
        data = self.mapping(value, path, required={"id"}, optional={"file"})
        file = data.get("file")
        return CdromConfig(
            id=self.new_id(data["id"], f"{path}.id") if fresh else self.guid(data["id"], f"{path}.id"),
            file=None if file is None else self.string(file, f"{path}.file"),
        )

    def cpu(self, value: object, path: str) -> tuple[int, int]:
        data = self.mapping(value, path, required={"sockets", "cores"})
        return self.integer(data["sockets"], f"{path}.sockets", minimum=1, maximum=64), self.integer(data["cores"], f"{path}.cores", minimum=1, maximum=64)

    # --- values ---------------------------------------------------------------------

    def mapping(self, value: object, path: str, *, required: set[str] = frozenset(), optional: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping, not {_kind(value)}")
        unknown = sorted(str(key) for key in value if key not in required | optional)
        if unknown:
            allowed = ", ".join(sorted(required | optional))
            raise self.fail(path, f"unknown key(s) {', '.join(unknown)} (allowed: {allowed})")
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(path, f"missing key(s) {', '.join(missing)}")
        return value

    def sequence(self, value: object, path: str) -> list[object]:
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list, not {_kind(value)}")
        return value

    def items(self, value: object, path: str, read: Callable[[object, str], _T], *, minimum: int = 0) -> list[_T]:
        entries = self.sequence(value, path)
        if len(entries) < minimum:
            raise self.fail(path, f"needs at least {minimum} entr{'y' if minimum == 1 else 'ies'}")
        return [read(entry, f"{path}[{index}]") for index, entry in enumerate(entries)]

    def unique_names(self, entries: list[_T], path: str, name: Callable[[_T], str]) -> None:
        seen: set[str] = set()
        for index, entry in enumerate(entries):
            if name(entry) in seen:
                raise self.fail(f"{path}[{index}].name", f"{name(entry)!r} is used twice")
            seen.add(name(entry))

    def string(self, value: object, path: str, *, empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"must be a string, not {_kind(value)}")
        if not empty and not value.strip():
            raise self.fail(path, "must not be empty")
        if any(ord(c) < 0x20 and c not in "\t\n\r" for c in value):
            raise self.fail(path, "contains control characters that XML cannot carry")
        return value

    def vm_name(self, value: object, path: str) -> str:
        name = self.string(value, path)
        if len(name) > 64 or not all(c.isalnum() or c in "_.-" for c in name):
            raise self.fail(path, f"a VM name has at most 64 letters, digits, '_', '.' or '-': {name!r}")
        return name

    def integer(self, value: object, path: str, *, minimum: int, maximum: int = 2**63 - 1) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(path, f"must be an integer, not {_kind(value)}")
        if not minimum <= value <= maximum:
            raise self.fail(path, f"must be between {minimum} and {maximum}, not {value}")
        return value

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"must be true or false, not {_kind(value)}")
        return value

    def guid(self, value: object, path: str) -> str:
        text = self.string(value, path)
        normalized = normalize_guid(text)
        if normalized is None:
            raise self.fail(path, f"not a GUID (8-4-4-4-12 hexadecimal digits): {text!r}")
        return normalized

    def new_id(self, value: object, path: str) -> str:
        """A GUID that no other entity of the file uses."""
        guid = self.guid(value, path)
        if guid in self.ids:
            raise self.fail(path, f"id {guid} is already used at {self.ids[guid]}")
        self.ids[guid] = path
        return guid

    def past_date(self, value: object, path: str) -> datetime:
        if isinstance(value, datetime):
            date = value
        elif isinstance(value, str):
            try:
                date = datetime.fromisoformat(value)
            except ValueError:
                raise self.fail(path, f"not an ISO 8601 date-time like 2025-06-10T22:00:03.118+00:00: {value!r}") from None
        else:
            raise self.fail(path, f"must be a date-time, not {_kind(value)}")
        if date.tzinfo is None or date.utcoffset() is None:
            raise self.fail(path, f"needs a time-zone offset (e.g. +00:00 or Z): {value!r}")
        if date > self.now:
            raise self.fail(path, f"lies in the future ({date.isoformat()}); seeded dates must be in the past")
        return date


def _kind(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({value!r})"
    return f"{type(value).__name__} {value!r}"[:80]
