"""Waivers: dated, owned exceptions to the verdict (``run --waivers FILE``).

The file is a YAML list; each entry accepts the failure (or warning) of one requirement::

    - requirement: SNAP-REPR-04
      reason: upper-case GUIDs until the engine's fix ships
      owner: platform-team@example.com
      link: https://bugs.example/1234567
      expires: 2025-06-30        # the last day the waiver counts (YYYY-MM-DD)
      engine_version: "4.5.*"    # optional: a glob the engine's reported version must match

Every key but ``engine_version`` is required, and values are read as text. Loading
(:func:`load_waivers`) refuses the whole file with a :class:`WaiverError` whose lines read
``FILE:LINE: what is wrong``: malformed YAML, a missing, unknown or empty key, a date that
is not ``YYYY-MM-DD``, an ID the catalogue does not have, a waiver that has expired.

Applying them (:func:`apply_waivers`, where the plugin evaluates) records what became of
each waiver; only ``applied`` changes a requirement's status (to ``waived``):

===================  ==================================================================
state                when
===================  ==================================================================
``applied``          the requirement failed (or warned) and the waiver accepts it
``not_needed``       the requirement passed (or is not applicable): remove the waiver
``engine_mismatch``  ``engine_version`` does not match the engine's version
``not_judged``       the requirement was not tested in this run
``other_dialect``    the requirement does not apply to the run's dialect
``shadowed``         an earlier waiver of the file already accepts the requirement
===================  ==================================================================
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml

from conformance.catalogue import Catalogue
from conformance.reports.model import EngineInfo
from conformance.reports.verdict import Evaluation, RequirementResult, rejudged

__all__ = [
    "WAIVER_KEYS",
    "Waiver",
    "WaiverError",
    "WaiverFile",
    "WaiverState",
    "WaiverUse",
    "apply_waivers",
    "load_waivers",
    "parse_waivers",
    "verdict_label",
    "waiver_lines",
]

WaiverState = Literal["applied", "not_needed", "engine_mismatch", "not_judged", "other_dialect", "shadowed"]

#: The keys of a waiver entry, the optional one last.
WAIVER_KEYS = ("requirement", "reason", "owner", "link", "expires", "engine_version")
_REQUIRED = WAIVER_KEYS[:-1]
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: a waiver file is a short list written by people; anything larger is a mistake
_MAX_BYTES = 1_048_576


class WaiverError(ValueError):
    """The waiver file cannot be used; ``str()`` has one ``FILE:LINE: problem`` per line."""

    def __init__(self, source: str, problems: list[tuple[int, str]]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{source}:{line}: {problem}" for line, problem in problems))


@dataclass(frozen=True)
class Waiver:
    """One entry of a waiver file."""

    requirement: str
    reason: str
    owner: str
    link: str
    #: the last day on which the waiver counts
    expires: date
    #: a glob (``fnmatch``, case-sensitive, whole string) the engine's version must match
    engine_version: str | None
    #: the file and the line where the entry starts
    source: str
    line: int

    def matches(self, version: str | None) -> bool:
        """Whether the waiver is meant for an engine reporting ``version``."""
        if self.engine_version is None:
            return True
        return version is not None and fnmatch.fnmatchcase(version, self.engine_version)

    def to_dict(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "reason": self.reason,
            "owner": self.owner,
            "link": self.link,
            "expires": self.expires.isoformat(),
            "engine_version": self.engine_version,
            "source": self.source,
            "line": self.line,
        }


@dataclass(frozen=True)
class WaiverFile:
    """A loaded waiver file: where it is, its digest (for the bundle), its entries."""

    path: str
    sha256: str
    waivers: tuple[Waiver, ...]


@dataclass(frozen=True)
class WaiverUse:
    """What one waiver did in one run."""

    waiver: Waiver
    state: WaiverState
    #: the requirement's status before any waiver; None when its dialect was not run
    status: str | None

    def to_dict(self) -> dict[str, Any]:
        return {**self.waiver.to_dict(), "state": self.state, "status": self.status}


def load_waivers(path: str | Path, catalogue: Catalogue, *, today: date | None = None) -> WaiverFile:
    """Read and check a waiver file; raise :class:`WaiverError` naming the file and line."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise WaiverError(source, [(0, f"cannot read the waiver file: {error.strerror or error}")]) from None
    if len(data) > _MAX_BYTES:
        raise WaiverError(source, [(0, f"the waiver file is larger than {_MAX_BYTES // 1024} KiB")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise WaiverError(source, [(1, f"not UTF-8 text: {error.reason}")]) from None
    waivers = parse_waivers(text, source, catalogue, today=today or date.today())
    return WaiverFile(path=source, sha256=hashlib.sha256(data).hexdigest(), waivers=waivers)


def parse_waivers(text: str, source: str, catalogue: Catalogue, *, today: date) -> tuple[Waiver, ...]:
    """The waivers of a file's text; every problem found is reported at once."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise WaiverError(source, [((mark.line + 1) if mark else 1, f"not valid YAML: {error.problem or error}")]) from None
    except yaml.YAMLError as error:
        raise WaiverError(source, [(1, f"not valid YAML: {error}")]) from None
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == "tag:yaml.org,2002:null"):
        return ()
    if not isinstance(root, yaml.SequenceNode):
        raise WaiverError(source, [(_line(root), "the waiver file must be a YAML list of waivers (entries starting with '- requirement: ...')")])
    problems: list[tuple[int, str]] = []
    waivers: list[Waiver] = []
    for entry in root.value:
        waiver = _waiver(entry, source, catalogue, today, problems)
        if waiver is not None:
            waivers.append(waiver)
    seen: dict[tuple[str, str | None], int] = {}
    for waiver in waivers:
        key = (waiver.requirement, waiver.engine_version)
        if key in seen:
            problems.append((waiver.line, f"a second waiver for {waiver.requirement} (the first is on line {seen[key]})"))
        seen.setdefault(key, waiver.line)
    if problems:
        raise WaiverError(source, sorted(problems))
    return tuple(waivers)


def _waiver(entry: yaml.Node, source: str, catalogue: Catalogue, today: date, problems: list[tuple[int, str]]) -> Waiver | None:
    line = _line(entry)
    if not isinstance(entry, yaml.MappingNode):
        problems.append((line, "a waiver must be a mapping with the keys " + ", ".join(WAIVER_KEYS)))
        return None
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    before = len(problems)
    for key_node, value_node in entry.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key not in WAIVER_KEYS:
            problems.append((_line(key_node), f"unknown key {key!r}; a waiver has the keys {', '.join(WAIVER_KEYS)}"))
            continue
        if key in values or key in lines:
            problems.append((_line(key_node), f"the key {key!r} appears twice"))
            continue
        lines[key] = _line(value_node)
        if not isinstance(value_node, yaml.ScalarNode):
            problems.append((lines[key], f"{key!r} must be a single value, not a list or mapping"))
            continue
        text = "" if value_node.tag == "tag:yaml.org,2002:null" else str(value_node.value).strip()
        if not text:
            problems.append((lines[key], f"{key!r} must not be empty"))
            continue
        values[key] = text
    missing = [key for key in _REQUIRED if key not in lines]
    if missing:
        problems.append((line, f"the waiver lacks {', '.join(repr(key) for key in missing)}"))
    if len(problems) > before:
        return None

    requirement = values["requirement"]
    if requirement not in catalogue:
        problems.append((lines["requirement"], f"unknown requirement ID {requirement!r} (snapshot-conformance requirements lists them)"))
    expires = _date(values["expires"])
    if expires is None:
        problems.append((lines["expires"], f"'expires' must be a date written YYYY-MM-DD, got {values['expires']!r}"))
    elif expires < today:
        problems.append(
            (
                lines["expires"],
                f"the waiver for {requirement} (owner {values['owner']}) expired on {expires.isoformat()}: renew it with a new date or remove it",
            )
        )
    if len(problems) > before or expires is None:
        return None
    return Waiver(
        requirement=requirement,
        reason=values["reason"],
        owner=values["owner"],
        link=values["link"],
        expires=expires,
        engine_version=values.get("engine_version"),
        source=source,
        line=line,
    )


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _date(text: str) -> date | None:
    if _DATE.fullmatch(text) is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# --- applying ------------------------------------------------------------------------------


def apply_waivers(evaluation: Evaluation, waivers: WaiverFile | None, engine: EngineInfo) -> Evaluation:
    """The evaluation with the failures the waivers accept marked ``waived``, judged again."""
    if waivers is None:
        return evaluation
    by_id = {result.requirement.id: result for result in evaluation.results}
    uses: list[WaiverUse] = []
    waived: dict[str, WaiverUse] = {}
    for waiver in waivers.waivers:
        result = by_id.get(waiver.requirement)
        state = _state(waiver, result, engine, waived)
        use = WaiverUse(waiver=waiver, state=state, status=None if result is None else result.status)
        uses.append(use)
        if state == "applied":
            waived[waiver.requirement] = use
    results = tuple(
        replace(result, status="waived", waiver=waived[result.requirement.id]) if result.requirement.id in waived else result for result in evaluation.results
    )
    return rejudged(evaluation, results, tuple(uses))


def _state(waiver: Waiver, result: RequirementResult | None, engine: EngineInfo, waived: dict[str, WaiverUse]) -> WaiverState:
    if result is None:
        return "other_dialect"
    if not waiver.matches(engine.version):
        return "engine_mismatch"
    if result.status in ("failed", "warning"):
        return "shadowed" if waiver.requirement in waived else "applied"
    if result.status in ("passed", "not_applicable"):
        return "not_needed"
    return "not_judged"


# --- telling ---------------------------------------------------------------------------------


def verdict_label(verdict: str, waived: int) -> str:
    """The verdict as the reports say it: ``conformant with 2 waivers``, never plain
    ``conformant`` while a waiver accepted something."""
    if waived <= 0:
        return verdict
    return f"{verdict} with {waived} waiver{'s' if waived != 1 else ''}"


def waiver_lines(evaluation: Evaluation, engine: EngineInfo) -> list[str]:
    """One line per waiver that did something worth telling (terminal summary)."""
    lines: list[str] = []
    for use in evaluation.waivers:
        waiver = use.waiver
        where = f"{waiver.source}:{waiver.line}"
        if use.state == "applied":
            lines.append(
                f"WAIVED: {waiver.requirement} ({use.status}) until {waiver.expires.isoformat()}: {waiver.reason} [{waiver.owner}, {waiver.link}] ({where})"
            )
        elif use.state == "not_needed":
            lines.append(f"WAIVER NO LONGER NEEDED: {waiver.requirement} is {use.status}; remove the waiver at {where}")
        elif use.state == "engine_mismatch":
            version = engine.version or "unknown"
            lines.append(f"WAIVER NOT APPLIED: {waiver.requirement}: the engine's version {version} does not match {waiver.engine_version!r} ({where})")
        elif use.state == "not_judged":
            lines.append(f"WAIVER NOT USED: {waiver.requirement} was not tested ({use.status}) ({where})")
        elif use.state == "shadowed":
            lines.append(f"WAIVER NOT USED: {waiver.requirement} is already waived by an earlier entry ({where})")
    return lines
