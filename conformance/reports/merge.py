"""The fleet matrix: many runs side by side, engine by requirement (``merge``).

Each dialect of each input is one column (an engine seen in one dialect: product, version,
dialect, date, URL); each requirement one row, in catalogue order; each cell the status
(``None`` where the column's dialect or catalogue lacks the requirement).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.catalogue import load_catalogue
from conformance.reports._common import TOOL_NAME, TOOL_VERSION
from conformance.reports.reading import LoadedResults

__all__ = ["Cell", "Column", "Matrix", "Row", "merge"]


@dataclass(frozen=True)
class Column:
    label: str
    source: str
    product: str | None
    version: str | None
    api_version: str
    url: str
    started: str
    finished: str
    verdict: str
    verdict_label: str
    tool_version: str | None
    catalogue_sha256: str | None
    summary: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "source": self.source,
            "product": self.product,
            "version": self.version,
            "api_version": self.api_version,
            "url": self.url,
            "started": self.started,
            "finished": self.finished,
            "verdict": self.verdict,
            "verdict_label": self.verdict_label,
            "tool_version": self.tool_version,
            "catalogue_sha256": self.catalogue_sha256,
            "summary": dict(self.summary),
        }


@dataclass(frozen=True)
class Cell:
    status: str
    message: str
    waiver: Mapping[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, "waiver": None if self.waiver is None else dict(self.waiver)}


@dataclass(frozen=True)
class Row:
    id: str
    level: str
    title: str
    #: one per column; None where that run does not have the requirement
    cells: tuple[Cell | None, ...]

    @property
    def differs(self) -> bool:
        """Whether the columns that have the requirement disagree on its status."""
        return len({cell.status for cell in self.cells if cell is not None}) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "title": self.title,
            "differs": self.differs,
            "cells": [None if cell is None else cell.to_dict() for cell in self.cells],
        }


@dataclass(frozen=True)
class Matrix:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
            "columns": [column.to_dict() for column in self.columns],
            "requirements": [row.to_dict() for row in self.rows],
            "warnings": list(self.warnings),
        }


def merge(inputs: Sequence[LoadedResults]) -> Matrix:
    """The matrix of every dialect of every input, in the order given."""
    pairs = [(loaded, run) for loaded in inputs for run in loaded.runs]
    labels = _labels([f"{loaded.label} v{run.api_version}" if len(loaded.runs) > 1 else loaded.label for loaded, run in pairs])
    columns = tuple(
        Column(
            label=label,
            source=loaded.source,
            product=run.product,
            version=run.version,
            api_version=run.api_version,
            url=run.url,
            started=run.started,
            finished=run.finished,
            verdict=run.verdict,
            verdict_label=run.verdict_label,
            tool_version=loaded.tool_version,
            catalogue_sha256=loaded.catalogue_sha256,
            summary=run.summary,
        )
        for label, (loaded, run) in zip(labels, pairs, strict=True)
    )
    order = {rid: index for index, rid in enumerate(load_catalogue().ids)}
    seen: dict[str, tuple[str, str]] = {}
    for _, run in pairs:
        for known in run.requirements:
            seen.setdefault(known.id, (known.level, known.title))
    ids = sorted(seen, key=lambda rid: (order.get(rid, len(order)), rid))
    rows = []
    for rid in ids:
        cells = []
        for _, run in pairs:
            state = run.get(rid)
            cells.append(None if state is None else Cell(status=state.status, message=state.message, waiver=state.waiver))
        rows.append(Row(id=rid, level=seen[rid][0], title=seen[rid][1], cells=tuple(cells)))
    digests = {loaded.catalogue_sha256 for loaded in inputs}
    warnings = []
    if len(digests) > 1:
        warnings.append("the runs were judged by different requirement catalogues (or one does not record its own): a row may differ for that reason alone")
    return Matrix(columns=columns, rows=tuple(rows), warnings=tuple(warnings))


def _labels(labels: list[str]) -> list[str]:
    """The labels, made unique by a number where two are the same."""
    result = []
    for index, label in enumerate(labels):
        if labels.count(label) > 1:
            label = f"{label} ({labels[: index + 1].count(label)})"
        result.append(label)
    return result
