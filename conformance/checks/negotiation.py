"""SNAP-NEG: content negotiation."""

from __future__ import annotations

from conformance.checks._failure import RequirementFailure
from conformance.checks._show import show, show_body
from conformance.checks.documents import HTTPAnswer, header, media_type

__all__ = ["check_default_xml", "check_not_acceptable"]


def check_default_xml(answer: HTTPAnswer) -> None:
    """SNAP-NEG-01: an answer to a request without ``Accept`` is ``application/xml``."""
    if media_type(answer) != "application/xml":
        raise RequirementFailure(
            "SNAP-NEG-01",
            "without Accept the answer is not XML",
            received=f"status {answer.status_code}, Content-Type {show(header(answer, 'Content-Type'))}",
            expected="Content-Type application/xml (parameters such as charset allowed)",
        )


def check_not_acceptable(answer: HTTPAnswer) -> None:
    """SNAP-NEG-02 (SHOULD): an unsupported ``Accept`` answers 406 Not Acceptable."""
    if answer.status_code != 406:
        raise RequirementFailure(
            "SNAP-NEG-02",
            "an unsupported Accept was not refused with 406",
            received=f"status {answer.status_code}, Content-Type {show(header(answer, 'Content-Type'))}, {show_body(answer.content)}",
            expected="406 Not Acceptable",
        )
