"""What every request handler of one engine shares: settings, state, representer."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.engine._repr import Representer
from conformance.engine._settings import EngineSettings
from conformance.engine._store import Store

__all__ = ["EngineContext"]


@dataclass(frozen=True)
class EngineContext:
    settings: EngineSettings
    store: Store
    representer: Representer
