"""Wiring of the conformance tests: the plugin's fixtures and the VMs the read checks cover."""

from __future__ import annotations

import pytest

from conformance.checks.reading import ListContext
from conformance.client.engine import EngineAPI, VmRef
from conformance.plugin.fixtures import (  # noqa: F401 - fixtures are found by name
    client,
    dialect,
    engine,
    engine_api,
    existing_vms,
    ledger,
    own_vm,
    own_vm_or_none,
    recorder,
    run_config,
    suite_owned_vm,
    writable_vm,
)
from conformance.suite._phases import down_create, expect_201_create, live_phase, restore_chain, suite_snapshots  # noqa: F401

OWN = "own-vm"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Read checks run on the suite's VM and on a bounded sample of existing VMs."""
    if "target_vm" in metafunc.fixturenames:
        size = int(metafunc.config.getoption("sample_vms"))
        slots = [OWN, *(f"existing-vm-{n}" for n in range(1, size + 1))]
        metafunc.parametrize("target_vm", slots, indirect=True)


@pytest.fixture
def target_vm(request: pytest.FixtureRequest) -> VmRef:
    request.getfixturevalue("engine")  # preflight first: exit 3 beats a wall of failures
    slot: str = request.param
    if slot == OWN:
        vm: VmRef | None = request.getfixturevalue("own_vm")
        if vm is None:
            pytest.skip("read-only run without --vm: the suite has no VM of its own")
        request.getfixturevalue("suite_snapshots")
        return vm
    existing: tuple[VmRef, ...] = request.getfixturevalue("existing_vms")
    index = int(slot.rsplit("-", 1)[1]) - 1
    if index >= len(existing):
        pytest.skip(f"the engine has only {len(existing)} other VM(s) to sample")
    return existing[index]


@pytest.fixture
def any_vm(request: pytest.FixtureRequest) -> VmRef:
    """One VM to ask engine-wide questions on: the suite's own, else the first existing one."""
    request.getfixturevalue("engine")
    vm = own_vm_or_none(request)
    if vm is not None:
        return vm
    existing: tuple[VmRef, ...] = request.getfixturevalue("existing_vms")
    if not existing:
        pytest.skip("the engine has no VM to read")
    return existing[0]


@pytest.fixture
def list_context(request: pytest.FixtureRequest, target_vm: VmRef) -> ListContext:
    """What the read checks judge the target VM's list against (conformance.checks.reading)."""
    api: EngineAPI = request.getfixturevalue("engine_api")
    config = request.getfixturevalue("run_config")
    vm = api.get_vm(target_vm)
    return ListContext(
        dialect=config.dialect,
        api_path=config.api_path,
        vm_id=target_vm.id,
        vm_href=target_vm.href,
        next_run_pending=(vm.findtext("next_run_configuration_exists") or "").strip() == "true",
        vm_name=target_vm.name,
    )
