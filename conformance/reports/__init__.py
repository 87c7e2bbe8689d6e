"""Reports of a conformance run: the verdict and its writers.

Records (:mod:`.model`) → :func:`evaluate` (:mod:`.verdict`) → ``results.json``,
``junit.xml`` and HTML fragments for pytest-html (:mod:`.html`). Every writer redacts
credentials again (:mod:`.redaction`), whatever the recorder already did.
"""

from conformance.reports._junit import junit_tree, write_junit
from conformance.reports._results import results_document, write_results_json
from conformance.reports.html import render_exchanges, render_summary
from conformance.reports.model import (
    CreatedResource,
    EngineInfo,
    Exchange,
    ModelError,
    RunRecord,
    TestRecord,
)
from conformance.reports.redaction import REDACTED, redact_exchange, redact_headers, redact_text
from conformance.reports.verdict import (
    EXIT_CODES,
    EXIT_COULD_NOT_RUN,
    EXIT_INTERRUPTED,
    STATUSES,
    Evaluation,
    RequirementResult,
    UnknownRequirementError,
    Verdict,
    evaluate,
    exit_code,
    failure_lines,
    run_verdict,
)

__all__ = [
    "EXIT_CODES",
    "EXIT_COULD_NOT_RUN",
    "EXIT_INTERRUPTED",
    "REDACTED",
    "STATUSES",
    "CreatedResource",
    "EngineInfo",
    "Evaluation",
    "Exchange",
    "ModelError",
    "RequirementResult",
    "RunRecord",
    "TestRecord",
    "UnknownRequirementError",
    "Verdict",
    "evaluate",
    "exit_code",
    "failure_lines",
    "junit_tree",
    "redact_exchange",
    "redact_headers",
    "redact_text",
    "render_exchanges",
    "render_summary",
    "results_document",
    "run_verdict",
    "write_junit",
    "write_results_json",
]
