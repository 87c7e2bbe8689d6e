"""The engine's state and every operation on it, behind one lock.

All reads and changes happen under ``self._lock`` and hand back frozen views, so
concurrent clients never see (or make) a VM with two active snapshots or lose one.
Timed behaviour (a snapshot's lock, a VM powering up) is derived lazily from monotonic
deadlines whenever the state is read: no background task, deterministic under test.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime

from conformance.engine._clock import Clock
from conformance.engine._errors import ConflictError, NotFoundError, RefusedError
from conformance.engine._ids import new_guid
from conformance.engine._model import (
    ACTIVE_DESCRIPTION,
    PREVIEW_DESCRIPTION,
    CdromConfig,
    Cluster,
    Creation,
    CreationView,
    PowerState,
    Snapshot,
    SnapshotView,
    Template,
    Vm,
    VmConfig,
    VmStatus,
    VmView,
)
from conformance.engine._ovf import OvfContext, build_ovf
from conformance.engine._seed import SeedState

__all__ = ["Deviations", "Store", "Timings"]

# Creation records answer GETs on creation_status links; old ones are forgotten.
_MAX_CREATIONS = 10_000


@dataclass(frozen=True)
class Timings:
    snapshot_lock_seconds: float
    vm_transition_seconds: float


@dataclass(frozen=True)
class Deviations:
    """Departures from the engine's rules on restore, commit and undo, each breaking one
    requirement on purpose: only the calibration faults of ``_injection`` turn them on."""

    restore_keeps_newer: bool = False
    restore_drops_older: bool = False
    restore_keeps_configuration: bool = False
    restore_while_up: bool = False
    restore_keeps_memory: bool = False
    snapshots_never_unlock: bool = False
    commit_keeps_newer: bool = False
    undo_keeps_configuration: bool = False


def _busy_message(action: str, entity: str) -> str:
    return f"Cannot {action} {entity}. The VM is performing an operation on a Snapshot. Please wait for the operation to finish, and try again."


class Store:
    """Clusters, templates, VMs and snapshots of one engine."""

    def __init__(self, seed: SeedState, *, timings: Timings, clock: Clock, deviations: Deviations | None = None) -> None:
        self._lock = threading.RLock()
        self._deviations = deviations or Deviations()
        self._clock = clock
        self._timings = timings
        self._storage_domain_id = seed.storage_domain_id
        self._storage_pool_id = seed.storage_pool_id
        self._clusters = {c.id: c for c in seed.clusters}
        self._templates = {t.id: t for t in seed.templates}
        self._vms: dict[str, Vm] = {vm.id: vm for vm in seed.vms}
        self._creations: OrderedDict[str, Creation] = OrderedDict()
        first_seq = 1 + max((s.seq for vm in seed.vms for s in vm.snapshots), default=0)
        self._seq = itertools.count(first_seq)

    def now(self) -> datetime:
        return self._clock.now()

    # --- clusters and templates -----------------------------------------------------

    def clusters(self) -> list[Cluster]:
        return list(self._clusters.values())  # immutable after start

    def cluster(self, cluster_id: str) -> Cluster:
        try:
            return self._clusters[cluster_id]
        except KeyError:
            raise NotFoundError("Cluster", cluster_id) from None

    def find_cluster(self, name: str) -> Cluster | None:
        return next((c for c in self._clusters.values() if c.name == name), None)

    def templates(self) -> list[Template]:
        return list(self._templates.values())

    def template(self, template_id: str) -> Template:
        try:
            return self._templates[template_id]
        except KeyError:
            raise NotFoundError("Template", template_id) from None

    def find_template(self, name: str) -> Template | None:
        return next((t for t in self._templates.values() if t.name == name), None)

    # --- reading VMs and snapshots --------------------------------------------------

    def vms(self) -> list[VmView]:
        with self._lock:
            now = self._clock.monotonic()
            return [self._vm_view(vm, now) for vm in self._vms.values()]

    def vm(self, vm_id: str) -> VmView:
        with self._lock:
            return self._vm_view(self._vm(vm_id), self._clock.monotonic())

    def snapshots(self, vm_id: str) -> list[SnapshotView]:
        with self._lock:
            vm = self._vm(vm_id)
            now = self._clock.monotonic()
            return [self._snapshot_view(vm, s, now) for s in sorted(vm.snapshots, key=lambda s: s.seq)]

    def snapshot(self, vm_id: str, snapshot_id: str) -> SnapshotView:
        with self._lock:
            vm = self._vm(vm_id)
            return self._snapshot_view(vm, self._snapshot(vm, snapshot_id), self._clock.monotonic())

    def creation(self, vm_id: str, snapshot_id: str, creation_id: str) -> CreationView:
        with self._lock:
            creation = self._creations.get(creation_id)
            if creation is None or creation.vm_id != vm_id or creation.snapshot_id != snapshot_id:
                raise NotFoundError("Creation", creation_id)
            return self._creation_view(creation, self._clock.monotonic())

    def unlock_delay(self, vm_id: str, snapshot_id: str) -> float:
        """Seconds until the snapshot is no longer locked (0 when it is not, or is gone)."""
        with self._lock:
            vm = self._vms.get(vm_id)
            snapshot = None if vm is None else next((s for s in vm.snapshots if s.id == snapshot_id), None)
            if snapshot is None or snapshot.locked_until is None:
                return 0.0
            return max(0.0, snapshot.locked_until - self._clock.monotonic())

    # --- VMs ------------------------------------------------------------------------

    def add_vm(
        self,
        *,
        name: str,
        description: str,
        cluster: Cluster,
        template: Template,
        memory: int | None = None,
        sockets: int | None = None,
        cores: int | None = None,
    ) -> VmView:
        with self._lock:
            self._ensure_unique_name(name, "add")
            now = self._clock.now()
            config = VmConfig(
                name=name,
                description=description,
                memory=template.memory if memory is None else memory,
                sockets=template.sockets if sockets is None else sockets,
                cores=template.cores if cores is None else cores,
                os_type=template.os_type,
                # A new VM has an empty CD-ROM drive, as the engine gives it.
                cdroms=(CdromConfig(id=new_guid()),),
            )
            vm = Vm(id=new_guid(), cluster=cluster, template=template, creation_time=now, config=config, power="down")
            vm.snapshots.append(Snapshot(id=new_guid(), type="active", description=ACTIVE_DESCRIPTION, date=now, seq=next(self._seq)))
            self._vms[vm.id] = vm
            return self._vm_view(vm, self._clock.monotonic())

    def update_vm(
        self,
        vm_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        memory: int | None = None,
        sockets: int | None = None,
        cores: int | None = None,
    ) -> VmView:
        with self._lock:
            vm = self._vm(vm_id)
            now = self._clock.monotonic()
            self._ensure_idle(vm, now, "edit", "VM")
            self._ensure_not_in_preview(vm, "edit", "VM")
            if name is not None and name != vm.config.name:
                self._ensure_unique_name(name, "edit")
            config = vm.config
            if name is not None:
                config = replace(config, name=name)
            if description is not None:
                config = replace(config, description=description)
            if memory is not None:
                config = replace(config, memory=memory)
            if sockets is not None:
                config = replace(config, sockets=sockets)
            if cores is not None:
                config = replace(config, cores=cores)
            vm.config = config
            return self._vm_view(vm, now)

    def remove_vm(self, vm_id: str) -> None:
        with self._lock:
            vm = self._vm(vm_id)
            now = self._clock.monotonic()
            if self._status(vm, now) != "down":
                raise ConflictError("Cannot remove VM. VM is running.")
            self._ensure_idle(vm, now, "remove", "VM")
            self._ensure_not_in_preview(vm, "remove", "VM")
            del self._vms[vm_id]
            for creation_id in [c.id for c in self._creations.values() if c.vm_id == vm_id]:
                del self._creations[creation_id]

    def start_vm(self, vm_id: str) -> None:
        with self._lock:
            vm = self._vm(vm_id)
            now = self._clock.monotonic()
            status = self._status(vm, now)
            if status in ("up", "powering_up"):
                raise ConflictError("Cannot run VM. VM is running.")
            if status != "down":
                raise ConflictError("Cannot run VM. VM is not down.")
            self._ensure_idle(vm, now, "run", "VM")
            self._power(vm, "up", now)
            vm.start_time = self._clock.now()
            vm.stop_time = None

    def stop_vm(self, vm_id: str, *, graceful: bool = False) -> None:
        with self._lock:
            vm = self._vm(vm_id)
            now = self._clock.monotonic()
            if self._status(vm, now) not in ("up", "powering_up"):
                raise ConflictError(f"Cannot {'shutdown' if graceful else 'stop'} VM. VM is not running.")
            self._power(vm, "down", now)
            vm.stop_time = self._clock.now()

    def quiesce(self, vm_id: str, *, freeze: bool) -> None:
        """Freeze or thaw the guest's file systems: only a running VM has any."""
        with self._lock:
            vm = self._vm(vm_id)
            if self._status(vm, self._clock.monotonic()) != "up":
                what = "freeze" if freeze else "thaw"
                raise ConflictError(f"Cannot {what} VM's filesystems. VM is not running.")

    # --- snapshots ------------------------------------------------------------------

    def create_snapshot(self, vm_id: str, *, description: str, persist_memorystate: bool) -> tuple[SnapshotView, CreationView | None]:
        """Take a snapshot: it inherits the active snapshot's id, the active one gets a new id."""
        with self._lock:
            vm = self._vm(vm_id)
            now = self._clock.monotonic()
            self._ensure_idle(vm, now, "create", "Snapshot")
            self._ensure_not_in_preview(vm, "create", "Snapshot")
            active = self._active(vm)
            taken = self._clock.now()
            lock = math.inf if self._deviations.snapshots_never_unlock else self._timings.snapshot_lock_seconds
            snapshot = Snapshot(
                id=active.id,
                type="regular",
                description=description,
                date=taken,
                seq=next(self._seq),
                # A down VM has no memory to save, whatever was asked.
                persist_memorystate=persist_memorystate and self._status(vm, now) == "up",
                config=vm.config,
                ovf=self._ovf(vm, vm.config, active.id, taken),
                locked_until=now + lock if lock > 0 else None,
            )
            active.id = new_guid()
            active.date = taken
            active.seq = next(self._seq)
            vm.snapshots.append(snapshot)
            vm.config = _on_new_volumes(vm.config)
            creation = None
            if lock > 0:
                creation = Creation(id=new_guid(), vm_id=vm.id, snapshot_id=snapshot.id, done_at=now + lock)
                self._creations[creation.id] = creation
                while len(self._creations) > _MAX_CREATIONS:
                    self._creations.popitem(last=False)
            return self._snapshot_view(vm, snapshot, now), None if creation is None else self._creation_view(creation, now)

    def remove_snapshot(self, vm_id: str, snapshot_id: str) -> None:
        with self._lock:
            vm = self._vm(vm_id)
            snapshot = self._snapshot(vm, snapshot_id)
            now = self._clock.monotonic()
            if snapshot.type != "regular":
                raise ConflictError("Cannot remove Snapshot. The operation is only allowed for regular snapshots.")
            self._ensure_idle(vm, now, "remove", "Snapshot")
            self._ensure_not_in_preview(vm, "remove", "Snapshot")
            vm.snapshots.remove(snapshot)

    def begin_restore(self, vm_id: str, snapshot_id: str) -> None:
        """First half of a restore (the engine's preview): checks, then marks the VM busy."""
        self._begin(vm_id, snapshot_id, action="revert to", busy="restore")

    def finish_restore(self, vm_id: str, snapshot_id: str) -> None:
        """Second half (the engine's commit): the VM returns to the snapshot's configuration,
        newer snapshots go, the restored one stays (same id, ok), a new active snapshot."""
        with self._lock:
            vm = self._vms[vm_id]  # a busy VM cannot be removed
            try:
                target = self._snapshot(vm, snapshot_id)
                assert target.config is not None
                target.in_preview = False
                rules = self._deviations
                if rules.restore_keeps_memory:
                    vm.config = _on_new_volumes(replace(target.config, memory=vm.config.memory))
                elif not rules.restore_keeps_configuration:
                    vm.config = _on_new_volumes(target.config)
                vm.snapshots = [
                    s
                    for s in vm.snapshots
                    if s.type == "next_run"  # a change waiting for the next start is no restore's business
                    or (s.type == "regular" and (s.seq <= target.seq or rules.restore_keeps_newer) and (s.seq >= target.seq or not rules.restore_drops_older))
                ]
                vm.snapshots.append(self._new_active())
            finally:
                vm.busy = None

    def begin_preview(self, vm_id: str, snapshot_id: str) -> None:
        self._begin(vm_id, snapshot_id, action="preview", busy="preview")

    def finish_preview(self, vm_id: str, snapshot_id: str) -> None:
        """The VM runs the snapshot's configuration; the former active snapshot is kept as
        ``preview`` so that an undo can return to it."""
        with self._lock:
            vm = self._vms[vm_id]
            try:
                target = self._snapshot(vm, snapshot_id)
                assert target.config is not None
                active = self._active(vm)
                taken = self._clock.now()
                active.type = "preview"
                active.description = PREVIEW_DESCRIPTION
                active.config = vm.config
                active.ovf = self._ovf(vm, vm.config, active.id, taken)
                vm.config = _on_new_volumes(target.config)
                vm.snapshots.append(self._new_active())
            finally:
                vm.busy = None

    def commit_preview(self, vm_id: str) -> None:
        with self._lock:
            vm = self._vm(vm_id)
            target = self._previewed(vm, "commit")
            target.in_preview = False
            keep_newer = self._deviations.commit_keeps_newer
            vm.snapshots = [s for s in vm.snapshots if s.type in ("active", "next_run") or (s.type == "regular" and (s.seq <= target.seq or keep_newer))]

    def undo_preview(self, vm_id: str) -> None:
        with self._lock:
            vm = self._vm(vm_id)
            target = self._previewed(vm, "undo")
            target.in_preview = False
            saved = next(s for s in vm.snapshots if s.type == "preview")
            assert saved.config is not None
            if not self._deviations.undo_keeps_configuration:
                vm.config = saved.config
            vm.snapshots = [s for s in vm.snapshots if s.type != "active"]
            saved.type = "active"
            saved.description = ACTIVE_DESCRIPTION
            saved.config = None
            saved.ovf = None

    # --- internals (call with the lock held) ----------------------------------------

    def _begin(self, vm_id: str, snapshot_id: str, *, action: str, busy: str) -> None:
        with self._lock:
            vm = self._vm(vm_id)
            target = self._snapshot(vm, snapshot_id)
            now = self._clock.monotonic()
            # In preview, any second preview or restore is a conflict, even of the active
            # snapshot (the engine checks vmNotInPreview before the snapshot's type).
            if target.type not in ("regular", "active") or self._in_preview(vm):
                raise ConflictError(f"Cannot {action} Snapshot. VM is in preview mode.")
            if target.type == "active":
                raise RefusedError("Cannot preview Active VM snapshot.")
            if self._status(vm, now) != "down" and not (busy == "restore" and self._deviations.restore_while_up):
                raise ConflictError(f"Cannot {action} Snapshot. At least one of the VMs is not down.")
            self._ensure_idle(vm, now, action, "Snapshot")
            vm.busy = busy
            target.in_preview = True

    def _previewed(self, vm: Vm, action: str) -> Snapshot:
        now = self._clock.monotonic()
        self._ensure_idle(vm, now, action, "Snapshot")
        target = next((s for s in vm.snapshots if s.in_preview), None)
        if target is None:
            raise ConflictError(f"Cannot {action} Snapshot. VM is not in preview mode.")
        if self._status(vm, now) != "down":
            raise ConflictError(f"Cannot {action} Snapshot. At least one of the VMs is not down.")
        return target

    def _vm(self, vm_id: str) -> Vm:
        try:
            return self._vms[vm_id]
        except KeyError:
            raise NotFoundError("VM", vm_id) from None

    @staticmethod
    def _snapshot(vm: Vm, snapshot_id: str) -> Snapshot:
        for snapshot in vm.snapshots:
            if snapshot.id == snapshot_id:
                return snapshot
        raise NotFoundError("Snapshot", snapshot_id)

    @staticmethod
    def _active(vm: Vm) -> Snapshot:
        actives = [s for s in vm.snapshots if s.type == "active"]
        assert len(actives) == 1, f"VM {vm.id} has {len(actives)} active snapshots"
        return actives[0]

    def _new_active(self) -> Snapshot:
        return Snapshot(id=new_guid(), type="active", description=ACTIVE_DESCRIPTION, date=self._clock.now(), seq=next(self._seq))

    def _status(self, vm: Vm, now: float) -> VmStatus:
        if vm.transition is not None:
            target, deadline = vm.transition
            if now < deadline:
                return "powering_up" if target == "up" else "powering_down"
            vm.power, vm.transition = target, None
        return vm.power

    def _power(self, vm: Vm, target: PowerState, now: float) -> None:
        seconds = self._timings.vm_transition_seconds
        if seconds > 0:
            vm.transition = (target, now + seconds)
        else:
            vm.power, vm.transition = target, None

    def _ensure_idle(self, vm: Vm, now: float, action: str, entity: str) -> None:
        if vm.busy is not None or any(s.status(now) == "locked" for s in vm.snapshots):
            raise ConflictError(_busy_message(action, entity))

    @staticmethod
    def _in_preview(vm: Vm) -> bool:
        return any(s.in_preview or s.type == "preview" for s in vm.snapshots)

    def _ensure_not_in_preview(self, vm: Vm, action: str, entity: str) -> None:
        if self._in_preview(vm):
            raise ConflictError(f"Cannot {action} {entity}. VM is in preview mode.")

    def _ensure_unique_name(self, name: str, action: str) -> None:
        if any(vm.config.name == name for vm in self._vms.values()):
            raise ConflictError(f"Cannot {action} VM. The VM name is already in use, please choose a unique name and try again.")

    def _ovf(self, vm: Vm, config: VmConfig, snapshot_id: str, taken: datetime) -> str:
        context = OvfContext(
            vm_id=vm.id,
            snapshot_id=snapshot_id,
            template=vm.template,
            vm_creation_time=vm.creation_time,
            taken=taken,
            storage_domain_id=self._storage_domain_id,
            storage_pool_id=self._storage_pool_id,
        )
        return build_ovf(config, context)

    def _vm_view(self, vm: Vm, now: float) -> VmView:
        return VmView(
            id=vm.id,
            cluster=vm.cluster,
            template=vm.template,
            creation_time=vm.creation_time,
            config=vm.config,
            status=self._status(vm, now),
            start_time=vm.start_time,
            stop_time=vm.stop_time,
            next_run_configuration_exists=any(s.type == "next_run" for s in vm.snapshots),
        )

    @staticmethod
    def _snapshot_view(vm: Vm, snapshot: Snapshot, now: float) -> SnapshotView:
        return SnapshotView(
            id=snapshot.id,
            vm_id=vm.id,
            type=snapshot.type,
            description=snapshot.description,
            date=snapshot.date,
            status=snapshot.status(now),
            persist_memorystate=snapshot.persist_memorystate,
            config=vm.config if snapshot.config is None else snapshot.config,
            ovf=snapshot.ovf,
            cluster_id=vm.cluster.id,
            template_id=vm.template.id,
            vm_creation_time=vm.creation_time,
        )

    @staticmethod
    def _creation_view(creation: Creation, now: float) -> CreationView:
        return CreationView(
            id=creation.id,
            vm_id=creation.vm_id,
            snapshot_id=creation.snapshot_id,
            state="complete" if now >= creation.done_at else "pending",
        )


def _on_new_volumes(config: VmConfig) -> VmConfig:
    """After a snapshot (or a restore) the VM writes to new copy-on-write volumes on top
    of the frozen ones."""
    return replace(config, disks=tuple(replace(d, image_id=new_guid(), format="cow", sparse=True) for d in config.disks))
