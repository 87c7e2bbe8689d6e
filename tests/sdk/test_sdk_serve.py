"""The SDK against ``snapshot-conformance serve`` itself, the command client developers run."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid

import ovirtsdk4 as sdk
import ovirtsdk4.types as types
import pytest

PASSWORD = "serve-sdk-password"


@pytest.fixture
def served_url():
    """``snapshot-conformance serve --port 0`` in a child process; its API URL."""
    command = shutil.which("snapshot-conformance", path=os.path.dirname(sys.executable))
    assert command, "the snapshot-conformance command is installed beside this Python"
    env = {**os.environ, "OVIRT_PASSWORD": PASSWORD}
    process = subprocess.Popen([command, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        output = ""
        deadline = time.monotonic() + 20
        while "Press Ctrl-C" not in output:
            line = process.stdout.readline()
            assert line, f"serve ended before it started: {output!r}"
            assert time.monotonic() < deadline, f"serve did not start: {output!r}"
            output += line
        yield re.search(r"URL:\s+(\S+)", output).group(1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()


def test_an_sdk_session_against_serve(served_url):
    with sdk.Connection(url=served_url, username="admin@internal", password=PASSWORD, insecure=True) as connection:
        vms_service = connection.system_service().vms_service()
        assert vms_service.list(search="name=web-01")[0].status == types.VmStatus.UP
        vm = vms_service.add(types.Vm(name=f"sdk-{uuid.uuid4().hex[:8]}", cluster=types.Cluster(name="Default"), template=types.Template(name="Blank")))
        vm_service = vms_service.vm_service(vm.id)
        snapshots_service = vm_service.snapshots_service()
        snapshot = snapshots_service.add(types.Snapshot(description="from the SDK", persist_memorystate=False))
        deadline = time.monotonic() + 10
        while snapshots_service.snapshot_service(snapshot.id).get().snapshot_status != types.SnapshotStatus.OK:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        listed = {s.id: s for s in snapshots_service.list(all_content=True)}
        assert listed[snapshot.id].initialization.configuration.type == types.ConfigurationType.OVF
        vm_service.preview_snapshot(snapshot=types.Snapshot(id=snapshot.id))
        vm_service.undo_snapshot()
        snapshots_service.snapshot_service(snapshot.id).remove()
        vm_service.remove()
