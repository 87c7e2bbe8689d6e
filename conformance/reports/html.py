"""HTML fragments for the pytest-html report (templates in ``templates/``).

* :func:`render_summary` — for ``pytest_html_results_summary``: pytest-html writes each
  string of ``prefix``/``summary``/``postfix`` into its page verbatim (``|safe``) while the
  page is rendered, so the fragment's inline ``<style>`` applies to the whole page and its
  inline ``<script>`` (the matrix filters) runs when the page loads.
* :func:`render_exchanges` — for ``extras.html(...)`` of a failing test: pytest-html's
  script inserts it with ``insertAdjacentHTML``, where a ``<script>`` never runs, so it
  collapses with ``<details>`` alone and takes its styles from the summary fragment.

Both escape every value (autoescape) and redact again before rendering.
"""

from __future__ import annotations

import functools
import http
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jinja2 import Environment
from markupsafe import Markup

from conformance.catalogue import Level
from conformance.reports._common import TOOL_NAME, TOOL_VERSION, template_environment, utc_iso
from conformance.reports.model import Exchange, RunRecord
from conformance.reports.redaction import redact_exchange, redact_text
from conformance.reports.verdict import STATUSES, Evaluation, exit_code, run_verdict
from conformance.reports.waivers import WaiverUse

__all__ = ["render_exchanges", "render_summary", "waiver_view"]


def render_summary(evaluation: Evaluation, run: RunRecord, *, secrets: Iterable[str] = ()) -> str:
    """The verdict banner, the engine's fingerprint, leftovers and the requirement matrix."""
    kept = tuple(secrets)
    environment = _environment()
    rows = [
        {
            "id": result.requirement.id,
            "level": result.requirement.level.value,
            "title": result.requirement.title,
            "text": result.requirement.text,
            "source": result.requirement.source,
            "status": result.status,
            "tests": [redact_text(nodeid, kept) for nodeid in result.tests],
            "message": redact_text(result.message, kept),
            "waiver": None if result.waiver is None else waiver_view(result.waiver, kept),
            "follows_from": list(result.follows_from),
        }
        for result in evaluation.results
    ]
    suite_errors = [{"nodeid": redact_text(test.nodeid, kept), "message": redact_text(test.message, kept)} for test in run.suite_errors]
    leftovers = [
        {
            "kind": resource.kind,
            "href": redact_text(resource.href, kept),
            "error": None if resource.error is None else redact_text(resource.error, kept),
        }
        for resource in run.created_resources
        if not resource.removed
    ]
    template = environment.get_template("summary.html.jinja2")
    return template.render(
        css=_raw(environment, "report.css"),
        js=_raw(environment, "matrix.js"),
        verdict=run_verdict(evaluation, run),
        aborted=None if run.aborted is None else redact_text(run.aborted, kept),
        exit_status=exit_code(evaluation, run),
        interrupted=run.interrupted,
        summary=[(status, evaluation.summary.get(status, 0)) for status in STATUSES],
        failed_count=evaluation.summary.get("failed", 0),
        waived_count=evaluation.summary.get("waived", 0),
        waivers=[waiver_view(use, kept) for use in evaluation.waivers if use.state != "other_dialect"],
        warning_count=evaluation.summary.get("warning", 0),
        untested_must=sum(1 for result in evaluation.results if result.status in ("not_tested", "partially_tested") and result.requirement.level is Level.MUST),
        engine={
            "url": redact_text(run.engine.url, kept),
            "product": None if run.engine.product is None else redact_text(run.engine.product, kept),
            "version": None if run.engine.version is None else redact_text(run.engine.version, kept),
            "api_version": run.engine.api_version,
        },
        started=utc_iso(run.started),
        finished=utc_iso(run.finished),
        duration=_duration((run.finished - run.started).total_seconds()),
        read_only=run.read_only,
        selection=run.selection,
        tool_name=TOOL_NAME,
        tool_version=TOOL_VERSION,
        leftovers=leftovers,
        teardown_problems=[redact_text(problem, kept) for problem in run.teardown_problems],
        suite_errors=suite_errors,
        levels=[level.value for level in Level],
        rows=rows,
    )


def waiver_view(use: WaiverUse, secrets: tuple[str, ...]) -> dict[str, object]:
    """A waiver's use as the templates show it (the link clickable only when it is a web address)."""
    values = {key: redact_text(value, secrets) if isinstance(value, str) else value for key, value in use.to_dict().items()}
    link = str(values["link"])
    values["href"] = link if link.startswith(("https://", "http://")) else None
    return values


def render_exchanges(exchanges: Sequence[Exchange], *, secrets: Iterable[str] = ()) -> str:
    """A test's HTTP exchanges as collapsible request/response blocks."""
    kept = tuple(secrets)
    views = [_ExchangeView.of(redact_exchange(exchange, kept)) for exchange in exchanges]
    return _environment().get_template("exchanges.html.jinja2").render(exchanges=views)


@dataclass(frozen=True)
class _ExchangeView:
    """An exchange with what the template shows precomputed."""

    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: str
    status: int | None
    status_line: str
    status_class: str
    response_headers: tuple[tuple[str, str], ...]
    response_body: str
    elapsed: str
    error: str | None

    @classmethod
    def of(cls, exchange: Exchange) -> _ExchangeView:
        return cls(
            method=exchange.method,
            url=exchange.url,
            request_headers=exchange.request_headers,
            request_body=exchange.request_body,
            status=exchange.status,
            status_line=_status_line(exchange.status),
            status_class=_status_class(exchange.status),
            response_headers=exchange.response_headers,
            response_body=exchange.response_body,
            elapsed=f"{exchange.elapsed_ms:.0f} ms",
            error=exchange.error,
        )


def _status_line(status: int | None) -> str:
    if status is None:
        return "no response"
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _status_class(status: int | None) -> str:
    if status is None:
        return "none"
    if status >= 500:
        return "server"
    if status >= 400:
        return "client"
    if status >= 300:
        return "redirect"
    return "ok"


@functools.cache
def _environment() -> Environment:
    # autoescape everywhere: the fragments are inserted into pytest-html's page verbatim
    return template_environment()


def _raw(environment: Environment, name: str) -> Markup:
    """A static asset (CSS, JS) of the templates folder, inlined as is, never as a template."""
    loader = environment.loader
    if loader is None:  # pragma: no cover - _environment() always sets one
        raise RuntimeError("the template environment has no loader")
    source, _, _ = loader.get_source(environment, name)
    # trusted: a file shipped in this package, not data from an engine
    return Markup(source)  # noqa: S704


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min {rest:02d} s" if hours else f"{minutes} min {rest:02d} s"
