"""Which dialect a request speaks, decided as the engine's ``VersionFilter`` decides it.

In this order: a ``/v{N}`` prefix right under the API root (``/ovirt-engine/api/v4/vms``),
else the ``Version`` header, else the engine's default (``EngineSettings.default_api_version``).
A version the engine does not serve (``/v5``, ``Version: 4.0``) is answered 400 with the
container's HTML error page, after authentication (the filter runs after the auth filters).
A prefix stays in every href of the answer, as the engine builds hrefs from the request's
path; without one, hrefs start at ``/ovirt-engine/api``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files

from starlette.responses import Response

from conformance.dialect import dialect_for
from conformance.engine._repr import API_PATH, ProductInfo, Representer
from conformance.engine._repr_v4 import V4Representer

__all__ = ["SUPPORTED_VERSIONS", "Dialects", "Selection", "unsupported_version", "unsupported_version_page"]

#: the API versions the engine serves, as ``/v{N}`` or ``Version: N`` names them
SUPPORTED_VERSIONS = ("3", "4")
# The part of a path after the API root that names a version (VersionFilter.VERSION_PATTERN).
_PREFIX = re.compile(r"/v(?P<version>[0-9]+)(?P<rest>/.*)?")


@dataclass(frozen=True)
class Selection:
    """A request's representer, and its path without the version prefix (what the routes match)."""

    representer: Representer
    path: str


class Dialects:
    """The representers of one engine: each version, with and without its path prefix."""

    def __init__(self, default_version: str, products: Mapping[str, ProductInfo]) -> None:
        if default_version not in SUPPORTED_VERSIONS:
            raise ValueError(f"unsupported default API version {default_version!r}; expected one of {SUPPORTED_VERSIONS}")
        self.default_version = default_version
        self._representers: dict[tuple[str, bool], Representer] = {}
        for version in SUPPORTED_VERSIONS:
            kind = V4Representer if version == "4" else Representer
            for prefixed in (False, True):
                api_path = f"{API_PATH}/v{version}" if prefixed else API_PATH
                self._representers[version, prefixed] = kind(dialect_for(version), products[version], api_path)

    @property
    def default(self) -> Representer:
        """The representer of a request that names no version."""
        return self._representers[self.default_version, False]

    def select(self, path: str, version_header: str | None) -> Selection | None:
        """The dialect of a request for ``path`` (under the API root); None for a version
        the engine does not serve."""
        match = _PREFIX.fullmatch(path[len(API_PATH) :])
        if match is not None:
            representer = self._representers.get((match["version"], True))
            path = API_PATH + (match["rest"] or "")
        else:
            version = (version_header or "").strip() or self.default_version
            representer = self._representers.get((version, False))
        return None if representer is None else Selection(representer, path)


def unsupported_version_page() -> bytes:
    """The HTML body of that 400 (a packaged file, read once per engine)."""
    return (files("conformance.engine") / "_400.html").read_bytes()


def unsupported_version(page: bytes) -> Response:
    return Response(page, status_code=400, media_type="text/html")
