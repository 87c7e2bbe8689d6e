"""Recordings made on the spot: the reference engine's traffic, as a VCR cassette or a HAR file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from conformance.engine import EngineSettings, start_engine

PASSWORD = "offline-secret"


class Taping(httpx.BaseTransport):
    """Keeps every exchange as a VCR interaction."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.interactions: list[dict[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.interactions.append(
            {
                "request": {
                    "method": request.method.lower(),
                    "uri": str(request.url),
                    "body": {"encoding": "UTF-8", "string": request.content.decode("utf-8", "replace")},
                    "headers": {k: [v] for k, v in request.headers.items()},
                },
                "response": {
                    "status": {"code": response.status_code, "message": response.reason_phrase},
                    "headers": {k: [v] for k, v in response.headers.items()},
                    "body": {"encoding": "UTF-8", "string": response.content.decode("utf-8", "replace")},
                },
                "recorded_at": response.headers.get("date", ""),
            }
        )
        return httpx.Response(response.status_code, headers=response.headers, content=response.content, request=request)

    def close(self) -> None:
        self.inner.close()


def script(client: httpx.Client, version: str) -> None:
    """What a client of the engine typically does, plus a few refusals."""
    api = "/ovirt-engine/api"
    client.get(api)
    vms = client.get(f"{api}/vms")
    vm_id = next(vm["id"] for vm in _vms(vms))
    vm = f"{api}/vms/{vm_id}"
    client.get(vm)
    listed = client.get(f"{vm}/snapshots")
    client.get(f"{vm}/snapshots", headers={"All-Content": "true"})
    client.get(f"{vm}/snapshots", headers={"Accept": "application/json"})
    client.get(f"{vm}/snapshots", headers={"Accept": "application/json", "All-Content": "true"})
    if version == "4":
        client.get(f"{vm}/snapshots", params={"all_content": "true"})
    ids = [s.get("id") for s in _snapshots(listed)]
    regular = ids[0]
    client.get(f"{vm}/snapshots/{regular}")
    client.put(f"{vm}/snapshots/{regular}", content=b"<snapshot><description>changed</description></snapshot>", headers={"Content-Type": "application/xml"})
    client.get(f"{vm}/snapshots/{regular}")
    client.get(f"{vm}/snapshots/00000000-0000-0000-0000-00000000beef")
    client.get(f"{vm}/snapshots/not-a-guid")
    client.post(f"{vm}/snapshots", content=b"<snapshot/>", headers={"Content-Type": "application/xml"})
    client.get(f"{vm}/snapshots", headers={"Accept": "text/csv"})
    client.get(f"{vm}/snapshots", auth=None, headers={"Authorization": ""})


def _vms(answer: httpx.Response) -> list[dict[str, str]]:
    from lxml import etree

    return [dict(vm.attrib) for vm in etree.fromstring(answer.content).findall("vm")]


def _snapshots(answer: httpx.Response) -> list[Any]:
    from lxml import etree

    root = etree.fromstring(answer.content)
    kind = "snapshot_type" if root.find("snapshot/snapshot_type") is not None else "type"
    return sorted(root.findall("snapshot"), key=lambda s: s.findtext(kind) != "regular")


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``record(version, faults=(), fmt="vcr")``: a recording of :func:`script` against a fresh reference engine."""

    def make(version: str, faults: tuple[str, ...] = (), fmt: str = "vcr", drop_request_headers: bool = False) -> Path:
        tape = Taping()
        settings = EngineSettings(password=PASSWORD, faults=frozenset(faults), default_api_version=version)
        with (
            start_engine(settings) as engine,
            httpx.Client(base_url=engine.base_url, auth=("admin@internal", PASSWORD), transport=tape, headers={"Version": version}) as client,
        ):
            script(client, version)
        if drop_request_headers:
            for interaction in tape.interactions:
                del interaction["request"]["headers"]
        folder = tmp_path_factory.mktemp("recorded")
        if fmt == "har":
            path = folder / f"engine-v{version}.har"
            path.write_text(json.dumps(_har(tape.interactions)))
        else:
            path = folder / f"engine-v{version}.yaml"
            path.write_text(yaml.safe_dump({"http_interactions": tape.interactions, "provenance": {"dialect": version}}))
        return path

    return make


def _har(interactions: list[dict[str, Any]]) -> dict[str, Any]:
    entries = []
    for item in interactions:
        request, response = item["request"], item["response"]
        entries.append(
            {
                "startedDateTime": "2026-12-02T10:00:00.000Z",
                "request": {
                    "method": request["method"].upper(),
                    "url": request["uri"],
                    "headers": [{"name": k, "value": v[0]} for k, v in request["headers"].items()],
                    **({"postData": {"mimeType": "application/xml", "text": request["body"]["string"]}} if request["body"]["string"] else {}),
                },
                "response": {
                    "status": response["status"]["code"],
                    "statusText": response["status"]["message"],
                    "headers": [{"name": k, "value": v[0]} for k, v in response["headers"].items()],
                    "content": {"mimeType": response["headers"].get("content-type", [""])[0], "text": response["body"]["string"]},
                },
            }
        )
    return {"log": {"version": "1.2", "creator": {"name": "tests"}, "entries": entries}}


def check(*paths: Path, version: str, report_dir: Path) -> tuple[int, dict[str, Any]]:
    """``snapshot-conformance check`` in a subprocess; its exit status and results.json."""
    argv = [sys.executable, "-m", "conformance", "check", "--api-version", version, "--report-dir", str(report_dir), *map(str, paths)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    results = report_dir / "results.json"
    assert results.is_file(), done.stdout + done.stderr
    return done.returncode, json.loads(results.read_text())


def statuses(results: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["status"] for r in results["requirements"]}


@pytest.fixture
def run_check(tmp_path: Path) -> Iterator[Callable[..., tuple[int, dict[str, Any]]]]:
    return lambda *paths, version: check(*paths, version=version, report_dir=tmp_path / "reports")
