"""What ``run`` does around its pytest runs: checks the gate options first, and afterwards
folds the dialects into one result (``--api-version both``), gates on ``--baseline`` and
packs ``--bundle``.

Exit status of ``run --baseline``: the gate's, 0 when no requirement is worse than in the
baseline and 1 when one is (whatever the verdict), unless the run could not run (3) or was
interrupted (130); an unreadable baseline is 3 before anything runs. A bundle that cannot
be written is 3.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.plugin.options import UsageError, gate_options
from conformance.reports._common import write_atomically
from conformance.reports.bundle import BundleError, write_bundle
from conformance.reports.combined import combine_results
from conformance.reports.diff import gate_exit_code
from conformance.reports.gate import DIFF_HTML, DIFF_MARKDOWN, baseline_gate, comparison_lines
from conformance.reports.invocation import invocation_document, write_invocation
from conformance.reports.pages import render_index_html
from conformance.reports.reading import ResultsError
from conformance.reports.waivers import verdict_label

__all__ = ["check_gate_options", "finish"]

EXIT_COULD_NOT_RUN = 3
EXIT_INTERRUPTED = 130


def check_gate_options(args: argparse.Namespace) -> int | None:
    """3 (after one clear message) when ``--waivers``, ``--baseline`` or ``--bundle`` is unusable."""
    try:
        gate_options(args.waivers, args.baseline, args.bundle)
    except UsageError as error:
        print(f"snapshot-conformance run: {error}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    return None


def finish(args: argparse.Namespace, *, versions: Sequence[str], report_root: Path, code: int, started: datetime) -> int:
    """After the runs: the combined result, the gate, the bundle; returns the exit status."""
    if len(versions) > 1:
        _combine(args, versions, report_root, code, started)
    _record_command(args, report_root, started)
    if code in (EXIT_COULD_NOT_RUN, EXIT_INTERRUPTED):
        if args.baseline or args.bundle:
            print(f"snapshot-conformance: no diff and no bundle: the run did not complete (exit status {code})", file=sys.stderr)
        return code
    if args.baseline:
        try:
            comparison = baseline_gate(report_root, args.baseline)
        except ResultsError as error:
            print(f"snapshot-conformance: the gate could not compare: {error}", file=sys.stderr)
            return EXIT_COULD_NOT_RUN
        print(f"snapshot-conformance gate against {args.baseline}:")
        for line in comparison_lines(comparison):
            print(f"  {line}")
        print(f"  diff: {report_root / DIFF_MARKDOWN}, {report_root / DIFF_HTML}")
        code = gate_exit_code(code, comparison)
    if args.bundle:
        try:
            write_bundle(report_root, args.bundle)
        except (BundleError, OSError) as error:
            print(f"snapshot-conformance: the bundle could not be written: {error}", file=sys.stderr)
            return EXIT_COULD_NOT_RUN
        print(f"snapshot-conformance: bundle {args.bundle} (snapshot-conformance verify {args.bundle} checks it)")
    return code


def _combine(args: argparse.Namespace, versions: Sequence[str], report_root: Path, code: int, started: datetime) -> None:
    """``results.json``, ``index.html`` and ``invocation.json`` at the top of a ``both`` run."""
    parts: list[tuple[str, dict[str, Any]]] = []
    for version in versions:
        path = report_root / f"v{version}" / "results.json"
        # a results.json older than this command is another run's: never fold it in
        if path.is_file() and path.stat().st_mtime >= started.timestamp() - 1:
            try:
                parts.append((f"v{version}", json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError):
                continue
    if not parts:
        return
    document = combine_results(parts, exit_code=code)
    write_atomically(report_root / "results.json", (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    write_atomically(report_root / "index.html", render_index_html(document).encode("utf-8"))
    invocation = invocation_document(_command_options(args), argv=sys.argv[1:], started=started, finished=datetime.now(UTC))
    invocation["command"] = {"name": "snapshot-conformance run", "options": invocation["options"], "argv": invocation["argv"]}
    invocation["runs"] = [f"{directory}/invocation.json" for directory, _ in parts]
    write_invocation(report_root / "invocation.json", invocation)
    verdict = verdict_label(document["verdict"], int(document["summary"].get("waived", 0)))
    print(f"snapshot-conformance: both dialects: {verdict}; {report_root / 'index.html'}, {report_root / 'results.json'}")


def _command_options(args: argparse.Namespace) -> dict[str, Any]:
    return {key: value for key, value in vars(args).items() if not callable(value)}


def _record_command(args: argparse.Namespace, report_root: Path, started: datetime) -> None:
    """Add the command as typed (``--baseline``, ``--bundle`` ... which the pytest run does
    not see) to the top ``invocation.json``; a ``both`` run's already has it."""
    path = report_root / "invocation.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # the run wrote no invocation.json (it could not start): nothing to add to
    if not isinstance(document, dict) or path.stat().st_mtime < started.timestamp() - 1:
        return
    command = invocation_document(_command_options(args), argv=sys.argv[1:], started=started, finished=datetime.now(UTC))
    document.setdefault("command", {"name": "snapshot-conformance run", "options": command["options"], "argv": command["argv"]})
    write_invocation(path, document)
