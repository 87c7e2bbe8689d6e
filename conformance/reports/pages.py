"""Standalone pages: the diff (HTML and Markdown), the fleet matrix, the ``both`` index.

Each HTML page is self-contained (its style and script inline, no external address) and
escapes every value; the Markdown escapes what would break a table or turn into markup in a
pull-request comment. Templates: ``templates/*.jinja2``.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jinja2 import Environment
from markupsafe import Markup

from conformance.reports._common import TOOL_NAME, TOOL_VERSION, template_environment

if TYPE_CHECKING:
    from conformance.reports.diff import Comparison
    from conformance.reports.merge import Matrix

__all__ = ["STATUS_LABELS", "render_diff_html", "render_diff_markdown", "render_index_html", "render_matrix_html"]

#: How the pages name a status; a status not listed is shown as it is.
STATUS_LABELS: Mapping[str, str] = {
    "passed": "passed",
    "failed": "failed",
    "warning": "warning",
    "waived": "waived",
    "partially_tested": "partially tested",
    "not_tested": "not tested",
    "not_applicable": "not applicable",
}
_CATEGORY_TITLES = {
    "regressed": "Regressed",
    "fixed": "Fixed",
    "newly_tested": "Newly tested",
    "unchanged_failure": "Unchanged failures",
    "changed": "Changed (not worse, not fixed)",
    "unchanged_untested": "Still not tested",
    "unchanged_pass": "Unchanged passes",
    "added": "New in the catalogue",
    "removed": "No longer in the catalogue",
}
#: a Markdown table cell keeps this many characters of a message (a comment has a size limit)
_MD_CELL = 400


def render_diff_html(comparison: Comparison) -> str:
    return _html().get_template("diff.html.jinja2").render(**_diff_context(comparison))


def render_diff_markdown(comparison: Comparison) -> str:
    return _markdown().get_template("diff.md.jinja2").render(**_diff_context(comparison))


def render_matrix_html(matrix: Matrix) -> str:
    environment = _html()
    return environment.get_template("matrix.html.jinja2").render(
        css=_raw(environment, "page.css"),
        js=_raw(environment, "fleet.js"),
        matrix=matrix,
        statuses=_statuses_in([cell.status for row in matrix.rows for cell in row.cells if cell is not None]),
        tool=f"{TOOL_NAME} {TOOL_VERSION}",
    )


def render_index_html(document: Mapping[str, Any]) -> str:
    """The index of a combined (``--api-version both``) report directory."""
    environment = _html()
    runs = [run for run in document.get("runs") or [] if isinstance(run, Mapping)]
    return environment.get_template("index.html.jinja2").render(
        css=_raw(environment, "page.css"),
        document=document,
        runs=runs,
        dialects=[str(run.get("api_version")) for run in runs],
        waived=sum(1 for item in document.get("requirements") or [] if item.get("status") == "waived"),
        tool=f"{TOOL_NAME} {TOOL_VERSION}",
    )


def _diff_context(comparison: Comparison) -> dict[str, Any]:
    from conformance.reports.diff import CATEGORIES

    environment = _html()
    sections = [(category, _CATEGORY_TITLES[category], comparison.of(category)) for category in CATEGORIES]
    return {
        "css": _raw(environment, "page.css"),
        "comparison": comparison,
        "old": comparison.old,
        "new": comparison.new,
        "sections": sections,
        "exit_code": comparison.exit_code,
        "tool": f"{TOOL_NAME} {TOOL_VERSION}",
    }


def _statuses_in(statuses: list[str]) -> list[str]:
    known = [status for status in STATUS_LABELS if status in statuses]
    return known + sorted(set(statuses) - set(STATUS_LABELS))


def _label(status: str | None) -> str:
    if status is None:
        return "—"
    return STATUS_LABELS.get(status, status)


def _md(text: object, limit: int = _MD_CELL) -> str:
    """Text safe inside a Markdown table cell: no markup, no pipes, lines joined with <br>."""
    value = "" if text is None else str(text).strip()
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    value = html.escape(value, quote=False).replace("|", "\\|").replace("`", "\\`").replace("*", "\\*").replace("_", "\\_")
    return "<br>".join(line.strip() for line in value.splitlines() if line.strip())


def _dialects(versions: object) -> str:
    return ", ".join(f"v{version}" for version in versions) if isinstance(versions, list | tuple) else str(versions)


def _short(digest: object) -> str:
    return str(digest)[:12] if digest else "unknown"


@functools.cache
def _html() -> Environment:
    environment = template_environment()
    environment.filters["status_label"] = _label
    environment.filters["short"] = _short
    environment.filters["dialects"] = _dialects
    return environment


@functools.cache
def _markdown() -> Environment:
    # Markdown is not HTML: no autoescape, every value goes through the md filter instead
    environment = template_environment(markdown=True)
    environment.filters["md"] = _md
    environment.filters["status_label"] = _label
    environment.filters["short"] = _short
    environment.filters["dialects"] = _dialects
    return environment


def _raw(environment: Environment, name: str) -> Markup:
    """A static asset (CSS, JS) of the templates folder, inlined as is."""
    loader = environment.loader
    if loader is None:  # pragma: no cover - both environments set one
        raise RuntimeError("the template environment has no loader")
    source, _, _ = loader.get_source(environment, name)
    return Markup(source)  # noqa: S704 - a file shipped in this package
