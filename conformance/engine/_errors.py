"""Why the store refuses an operation, independent of HTTP (``_faults`` maps them).

The messages are the engine's own wording (its ``AppErrors``), e.g.
``Cannot revert to Snapshot. At least one of the VMs is not down.``
"""

from __future__ import annotations

__all__ = ["ConflictError", "NotFoundError", "RefusedError", "StoreError"]


class StoreError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(StoreError):
    """The entity does not exist (HTTP 404)."""

    def __init__(self, kind: str, entity_id: str) -> None:
        super().__init__(f"Entity not found: {kind} {entity_id}")
        self.kind = kind
        self.entity_id = entity_id


class ConflictError(StoreError):
    """The entity's current state forbids the operation (HTTP 409)."""


class RefusedError(StoreError):
    """The operation is never valid for this entity or these parameters (HTTP 400)."""
