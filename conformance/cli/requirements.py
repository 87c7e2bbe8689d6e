"""``snapshot-conformance requirements``: the requirement catalogue, as a table or JSON.

Without options, a fixed-width table (ID, level, dialects, title) of every requirement;
``--level``, ``--group`` and ``--api-version`` narrow it, ``--json`` prints every field.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from conformance.catalogue import GROUPS, CatalogueError, Level, Requirement, load_catalogue
from conformance.dialect import DIALECTS

__all__ = ["add_parser", "run"]

_COLUMNS = ("ID", "LEVEL", "DIALECTS", "TITLE")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register the ``requirements`` subcommand."""
    parser = subparsers.add_parser(
        "requirements",
        help="list the requirement catalogue (a table, or --json)",
        description="List the requirements the suite checks, with their stable IDs.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON with every field (text and source included)")
    parser.add_argument(
        "--level",
        action="append",
        type=str.upper,
        choices=[level.value for level in Level],
        help="only this level (repeatable)",
    )
    parser.add_argument("--group", action="append", type=str.upper, choices=GROUPS, help="only this group (repeatable)")
    parser.add_argument("--api-version", choices=sorted(DIALECTS), help="only the requirements that apply to this dialect")
    return parser


def run(args: argparse.Namespace, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Print the (filtered) catalogue; 0, or 1 when the catalogue itself is broken."""
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    try:
        catalogue = load_catalogue()
    except CatalogueError as error:
        print(f"snapshot-conformance: the requirement catalogue is broken: {error}", file=err)
        return 1
    levels = set(getattr(args, "level", None) or ())
    groups = set(getattr(args, "group", None) or ())
    version = getattr(args, "api_version", None)
    selected = [
        requirement
        for requirement in catalogue
        if (not levels or requirement.level.value in levels)
        and (not groups or requirement.group in groups)
        and (version is None or requirement.applies_to(version))
    ]
    if getattr(args, "json", False):
        document = {"requirements": [_as_json(requirement) for requirement in selected]}
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(_table(selected))
    return 0


def _as_json(requirement: Requirement) -> dict[str, Any]:
    return {
        "id": requirement.id,
        "level": requirement.level.value,
        "dialects": sorted(requirement.dialects),
        "group": requirement.group,
        "title": requirement.title,
        "text": requirement.text,
        "source": requirement.source,
    }


def _table(requirements: list[Requirement]) -> str:
    rows = [(requirement.id, requirement.level.value, ",".join(sorted(requirement.dialects)), requirement.title) for requirement in requirements]
    # the last column is left unpadded: titles vary and trailing blanks help nobody
    widths = [max(len(row[index]) for row in [_COLUMNS, *rows]) for index in range(len(_COLUMNS) - 1)]
    lines = ["  ".join([*(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)), row[-1]]) for row in [_COLUMNS, *rows]]
    lines.append(f"{len(rows)} requirement{'s' if len(rows) != 1 else ''}")
    return "\n".join(lines) + "\n"
