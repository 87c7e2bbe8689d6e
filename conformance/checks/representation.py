"""SNAP-REPR: the XML representation of a VM's snapshots.

Each check reads one requirement off a parsed document. Element order never matters here
(clients read by tag name); only :func:`check_schema` (SNAP-REPR-15) holds a document to
the schema's order.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from typing import Any

import xmlschema
from lxml import etree

from conformance.checks._failure import RequirementFailure
from conformance.checks._show import listing, show, subject
from conformance.checks.documents import (
    HTTPAnswer,
    check_ok_answer,
    child_text,
    parse_xml_answer,
    snapshot_id,
)
from conformance.checks.lexical import (
    collapse_whitespace,
    has_offset,
    is_guid,
    is_xs_boolean,
    is_xs_datetime,
    parse_xs_boolean,
    parse_xs_datetime,
)
from conformance.dialect import Dialect
from conformance.resources import spec

__all__ = [
    "LEGACY_API_PATH",
    "NEXT_RUN_DESCRIPTION",
    "SNAPSHOT_STATUSES",
    "SNAPSHOT_TYPES",
    "api_roots",
    "check_collection_answer",
    "check_date",
    "check_date_offset",
    "check_guid",
    "check_guid_lower_case",
    "check_href",
    "check_list_matches_get",
    "check_memory_flag",
    "check_one_active",
    "check_prev_link",
    "check_restore_link",
    "check_same_snapshot",
    "check_schema",
    "check_status",
    "check_type",
    "check_unique_ids",
    "check_vm_links_snapshots",
    "check_vm_reference",
    "is_next_run_snapshot",
    "prev_link",
    "same_id",
    "same_instant",
]

SNAPSHOT_TYPES = ("regular", "active", "stateless", "preview")
SNAPSHOT_STATUSES = ("ok", "locked", "in_preview")
#: how real engines describe the snapshot of a running VM's pending configuration change
NEXT_RUN_DESCRIPTION = "Next Run configuration snapshot"

#: children of ``snapshots`` the schema allows besides ``snapshot`` (BaseResources, Snapshots)
_COLLECTION_MEMBERS = frozenset({"actions", "size", "total", "active", "collapse_snapshots"})

_GUID_EXAMPLE = "8-4-4-4-12 hexadecimal digits, no braces (e.g. 42ec2621-7ad6-4ca2-bd68-973a44b2562e)"


def same_id(first: str | None, second: str | None) -> bool:
    """Whether two ids name the same thing: GUIDs compare without regard to case."""
    if first is None or second is None:
        return first is second
    if is_guid(first) and is_guid(second):
        return first.lower() == second.lower()
    return first == second


def same_instant(first: str | None, second: str | None) -> bool:
    """Whether two ``xs:dateTime`` texts denote the same instant (absent equals absent;
    texts that cannot be read as instants must be equal as text)."""
    if first is None or second is None:
        return first is second
    if collapse_whitespace(first) == collapse_whitespace(second):
        return True
    try:
        return parse_xs_datetime(first) == parse_xs_datetime(second)
    except (ValueError, OverflowError):
        return False


def _tag(element: etree._Element) -> str:
    return f"<{element.tag}>" if isinstance(element.tag, str) else repr(element)


def _elements(parent: etree._Element) -> list[etree._Element]:
    """Child elements only (no comments or processing instructions)."""
    return [child for child in parent if isinstance(child.tag, str)]


# --- SNAP-REPR-01, -02: the collection and the VM's link to it -------------------------


def check_collection_answer(answer: HTTPAnswer) -> etree._Element:
    """SNAP-REPR-01: the list answers 200, ``application/xml``, root ``snapshots`` whose
    children are ``snapshot`` elements; returns the root.

    The collection members the schema allows beside the items (``actions``, ``size``,
    ``total``, ``active``, ``collapse_snapshots``) are accepted too.
    """
    requirement = "SNAP-REPR-01"
    check_ok_answer(answer, requirement, what="the snapshot list", media="application/xml", body="a snapshots document")
    root = parse_xml_answer(answer, requirement)
    if root.tag != "snapshots":
        raise RequirementFailure(
            requirement,
            "the snapshot list's root element is not snapshots",
            received=f"root {_tag(root)}",
            expected="root <snapshots> (no namespace)",
        )
    strays = [child for child in _elements(root) if child.tag != "snapshot" and child.tag not in _COLLECTION_MEMBERS]
    if strays:
        raise RequirementFailure(
            requirement,
            "the snapshot list holds elements other than snapshot",
            received=listing(_tag(child) for child in strays),
            expected="only <snapshot> children (and the schema's actions, size, total, active, collapse_snapshots)",
        )
    return root


def check_vm_links_snapshots(vm: etree._Element, vm_href: str) -> str:
    """SNAP-REPR-02: the VM links its snapshots, ``link rel="snapshots"`` to
    ``{vm_href}/snapshots``; returns that href."""
    expected = vm_href.rstrip("/") + "/snapshots"
    hrefs = [link.get("href") for link in vm.findall("link") if link.get("rel") == "snapshots"]
    if expected in hrefs:
        return expected
    raise RequirementFailure(
        "SNAP-REPR-02",
        f"VM {vm.get('id') or vm_href} does not link its snapshots",
        received=f'link rel="snapshots" href {listing(show(href) for href in hrefs)}' if hrefs else 'no link rel="snapshots" among the VM\'s links',
        expected=f'<link rel="snapshots" href="{expected}"/>',
    )


# --- SNAP-REPR-03 .. -08: identity, hrefs and links ----------------------------------------


def check_guid(snapshot: etree._Element) -> None:
    """SNAP-REPR-03: the snapshot's ``id`` is a GUID (either case; case is SNAP-REPR-04)."""
    value = snapshot.get("id")
    if value is None:
        raise RequirementFailure("SNAP-REPR-03", "snapshot without id", received="no id attribute", expected=_GUID_EXAMPLE)
    if not is_guid(value):
        raise RequirementFailure("SNAP-REPR-03", f"snapshot {value!r}: id is not a GUID", received=show(value), expected=_GUID_EXAMPLE)


def check_guid_lower_case(snapshot: etree._Element) -> None:
    """SNAP-REPR-04 (SHOULD): the snapshot's id is written in lower case."""
    value = snapshot_id(snapshot)
    if value != value.lower():
        raise RequirementFailure(
            "SNAP-REPR-04",
            f"snapshot {value}: id is not lower case",
            received=show(value),
            expected=show(value.lower()),
        )


#: the API root of the 3.x engines before /ovirt-engine/api; RHEV-M 3.6 still writes its
#: hrefs under it when its web server hands it the request there (recorded: RHEV-M 3.6.8)
LEGACY_API_PATH = "/api"


def api_roots(api_path: str, dialect: Dialect | None = None) -> tuple[str, ...]:
    """The API roots an engine's hrefs may start with: the one the suite talks to and, in
    v3, the legacy ``/api`` that 3.x engines also serve."""
    root = api_path.rstrip("/")
    if dialect is not None and dialect.version == "3" and root != LEGACY_API_PATH:
        return (root, LEGACY_API_PATH)
    return (root,)


def check_href(snapshot: etree._Element, *, api_path: str, vm_id: str, dialect: Dialect | None = None) -> str:
    """SNAP-REPR-05 (form): ``href`` is ``{api_path}/vms/{vm_id}/snapshots/{id}`` (in v3 the
    API path may be the legacy ``/api``); returns it."""
    identifier = snapshot_id(snapshot)
    href = snapshot.get("href")
    templates = [f"{root}/vms/{vm_id}/snapshots/" for root in api_roots(api_path, dialect)]
    if not identifier:
        raise RequirementFailure(
            "SNAP-REPR-05",
            "snapshot without id: its href cannot name it",
            received=f"href {show(href)} and no id",
            expected=f"an id, and href {templates[0]}{{id}}",
        )
    expected = [template + identifier for template in templates]
    if href not in expected:
        raise RequirementFailure(
            "SNAP-REPR-05",
            f"snapshot {identifier}: href is not the snapshot's URL",
            received=f"href {show(href)}",
            expected="href " + " or ".join(repr(value) for value in expected),
        )
    return href


def check_same_snapshot(fetched: etree._Element, expected_id: str) -> None:
    """SNAP-REPR-05 (GET): the GET on a snapshot's href returns that snapshot."""
    if fetched.tag != "snapshot" or not same_id(snapshot_id(fetched), expected_id):
        raise RequirementFailure(
            "SNAP-REPR-05",
            f"snapshot {expected_id}: a GET on its href returned something else",
            received=f"root {_tag(fetched)} with id {show(fetched.get('id'))}",
            expected=f"root <snapshot> with id {expected_id!r}",
        )


def check_vm_reference(snapshot: etree._Element, *, vm_id: str, vm_href: str, dialect: Dialect) -> None:
    """SNAP-REPR-06: every snapshot but the active one carries a ``vm`` whose ``id`` is the
    parent VM's; an ``href`` on it, when present, is the VM's href.

    As real engines write it: 3.6 to 4.4 leave ``vm`` off the active snapshot, and a v4
    non-active snapshot's ``vm`` has no href and holds the VM's configuration at snapshot
    time as children (both allowed). A snapshot without a type counts as non-active.
    """
    identifier = snapshot_id(snapshot)
    vm = snapshot.find("vm")
    expected = f"<vm id={vm_id!r}> (an href, when present, {vm_href!r})"
    if vm is None:
        if child_text(snapshot, dialect.type_element) == "active":
            return
        kind = child_text(snapshot, dialect.type_element)
        raise RequirementFailure(
            "SNAP-REPR-06",
            f"{subject(identifier)}: a {'snapshot without type' if kind is None else repr(kind) + ' snapshot'} has no vm element",
            received="no <vm> child",
            expected=expected + "; only the active snapshot may omit it",
        )
    href = vm.get("href")
    prefix, _, _ = vm_href.rpartition("/vms/")
    accepted = {vm_href, *(f"{root}/vms/{vm_id}" for root in api_roots(prefix, dialect))}
    if not same_id(vm.get("id"), vm_id) or (href is not None and href not in accepted):
        raise RequirementFailure(
            "SNAP-REPR-06",
            f"{subject(identifier)}: vm does not reference the parent VM",
            received=f"<vm id={show(vm.get('id'))} href={show(href)}>",
            expected=expected,
        )


def check_restore_link(snapshot: etree._Element) -> None:
    """SNAP-REPR-07: ``actions/link rel="restore"`` with href ``{snapshot href}/restore``."""
    identifier = snapshot_id(snapshot)
    href = snapshot.get("href")
    found = [link.get("href") for link in snapshot.findall("actions/link") if link.get("rel") == "restore"]
    expected = f'<actions><link rel="restore" href="{href}/restore"/></actions>'
    if href is None:
        raise RequirementFailure(
            "SNAP-REPR-07",
            f"{subject(identifier)}: no href, so no restore link can be built on it",
            received=f"restore links {listing(show(value) for value in found)}",
            expected='an href attribute, and actions/link rel="restore" to {href}/restore',
        )
    if href + "/restore" in found:
        return
    misplaced = [link.get("href") for link in snapshot.findall("link") if link.get("rel") == "restore"]
    if found:
        received = f'actions/link rel="restore" href {listing(show(value) for value in found)}'
    elif misplaced:
        received = f'a link rel="restore" directly under the snapshot, not under actions: {show(misplaced[0])}'
    else:
        received = 'no actions/link rel="restore"'
    raise RequirementFailure("SNAP-REPR-07", f"{subject(identifier)}: no restore action link", received=received, expected=expected)


def prev_link(snapshot: etree._Element) -> str | None:
    """The href of the snapshot's ``rel="prev"`` link (under ``actions`` or directly),
    ``""`` for such a link without href, None when there is none."""
    for path in ("actions/link", "link"):
        for link in snapshot.findall(path):
            if link.get("rel") == "prev":
                return link.get("href") or ""
    return None


def check_prev_link(snapshot: etree._Element, siblings: Sequence[etree._Element]) -> None:
    """SNAP-REPR-08 (MAY; checked only when present): the ``prev`` link points to another
    snapshot of the same VM (one of ``siblings``) whose date is not later."""
    target_href = prev_link(snapshot)
    if target_href is None:
        return
    identifier = snapshot_id(snapshot)
    requirement = "SNAP-REPR-08"
    expected = "the href of another snapshot of this VM, not newer than this one"
    target = next((other for other in siblings if other.get("href") == target_href), None)
    if target_href == snapshot.get("href") or (target is not None and same_id(snapshot_id(target), identifier)):
        raise RequirementFailure(
            requirement,
            f"{subject(identifier)}: prev link points to the snapshot itself",
            received=f"prev {show(target_href)}",
            expected=expected,
        )
    if target is None:
        raise RequirementFailure(
            requirement,
            f"{subject(identifier)}: prev link points to no snapshot of this VM",
            received=f"prev {show(target_href)}",
            expected=f"one of {listing(show(other.get('href')) for other in siblings)}",
        )
    own_date, target_date = child_text(snapshot, "date"), child_text(target, "date")
    try:
        newer = parse_xs_datetime(target_date or "") > parse_xs_datetime(own_date or "")
    except (ValueError, OverflowError):
        raise RequirementFailure(
            requirement,
            f"{subject(identifier)}: prev link's target cannot be dated",
            received=f"date {show(own_date)}, prev {snapshot_id(target)} date {show(target_date)}",
            expected="two valid xs:dateTime dates, the prev one not later",
        ) from None
    if newer:
        raise RequirementFailure(
            requirement,
            f"{subject(identifier)}: prev link points to a newer snapshot",
            received=f"date {show(own_date)}, prev {snapshot_id(target)} date {show(target_date)}",
            expected=expected,
        )


# --- SNAP-REPR-09 .. -14: the values ------------------------------------------------------


def is_next_run_snapshot(snapshot: etree._Element) -> bool:
    """Whether ``snapshot`` is described as a VM's next-run configuration snapshot (the
    change of a running VM that waits for its next start)."""
    return collapse_whitespace(child_text(snapshot, "description") or "") == NEXT_RUN_DESCRIPTION


def check_type(snapshot: etree._Element, dialect: Dialect, *, next_run_pending: bool = False) -> str | None:
    """SNAP-REPR-09: ``{type}`` is one of regular, active, stateless, preview; returns it.

    The one exception real engines make: the next-run configuration snapshot is listed
    without a type while its VM reports ``next_run_configuration_exists`` true
    (``next_run_pending``); for it this returns None.
    """
    name = dialect.type_element
    value = child_text(snapshot, name)
    if value is None and next_run_pending and is_next_run_snapshot(snapshot):
        return None
    if value not in SNAPSHOT_TYPES:
        title = f"{subject(snapshot_id(snapshot))}: {name} is {'absent' if value is None else 'not a snapshot type'}"
        expected = f"<{name}> one of {', '.join(SNAPSHOT_TYPES)}"
        if value is None and is_next_run_snapshot(snapshot):
            title += " (a next-run configuration snapshot, but the VM does not report next_run_configuration_exists true)"
            expected += "; only the next-run configuration snapshot of a VM with next_run_configuration_exists true may lack it"
        raise RequirementFailure("SNAP-REPR-09", title, received=f"<{name}> {show(value)}", expected=expected)
    return value


def check_one_active(snapshots: Sequence[etree._Element], dialect: Dialect) -> None:
    """SNAP-REPR-10: exactly one snapshot of the VM is of type active."""
    active = [snapshot_id(s) or "(no id)" for s in snapshots if child_text(s, dialect.type_element) == "active"]
    if len(active) != 1:
        raise RequirementFailure(
            "SNAP-REPR-10",
            f"{len(active)} active snapshots among {len(snapshots)}",
            received=f"active: {listing(active)}",
            expected=f"exactly one snapshot with <{dialect.type_element}>active</{dialect.type_element}>",
        )


def check_date(snapshot: etree._Element) -> str:
    """SNAP-REPR-11: ``date`` is present and a lexically valid ``xs:dateTime``; returns it
    (whitespace collapsed)."""
    value = child_text(snapshot, "date")
    if value is None or not is_xs_datetime(value):
        raise RequirementFailure(
            "SNAP-REPR-11",
            f"{subject(snapshot_id(snapshot))}: date is {'absent' if value is None else 'not an xs:dateTime'}",
            received=f"<date> {show(value)}",
            expected="an xs:dateTime, YYYY-MM-DDThh:mm:ss with optional fraction and offset",
        )
    return collapse_whitespace(value)


def check_date_offset(snapshot: etree._Element) -> None:
    """SNAP-REPR-12 (SHOULD): ``date`` carries a time-zone offset (``Z`` or ``±hh:mm``)."""
    value = child_text(snapshot, "date")
    if value is not None and has_offset(value):
        return
    reason = "carries no time-zone offset" if value is not None and is_xs_datetime(value) else "is no instant"
    raise RequirementFailure(
        "SNAP-REPR-12",
        f"{subject(snapshot_id(snapshot))}: date {reason}",
        received=f"<date> {show(value)}",
        expected="an xs:dateTime ending in Z or ±hh:mm, e.g. 2010-08-16T14:24:29.000+02:00",
    )


def check_status(snapshot: etree._Element) -> str:
    """SNAP-REPR-13: ``snapshot_status`` is one of ok, locked, in_preview; returns it."""
    value = child_text(snapshot, "snapshot_status")
    if value not in SNAPSHOT_STATUSES:
        raise RequirementFailure(
            "SNAP-REPR-13",
            f"{subject(snapshot_id(snapshot))}: snapshot_status is {'absent' if value is None else 'not a snapshot status'}",
            received=f"<snapshot_status> {show(value)}",
            expected=f"one of {', '.join(SNAPSHOT_STATUSES)}",
        )
    return value


def check_memory_flag(snapshot: etree._Element) -> bool:
    """SNAP-REPR-14: ``persist_memorystate`` is present and an ``xs:boolean``; returns it."""
    value = child_text(snapshot, "persist_memorystate")
    if value is None or not is_xs_boolean(value):
        raise RequirementFailure(
            "SNAP-REPR-14",
            f"{subject(snapshot_id(snapshot))}: persist_memorystate is {'absent' if value is None else 'not an xs:boolean'}",
            received=f"<persist_memorystate> {show(value)}",
            expected="true, false, 1 or 0",
        )
    return parse_xs_boolean(value)


# --- SNAP-REPR-15: the schema ---------------------------------------------------------------


@functools.cache
def _schema(name: str) -> xmlschema.XMLSchema10:
    """The XSD ``specs/{name}``, built once per process; it imports nothing, so no I/O
    beyond reading it."""
    source = spec(name)
    if not source.is_file():
        raise LookupError(f"no schema specs/{name} in this installation")
    return xmlschema.XMLSchema10(source.read_text(encoding="utf-8"), allow="none")


def check_schema(document: etree._Element, dialect: Dialect, *, schema: str | None = None) -> tuple[str, ...]:
    """SNAP-REPR-15 (SHOULD): ``document`` (a ``snapshot`` or ``snapshots`` element, or an
    ``action`` or ``fault``) validates against the dialect's schema,
    ``specs/v{version}/snapshot.xsd``, element order included. Returns notes (see below).

    The two schemas order differently: v3 is the hand-written 3.6 ``api.xsd`` (a
    snapshot's ``vm``, ``date``, ``snapshot_status``, ``persist_memorystate`` last); v4 is
    generated from the model, each type's members sorted by name (``date``,
    ``persist_memorystate``, ``snapshot_status``, ``snapshot_type``, ``disks``, ``vm``
    last) and its enums restricted to their values. Each schema is built once per process.

    A v4 engine is judged by its own 4.x version's member order, which the model of
    4.6.1 does not know: when the only difference from the schema is the order of the
    VM members inside snapshots' ``vm`` (a 4.2-era engine places ``placement_policy``
    elsewhere), every member being valid, that is a note (returned), not a failure.

    ``schema`` names another file under ``specs/``. A missing schema is a
    :class:`LookupError` (a broken installation, not the engine's fault).
    """
    name = schema or f"v{dialect.version}/snapshot.xsd"
    validator = _schema(name)
    errors = list(itertools.islice(validator.iter_errors(document), 4))
    if not errors:
        return ()
    if dialect.version == "4":
        moved = _vm_members_out_of_order(document, validator)
        if moved and not any(True for _ in itertools.islice(validator.iter_errors(_with_vm_members_sorted(document, validator)), 1)):
            what = subject(snapshot_id(document)) if document.tag == "snapshot" else _tag(document)
            return (
                f"{what}: the members of a snapshot's vm come in another order than the 4.6 model's "
                f"({listing(moved)} elsewhere), as an engine of another 4.x version writes them; every member is valid",
            )
    described = [
        f"{error.path or _tag(document)}: {error.reason or error.message}" + (f" (line {error.sourceline})" if getattr(error, "sourceline", None) else "")
        for error in errors[:3]
    ]
    more = " …and more" if len(errors) > 3 else ""
    what = subject(snapshot_id(document)) if document.tag == "snapshot" else _tag(document)
    raise RequirementFailure(
        "SNAP-REPR-15",
        f"{what}: does not validate against specs/{name}",
        received="; ".join(described) + more,
        expected="a document valid against the schema, in its element order",
    )


def _snapshot_vms(document: etree._Element) -> list[etree._Element]:
    snapshots = [document] if document.tag == "snapshot" else document.findall("snapshot")
    return [vm for snapshot in snapshots for vm in snapshot.findall("vm")]


@functools.cache
def _member_order(validator: xmlschema.XMLSchema10, type_name: str) -> dict[str, int]:
    kind: Any = validator.types[type_name]  # a complex type with a sequence (xmlschema's union is wider)
    return {element.name: index for index, element in enumerate(kind.content.iter_elements())}


def _vm_members_out_of_order(document: etree._Element, validator: xmlschema.XMLSchema10) -> list[str]:
    """The members of snapshots' ``vm`` that stand out of the schema's order: those outside
    the longest run of members that is in order (so the one moved member is named)."""
    order = _member_order(validator, "Vm")
    moved: list[str] = []
    for vm in _snapshot_vms(document):
        tags = [child.tag for child in _elements(vm)]
        ranks = [order.get(tag, -1) for tag in tags]
        # longest non-decreasing subsequence, O(n^2): a VM has a few dozen members
        best = [1] * len(ranks)
        for i in range(len(ranks)):
            for j in range(i):
                if ranks[j] <= ranks[i] and best[j] + 1 > best[i]:
                    best[i] = best[j] + 1
        keep: set[int] = set()
        length, bound = max(best, default=0), None
        for i in range(len(ranks) - 1, -1, -1):
            if best[i] == length and (bound is None or ranks[i] <= bound):
                keep.add(i)
                length, bound = length - 1, ranks[i]
        moved.extend(tag for i, tag in enumerate(tags) if i not in keep and tag not in moved)
    return moved


def _with_vm_members_sorted(document: etree._Element, validator: xmlschema.XMLSchema10) -> etree._Element:
    order = _member_order(validator, "Vm")
    copy = etree.fromstring(etree.tostring(document))
    for vm in _snapshot_vms(copy):
        children = _elements(vm)
        for child in children:
            vm.remove(child)
        # a stable sort: repeated members (link) keep their own order
        vm.extend(sorted(children, key=lambda child: order.get(child.tag, len(order))))
    return copy


# --- SNAP-REPR-16, -17: consistency -----------------------------------------------------------


def _same_flag(first: str | None, second: str | None) -> bool:
    if first is not None and second is not None and is_xs_boolean(first) and is_xs_boolean(second):
        return parse_xs_boolean(first) == parse_xs_boolean(second)
    return first == second


def _equal(first: str | None, second: str | None) -> bool:
    return first == second


def _vm_attribute(name: str) -> Callable[[etree._Element], str | None]:
    def read(snapshot: etree._Element) -> str | None:
        vm = snapshot.find("vm")
        return None if vm is None else vm.get(name)

    return read


def check_list_matches_get(from_list: etree._Element, from_get: etree._Element, dialect: Dialect) -> None:
    """SNAP-REPR-16: the list and a single GET agree on id, href, description, type, date
    (the same instant), snapshot_status, persist_memorystate and the vm's id and href."""

    def text(name: str) -> Callable[[etree._Element], str | None]:
        return lambda element: child_text(element, name)

    fields: list[tuple[str, Callable[[etree._Element], str | None], Callable[[str | None, str | None], bool]]] = [
        ("id", lambda element: element.get("id"), same_id),
        ("href", lambda element: element.get("href"), _equal),
        ("description", text("description"), _equal),
        (dialect.type_element, text(dialect.type_element), _equal),
        ("date", text("date"), same_instant),
        ("snapshot_status", text("snapshot_status"), _equal),
        ("persist_memorystate", text("persist_memorystate"), _same_flag),
        ("vm id", _vm_attribute("id"), same_id),
        ("vm href", _vm_attribute("href"), _equal),
    ]
    differences = []
    for name, read, agree in fields:
        listed, fetched = read(from_list), read(from_get)
        if not agree(listed, fetched):
            differences.append((name, listed, fetched))
    if differences:
        raise RequirementFailure(
            "SNAP-REPR-16",
            f"{subject(snapshot_id(from_list))}: list and single GET disagree on " + ", ".join(name for name, _, _ in differences),
            received="; ".join(f"{name}: list {show(listed)}, GET {show(fetched)}" for name, listed, fetched in differences),
            expected="the same values in both (dates denoting the same instant, booleans the same value)",
        )


def check_unique_ids(snapshots: Sequence[etree._Element]) -> None:
    """SNAP-REPR-17: no two snapshots of a VM's collection share an id (GUIDs compared
    without regard to case; snapshots without id are SNAP-REPR-03's concern)."""
    seen: dict[str, int] = {}
    for snapshot in snapshots:
        identifier = snapshot_id(snapshot)
        if identifier:
            key = identifier.lower() if is_guid(identifier) else identifier
            seen[key] = seen.get(key, 0) + 1
    repeated = [f"{key} ({count} times)" for key, count in seen.items() if count > 1]
    if repeated:
        raise RequirementFailure(
            "SNAP-REPR-17",
            f"snapshot ids repeat within the collection: {listing(key for key, count in seen.items() if count > 1)}",
            received=listing(repeated),
            expected=f"{len(snapshots)} distinct ids",
        )
