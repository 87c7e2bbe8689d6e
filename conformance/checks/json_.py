"""SNAP-JSON: the JSON representation, and its agreement with the XML one.

JSON from the engine is looser than XML: Jackson over the JAXB classes writes booleans and
numbers as JSON strings (``"false"``) and dates as epoch milliseconds; other serialisers
write ISO 8601 strings. The checks accept all of those, and compare values, not spellings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree

from conformance.checks._failure import RequirementFailure
from conformance.checks._show import listing, show, subject
from conformance.checks.documents import HTTPAnswer, check_ok_answer, child_text, parse_json_answer, snapshot_id
from conformance.checks.lexical import collapse_whitespace, is_guid, is_xs_boolean, parse_xs_boolean, parse_xs_datetime
from conformance.dialect import Dialect

__all__ = ["check_json_collection_answer", "check_json_matches_xml", "json_instant"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INTEGER = re.compile(r"-?[0-9]+")


def check_json_collection_answer(answer: HTTPAnswer) -> list[Mapping[str, Any]]:
    """SNAP-JSON-01: the list answers 200 ``application/json``, an object holding a
    ``snapshot`` array of objects; returns the array.

    An object without the ``snapshot`` key is an empty list (``{}``: the JAXB/Jackson
    mapping leaves an empty list out); but a ``snapshots`` key there (the collection
    wrapped in its XML root's name) fails.
    """
    requirement = "SNAP-JSON-01"
    check_ok_answer(answer, requirement, what="the snapshot list asked for as JSON", media="application/json", body="a JSON object")
    document = parse_json_answer(answer, requirement)
    if not isinstance(document, dict):
        raise RequirementFailure(
            requirement,
            "the JSON snapshot list is not an object",
            received=f"a JSON {type(document).__name__}: {show(document)}",
            expected='an object {"snapshot": [...]}',
        )
    if "snapshot" not in document:
        if "snapshots" in document:
            raise RequirementFailure(
                requirement,
                "the JSON snapshot list is wrapped in a snapshots key",
                received=f"keys {listing(repr(key) for key in document)}",
                expected='{"snapshot": [...]} at the top level',
            )
        return []
    items = document["snapshot"]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise RequirementFailure(
            requirement,
            "the JSON snapshot list's snapshot member is not an array of objects",
            received=show(items),
            expected='"snapshot": [{...}, ...]',
        )
    return items


def json_instant(value: object) -> tuple[datetime, bool] | None:
    """The instant a JSON date denotes, and whether it was given in epoch milliseconds.

    Accepted: a number or an all-digit string (epoch milliseconds; an all-digit string is
    always read so, never as an ISO basic date), an ``xs:dateTime``, or another ISO 8601
    date-time ``datetime.fromisoformat`` reads (e.g. Jackson's ``+0000``). Without an
    offset the instant is taken as UTC. None for anything else.
    """
    millis: float
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        millis = value
    elif isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text):
            millis = int(text)
        else:
            try:
                return parse_xs_datetime(text), False
            except ValueError:
                pass
            if len(text) <= 10:  # a date alone is no instant
                return None
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                return None
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)), False
    else:
        return None
    if not math.isfinite(millis):
        return None
    try:
        return _EPOCH + timedelta(milliseconds=millis), True
    except OverflowError:
        return None


def _same_text_as_xml(xml_text: str, json_value: object) -> bool:
    """The JSON carries the XML's very text: they agree, whatever that text is worth (a
    value that is no date or no boolean is SNAP-REPR-11's or SNAP-REPR-14's concern)."""
    return isinstance(json_value, str) and collapse_whitespace(json_value) == collapse_whitespace(xml_text)


def _same_date(xml_text: str | None, json_value: object) -> bool:
    if xml_text is None or json_value is None:
        return xml_text is None and json_value is None
    if _same_text_as_xml(xml_text, json_value):
        return True
    instant = json_instant(json_value)
    if instant is None:
        return False
    try:
        xml_instant = parse_xs_datetime(xml_text)
        json_date, in_millis = instant
        if in_millis:  # epoch milliseconds cannot say more than milliseconds
            xml_instant = xml_instant.replace(microsecond=xml_instant.microsecond // 1000 * 1000)
        return xml_instant == json_date
    except (ValueError, OverflowError):
        return False


def _same_flag(xml_text: str | None, json_value: object) -> bool:
    if xml_text is None or json_value is None:
        return xml_text is None and json_value is None
    if _same_text_as_xml(xml_text, json_value):
        return True
    if not is_xs_boolean(xml_text):
        return False
    if isinstance(json_value, bool):
        return json_value == parse_xs_boolean(xml_text)
    return isinstance(json_value, str) and is_xs_boolean(json_value) and (parse_xs_boolean(json_value) == parse_xs_boolean(xml_text))


def _same_text(xml_text: str | None, json_value: object) -> bool:
    return xml_text == json_value


def _key(identifier: str) -> str:
    return identifier.lower() if is_guid(identifier) else identifier


def check_json_matches_xml(json_snapshots: Sequence[Mapping[str, Any]], xml_snapshots: Sequence[etree._Element], dialect: Dialect) -> None:
    """SNAP-JSON-02: the JSON list holds the same snapshots as the XML one (by id), each
    with the same href, description, ``{type}``, status, memory flag (a JSON boolean or
    an ``xs:boolean`` string) and date (the same instant: ISO string or epoch ms)."""
    requirement = "SNAP-JSON-02"
    by_id: dict[str, Mapping[str, Any]] = {}
    for item in json_snapshots:
        identifier = item.get("id")
        if not isinstance(identifier, str) or not identifier:
            raise RequirementFailure(
                requirement,
                "a JSON snapshot has no string id",
                received=f"id {show(identifier)} in {show(dict(item))}",
                expected="every JSON snapshot with its id as a string",
            )
        by_id[_key(identifier)] = item
    xml_by_id = {_key(snapshot_id(snapshot)): snapshot for snapshot in xml_snapshots}
    missing = [key for key in xml_by_id if key not in by_id]
    extra = [key for key in by_id if key not in xml_by_id]
    if missing or extra:
        raise RequirementFailure(
            requirement,
            "JSON and XML list different snapshots",
            received=f"only in XML: {listing(missing)}; only in JSON: {listing(extra)}",
            expected=f"the same {len(xml_by_id)} snapshot ids in both",
        )
    problems: list[str] = []
    disagreeing: list[str] = []
    for key, snapshot in xml_by_id.items():
        item = by_id[key]
        fields = [
            ("href", snapshot.get("href"), item.get("href"), _same_text),
            ("description", child_text(snapshot, "description"), item.get("description"), _same_text),
            (
                dialect.type_element,
                child_text(snapshot, dialect.type_element),
                item.get(dialect.type_element),
                _same_text,
            ),
            ("snapshot_status", child_text(snapshot, "snapshot_status"), item.get("snapshot_status"), _same_text),
            (
                "persist_memorystate",
                child_text(snapshot, "persist_memorystate"),
                item.get("persist_memorystate"),
                _same_flag,
            ),
            ("date", child_text(snapshot, "date"), item.get("date"), _same_date),
        ]
        for name, xml_value, json_value, agree in fields:
            if not agree(xml_value, json_value):
                problems.append(f"{snapshot_id(snapshot)} {name}: XML {show(xml_value)}, JSON {show(json_value)}")
                if snapshot_id(snapshot) not in disagreeing:
                    disagreeing.append(snapshot_id(snapshot))
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise RequirementFailure(
            requirement,
            f"JSON and XML disagree on {listing(subject(identifier) for identifier in disagreeing)}",
            received=shown,
            expected="the same values (booleans as true/false or their strings, dates the same instant)",
        )
