"""SNAP-ALLC: ``All-Content: true`` (in v4 also the query ``all_content=true``) and the
OVF a snapshot then carries.

The OVF sits in ``initialization/configuration/data``: in XML as character data (escaped
markup), in JSON as a string of raw markup. Every OVF text is parsed with
:mod:`conformance.safexml`, like any other document from the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lxml import etree

from conformance import safexml
from conformance.checks._failure import RequirementFailure
from conformance.checks._show import listing, show, subject
from conformance.checks.documents import child_text, parse_xml_text, snapshot_id
from conformance.checks.lexical import is_guid
from conformance.dialect import Dialect

__all__ = [
    "OVF_NAMESPACE",
    "RASD_NAMESPACE",
    "check_all_content_query",
    "check_configuration_present",
    "check_no_configuration_data",
    "check_ovf_describes_vm",
    "check_ovf_json",
    "check_ovf_xml",
    "configuration_data",
]

OVF_NAMESPACE = "http://schemas.dmtf.org/ovf/envelope/1/"
RASD_NAMESPACE = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_ENVELOPE = f"{{{OVF_NAMESPACE}}}Envelope"
_DATA = "initialization/configuration/data"


def _element_children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def configuration_data(snapshot: etree._Element) -> str | None:
    """The character data of ``initialization/configuration/data`` (``""`` when empty),
    None when the snapshot has no such element."""
    data = snapshot.find(_DATA)
    if data is None:
        return None
    return str(data.xpath("string()"))


def check_no_configuration_data(snapshots: Sequence[etree._Element]) -> None:
    """SNAP-ALLC-01: without All-Content no snapshot carries
    ``initialization/configuration/data`` (not even an empty one)."""
    carrying = [snapshot_id(snapshot) or "(no id)" for snapshot in snapshots if snapshot.find(_DATA) is not None]
    if carrying:
        raise RequirementFailure(
            "SNAP-ALLC-01",
            f"snapshots carry configuration data without All-Content: {listing(carrying)}",
            received=f"initialization/configuration/data in {len(carrying)} of {len(snapshots)} snapshots",
            expected="no initialization/configuration/data unless All-Content: true was sent",
        )


def check_configuration_present(snapshot: etree._Element, dialect: Dialect) -> None:
    """SNAP-ALLC-02: with All-Content, a snapshot carries ``initialization/configuration``
    with ``type`` ovf and non-empty ``data``. The active snapshot is exempt (its
    configuration is the VM itself): for it this returns quietly. Whether ``data`` is
    well-formed character data is SNAP-ALLC-03's concern."""
    if child_text(snapshot, dialect.type_element) == "active":
        return
    identifier = snapshot_id(snapshot)
    configuration = snapshot.find("initialization/configuration")
    expected = "<initialization><configuration><type>ovf</type><data>(the OVF)</data></configuration></initialization>"
    if configuration is None:
        raise RequirementFailure(
            "SNAP-ALLC-02",
            f"{subject(identifier)}: no configuration with All-Content",
            received="no initialization/configuration" if snapshot.find("initialization") is None else "initialization without configuration",
            expected=expected,
        )
    kind = child_text(configuration, "type")
    data = configuration.find("data")
    empty = data is None or (not str(data.xpath("string()")).strip() and not _element_children(data))
    if kind != "ovf" or empty:
        raise RequirementFailure(
            "SNAP-ALLC-02",
            f"{subject(identifier)}: configuration " + ("is not of type ovf" if kind != "ovf" else "has no data" if data is None else "has empty data"),
            received=f"type {show(kind)}, data {'absent' if data is None else 'empty' if empty else 'present'}",
            expected=expected,
        )


def check_ovf_xml(snapshot: etree._Element) -> etree._Element:
    """SNAP-ALLC-03: in XML, ``data`` is character data (no child elements) whose text is a
    well-formed document with root ``ovf:Envelope``; returns the Envelope."""
    requirement = "SNAP-ALLC-03"
    identifier = snapshot_id(snapshot)
    data = snapshot.find(_DATA)
    expected = f"escaped markup (&lt;ovf:Envelope ...) whose text is a document with root Envelope in {OVF_NAMESPACE}"
    if data is None:
        raise RequirementFailure(requirement, f"{subject(identifier)}: no OVF", received=f"no {_DATA}", expected=expected)
    children = _element_children(data)
    if children:
        raise RequirementFailure(
            requirement,
            f"{subject(identifier)}: data holds elements instead of character data",
            received=f"{len(children)} child element(s), the first <{children[0].tag}>",
            expected=expected,
        )
    text = str(data.xpath("string()"))
    if not text.strip():
        raise RequirementFailure(requirement, f"{subject(identifier)}: data is empty", received=show(text), expected=expected)
    envelope = parse_xml_text(text, requirement, what=f"the OVF of {subject(identifier)}")
    _require_envelope(envelope, requirement, f"{subject(identifier)}: the OVF's root is not ovf:Envelope")
    return envelope


def _require_envelope(root: etree._Element, requirement: str, title: str) -> None:
    if root.tag != _ENVELOPE:
        raise RequirementFailure(requirement, title, received=f"root <{root.tag}>", expected=f"root {{{OVF_NAMESPACE}}}Envelope")


def _canonical(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n")


def _difference(first: bytes, second: bytes, names: tuple[str, str] = ("JSON", "XML")) -> str:
    """Where two canonical documents part, shown as the text around that point."""
    at = next((i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), min(len(first), len(second)))
    start = max(0, at - 40)

    def around(text: bytes) -> str:
        return show(text[start : at + 60].decode("utf-8", errors="replace"))

    return f"from byte {at}: {names[0]} {around(first)}, {names[1]} {around(second)}"


def check_ovf_json(json_snapshot: Mapping[str, Any], xml_ovf_text: str) -> None:
    """SNAP-ALLC-04: in JSON, ``initialization.configuration.data`` is a string of raw
    markup (not ``&lt;``-escaped), an ``ovf:Envelope``, and the same document as the XML
    one (``xml_ovf_text``): equal canonical (C14N 1.0) forms, not equal bytes.

    "Raw" means the text's first markup is ``<``; an ``&lt;`` inside the OVF's own text
    or attribute values is legitimate and allowed.
    """
    requirement = "SNAP-ALLC-04"
    identifier = str(json_snapshot.get("id") or "")
    data: object = json_snapshot
    for key in ("initialization", "configuration", "data"):
        data = data.get(key) if isinstance(data, Mapping) else None
    expected = 'a JSON string of raw OVF markup: "<?xml ...?><ovf:Envelope ...>"'
    if not isinstance(data, str):
        raise RequirementFailure(
            requirement,
            f"{subject(identifier)}: JSON initialization.configuration.data is not a string",
            received=show(data),
            expected=expected,
        )
    start = data.lstrip(" \t\r\n\ufeff")
    if not start.startswith("<"):
        escaped = start.startswith("&lt;")
        raise RequirementFailure(
            requirement,
            f"{subject(identifier)}: JSON OVF is " + ("entity-escaped instead of raw markup" if escaped else "not markup"),
            received=show(data),
            expected=expected,
        )
    envelope = parse_xml_text(data, requirement, what=f"the JSON OVF of {subject(identifier)}")
    reference = parse_xml_text(xml_ovf_text, "SNAP-ALLC-03", what=f"the XML OVF of {subject(identifier)}")
    if reference.tag == _ENVELOPE:  # else the XML's OVF is no Envelope either: SNAP-ALLC-03's concern
        _require_envelope(envelope, requirement, f"{subject(identifier)}: the JSON OVF's root is not ovf:Envelope")
    from_json, from_xml = _canonical(envelope), _canonical(reference)
    if from_json != from_xml:
        raise RequirementFailure(
            requirement,
            f"{subject(identifier)}: the JSON OVF is not the XML one",
            received=_difference(from_json, from_xml),
            expected="the same document (equal canonical XML) in JSON and XML",
        )


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _typed(element: etree._Element, name: str) -> bool:
    """Whether ``element`` is called ``name``, or is typed ``*:{name}_Type`` by xsi:type
    (oVirt writes ``<Content xsi:type="ovf:VirtualSystem_Type">``, DMTF
    ``<VirtualSystem>``)."""
    kind = element.get(_XSI_TYPE) or ""
    return _local(element) == name or kind.rpartition(":")[2] == f"{name}_Type"


def check_ovf_describes_vm(envelope: etree._Element, vm_name: str) -> None:
    """SNAP-ALLC-05 (SHOULD): the OVF's VirtualSystem is named ``vm_name``, and its
    VirtualHardwareSection has a CPU item (rasd:ResourceType 3) and a memory item (4).

    Names are matched by local name, so oVirt's unqualified children and DMTF's qualified
    ones both count.
    """
    problems: list[str] = []
    system = next((element for element in envelope.iter() if _typed(element, "VirtualSystem")), None)
    if system is None:
        problems.append("no VirtualSystem (Content xsi:type VirtualSystem_Type)")
        names: list[str | None] = []
        types: set[str] = set()
    else:
        names = [child.text for child in system if _local(child) == "Name"]
        hardware = [element for element in system.iter() if _typed(element, "VirtualHardwareSection")]
        types = {
            (resource.text or "").strip()
            for section in hardware
            for item in section.iter()
            if _local(item) == "Item"
            for resource in item
            if _local(resource) == "ResourceType"
        }
        if vm_name not in names:
            problems.append(f"Name {listing(show(name) for name in names) if names else 'absent'}")
        if not hardware:
            problems.append("no VirtualHardwareSection")
        elif not {"3", "4"} <= types:
            problems.append(f"hardware ResourceTypes {listing(sorted(types))}")
    if problems:
        raise RequirementFailure(
            "SNAP-ALLC-05",
            f"the OVF does not describe VM {vm_name!r}",
            received="; ".join(problems),
            expected=f"VirtualSystem Name {vm_name!r}; hardware Items with ResourceType 3 (CPU) and 4 (memory)",
        )


def _regular_data(snapshots: Sequence[etree._Element], dialect: Dialect) -> dict[str, tuple[str, str]]:
    """For every snapshot but the active one that carries non-empty configuration data:
    its id (GUIDs lower case, for comparing) -> (its id as written, the data)."""
    found: dict[str, tuple[str, str]] = {}
    for snapshot in snapshots:
        if child_text(snapshot, dialect.type_element) == "active":
            continue
        data = configuration_data(snapshot)
        if data is None or not data.strip():
            continue
        identifier = snapshot_id(snapshot)
        found[identifier.lower() if is_guid(identifier) else identifier] = (identifier, data)
    return found


def _canonical_text(text: str) -> bytes | None:
    """The canonical form of an OVF text, None when it is no safe, well-formed document
    (that is SNAP-ALLC-03's concern; here such texts compare as text)."""
    try:
        return _canonical(safexml.parse(text))
    except safexml.UnsafeOrMalformedXML:
        return None


def check_all_content_query(by_query: Sequence[etree._Element], by_header: Sequence[etree._Element], dialect: Dialect) -> None:
    """SNAP-ALLC-06 (v4): the list fetched with the query ``all_content=true`` carries
    the same configuration data as the list fetched with the header ``All-Content: true``:
    the same regular (non-active) snapshots have non-empty
    ``initialization/configuration/data``, and each one's OVF is the same document in both
    (equal canonical XML; texts that are no document must be equal as text).

    The active snapshot is left out, as in SNAP-ALLC-02. Whether the header's own answer
    is complete is SNAP-ALLC-02's concern: this check only compares the two.
    """
    requirement = "SNAP-ALLC-06"
    query, header = _regular_data(by_query, dialect), _regular_data(by_header, dialect)
    missing = [header[key][0] or "(no id)" for key in header if key not in query]
    extra = [query[key][0] or "(no id)" for key in query if key not in header]
    expected = "the same OVF for every regular snapshot as with the header All-Content: true"
    if missing or extra:
        if missing and not query:
            title = "the query all_content=true was ignored: no regular snapshot carries configuration data"
        else:
            title = "the query all_content=true and the header give configuration data for different snapshots"
        received = f"configuration data for {len(query)} regular snapshot(s) with the query, {len(header)} with the header"
        received += f"; only with the header: {listing(missing)}" if missing else ""
        received += f"; only with the query: {listing(extra)}" if extra else ""
        raise RequirementFailure(requirement, title, received=received, expected=expected)
    differing: list[str] = []
    first_difference = ""
    for key, (identifier, header_data) in header.items():
        query_data = query[key][1]
        by_query_form, by_header_form = _canonical_text(query_data), _canonical_text(header_data)
        if by_query_form is None or by_header_form is None:
            same = query_data == header_data
            where = f"{subject(identifier)}: the texts differ: query {show(query_data)}, header {show(header_data)}"
        else:
            same = by_query_form == by_header_form
            where = f"{subject(identifier)} {_difference(by_query_form, by_header_form, ('query', 'header'))}"
        if not same:
            differing.append(identifier or "(no id)")
            first_difference = first_difference or where
    if differing:
        raise RequirementFailure(
            requirement,
            f"the query all_content=true gives another OVF than the header for {listing(differing)}",
            received=first_difference,
            expected=expected + " (equal canonical XML)",
        )
