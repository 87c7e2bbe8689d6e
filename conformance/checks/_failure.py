"""The one failure type of the checks.

A check is a small function over a parsed response. When the engine does not do what a
requirement asks, the check raises :class:`RequirementFailure`, which names the
requirement and says what was received and what was expected::

    SNAP-REPR-03: snapshot id is not a GUID
    Received: '{0000-zz}'
    Expected: 8-4-4-4-12 hexadecimal digits, no braces
"""

from __future__ import annotations

__all__ = ["RequirementFailure"]


class RequirementFailure(AssertionError):
    """The engine broke ``requirement``; ``str()`` is the report's message."""

    def __init__(self, requirement: str, title: str, *, received: str, expected: str) -> None:
        self.requirement = requirement
        self.title = title
        self.received = received
        self.expected = expected
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.requirement}: {self.title}\nReceived: {self.received}\nExpected: {self.expected}"
