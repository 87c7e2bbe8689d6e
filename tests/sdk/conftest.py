"""Fixtures for driving the reference engine with the official Python SDK (ovirtsdk4).

The SDK is used as any client would use it, unmodified: it asks the engine's SSO for a
token, sends ``Version: 4`` with every request, and revokes the token on ``close()``. The
engine runs with its defaults (v3 when a request names no version, as ``serve``), so the
SDK's ``Version: 4`` header is what selects the v4 dialect.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest

from conformance.engine import EngineHandle, EngineSettings, start_engine

USER = "admin@internal"
PASSWORD = "sdk-test-password"


def wait_for(read: Callable[[], Any], accept: Callable[[Any], bool], *, timeout: float = 10.0) -> Any:
    """Poll ``read`` until ``accept`` likes its value, as SDK scripts poll (fail after ``timeout``)."""
    deadline = time.monotonic() + timeout
    value = read()
    while not accept(value):
        if time.monotonic() > deadline:
            pytest.fail(f"still {value!r} after {timeout} s")
        time.sleep(0.02)
        value = read()
    return value


@pytest.fixture(scope="session")
def engine() -> Iterator[EngineHandle]:
    """A reference engine with the defaults ``snapshot-conformance serve`` has."""
    with start_engine(EngineSettings(password=PASSWORD)) as handle:
        yield handle


@pytest.fixture
def connection(engine: EngineHandle) -> Iterator[Any]:
    """An SDK connection (SSO login on first use), closed (token revoked) after the test."""
    connection = sdk.Connection(url=engine.url, username=USER, password=PASSWORD, insecure=True, timeout=30)
    yield connection
    connection.close()


@pytest.fixture
def vms_service(connection: Any) -> Any:
    return connection.system_service().vms_service()


@pytest.fixture
def vm(vms_service: Any) -> Iterator[Any]:
    """A VM of this test's own, made from Blank and down; removed afterwards."""
    created = vms_service.add(types.Vm(name=f"sdk-{uuid.uuid4().hex[:12]}", cluster=types.Cluster(name="Default"), template=types.Template(name="Blank")))
    vm_service = vms_service.vm_service(created.id)
    wait_for(lambda: vm_service.get().status, lambda status: status == types.VmStatus.DOWN)
    yield created
    _remove(vm_service)


def _remove(vm_service: Any) -> None:
    try:
        current = vm_service.get()
    except sdk.NotFoundError:
        return
    if current.status != types.VmStatus.DOWN:
        vm_service.stop()
        wait_for(lambda: vm_service.get().status, lambda status: status == types.VmStatus.DOWN)
    snapshots = vm_service.snapshots_service().list()
    if any(s.snapshot_status == types.SnapshotStatus.IN_PREVIEW for s in snapshots):
        vm_service.undo_snapshot()
    vm_service.remove()


@pytest.fixture(name="wait_for")
def wait_for_fixture() -> Callable[..., Any]:
    return wait_for


@pytest.fixture
def credentials() -> tuple[str, str]:
    return USER, PASSWORD
