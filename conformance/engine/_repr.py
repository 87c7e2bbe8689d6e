"""Representations of the engine's resources as :class:`Node` trees, in the v3 dialect.

Element order follows the 3.6 ``api.xsd``: BaseResource (actions, name, description,
comment, creation_status, link*), then the VmBase/VM members used, then the type's own
members; for a snapshot that ends with vm, date, snapshot_status, persist_memorystate.
Only links that answer are emitted, and every href starts with the representer's API
path. ``_repr_v4`` overrides what the v4 dialect does differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from conformance.dialect import Dialect
from conformance.engine._model import CdromConfig, Cluster, CreationView, DiskConfig, NicConfig, SnapshotView, Template, VmView
from conformance.engine._nodes import Node, el
from conformance.engine._serialize import Format, render

__all__ = ["API_PATH", "DEVICE_KINDS", "VM_ACTIONS", "ProductInfo", "Representer"]

API_PATH = "/ovirt-engine/api"

#: the VM actions the engine offers, in the order they are linked
VM_ACTIONS = (
    "start",
    "stop",
    "shutdown",
    "freezefilesystems",
    "thawfilesystems",
    "previewsnapshot",
    "commitsnapshot",
    "undosnapshot",
)
#: the device sub-collections of a VM and of a snapshot: collection -> element
DEVICE_KINDS: Mapping[str, str] = MappingProxyType({"disks": "disk", "nics": "nic", "cdroms": "cdrom"})


@dataclass(frozen=True)
class ProductInfo:
    name: str
    vendor: str
    major: int
    minor: int
    build: int
    revision: int
    full_version: str


class Representer:
    """The documents of one dialect (v3 here; ``_repr_v4`` for v4), with hrefs under ``api_path``."""

    #: what a create without ``persist_memorystate`` asks for (v3: false; v4's model says true)
    default_persist_memorystate = False

    def __init__(self, dialect: Dialect, product: ProductInfo, api_path: str = API_PATH) -> None:
        self.dialect = dialect
        self.product = product
        #: where every href starts: the API root, plus ``/v3`` or ``/v4`` when the request used that prefix
        self.api_path = api_path

    def render(self, node: Node, fmt: Format) -> bytes:
        """``node`` as bytes of ``fmt`` (the dialects differ in how JSON spells values)."""
        return render(node, fmt)

    def all_content(self, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
        """Whether a read asks for All-Content: in 3.6 only the header ``All-Content: true``."""
        return (headers.get("all-content") or "").strip().lower() == "true"

    # --- hrefs ----------------------------------------------------------------------

    def vm_href(self, vm_id: str) -> str:
        return f"{self.api_path}/vms/{vm_id}"

    def snapshot_href(self, vm_id: str, snapshot_id: str) -> str:
        return f"{self.vm_href(vm_id)}/snapshots/{snapshot_id}"

    def creation_href(self, creation: CreationView) -> str:
        return f"{self.snapshot_href(creation.vm_id, creation.snapshot_id)}/creation_status/{creation.id}"

    # --- common pieces --------------------------------------------------------------

    @staticmethod
    def link(rel: str, href: str) -> Node:
        return el("link", repeated=True, href=href, rel=rel)

    def actions(self, base_href: str, names: Iterable[str]) -> Node:
        return el("actions", None, *(self.link(name, f"{base_href}/{name}") for name in names))

    def status(self, value: str, name: str = "status") -> Node:
        """A status: nested ``<status><state>x</state></status>`` in v3, plain in v4."""
        return el(name, None, el("state", value)) if self.dialect.nested_status else el(name, value)

    @staticmethod
    def ref(name: str, entity_id: str, href: str | None) -> Node:
        return el(name, id=entity_id, href=href)

    def fault(self, reason: str, detail: str | None) -> Node:
        return el("fault", None, el("reason", reason), None if detail is None else el("detail", detail))

    def action(self, state: str = "complete", *, fault: Node | None = None) -> Node:
        return el("action", None, self.status(state), fault)

    def failed_action(self, reason: str, detail: str | None) -> Node:
        return self.action("failed", fault=self.fault(reason, detail))

    # --- the API root, clusters and templates ---------------------------------------

    def api(self, vms: Sequence[VmView], now: datetime) -> Node:
        product = self.product
        links = []
        for collection in ("clusters", "templates", "vms"):
            links.append(self.link(collection, f"{self.api_path}/{collection}"))
            links.append(self.link(f"{collection}/search", f"{self.api_path}/{collection}?search={{query}}"))
        return el(
            "api",
            None,
            *links,
            el(
                "product_info",
                None,
                el("name", product.name),
                el("vendor", product.vendor),
                el(
                    "version",
                    major=product.major,
                    minor=product.minor,
                    build=product.build,
                    revision=product.revision,
                    full_version=product.full_version,
                ),
            ),
            el(
                "summary",
                None,
                el("vms", None, el("total", len(vms)), el("active", sum(1 for vm in vms if vm.status != "down"))),
            ),
            el("time", now),
        )

    def cluster(self, cluster: Cluster) -> Node:
        return el(
            "cluster",
            None,
            el("name", cluster.name),
            el("description", cluster.description),
            el("version", major=3, minor=6),
            repeated=True,
            id=cluster.id,
            href=f"{self.api_path}/clusters/{cluster.id}",
        )

    def clusters(self, clusters: Iterable[Cluster]) -> Node:
        return el("clusters", None, *(self.cluster(c) for c in clusters), items="cluster")

    def template(self, template: Template) -> Node:
        return el(
            "template",
            None,
            el("name", template.name),
            el("description", template.description),
            el("type", "server"),
            self.status("ok"),
            el("memory", template.memory),
            self._cpu(template.sockets, template.cores),
            el("os", None, el("boot", repeated=True, dev="hd"), type=template.os_type),
            repeated=True,
            id=template.id,
            href=f"{self.api_path}/templates/{template.id}",
        )

    def templates(self, templates: Iterable[Template]) -> Node:
        return el("templates", None, *(self.template(t) for t in templates), items="template")

    # --- VMs ------------------------------------------------------------------------

    def vm(self, vm: VmView) -> Node:
        href = self.vm_href(vm.id)
        config = vm.config
        return el(
            "vm",
            None,
            self.actions(href, VM_ACTIONS),
            el("name", config.name),
            el("description", config.description),
            *(self.link(rel, f"{href}/{rel}") for rel in ("disks", "nics", "cdroms", "snapshots")),
            el("type", "server"),
            self.status(vm.status),
            el("memory", config.memory),
            self._cpu(config.sockets, config.cores),
            el("os", None, el("boot", repeated=True, dev="hd"), type=config.os_type),
            self.ref("cluster", vm.cluster.id, f"{self.api_path}/clusters/{vm.cluster.id}"),
            el("creation_time", vm.creation_time),
            el("origin", "ovirt"),
            el("stateless", False),
            el("delete_protected", False),
            self.ref("template", vm.template.id, f"{self.api_path}/templates/{vm.template.id}"),
            None if vm.start_time is None else el("start_time", vm.start_time),
            None if vm.stop_time is None else el("stop_time", vm.stop_time),
            el("next_run_configuration_exists", vm.next_run_configuration_exists),
            repeated=True,
            id=vm.id,
            href=href,
        )

    def vms(self, vms: Iterable[VmView]) -> Node:
        return el("vms", None, *(self.vm(vm) for vm in vms), items="vm")

    @staticmethod
    def _cpu(sockets: int, cores: int) -> Node:
        return el("cpu", None, el("topology", sockets=sockets, cores=cores, threads=1))

    # --- snapshots ------------------------------------------------------------------

    def snapshot(self, snapshot: SnapshotView, *, all_content: bool, creation: CreationView | None = None) -> Node:
        href = self.snapshot_href(snapshot.vm_id, snapshot.id)
        # The active snapshot has no configuration of its own: it is the VM itself. Real
        # engines (3.6 to 4.4) give it no device links and no vm element.
        ovf = snapshot.ovf if all_content else None
        devices = () if snapshot.type == "active" else tuple(DEVICE_KINDS)
        return el(
            "snapshot",
            None,
            self.actions(href, ["restore"]),
            el("description", snapshot.description),
            None if creation is None else self.status(creation.state, "creation_status"),
            *(self.link(rel, f"{href}/{rel}") for rel in devices),
            None if creation is None else self.link("creation_status", self.creation_href(creation)),
            *self.snapshot_members(snapshot, ovf),
            repeated=True,
            id=snapshot.id,
            href=href,
        )

    def snapshot_members(self, snapshot: SnapshotView, ovf: str | None) -> tuple[Node | None, ...]:
        """What follows BaseResource's part of a snapshot, in the dialect's schema order."""
        return (
            self.snapshot_type(snapshot),
            None if ovf is None else el("initialization", None, el("configuration", None, el("type", "ovf"), el("data", ovf))),
            self.snapshot_vm(snapshot),
            el("date", snapshot.date),
            el("snapshot_status", snapshot.status),
            el("persist_memorystate", snapshot.persist_memorystate),
        )

    def snapshot_type(self, snapshot: SnapshotView) -> Node | None:
        """The type; none on a next-run configuration snapshot (the API has no name for it)."""
        return None if snapshot.type == "next_run" else el(self.dialect.type_element, snapshot.type)

    def snapshot_vm(self, snapshot: SnapshotView) -> Node | None:
        """The ``vm`` of a snapshot: none on the active one; in v3 a reference with an href."""
        return None if snapshot.type == "active" else self.ref("vm", snapshot.vm_id, self.vm_href(snapshot.vm_id))

    def snapshots(self, snapshots: Iterable[SnapshotView], *, all_content: bool) -> Node:
        return el("snapshots", None, *(self.snapshot(s, all_content=all_content) for s in snapshots), items="snapshot")

    def creation(self, creation: CreationView) -> Node:
        return el("creation", None, self.status(creation.state), id=creation.id, href=self.creation_href(creation))

    # --- devices (of a VM, or of a snapshot when ``snapshot_id`` is given) ------------

    def _device_base(self, vm_id: str, snapshot_id: str | None, kind: str) -> str:
        owner = self.vm_href(vm_id) if snapshot_id is None else self.snapshot_href(vm_id, snapshot_id)
        return f"{owner}/{kind}"

    def disk(self, disk: DiskConfig, vm_id: str, snapshot_id: str | None) -> Node:
        return el(
            "disk",
            None,
            el("name", disk.alias),
            self.ref("vm", vm_id, self.vm_href(vm_id)),
            el("alias", disk.alias),
            el("image_id", disk.image_id),
            el("size", disk.provisioned_size),
            el("provisioned_size", disk.provisioned_size),
            el("actual_size", disk.actual_size),
            self.status("ok"),
            el("interface", disk.interface),
            el("format", disk.format),
            el("sparse", disk.sparse),
            el("bootable", disk.bootable),
            el("shareable", False),
            el("wipe_after_delete", disk.wipe_after_delete),
            el("propagate_errors", False),
            el("active", True),
            el("read_only", False),
            None if snapshot_id is None else self.ref("snapshot", snapshot_id, self.snapshot_href(vm_id, snapshot_id)),
            el("storage_type", "image"),
            repeated=True,
            id=disk.id,
            href=f"{self._device_base(vm_id, snapshot_id, 'disks')}/{disk.id}",
        )

    def nic(self, nic: NicConfig, vm_id: str, snapshot_id: str | None) -> Node:
        return el(
            "nic",
            None,
            el("name", nic.name),
            self.ref("vm", vm_id, self.vm_href(vm_id)),
            el("network", None, el("name", nic.network)),
            el("linked", nic.linked),
            el("interface", nic.interface),
            el("mac", address=nic.mac),
            el("active", nic.plugged),
            el("plugged", nic.plugged),
            repeated=True,
            id=nic.id,
            href=f"{self._device_base(vm_id, snapshot_id, 'nics')}/{nic.id}",
        )

    def cdrom(self, cdrom: CdromConfig, vm_id: str, snapshot_id: str | None) -> Node:
        return el(
            "cdrom",
            None,
            self.ref("vm", vm_id, self.vm_href(vm_id)),
            None if cdrom.file is None else el("file", id=cdrom.file),
            repeated=True,
            id=cdrom.id,
            href=f"{self._device_base(vm_id, snapshot_id, 'cdroms')}/{cdrom.id}",
        )

    def devices(self, kind: str, devices: Sequence[DiskConfig | NicConfig | CdromConfig], vm_id: str, snapshot_id: str | None) -> Node:
        return el(kind, None, *(self.device(d, vm_id, snapshot_id) for d in devices), items=DEVICE_KINDS[kind])

    def device(self, device: DiskConfig | NicConfig | CdromConfig, vm_id: str, snapshot_id: str | None) -> Node:
        if isinstance(device, DiskConfig):
            return self.disk(device, vm_id, snapshot_id)
        if isinstance(device, NicConfig):
            return self.nic(device, vm_id, snapshot_id)
        return self.cdrom(device, vm_id, snapshot_id)
