"""Outcomes a conformance test can have besides pass and fail."""

from __future__ import annotations

from typing import NoReturn

import pytest

__all__ = ["NotApplicable", "not_applicable"]


class NotApplicable(pytest.skip.Exception):  # type: ignore[misc,name-defined]
    """The engine does not offer the optional feature this test checks."""


def not_applicable(reason: str) -> NoReturn:
    """Skip the current test: its requirement is *not applicable* to this engine."""
    raise NotApplicable(msg=f"not applicable: {reason}")
