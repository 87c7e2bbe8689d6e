"""Fixtures of the conformance tests (imported by ``conformance/suite/conftest.py``).

Session fixtures reach the engine once: ``engine`` checks that it answers and who it is
(or ends the run with exit 3 and one sentence), ``own_vm`` is the VM the suite may change. ``ledger`` removes
everything the suite created when the session ends.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from conformance.client.engine import EngineAPI, EngineError, VmRef
from conformance.client.http import build_client
from conformance.client.ledger import RUN_VM_NAME, Ledger, ledger_name, run_vm_name
from conformance.client.recorder import Recorder
from conformance.client.sso import SsoAuth, SsoError
from conformance.dialect import Dialect
from conformance.plugin.options import RunConfig
from conformance.plugin.plugin import RUN_KEY, ConformanceRun
from conformance.reports.model import EngineInfo

__all__ = [
    "client",
    "dialect",
    "engine",
    "engine_api",
    "existing_vms",
    "ledger",
    "own_vm",
    "own_vm_or_none",
    "recorder",
    "run_config",
    "suite_owned_vm",
    "writable_vm",
]


def _run(request: pytest.FixtureRequest) -> ConformanceRun:
    return request.config.stash[RUN_KEY]


@pytest.fixture(scope="session")
def run_config(request: pytest.FixtureRequest) -> RunConfig:
    return _run(request).config


@pytest.fixture(scope="session")
def dialect(run_config: RunConfig) -> Dialect:
    return run_config.dialect


@pytest.fixture(scope="session")
def client(request: pytest.FixtureRequest, run_config: RunConfig) -> Iterator[httpx.Client]:
    """The one ``httpx.Client`` of the run: API root as base URL, auth, ``Version``, TLS."""
    run = _run(request)
    assert run.state is not None
    with build_client(
        engine_url=run_config.engine_url,
        api_version=run_config.api_version,
        username=run_config.username,
        password=run_config.password,
        ca_file=run_config.ca_file,
        insecure=run_config.insecure,
        timeout=run_config.timeouts.http,
        recorder=run.state.recorder,
        deadlines=run.state.deadlines,
    ) as http:
        yield http
        if isinstance(http.auth, SsoAuth):
            http.auth.revoke(http)


@pytest.fixture(scope="session")
def recorder(request: pytest.FixtureRequest) -> Recorder:
    """The run's exchange recorder (``recorder.capture()`` keeps a shared phase's evidence)."""
    run = _run(request)
    assert run.state is not None
    return run.state.recorder


@pytest.fixture(scope="session")
def engine_api(client: httpx.Client, run_config: RunConfig) -> EngineAPI:
    return EngineAPI(client, run_config.dialect, vm_timeout=run_config.timeouts.vm, snapshot_timeout=run_config.timeouts.snapshot)


@pytest.fixture(scope="session")
def engine(request: pytest.FixtureRequest, engine_api: EngineAPI, run_config: RunConfig) -> EngineInfo:
    """Preflight: the engine answers, accepts the credentials; its fingerprint for the report."""
    run = _run(request)
    assert run.state is not None
    try:
        response = engine_api.client.get(engine_api.url(""), headers={"Accept": "application/xml"})
    except SsoError as error:
        run.abort(f"the engine at {run_config.engine_url} refused the credentials of {run_config.username!r}: {error}")
    except httpx.ConnectError as error:
        if isinstance(error.__cause__, ssl.SSLError) or "CERTIFICATE" in str(error).upper() or "SSL" in str(error).upper():
            run.abort(f"TLS failure talking to {run_config.engine_url}: {error} (use --ca-file or --insecure)")
        run.abort(f"the engine at {run_config.engine_url} is unreachable: {error}")
    except httpx.HTTPError as error:
        run.abort(f"the engine at {run_config.engine_url} did not answer: {type(error).__name__}: {error}")
    if response.status_code in (401, 403):
        run.abort(f"the engine at {run_config.engine_url} refused the credentials of {run_config.username!r} ({response.status_code})")
    if response.status_code == 404:
        run.abort(f"{run_config.engine_url} is not an oVirt API root (GET answered 404)")
    fingerprint = engine_api.fingerprint()
    info = EngineInfo(url=run_config.engine_url, api_version=run_config.api_version, product=fingerprint.product, version=fingerprint.version)
    run.state.engine = info
    return info


@pytest.fixture(scope="session")
def ledger(request: pytest.FixtureRequest, engine_api: EngineAPI) -> Iterator[Ledger]:
    """Everything the suite creates is recorded here and removed when the session ends."""
    run = _run(request)
    assert run.state is not None
    config = run.config
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    book = Ledger(
        config.report_dir / ledger_name(config.run_id, worker),
        run_id=config.run_id,
        engine_url=config.engine_url,
        api_version=config.api_version,
        username=config.username,
    )
    run.state.ledger = book
    try:
        yield book
    finally:
        run.state.tearing_down = True  # an interrupt from here on never breaks teardown off
        run.state.deadlines.expire_run()
        run.state.created_resources.extend(book.clean_up(engine_api, deadline=config.timeouts.delete))
        run.state.teardown_problems.extend(book.problems)


@pytest.fixture(scope="session")
def own_vm(request: pytest.FixtureRequest, engine: EngineInfo, engine_api: EngineAPI, ledger: Ledger, run_config: RunConfig) -> VmRef | None:
    """The VM the suite may change: its own new VM, or the disposable VM named by ``--vm``.

    ``None`` in a read-only run without ``--vm``.
    """
    run = _run(request)
    try:
        if run_config.vm_name:
            vm = engine_api.find_vm(run_config.vm_name)
            if vm is None:
                run.abort(f"the VM {run_config.vm_name!r} named by --vm does not exist")
            if not run_config.read_only:
                current = engine_api.get_vm(vm)
                status = engine_api.dialect.status_text(current) or "down"
                memory = (current.findtext("memory") or "").strip() or None
                before = engine_api.snapshot_ids(vm)
                ledger.vm_borrowed(vm, description=current.findtext("description"), memory=memory, status=status, snapshots_before=before)
                if status != "down":  # the write checks start from a down VM; teardown restarts it
                    engine_api.stop_vm(vm)
            return vm
        if run_config.read_only:
            return None
        name = run_vm_name(run_config.run_id)
        ledger.vm_creating(name)  # on disk before the request: cleanup finds it after a kill
        try:
            vm = engine_api.create_vm(name, cluster=run_config.cluster, template=run_config.template)
        except EngineError as error:
            if _names_missing(str(error), run_config.cluster, run_config.template):
                run.abort(f"{error} (is the cluster {run_config.cluster!r} or the template {run_config.template!r} missing? see --cluster, --template)")
            # Not the snapshot contract: what needs the VM is not tested, the rest still runs.
            pytest.skip(f"not tested: the suite could not create its own VM ({error})")
        ledger.vm_created(vm)
        return vm
    except EngineError as error:
        run.abort(str(error))


def own_vm_or_none(request: pytest.FixtureRequest) -> VmRef | None:
    """``own_vm``, or None when there is none (read-only) or it could not be made (a skip):
    what does not need the suite's VM still runs."""
    try:
        vm: VmRef | None = request.getfixturevalue("own_vm")
    except pytest.skip.Exception:
        return None
    return vm


def _names_missing(message: str, cluster: str, template: str) -> bool:
    """Whether the engine's refusal says the cluster or template the user named does not exist."""
    lowered = message.lower()
    missing = any(words in lowered for words in ("not found", "does not exist", "doesn't exist", "no such", "unknown"))
    return missing and (cluster.lower() in lowered or template.lower() in lowered)


@pytest.fixture(scope="session")
def writable_vm(own_vm: VmRef | None, run_config: RunConfig) -> VmRef:
    """The VM on which the write checks run; they are not tested in a read-only run."""
    if own_vm is None or run_config.read_only:
        pytest.skip("read-only run: the suite creates, deletes and restores nothing")
    return own_vm


@pytest.fixture(scope="session")
def suite_owned_vm(writable_vm: VmRef, ledger: Ledger) -> VmRef:
    """The VM the suite created itself: only there may it aim refusals at the active snapshot."""
    if not ledger.owns_vm(writable_vm):
        pytest.skip("the VM named by --vm is not the suite's: its active snapshot is never touched")
    return writable_vm


@pytest.fixture(scope="session")
def existing_vms(request: pytest.FixtureRequest, engine: EngineInfo, engine_api: EngineAPI, run_config: RunConfig) -> tuple[VmRef, ...]:
    """A bounded, deterministic sample of VMs the suite did not create (read-only checks)."""
    own_vm = own_vm_or_none(request)
    try:
        vms = engine_api.list_vms()
    except EngineError:
        return ()
    # never this run's VM, nor one another run (or a killed one) created for itself
    others = sorted((vm for vm in vms if (own_vm is None or vm.id != own_vm.id) and not RUN_VM_NAME.fullmatch(vm.name)), key=lambda vm: vm.name)
    return tuple(others[: run_config.sample_size])
