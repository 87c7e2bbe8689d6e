"""Calibration: the conformance suite against every fault and variant of the reference engine.

A suite that has never been seen to fail proves nothing. :func:`calibrate` runs the whole
suite once per named fault and variant of the reference engine (``conformance.engine.FAULTS``
and ``VARIANTS``) and per dialect it works in (v3, v4), several runs at a time, and judges
the matrix::

    fault -> the requirement IDs it breaks -> the IDs the run blamed -> detected | missed | mis-blamed
    variant -> the IDs the run blamed (none) -> conformant | false alarm

``snapshot-conformance selfcheck`` prints it; ``tests/calibration`` asserts it. This package
may import the engine and runs the suite through pytest; the suite and the plugin never
import it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from conformance.calibration._matrix import Matrix, Row, Verdict, judge
from conformance.calibration._render import matrix_document, render_markdown, render_text, wall_time
from conformance.calibration._runner import Case, Outcome, RunOptions, run_cases
from conformance.catalogue import load_catalogue
from conformance.engine import FAULTS, VARIANTS, Injectable

__all__ = [
    "DIALECTS",
    "Case",
    "Matrix",
    "Outcome",
    "Row",
    "RunOptions",
    "Verdict",
    "calibrate",
    "matrix_document",
    "render_markdown",
    "render_text",
    "select_cases",
    "wall_time",
]


#: the dialects the matrix covers, in the order its rows take
DIALECTS = ("3", "4")


def select_cases(faults: Iterable[str] | None = None, variants: Iterable[str] | None = None, dialects: Iterable[str] = DIALECTS) -> tuple[Case, ...]:
    """The (case, dialect) pairs to run, dialect by dialect: every fault and variant when
    neither is given, else just those named, each in the ``dialects`` it works in;
    :class:`ValueError` for a name or dialect the engine does not know."""
    chosen_faults, chosen_variants = list(faults or ()), list(variants or ())
    chosen_dialects = [d for d in DIALECTS if d in set(dialects)]
    if not chosen_dialects or set(dialects) - set(DIALECTS):
        raise ValueError(f"unknown dialect(s) among {sorted(set(dialects))}; known: {', '.join(DIALECTS)}")
    injectables: tuple[Injectable, ...]
    if not chosen_faults and not chosen_variants:
        injectables = (*FAULTS.values(), *VARIANTS.values())
    else:
        unknown = [f"fault {n!r}" for n in chosen_faults if n not in FAULTS] + [f"variant {n!r}" for n in chosen_variants if n not in VARIANTS]
        if unknown:
            raise ValueError(f"unknown {', '.join(unknown)}; see `snapshot-conformance serve --list-faults`")
        injectables = (*(FAULTS[n] for n in dict.fromkeys(chosen_faults)), *(VARIANTS[n] for n in dict.fromkeys(chosen_variants)))
    return tuple(Case(i, d) for d in chosen_dialects for i in injectables if d in i.dialects)


def calibrate(cases: Iterable[Case], options: RunOptions, progress: Callable[[Outcome], None] | None = None) -> Matrix:
    """Run the suite against every case (``options.workers`` at a time) and judge the matrix."""
    started = time.monotonic()
    Path(options.work_dir).mkdir(parents=True, exist_ok=True)
    outcomes = run_cases(tuple(cases), options, progress)
    return judge(outcomes, load_catalogue(), seconds=time.monotonic() - started)
