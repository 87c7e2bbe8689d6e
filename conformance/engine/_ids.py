"""GUIDs as the engine writes and reads them: lower case, 8-4-4-4-12, no braces."""

from __future__ import annotations

import re
import uuid

__all__ = ["derived_guid", "is_guid", "new_guid", "normalize_guid"]

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Fixed namespace so that ids derived from seeded data are the same on every start.
_SEED_NAMESPACE = uuid.UUID("5d0b7c3e-2f61-4c35-9a0e-6c1f4e8f2a10")


def new_guid() -> str:
    return str(uuid.uuid4())


def derived_guid(*parts: str) -> str:
    """A GUID that depends only on ``parts`` (for seeded volumes without an explicit id)."""
    return str(uuid.uuid5(_SEED_NAMESPACE, "/".join(parts)))


def is_guid(value: str) -> bool:
    return _GUID.fullmatch(value) is not None


def normalize_guid(value: str) -> str | None:
    """``value`` in lower case when it is a GUID (any case, as Java's UUID parser), else None."""
    return value.lower() if is_guid(value) else None
