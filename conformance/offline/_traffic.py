"""Recorded HTTP traffic: HAR files and VCR cassettes, read into one shape.

Two formats are read:

* **HAR** 1.2 (JSON: ``log.entries[]``), what browsers, mitmproxy and schemathesis export;
* **VCR** cassettes (YAML: ``http_interactions[]`` of ``request``/``response``), what
  Ruby's VCR, vcrpy and ManageIQ's recordings of real engines use. A top-level
  ``provenance`` mapping (this project's ``fixtures/recorded/``) may name the dialect.

What a recording did not keep stays unknown: a cassette converted from a format without
request headers has ``request_headers = None``, and a check that needs them (was
``All-Content`` sent? was there an ``Accept``?) does not judge that exchange.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

__all__ = ["Recorded", "RecordingError", "Route", "load_recordings"]


class RecordingError(ValueError):
    """A file is not a recording this tool can read; ``str()`` names the file and why."""


# A path under the API root, with or without a /v3 or /v4 prefix.
_API_ROOT = re.compile(r"^(?P<root>.*?/api(?:/v(?P<version>[0-9]+))?)(?=/|$)")
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("api", re.compile(r"")),
    ("vms", re.compile(r"/vms")),
    ("vm", re.compile(r"/vms/(?P<vm>[^/;]+)")),
    ("snapshots", re.compile(r"/vms/(?P<vm>[^/;]+)/snapshots")),
    ("snapshot", re.compile(r"/vms/(?P<vm>[^/;]+)/snapshots/(?P<snapshot>[^/;]+)(?:;[^/]*)?")),
    ("restore", re.compile(r"/vms/(?P<vm>[^/;]+)/snapshots/(?P<snapshot>[^/;]+)/restore")),
    ("sub-collection", re.compile(r"/vms/(?P<vm>[^/;]+)/snapshots/(?P<snapshot>[^/;]+)/(?P<tail>disks|nics|cdroms)")),
    # v3 engines name the preview actions preview_snapshot ..., v4 ones previewsnapshot ...
    ("vm-action", re.compile(r"/vms/(?P<vm>[^/;]+)/(?P<tail>(?:preview|commit|undo)_?snapshot|freezefilesystems|thawfilesystems|start|stop)")),
)


@dataclass(frozen=True)
class Route:
    """What a recorded request's path names, relative to the API root."""

    #: api, vms, vm, snapshots, snapshot, restore, sub-collection, vm-action or other
    kind: str
    #: the API root as the request wrote it (``/ovirt-engine/api``, ``/ovirt-engine/api/v4``)
    api_path: str = ""
    vm_id: str | None = None
    snapshot_id: str | None = None
    tail: str | None = None
    #: the dialect the path names with a /v3 or /v4 prefix, else None
    path_version: str | None = None

    @classmethod
    def of(cls, url: str) -> Route:
        path = urlsplit(url).path.rstrip("/")
        root = _API_ROOT.match(path)
        if root is None:
            return cls("other")
        rest = path[root.end() :]
        for kind, pattern in reversed(_PATTERNS):
            found = pattern.fullmatch(rest)
            if found is not None:
                groups = found.groupdict()
                return cls(kind, root["root"], groups.get("vm"), groups.get("snapshot"), groups.get("tail"), root["version"])
        return cls("other", root["root"], path_version=root["version"])

    @property
    def vm_href(self) -> str:
        return f"{self.api_path}/vms/{self.vm_id}"


@dataclass(frozen=True)
class Recorded:
    """One recorded exchange; an HTTP answer (``status_code``, ``headers``, ``content``) to the checks."""

    source: str
    #: position in its file, from 1
    index: int
    method: str
    url: str
    #: None when the recording kept no request headers
    request_headers: tuple[tuple[str, str], ...] | None
    request_body: bytes | None
    status_code: int
    response_headers: tuple[tuple[str, str], ...]
    content: bytes
    #: the dialect: a /v3 or /v4 path prefix, else the Version header, else the file's own
    dialect: str | None
    recorded_at: str | None = None
    route: Route = field(default=Route("other"))

    @property
    def headers(self) -> Mapping[str, str]:
        return _Headers(self.response_headers)

    def request_header(self, name: str) -> str | None:
        """A request header's value (None when absent or not recorded)."""
        if self.request_headers is None:
            return None
        wanted = name.lower()
        return next((value for key, value in self.request_headers if key.lower() == wanted), None)

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.url).query, keep_blank_values=True))

    @property
    def name(self) -> str:
        """``file.yaml#12 GET /ovirt-engine/api/vms/…/snapshots``: how a report names it."""
        return f"{Path(self.source).name}#{self.index} {self.method} {urlsplit(self.url).path}"


class _Headers(Mapping[str, str]):
    """Response headers looked up without regard to case (the first of repeated ones)."""

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self._pairs = pairs

    def __getitem__(self, key: str) -> str:
        wanted = key.lower()
        for name, value in self._pairs:
            if name.lower() == wanted:
                return value
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(name for name, _ in self._pairs))

    def __len__(self) -> int:
        return len({name.lower() for name, _ in self._pairs})


# --- reading files ------------------------------------------------------------------------------


def load_recordings(paths: Iterable[str | Path]) -> list[Recorded]:
    """Every exchange of the files (directories: their *.har, *.yaml, *.yml, *.json), in order."""
    exchanges: list[Recorded] = []
    for path in _files(paths):
        exchanges.extend(_load(path))
    return exchanges


def _files(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".har", ".yaml", ".yml", ".json")))
        elif path.is_file():
            found.append(path)
        else:
            raise RecordingError(f"{path}: no such file or directory")
    return found


def _load(path: Path) -> list[Recorded]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RecordingError(f"{path}: cannot be read ({error})") from None
    if path.suffix.lower() in (".har", ".json"):
        try:
            document = json.loads(text)
        except ValueError as error:
            raise RecordingError(f"{path}: not JSON ({error})") from None
        return _har(path, document)
    try:
        document = yaml.load(text, Loader=_CassetteLoader)  # noqa: S506 - a SafeLoader with one more tag
    except yaml.YAMLError as error:
        raise RecordingError(f"{path}: not YAML ({error})") from None
    return _vcr(path, document)


class _CassetteLoader(yaml.SafeLoader):
    """YAML as Ruby's VCR writes it: binary bodies tagged ``!binary`` (base64)."""


def _binary(loader: yaml.SafeLoader, node: yaml.Node) -> bytes:
    return base64.b64decode(str(loader.construct_scalar(node)))  # type: ignore[arg-type]


_CassetteLoader.add_constructor("!binary", _binary)


def _har(path: Path, document: Any) -> list[Recorded]:
    entries = document.get("log", {}).get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise RecordingError(f"{path}: a HAR file needs log.entries")
    found: list[Recorded] = []
    for number, entry in enumerate(entries, 1):
        try:
            request, response = entry["request"], entry["response"]
            headers = tuple((str(h["name"]), str(h["value"])) for h in request.get("headers", []))
            post = request.get("postData") or {}
            content = response.get("content") or {}
            body = str(content.get("text") or "")
            raw = base64.b64decode(body) if content.get("encoding") == "base64" else body.encode("utf-8")
            found.append(
                _recorded(
                    path,
                    number,
                    method=str(request["method"]),
                    url=str(request["url"]),
                    request_headers=headers,
                    request_body=str(post["text"]).encode("utf-8") if "text" in post else None,
                    status=int(response["status"]),
                    response_headers=tuple((str(h["name"]), str(h["value"])) for h in response.get("headers", [])),
                    content=raw,
                    file_dialect=None,
                    recorded_at=entry.get("startedDateTime"),
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            raise RecordingError(f"{path}: entry {number} is not a HAR entry ({type(error).__name__}: {error})") from None
    return found


def _vcr(path: Path, document: Any) -> list[Recorded]:
    interactions = document.get("http_interactions") if isinstance(document, dict) else None
    if not isinstance(interactions, list):
        raise RecordingError(f"{path}: a VCR cassette needs http_interactions")
    provenance = document.get("provenance") if isinstance(document.get("provenance"), dict) else {}
    file_dialect = str(provenance["dialect"]) if provenance.get("dialect") is not None else None
    found: list[Recorded] = []
    for number, interaction in enumerate(interactions, 1):
        try:
            request, response = interaction["request"], interaction["response"]
            status = response["status"]
            headers = request.get("headers")
            found.append(
                _recorded(
                    path,
                    number,
                    method=str(request["method"]).upper(),
                    url=str(request["uri"]),
                    request_headers=None if headers is None else _vcr_headers(headers),
                    request_body=_vcr_body(request.get("body")),
                    status=int(status["code"] if isinstance(status, dict) else status),
                    response_headers=_vcr_headers(response.get("headers") or {}),
                    content=_vcr_body(response.get("body")) or b"",
                    file_dialect=file_dialect,
                    recorded_at=str(interaction["recorded_at"]) if interaction.get("recorded_at") is not None else None,
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            raise RecordingError(f"{path}: interaction {number} is not a VCR interaction ({type(error).__name__}: {error})") from None
    return found


def _vcr_headers(headers: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), str(value)))
    return tuple(pairs)


def _vcr_body(body: Any) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, str):
        return body.encode("utf-8")
    if "base64_string" in body:
        return base64.b64decode(body["base64_string"])
    text = body.get("string")
    if isinstance(text, bytes):
        return text
    return None if text is None else str(text).encode("utf-8")


def _recorded(
    path: Path,
    index: int,
    *,
    method: str,
    url: str,
    request_headers: tuple[tuple[str, str], ...] | None,
    request_body: bytes | None,
    status: int,
    response_headers: tuple[tuple[str, str], ...],
    content: bytes,
    file_dialect: str | None,
    recorded_at: str | None,
) -> Recorded:
    route = Route.of(url)
    version = next((value.strip() for name, value in request_headers or () if name.lower() == "version"), None)
    if content[:2] == b"\x1f\x8b":  # a recorder that kept the compressed bytes
        with contextlib.suppress(OSError, EOFError):
            content = gzip.decompress(content)
    return Recorded(
        source=str(path),
        index=index,
        method=method,
        url=url,
        request_headers=request_headers,
        request_body=request_body,
        status_code=status,
        response_headers=response_headers,
        content=content,
        dialect=route.path_version or version or file_dialect,
        recorded_at=recorded_at,
        route=route,
    )
