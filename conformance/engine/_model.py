"""The engine's data: immutable configurations, mutable VMs and snapshots, frozen views.

A :class:`VmConfig` is what a snapshot captures (name, memory, CPU, devices ...); it is
immutable, so a snapshot and the VM can share one safely. :class:`Vm` and
:class:`Snapshot` are the store's mutable records and never leave it; the store hands
out :class:`VmView` / :class:`SnapshotView` copies, taken under its lock, for rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = [
    "CdromConfig",
    "Cluster",
    "Creation",
    "CreationView",
    "DiskConfig",
    "NicConfig",
    "PowerState",
    "Snapshot",
    "SnapshotStatus",
    "SnapshotType",
    "SnapshotView",
    "Template",
    "Vm",
    "VmConfig",
    "VmStatus",
    "VmView",
]

#: the settled power states; ``powering_up``/``powering_down`` are derived from a transition
PowerState = Literal["down", "up"]
VmStatus = Literal["down", "up", "powering_up", "powering_down"]
#: ``next_run``: a running VM's configuration change waiting for its next start (listed without a type)
SnapshotType = Literal["regular", "active", "preview", "stateless", "next_run"]
SnapshotStatus = Literal["ok", "locked", "in_preview"]

ACTIVE_DESCRIPTION = "Active VM"
#: the engine's description of a next-run configuration snapshot
NEXT_RUN_DESCRIPTION = "Next Run configuration snapshot"
PREVIEW_DESCRIPTION = "Active VM before the preview"


@dataclass(frozen=True)
class DiskConfig:
    id: str
    alias: str
    #: the volume: a snapshot keeps the one it froze, the VM gets a new one on top
    image_id: str
    provisioned_size: int
    actual_size: int
    interface: str = "virtio"
    format: Literal["raw", "cow"] = "cow"
    sparse: bool = True
    bootable: bool = False
    wipe_after_delete: bool = False


@dataclass(frozen=True)
class NicConfig:
    id: str
    name: str
    mac: str
    network: str = "ovirtmgmt"
    interface: str = "virtio"
    linked: bool = True
    plugged: bool = True


@dataclass(frozen=True)
class CdromConfig:
    id: str
    #: the ISO image inserted, None when empty
    file: str | None = None


@dataclass(frozen=True)
class VmConfig:
    """A VM's configuration: what a snapshot captures and a restore brings back."""

    name: str
    description: str
    memory: int  # bytes
    sockets: int
    cores: int
    os_type: str = "other"
    disks: tuple[DiskConfig, ...] = ()
    nics: tuple[NicConfig, ...] = ()
    cdroms: tuple[CdromConfig, ...] = ()


@dataclass(frozen=True)
class Cluster:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    description: str = ""
    memory: int = 1024 * 1024 * 1024
    sockets: int = 1
    cores: int = 1
    os_type: str = "other"


@dataclass
class Snapshot:
    id: str
    type: SnapshotType
    description: str
    date: datetime
    #: creation order within the engine: "newer" means a larger seq
    seq: int
    persist_memorystate: bool = False
    #: the VM's configuration when the snapshot was taken; None for the active snapshot
    config: VmConfig | None = None
    #: the OVF document generated from ``config`` when the snapshot was taken
    ovf: str | None = None
    #: monotonic deadline until which the snapshot is ``locked`` (None: never locked)
    locked_until: float | None = None
    in_preview: bool = False

    def status(self, monotonic_now: float) -> SnapshotStatus:
        if self.in_preview:
            return "in_preview"
        if self.locked_until is not None and monotonic_now < self.locked_until:
            return "locked"
        return "ok"


@dataclass
class Vm:
    id: str
    cluster: Cluster
    template: Template
    creation_time: datetime
    config: VmConfig
    power: PowerState
    #: a power transition in progress: (target state, monotonic deadline)
    transition: tuple[PowerState, float] | None = None
    start_time: datetime | None = None
    stop_time: datetime | None = None
    #: set while a blocking operation (restore, preview) runs; refuses other changes
    busy: str | None = None
    snapshots: list[Snapshot] = field(default_factory=list)


@dataclass
class Creation:
    """An asynchronous snapshot creation, answered at ``.../creation_status/{id}``."""

    id: str
    vm_id: str
    snapshot_id: str
    done_at: float  # monotonic


@dataclass(frozen=True)
class VmView:
    id: str
    cluster: Cluster
    template: Template
    creation_time: datetime
    config: VmConfig
    status: VmStatus
    start_time: datetime | None
    stop_time: datetime | None
    #: a next-run configuration snapshot waits for the VM's next start
    next_run_configuration_exists: bool = False


@dataclass(frozen=True)
class SnapshotView:
    id: str
    vm_id: str
    type: SnapshotType
    description: str
    date: datetime
    status: SnapshotStatus
    persist_memorystate: bool
    #: the configuration the snapshot stands for (the VM's own for the active snapshot)
    config: VmConfig
    ovf: str | None
    #: the VM's cluster, template and creation time (a v4 snapshot's ``vm`` carries them)
    cluster_id: str = ""
    template_id: str = ""
    vm_creation_time: datetime | None = None


@dataclass(frozen=True)
class CreationView:
    id: str
    vm_id: str
    snapshot_id: str
    state: Literal["pending", "complete"]
