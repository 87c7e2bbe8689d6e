"""Helpers the report writers share: the tool's name, instants, safe file writing."""

from __future__ import annotations

import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from conformance import __version__

__all__ = ["TOOL_NAME", "TOOL_VERSION", "utc_iso", "write_atomically", "xml_safe"]

TOOL_NAME = "snapshot-conformance"
TOOL_VERSION = __version__

# Characters XML 1.0 cannot carry at all (engines do send NULs and escapes in bodies).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def utc_iso(moment: datetime) -> str:
    """``moment`` as an ISO 8601 UTC instant with its offset: ``2024-05-01T12:00:00+00:00``."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def xml_safe(text: str) -> str:
    """``text`` with characters XML 1.0 forbids shown as ``\\xNN`` escapes."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def write_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file, so a reader never sees half a report."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # not tempfile.mkstemp: its 0600 mode would make the reports unreadable to CI's other users;
    # open(..., "xb") creates the file with the usual umask-governed mode and never reuses one
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        with temporary.open("xb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def template_environment(*, markdown: bool = False) -> Environment:
    """A new Jinja environment over ``reports/templates``: autoescaped for HTML; for Markdown
    not (every value goes through an ``md`` filter instead) and keeping the last newline."""
    return Environment(
        loader=PackageLoader("conformance.reports", "templates"),
        autoescape=not markdown,  # noqa: S701 - Markdown escapes through its md filter
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=markdown,
    )
