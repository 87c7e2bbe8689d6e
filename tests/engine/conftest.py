"""Fixtures for the reference engine's tests: engines on loopback ports, an HTTP helper.

Every test talks HTTP to a real engine (uvicorn in a thread). The session engine is
shared, so a test that changes state works on a VM it creates itself (``vm``, ``up_vm``);
a test that needs other timings starts its own engine with ``make_engine``.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from lxml import etree

from conformance.engine import EngineHandle, EngineSettings, start_engine
from conformance.safexml import parse

USER = "admin@internal"
PASSWORD = "reference-engine-test-password"
API = "/ovirt-engine/api"
GUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
#: fast timings: short enough for quick tests, long enough to observe a locked snapshot
FAST = {"snapshot_lock_seconds": 0.05, "restore_seconds": 0.0, "vm_transition_seconds": 0.05}


@dataclass(frozen=True)
class Seeded:
    """Facts of the packaged state file that tests rely on (they only read these VMs)."""

    user: str = USER
    password: str = PASSWORD
    guid_pattern: str = GUID_PATTERN
    web_01: str = "07d9800a-e5f7-4ffc-a98e-eac547eeade8"  # up, 2 snapshots
    db_01: str = "dbc4cc47-2194-43f9-b7c0-0dc4acd5efea"  # down, 3 snapshots, 2 disks
    db_01_initial: str = "bc16c79d-c478-4d49-a41d-77952a2d50bf"  # 4 GiB, 1 disk, 1 nic then
    db_01_active: str = "10c6698b-fecc-424a-9fb3-c18fa4a9ba73"
    default_cluster: str = "e531aebe-bec0-476e-b6b4-e73583243d3a"
    blank_template: str = "00000000-0000-0000-0000-000000000000"


def poll(read: Callable[[], Any], accept: Callable[[Any], bool], *, timeout: float = 5.0, interval: float = 0.01) -> Any:
    """Call ``read`` until ``accept`` likes its value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    value = read()
    while not accept(value):
        if time.monotonic() > deadline:
            pytest.fail(f"still {value!r} after {timeout} s")
        time.sleep(interval)
        value = read()
    return value


class Api:
    """An authenticated client of one engine, with helpers for its XML and JSON."""

    #: where a VM's or an action's status sits (v3 nests it; :class:`V4Api` says ``status``)
    STATUS = "status/state"

    def __init__(self, engine: EngineHandle, *, auth: tuple[str, str] | None = (USER, PASSWORD)) -> None:
        self.engine = engine
        # Plain HTTP on loopback; verify=False only spares loading the CA bundle (~0.1 s a client).
        self.client = httpx.Client(base_url=engine.base_url, auth=auth, timeout=10.0, verify=False)

    def close(self) -> None:
        self.client.close()

    @staticmethod
    def path(path: str) -> str:
        """``vms/1`` -> ``/ovirt-engine/api/vms/1``; hrefs (already absolute) stay."""
        return path if path.startswith("/ovirt-engine") else f"{API}/{path.lstrip('/')}".rstrip("/")

    def request(
        self,
        method: str,
        path: str,
        *,
        body: str | bytes | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = dict(headers or {})
        content: bytes | None = None
        if json_body is not None:
            content = json.dumps(json_body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif body is not None:
            content = body.encode() if isinstance(body, str) else body
            headers.setdefault("Content-Type", "application/xml")
        return self.client.request(method, self.path(path), content=content, headers=headers, params=params)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: str | bytes | None = "<action/>", **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, body=body, **kwargs)

    def put(self, path: str, body: str | bytes | None = None, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, body=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    # --- documents ------------------------------------------------------------------

    @staticmethod
    def xml(response: httpx.Response, status: int = 200) -> etree._Element:
        assert response.status_code == status, f"{response.status_code} {response.text[:500]}"
        assert response.headers["content-type"].split(";")[0] == "application/xml"
        return parse(response.content)

    @staticmethod
    def json(response: httpx.Response, status: int = 200) -> Any:
        assert response.status_code == status, f"{response.status_code} {response.text[:500]}"
        assert response.headers["content-type"].split(";")[0] == "application/json"
        return response.json()

    @staticmethod
    def fault(response: httpx.Response, status: int) -> tuple[str, str]:
        """``(reason, detail)`` of a fault answer, checking status and shape."""
        root = Api.xml(response, status)
        assert root.tag == "fault", etree.tostring(root)
        reason = root.findtext("reason") or ""
        assert reason.strip()
        return reason, root.findtext("detail") or ""

    @staticmethod
    def not_found(response: httpx.Response) -> None:
        """A 404 with an empty body, as the 3.6 to 4.4 engines answer (recorded)."""
        assert response.status_code == 404, f"{response.status_code} {response.text[:500]}"
        assert response.content == b"", response.text[:500]

    @classmethod
    def failed_action(cls, response: httpx.Response, status: int) -> tuple[str, str]:
        """``(reason, detail)`` of a refused action: ``<action>`` failed with a ``<fault>``."""
        root = Api.xml(response, status)
        assert root.tag == "action", etree.tostring(root)
        assert root.findtext(cls.STATUS) == "failed"
        reason = root.findtext("fault/reason") or ""
        assert reason.strip()
        return reason, root.findtext("fault/detail") or ""

    @classmethod
    def completed(cls, response: httpx.Response) -> None:
        root = Api.xml(response, 200)
        assert root.tag == "action"
        assert root.findtext(cls.STATUS) == "complete"

    # --- VMs ------------------------------------------------------------------------

    def create_vm(self, name: str | None = None, **extra: str) -> str:
        name = name or f"test-{uuid.uuid4().hex[:12]}"
        fields = "".join(f"<{key}>{value}</{key}>" for key, value in extra.items())
        body = f"<vm><name>{name}</name>{fields}<cluster><name>Default</name></cluster><template><name>Blank</name></template></vm>"
        return self.xml(self.post("vms", body), 201).get("id", "")

    def vm(self, vm_id: str) -> etree._Element:
        return self.xml(self.get(f"vms/{vm_id}"))

    def vm_status(self, vm_id: str) -> str:
        return self.vm(vm_id).findtext(self.STATUS) or ""

    def start_vm(self, vm_id: str) -> None:
        self.completed(self.post(f"vms/{vm_id}/start"))
        poll(lambda: self.vm_status(vm_id), lambda s: s == "up")

    def stop_vm(self, vm_id: str) -> None:
        self.completed(self.post(f"vms/{vm_id}/stop"))
        poll(lambda: self.vm_status(vm_id), lambda s: s == "down")

    def set_description(self, vm_id: str, description: str) -> None:
        self.xml(self.put(f"vms/{vm_id}", f"<vm><description>{description}</description></vm>"))

    # --- snapshots ------------------------------------------------------------------

    def snapshots(self, vm_id: str, *, all_content: bool = False) -> list[etree._Element]:
        headers = {"All-Content": "true"} if all_content else {}
        return list(self.xml(self.get(f"vms/{vm_id}/snapshots", headers=headers)).iterfind("snapshot"))

    def snapshot(self, vm_id: str, snapshot_id: str, *, all_content: bool = False) -> etree._Element:
        headers = {"All-Content": "true"} if all_content else {}
        return self.xml(self.get(f"vms/{vm_id}/snapshots/{snapshot_id}", headers=headers))

    def by_type(self, vm_id: str, snapshot_type: str) -> list[etree._Element]:
        return [s for s in self.snapshots(vm_id) if s.findtext("type") == snapshot_type]

    def active_id(self, vm_id: str) -> str:
        (active,) = self.by_type(vm_id, "active")
        return active.get("id", "")

    def create_snapshot(self, vm_id: str, description: str, *, persist: bool | None = None, wait: bool = True) -> str:
        memory = "" if persist is None else f"<persist_memorystate>{str(persist).lower()}</persist_memorystate>"
        response = self.post(f"vms/{vm_id}/snapshots", f"<snapshot><description>{description}</description>{memory}</snapshot>")
        assert response.status_code in (201, 202), response.text
        snapshot_id = self.xml(response, response.status_code).get("id", "")
        if wait:
            self.wait_snapshot(vm_id, snapshot_id, "ok")
        return snapshot_id

    def snapshot_status(self, vm_id: str, snapshot_id: str) -> str:
        return self.snapshot(vm_id, snapshot_id).findtext("snapshot_status") or ""

    def wait_snapshot(self, vm_id: str, snapshot_id: str, status: str) -> None:
        poll(lambda: self.snapshot_status(vm_id, snapshot_id), lambda s: s == status)


@pytest.fixture(scope="session")
def seeded() -> Seeded:
    return Seeded()


@pytest.fixture(name="poll")
def poll_fixture() -> Callable[..., Any]:
    return poll


@pytest.fixture(autouse=True)
def _no_engine_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """An unexpected exception inside the engine is answered 400, but also logged: a
    test that provokes one fails, since the engine has a bug."""
    caplog.set_level(logging.ERROR, logger="conformance.engine")
    caplog.set_level(logging.ERROR, logger="uvicorn.error")
    yield
    errors = [r for r in caplog.records if r.name.startswith(("conformance.engine", "uvicorn")) and r.levelno >= logging.ERROR]
    assert not errors, f"the engine logged errors: {[r.getMessage() for r in errors]}"


@pytest.fixture(scope="session")
def engine() -> Iterator[EngineHandle]:
    """The shared engine, with the packaged state and fast timings."""
    with start_engine(EngineSettings(password=PASSWORD, **FAST)) as handle:
        yield handle


@pytest.fixture(scope="session")
def instant_engine() -> Iterator[EngineHandle]:
    """A shared engine without waits (no snapshot lock, no power transitions), for tests
    of what happens after a create or a start rather than of the waiting itself."""
    with start_engine(EngineSettings(password=PASSWORD, snapshot_lock_seconds=0, restore_seconds=0, vm_transition_seconds=0)) as handle:
        yield handle


@pytest.fixture
def make_engine() -> Iterator[Callable[..., EngineHandle]]:
    """Start an engine with other settings (stopped after the test)."""
    handles: list[EngineHandle] = []

    def make(**overrides: Any) -> EngineHandle:
        settings = {"password": PASSWORD, **FAST, **overrides}
        handle = start_engine(EngineSettings(**settings))
        handles.append(handle)
        return handle

    yield make
    for handle in handles:
        handle.stop()


@pytest.fixture
def make_api() -> Iterator[Callable[..., Api]]:
    """An :class:`Api` on any engine, closed after the test."""
    apis: list[Api] = []

    def make(engine: EngineHandle, **kwargs: Any) -> Api:
        api = Api(engine, **kwargs)
        apis.append(api)
        return api

    yield make
    for api in apis:
        api.close()


@pytest.fixture
def api(engine: EngineHandle, make_api: Callable[..., Api]) -> Api:
    return make_api(engine)


@pytest.fixture
def vm(api: Api) -> Iterator[str]:
    """A new, down VM of this test's own on the shared engine (removed afterwards)."""
    vm_id = api.create_vm()
    yield vm_id
    _remove_vm(api, vm_id)


@pytest.fixture
def up_vm(api: Api, vm: str) -> str:
    api.start_vm(vm)
    return vm


def _remove_vm(api: Api, vm_id: str) -> None:
    response = api.get(f"vms/{vm_id}")
    if response.status_code == 404:
        return
    if api.vm_status(vm_id) != "down":
        api.post(f"vms/{vm_id}/stop")
        poll(lambda: api.vm_status(vm_id), lambda s: s == "down")
    for snapshot in api.snapshots(vm_id):  # an in-progress snapshot or a preview blocks removal
        if snapshot.findtext("snapshot_status") == "locked":
            api.wait_snapshot(vm_id, snapshot.get("id", ""), "ok")
        if snapshot.findtext("snapshot_status") == "in_preview":
            api.completed(api.post(f"vms/{vm_id}/undosnapshot"))
    assert api.delete(f"vms/{vm_id}").status_code == 200


# --- v4: the same helpers in the v4 dialect, authenticated by an SSO token ---------------


def sso_token(client: httpx.Client, *, user: str = USER, password: str = PASSWORD) -> str:
    """A token from the engine's SSO, asked for as the Python SDK asks."""
    form = {"grant_type": "password", "scope": "ovirt-app-api", "username": user, "password": password}
    response = client.post("/ovirt-engine/sso/oauth/token", data=form, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


class V4Api(Api):
    """An :class:`Api` speaking v4: ``Version: 4`` and ``Authorization: Bearer`` on every request."""

    STATUS = "status"

    def __init__(self, engine: EngineHandle) -> None:
        super().__init__(engine, auth=None)
        self.token = sso_token(self.client)
        self.client.headers.update({"Version": "4", "Authorization": f"Bearer {self.token}"})

    def by_type(self, vm_id: str, snapshot_type: str) -> list[etree._Element]:
        return [s for s in self.snapshots(vm_id) if s.findtext("snapshot_type") == snapshot_type]


@pytest.fixture
def make_v4api() -> Iterator[Callable[[EngineHandle], V4Api]]:
    """A :class:`V4Api` on any engine, closed after the test."""
    apis: list[V4Api] = []

    def make(engine: EngineHandle) -> V4Api:
        api = V4Api(engine)
        apis.append(api)
        return api

    yield make
    for api in apis:
        api.close()


@pytest.fixture
def v4api(engine: EngineHandle, make_v4api: Callable[[EngineHandle], V4Api]) -> V4Api:
    return make_v4api(engine)


@pytest.fixture
def v4vm(v4api: V4Api) -> Iterator[str]:
    """A new, down VM of this test's own, made and removed in v4."""
    vm_id = v4api.create_vm()
    yield vm_id
    _remove_vm(v4api, vm_id)
