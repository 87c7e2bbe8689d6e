"""The named faults and variants of the reference engine, for calibrating the suite.

A **fault** breaks the requirements it names (``breaks``, the IDs a conformance run should
blame) and leaves the engine conformant otherwise; a **variant** switches between choices
the specification allows, so a run against it must stay conformant. Both are switched on
by name (``EngineSettings(faults=..., variants=...)``, ``serve --fault NAME``), and
``snapshot-conformance selfcheck`` runs the suite against each one.

This module is only the registry (names, one-sentence summaries, expected blame); how
each one behaves is ``_injector``. A fault breaks one requirement wherever it can; where
one defect necessarily breaks several, ``breaks`` names them all and ``why`` says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = ["BOTH", "FAULTS", "V3", "V4", "VARIANTS", "Injectable", "check_names", "variant_settings"]


#: the dialects a case runs in unless it says otherwise
BOTH = frozenset({"3", "4"})
V3 = frozenset({"3"})
V4 = frozenset({"4"})


@dataclass(frozen=True)
class Injectable:
    """One fault or variant."""

    name: str
    kind: Literal["fault", "variant"]
    #: what the engine then does, in one sentence
    summary: str
    #: the requirement IDs a run should blame (faults; empty for variants)
    breaks: tuple[str, ...] = ()
    #: why a fault breaks more than one requirement (empty when it breaks one)
    why: str = ""
    #: the fault exists to answer some requests with a 5xx
    produces_5xx: bool = False
    #: engine settings the variant changes (timings)
    settings: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    #: the dialects whose renderings the case's mechanism works in (selfcheck runs it in these)
    dialects: frozenset[str] = BOTH
    #: why the case is restricted to fewer dialects than both ("" when it is not)
    restricted: str = ""
    #: the suite is pointed at the API root with the version in its path (``/ovirt-engine/api/v4``)
    version_prefix: bool = False
    #: the engine refuses the removal of what the suite made for ever (a run must then list
    #: it as left behind; every other case leaves nothing)
    keeps_resources: bool = False


def _fault(
    name: str,
    breaks: str | tuple[str, ...],
    summary: str,
    *,
    why: str = "",
    produces_5xx: bool = False,
    dialects: frozenset[str] = BOTH,
    restricted: str = "",
    keeps_resources: bool = False,
) -> Injectable:
    ids = (breaks,) if isinstance(breaks, str) else breaks
    return Injectable(
        name, "fault", summary, tuple(f"SNAP-{i}" for i in ids), why, produces_5xx, dialects=dialects, restricted=restricted, keeps_resources=keeps_resources
    )


def _variant(name: str, summary: str, *, dialects: frozenset[str] = BOTH, restricted: str = "", version_prefix: bool = False, **settings: float) -> Injectable:
    return Injectable(name, "variant", summary, settings=MappingProxyType(settings), dialects=dialects, restricted=restricted, version_prefix=version_prefix)


_BROKEN_DATE = (
    "a date that is no xs:dateTime names no instant either, which SNAP-REPR-12 (SHOULD) asks for, and the schema "
    "types date as xs:dateTime (SNAP-REPR-15, SHOULD)"
)
_PUT_REFUSAL = "SNAP-PUT-02 (SHOULD) asks for a 405, which no answer that breaks SNAP-PUT-01 can be"
_RESTORE_PROBE = "SNAP-RST-08's probe is a second restore, judged by the same rules (an offered MAY is judged like a MUST)"
_V4_ONLY_QUERY = "v3 has no all_content query (SNAP-ALLC-06 is a v4 requirement)"
_V4_ENUM = "the v4 schema types {} as the {} enumeration, which the value is not in (SNAP-REPR-15, SHOULD)"
_V4_SHAPE = "it puts a v3 shape into a v4 document; a v3 document has that shape already"

_FAULTS = (
    # --- REPR -------------------------------------------------------------------------
    _fault("collection-status-203", "REPR-01", "The XML snapshot list answers 203 Non-Authoritative Information instead of 200."),
    _fault("vm-without-snapshots-link", "REPR-02", 'A VM\'s representation has no link rel="snapshots".'),
    _fault("active-id-without-dashes", "REPR-03", "The active snapshot's id is 32 hexadecimal digits without dashes, consistently in its id, href and paths."),
    _fault(
        "ids-without-dashes",
        ("REPR-03", "CRT-01", "CRT-05"),
        "Snapshot ids are 32 hexadecimal digits without dashes, consistently in ids, hrefs, headers and paths.",
        why="SNAP-CRT-01 wants a GUID id in the create answer, and SNAP-CRT-05 the same for a live snapshot",
    ),
    _fault("ids-upper-case", "REPR-04", "Snapshot ids are written in upper case, consistently in ids, hrefs and headers."),
    _fault("relative-hrefs", "REPR-05", "Snapshot hrefs (and the links under them) are relative to the API root: vms/{vm}/snapshots/{id}."),
    _fault("href-vm-id-upper-case", "REPR-05", "Snapshot hrefs spell the VM's id in upper case (they still resolve)."),
    _fault("vm-reference-missing", "REPR-06", "Snapshots other than the active one carry no vm element (the active one has none anyway)."),
    _fault("vm-reference-other-vm", "REPR-06", "A snapshot's vm names another VM of the engine (in v3 with that VM's href)."),
    _fault("vm-reference-to-collection", "REPR-06", "A snapshot's vm element has the VM's id, but its href points to the VM collection."),
    _fault("restore-link-missing", "REPR-07", "Snapshots have no actions, hence no restore link."),
    _fault("restore-link-outside-actions", "REPR-07", "The restore link sits directly under the snapshot instead of under actions."),
    _fault("prev-link-to-newer", "REPR-08", 'Snapshots carry rel="prev" links (an offered MAY) that point to the next newer snapshot.'),
    _fault(
        "type-padded",
        "REPR-09",
        'A regular snapshot\'s type is " regular " (with spaces), not a value of the enumeration.',
        dialects=V3,
        restricted="the v4 schema types snapshot_type as an enumeration, so there the same defect breaks SNAP-REPR-15 too (type-padded-v4)",
    ),
    _fault(
        "type-padded-v4",
        ("REPR-09", "REPR-15"),
        'A regular snapshot\'s snapshot_type is " regular " (with spaces), not a value of the enumeration.',
        why=_V4_ENUM.format("snapshot_type", "SnapshotType"),
        dialects=V4,
        restricted="the v3 schema types the type as xs:string, so there the same defect breaks SNAP-REPR-09 alone (type-padded)",
    ),
    _fault("seeded-vm-without-active", "REPR-10", "The VMs the engine started with list no active snapshot (the suite's own VM lists one)."),
    _fault(
        "active-missing",
        ("REPR-10", "RST-02"),
        "The list leaves out the active snapshot.",
        why="SNAP-RST-02 restates SNAP-REPR-10 for the list after a restore",
    ),
    _fault("active-date-space", ("REPR-11", "REPR-12", "REPR-15"), "The active snapshot's date has a space instead of the T.", why=_BROKEN_DATE),
    _fault("active-date-garbage", ("REPR-11", "REPR-12", "REPR-15"), 'The active snapshot\'s date is free text ("last Tuesday").', why=_BROKEN_DATE),
    _fault(
        "active-date-missing",
        ("REPR-11", "REPR-12"),
        "The active snapshot carries no date.",
        why="a snapshot without date names no instant either, which SNAP-REPR-12 (SHOULD) asks for",
    ),
    _fault("dates-without-offset", "REPR-12", "Dates are UTC wall times without Z or offset."),
    _fault("active-status-missing", "REPR-13", "The active snapshot carries no snapshot_status."),
    _fault(
        "active-status-invalid",
        "REPR-13",
        'The active snapshot\'s snapshot_status is "up", not one of ok, locked, in_preview.',
        dialects=V3,
        restricted="the v4 schema types snapshot_status as an enumeration, so there the same defect breaks SNAP-REPR-15 too (active-status-invalid-v4)",
    ),
    _fault(
        "active-status-invalid-v4",
        ("REPR-13", "REPR-15"),
        'The active snapshot\'s snapshot_status is "up", not one of ok, locked, in_preview.',
        why=_V4_ENUM.format("snapshot_status", "SnapshotStatus"),
        dialects=V4,
        restricted="the v3 schema types snapshot_status as xs:string, so there the same defect breaks SNAP-REPR-13 alone (active-status-invalid)",
    ),
    _fault("active-memory-flag-missing", "REPR-14", "The active snapshot carries no persist_memorystate."),
    _fault(
        "active-memory-flag-word",
        ("REPR-14", "REPR-15"),
        'The active snapshot\'s persist_memorystate is "no", not an xs:boolean.',
        why="the schema types persist_memorystate as xs:boolean (SNAP-REPR-15, SHOULD)",
    ),
    _fault("element-order", "REPR-15", "A snapshot's date and vm elements swap places, against the schema's order."),
    _fault(
        "v3-element-order",
        "REPR-15",
        "v4 snapshots list their own members in the v3 schema's order (snapshot_type, vm, date, snapshot_status, persist_memorystate).",
        dialects=V4,
        restricted=_V4_SHAPE,
    ),
    _fault(
        "v3-type-element",
        ("REPR-06", "REPR-09", "REPR-10", "REPR-15", "CRT-03", "CRT-05", "RST-02", "PRV-01"),
        "v4 snapshots carry their type as <type> (the v3 name) instead of <snapshot_type>.",
        why=(
            "a v4 snapshot without snapshot_type has no type at all: none is active (SNAP-REPR-10, and SNAP-RST-02 after a "
            "restore; and the active snapshot, which carries no vm, is not told from a non-active one, SNAP-REPR-06), "
            "a new snapshot is not regular (SNAP-CRT-03, and SNAP-CRT-05 for a live one), the former active one is "
            "not listed as preview (SNAP-PRV-01, an offered MAY); and <type> is the VM type in v4, an enumeration "
            "(server, desktop, high_performance) that regular is not in (SNAP-REPR-15, SHOULD)"
        ),
        dialects=V4,
        restricted=_V4_SHAPE,
    ),
    _fault(
        "seeded-snapshot-type-missing",
        "REPR-09",
        "The regular snapshots of the VMs the engine started with carry no type (the suite's own VM's carry theirs).",
    ),
    _fault("unknown-element", "REPR-15", "Snapshots carry an element the schema does not know (snapshot_size)."),
    _fault("get-stale-description", "REPR-16", "A single GET shows another description than the list."),
    _fault("get-date-shifted", "REPR-16", "A single GET shows a date one hour later than the list."),
    _fault("duplicate-entry", "REPR-17", "The list shows a regular snapshot twice."),
    # --- JSON -------------------------------------------------------------------------
    _fault("json-collection-wrapped", "JSON-01", 'The JSON list is wrapped in its root\'s name: {"snapshots": {"snapshot": [...]}}.'),
    _fault("json-collection-text-plain", "JSON-01", "The JSON list is sent as text/plain."),
    _fault("json-description-differs", "JSON-02", "JSON descriptions differ from the XML ones (a trailing space)."),
    _fault("json-date-shifted", "JSON-02", "JSON dates are two hours off the XML ones (local time labelled UTC)."),
    _fault("json-dates-epoch-seconds", "JSON-02", "JSON dates are epoch seconds, which as the epoch milliseconds of v4 JSON name an instant in 1970."),
    # --- ALLC -------------------------------------------------------------------------
    _fault("all-content-always", "ALLC-01", "Every snapshot carries its OVF, All-Content or not."),
    _fault("all-content-false-as-true", "ALLC-01", "Any All-Content header, even false, turns the OVF on."),
    _fault("all-content-ignored", "ALLC-02", "The All-Content header (and in v4 the all_content query) is ignored: no OVF ever."),
    _fault("all-content-list-only", "ALLC-02", "A single GET ignores All-Content; only the list honours it."),
    _fault(
        "all-content-query-ignored",
        "ALLC-06",
        "The query all_content=true is ignored (the header still works).",
        dialects=V4,
        restricted=_V4_ONLY_QUERY,
    ),
    _fault(
        "all-content-query-list-only",
        "ALLC-06",
        "A single GET ignores the query all_content=true; only the list honours it.",
        dialects=V4,
        restricted=_V4_ONLY_QUERY,
    ),
    _fault("configuration-type-not-ovf", "ALLC-02", 'The configuration\'s type is "xml" instead of ovf.'),
    _fault("ovf-as-child-elements", "ALLC-03", "In XML, data holds the OVF as child elements instead of escaped text."),
    _fault("ovf-wrong-namespace", "ALLC-03", "The OVF's Envelope is in the namespace of OVF 2 (http://schemas.dmtf.org/ovf/envelope/2)."),
    _fault("json-ovf-entity-escaped", "ALLC-04", "In JSON, data holds the OVF entity-escaped (&lt;ovf:Envelope ...)."),
    _fault("json-ovf-differs", "ALLC-04", "In JSON, data holds another OVF document than in XML."),
    _fault("ovf-wrong-name", "ALLC-05", "The OVF names the VirtualSystem after the template, not the VM."),
    _fault("ovf-without-cpu", "ALLC-05", "The OVF's hardware section has no CPU item (ResourceType 3)."),
    # --- PUT --------------------------------------------------------------------------
    _fault(
        "put-applied",
        ("PUT-01", "PUT-02", "PUT-03"),
        "A PUT on a snapshot is accepted (200) and changes its description.",
        why=_PUT_REFUSAL + "; and the change breaks SNAP-PUT-03",
    ),
    _fault("put-ignored", ("PUT-01", "PUT-02"), "A PUT on a snapshot is accepted (200) and changes nothing.", why=_PUT_REFUSAL),
    _fault("put-500", ("PUT-01", "PUT-02"), "A PUT on a snapshot answers 500.", why=_PUT_REFUSAL, produces_5xx=True),
    _fault("put-refused-but-applied", "PUT-03", "A PUT on a snapshot is refused with 405, but changes its description all the same."),
    _fault("put-400", "PUT-02", "A PUT on a snapshot is refused with 400 and a fault instead of 405."),
    _fault("put-allow-lists-put", "PUT-02", "The 405 answer to a PUT on a snapshot has an Allow header that lists PUT."),
    # --- CRT --------------------------------------------------------------------------
    _fault("create-200", "CRT-01", "A create on a down VM without Expect is answered 200 OK instead of 202."),
    _fault("create-answer-without-description", "CRT-01", "The answer to a create on a down VM leaves out the description."),
    _fault("expect-201-ignored", "CRT-02", "Expect: 201-created is ignored: creates answer 202."),
    _fault("location-missing", "CRT-02", "A 201 answer to a create carries no Location."),
    _fault("new-snapshot-pending", "CRT-03", 'A new snapshot of a down VM shows the status "pending" before locked and ok.'),
    _fault("new-snapshot-description-dropped", "CRT-03", "A new snapshot of a down VM is listed without the description it was created with."),
    _fault("dated-yesterday", "CRT-04", "Snapshots taken since the engine started are dated a day too early."),
    _fault("live-snapshot-stuck-locked", "CRT-05", "A live snapshot (VM up) stays locked for ever."),
    _fault("live-snapshot-refused", "CRT-05", "A snapshot of an up VM is refused with 409."),
    _fault("memory-flag-ignored", "CRT-06", "The persist_memorystate of a create is ignored: live snapshots never save memory."),
    _fault("memory-flag-forced", "CRT-06", "Every live snapshot saves memory, whatever persist_memorystate asked."),
    _fault("empty-description-accepted", "CRT-07", "A create with an empty description is accepted."),
    _fault(
        "description-optional",
        ("CRT-07", "ERR-01"),
        "A create without description is accepted, with a default one.",
        why="the suite's 400 for SNAP-ERR-01 is a create without description, which is no longer refused",
    ),
    _fault("lenient-parser", "CRT-08", "A malformed create body is parsed leniently (recovered) and the snapshot made."),
    _fault("malformed-body-fault-without-reason", "CRT-08", "A malformed create body is refused with 400 and a fault whose reason is empty."),
    _fault(
        "malformed-body-500",
        ("CRT-08", "ERR-03", "ERR-04"),
        "A create body the engine cannot parse answers 500.",
        why=(
            "a 5xx for a malformed body is what SNAP-ERR-03 forbids, SNAP-CRT-08 wants a 400, and SNAP-ERR-04 a 4xx "
            "for a body that declares entities (which this engine's reader refuses to parse)"
        ),
        produces_5xx=True,
    ),
    _fault("unknown-vm-400", "CRT-09", "A create for an unknown VM answers 400 instead of 404."),
    # --- DEL --------------------------------------------------------------------------
    _fault("delete-refused", "DEL-01", "A DELETE of a regular snapshot is refused with 409."),
    _fault("delete-acknowledged-not-done", "DEL-01", "A DELETE of a regular snapshot answers 200 and does nothing."),
    _fault("delete-active-acknowledged", "DEL-02", "A DELETE of the active snapshot answers 200 (and does nothing)."),
    _fault(
        "delete-active-409-without-fault",
        ("DEL-02", "ERR-01"),
        "A DELETE of the active snapshot is refused with 409 and an empty body.",
        why="the suite's 409 for SNAP-ERR-01 is this refusal, and both want a fault in it",
    ),
    _fault("delete-unknown-200", "DEL-03", "A DELETE of an unknown snapshot answers 200."),
    # --- RST --------------------------------------------------------------------------
    _fault("restore-200-failed-action", ("RST-01", "RST-08"), "A restore answers 200 with a failed action, though it restored.", why=_RESTORE_PROBE),
    _fault(
        "restore-200-failed-action-no-memory-option",
        "RST-01",
        "A restore answers 200 with a failed action, though it restored; restore_memory is not offered (400), so SNAP-RST-08 does not apply.",
    ),
    _fault("restored-shown-active", "RST-02", "After a restore the restored snapshot is listed with type active."),
    _fault("restored-left-in-preview", ("RST-02", "RST-08"), "After a restore the restored snapshot is listed in_preview.", why=_RESTORE_PROBE),
    _fault("restore-keeps-newer", ("RST-03", "RST-08"), "A restore keeps the snapshots newer than the restored one.", why=_RESTORE_PROBE),
    _fault(
        "restore-keeps-newer-no-memory-option",
        "RST-03",
        "A restore keeps the snapshots newer than the restored one; restore_memory is not offered (400), so SNAP-RST-08 does not apply.",
    ),
    _fault(
        "restore-drops-older",
        ("RST-03", "RST-08"),
        "A restore removes the snapshots older than the restored one.",
        why="SNAP-RST-08's probe restores an older snapshot, which the first restore removed",
    ),
    _fault("restore-keeps-configuration", ("RST-04", "RST-08"), "A restore leaves the VM's configuration as it was.", why=_RESTORE_PROBE),
    _fault(
        "restore-keeps-configuration-no-memory-option",
        "RST-04",
        "A restore leaves the VM's configuration as it was; restore_memory is not offered (400), so SNAP-RST-08 does not apply.",
    ),
    _fault("restore-while-up", "RST-05", "A restore of an up VM is carried out."),
    _fault("restore-while-up-without-fault", "RST-05", "A restore of an up VM is refused with 409 and an empty body."),
    _fault("restore-unknown-200", "RST-06", "A restore of an unknown snapshot answers 200 with a complete action."),
    _fault(
        "restore-unknown-500",
        ("RST-06", "ERR-03"),
        "A restore of an unknown snapshot answers 500.",
        why="the suite's malformed requests for SNAP-ERR-03 include restores of unknown snapshots",
        produces_5xx=True,
    ),
    _fault("restore-active-allowed", "RST-07", "A restore of the active snapshot answers 200 (and does nothing)."),
    _fault("restore-memory-409", "RST-08", "A restore with restore_memory (an offered MAY) is refused with 409."),
    _fault(
        "restore-status-nested",
        ("RST-01", "RST-08"),
        "A v4 restore answers an action whose status is nested the v3 way (<status><state>complete</state></status>).",
        why=_RESTORE_PROBE,
        dialects=V4,
        restricted=_V4_SHAPE,
    ),
    # --- NEG, ERR, AUTH ---------------------------------------------------------------
    _fault("json-by-default", "NEG-01", "A request without Accept is answered in JSON."),
    _fault("unsupported-accept-200", "NEG-02", "An unsupported Accept (text/csv) is answered 200 with XML."),
    _fault("not-found-html-body", "ERR-01", "A 404 for a snapshot carries an HTML page instead of nothing or a fault."),
    _fault("json-400-as-xml", "ERR-01", "A 400 fault is always XML, even when JSON was asked for."),
    _fault("malformed-id-500", "ERR-02", "A GET of a snapshot whose id is not a GUID answers 500.", produces_5xx=True),
    _fault("unsupported-media-type-500", "ERR-03", "A body of a media type the engine cannot read answers 500 instead of 415.", produces_5xx=True),
    _fault("entities-expanded", "ERR-04", "The XML reader expands the internal entities a request body declares (bombs included)."),
    # --- defects as engines have them, whatever the client asks (the suite must not be fitted to them)
    _fault(
        "create-500",
        ("CRT-01", "CRT-05", "ERR-03"),
        "Every snapshot create answers 500 and makes nothing.",
        why="a create that fails fails on a down VM (SNAP-CRT-01) and an up one (SNAP-CRT-05) alike, and a 5xx is what SNAP-ERR-03 forbids",
        produces_5xx=True,
    ),
    _fault(
        "create-answer-without-id",
        ("CRT-01", "CRT-02", "CRT-05"),
        "The answer to a create carries neither the new snapshot's id nor its href (nor a Location).",
        why="the answer to a live create lacks them as much as the answer to a down one, and a 201 without Location fails SNAP-CRT-02 (SHOULD)",
    ),
    _fault(
        "snapshots-never-unlock",
        "CRT-03",
        "New snapshots stay locked for ever (and so does the VM, for every change): what needs an idle VM is not tested.",
        keeps_resources=True,
    ),
    _fault(
        "descriptions-ascii-only",
        ("CRT-01", "CRT-03", "CRT-05"),
        "Snapshot descriptions are stored with every letter beyond ASCII turned into '?'.",
        why="the create answer (SNAP-CRT-01, and SNAP-CRT-05 for a live one) and the list (SNAP-CRT-03) both show the stored description",
    ),
    _fault("restore-memory-ignored", "RST-08", "A restore naming restore_memory is answered complete and restores nothing."),
    _fault("restore-keeps-memory", ("RST-04", "RST-08"), "A restore brings the VM's description back, but not its memory size.", why=_RESTORE_PROBE),
    _fault(
        "restore-202-failed",
        ("RST-01", "RST-08"),
        "A restore of a down VM is answered 202 with a failed action, and nothing is restored.",
        why=_RESTORE_PROBE,
    ),
    _fault("json-404-empty-object", "ERR-01", "A 404 asked for in JSON carries the body {} (no fault)."),
    _fault("expect-201-early", "CRT-02", "Expect: 201-created is answered 201 at once, while the new snapshot is still locked."),
    _fault("preview-new-id", "PRV-01", "During a preview, the former active snapshot is listed as the preview snapshot under another id."),
    _fault("refused-restore-stops-vm", "RST-05", "A restore refused because the VM is up stops the VM all the same."),
    _fault("odd-header-500", "ERR-03", "An All-Content header other than true or false answers 500.", produces_5xx=True),
    _fault("auth-bypass", "AUTH-01", "A request without credentials is served as admin@internal."),
    _fault("auth-any-password", "AUTH-01", "A request with the right user and a wrong password is served."),
    _fault("auth-401-with-data", "AUTH-01", "A 401 answer carries the data that was asked for."),
    _fault("auth-bogus-token", "AUTH-01", "A request with a Bearer token the engine never issued is served as admin@internal."),
    # --- optional features, offered but broken ------------------------------------------
    _fault("freeze-on-down-vm", "QSC-01", "freezefilesystems on a down VM answers 200 with a complete action."),
    _fault("sub-collection-put-accepted", "SUB-01", "A PUT on a snapshot's disks, nics or cdroms answers 200."),
    _fault("sub-collection-wrong-root", "SUB-01", "A snapshot's disks sub-collection answers with the root disk_list."),
    _fault("preview-not-in-preview", "PRV-01", "A previewed snapshot is listed ok instead of in_preview."),
    _fault("commit-keeps-newer", "PRV-02", "A commit keeps the snapshots newer than the committed one."),
    _fault("undo-keeps-configuration", "PRV-03", "An undo leaves the VM in the previewed configuration."),
)

_VARIANTS = (
    _variant("synchronous-create", "Every create waits until the snapshot is done and answers 201 with Location."),
    _variant("dates-whole-seconds", "Dates without fractions of a second, in UTC with Z (2025-06-10T22:00:03Z)."),
    _variant("dates-local-offset", "Dates in a +05:30 offset with microseconds (2025-06-11T03:30:03.118000+05:30)."),
    _variant("json-strings", "JSON booleans and numbers as strings and dates as epoch milliseconds, as Jackson writes them."),
    _variant("schema-alternatives", "Optional members the schema allows (name, comment, size), links in another order, attributes swapped."),
    _variant(
        "slow-timings",
        "Snapshots locked 0.4 s, VMs 0.3 s powering up or down, restores 0.3 s, 5 ms added to every answer.",
        snapshot_lock_seconds=0.4,
        vm_transition_seconds=0.3,
        restore_seconds=0.3,
        latency_seconds=0.005,
    ),
    _variant(
        "real-timings",
        "Snapshots locked 2 s, VMs 1 s powering up or down, restores 1 s, 10 ms added to every answer: seconds, as real engines take them.",
        snapshot_lock_seconds=2.0,
        vm_transition_seconds=1.0,
        restore_seconds=1.0,
        latency_seconds=0.01,
    ),
    _variant(
        "linked-snapshots",
        "The shapes of the guide's examples: every snapshot, the active one too, links disks, nics and cdroms and carries "
        "<vm id href> without the configuration inside (real 3.6 to 4.4 engines give the active one neither).",
    ),
    _variant("prev-links", 'Snapshots link the previous one with rel="prev", as engine 3.0 did.'),
    _variant("no-optional-features", "No freeze/thaw, preview, snapshot sub-collections or restore_memory (400): the MAYs are not offered."),
    _variant("delete-204", "A DELETE of a snapshot answers 204 No Content."),
    _variant(
        "json-native-values",
        "v4 JSON with native booleans and numbers (true, 1073741824) instead of strings.",
        dialects=V4,
        restricted="v3 JSON has native booleans and numbers already",
    ),
    _variant(
        "json-iso-dates",
        "v4 JSON dates as xs:dateTime strings instead of epoch milliseconds.",
        dialects=V4,
        restricted="v3 JSON has xs:dateTime strings already",
    ),
    _variant(
        "version-prefix",
        "The suite is pointed at the API root with the version in its path (/ovirt-engine/api/v3, /v4), which every href then carries.",
        version_prefix=True,
    ),
    _variant("engine-3.6-errors", "Refusals as 3.6 sends them: 400 for a DELETE of the active snapshot and a restore of an up VM."),
    _variant("fault-on-404", "A 404 carries a fault (reason, detail), as engines 4.5 and later answer; the 3.6 to 4.4 engines send an empty body."),
)

#: every fault, by name
FAULTS: Mapping[str, Injectable] = MappingProxyType({f.name: f for f in _FAULTS})
#: every variant, by name
VARIANTS: Mapping[str, Injectable] = MappingProxyType({v.name: v for v in _VARIANTS})


def check_names(names: Iterable[str], kind: Literal["fault", "variant"]) -> frozenset[str]:
    """``names`` as a frozenset; :class:`ValueError` naming the known ones for an unknown name."""
    known = FAULTS if kind == "fault" else VARIANTS
    if isinstance(names, str):
        raise ValueError(f"{kind}s must be a collection of names, not the string {names!r}")
    chosen = frozenset(names)
    unknown = sorted(chosen - set(known))
    if unknown:
        raise ValueError(f"unknown {kind}(s) {', '.join(unknown)}; known {kind}s: {', '.join(sorted(known))}")
    return chosen


def variant_settings(variants: Iterable[str]) -> dict[str, Any]:
    """The engine settings the ``variants`` change (of two that change one, the larger value wins),
    as keyword arguments of ``dataclasses.replace``."""
    values: dict[str, Any] = {}
    for name in sorted(variants):
        for key, value in VARIANTS[name].settings.items():
            values[key] = max(value, values.get(key, value))
    return values


assert len(FAULTS) == len(_FAULTS), "a fault name is used twice"
assert len(VARIANTS) == len(_VARIANTS), "a variant name is used twice"
assert not set(FAULTS) & set(VARIANTS), "a name is both a fault and a variant"
assert all(f.breaks for f in _FAULTS), "every fault breaks something"
assert all(bool(f.why) == (len(f.breaks) > 1) for f in _FAULTS), "a fault that breaks several requirements says why"
assert all(c.dialects and c.dialects <= BOTH and bool(c.restricted) == (c.dialects != BOTH) for c in (*_FAULTS, *_VARIANTS)), (
    "a case runs in known dialects, and one restricted to fewer says why"
)
