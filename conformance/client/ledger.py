"""The ledger of everything the suite created, and the teardown that removes it all.

Safety rule (engine-surface.md): the suite changes only what it created in this run, and
removes all of it at the end, also after failures and interruptions. Whatever could not
be removed is reported, never silently left behind.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from conformance.client.engine import EngineAPI, EngineError, VmRef
from conformance.reports.model import CreatedResource

__all__ = ["Ledger"]


@dataclass
class _Entry:
    kind: str  # "vm" | "snapshot"
    vm: VmRef
    snapshot_id: str | None = None
    removed: bool = False
    error: str | None = None

    @property
    def href(self) -> str:
        return self.vm.href if self.snapshot_id is None else f"{self.vm.href}/snapshots/{self.snapshot_id}"


class Ledger:
    """Records creations as they happen; :meth:`clean_up` removes what is still there."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[_Entry] = []
        self._borrowed: list[tuple[VmRef, str | None, str | None, str]] = []
        self._problems: list[str] = []

    def vm_borrowed(self, vm: VmRef, *, description: str | None, memory: str | None, status: str) -> None:
        """A disposable VM (``--vm``) the suite may change: its description, memory and power
        state are put back at the end."""
        with self._lock:
            self._borrowed.append((vm, description, memory, status))

    def vm_created(self, vm: VmRef) -> None:
        with self._lock:
            self._entries.append(_Entry("vm", vm))

    def snapshot_created(self, vm: VmRef, snapshot_id: str) -> None:
        with self._lock:
            self._entries.append(_Entry("snapshot", vm, snapshot_id))

    def owns_vm(self, vm: VmRef) -> bool:
        with self._lock:
            return any(e.kind == "vm" and e.vm.id == vm.id for e in self._entries)

    def snapshots_of(self, vm: VmRef) -> list[str]:
        with self._lock:
            return [e.snapshot_id for e in self._entries if e.snapshot_id is not None and e.vm.id == vm.id and not e.removed]

    def mark_removed(self, vm: VmRef, snapshot_id: str) -> None:
        """A test removed one of the suite's snapshots itself (delete or restore)."""
        with self._lock:
            for entry in self._entries:
                if entry.vm.id == vm.id and entry.snapshot_id == snapshot_id:
                    entry.removed = True

    def clean_up(self, api: EngineAPI) -> tuple[CreatedResource, ...]:
        """Remove every resource still present, newest first; never raises."""
        with self._lock:
            entries = list(reversed(self._entries))
        own_vms = {e.vm.id for e in entries if e.kind == "vm"}
        for entry in entries:
            if entry.removed:
                continue
            try:
                if entry.kind == "snapshot" and entry.vm.id in own_vms:
                    # Removing the suite's own VM removes its snapshots with it.
                    continue
                if entry.kind == "snapshot":
                    assert entry.snapshot_id is not None
                    api.delete_snapshot(entry.vm, entry.snapshot_id)
                else:
                    _remove_vm(api, entry.vm)
                entry.removed = True
            except (EngineError, OSError) as error:
                entry.error = str(error)
            except Exception as error:  # teardown must go on whatever the engine does
                entry.error = f"{type(error).__name__}: {error}"
        for vm, description, memory, status in self._borrowed:
            try:
                _give_back(api, vm, description, memory, status)
            except Exception as error:  # reported, never raised from teardown
                self._problems.append(f"could not put the VM {vm.name!r} back as it was: {error}")
        for entry in entries:
            if entry.kind == "snapshot" and entry.vm.id in own_vms and not entry.removed:
                vm_entry = next(e for e in entries if e.kind == "vm" and e.vm.id == entry.vm.id)
                entry.removed, entry.error = vm_entry.removed, vm_entry.error
        return self.resources()

    @property
    def problems(self) -> tuple[str, ...]:
        """What teardown could not do besides removing resources (put a borrowed VM back)."""
        return tuple(self._problems)

    def resources(self) -> tuple[CreatedResource, ...]:
        with self._lock:
            return tuple(CreatedResource(kind=e.kind, href=e.href, removed=e.removed, error=e.error) for e in self._entries)  # type: ignore[arg-type]


def _give_back(api: EngineAPI, vm: VmRef, description: str | None, memory: str | None, status: str) -> None:
    now = api.get_vm(vm)
    changed: dict[str, str] = {}
    if description is not None and now.findtext("description") != description:
        changed["description"] = description
    if memory is not None and (now.findtext("memory") or "").strip() != memory:
        changed["memory"] = memory
    if changed:
        api.update_vm(vm, **changed)
    current = api.dialect.status_text(now) or ""
    if status == "up" and current != "up":
        api.start_vm(vm)
    elif status == "down" and current not in ("down", ""):
        api.stop_vm(vm)


def _remove_vm(api: EngineAPI, vm: VmRef) -> None:
    status = api.vm_status(vm)
    if status and status != "down":
        if status in ("up", "powering_up", "paused"):
            api.vm_action(vm, "stop")
        api.wait_vm_status(vm, "down")
    api.delete_vm(vm)
