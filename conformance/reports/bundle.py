"""Certification bundles: one zip that holds a run's evidence and a SHA-256 of every file.

Layout of ``bundle.zip``::

    manifest.json                 every other file: path, SHA-256, size (canonical JSON)
    bundle.json                   what the bundle claims: verdict, engine, dialects, times,
                                  tool and catalogue versions, options, waivers
    reports/...                   the report directory as the run left it
    catalogue/requirements.yaml   the catalogue the run was judged by

:func:`write_bundle` packs a report directory; :func:`open_bundle` opens one and
:meth:`Bundle.problems` checks it: a file edited (its digest or size differs), added (not in
the manifest), removed (in the manifest, not in the zip), a manifest that is not exactly
as the tool writes it, and claims that contradict the reports. An intact manifest proves
integrity, not origin: for that, sign ``manifest.json`` (``docs/ci.md`` shows how).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from conformance.catalogue import catalogue_sha256
from conformance.reports._common import TOOL_NAME, TOOL_VERSION, utc_iso, write_atomically
from conformance.resources import read_spec

__all__ = ["BUNDLE_FORMAT", "Bundle", "BundleError", "open_bundle", "write_bundle"]

BUNDLE_FORMAT = "snapshot-conformance-bundle/1"
MANIFEST = "manifest.json"
CLAIMS = "bundle.json"
CATALOGUE = "catalogue/requirements.yaml"
REPORTS = "reports/"
INVOCATION = "invocation.json"
#: a bundle larger than this (unpacked) is refused rather than read
_MAX_TOTAL = 2 * 1024 * 1024 * 1024
_CHUNK = 1024 * 1024


class BundleError(ValueError):
    """A bundle cannot be written, or a file is not a readable bundle."""


# --- writing -------------------------------------------------------------------------------


def write_bundle(report_dir: str | Path, output: str | Path, *, now: datetime | None = None) -> Path:
    """Pack ``report_dir`` (with ``results.json`` and ``invocation.json``) into ``output``."""
    root = Path(report_dir)
    target = Path(output)
    if not (root / "results.json").is_file():
        raise BundleError(f"{root} has no results.json: not the report directory of a run")
    results = _read_json(root / "results.json", "results.json")
    catalogue = read_spec("requirements.yaml")
    recorded = results.get("catalogue")
    if isinstance(recorded, Mapping) and recorded.get("sha256") not in (None, catalogue_sha256()):
        raise BundleError(
            f"{root / 'results.json'} was judged by another requirement catalogue (SHA-256 {recorded.get('sha256')}) than "
            f"this snapshot-conformance {TOOL_VERSION} ships; bundle it with the version that made it"
        )
    files = _report_files(root, exclude=target)
    invocations = {path: _read_json(root / path, path) for path in files if PurePosixPath(path).name == INVOCATION}
    if not invocations:
        raise BundleError(f"{root} has no invocation.json: the options of the run are unknown (every run of snapshot-conformance writes one)")
    members: dict[str, bytes] = {REPORTS + path: (root / path).read_bytes() for path in files}
    members[CATALOGUE] = catalogue
    members[CLAIMS] = _canonical(_claims(results, invocations, now or datetime.now(UTC)))
    manifest = {
        "format": BUNDLE_FORMAT,
        "algorithm": "sha256",
        "files": [{"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)} for name, data in sorted(members.items())],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, _canonical(manifest))
        for name, data in sorted(members.items()):
            archive.writestr(name, data)
    return write_atomically(target, buffer.getvalue())


def _report_files(root: Path, *, exclude: Path) -> list[str]:
    """The report directory's files as POSIX paths: no hidden files, no zips, no links."""
    excluded = exclude.resolve()
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith(".") and not (Path(directory) / d).is_symlink())
        for name in sorted(names):
            path = Path(directory) / name
            if name.startswith(".") or name.endswith(".zip") or path.is_symlink() or path.resolve() == excluded:
                continue
            found.append(path.relative_to(root).as_posix())
    return found


def _claims(results: Mapping[str, Any], invocations: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    parts = results.get("runs")
    runs: list[Any] = parts if isinstance(parts, list) else [results]
    summary = results.get("summary")
    waived = summary.get("waived", 0) if isinstance(summary, Mapping) else 0
    return {
        "format": BUNDLE_FORMAT,
        "created": utc_iso(now),
        "bundled_by": {"name": TOOL_NAME, "version": TOOL_VERSION},
        "tool": results.get("tool"),
        "verdict": results.get("verdict"),
        "waived": waived,
        "exit_code": results.get("exit_code"),
        "engine": results.get("engine"),
        "dialects": [run.get("api_version", (run.get("engine") or {}).get("api_version")) for run in runs if isinstance(run, Mapping)],
        "started": results.get("started"),
        "finished": results.get("finished"),
        "catalogue": {"path": CATALOGUE, "sha256": catalogue_sha256()},
        "options": {REPORTS + path: document.get("options") for path, document in invocations.items()},
        # the command as typed, when run wrote it (it sees --baseline and --bundle; pytest does not)
        "command": (invocations.get(INVOCATION) or {}).get("command"),
        "waivers": results.get("waivers", []),
    }


def _canonical(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _read_json(path: Path, name: str) -> dict[str, Any]:
    try:
        document = json.loads(path.read_bytes())
    except OSError as error:
        raise BundleError(f"cannot read {path}: {error.strerror or error}") from None
    except (ValueError, UnicodeDecodeError):
        raise BundleError(f"{path} is not valid JSON") from None
    if not isinstance(document, dict):
        raise BundleError(f"{name} is not a JSON object")
    return document


# --- reading and verifying -----------------------------------------------------------------


@dataclass
class Bundle:
    """An opened bundle; :meth:`problems` checks it, :meth:`read` reads one member."""

    path: Path
    archive: zipfile.ZipFile
    manifest_bytes: bytes

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    @property
    def claims(self) -> dict[str, Any]:
        """``bundle.json`` (empty when it is missing or unreadable: :meth:`problems` says so)."""
        try:
            document = json.loads(self.read(CLAIMS))
        except (BundleError, ValueError, UnicodeDecodeError):
            return {}
        return document if isinstance(document, dict) else {}

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The manifest's file entries as written (may be malformed: :meth:`problems` says so)."""
        try:
            manifest = json.loads(self.manifest_bytes)
        except (ValueError, UnicodeDecodeError):
            return []
        files = manifest.get("files") if isinstance(manifest, dict) else None
        return [entry for entry in files if isinstance(entry, dict)] if isinstance(files, list) else []

    def read(self, name: str) -> bytes:
        """A member's bytes, bounded by the manifest's size for it."""
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise BundleError(f"the bundle has no {name}") from None
        if info.file_size > _MAX_TOTAL:
            raise BundleError(f"{name} is too large to read")
        try:
            return self.archive.read(info)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise BundleError(f"{name} is damaged: {error}") from None

    def problems(self) -> list[str]:
        """Everything that shows the bundle is not as written; empty when it is intact."""
        problems = self._manifest_problems()
        if problems:
            return problems
        listed = {entry["path"]: entry for entry in self.entries}
        names = [info.filename for info in self.archive.infolist()]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        problems += [f"{name}: stored twice in the zip" for name in duplicates]
        present = set(names) - {MANIFEST}
        problems += [f"{name}: added (not in the manifest)" for name in sorted(present - set(listed))]
        problems += [f"{name}: removed (in the manifest, not in the bundle)" for name in sorted(set(listed) - present)]
        for name in sorted(set(listed) & present):
            problem = self._file_problem(name, listed[name])
            if problem:
                problems.append(problem)
        if not problems:
            problems += self._claim_problems()
        return problems

    def _manifest_problems(self) -> list[str]:
        try:
            manifest = json.loads(self.manifest_bytes)
        except (ValueError, UnicodeDecodeError):
            return [f"{MANIFEST}: edited (not valid JSON)"]
        if not isinstance(manifest, dict) or set(manifest) != {"format", "algorithm", "files"}:
            return [f"{MANIFEST}: edited (not the keys format, algorithm, files)"]
        if manifest["format"] != BUNDLE_FORMAT or manifest["algorithm"] != "sha256":
            return [f"{MANIFEST}: format {manifest['format']!r} / algorithm {manifest['algorithm']!r} is not {BUNDLE_FORMAT!r} / 'sha256'"]
        files = manifest["files"]
        valid = isinstance(files, list) and all(
            isinstance(e, dict)
            and set(e) == {"path", "sha256", "size"}
            and isinstance(e["path"], str)
            and isinstance(e["sha256"], str)
            and isinstance(e["size"], int)
            for e in files
        )
        if not valid:
            return [f"{MANIFEST}: edited (a file entry is not path, sha256, size)"]
        unsafe = [e["path"] for e in files if _unsafe(e["path"])]
        if unsafe:
            return [f"{MANIFEST}: lists a path outside the bundle: {unsafe[0]!r}"]
        # the manifest is written canonically: any other byte of it is an edit
        if _canonical(manifest) != self.manifest_bytes:
            return [f"{MANIFEST}: edited (not as snapshot-conformance writes it)"]
        return []

    def _file_problem(self, name: str, entry: Mapping[str, Any]) -> str | None:
        digest = hashlib.sha256()
        size = 0
        try:
            with self.archive.open(name) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > entry["size"]:
                        return f"{name}: edited (larger than the manifest says)"
                    digest.update(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            return f"{name}: damaged or edited ({error})"
        if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
            return f"{name}: edited (SHA-256 {digest.hexdigest()}, the manifest says {entry['sha256']})"
        return None

    def _claim_problems(self) -> list[str]:
        claims = self.claims
        if claims.get("format") != BUNDLE_FORMAT:
            return [f"{CLAIMS}: not a snapshot-conformance bundle's claims"]
        try:
            results = json.loads(self.read(REPORTS + "results.json"))
        except (BundleError, ValueError, UnicodeDecodeError):
            return [f"{REPORTS}results.json: missing or not valid JSON"]
        problems = []
        for key in ("verdict", "engine", "started", "finished"):
            if claims.get(key) != results.get(key):
                problems.append(f"{CLAIMS}: claims {key} {claims.get(key)!r}, the results say {results.get(key)!r}")
        catalogue = hashlib.sha256(self.read(CATALOGUE)).hexdigest() if CATALOGUE in self.archive.namelist() else None
        recorded = results.get("catalogue", {}).get("sha256") if isinstance(results.get("catalogue"), dict) else None
        claimed = claims.get("catalogue", {}).get("sha256") if isinstance(claims.get("catalogue"), dict) else None
        if catalogue != claimed or (recorded is not None and recorded != catalogue):
            problems.append(f"{CATALOGUE}: SHA-256 {catalogue}, claimed {claimed}, recorded in the results {recorded}")
        return problems


@contextmanager
def open_bundle(path: str | Path) -> Iterator[Bundle]:
    """Open a bundle for reading; raise :class:`BundleError` when it is no bundle at all."""
    target = Path(path)
    try:
        archive = zipfile.ZipFile(target)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise BundleError(f"{target} is not a readable zip file ({error})") from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > _MAX_TOTAL:
            raise BundleError(f"{target} unpacks to more than {_MAX_TOTAL // 1024**3} GiB; not a bundle")
        if MANIFEST not in archive.namelist():
            raise BundleError(f"{target} has no {MANIFEST}: not a snapshot-conformance bundle")
        bundle = Bundle(path=target, archive=archive, manifest_bytes=b"")
        bundle.manifest_bytes = bundle.read(MANIFEST)
        yield bundle


def _unsafe(name: str) -> bool:
    path = PurePosixPath(name)
    return path.is_absolute() or ".." in path.parts or "\\" in name or name in ("", MANIFEST)
