"""The ledger of everything the suite created, and the teardown that removes it all.

Safety rule (engine-surface.md): the suite changes only what it created in this run, and
removes all of it at the end, also after failures and interruptions. Whatever could not
be removed is reported, never silently left behind.

The ledger lives on disk too (``ledger-<run id>.json`` in the report directory, one per
xdist worker): each resource is written *before* the request that creates it is sent, and
marked removed as teardown goes, so ``snapshot-conformance cleanup`` can finish the job
after a SIGKILL or a crashed CI runner (:meth:`Ledger.load`, then :meth:`Ledger.clean_up`,
the same teardown a run does). Teardown waits for the engine: a removal refused while a
snapshot is locked or the VM changes power (409) is retried until its deadline, and a
preview the suite started is undone first. A second interrupt (:attr:`Ledger.hurry`) makes
it give up on waits, never skip what it can still do at once.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.client.engine import EngineAPI, EngineError, VmRef
from conformance.reports._common import write_atomically
from conformance.reports.model import CreatedResource

__all__ = ["LEDGER_GLOB", "RUN_VM_NAME", "Ledger", "LedgerError", "ledger_name", "run_marker", "run_vm_name"]

#: the ledger files of a report directory
LEDGER_GLOB = "ledger-*.json"
#: the name of a VM a run created for itself (:func:`run_vm_name`): another run's VM is
#: never sampled as an existing VM, and ``cleanup`` without a ledger lists these only
RUN_VM_NAME = re.compile(r"conformance-[0-9a-f]{8}")
_FORMAT = 1


class LedgerError(ValueError):
    """A ledger file that cannot be read; ``str()`` names the file and what is wrong."""


def ledger_name(run_id: str, worker: str | None = None) -> str:
    return f"ledger-{run_id}{'-' + worker if worker else ''}.json"


def run_vm_name(run_id: str) -> str:
    return f"conformance-{run_id}"


def run_marker(run_id: str) -> str:
    """What every description the suite writes starts with (``conformance <run id>``)."""
    return f"conformance {run_id}"


@dataclass
class _Entry:
    kind: str  # "vm" | "snapshot"
    vm: VmRef
    snapshot_id: str | None = None
    removed: bool = False
    error: str | None = None
    #: a VM whose create request was (about to be) sent, its id not known yet
    pending: bool = False

    @property
    def href(self) -> str:
        if self.snapshot_id is None:
            return self.vm.href or f"vms?search=name%3D{self.vm.name}"
        return f"{self.vm.href}/snapshots/{self.snapshot_id}"


@dataclass
class _Borrowed:
    """A disposable VM (``--vm``) the suite may change, and how it was before."""

    vm: VmRef
    description: str | None
    memory: str | None
    status: str
    snapshots_before: tuple[str, ...] = ()
    put_back: bool = False


@dataclass
class _Preview:
    vm: VmRef
    undone: bool = False


@dataclass
class _Header:
    run_id: str = ""
    engine_url: str = ""
    api_version: str = ""
    username: str = ""
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    finished: str | None = None


class Ledger:
    """Records creations as they happen; :meth:`clean_up` removes what is still there."""

    def __init__(self, path: Path | None = None, *, run_id: str = "", engine_url: str = "", api_version: str = "", username: str = "") -> None:
        self._lock = threading.RLock()
        self._path = path
        self._header = _Header(run_id=run_id, engine_url=engine_url, api_version=api_version, username=username)
        self._entries: list[_Entry] = []
        self._borrowed: list[_Borrowed] = []
        self._previews: list[_Preview] = []
        self._problems: list[str] = []
        #: set on a second interrupt: teardown stops waiting and retrying
        self.hurry = threading.Event()
        self._save()

    # -- what the run records ------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def run_id(self) -> str:
        return self._header.run_id

    @property
    def engine_url(self) -> str:
        return self._header.engine_url

    @property
    def api_version(self) -> str:
        return self._header.api_version

    def vm_borrowed(self, vm: VmRef, *, description: str | None, memory: str | None, status: str, snapshots_before: Iterable[str] = ()) -> None:
        """A disposable VM (``--vm``) the suite may change: its description, memory and power
        state are put back at the end, and snapshots of this run on it removed."""
        with self._lock:
            self._borrowed.append(_Borrowed(vm, description, memory, status, tuple(snapshots_before)))
            self._save()

    def vm_creating(self, name: str) -> None:
        """Written before the create request of the suite's VM is sent."""
        with self._lock:
            self._entries.append(_Entry("vm", VmRef(id="", href="", name=name), pending=True))
            self._save()

    def vm_created(self, vm: VmRef) -> None:
        with self._lock:
            entry = next((e for e in self._entries if e.kind == "vm" and e.pending and e.vm.name == vm.name), None)
            if entry is None:
                self._entries.append(_Entry("vm", vm))
            else:
                entry.vm, entry.pending = vm, False
            self._save()

    def snapshot_created(self, vm: VmRef, snapshot_id: str) -> None:
        with self._lock:
            self._entries.append(_Entry("snapshot", vm, snapshot_id))
            self._save()

    def preview_started(self, vm: VmRef) -> None:
        """Written before a preview request is sent: teardown undoes it unless :meth:`preview_ended`."""
        with self._lock:
            self._previews.append(_Preview(vm))
            self._save()

    def preview_ended(self, vm: VmRef) -> None:
        with self._lock:
            for preview in self._previews:
                if preview.vm.id == vm.id:
                    preview.undone = True
            self._save()

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
            self._save()

    # -- teardown --------------------------------------------------------------------------
    def clean_up(self, api: EngineAPI, *, deadline: float | None = None) -> tuple[CreatedResource, ...]:
        """Remove every resource still present, newest first, put borrowed VMs back; never
        raises. ``deadline`` (seconds, per step) bounds how long a refused step is retried
        (default: the API's snapshot timeout)."""
        wait = api.snapshot_timeout if deadline is None else deadline
        with self._lock:
            entries = list(reversed(self._entries))
            previews = [p for p in self._previews if not p.undone]
        for preview in previews:
            problem = f"could not undo the preview of the VM {preview.vm.name!r}"
            self._step(problem, lambda p=preview: _undo_preview(api, p.vm), wait, on_done=lambda p=preview: setattr(p, "undone", True))
        own_vms = {e.vm.id for e in entries if e.kind == "vm" and not e.pending}
        for entry in entries:
            if entry.removed or (entry.kind == "snapshot" and entry.vm.id in own_vms):
                continue  # removing the suite's own VM removes its snapshots with it
            self._remove(api, entry, wait)
        for borrowed in self._borrowed:
            if not borrowed.put_back:
                self._give_back(api, borrowed, wait)
        for entry in entries:
            if entry.kind == "snapshot" and entry.vm.id in own_vms and not entry.removed:
                vm_entry = next(e for e in entries if e.kind == "vm" and e.vm.id == entry.vm.id)
                entry.removed, entry.error = vm_entry.removed, vm_entry.error
        with self._lock:
            self._header.finished = datetime.now(UTC).isoformat()
            self._save()
        return self.resources()

    def _remove(self, api: EngineAPI, entry: _Entry, wait: float) -> None:
        def attempt() -> None:
            if entry.kind == "snapshot":
                assert entry.snapshot_id is not None
                api.delete_snapshot(entry.vm, entry.snapshot_id)
                return
            if entry.pending:  # the create request may or may not have reached the engine
                found = api.find_vm(entry.vm.name)
                if found is None:
                    return
                entry.vm, entry.pending = found, False
            _remove_vm(api, entry.vm)

        def done() -> None:
            entry.removed, entry.error = True, None

        error = self._retry(attempt, wait)
        if error is None:
            done()
        else:
            entry.error = error
        with self._lock:
            self._save()

    def _give_back(self, api: EngineAPI, borrowed: _Borrowed, wait: float) -> None:
        marker = run_marker(self.run_id) if self.run_id else None

        def attempt() -> None:
            if marker is not None:  # snapshots of this run the ledger missed (a kill mid-create)
                known = set(self.snapshots_of(borrowed.vm))
                for snapshot in api.snapshots(borrowed.vm):
                    sid = snapshot.get("id", "")
                    text = snapshot.findtext("description") or ""
                    if sid not in borrowed.snapshots_before and sid not in known and text.startswith(marker):
                        api.delete_snapshot(borrowed.vm, sid)
            _put_back(api, borrowed)

        error = self._retry(attempt, wait)
        if error is None:
            borrowed.put_back = True
        else:
            self._problems.append(f"could not put the VM {borrowed.vm.name!r} back as it was: {error}")
        with self._lock:
            self._save()

    def _step(self, problem: str, attempt: Callable[[], None], wait: float, *, on_done: Callable[[], None]) -> None:
        error = self._retry(attempt, wait)
        if error is None:
            on_done()
        else:
            self._problems.append(f"{problem}: {error}")
        with self._lock:
            self._save()

    def _retry(self, attempt: Callable[[], None], wait: float) -> str | None:
        """Run ``attempt`` until it works or ``wait`` seconds pass (at once only when
        hurried); return None, or the last error as one sentence."""
        end = time.monotonic() + wait
        delay = 0.5
        while True:
            try:
                attempt()
                return None
            except (EngineError, OSError) as error:
                last = str(error)
            except Exception as error:  # teardown must go on whatever the engine does
                last = f"{type(error).__name__}: {error}"
            remaining = end - time.monotonic()
            if self.hurry.is_set() or remaining <= 0:
                return last
            self.hurry.wait(min(delay, remaining))
            delay = min(delay * 2, 5.0)

    # -- reading and writing ------------------------------------------------------------
    @property
    def problems(self) -> tuple[str, ...]:
        """What teardown could not do besides removing resources (put a borrowed VM back)."""
        return tuple(self._problems)

    def resources(self) -> tuple[CreatedResource, ...]:
        with self._lock:
            return tuple(CreatedResource(kind=e.kind, href=e.href, removed=e.removed, error=e.error) for e in self._entries)  # type: ignore[arg-type]

    def outstanding(self) -> list[str]:
        """What is still to do, one line each (``cleanup`` lists it)."""
        with self._lock:
            own_vms = {e.vm.id for e in self._entries if e.kind == "vm" and not e.removed}
            lines = [f"undo the preview of the VM {p.vm.name!r}" for p in self._previews if not p.undone]
            for e in self._entries:
                if e.removed or (e.kind == "snapshot" and e.vm.id in own_vms):
                    continue
                lines.append(f"remove the VM {e.vm.name!r} ({e.href})" if e.kind == "vm" else f"remove the snapshot {e.href}")
            lines += [f"put the VM {b.vm.name!r} back as it was" for b in self._borrowed if not b.put_back]
            return lines

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "ledger": _FORMAT,
                **asdict(self._header),
                "how_to_remove": "snapshot-conformance cleanup --ledger THIS-FILE (with run's connection options)",
                "resources": [
                    {"kind": e.kind, "vm": asdict(e.vm), "snapshot_id": e.snapshot_id, "pending": e.pending, "removed": e.removed, "error": e.error}
                    for e in self._entries
                ],
                "borrowed": [{**asdict(b), "vm": asdict(b.vm), "snapshots_before": list(b.snapshots_before)} for b in self._borrowed],
                "previews": [{"vm": asdict(p.vm), "undone": p.undone} for p in self._previews],
                "problems": list(self._problems),
            }

    def _save(self) -> None:
        if self._path is not None:
            write_atomically(self._path, (json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8"))

    @classmethod
    def load(cls, path: Path) -> Ledger:
        """A ledger file as written by a run; :meth:`clean_up` then finishes its teardown
        (and writes its progress back into the file)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("ledger") != _FORMAT:
                raise LedgerError(f"{path}: not a snapshot-conformance ledger (format {_FORMAT})")
            book = cls(None, run_id=data["run_id"], engine_url=data["engine_url"], api_version=data["api_version"], username=data.get("username", ""))
            book._header.started, book._header.finished = data.get("started", ""), data.get("finished")
            for item in data["resources"]:
                entry = _Entry(item["kind"], VmRef(**item["vm"]), item["snapshot_id"], removed=item["removed"], error=item["error"])
                entry.pending = bool(item.get("pending", False))
                book._entries.append(entry)
            for item in data["borrowed"]:
                item = {**item, "vm": VmRef(**item["vm"]), "snapshots_before": tuple(item["snapshots_before"])}
                book._borrowed.append(_Borrowed(**item))
            for item in data["previews"]:
                book._previews.append(_Preview(VmRef(**item["vm"]), undone=item["undone"]))
        except LedgerError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise LedgerError(f"{path}: unreadable ledger ({type(error).__name__}: {error})") from None
        book._path = path
        return book


def _put_back(api: EngineAPI, borrowed: _Borrowed) -> None:
    vm = borrowed.vm
    now = api.get_vm(vm)
    changed: dict[str, str] = {}
    if borrowed.description is not None and now.findtext("description") != borrowed.description:
        changed["description"] = borrowed.description
    if borrowed.memory is not None and (now.findtext("memory") or "").strip() != borrowed.memory:
        changed["memory"] = borrowed.memory
    if changed:
        api.update_vm(vm, **changed)
    current = api.dialect.status_text(now) or ""
    if borrowed.status == "up" and current != "up":
        api.start_vm(vm)
    elif borrowed.status == "down" and current not in ("down", ""):
        api.stop_vm(vm)


def _undo_preview(api: EngineAPI, vm: VmRef) -> None:
    """Undo a preview the suite started; nothing to do when the VM has no preview snapshot."""
    type_element = api.dialect.type_element
    if not any((s.findtext(type_element) or "").strip() == "preview" for s in api.snapshots(vm)):
        return
    response = api.vm_action(vm, "undosnapshot")
    if response.status_code not in (200, 202):
        raise EngineError(f"undo of the preview of the VM {vm.name!r}: the engine answered {response.status_code}")
    api.wait_idle(vm)


def _remove_vm(api: EngineAPI, vm: VmRef) -> None:
    status = api.vm_status(vm)
    if status and status != "down":
        if status in ("up", "powering_up", "paused"):
            api.vm_action(vm, "stop")
        api.wait_vm_status(vm, "down")
    api.delete_vm(vm)
