"""The engine's settings: credentials, timings, seeded state, limits."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

__all__ = ["EngineSettings"]


@dataclass(frozen=True)
class EngineSettings:
    """How a reference engine behaves; every duration is in seconds.

    ``password`` has an empty default only so the field order matches the public API; an
    engine refuses to start without one.
    """

    username: str = "admin@internal"
    password: str = ""
    #: how long a new snapshot stays ``locked`` before it turns ``ok``
    snapshot_lock_seconds: float = 0.05
    #: how long a restore (and a preview) blocks before it answers
    restore_seconds: float = 0.0
    #: how long a VM stays ``powering_up`` / ``powering_down``
    vm_transition_seconds: float = 0.05
    #: added before every answer
    latency_seconds: float = 0.0
    #: YAML file with the seeded VMs and snapshots; None: the packaged ``engine-state.yaml``
    state_file: str | None = None
    #: larger request bodies are refused with 413
    max_body_bytes: int = 1_048_576

    def __post_init__(self) -> None:
        if not self.username:
            raise ValueError("EngineSettings.username must not be empty")
        for field in fields(self):
            if field.name.endswith("_seconds"):
                value = getattr(self, field.name)
                if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                    raise ValueError(f"EngineSettings.{field.name} must be a finite number >= 0, not {value!r}")
        if not isinstance(self.max_body_bytes, int) or self.max_body_bytes < 1:
            raise ValueError(f"EngineSettings.max_body_bytes must be a positive integer, not {self.max_body_bytes!r}")

    def require_password(self) -> None:
        """Raise when no password is set (an engine without one would accept nobody)."""
        if not self.password:
            raise ValueError("EngineSettings.password is required: the engine accepts only that password")
