"""Reading results back, for ``diff`` and ``merge``: a ``results.json`` or a certification bundle.

A results document is one dialect's run, or (``run --api-version both``) several: then its
``runs`` list holds one entry per dialect, each with its own ``requirements``. Either way
:func:`load_results` gives a :class:`LoadedResults` with one :class:`DialectResults` per
dialect. A bundle (``.zip``) is verified first and its ``reports/results.json`` read.

The reader is tolerant, since documents come from other versions of the tool: keys it
does not know are ignored, and a status it does not know is kept as it is (and counts as not
passed wherever statuses are compared). What it needs: ``verdict``, ``engine`` (an object)
and ``requirements`` (a list of objects with ``id`` and ``status``); anything else missing
is read as unknown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.reports.bundle import BundleError, open_bundle
from conformance.reports.waivers import verdict_label

__all__ = ["DialectResults", "LoadedResults", "RequirementState", "ResultsError", "load_results", "parse_results"]

#: a results.json of a full run is ~100 KiB; far larger input is not one
_MAX_BYTES = 64 * 1024 * 1024
_BUNDLE_RESULTS = "reports/results.json"


class ResultsError(ValueError):
    """A file is not a readable results document or bundle; ``str()`` says which and why."""


@dataclass(frozen=True)
class RequirementState:
    """One requirement's outcome in one dialect's run."""

    id: str
    level: str
    title: str
    status: str
    message: str
    #: the waiver that accepted a failure (status ``waived``), as results.json has it
    waiver: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class DialectResults:
    """One dialect's run: its engine fingerprint, verdict and requirement statuses."""

    api_version: str
    verdict: str
    exit_code: int | None
    url: str
    product: str | None
    version: str | None
    started: str
    finished: str
    summary: Mapping[str, int]
    requirements: tuple[RequirementState, ...]
    interrupted: bool = False
    aborted: str | None = None
    _by_id: Mapping[str, RequirementState] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {state.id: state for state in self.requirements})

    def get(self, requirement_id: str) -> RequirementState | None:
        return self._by_id.get(requirement_id)

    @property
    def waived(self) -> int:
        return sum(1 for state in self.requirements if state.status == "waived")

    @property
    def verdict_label(self) -> str:
        return verdict_label(self.verdict, self.waived)


@dataclass(frozen=True)
class LoadedResults:
    """A results document (or bundle) as a whole."""

    #: the path as given
    source: str
    #: a short name for the document: its directory's name for results.json and bundle.zip, else its stem
    label: str
    bundle: bool
    verdict: str
    url: str
    product: str | None
    version: str | None
    started: str
    finished: str
    tool_version: str | None
    catalogue_sha256: str | None
    runs: tuple[DialectResults, ...]

    @property
    def dialects(self) -> tuple[str, ...]:
        return tuple(run.api_version for run in self.runs)

    def run(self, api_version: str) -> DialectResults | None:
        return next((run for run in self.runs if run.api_version == api_version), None)

    @property
    def waived(self) -> int:
        return sum(run.waived for run in self.runs)

    @property
    def verdict_label(self) -> str:
        return verdict_label(self.verdict, self.waived)


def load_results(path: str | Path) -> LoadedResults:
    """Read a ``results.json`` or a bundle; raise :class:`ResultsError` when it cannot be used."""
    source = str(path)
    target = Path(path)
    try:
        with target.open("rb") as stream:
            head = stream.read(4)
    except OSError as error:
        raise ResultsError(f"{source}: cannot read it: {error.strerror or error}") from None
    if head.startswith(b"PK"):
        try:
            with open_bundle(target) as bundle:
                problems = bundle.problems()
                if problems:
                    raise ResultsError(f"{source}: the bundle fails verification ({problems[0]}); run snapshot-conformance verify {source}")
                data = bundle.read(_BUNDLE_RESULTS)
        except BundleError as error:
            raise ResultsError(f"{source}: {error}") from None
        return parse_results(_json(data, source), source, bundle=True)
    if target.stat().st_size > _MAX_BYTES:
        raise ResultsError(f"{source}: larger than {_MAX_BYTES // (1024 * 1024)} MiB; not a results.json")
    return parse_results(_json(target.read_bytes(), source), source, bundle=False)


def parse_results(document: Any, source: str, *, bundle: bool = False) -> LoadedResults:
    """A results document (already parsed JSON) as :class:`LoadedResults`."""
    if not isinstance(document, Mapping):
        raise ResultsError(f"{source}: not a results document (expected a JSON object)")
    engine = _mapping(document, "engine", source)
    parts = document.get("runs")
    if isinstance(parts, list) and parts:
        runs = tuple(_dialect(part, source, f"runs[{index}]", engine) for index, part in enumerate(parts))
    else:
        runs = (_dialect(document, source, "the document", engine),)
    tool = document.get("tool")
    catalogue = document.get("catalogue")
    return LoadedResults(
        source=source,
        label=_label(source),
        bundle=bundle,
        verdict=_text(document, "verdict", source, required=True),
        url=str(engine.get("url") or ""),
        product=_optional(engine.get("product")),
        version=_optional(engine.get("version")),
        started=str(document.get("started") or ""),
        finished=str(document.get("finished") or ""),
        tool_version=_optional(tool.get("version")) if isinstance(tool, Mapping) else None,
        catalogue_sha256=_optional(catalogue.get("sha256")) if isinstance(catalogue, Mapping) else None,
        runs=runs,
    )


def _dialect(part: Any, source: str, where: str, engine: Mapping[str, Any]) -> DialectResults:
    if not isinstance(part, Mapping):
        raise ResultsError(f"{source}: {where} is not an object")
    own = part.get("engine")
    fingerprint = own if isinstance(own, Mapping) else engine
    api_version = part.get("api_version", fingerprint.get("api_version"))
    if not isinstance(api_version, str | int) or isinstance(api_version, bool) or not str(api_version):
        raise ResultsError(f"{source}: {where} does not say its dialect (engine.api_version)")
    items = part.get("requirements")
    if not isinstance(items, list):
        raise ResultsError(f"{source}: {where} has no 'requirements' list")
    requirements: list[RequirementState] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str) or not isinstance(item.get("status"), str):
            raise ResultsError(f"{source}: {where}: requirements[{index}] needs a string 'id' and 'status'")
        waiver = item.get("waiver")
        requirements.append(
            RequirementState(
                id=item["id"],
                level=str(item.get("level") or ""),
                title=str(item.get("title") or ""),
                status=item["status"],
                message=str(item.get("message") or ""),
                waiver=dict(waiver) if isinstance(waiver, Mapping) else None,
            )
        )
    summary = part.get("summary")
    code = part.get("exit_code")
    return DialectResults(
        api_version=str(api_version),
        verdict=_text(part, "verdict", source, required=True),
        exit_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        url=str(fingerprint.get("url") or ""),
        product=_optional(fingerprint.get("product")),
        version=_optional(fingerprint.get("version")),
        started=str(part.get("started") or ""),
        finished=str(part.get("finished") or ""),
        summary={str(k): v for k, v in summary.items() if isinstance(v, int)} if isinstance(summary, Mapping) else {},
        requirements=tuple(requirements),
        interrupted=bool(part.get("interrupted")),
        aborted=_optional(part.get("aborted")),
    )


def _json(data: bytes, source: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ResultsError(f"{source}: not UTF-8 text; not a results.json") from None
    except json.JSONDecodeError as error:
        raise ResultsError(f"{source}: not valid JSON (line {error.lineno}: {error.msg})") from None


def _mapping(document: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = document.get(key)
    if not isinstance(value, Mapping):
        raise ResultsError(f"{source}: not a results document ('{key}' must be an object)")
    return value


def _text(document: Mapping[str, Any], key: str, source: str, *, required: bool = False) -> str:
    value = document.get(key)
    if isinstance(value, str) and value:
        return value
    if required:
        raise ResultsError(f"{source}: not a results document (no '{key}')")
    return ""


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


def _label(source: str) -> str:
    path = Path(source)
    if path.stem in ("results", "bundle") and path.parent.name not in ("", "."):
        return path.parent.name
    return path.stem
