"""How checks write what they received: short, unambiguous, one line where possible.

Private: the checks' messages share it so every report reads alike.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["LIMIT", "listing", "shorten", "show", "show_body", "subject"]

#: received values longer than this are cut (the report is for people, not for diffing)
LIMIT = 300


def shorten(text: str, limit: int = LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters in all)"


def show(value: object) -> str:
    """A received value: ``repr`` of strings (so stray spaces show), ``absent`` for None."""
    if value is None:
        return "absent"
    if isinstance(value, str):
        return repr(shorten(value))
    return shorten(repr(value))


def show_body(content: bytes) -> str:
    """An HTTP body, decoded leniently and cut."""
    if not content:
        return "an empty body"
    text = content.decode("utf-8", errors="replace")
    return f"{len(content)} bytes: {show(text)}"


def subject(snapshot_id: str) -> str:
    """``snapshot <id>``, for titles; a snapshot without id is still named."""
    return f"snapshot {snapshot_id}" if snapshot_id else "snapshot without id"


def listing(items: Iterable[str], limit: int = 5) -> str:
    """``a, b, c`` with at most ``limit`` items, then ``and N more``."""
    values = list(items)
    shown = ", ".join(values[:limit])
    if len(values) > limit:
        shown += f" and {len(values) - limit} more"
    return shown or "none"
