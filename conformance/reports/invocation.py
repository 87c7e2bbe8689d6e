"""``invocation.json``: how a run was made, so that a bundle can say it (and a rerun repeat it).

Written beside ``results.json`` by every run: the options as the run resolved them (the
password never: only the name of the variable that held it), the command line with
credentials redacted, the tool, Python and platform, the start and end.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from conformance.reports._common import TOOL_NAME, TOOL_VERSION, utc_iso, write_atomically
from conformance.reports.redaction import redact_text

__all__ = ["invocation_document", "write_invocation"]


def invocation_document(
    options: Mapping[str, Any], *, argv: Sequence[str], started: datetime, finished: datetime, secrets: Iterable[str] = ()
) -> dict[str, Any]:
    """The ``invocation.json`` document; every text value is redacted."""
    kept = tuple(secrets)
    return {
        "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
        "options": {key: _clean(value, kept) for key, value in options.items()},
        "argv": [redact_text(str(arg), kept) for arg in argv],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "executable": os.path.basename(sys.executable),
        "started": utc_iso(started),
        "finished": utc_iso(finished),
    }


def write_invocation(path: str | os.PathLike[str], document: Mapping[str, Any]) -> Path:
    return write_atomically(path, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def _clean(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        return {str(k): _clean(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v, secrets) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact_text(str(value), secrets)
