"""The read checks of one VM's snapshot list, by requirement: one place that says which
check judges which requirement over a list.

The live suite (``conformance.suite``) and the offline judge of recorded traffic
(``conformance.offline``) both call :func:`judge_list` with a requirement ID and the
snapshots of one list, so a requirement reads a list the same way whoever fetched it::

    context = ListContext(dialect, api_path="/ovirt-engine/api", vm_id=..., vm_href=...)
    judge_list("SNAP-REPR-03", snapshots, context)     # raises RequirementFailure

A list without ``All-Content`` is judged by :data:`LIST_CHECKS`; one fetched with it by
:data:`ALL_CONTENT_CHECKS` (the OVF). A judge returns notes (things a reader should know
that are not failures), raises the first failure it finds otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from lxml import etree

from conformance.checks.all_content import (
    check_configuration_present,
    check_no_configuration_data,
    check_ovf_describes_vm,
    check_ovf_xml,
)
from conformance.checks.documents import child_text
from conformance.checks.representation import (
    check_date,
    check_date_offset,
    check_guid,
    check_guid_lower_case,
    check_href,
    check_memory_flag,
    check_one_active,
    check_prev_link,
    check_restore_link,
    check_status,
    check_type,
    check_unique_ids,
    check_vm_reference,
    is_next_run_snapshot,
    prev_link,
)
from conformance.dialect import Dialect

__all__ = ["ALL_CONTENT_CHECKS", "LIST_CHECKS", "ListContext", "carrying_ovf", "judge_list", "offers_prev_links", "regular"]


@dataclass(frozen=True)
class ListContext:
    """What a list is judged against: the dialect, the API's path, and the VM it belongs to."""

    dialect: Dialect
    api_path: str
    vm_id: str
    vm_href: str
    #: the VM reports ``next_run_configuration_exists`` true; None when its answer is unknown
    #: (recorded traffic without the VM's own answer)
    next_run_pending: bool | None = False
    #: the VM's name, for the OVF's VirtualSystem (SNAP-ALLC-05); None when unknown
    vm_name: str | None = None


Judge = Callable[[Sequence[etree._Element], ListContext], tuple[str, ...]]


def _each(check: Callable[[etree._Element, ListContext], object]) -> Judge:
    def judge(snapshots: Sequence[etree._Element], context: ListContext) -> tuple[str, ...]:
        for snapshot in snapshots:
            check(snapshot, context)
        return ()

    return judge


def _whole(check: Callable[[Sequence[etree._Element], ListContext], object]) -> Judge:
    def judge(snapshots: Sequence[etree._Element], context: ListContext) -> tuple[str, ...]:
        check(snapshots, context)
        return ()

    return judge


def _types(snapshots: Sequence[etree._Element], context: ListContext) -> tuple[str, ...]:
    pending = context.next_run_pending
    notes: list[str] = []
    for snapshot in snapshots:
        check_type(snapshot, context.dialect, next_run_pending=True if pending is None else pending)
        if pending is None and child_text(snapshot, context.dialect.type_element) is None and is_next_run_snapshot(snapshot):
            notes.append(
                f"snapshot {snapshot.get('id')}: a next-run configuration snapshot without {context.dialect.type_element}, "
                "taken as pending because the VM's own answer (next_run_configuration_exists) is not at hand"
            )
    return tuple(notes)


def regular(snapshots: Sequence[etree._Element], dialect: Dialect) -> list[etree._Element]:
    """The regular snapshots of a list (whitespace around the type ignored)."""
    return [s for s in snapshots if (s.findtext(dialect.type_element) or "").strip() == "regular"]


def carrying_ovf(snapshots: Sequence[etree._Element], dialect: Dialect) -> list[etree._Element]:
    """The regular snapshots that carry configuration data: how that data is written is
    judged only where there is some (whether it is there is SNAP-ALLC-02's concern)."""
    return [s for s in regular(snapshots, dialect) if s.find("initialization/configuration/data") is not None]


def _ovf_describes_vm(snapshots: Sequence[etree._Element], context: ListContext) -> tuple[str, ...]:
    for snapshot in carrying_ovf(snapshots, context.dialect):
        name = context.vm_name or snapshot.findtext("vm/name")
        if name is None:
            continue  # nothing to compare the OVF's name with
        check_ovf_describes_vm(check_ovf_xml(snapshot), name)
    return ()


def _prev_links(snapshots: Sequence[etree._Element], context: ListContext) -> tuple[str, ...]:
    for snapshot in snapshots:
        check_prev_link(snapshot, snapshots)
    return ()


def _ovf_markup(snapshots: Sequence[etree._Element], context: ListContext) -> tuple[str, ...]:
    for snapshot in carrying_ovf(snapshots, context.dialect):
        check_ovf_xml(snapshot)
    return ()


#: requirement -> judge of a list read without All-Content (SNAP-REPR-08, a MAY, only
#: where offered: ask :func:`offers_prev_links` first)
LIST_CHECKS: Mapping[str, Judge] = MappingProxyType(
    {
        "SNAP-REPR-03": _each(lambda s, c: check_guid(s)),
        "SNAP-REPR-04": _each(lambda s, c: check_guid_lower_case(s)),
        "SNAP-REPR-05": _each(lambda s, c: check_href(s, api_path=c.api_path, vm_id=c.vm_id, dialect=c.dialect)),
        "SNAP-REPR-06": _each(lambda s, c: check_vm_reference(s, vm_id=c.vm_id, vm_href=c.vm_href, dialect=c.dialect)),
        "SNAP-REPR-07": _each(lambda s, c: check_restore_link(s)),
        "SNAP-REPR-08": _prev_links,
        "SNAP-REPR-09": _types,
        "SNAP-REPR-10": _whole(lambda snapshots, c: check_one_active(snapshots, c.dialect)),
        "SNAP-REPR-11": _each(lambda s, c: check_date(s)),
        "SNAP-REPR-12": _each(lambda s, c: check_date_offset(s)),
        "SNAP-REPR-13": _each(lambda s, c: check_status(s)),
        "SNAP-REPR-14": _each(lambda s, c: check_memory_flag(s)),
        "SNAP-REPR-17": _whole(lambda snapshots, c: check_unique_ids(snapshots)),
        "SNAP-ALLC-01": _whole(lambda snapshots, c: check_no_configuration_data(snapshots)),
    }
)

#: requirement -> judge of a list read with All-Content: true
ALL_CONTENT_CHECKS: Mapping[str, Judge] = MappingProxyType(
    {
        "SNAP-ALLC-02": _each(lambda s, c: check_configuration_present(s, c.dialect)),
        "SNAP-ALLC-03": _ovf_markup,
        "SNAP-ALLC-05": _ovf_describes_vm,
    }
)


def judge_list(requirement: str, snapshots: Sequence[etree._Element], context: ListContext) -> tuple[str, ...]:
    """Judge ``requirement`` over one list's ``snapshots``; returns notes, raises the
    first :class:`RequirementFailure`. ``KeyError`` for a requirement no list judges."""
    judge = LIST_CHECKS.get(requirement) or ALL_CONTENT_CHECKS[requirement]
    return judge(snapshots, context)


def offers_prev_links(snapshots: Sequence[etree._Element]) -> bool:
    """Whether any snapshot carries a ``rel="prev"`` link (the optional SNAP-REPR-08)."""
    return any(prev_link(s) is not None for s in snapshots)
