"""The upgrade gate (``run --baseline OLD``): compare the run with the baseline, write the diff.

The run's report directory gets ``diff.md`` (for a pull-request or change-ticket comment)
and ``diff.html``; :func:`comparison_lines` is what the terminal shows. The exit status the
gate gives is :func:`conformance.reports.diff.gate_exit_code`.
"""

from __future__ import annotations

from pathlib import Path

from conformance.reports._common import write_atomically
from conformance.reports.diff import Comparison, compare
from conformance.reports.pages import STATUS_LABELS, render_diff_html, render_diff_markdown
from conformance.reports.reading import load_results

__all__ = ["DIFF_HTML", "DIFF_MARKDOWN", "baseline_gate", "comparison_lines", "write_diff"]

DIFF_MARKDOWN = "diff.md"
DIFF_HTML = "diff.html"


def baseline_gate(report_dir: str | Path, baseline: str | Path) -> Comparison:
    """Compare ``report_dir/results.json`` with ``baseline`` and write the diff beside it.

    Raises :class:`conformance.reports.reading.ResultsError` when either cannot be read.
    """
    root = Path(report_dir)
    comparison = compare(load_results(baseline), load_results(root / "results.json"))
    write_diff(comparison, markdown=root / DIFF_MARKDOWN, html=root / DIFF_HTML)
    return comparison


def write_diff(comparison: Comparison, *, markdown: Path | None = None, html: Path | None = None) -> None:
    if markdown is not None:
        write_atomically(markdown, render_diff_markdown(comparison).encode("utf-8"))
    if html is not None:
        write_atomically(html, render_diff_html(comparison).encode("utf-8"))


def comparison_lines(comparison: Comparison) -> list[str]:
    """The comparison for a terminal: the headline, warnings, then each regression and fix."""
    lines = [f"{comparison.old.source} -> {comparison.new.source}: {comparison.headline}"]
    lines += [f"WARNING: {warning}" for warning in comparison.warnings]
    for change in comparison.of("regressed"):
        tag = "REGRESSED (accepted by a waiver)" if change.accepted else "REGRESSED"
        message = change.new_message.strip().splitlines()[0] if change.new_message.strip() else ""
        lines.append(
            f"{tag}: {change.requirement_id} (v{change.dialect}) {_label(change.old_status)} -> {_label(change.new_status)}{': ' + message if message else ''}"
        )
    lines += [f"FIXED: {c.requirement_id} (v{c.dialect}) {_label(c.old_status)} -> {_label(c.new_status)}" for c in comparison.of("fixed")]
    counts = comparison.counts
    lines.append(", ".join(f"{count} {category.replace('_', ' ')}" for category, count in counts.items() if count))
    return lines


def _label(status: str | None) -> str:
    return "absent" if status is None else STATUS_LABELS.get(status, status)
