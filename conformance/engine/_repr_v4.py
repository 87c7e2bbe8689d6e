"""The documents of the v4 dialect: only what differs from v3 (``_repr``).

Element order is the v4 schema's, which the API model generates: every type extends its
base and appends its own members, attributes sorted by name, then links sorted by name
(ovirt-engine-api-metamodel ``SchemaGenerator.writeStructMembers``). The root of every
entity is the hand-written ``BaseResource`` (ovirt-engine
``restapi/interface/definition/src/main/schema/api.xsd``): actions, name, description,
comment, creation_status, link*. A snapshot (Snapshot < Vm < VmBase < BaseResource) so reads::

    actions, description, creation_status?, link*,      BaseResource
    initialization?,                                    VmBase (with All-Content)
    date, persist_memorystate, snapshot_status, snapshot_type, vm     Snapshot

Other v4 changes: statuses are plain text (``<status>down</status>``, ``<creation_status>``);
the snapshot type is ``snapshot_type`` (``type`` is the VM type, so a snapshot has none);
only ``id`` and ``href`` are XML attributes, everything else an element (``<topology>
<cores>``, ``<mac><address>``, the product version); the built-in ``Fault`` sorts to
``detail, reason`` and ``Action`` to ``fault, status``. JSON keeps the v3 shape with v4
leaves (``_json.json_scalar_v4``), and ``all_content`` may be a query parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from conformance.engine._json import json_scalar_v4, render_json
from conformance.engine._model import Cluster, DiskConfig, NicConfig, SnapshotView, Template, VmConfig, VmView
from conformance.engine._nodes import Node, el
from conformance.engine._repr import VM_ACTIONS, Representer
from conformance.engine._serialize import Format
from conformance.engine._xml import render_xml

__all__ = ["V4Representer", "v4_boolean_parameter"]

# The engine's ParametersHelper: what a boolean query parameter or header may say.
_FALSE = re.compile(r"f(alse)?|n(o)?|0", re.IGNORECASE)
_TRUE = re.compile(r"t(rue)?|y(es)?|1", re.IGNORECASE)


def v4_boolean_parameter(value: str | None) -> bool | None:
    """A boolean parameter as 4.x engines read it: present without a value is true,
    ``t``/``true``/``y``/``yes``/``1`` true, ``f``/``false``/``n``/``no``/``0`` false (any
    case); None when absent or not a boolean (the engine then ignores it)."""
    if value is None:
        return None
    if value == "":
        return True
    if _FALSE.fullmatch(value):
        return False
    if _TRUE.fullmatch(value):
        return True
    return None


class V4Representer(Representer):
    #: the v4 model: "When a snapshot is created the default value is true."
    default_persist_memorystate = True

    def render(self, node: Node, fmt: Format) -> bytes:
        return render_json(node, json_scalar_v4) if fmt == "json" else render_xml(node)

    def all_content(self, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
        """``all_content`` as a query parameter or the ``All-Content`` header (BackendResource
        ``isPopulate``: either one being true is enough)."""
        return bool(v4_boolean_parameter(query.get("all_content")) or v4_boolean_parameter(headers.get("all-content")))

    # --- common pieces --------------------------------------------------------------

    def fault(self, reason: str, detail: str | None) -> Node:
        return el("fault", None, None if detail is None else el("detail", detail), el("reason", reason))

    def action(self, state: str = "complete", *, fault: Node | None = None) -> Node:
        return el("action", None, fault, self.status(state))

    @staticmethod
    def _cpu(sockets: int, cores: int) -> Node:
        return el("cpu", None, el("topology", None, el("cores", cores), el("sockets", sockets), el("threads", 1)))

    @staticmethod
    def _os(os_type: str) -> Node:
        return el("os", None, el("boot", None, el("devices", None, el("device", "hd"))), el("type", os_type))

    # --- the API root, clusters and templates ---------------------------------------

    def api(self, vms: Sequence[VmView], now: datetime) -> Node:
        product = self.product
        links = []
        for collection in ("clusters", "templates", "vms"):
            links.append(self.link(collection, f"{self.api_path}/{collection}"))
            links.append(self.link(f"{collection}/search", f"{self.api_path}/{collection}?search={{query}}"))
        version = el(
            "version",
            None,
            el("build", product.build),
            el("full_version", product.full_version),
            el("major", product.major),
            el("minor", product.minor),
            el("revision", product.revision),
        )
        active = sum(1 for vm in vms if vm.status != "down")
        return el(
            "api",
            None,
            *links,
            el("product_info", None, el("name", product.name), el("vendor", product.vendor), version),
            el("summary", None, el("vms", None, el("active", active), el("total", len(vms)))),
            el("time", now),
        )

    def cluster(self, cluster: Cluster) -> Node:
        # The compatibility level of the seeded cluster is the engine's own version.
        return el(
            "cluster",
            None,
            el("name", cluster.name),
            el("description", cluster.description),
            el("version", None, el("major", self.product.major), el("minor", self.product.minor)),
            repeated=True,
            id=cluster.id,
            href=f"{self.api_path}/clusters/{cluster.id}",
        )

    def template(self, template: Template) -> Node:
        return el(
            "template",
            None,
            el("name", template.name),
            el("description", template.description),
            self._cpu(template.sockets, template.cores),
            el("memory", template.memory),
            self._os(template.os_type),
            el("type", "server"),
            self.status("ok"),
            repeated=True,
            id=template.id,
            href=f"{self.api_path}/templates/{template.id}",
        )

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
            *self._vm_base(config, vm.creation_time, vm.cluster.id, f"{self.api_path}/clusters/{vm.cluster.id}"),
            # Vm attributes, then its links
            el("next_run_configuration_exists", vm.next_run_configuration_exists),
            None if vm.start_time is None else el("start_time", vm.start_time),
            self.status(vm.status),
            None if vm.stop_time is None else el("stop_time", vm.stop_time),
            self.ref("template", vm.template.id, f"{self.api_path}/templates/{vm.template.id}"),
            repeated=True,
            id=vm.id,
            href=href,
        )

    def _vm_base(self, config: VmConfig, creation_time: datetime | None, cluster_id: str, cluster_href: str | None) -> tuple[Node | None, ...]:
        """VmBase's attributes, then its links."""
        return (
            self._cpu(config.sockets, config.cores),
            None if creation_time is None else el("creation_time", creation_time),
            el("delete_protected", False),
            el("memory", config.memory),
            el("origin", "ovirt"),
            self._os(config.os_type),
            el("stateless", False),
            el("type", "server"),
            self.ref("cluster", cluster_id, cluster_href) if cluster_id else None,
        )

    # --- snapshots ------------------------------------------------------------------

    def snapshot_members(self, snapshot: SnapshotView, ovf: str | None) -> tuple[Node | None, ...]:
        return (
            None if ovf is None else el("initialization", None, el("configuration", None, el("data", ovf), el("type", "ovf"))),
            el("date", snapshot.date),
            el("persist_memorystate", snapshot.persist_memorystate),
            el("snapshot_status", snapshot.status),
            self.snapshot_type(snapshot),
            self.snapshot_vm(snapshot),
        )

    def snapshot_vm(self, snapshot: SnapshotView) -> Node | None:
        """As real v4 engines write it: none on the active snapshot; elsewhere the VM's id, no
        href, and the VM's configuration at snapshot time as children (recorded 4.2 to 4.4)."""
        if snapshot.type == "active":
            return None
        config = snapshot.config
        return el(
            "vm",
            None,
            el("name", config.name),
            el("description", config.description),
            *self._vm_base(config, snapshot.vm_creation_time, snapshot.cluster_id, None),
            None if not snapshot.template_id else self.ref("template", snapshot.template_id, None),
            id=snapshot.vm_id,
        )

    # --- devices --------------------------------------------------------------------

    def disk(self, disk: DiskConfig, vm_id: str, snapshot_id: str | None) -> Node:
        return el(
            "disk",
            None,
            el("name", disk.alias),
            self.ref("vm", vm_id, self.vm_href(vm_id)),  # Device
            el("active", True),  # Disk attributes
            el("actual_size", disk.actual_size),
            el("alias", disk.alias),
            el("bootable", disk.bootable),
            el("format", disk.format),
            el("image_id", disk.image_id),
            el("interface", disk.interface),
            el("propagate_errors", False),
            el("provisioned_size", disk.provisioned_size),
            el("read_only", False),
            el("shareable", False),
            el("sparse", disk.sparse),
            self.status("ok"),
            el("storage_type", "image"),
            el("wipe_after_delete", disk.wipe_after_delete),
            None if snapshot_id is None else self.ref("snapshot", snapshot_id, self.snapshot_href(vm_id, snapshot_id)),  # Disk link
            repeated=True,
            id=disk.id,
            href=f"{self._device_base(vm_id, snapshot_id, 'disks')}/{disk.id}",
        )

    def nic(self, nic: NicConfig, vm_id: str, snapshot_id: str | None) -> Node:
        return el(
            "nic",
            None,
            el("name", nic.name),
            self.ref("vm", vm_id, self.vm_href(vm_id)),  # Device
            el("interface", nic.interface),  # Nic attributes
            el("linked", nic.linked),
            el("mac", None, el("address", nic.mac)),
            el("plugged", nic.plugged),
            el("network", None, el("name", nic.network)),  # Nic link
            repeated=True,
            id=nic.id,
            href=f"{self._device_base(vm_id, snapshot_id, 'nics')}/{nic.id}",
        )
