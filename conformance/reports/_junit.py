"""``junit.xml``: one test case per test, its requirement IDs as properties.

Built with lxml (so every value is escaped); characters XML 1.0 cannot carry are shown as
escapes. A failed or erred test's HTTP exchanges are its ``system-out``: redacted, as in
``results.json``, bodies cut short (CI systems display this file widely). A failed test
whose every blamed requirement a waiver accepts is written as ``<skipped type="waived">``
(with a ``waived`` property per ID), so CI shows it as accepted rather than red. A test
that erred on a bug of the suite is ``<error type="suite-error">``; a blamed ID that
follows from a failed prerequisite has a ``follows_from`` property; teardown problems and
resources left behind are suite properties and the suite's ``system-err``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from lxml import etree

from conformance.reports._common import TOOL_NAME, utc_iso, write_atomically, xml_safe
from conformance.reports._results import evidence
from conformance.reports.model import Exchange, RunRecord, TestRecord
from conformance.reports.redaction import redact_text
from conformance.reports.verdict import Evaluation, run_verdict
from conformance.reports.waivers import Waiver

__all__ = ["junit_tree", "split_nodeid", "write_junit"]

#: redacts a text and makes it XML-safe
_Clean = Callable[[str], str]


def junit_tree(evaluation: Evaluation, run: RunRecord, *, secrets: Iterable[str] = ()) -> etree._Element:
    """The ``<testsuites>`` element holding the one ``snapshot-conformance`` test suite."""
    kept = tuple(secrets)

    def clean(text: str) -> str:
        return xml_safe(redact_text(text, kept))

    waived = {result.requirement.id: result.waiver.waiver for result in evaluation.results if result.waiver is not None}
    outcomes = [_junit_outcome(test, waived) for test in run.tests]
    counts = {
        "tests": len(run.tests),
        "failures": outcomes.count("failed"),
        "errors": outcomes.count("error"),
        "skipped": outcomes.count("skipped") + outcomes.count("waived"),
    }
    attributes = {
        "name": TOOL_NAME,
        **{key: str(value) for key, value in counts.items()},
        "time": f"{sum(test.duration for test in run.tests):.3f}",
    }
    root = etree.Element("testsuites", attributes)
    suite = etree.SubElement(root, "testsuite", {**attributes, "timestamp": utc_iso(run.started)})
    properties = etree.SubElement(suite, "properties")
    suite_properties = [
        ("verdict", run_verdict(evaluation, run)),
        ("engine_url", clean(run.engine.url)),
        ("api_version", run.engine.api_version),
        ("product", clean(run.engine.product or "")),
        ("version", clean(run.engine.version or "")),
        ("read_only", "true" if run.read_only else "false"),
    ]
    if run.aborted:
        suite_properties.append(("aborted", clean(run.aborted)))
    if waived:
        suite_properties.append(("waived", str(len(waived))))
    suite_properties += [("teardown_problem", clean(problem)) for problem in run.teardown_problems]
    suite_properties += [("not_removed", clean(f"{r.kind} {r.href}: {r.error}")) for r in run.created_resources if not r.removed]
    suite_properties += [("suite_error", clean(test.nodeid)) for test in run.suite_errors]
    follows = {result.requirement.id: result.follows_from for result in evaluation.results if result.follows_from}
    for name, value in suite_properties:
        etree.SubElement(properties, "property", name=name, value=value)

    for test in run.tests:
        _testcase(suite, test, clean, waived, kept, follows)
    problems = [*run.teardown_problems, *(f"not removed: {r.kind} {r.href} ({r.error})" for r in run.created_resources if not r.removed)]
    if problems:
        etree.SubElement(suite, "system-err").text = clean("\n".join(f"teardown: {problem}" for problem in problems))
    return root


def write_junit(path: str | os.PathLike[str], evaluation: Evaluation, run: RunRecord, *, secrets: Iterable[str] = ()) -> Path:
    """Write ``junit.xml``; return its path."""
    tree = etree.ElementTree(junit_tree(evaluation, run, secrets=secrets))
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return write_atomically(path, data)


def split_nodeid(nodeid: str) -> tuple[str, str]:
    """``(classname, name)`` the way pytest's own JUnit report names a node.

    ``tests/suite/test_put.py::TestPut::test_refused[v3]`` →
    ``("tests.suite.test_put.TestPut", "test_refused[v3]")``.
    """
    path, *parts = nodeid.split("::")
    if not parts:
        return "", nodeid
    module = path.removesuffix(".py").replace("/", ".").replace("\\", ".")
    return ".".join([module, *parts[:-1]]), parts[-1]


def _testcase(
    suite: etree._Element, test: TestRecord, clean: _Clean, waived: Mapping[str, Waiver], secrets: tuple[str, ...], follows: Mapping[str, tuple[str, ...]]
) -> None:
    classname, name = split_nodeid(clean(test.nodeid))
    case = etree.SubElement(suite, "testcase", classname=classname, name=name, time=f"{test.duration:.3f}")
    properties = etree.SubElement(case, "properties")
    for requirement_id in test.requirement_ids:
        etree.SubElement(properties, "property", name="requirement", value=requirement_id)
    for requirement_id in test.blamed:
        etree.SubElement(properties, "property", name="blamed", value=requirement_id)
        for cause in follows.get(requirement_id, ()):
            etree.SubElement(properties, "property", name="follows_from", value=cause)
    if test.suite_error:
        etree.SubElement(properties, "property", name="suite_error", value="true")
    if test.not_applicable:
        etree.SubElement(properties, "property", name="not_applicable", value="true")
    if test.docstring:
        etree.SubElement(properties, "property", name="description", value=clean(test.docstring.strip()))

    message = clean(test.message)
    # the attribute holds the first line (what CI lists show); the element the whole message
    headline = message.strip().splitlines()[0] if message.strip() else ""
    if _junit_outcome(test, waived) == "waived":
        accepted = [waived[rid] for rid in test.blamed]
        for waiver in accepted:
            etree.SubElement(properties, "property", name="waived", value=waiver.requirement)
        why = "; ".join(f"{w.requirement} until {w.expires.isoformat()}: {clean(w.reason)} ({clean(w.owner)}, {clean(w.link)})" for w in accepted)
        etree.SubElement(case, "skipped", type="waived", message=f"waived: {why}").text = message or None
    elif test.outcome == "failed":
        etree.SubElement(case, "failure", message=headline).text = message
    elif test.outcome == "error":
        etree.SubElement(case, "error", message=headline, **({"type": "suite-error"} if test.suite_error else {})).text = message
    elif test.outcome == "skipped":
        etree.SubElement(case, "skipped", message=headline).text = message or None
    shown = evidence(test, secrets)
    if shown:
        etree.SubElement(case, "system-out").text = xml_safe("\n\n".join(_exchange_text(e) for e in shown))


def _exchange_text(exchange: Exchange) -> str:
    """One exchange as a reader of a CI log wants it: request, then answer."""
    lines = [f"{exchange.method} {exchange.url}", *(f"{name}: {value}" for name, value in exchange.request_headers)]
    if exchange.request_body:
        lines += ["", exchange.request_body]
    if exchange.status is None:
        lines += ["", f"-> no answer: {exchange.error}"]
    else:
        lines += ["", f"-> {exchange.status} ({exchange.elapsed_ms:.0f} ms)", *(f"{name}: {value}" for name, value in exchange.response_headers)]
        if exchange.response_body:
            lines += ["", exchange.response_body]
    return "\n".join(lines)


def _junit_outcome(test: TestRecord, waived: Mapping[str, Waiver]) -> str:
    """The test's outcome, or ``waived`` when waivers accept every requirement it blames."""
    if test.outcome in ("failed", "error") and test.blamed and all(rid in waived for rid in test.blamed):
        return "waived"
    return test.outcome
