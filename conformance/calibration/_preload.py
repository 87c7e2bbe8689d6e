"""Imported once by the process the calibration workers fork from, for its side effect:
pytest, its plugins, the suite and the engine are loaded there, so no run pays for them."""

from __future__ import annotations

from conformance.calibration._child import warm_up

__all__: list[str] = []

warm_up()
