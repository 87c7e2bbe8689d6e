"""``snapshot-conformance verify BUNDLE.zip``: is the bundle as it was written, and what does it claim?

Checks every file against the manifest (edited, added, removed), the manifest itself and
the claims against the reports, then prints what the bundle claims. Exits 0 when intact,
1 when tampered with, 3 when the file is no readable bundle.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import Any

from conformance.reports.bundle import BundleError, open_bundle
from conformance.reports.waivers import verdict_label

__all__ = ["add_parser", "run"]

EXIT_INTACT = 0
EXIT_TAMPERED = 1
EXIT_UNREADABLE = 3
#: the options worth a line of their own (all of them are in the bundle's bundle.json)
_SHOWN_OPTIONS = ("engine_url", "api_version", "username", "read_only", "vm", "keyword", "waivers")


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "verify",
        help="check a certification bundle's manifest and print what it claims",
        description="Check every file of a bundle against its SHA-256 manifest. Exit 0: intact; 1: tampered with; 3: not a readable bundle.",
    )
    parser.add_argument("bundle", metavar="BUNDLE.zip")


def run(args: argparse.Namespace) -> int:
    try:
        with open_bundle(args.bundle) as bundle:
            problems = bundle.problems()
            claims = bundle.claims
            files = len(bundle.entries)
            digest = bundle.manifest_sha256
    except BundleError as error:
        print(f"snapshot-conformance verify: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    if problems:
        print(f"TAMPERED: {args.bundle} is not as it was written:")
        for problem in problems:
            print(f"  {problem}")
        return EXIT_TAMPERED
    print(f"OK: {args.bundle} is intact: {files} files match the manifest (manifest.json SHA-256 {digest})")
    for line in _claim_lines(claims):
        print(line)
    print("The manifest proves integrity, not origin: check its signature (docs/ci.md) to know who made the bundle.")
    return EXIT_INTACT


def _claim_lines(claims: Mapping[str, Any]) -> list[str]:
    engine, tool, catalogue = _mapping(claims, "engine"), _mapping(claims, "tool"), _mapping(claims, "catalogue")
    waived = claims.get("waived")
    lines = [
        "The bundle claims:",
        f"  verdict:    {verdict_label(str(claims.get('verdict')), waived if isinstance(waived, int) else 0)} (exit status {claims.get('exit_code')})",
        f"  engine:     {engine.get('product') or 'unknown'} {engine.get('version') or ''} at {engine.get('url')}",
        f"  dialects:   {', '.join('v' + str(d) for d in claims.get('dialects') or [])}",
        f"  run:        {claims.get('started')} to {claims.get('finished')}",
        f"  tool:       {tool.get('name')} {tool.get('version')}",
        f"  catalogue:  SHA-256 {catalogue.get('sha256')}",
        f"  bundled:    {claims.get('created')}",
    ]
    for where, values in _mapping(claims, "options").items():
        if isinstance(values, Mapping):
            shown = ", ".join(f"{key}={values[key]!r}" for key in _SHOWN_OPTIONS if values.get(key) not in (None, False, ""))
            lines.append(f"  options:    {shown} ({where}; every option is in bundle.json)")
    for waiver in claims.get("waivers") or []:
        if isinstance(waiver, Mapping):
            until = f"until {waiver.get('expires')} ({waiver.get('owner')})"
            lines.append(f"  waiver:     {waiver.get('requirement')} {waiver.get('state')} {until}: {waiver.get('reason')}")
    return lines


def _mapping(claims: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = claims.get(key)
    return value if isinstance(value, Mapping) else {}
