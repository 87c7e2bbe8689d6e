"""How the faults and variants of ``_injection`` behave.

Three seams, all inert unless a fault or variant is switched on:

* :class:`InjectionMiddleware` wraps the whole application, outside authentication and
  negotiation: before the engine sees a request it may change its headers, method, path
  or (XML) body, or answer it itself; afterwards it may change the answer's status,
  headers or body;
* :func:`reshape`, called by ``Call.respond`` on every document before it is rendered,
  changes the neutral node tree, so a fault shows alike in XML and JSON unless it is
  meant to tell them apart;
* :func:`deviations` turns the faults on restore, commit and undo into the store's
  :class:`~conformance.engine._store.Deviations`.

Each fault or variant is one :class:`Behaviour` in :data:`BEHAVIOURS`, made of up to
three small functions (``before``, ``after``, ``node``); the engine stays the reference
everywhere else, and never answers a 5xx unless a fault exists to produce it.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import html
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING

from lxml import etree
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conformance import safexml
from conformance.engine._auth import is_authorized
from conformance.engine._errors import StoreError
from conformance.engine._ids import is_guid, normalize_guid
from conformance.engine._injection import FAULTS, VARIANTS
from conformance.engine._negotiation import negotiate
from conformance.engine._nodes import Node, el
from conformance.engine._repr import API_PATH, Representer
from conformance.engine._serialize import MEDIA_TYPES, Format
from conformance.engine._store import Deviations
from conformance.engine._xml import xs_datetime

if TYPE_CHECKING:
    from conformance.engine._context import EngineContext
    from conformance.engine._http import Call

__all__ = ["BEHAVIOURS", "SCOPE_KEY", "Behaviour", "InjectionMiddleware", "Injector", "deviations", "reshape"]

#: where the middleware leaves the injector for :func:`reshape`
SCOPE_KEY = "conformance.engine.injector"
_log = logging.getLogger("conformance.engine.injection")

# Paths under the API root, with or without a /v{N} prefix.
_API = re.escape(API_PATH) + r"(?:/v[0-9]+)?"
_ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("collection", re.compile(_API + r"/vms/(?P<vm>[^/]+)/snapshots/?")),
    ("snapshot", re.compile(_API + r"/vms/(?P<vm>[^/]+)/snapshots/(?P<snap>[^/]+)/?")),
    ("restore", re.compile(_API + r"/vms/(?P<vm>[^/]+)/snapshots/(?P<snap>[^/]+)/restore/?")),
    ("sub-collection", re.compile(_API + r"/vms/(?P<vm>[^/]+)/snapshots/(?P<snap>[^/]+)/(?P<tail>disks|nics|cdroms)/?")),
    ("vm-action", re.compile(_API + r"/vms/(?P<vm>[^/]+)/(?P<tail>[a-z]+snapshot|freezefilesystems|thawfilesystems|start|stop|shutdown)/?")),
)
_HREF_SNAPSHOT = re.compile(r"(/snapshots/)([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})")
_HREF_VM = re.compile(r"(/vms/)([0-9a-f-]{36})(/snapshots/)")
_HREF_ROOT = re.compile(_API + "/")
_DASHLESS = re.compile(rb"(?<![0-9a-fA-F-])([0-9a-fA-F]{8})([0-9a-fA-F]{4})([0-9a-fA-F]{4})([0-9a-fA-F]{4})([0-9a-fA-F]{12})(?![0-9a-fA-F-])")
_OPTIONAL_ACTIONS = frozenset({"freezefilesystems", "thawfilesystems", "previewsnapshot", "commitsnapshot", "undosnapshot"})
_MALFORMED_REASON = "Request syntactically incorrect"  # the reason of _faults.malformed_body
# How long a new snapshot of a down VM shows "pending" (new-snapshot-pending): long enough
# for the first poll after the create answer to see it, even on a busy machine.
_PENDING_SECONDS = 0.5


# --- one exchange as the middleware sees it ---------------------------------------------------


@dataclass(frozen=True)
class Route:
    """What a path names: ``kind`` is collection, snapshot, restore, sub-collection, vm-action or other."""

    kind: str
    vm_id: str | None = None
    #: the snapshot id, lower case when it is a GUID, else as written (matrix parameters dropped)
    snapshot_id: str | None = None
    #: the sub-collection or the VM action
    tail: str | None = None

    @classmethod
    def of(cls, path: str) -> Route:
        for kind, pattern in _ROUTES:
            found = pattern.fullmatch(path)
            if found is not None:
                groups = found.groupdict()
                raw = groups.get("snap")
                snapshot = None if raw is None else raw.split(";", 1)[0]
                return cls(kind, _guid_or_raw(groups["vm"]), None if snapshot is None else _guid_or_raw(snapshot), groups.get("tail"))
        return cls("other")


def _guid_or_raw(value: str) -> str:
    return normalize_guid(value) or value


@dataclass
class Exchange:
    """A request on its way in, and then its answer on its way out; rules change both."""

    method: str
    path: str
    route: Route
    headers: list[tuple[bytes, bytes]]
    body: bytes | None = None
    #: the query string, as sent (rules may change it)
    query: str = ""
    #: the state before the engine saw the request: the snapshot's type (None: unknown
    #: snapshot), the VM's status (None: unknown VM), whether the VM is in preview
    snapshot_type: str | None = None
    vm_status: str | None = None
    in_preview: bool = False
    #: notes a ``before`` rule leaves for its ``after`` rule
    notes: set[str] = field(default_factory=set)
    status: int = 0
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    response_body: bytes = b""

    def header(self, name: str, *, response: bool = False) -> str | None:
        wanted = name.lower().encode("latin-1")
        for key, value in self.response_headers if response else self.headers:
            if key.lower() == wanted:
                return value.decode("latin-1")
        return None

    def set_header(self, name: str, value: str | None, *, response: bool = False) -> None:
        """Replace (or with None remove) every header ``name``."""
        wanted = name.lower().encode("latin-1")
        kept = [(k, v) for k, v in (self.response_headers if response else self.headers) if k.lower() != wanted]
        if value is not None:
            kept.append((wanted, value.encode("latin-1")))
        if response:
            self.response_headers = kept
        else:
            self.headers = kept

    @property
    def fmt(self) -> Format:
        """The format the answer takes (XML when the Accept header cannot be met)."""
        return negotiate(self.header("accept")) or "xml"

    @property
    def media_type(self) -> str:
        return (self.header("content-type", response=True) or "").split(";", 1)[0].strip().lower()

    def reply(self, status: int, body: bytes = b"", media_type: str | None = None) -> None:
        """Answer with ``status`` and ``body`` (replacing whatever was there)."""
        self.status = status
        self.response_headers = [] if media_type is None else [(b"content-type", media_type.encode("latin-1"))]
        self.response_body = body


@dataclass(frozen=True)
class Behaviour:
    """What one fault or variant does; every part is optional.

    ``before`` runs before the engine sees the request; when it sets ``exchange.status``
    the engine is not asked at all. ``after`` runs on the answer. ``node`` reshapes a
    document about to be rendered.
    """

    before: Callable[[Injector, Exchange], None] | None = None
    after: Callable[[Injector, Exchange], None] | None = None
    node: Callable[[Injector, Node, Call, int], Node] | None = None


# --- the injector: the active behaviours and their state ---------------------------------------


class Injector:
    """The faults and variants one engine runs with, and what they remember."""

    def __init__(self, engine: EngineContext, faults: frozenset[str], variants: frozenset[str]) -> None:
        self.engine = engine
        self.names = faults | variants
        # in registry order, so that rules run in a fixed order
        self.behaviours = tuple(BEHAVIOURS[name] for name in (*FAULTS, *VARIANTS) if name in self.names)
        self.started = datetime.now(UTC)
        #: the VMs of the seeded state (seeded-vm-without-active)
        self.seeded = frozenset(vm.id for vm in engine.store.vms())
        self._lock = threading.Lock()
        #: snapshot id -> (the VM's status when it was created, monotonic time of creation)
        self._created: dict[str, tuple[str, float]] = {}
        self._restored: set[str] = set()
        #: descriptions a PUT changed (put-applied, put-refused-but-applied)
        self._descriptions: dict[str, str] = {}

    # --- what the behaviours remember ------------------------------------------------

    def note_created(self, snapshot_id: str, vm_status: str) -> None:
        with self._lock:
            self._created.setdefault(snapshot_id, (vm_status, time.monotonic()))

    def created(self, snapshot_id: str) -> tuple[str, float] | None:
        with self._lock:
            return self._created.get(snapshot_id)

    def note_restored(self, snapshot_id: str) -> None:
        with self._lock:
            self._restored.add(snapshot_id)

    def restored(self, snapshot_id: str) -> bool:
        with self._lock:
            return snapshot_id in self._restored

    def note_description(self, snapshot_id: str, description: str) -> None:
        with self._lock:
            self._descriptions[snapshot_id] = description

    def description(self, snapshot_id: str) -> str | None:
        with self._lock:
            return self._descriptions.get(snapshot_id)

    # --- the hooks -------------------------------------------------------------------

    def reshape(self, node: Node, call: Call, status: int) -> Node:
        if call.request.method == "POST" and node.name == "snapshot" and "id" in node.attrs:
            vm = _vm_id_of(node)
            if vm is not None:
                self.note_created(str(node.attrs["id"]), self.vm_status(vm) or "down")
        for snapshot in _snapshots(node):  # descriptions a PUT changed (put-applied, put-refused-but-applied)
            changed = self.description(str(snapshot.attrs.get("id", "")))
            if changed is not None:
                _set_text(snapshot, "description", changed)
        for behaviour in self.behaviours:
            if behaviour.node is not None:
                node = behaviour.node(self, node, call, status)
        return node

    def before(self, exchange: Exchange) -> None:
        self._observe(exchange)
        for behaviour in self.behaviours:
            if behaviour.before is not None:
                behaviour.before(self, exchange)
                if exchange.status:
                    return

    def after(self, exchange: Exchange) -> None:
        if exchange.route.kind == "restore" and exchange.status == 200 and exchange.route.snapshot_id:
            self.note_restored(exchange.route.snapshot_id)
        for behaviour in self.behaviours:
            if behaviour.after is not None:
                behaviour.after(self, exchange)

    # --- reading the engine's state ------------------------------------------------------

    def vm_status(self, vm_id: str) -> str | None:
        try:
            return self.engine.store.vm(vm_id).status
        except StoreError:
            return None

    def _observe(self, exchange: Exchange) -> None:
        route = exchange.route
        if route.vm_id is None or not is_guid(route.vm_id):
            return
        store = self.engine.store
        try:
            snapshots = store.snapshots(route.vm_id)
        except StoreError:
            return
        exchange.vm_status = self.vm_status(route.vm_id)
        exchange.in_preview = any(s.status == "in_preview" or s.type == "preview" for s in snapshots)
        exchange.snapshot_type = next((s.type for s in snapshots if s.id == route.snapshot_id), None)

    # --- building answers ----------------------------------------------------------------

    def representer(self, exchange: Exchange) -> Representer:
        """The representer of the request's dialect: an answer the middleware makes up is
        shaped like the engine's (a v4 action has a plain status, a v3 one a nested state)."""
        selection = self.engine.dialects.select(exchange.path, exchange.header("version"))
        return self.engine.representer if selection is None else selection.representer

    def fault_body(self, exchange: Exchange, reason: str, detail: str | None, *, as_action: bool = False) -> tuple[bytes, str]:
        representer = self.representer(exchange)
        node = representer.failed_action(reason, detail) if as_action else representer.fault(reason, detail)
        fmt = exchange.fmt
        return representer.render(node, fmt), MEDIA_TYPES[fmt]

    def refuse(self, exchange: Exchange, status: int, detail: str, *, as_action: bool = False) -> None:
        body, media_type = self.fault_body(exchange, "Operation Failed", f"[{detail}]", as_action=as_action)
        exchange.reply(status, body, media_type)

    def complete(self, exchange: Exchange) -> None:
        fmt, representer = exchange.fmt, self.representer(exchange)
        exchange.reply(200, representer.render(representer.action(), fmt), MEDIA_TYPES[fmt])


def deviations(faults: frozenset[str]) -> Deviations:
    """The store's departures from the engine's rules that ``faults`` call for."""
    return Deviations(
        restore_keeps_newer=bool({"restore-keeps-newer", "restore-keeps-newer-no-memory-option"} & faults),
        restore_drops_older="restore-drops-older" in faults,
        restore_keeps_configuration=bool({"restore-keeps-configuration", "restore-keeps-configuration-no-memory-option"} & faults),
        restore_while_up="restore-while-up" in faults,
        commit_keeps_newer="commit-keeps-newer" in faults,
        undo_keeps_configuration="undo-keeps-configuration" in faults,
        restore_keeps_memory="restore-keeps-memory" in faults,
        snapshots_never_unlock="snapshots-never-unlock" in faults,
    )


def reshape(node: Node, call: Call, status: int) -> Node:
    """``node`` as the active faults and variants of the request's engine would show it."""
    injector = call.request.scope.get(SCOPE_KEY)
    return injector.reshape(node, call, status) if isinstance(injector, Injector) else node


# --- the middleware ------------------------------------------------------------------------------


class InjectionMiddleware:
    """The outermost layer of an engine with faults or variants (see the module's docstring)."""

    def __init__(self, app: ASGIApp, injector: Injector) -> None:
        self.app = app
        self.injector = injector
        self.limit = injector.engine.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        exchange = Exchange(str(scope["method"]).upper(), path, Route.of(path), list(scope["headers"]), query=query)
        replay: Receive = receive
        if exchange.method in ("POST", "PUT"):
            replay = await self._buffer(exchange, receive)
        original_body = exchange.body
        self.injector.before(exchange)
        if not exchange.status:
            if exchange.body is not original_body:
                replay = _replaying(exchange.body or b"", receive)
                exchange.set_header("content-length", str(len(exchange.body or b"")))
                exchange.set_header("transfer-encoding", None)
            inner = dict(
                scope,
                method=exchange.method,
                headers=exchange.headers,
                path=exchange.path,
                raw_path=exchange.path.encode("latin-1"),
                query_string=exchange.query.encode("latin-1"),
            )
            inner[SCOPE_KEY] = self.injector
            await self._forward(inner, replay, exchange)
        self.injector.after(exchange)
        if exchange.status >= 500:
            _log.warning("fault injection: %s %s answered %d", exchange.method, exchange.path, exchange.status)
        await _send(send, exchange)

    async def _buffer(self, exchange: Exchange, receive: Receive) -> Receive:
        """Read the request body (up to the engine's limit) so that rules can read and change it."""
        length = exchange.header("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return receive  # the engine refuses it (413) without our help
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return _replaying(b"".join(chunks), receive, first=message)
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                exchange.body = b"".join(chunks)
                return _replaying(exchange.body, receive)
            if size > self.limit:  # too large to rewrite: hand on what was read, then the rest
                return _replaying(b"".join(chunks), receive, more=True)

    async def _forward(self, scope: Scope, receive: Receive, exchange: Exchange) -> None:
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = int(message["status"])
                exchange.response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        exchange.response_body = b"".join(chunks)
        if not exchange.status:  # the engine never answered (it always does; be safe)
            exchange.reply(400)


def _replaying(body: bytes, receive: Receive, *, more: bool = False, first: Message | None = None) -> Receive:
    """A ``receive`` that hands out ``body`` once (then ``first``, if any), then defers to ``receive``."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": more}]
    if first is not None:
        pending.append(first)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


async def _send(send: Send, exchange: Exchange) -> None:
    headers = [(k, v) for k, v in exchange.response_headers if k.lower() != b"content-length"]
    body = exchange.response_body
    if exchange.method == "HEAD":
        headers = list(exchange.response_headers)  # a HEAD answer keeps the GET's length
        body = b""
    elif exchange.status in (204, 304) or exchange.status < 200:
        body = b""
    else:
        headers.append((b"content-length", str(len(body)).encode("latin-1")))
    await send({"type": "http.response.start", "status": exchange.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# --- node helpers ----------------------------------------------------------------------------------


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _snapshots(node: Node) -> list[Node]:
    """The snapshot documents in ``node``: itself, or the members of a collection."""
    if node.name == "snapshot":
        return [node]
    if node.name == "snapshots":
        return [child for child in node.children if child.name == "snapshot"]
    return []


def _child(node: Node, name: str) -> Node | None:
    return next((child for child in node.children if child.name == name), None)


def _set_text(node: Node, name: str, text: str | datetime | bool) -> None:
    found = _child(node, name)
    if found is not None:
        found.text = text


def _drop(node: Node, *names: str) -> None:
    node.children = [child for child in node.children if child.name not in names]


def _insert_after_links(node: Node, new: Node) -> None:
    """Put ``new`` after the last link (where the schema wants links), else after the description."""
    positions = [i for i, child in enumerate(node.children) if child.name in ("link", "description", "actions")]
    node.children.insert(positions[-1] + 1 if positions else 0, new)


def _type_of(node: Node, call: Call) -> str | None:
    found = _child(node, call.engine.representer.dialect.type_element)
    return None if found is None or found.text is None else str(found.text)


def _active(node: Node, call: Call) -> list[Node]:
    return [s for s in _snapshots(node) if _type_of(s, call) == "active"]


def _vm_id_of(snapshot: Node) -> str | None:
    """The snapshot's VM: its ``vm`` element's id, else (the active snapshot has none) its href's."""
    vm = _child(snapshot, "vm")
    if vm is not None:
        return str(vm.attrs.get("id", "")) or None
    found = _HREF_VM.search(str(snapshot.attrs.get("href", "")))
    return None if found is None else found.group(2)


def _linked_shapes(injector: Injector, snapshot: Node, call: Call) -> None:
    """The shapes of the guide's examples: every snapshot, the active one too, links its
    devices and carries ``<vm id href>`` (no configuration inside)."""
    vm_id, href = _vm_id_of(snapshot), str(snapshot.attrs.get("href", ""))
    if vm_id is None or not href:
        return
    representer = call.engine.representer
    if not any(child.name == "link" and child.attrs.get("rel") == "disks" for child in snapshot.children):
        for rel in ("disks", "nics", "cdroms"):
            _insert_after_links(snapshot, representer.link(rel, f"{href}/{rel}"))
    reference = representer.ref("vm", vm_id, representer.vm_href(vm_id))
    at = next((i for i, child in enumerate(snapshot.children) if child.name == "vm"), None)
    if at is not None:
        snapshot.children[at] = reference
    elif representer.dialect.version == "4":
        snapshot.children.append(reference)
    else:
        dates = [i for i, child in enumerate(snapshot.children) if child.name == "date"]
        snapshot.children.insert(dates[0] if dates else len(snapshot.children), reference)


def _dates(node: Node) -> Iterator[Node]:
    """Every leaf of ``node`` whose value is a date."""
    return (n for n in _walk(node) if isinstance(n.text, datetime))


def _snapshot_dates(node: Node) -> Iterator[Node]:
    for snapshot in _snapshots(node):
        found = _child(snapshot, "date")
        if found is not None and isinstance(found.text, datetime):
            yield found


def _ovf_texts(node: Node) -> Iterator[Node]:
    for snapshot in _snapshots(node):
        initialization = _child(snapshot, "initialization")
        configuration = None if initialization is None else _child(initialization, "configuration")
        data = None if configuration is None else _child(configuration, "data")
        if data is not None and isinstance(data.text, str):
            yield data


def _single_get(call: Call, node: Node) -> bool:
    return call.request.method in ("GET", "HEAD") and node.name == "snapshot"


def _on_snapshots(change: Callable[[Injector, Node, Call], None]) -> Callable[[Injector, Node, Call, int], Node]:
    """A node rule that changes every snapshot of a document in place."""

    def rule(injector: Injector, node: Node, call: Call, status: int) -> Node:
        for snapshot in _snapshots(node):
            change(injector, snapshot, call)
        return node

    return rule


def _on_active(change: Callable[[Node], None]) -> Callable[[Injector, Node, Call, int], Node]:
    def rule(injector: Injector, node: Node, call: Call, status: int) -> Node:
        for snapshot in _active(node, call):
            change(snapshot)
        return node

    return rule


def _when_json(rule: Callable[[Injector, Node, Call, int], Node]) -> Callable[[Injector, Node, Call, int], Node]:
    def json_only(injector: Injector, node: Node, call: Call, status: int) -> Node:
        return rule(injector, node, call, status) if call.fmt == "json" else node

    return json_only


def _rewrite_hrefs(node: Node, change: Callable[[str], str]) -> None:
    for member in _walk(node):
        href = member.attrs.get("href")
        if isinstance(href, str):
            member.attrs["href"] = change(href)


# --- body helpers -------------------------------------------------------------------------------------


def _xml_body(exchange: Exchange) -> etree._Element | None:
    if not exchange.body or (exchange.header("content-type") or "application/xml").split(";")[0].strip().lower() not in ("application/xml", "text/xml"):
        return None
    try:
        return safexml.parse(exchange.body)
    except safexml.UnsafeOrMalformedXML:
        return None


def _edit_xml_body(exchange: Exchange, edit: Callable[[etree._Element], None]) -> None:
    root = _xml_body(exchange)
    if root is not None:
        edit(root)
        exchange.body = etree.tostring(root, encoding="utf-8")


def _set_element(root: etree._Element, name: str, text: str) -> None:
    found = root.find(name)
    if found is None:
        found = etree.SubElement(root, name)
    found.text = text


def _shifted(value: object, delta: timedelta) -> object:
    return value + delta if isinstance(value, datetime) else value


# --- the faults ----------------------------------------------------------------------------------------
# Each function is named after its fault; the table at the end says which hook it is.


def _collection_status_203(injector: Injector, ex: Exchange) -> None:
    if ex.route.kind == "collection" and ex.method == "GET" and ex.status == 200 and ex.media_type == "application/xml":
        ex.status = 203


def _vm_without_snapshots_link(injector: Injector, node: Node, call: Call, status: int) -> Node:
    for vm in [node] if node.name == "vm" else [c for c in node.children if c.name == "vm"] if node.name == "vms" else []:
        vm.children = [c for c in vm.children if not (c.name == "link" and c.attrs.get("rel") == "snapshots")]
    return node


def _spell_ids(spell: Callable[[str], str], *, active_only: bool = False) -> Callable[[Injector, Node, Call, int], Node]:
    """Snapshot ids (and the hrefs naming them) spelled otherwise: of every snapshot, or of the active one."""

    def respell(tree: Node) -> None:
        for member in _walk(tree):
            identifier = member.attrs.get("id")
            if member.name == "snapshot" and isinstance(identifier, str) and is_guid(identifier):
                member.attrs["id"] = spell(identifier)
        _rewrite_hrefs(tree, lambda href: _HREF_SNAPSHOT.sub(lambda m: m[1] + spell(m[2]), href))

    def rule(injector: Injector, node: Node, call: Call, status: int) -> Node:
        for tree in _active(node, call) if active_only else [node]:
            respell(tree)
        return node

    return rule


def _spell_location(spell: Callable[[str], str]) -> Callable[[Injector, Exchange], None]:
    def rule(injector: Injector, ex: Exchange) -> None:
        location = ex.header("location", response=True)
        if location is not None:
            ex.set_header("location", _HREF_SNAPSHOT.sub(lambda m: m[1] + spell(m[2]), location), response=True)

    return rule


def _without_dashes(identifier: str) -> str:
    return identifier.replace("-", "")


def _dashes_back(injector: Injector, ex: Exchange) -> None:
    """Ids written without dashes come back in paths and bodies: read them as the GUIDs they are."""
    dashed = _DASHLESS.sub(rb"\1-\2-\3-\4-\5", ex.path.encode("latin-1")).decode("latin-1")
    if dashed != ex.path:
        ex.path = dashed
        ex.route = Route.of(dashed)
    if ex.body:
        ex.body = _DASHLESS.sub(rb"\1-\2-\3-\4-\5", ex.body)


def _relative_hrefs(injector: Injector, node: Node, call: Call, status: int) -> Node:
    for snapshot in [*_snapshots(node), *([node] if node.name == "creation" else [])]:
        _rewrite_hrefs(snapshot, lambda href: _HREF_ROOT.sub("", href, count=1) if "/snapshots/" in href else href)
    return node


def _href_vm_id_upper_case(injector: Injector, node: Node, call: Call, status: int) -> Node:
    for snapshot in _snapshots(node):
        _rewrite_hrefs(snapshot, lambda href: _HREF_VM.sub(lambda m: m[1] + m[2].upper() + m[3], href))
    return node


def _vm_reference_to_collection(injector: Injector, snapshot: Node, call: Call) -> None:
    vm = _child(snapshot, "vm")
    if vm is not None:
        vm.attrs["href"] = f"{API_PATH}/vms"


def _vm_reference_other_vm(injector: Injector, snapshot: Node, call: Call) -> None:
    """The vm of a snapshot names the VM listed before its own (an engine mixing up parents)."""
    vm = _child(snapshot, "vm")
    if vm is None:
        return
    own = str(vm.attrs.get("id", ""))
    ids = [view.id for view in injector.engine.store.vms()]
    if own not in ids or len(ids) < 2:
        return
    other = ids[ids.index(own) - 1]
    vm.attrs["id"] = other
    if "href" in vm.attrs:
        vm.attrs["href"] = call.engine.representer.vm_href(other)


def _restore_link_outside_actions(injector: Injector, snapshot: Node, call: Call) -> None:
    actions = _child(snapshot, "actions")
    if actions is None:
        return
    _drop(snapshot, "actions")
    for link in actions.children:
        _insert_after_links(snapshot, link)


def _prev_links(to_newer: bool) -> Callable[[Injector, Node, Call, int], Node]:
    """rel="prev" to the previous snapshot (engine 3.0), or, as a fault, to the next one."""

    def rule(injector: Injector, node: Node, call: Call, status: int) -> Node:
        for snapshot in _snapshots(node):
            vm_id, own = _vm_id_of(snapshot), snapshot.attrs.get("id")
            if vm_id is None or not isinstance(own, str):
                continue
            try:
                order = [s.id for s in injector.engine.store.snapshots(vm_id)]
            except StoreError:
                continue
            if own not in order:
                continue
            at = order.index(own) + (1 if to_newer else -1)
            if 0 <= at < len(order):
                href = call.engine.representer.snapshot_href(vm_id, order[at])
                _insert_after_links(snapshot, el("link", repeated=True, href=href, rel="prev"))
        return node

    return rule


def _type_padded(injector: Injector, snapshot: Node, call: Call) -> None:
    if _type_of(snapshot, call) == "regular":
        _set_text(snapshot, call.engine.representer.dialect.type_element, " regular ")


def _active_missing(injector: Injector, node: Node, call: Call, status: int) -> Node:
    if node.name == "snapshots":
        active = _active(node, call)
        node.children = [child for child in node.children if child not in active]
    return node


def _space_in_date(snapshot: Node) -> None:
    date = _child(snapshot, "date")
    if date is not None and isinstance(date.text, datetime):
        date.text = xs_datetime(date.text).replace("T", " ")


def _seeded_vm_without_active(injector: Injector, node: Node, call: Call, status: int) -> Node:
    if node.name == "snapshots" and call.request.path_params.get("vm_id", "").lower() in injector.seeded:
        active = _active(node, call)
        node.children = [child for child in node.children if child not in active]
    return node


def _seeded_snapshot_type_missing(injector: Injector, node: Node, call: Call, status: int) -> Node:
    if call.request.path_params.get("vm_id", "").lower() in injector.seeded:
        for snapshot in _snapshots(node):
            if _type_of(snapshot, call) == "regular":
                _drop(snapshot, call.engine.representer.dialect.type_element)
    return node


def _dates_without_offset(injector: Injector, node: Node, call: Call, status: int) -> Node:
    for date in _snapshot_dates(node):
        assert isinstance(date.text, datetime)
        date.text = date.text.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return node


def _element_order(injector: Injector, snapshot: Node, call: Call) -> None:
    # A swap breaks either dialect's order: v3 has vm before date, v4 date before vm.
    names = [child.name for child in snapshot.children]
    if "vm" in names and "date" in names:
        vm, date = names.index("vm"), names.index("date")
        children = snapshot.children
        children[vm], children[date] = children[date], children[vm]


#: the Snapshot members in the v3 schema's order (the type is VmBase's there, so it comes first)
_V3_MEMBER_ORDER = ("snapshot_type", "vm", "date", "snapshot_status", "persist_memorystate")


def _v3_element_order(injector: Injector, snapshot: Node, call: Call) -> None:
    members = {child.name: child for child in snapshot.children if child.name in _V3_MEMBER_ORDER}
    if "snapshot_type" not in members:  # a v3 document is in v3 order already
        return
    at = min(i for i, child in enumerate(snapshot.children) if child.name in members)
    rest = [child for child in snapshot.children if child.name not in members]
    snapshot.children = rest[:at] + [members[name] for name in _V3_MEMBER_ORDER if name in members] + rest[at:]


def _v3_type_element(injector: Injector, snapshot: Node, call: Call) -> None:
    for child in snapshot.children:
        if child.name == "snapshot_type":
            child.name = "type"


def _unknown_element(injector: Injector, snapshot: Node, call: Call) -> None:
    snapshot.add(el("snapshot_size", 0))


def _get_stale_description(injector: Injector, node: Node, call: Call, status: int) -> Node:
    if _single_get(call, node):
        description = _child(node, "description")
        if description is not None:
            description.text = f"{description.text or ''} (stale)"
    return node


def _get_date_shifted(injector: Injector, node: Node, call: Call, status: int) -> Node:
    if _single_get(call, node):
        for date in _snapshot_dates(node):
            date.text = _shifted(date.text, timedelta(hours=1))  # type: ignore[assignment]
    return node


def _duplicate_entry(injector: Injector, node: Node, call: Call, status: int) -> Node:
    if node.name == "snapshots":
        regular = next((s for s in _snapshots(node) if _type_of(s, call) == "regular"), None)
        if regular is not None:
            node.children.insert(node.children.index(regular) + 1, copy.deepcopy(regular))
    return node


def _json_collection_wrapped(injector: Injector, node: Node, call: Call, status: int) -> Node:
    return Node("wrapper", children=[node]) if node.name == "snapshots" else node


def _json_collection_text_plain(injector: Injector, ex: Exchange) -> None:
    if ex.route.kind == "collection" and ex.method == "GET" and ex.media_type == "application/json":
        ex.set_header("content-type", "text/plain; charset=utf-8", response=True)


def _json_description_differs(injector: Injector, snapshot: Node, call: Call) -> None:
    description = _child(snapshot, "description")
    if description is not None:
        description.text = f"{description.text or ''} "


def _json_date_shifted(injector: Injector, node: Node, call: Call, status: int) -> Node:
    for date in _snapshot_dates(node):
        date.text = _shifted(date.text, timedelta(hours=2))  # type: ignore[assignment]
    return node


def _all_content_always(injector: Injector, ex: Exchange) -> None:
    ex.set_header("all-content", "true")


def _all_content_false_as_true(injector: Injector, ex: Exchange) -> None:
    if ex.header("all-content") is not None:
        ex.set_header("all-content", "true")


def _all_content_ignored(injector: Injector, ex: Exchange) -> None:
    # "No OVF ever": in v4 the query asks for it as well as the header (v3 ignores the query anyway).
    ex.set_header("all-content", None)
    ex.query = _without_query_parameter(ex.query, "all_content")


def _all_content_list_only(injector: Injector, ex: Exchange) -> None:
    if ex.route.kind == "snapshot":
        ex.set_header("all-content", None)


def _configuration_type_not_ovf(injector: Injector, snapshot: Node, call: Call) -> None:
    initialization = _child(snapshot, "initialization")
    configuration = None if initialization is None else _child(initialization, "configuration")
    if configuration is not None:
        _set_text(configuration, "type", "xml")


def _ovf_as_child_elements(injector: Injector, ex: Exchange) -> None:
    if ex.media_type != "application/xml" or b"<data>" not in ex.response_body:
        return
    root = safexml.parse(ex.response_body)
    for data in root.iter("data"):
        if data.text and data.text.lstrip().startswith("<"):
            envelope = safexml.parse(data.text)
            data.text = None
            data.append(envelope)
    ex.response_body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _edit_ovf(change: Callable[[str], str]) -> Callable[[Injector, Node, Call, int], Node]:
    def rule(injector: Injector, node: Node, call: Call, status: int) -> Node:
        for data in _ovf_texts(node):
            assert isinstance(data.text, str)
            data.text = change(data.text)
        return node

    return rule


_ITEM_CPU = re.compile(r"<Item>(?:(?!</Item>).)*?<rasd:ResourceType>3</rasd:ResourceType>.*?</Item>", re.DOTALL)


def _ovf_wrong_name(text: str) -> str:
    return re.sub(r"(<Content\b[^>]*>\s*<Name>)[^<]*(</Name>)", r"\1Blank\2", text, count=1)


def _is_put_on_snapshot(ex: Exchange) -> bool:
    return ex.method == "PUT" and ex.route.kind == "snapshot" and ex.snapshot_type is not None


def _put_description(ex: Exchange) -> str | None:
    root = _xml_body(ex)
    return None if root is None else root.findtext("description")


def _as_get(ex: Exchange) -> None:
    """Answer the request as the GET of the same path would be answered."""
    ex.method = "GET"
    ex.body = b""
    ex.set_header("content-type", None)


def _put_applied(injector: Injector, ex: Exchange) -> None:
    if _is_put_on_snapshot(ex):
        description = _put_description(ex)
        if description is not None and ex.route.snapshot_id:
            injector.note_description(ex.route.snapshot_id, description)
        _as_get(ex)


def _put_ignored(injector: Injector, ex: Exchange) -> None:
    if _is_put_on_snapshot(ex):
        _as_get(ex)


def _put_500(injector: Injector, ex: Exchange) -> None:
    if _is_put_on_snapshot(ex):
        ex.reply(500, b"<html><body><h1>Internal Server Error</h1></body></html>", "text/html")


def _put_refused_but_applied(injector: Injector, ex: Exchange) -> None:
    if _is_put_on_snapshot(ex):
        description = _put_description(ex)
        if description is not None and ex.route.snapshot_id:
            injector.note_description(ex.route.snapshot_id, description)


def _put_400(injector: Injector, ex: Exchange) -> None:
    if _is_put_on_snapshot(ex):
        injector.refuse(ex, 400, "Cannot edit Snapshot. Snapshots are read-only.")


def _put_allow_lists_put(injector: Injector, ex: Exchange) -> None:
    if ex.route.kind == "snapshot" and ex.status == 405:
        ex.set_header("allow", f"{ex.header('allow', response=True) or 'GET'}, PUT", response=True)


def _is_create(ex: Exchange) -> bool:
    return ex.method == "POST" and ex.route.kind == "collection"


def _create_200(injector: Injector, ex: Exchange) -> None:
    if _is_create(ex) and ex.vm_status == "down" and ex.status == 202:
        ex.status = 200


def _create_answer_without_description(injector: Injector, node: Node, call: Call, status: int) -> Node:
    if call.request.method == "POST" and node.name == "snapshot":
        vm = _vm_id_of(node)
        if vm is not None and injector.vm_status(vm) == "down":
            _drop(node, "description")
    return node


def _expect_201_ignored(injector: Injector, ex: Exchange) -> None:
    ex.set_header("expect", None)
    ex.set_header("x-ovirt-expect", None)


def _location_missing(injector: Injector, ex: Exchange) -> None:
    if _is_create(ex) and ex.status == 201:
        ex.set_header("location", None, response=True)


def _created_on(injector: Injector, snapshot: Node, vm_status: str) -> float | None:
    """When ``snapshot`` was created on a VM of ``vm_status`` (monotonic), else None."""
    created = injector.created(str(snapshot.attrs.get("id", "")))
    return created[1] if created is not None and created[0] == vm_status else None


def _new_snapshot_pending(injector: Injector, snapshot: Node, call: Call) -> None:
    created = _created_on(injector, snapshot, "down")
    if created is not None and time.monotonic() - created < _PENDING_SECONDS:
        _set_text(snapshot, "snapshot_status", "pending")


def _new_snapshot_description_dropped(injector: Injector, snapshot: Node, call: Call) -> None:
    if call.request.method != "POST" and _created_on(injector, snapshot, "down") is not None:
        _set_text(snapshot, "description", "")


def _dated_yesterday(injector: Injector, node: Node, call: Call, status: int) -> Node:
    for date in _snapshot_dates(node):
        if isinstance(date.text, datetime) and date.text >= injector.started:
            date.text = date.text - timedelta(days=1)
    return node


def _live_snapshot_stuck_locked(injector: Injector, snapshot: Node, call: Call) -> None:
    if _created_on(injector, snapshot, "up") is not None:
        _set_text(snapshot, "snapshot_status", "locked")


def _live_snapshot_refused(injector: Injector, ex: Exchange) -> None:
    if _is_create(ex) and ex.vm_status in ("up", "powering_up"):
        injector.refuse(ex, 409, "Cannot create Snapshot. Live snapshots are not supported.")


def _drop_memory_flag(root: etree._Element) -> None:
    for flag in root.findall("persist_memorystate"):
        root.remove(flag)


def _memory_flag_ignored(injector: Injector, ex: Exchange) -> None:
    if _is_create(ex):
        _edit_xml_body(ex, _drop_memory_flag)


def _memory_flag_forced(injector: Injector, ex: Exchange) -> None:
    if _is_create(ex):
        _edit_xml_body(ex, lambda root: _set_element(root, "persist_memorystate", "true"))


def _empty_description_accepted(injector: Injector, ex: Exchange) -> None:
    def fill(root: etree._Element) -> None:
        description = root.find("description")
        if description is not None and not (description.text or "").strip():
            description.text = "(no description)"

    if _is_create(ex):
        _edit_xml_body(ex, fill)


def _description_optional(injector: Injector, ex: Exchange) -> None:
    def fill(root: etree._Element) -> None:
        if root.tag == "snapshot" and not (root.findtext("description") or "").strip():
            _set_element(root, "description", "Snapshot")

    if _is_create(ex):
        if not (ex.body or b"").strip():
            ex.body = b"<snapshot><description>Snapshot</description></snapshot>"
            ex.set_header("content-type", "application/xml")
        else:
            _edit_xml_body(ex, fill)


def _lenient_parser(injector: Injector, ex: Exchange) -> None:
    if not _is_create(ex) or not ex.body or _xml_body(ex) is not None or b"<!" in ex.body:
        return
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(ex.body, parser=parser)
    except etree.XMLSyntaxError:
        return
    if root is not None and root.tag == "snapshot":
        ex.body = etree.tostring(root, encoding="utf-8")


def _is_malformed_body_fault(ex: Exchange) -> bool:
    return _is_create(ex) and ex.status == 400 and _MALFORMED_REASON.encode() in ex.response_body


def _malformed_body_fault_without_reason(injector: Injector, ex: Exchange) -> None:
    if _is_malformed_body_fault(ex):
        body, media_type = injector.fault_body(ex, "", "the body is not a snapshot document")
        ex.reply(400, body, media_type)


def _malformed_body_500(injector: Injector, ex: Exchange) -> None:
    if _is_malformed_body_fault(ex):
        ex.status = 500


def _unknown_vm_400(injector: Injector, ex: Exchange) -> None:
    if _is_create(ex) and ex.vm_status is None:
        injector.refuse(ex, 400, "Cannot create Snapshot. Invalid VM.")


def _is_delete_of(ex: Exchange, kind: str) -> bool:
    return ex.method == "DELETE" and ex.route.kind == "snapshot" and ex.snapshot_type == kind


def _delete_refused(injector: Injector, ex: Exchange) -> None:
    if _is_delete_of(ex, "regular"):
        injector.refuse(ex, 409, "Cannot remove Snapshot. The snapshot is in use.")


def _delete_acknowledged_not_done(injector: Injector, ex: Exchange) -> None:
    if _is_delete_of(ex, "regular") and not ex.in_preview:
        injector.complete(ex)


def _delete_active_acknowledged(injector: Injector, ex: Exchange) -> None:
    if _is_delete_of(ex, "active"):
        injector.complete(ex)


def _delete_active_409_without_fault(injector: Injector, ex: Exchange) -> None:
    if _is_delete_of(ex, "active") and ex.status == 409:
        ex.reply(409)


def _delete_unknown_200(injector: Injector, ex: Exchange) -> None:
    if ex.method == "DELETE" and ex.route.kind == "snapshot" and ex.status == 404:
        injector.complete(ex)


def _restore_200_failed_action(injector: Injector, ex: Exchange) -> None:
    if ex.route.kind == "restore" and ex.status == 200:
        body, media_type = injector.fault_body(ex, "Operation Failed", "[Cannot revert to Snapshot. Internal error.]", as_action=True)
        ex.reply(200, body, media_type)


def _restored_shown(child: str, value: str) -> Callable[[Injector, Node, Call], None]:
    def change(injector: Injector, snapshot: Node, call: Call) -> None:
        if injector.restored(str(snapshot.attrs.get("id", ""))):
            _set_text(snapshot, call.engine.representer.dialect.type_element if child == "type" else child, value)

    return change


def _restore_while_up_without_fault(injector: Injector, ex: Exchange) -> None:
    if ex.route.kind == "restore" and ex.status == 409 and ex.vm_status in ("up", "powering_up"):
        ex.reply(409)


def _is_restore_of_unknown(ex: Exchange) -> bool:
    return ex.route.kind == "restore" and ex.vm_status is not None and ex.snapshot_type is None


def _restore_unknown_200(injector: Injector, ex: Exchange) -> None:
    if _is_restore_of_unknown(ex):
        injector.complete(ex)


def _restore_unknown_500(injector: Injector, ex: Exchange) -> None:
    if _is_restore_of_unknown(ex):
        ex.reply(500, b"<html><body><h1>Internal Server Error</h1></body></html>", "text/html")


def _restore_active_allowed(injector: Injector, ex: Exchange) -> None:
    if ex.route.kind == "restore" and ex.snapshot_type == "active" and not ex.in_preview:
        injector.complete(ex)


def _asks_restore_memory(ex: Exchange) -> bool:
    root = _xml_body(ex)
    return ex.route.kind == "restore" and root is not None and root.find("restore_memory") is not None


def _restore_memory_409(injector: Injector, ex: Exchange) -> None:
    if _asks_restore_memory(ex) and ex.snapshot_type is not None:
        injector.refuse(ex, 409, "Cannot revert to Snapshot. Restoring memory is not possible now.", as_action=True)


def _json_by_default(injector: Injector, ex: Exchange) -> None:
    if not (ex.header("accept") or "").strip():
        ex.set_header("accept", "application/json")


def _unsupported_accept_200(injector: Injector, ex: Exchange) -> None:
    if negotiate(ex.header("accept")) is None:
        ex.set_header("accept", "application/xml")


def _not_found_html_body(injector: Injector, ex: Exchange) -> None:
    if ex.route.kind == "snapshot" and ex.status == 404:
        ex.reply(404, b"<html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>", "text/html")


def _json_400_as_xml(injector: Injector, ex: Exchange) -> None:
    if ex.status != 400 or ex.media_type != "application/json":
        return
    try:
        fault = json.loads(ex.response_body)
    except ValueError:
        return
    if isinstance(fault, dict) and isinstance(fault.get("reason"), str):
        detail = fault.get("detail")
        representer = injector.representer(ex)
        node = representer.fault(fault["reason"], detail if isinstance(detail, str) else None)
        ex.reply(400, representer.render(node, "xml"), "application/xml")


def _malformed_id_500(injector: Injector, ex: Exchange) -> None:
    snapshot = ex.route.snapshot_id
    if ex.route.kind == "snapshot" and ex.method == "GET" and snapshot is not None and not is_guid(snapshot):
        ex.reply(500, b"<html><body><h1>Internal Server Error</h1><p>java.lang.IllegalArgumentException: Invalid UUID string</p></body></html>", "text/html")


def _unsupported_media_type_500(injector: Injector, ex: Exchange) -> None:
    if ex.status == 415:
        ex.status = 500


def _entities_expanded(injector: Injector, ex: Exchange) -> None:
    """The engine's XML reader expands internal entities (external ones stay unresolved, so
    such a body still fails): a body with a DOCTYPE is handed on expanded, without it."""
    if ex.method != "POST" or ex.body is None or b"<!DOCTYPE" not in ex.body:
        return
    parser = etree.XMLParser(resolve_entities="internal", no_network=True, load_dtd=False, huge_tree=False)  # type: ignore[arg-type]  # lxml >= 5 takes "internal"
    try:
        root = etree.fromstring(ex.body, parser=parser)
    except etree.XMLSyntaxError:
        return  # the engine refuses it as it would anyway
    ex.body = etree.tostring(root, encoding="utf-8")


def _odd_header_500(injector: Injector, ex: Exchange) -> None:
    value = ex.header("all-content")
    if value is not None and value.strip().lower() not in ("true", "false"):
        ex.reply(500, b"<html><body><h1>Internal Server Error</h1></body></html>", "text/html")


# --- defects as engines have them, whatever the client asks (issue 10's examples) ---------


def _create_500(injector: Injector, ex: Exchange) -> None:
    """Taking a snapshot is broken: every create the engine's validation accepts (a snapshot
    with a description, on a VM that exists) answers 500, and nothing is made."""
    if not _is_create(ex) or ex.vm_status is None or not ex.body:
        return
    try:
        root = safexml.parse(ex.body)
    except safexml.UnsafeOrMalformedXML:
        return
    if root.tag == "snapshot" and (root.findtext("description") or "").strip():
        ex.reply(500, b"<html><body><h1>Internal Server Error</h1><p>java.lang.NullPointerException</p></body></html>", "text/html")


def _create_answer_without_id(injector: Injector, node: Node, call: Call, status: int) -> Node:
    if call.request.method == "POST" and node.name == "snapshot" and status in (200, 201, 202):
        node.attrs.pop("id", None)
        node.attrs.pop("href", None)
    return node


def _create_answer_location_dropped(injector: Injector, ex: Exchange) -> None:
    if _is_create(ex):
        ex.set_header("location", None, response=True)


def _ascii_only(text: str) -> str:
    return "".join(c if c.isascii() else "?" for c in text)


def _descriptions_ascii_only(injector: Injector, ex: Exchange) -> None:
    """The engine's store keeps only ASCII: a snapshot's description loses its other letters."""
    if not _is_create(ex) or not ex.body:
        return
    try:
        root = safexml.parse(ex.body)
    except safexml.UnsafeOrMalformedXML:
        return
    description = root.find("description")
    if description is not None and description.text:
        description.text = _ascii_only(description.text)
        ex.body = etree.tostring(root, encoding="utf-8")


def _restore_memory_ignored(injector: Injector, ex: Exchange) -> None:
    """A restore that names restore_memory is answered complete, and nothing is restored."""
    if ex.route.kind == "restore" and ex.method == "POST" and b"restore_memory" in (ex.body or b""):
        injector.complete(ex)


def _json_404_empty_object(injector: Injector, ex: Exchange) -> None:
    if ex.status == 404 and ex.fmt == "json":
        ex.reply(404, b"{}", "application/json")


def _restore_202_failed(injector: Injector, ex: Exchange) -> None:
    """A restore is accepted as 202 with a failed action, and nothing is restored."""
    if ex.route.kind == "restore" and ex.method == "POST" and ex.vm_status == "down" and ex.snapshot_type == "regular" and not ex.in_preview:
        representer = injector.representer(ex)
        fmt = ex.fmt
        ex.reply(202, representer.render(representer.action("failed"), fmt), MEDIA_TYPES[fmt])


def _expect_201_early_before(injector: Injector, ex: Exchange) -> None:
    if _is_create(ex) and any("201-created" in (ex.header(name) or "").lower() for name in ("expect", "x-ovirt-expect")):
        ex.set_header("expect", None)
        ex.set_header("x-ovirt-expect", None)
        ex.notes.add("answer 201 at once")


def _expect_201_early_after(injector: Injector, ex: Exchange) -> None:
    """``Expect: 201-created`` is answered 201 at once, while the snapshot is still locked."""
    if "answer 201 at once" in ex.notes and ex.status == 202:
        ex.status = 201
        try:
            href = safexml.parse(ex.response_body).get("href")
        except safexml.UnsafeOrMalformedXML:
            href = None
        if href:
            ex.set_header("location", href, response=True)


def _preview_new_id(injector: Injector, node: Node, call: Call, status: int) -> Node:
    """The former active snapshot is listed as the preview snapshot under another id."""
    for snapshot in _snapshots(node):
        if _type_of(snapshot, call) == "preview":
            old = str(snapshot.attrs.get("id", ""))
            new = str(uuid.uuid5(uuid.NAMESPACE_URL, "preview:" + old))
            snapshot.attrs["id"] = new
            if "href" in snapshot.attrs:
                snapshot.attrs["href"] = str(snapshot.attrs["href"]).replace(old, new)
    return node


def _refused_restore_stops_vm(injector: Injector, ex: Exchange) -> None:
    """A restore refused because the VM is up stops the VM all the same."""
    if ex.route.kind == "restore" and ex.status in (400, 409) and ex.vm_status == "up" and ex.route.vm_id:
        with contextlib.suppress(StoreError):
            injector.engine.store.stop_vm(ex.route.vm_id)


def _valid_credentials(injector: Injector) -> str:
    settings = injector.engine.settings
    return "Basic " + base64.b64encode(f"{settings.username}:{settings.password}".encode()).decode("ascii")


def _auth_bypass(injector: Injector, ex: Exchange) -> None:
    if not (ex.header("authorization") or "").strip():
        ex.set_header("authorization", _valid_credentials(injector))


def _auth_any_password(injector: Injector, ex: Exchange) -> None:
    scheme, _, encoded = (ex.header("authorization") or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return
    try:
        user = base64.b64decode(encoded.strip(), validate=True).partition(b":")[0]
    except ValueError:
        return
    if user == injector.engine.settings.username.encode("utf-8"):
        ex.set_header("authorization", _valid_credentials(injector))


def _auth_401_with_data_before(injector: Injector, ex: Exchange) -> None:
    authorization = ex.header("authorization")
    if not (is_authorized(authorization, injector.engine.settings) or injector.engine.sso.accepts(authorization)):
        ex.notes.add("401")
        ex.set_header("authorization", _valid_credentials(injector))


def _auth_401_with_data_after(injector: Injector, ex: Exchange) -> None:
    if "401" in ex.notes:
        ex.status = 401
        ex.set_header("www-authenticate", 'Basic realm="RESTAPI"', response=True)


def _freeze_on_down_vm(injector: Injector, ex: Exchange) -> None:
    if ex.route.kind == "vm-action" and ex.route.tail == "freezefilesystems" and ex.vm_status == "down":
        injector.complete(ex)


def _sub_collection_put_accepted(injector: Injector, ex: Exchange) -> None:
    if ex.route.kind == "sub-collection" and ex.method in ("PUT", "POST") and ex.snapshot_type is not None:
        _as_get(ex)


def _sub_collection_wrong_root(injector: Injector, node: Node, call: Call, status: int) -> Node:
    if node.name == "disks" and "/snapshots/" in call.request.url.path:
        node.name = "disk_list"
    return node


def _preview_not_in_preview(injector: Injector, snapshot: Node, call: Call) -> None:
    status = _child(snapshot, "snapshot_status")
    if status is not None and status.text == "in_preview":
        status.text = "ok"


def _without_query_parameter(query: str, name: str) -> str:
    return "&".join(part for part in query.split("&") if part and part.split("=", 1)[0].lower() != name)


def _all_content_query_ignored(injector: Injector, ex: Exchange) -> None:
    if ex.route.kind in ("collection", "snapshot"):
        ex.query = _without_query_parameter(ex.query, "all_content")


def _all_content_query_list_only(injector: Injector, ex: Exchange) -> None:
    if ex.route.kind == "snapshot":
        ex.query = _without_query_parameter(ex.query, "all_content")


def _restore_status_nested(injector: Injector, ex: Exchange) -> None:
    """A v4 restore's action with the v3 status: ``<status><state>complete</state></status>``."""
    if ex.route.kind != "restore" or ex.status != 200 or ex.media_type != "application/xml" or injector.representer(ex).dialect.nested_status:
        return
    try:
        root = safexml.parse(ex.response_body)
    except safexml.UnsafeOrMalformedXML:
        return
    status = root.find("status")
    if root.tag == "action" and status is not None and len(status) == 0:
        state = etree.SubElement(status, "state")
        state.text, status.text = status.text, None
        ex.response_body = etree.tostring(root, encoding="utf-8", xml_declaration=True, standalone=True)


def _auth_bogus_token(injector: Injector, ex: Exchange) -> None:
    authorization = ex.header("authorization") or ""
    if authorization.strip().lower().startswith("bearer ") and not injector.engine.sso.accepts(authorization):
        ex.set_header("authorization", _valid_credentials(injector))


def _json_dates_epoch_seconds(injector: Injector, node: Node, call: Call, status: int) -> Node:
    for date in _dates(node):
        assert isinstance(date.text, datetime)
        date.text = (date.text - _EPOCH) // timedelta(seconds=1)
    return node


# --- the variants ----------------------------------------------------------------------------------------


def _synchronous_create(injector: Injector, ex: Exchange) -> None:
    if _is_create(ex):
        ex.set_header("expect", "201-created")


def _format_dates(spell: Callable[[datetime], str]) -> Callable[[Injector, Node, Call, int], Node]:
    def rule(injector: Injector, node: Node, call: Call, status: int) -> Node:
        for date in _dates(node):
            assert isinstance(date.text, datetime)
            date.text = spell(date.text)
        return node

    return rule


_LOCAL = timezone(timedelta(hours=5, minutes=30))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _json_strings(injector: Injector, node: Node, call: Call, status: int) -> Node:
    def spell(value: object) -> str | int | None:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, datetime):  # epoch milliseconds, cut (not rounded) as the XML's fraction is
            return (value - _EPOCH) // timedelta(milliseconds=1)
        return None

    for member in _walk(node):
        spelled = spell(member.text)
        if spelled is not None:
            member.text = spelled
        for key, value in member.attrs.items():
            spelled = spell(value)
            if spelled is not None:
                member.attrs[key] = spelled
    return node


# Members whose text stays a string whatever it looks like.
_TEXT_MEMBERS = frozenset({"id", "href", "name", "description", "comment", "data", "reason", "detail", "rel", "build", "full_version"})


def _native(value: object) -> object:
    if isinstance(value, dict):
        return {key: member if key in _TEXT_MEMBERS else _native(member) for key, member in value.items()}
    if isinstance(value, list):
        return [_native(member) for member in value]
    if value in ("true", "false"):
        return value == "true"
    if isinstance(value, str) and value.isdigit() and len(value) < 16:
        return int(value)
    return value


def _json_native_values(injector: Injector, ex: Exchange) -> None:
    """v4 JSON with native booleans and numbers (as v3 JSON and many clients write them)."""
    if ex.media_type != "application/json" or injector.representer(ex).dialect.nested_status:
        return
    try:
        document = json.loads(ex.response_body)
    except ValueError:
        return
    ex.response_body = json.dumps(_native(document)).encode("utf-8")


def _json_iso_dates(injector: Injector, node: Node, call: Call, status: int) -> Node:
    for date in _dates(node):
        assert isinstance(date.text, datetime)
        date.text = xs_datetime(date.text)
    return node


def _schema_alternatives(injector: Injector, node: Node, call: Call, status: int) -> Node:
    if node.name == "snapshots":
        node.children.insert(0, el("size", len(_snapshots(node))))
    for snapshot in _snapshots(node):
        snapshot.attrs = dict(reversed(list(snapshot.attrs.items())))
        names = [child.name for child in snapshot.children]
        description = names.index("description") if "description" in names else 0
        snapshot.children.insert(description + 1, el("comment", ""))
        snapshot.children.insert(description, el("name", f"snapshot-{str(snapshot.attrs.get('id', ''))[:8]}"))
        links = [child for child in snapshot.children if child.name == "link"]
        slots = iter(reversed(links))
        snapshot.children = [next(slots) if child.name == "link" else child for child in snapshot.children]
    return node


def _no_optional_features_node(injector: Injector, node: Node, call: Call, status: int) -> Node:
    for member in _walk(node):
        if member.name == "vm":
            actions = _child(member, "actions")
            if actions is not None:
                actions.children = [link for link in actions.children if link.attrs.get("rel") not in _OPTIONAL_ACTIONS]
    for snapshot in _snapshots(node):
        snapshot.children = [c for c in snapshot.children if not (c.name == "link" and c.attrs.get("rel") in ("disks", "nics", "cdroms"))]
    return node


def _no_restore_memory(injector: Injector, ex: Exchange) -> None:
    if _asks_restore_memory(ex):
        injector.refuse(ex, 400, "Cannot revert to Snapshot. The restore_memory parameter is not supported.", as_action=True)


def _no_optional_features(injector: Injector, ex: Exchange) -> None:
    if (ex.route.kind == "vm-action" and ex.route.tail in _OPTIONAL_ACTIONS) or ex.route.kind == "sub-collection":
        ex.reply(404)
    else:
        _no_restore_memory(injector, ex)


def _delete_204(injector: Injector, ex: Exchange) -> None:
    if ex.method == "DELETE" and ex.route.kind == "snapshot" and ex.status == 200:
        ex.reply(204)


def _engine_36_errors(injector: Injector, ex: Exchange) -> None:
    if ex.status == 409 and (_is_delete_of(ex, "active") or (ex.route.kind == "restore" and ex.vm_status in ("up", "powering_up"))):
        ex.status = 400


def _fault_on_404(injector: Injector, ex: Exchange) -> None:
    """A 404 with the fault body of engines 4.5 and later."""
    if ex.status == 404 and not ex.response_body:
        what = "".join(c if c.isprintable() else "?" for c in ex.path.rstrip("/").rsplit("/", 1)[-1][:80])
        ex.reply(404, *injector.fault_body(ex, "Operation Failed", f"Entity not found: {what}"))


#: every fault and variant: what it does at which seam
BEHAVIOURS: Mapping[str, Behaviour] = MappingProxyType(
    {
        # --- REPR
        "collection-status-203": Behaviour(after=_collection_status_203),
        "vm-without-snapshots-link": Behaviour(node=_vm_without_snapshots_link),
        "active-id-without-dashes": Behaviour(before=_dashes_back, node=_spell_ids(_without_dashes, active_only=True)),
        "ids-without-dashes": Behaviour(before=_dashes_back, after=_spell_location(_without_dashes), node=_spell_ids(_without_dashes)),
        "ids-upper-case": Behaviour(after=_spell_location(str.upper), node=_spell_ids(str.upper)),
        "relative-hrefs": Behaviour(node=_relative_hrefs),
        "href-vm-id-upper-case": Behaviour(node=_href_vm_id_upper_case),
        "vm-reference-missing": Behaviour(node=_on_snapshots(lambda i, s, c: _drop(s, "vm"))),
        "vm-reference-to-collection": Behaviour(node=_on_snapshots(_vm_reference_to_collection)),
        "vm-reference-other-vm": Behaviour(node=_on_snapshots(_vm_reference_other_vm)),
        "restore-link-missing": Behaviour(node=_on_snapshots(lambda i, s, c: _drop(s, "actions"))),
        "restore-link-outside-actions": Behaviour(node=_on_snapshots(_restore_link_outside_actions)),
        "prev-link-to-newer": Behaviour(node=_prev_links(to_newer=True)),
        "type-padded": Behaviour(node=_on_snapshots(_type_padded)),
        "type-padded-v4": Behaviour(node=_on_snapshots(_type_padded)),
        "seeded-vm-without-active": Behaviour(node=_seeded_vm_without_active),
        "active-missing": Behaviour(node=_active_missing),
        "active-date-space": Behaviour(node=_on_active(_space_in_date)),
        "active-date-garbage": Behaviour(node=_on_active(lambda s: _set_text(s, "date", "last Tuesday"))),
        "active-date-missing": Behaviour(node=_on_active(lambda s: _drop(s, "date"))),
        "dates-without-offset": Behaviour(node=_dates_without_offset),
        "active-status-missing": Behaviour(node=_on_active(lambda s: _drop(s, "snapshot_status"))),
        "active-status-invalid": Behaviour(node=_on_active(lambda s: _set_text(s, "snapshot_status", "up"))),
        "active-status-invalid-v4": Behaviour(node=_on_active(lambda s: _set_text(s, "snapshot_status", "up"))),
        "active-memory-flag-missing": Behaviour(node=_on_active(lambda s: _drop(s, "persist_memorystate"))),
        "active-memory-flag-word": Behaviour(node=_on_active(lambda s: _set_text(s, "persist_memorystate", "no"))),
        "element-order": Behaviour(node=_on_snapshots(_element_order)),
        "v3-element-order": Behaviour(node=_on_snapshots(_v3_element_order)),
        "v3-type-element": Behaviour(node=_on_snapshots(_v3_type_element)),
        "seeded-snapshot-type-missing": Behaviour(node=_seeded_snapshot_type_missing),
        "unknown-element": Behaviour(node=_on_snapshots(_unknown_element)),
        "get-stale-description": Behaviour(node=_get_stale_description),
        "get-date-shifted": Behaviour(node=_get_date_shifted),
        "duplicate-entry": Behaviour(node=_duplicate_entry),
        # --- JSON
        "json-collection-wrapped": Behaviour(node=_when_json(_json_collection_wrapped)),
        "json-collection-text-plain": Behaviour(after=_json_collection_text_plain),
        "json-description-differs": Behaviour(node=_when_json(_on_snapshots(_json_description_differs))),
        "json-date-shifted": Behaviour(node=_when_json(_json_date_shifted)),
        "json-dates-epoch-seconds": Behaviour(node=_when_json(_json_dates_epoch_seconds)),
        # --- ALLC
        "all-content-always": Behaviour(before=_all_content_always),
        "all-content-false-as-true": Behaviour(before=_all_content_false_as_true),
        "all-content-ignored": Behaviour(before=_all_content_ignored),
        "all-content-list-only": Behaviour(before=_all_content_list_only),
        "all-content-query-ignored": Behaviour(before=_all_content_query_ignored),
        "all-content-query-list-only": Behaviour(before=_all_content_query_list_only),
        "configuration-type-not-ovf": Behaviour(node=_on_snapshots(_configuration_type_not_ovf)),
        "ovf-as-child-elements": Behaviour(after=_ovf_as_child_elements),
        "ovf-wrong-namespace": Behaviour(
            node=_edit_ovf(lambda text: text.replace("http://schemas.dmtf.org/ovf/envelope/1/", "http://schemas.dmtf.org/ovf/envelope/2"))
        ),
        "json-ovf-entity-escaped": Behaviour(node=_when_json(_edit_ovf(lambda text: html.escape(text, quote=False)))),
        "json-ovf-differs": Behaviour(node=_when_json(_edit_ovf(lambda text: text.replace('ovf:version="3.6.0.0"', 'ovf:version="4.2.0.0"', 1)))),
        "ovf-wrong-name": Behaviour(node=_edit_ovf(_ovf_wrong_name)),
        "ovf-without-cpu": Behaviour(node=_edit_ovf(lambda text: _ITEM_CPU.sub("", text, count=1))),
        # --- PUT
        "put-applied": Behaviour(before=_put_applied),
        "put-ignored": Behaviour(before=_put_ignored),
        "put-500": Behaviour(before=_put_500),
        "put-refused-but-applied": Behaviour(before=_put_refused_but_applied),
        "put-400": Behaviour(before=_put_400),
        "put-allow-lists-put": Behaviour(after=_put_allow_lists_put),
        # --- CRT
        "create-200": Behaviour(after=_create_200),
        "create-answer-without-description": Behaviour(node=_create_answer_without_description),
        "expect-201-ignored": Behaviour(before=_expect_201_ignored),
        "location-missing": Behaviour(after=_location_missing),
        "new-snapshot-pending": Behaviour(node=_on_snapshots(_new_snapshot_pending)),
        "new-snapshot-description-dropped": Behaviour(node=_on_snapshots(_new_snapshot_description_dropped)),
        "dated-yesterday": Behaviour(node=_dated_yesterday),
        "live-snapshot-stuck-locked": Behaviour(node=_on_snapshots(_live_snapshot_stuck_locked)),
        "live-snapshot-refused": Behaviour(before=_live_snapshot_refused),
        "memory-flag-ignored": Behaviour(before=_memory_flag_ignored),
        "memory-flag-forced": Behaviour(before=_memory_flag_forced),
        "empty-description-accepted": Behaviour(before=_empty_description_accepted),
        "description-optional": Behaviour(before=_description_optional),
        "lenient-parser": Behaviour(before=_lenient_parser),
        "malformed-body-fault-without-reason": Behaviour(after=_malformed_body_fault_without_reason),
        "malformed-body-500": Behaviour(after=_malformed_body_500),
        "unknown-vm-400": Behaviour(before=_unknown_vm_400),
        # --- DEL
        "delete-refused": Behaviour(before=_delete_refused),
        "delete-acknowledged-not-done": Behaviour(before=_delete_acknowledged_not_done),
        "delete-active-acknowledged": Behaviour(before=_delete_active_acknowledged),
        "delete-active-409-without-fault": Behaviour(after=_delete_active_409_without_fault),
        "delete-unknown-200": Behaviour(after=_delete_unknown_200),
        # --- RST (restore-keeps-newer, -drops-older, -keeps-configuration, -while-up: the store's Deviations)
        "restore-200-failed-action": Behaviour(after=_restore_200_failed_action),
        "restore-200-failed-action-no-memory-option": Behaviour(before=_no_restore_memory, after=_restore_200_failed_action),
        "restored-shown-active": Behaviour(node=_on_snapshots(_restored_shown("type", "active"))),
        "restored-left-in-preview": Behaviour(node=_on_snapshots(_restored_shown("snapshot_status", "in_preview"))),
        "restore-keeps-newer": Behaviour(),
        "restore-keeps-newer-no-memory-option": Behaviour(before=_no_restore_memory),
        "restore-drops-older": Behaviour(),
        "restore-keeps-configuration": Behaviour(),
        "restore-keeps-configuration-no-memory-option": Behaviour(before=_no_restore_memory),
        "restore-while-up": Behaviour(),
        "restore-while-up-without-fault": Behaviour(after=_restore_while_up_without_fault),
        "restore-unknown-200": Behaviour(before=_restore_unknown_200),
        "restore-unknown-500": Behaviour(before=_restore_unknown_500),
        "restore-active-allowed": Behaviour(before=_restore_active_allowed),
        "restore-memory-409": Behaviour(before=_restore_memory_409),
        "restore-status-nested": Behaviour(after=_restore_status_nested),
        # --- NEG, ERR, AUTH
        "json-by-default": Behaviour(before=_json_by_default),
        "unsupported-accept-200": Behaviour(before=_unsupported_accept_200),
        "not-found-html-body": Behaviour(after=_not_found_html_body),
        "json-400-as-xml": Behaviour(after=_json_400_as_xml),
        "malformed-id-500": Behaviour(before=_malformed_id_500),
        "unsupported-media-type-500": Behaviour(after=_unsupported_media_type_500),
        "odd-header-500": Behaviour(before=_odd_header_500),
        "entities-expanded": Behaviour(before=_entities_expanded),
        # --- defects as engines have them (whatever the client asks)
        "create-500": Behaviour(before=_create_500),
        "create-answer-without-id": Behaviour(after=_create_answer_location_dropped, node=_create_answer_without_id),
        "snapshots-never-unlock": Behaviour(),
        "descriptions-ascii-only": Behaviour(before=_descriptions_ascii_only),
        "restore-memory-ignored": Behaviour(before=_restore_memory_ignored),
        "restore-keeps-memory": Behaviour(),
        "restore-202-failed": Behaviour(before=_restore_202_failed),
        "json-404-empty-object": Behaviour(after=_json_404_empty_object),
        "expect-201-early": Behaviour(before=_expect_201_early_before, after=_expect_201_early_after),
        "preview-new-id": Behaviour(node=_preview_new_id),
        "refused-restore-stops-vm": Behaviour(after=_refused_restore_stops_vm),
        "auth-bypass": Behaviour(before=_auth_bypass),
        "auth-any-password": Behaviour(before=_auth_any_password),
        "auth-401-with-data": Behaviour(before=_auth_401_with_data_before, after=_auth_401_with_data_after),
        "auth-bogus-token": Behaviour(before=_auth_bogus_token),
        # --- optional features (commit-keeps-newer, undo-keeps-configuration: Deviations)
        "freeze-on-down-vm": Behaviour(before=_freeze_on_down_vm),
        "sub-collection-put-accepted": Behaviour(before=_sub_collection_put_accepted),
        "sub-collection-wrong-root": Behaviour(node=_sub_collection_wrong_root),
        "preview-not-in-preview": Behaviour(node=_on_snapshots(_preview_not_in_preview)),
        "commit-keeps-newer": Behaviour(),
        "undo-keeps-configuration": Behaviour(),
        # --- variants
        "synchronous-create": Behaviour(before=_synchronous_create),
        "dates-whole-seconds": Behaviour(node=_format_dates(lambda d: d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))),
        "dates-local-offset": Behaviour(node=_format_dates(lambda d: d.astimezone(_LOCAL).isoformat(timespec="microseconds"))),
        "json-strings": Behaviour(node=_when_json(_json_strings)),
        "schema-alternatives": Behaviour(node=_schema_alternatives),
        "slow-timings": Behaviour(),  # settings only (_injection.variant_settings)
        "real-timings": Behaviour(),  # settings only (_injection.variant_settings)
        "prev-links": Behaviour(node=_prev_links(to_newer=False)),
        "linked-snapshots": Behaviour(node=_on_snapshots(_linked_shapes)),
        "no-optional-features": Behaviour(before=_no_optional_features, node=_no_optional_features_node),
        "delete-204": Behaviour(after=_delete_204),
        "fault-on-404": Behaviour(after=_fault_on_404),
        "engine-3.6-errors": Behaviour(after=_engine_36_errors),
        "json-native-values": Behaviour(after=_json_native_values),
        "json-iso-dates": Behaviour(node=_when_json(_json_iso_dates)),
        "version-prefix": Behaviour(),  # the suite's engine URL (calibration), not the engine, changes
    }
)
