"""The small part of the engine's search language the engine understands.

``name=web*``, ``status=up``, ``name!=x``, joined by whitespace or ``and``; an optional
``Vms:`` prefix; values may be quoted; ``*`` is a wildcard; matching ignores case, as the
engine's does. Anything else is refused with 400.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from conformance.engine._faults import EngineFault, bad_request, echo

__all__ = ["Criterion", "matches", "parse_search"]

_TOKEN = re.compile(r'\s*(?:(?P<and>and)(?=\s|$)|(?P<field>[A-Za-z_]+)\s*(?P<op>!=|=)\s*(?P<value>"[^"]*"|[^\s"]+))\s*', re.IGNORECASE)
_MAX_LENGTH = 1024


@dataclass(frozen=True)
class Criterion:
    field: str
    negated: bool
    pattern: re.Pattern[str]


def parse_search(text: str, *, entity: str, fields: Collection[str]) -> list[Criterion]:
    """The criteria of ``text`` for a collection of ``entity`` (e.g. ``Vms``)."""
    if len(text) > _MAX_LENGTH:
        raise _invalid(entity, "the query is too long")
    prefix = f"{entity}:"
    body = text.strip()
    if body.lower().startswith(prefix.lower()):
        body = body[len(prefix) :]
    criteria: list[Criterion] = []
    position = 0
    while position < len(body):
        match = _TOKEN.match(body, position)
        if match is None or match.end() == position:
            raise _invalid(entity, f"cannot read {body[position : position + 40]!r}")
        position = match.end()
        if match.group("and"):
            continue
        field = match.group("field").lower()
        if field not in fields:
            raise _invalid(entity, f"unknown field {field!r} (known: {', '.join(sorted(fields))})")
        value = match.group("value").strip('"')
        pattern = re.compile("".join(".*" if c == "*" else re.escape(c) for c in value), re.IGNORECASE | re.DOTALL)
        criteria.append(Criterion(field, match.group("op") == "!=", pattern))
    return criteria


def matches(criteria: list[Criterion], values: Mapping[str, str]) -> bool:
    return all((criterion.pattern.fullmatch(values[criterion.field]) is None) == criterion.negated for criterion in criteria)


def _invalid(entity: str, why: str) -> EngineFault:
    return bad_request(f"[Cannot search {entity}. The search syntax is invalid: {echo(why)}]")
