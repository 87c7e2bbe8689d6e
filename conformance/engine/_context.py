"""What every request handler of one engine shares: settings, state, representers, SSO."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.engine._dialect import Dialects
from conformance.engine._repr import Representer
from conformance.engine._settings import EngineSettings
from conformance.engine._sso import Sso
from conformance.engine._store import Store

__all__ = ["EngineContext"]


@dataclass(frozen=True)
class EngineContext:
    settings: EngineSettings
    store: Store
    #: the default dialect's; a resource handler sees the one of its request's dialect
    representer: Representer
    dialects: Dialects
    sso: Sso
