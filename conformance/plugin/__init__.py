"""The pytest plugin: options, the run's state, requirement bookkeeping, reports, verdict.

``plugin.py`` holds the hook implementations (registered through the ``pytest11`` entry
point), ``options.py`` the options and the frozen :class:`RunConfig`, ``fixtures.py`` the
fixtures the conformance tests use, ``state.py`` what a run accumulates.
"""

__all__: list[str] = []
