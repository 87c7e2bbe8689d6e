"""The requirement catalogue: what an engine must do, with stable IDs.

The catalogue is data (``specs/requirements.yaml``); this module loads it, checks it and
offers it as an immutable :class:`Catalogue` of :class:`Requirement` values::

    catalogue = load_catalogue()
    catalogue["SNAP-REPR-03"].level        # Level.MUST
    catalogue.for_dialect("3")             # the requirements a v3 engine is held to

The IDs are a public interface (reports, baselines and waivers refer to them), so a
malformed file is refused outright with a :class:`CatalogueError` rather than read leniently.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, overload

import yaml

from conformance.dialect import DIALECTS
from conformance.resources import spec

__all__ = [
    "GROUPS",
    "Catalogue",
    "CatalogueError",
    "Level",
    "Requirement",
    "catalogue_sha256",
    "load_catalogue",
    "parse_catalogue",
]

#: The groups of the catalogue, in catalogue order; an ID's middle part is its group.
GROUPS: tuple[str, ...] = (
    "REPR", "JSON", "ALLC", "PUT", "CRT", "DEL", "RST", "NEG", "ERR", "AUTH", "QSC", "SUB", "PRV",
)  # fmt: skip

_ID = re.compile(r"SNAP-(?P<group>[A-Z]+)-(?P<number>\d\d)")
_FIELDS = ("id", "level", "dialects", "group", "title", "text", "source")
_OPTIONAL_FIELDS = ("prerequisites",)


class CatalogueError(ValueError):
    """The catalogue file is malformed; ``str()`` names the entry and what is wrong."""


class Level(enum.StrEnum):
    """RFC 2119 level: a MUST failure fails the run, a SHOULD failure warns, MAY is optional."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Requirement:
    """One requirement of the catalogue."""

    id: str
    level: Level
    #: the API versions ("3", "4") the requirement applies to
    dialects: frozenset[str]
    group: str
    title: str
    #: the requirement itself, normative (RFC 2119 words)
    text: str
    #: where it comes from: a seed section and/or a fact of ovirt-snapshot-api-facts.md
    source: str
    #: the requirements whose failure makes this one's tests fail too: a failure of this
    #: one while one of them failed follows from it (:func:`conformance.reports.verdict.evaluate`)
    prerequisites: tuple[str, ...] = ()

    def applies_to(self, dialect_version: str) -> bool:
        """Whether an engine speaking ``dialect_version`` is held to this requirement."""
        return dialect_version in self.dialects


class Catalogue:
    """An immutable, ordered collection of requirements, indexed by ID."""

    __slots__ = ("_by_id", "_requirements")

    _requirements: tuple[Requirement, ...]
    _by_id: Mapping[str, Requirement]

    def __init__(self, requirements: Iterable[Requirement]) -> None:
        ordered = tuple(requirements)
        by_id: dict[str, Requirement] = {}
        for requirement in ordered:
            if requirement.id in by_id:
                raise CatalogueError(f"{requirement.id}: duplicate requirement ID")
            by_id[requirement.id] = requirement
        object.__setattr__(self, "_requirements", ordered)
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self._requirements)

    def __len__(self) -> int:
        return len(self._requirements)

    def __contains__(self, requirement_id: object) -> bool:
        return requirement_id in self._by_id

    def __getitem__(self, requirement_id: str) -> Requirement:
        try:
            return self._by_id[requirement_id]
        except KeyError:
            raise KeyError(f"unknown requirement ID {requirement_id!r}") from None

    @overload
    def get(self, requirement_id: str) -> Requirement | None: ...
    @overload
    def get(self, requirement_id: str, default: Requirement) -> Requirement: ...
    def get(self, requirement_id: str, default: Requirement | None = None) -> Requirement | None:
        return self._by_id.get(requirement_id, default)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every ID, in file order."""
        return tuple(requirement.id for requirement in self._requirements)

    def for_dialect(self, version: str) -> tuple[Requirement, ...]:
        """The requirements an engine speaking ``version`` is held to, in file order."""
        return tuple(requirement for requirement in self._requirements if requirement.applies_to(version))

    def __repr__(self) -> str:
        return f"<Catalogue of {len(self._requirements)} requirements>"


@functools.cache
def load_catalogue() -> Catalogue:
    """The packaged catalogue (``specs/requirements.yaml``), read and checked once."""
    return parse_catalogue(spec("requirements.yaml").read_text(encoding="utf-8"))


@functools.cache
def catalogue_sha256() -> str:
    """The SHA-256 (hex) of the packaged catalogue file: which catalogue a run was judged by."""
    return hashlib.sha256(spec("requirements.yaml").read_bytes()).hexdigest()


def parse_catalogue(text: str) -> Catalogue:
    """Parse and check catalogue YAML; raise :class:`CatalogueError` when it is malformed."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CatalogueError(f"the catalogue is not valid YAML: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("requirements"), list):
        raise CatalogueError("the catalogue must be a mapping with a 'requirements' list")
    requirements = [_requirement(index, entry) for index, entry in enumerate(document["requirements"])]
    if not requirements:
        raise CatalogueError("the catalogue has no requirements")
    seen: set[str] = set()
    for requirement in requirements:
        if requirement.id in seen:
            raise CatalogueError(f"{requirement.id}: duplicate requirement ID")
        seen.add(requirement.id)
    _check_order(requirements)
    _check_prerequisites(requirements)
    return Catalogue(requirements)


def _requirement(index: int, entry: Any) -> Requirement:
    where = f"requirement #{index + 1}"
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: expected a mapping, got {type(entry).__name__}")
    if isinstance(entry.get("id"), str):
        where = entry["id"]
    missing = [name for name in _FIELDS if name not in entry]
    if missing:
        raise CatalogueError(f"{where}: missing field(s) {', '.join(missing)}")
    unknown = sorted(str(name) for name in entry if name not in _FIELDS + _OPTIONAL_FIELDS)
    if unknown:
        # a misspelt field would otherwise be dropped without a word
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(unknown)}; expected {', '.join(_FIELDS + _OPTIONAL_FIELDS)}")
    for name in ("id", "level", "group", "title", "text", "source"):
        value = entry[name]
        if not isinstance(value, str) or not value.strip():
            raise CatalogueError(f"{where}: {name!r} must be a non-empty string")

    match = _ID.fullmatch(entry["id"])
    if match is None:
        raise CatalogueError(f"{where}: the ID must match SNAP-<GROUP>-<two digits>")
    try:
        level = Level(entry["level"])
    except ValueError:
        raise CatalogueError(f"{where}: unknown level {entry['level']!r}; expected one of {', '.join(level.value for level in Level)}") from None
    group = entry["group"]
    if group not in GROUPS:
        raise CatalogueError(f"{where}: unknown group {group!r}; expected one of {', '.join(GROUPS)}")
    if match["group"] != group:
        raise CatalogueError(f"{where}: the ID's group {match['group']!r} differs from its group field {group!r}")
    return Requirement(
        id=entry["id"],
        level=level,
        dialects=_dialects(where, entry["dialects"]),
        group=group,
        title=entry["title"].strip(),
        text=" ".join(entry["text"].split()),
        source=entry["source"].strip(),
        prerequisites=_prerequisites(where, entry.get("prerequisites", [])),
    )


def _prerequisites(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and _ID.fullmatch(item) for item in value):
        raise CatalogueError(f"{where}: 'prerequisites' must be a list of requirement IDs")
    if len(set(value)) != len(value):
        raise CatalogueError(f"{where}: 'prerequisites' lists an ID twice")
    return tuple(value)


def _check_prerequisites(requirements: list[Requirement]) -> None:
    """Every prerequisite exists, shares a dialect, and none leads back to itself."""
    by_id = {requirement.id: requirement for requirement in requirements}
    for requirement in requirements:
        for other in requirement.prerequisites:
            if other not in by_id:
                raise CatalogueError(f"{requirement.id}: unknown prerequisite {other}")
            if not requirement.dialects & by_id[other].dialects:
                raise CatalogueError(f"{requirement.id}: its prerequisite {other} applies to none of its dialects")

    def visit(rid: str, path: tuple[str, ...]) -> None:
        if rid in path:
            raise CatalogueError(f"{rid}: prerequisites form a circle ({' -> '.join((*path[path.index(rid) :], rid))})")
        for other in by_id[rid].prerequisites:
            visit(other, (*path, rid))

    for requirement in requirements:
        visit(requirement.id, ())


def _dialects(where: str, value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not value:
        raise CatalogueError(f'{where}: \'dialects\' must be a non-empty list such as ["3", "4"]')
    for item in value:
        # YAML reads a bare 3 as an int; insist on strings so the file reads like the API versions
        if not isinstance(item, str) or item not in DIALECTS:
            raise CatalogueError(f"{where}: unknown dialect {item!r}; expected quoted API versions from {sorted(DIALECTS)}")
    if len(set(value)) != len(value):
        raise CatalogueError(f"{where}: 'dialects' lists a version twice")
    return frozenset(value)


def _check_order(requirements: list[Requirement]) -> None:
    """Entries must follow group order, then ID order, so the file reads like the catalogue."""
    previous: tuple[int, str] | None = None
    for requirement in requirements:
        key = (GROUPS.index(requirement.group), requirement.id)
        if previous is not None and key <= previous:
            raise CatalogueError(
                f"{requirement.id}: out of order (after {previous[1]}); keep group order ({', '.join(GROUPS)}) and ascending IDs within a group"
            )
        previous = key
