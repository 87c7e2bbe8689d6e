"""Starting and stopping engines; settings; the public API of the package."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

import conformance.engine
from conformance.engine import EngineHandle, EngineSettings, create_app, start_engine


def test_public_api_is_exactly_what_is_documented():
    assert sorted(conformance.engine.__all__) == [
        "EngineHandle",
        "EngineSettings",
        "FAULTS",
        "Injectable",
        "StateFileError",
        "VARIANTS",
        "create_app",
        "start_engine",
    ]
    for name in conformance.engine.__all__:
        assert getattr(conformance.engine, name)


def test_handle_urls_and_stop(seeded):
    handle = start_engine(EngineSettings(password=seeded.password))
    assert handle.url == f"http://127.0.0.1:{handle.port}/ovirt-engine/api"
    assert handle.base_url == f"http://127.0.0.1:{handle.port}"
    with httpx.Client(verify=False) as client:
        assert client.get(handle.url, auth=(seeded.user, seeded.password)).status_code == 200
    handle.stop()
    handle.stop()  # idempotent
    assert not handle.running
    with socket.socket() as probe:  # the port is free again
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", handle.port))


def test_context_manager_and_a_fixed_port(seeded):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with start_engine(EngineSettings(password=seeded.password), port=port) as handle:
        assert isinstance(handle, EngineHandle)
        assert handle.port == port
        with pytest.raises(OSError):
            start_engine(EngineSettings(password=seeded.password), port=port)
    assert not handle.running


def test_engines_do_not_share_state(make_engine, make_api):
    first, second = make_api(make_engine()), make_api(make_engine())
    vm = first.create_vm()
    assert first.get(f"vms/{vm}").status_code == 200
    assert second.get(f"vms/{vm}").status_code == 404


def test_latency_is_added_to_every_answer(make_engine, make_api):
    api = make_api(make_engine(latency_seconds=0.1))
    started = time.monotonic()
    api.get("vms")
    api.client.get("/ovirt-engine/api/vms", auth=None)  # also the 401
    assert time.monotonic() - started >= 0.2


def test_a_password_is_required():
    with pytest.raises(ValueError, match="password"):
        create_app(EngineSettings())


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"snapshot_lock_seconds": -1}, id="negative-lock"),
        pytest.param({"restore_seconds": float("nan")}, id="nan-restore"),
        pytest.param({"latency_seconds": float("inf")}, id="infinite-latency"),
        pytest.param({"max_body_bytes": 0}, id="no-body"),
        pytest.param({"username": ""}, id="no-user"),
    ],
)
def test_bad_settings_are_refused(settings):
    with pytest.raises(ValueError):
        EngineSettings(password="x", **settings)


def test_create_app_is_an_asgi_app(seeded):
    from starlette.applications import Starlette

    assert isinstance(create_app(EngineSettings(password=seeded.password)), Starlette)
