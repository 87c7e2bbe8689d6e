"""The engine's settings: credentials, timings, seeded state, limits."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from conformance.engine._injection import check_names

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
    #: the dialect of a request that names none (no ``/v3``/``/v4`` prefix, no ``Version``
    #: header): "3" as the 3.x engines this one stands for, or "4" as a 4.x engine
    default_api_version: str = "3"
    #: an SSO token unused for this long is forgotten (the engine's default session timeout, 30 min)
    token_idle_seconds: float = 1800.0
    #: faults to inject (``snapshot-conformance serve --list-faults``): each breaks named
    #: requirements on purpose, to show that the suite notices; for calibration only
    faults: frozenset[str] = frozenset()
    #: variants: choices the specification allows (a run against one stays conformant)
    variants: frozenset[str] = frozenset()

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
        if self.default_api_version not in ("3", "4"):
            raise ValueError(f"EngineSettings.default_api_version must be '3' or '4', not {self.default_api_version!r}")
        # any collection of names is accepted and kept as a frozenset; unknown names are refused
        object.__setattr__(self, "faults", check_names(self.faults, "fault"))
        object.__setattr__(self, "variants", check_names(self.variants, "variant"))

    def require_password(self) -> None:
        """Raise when no password is set (an engine without one would accept nobody)."""
        if not self.password:
            raise ValueError("EngineSettings.password is required: the engine accepts only that password")
