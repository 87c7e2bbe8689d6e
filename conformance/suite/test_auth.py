"""SNAP-AUTH: no snapshot data without valid credentials (facts: Error bodies)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from conformance import checks
from conformance.client.engine import EngineAPI, VmRef
from conformance.client.http import build_client, url_for
from conformance.client.recorder import Recorder
from conformance.plugin.options import RunConfig
from conformance.suite._support import XML, snapshots_href

requirement = pytest.mark.requirement


@pytest.fixture
def unauthenticated(run_config: RunConfig, recorder: Recorder) -> Iterator[httpx.Client]:
    """A client like the suite's, with credentials the test sets per request."""
    with build_client(
        engine_url=run_config.engine_url,
        api_version=run_config.api_version,
        username=run_config.username,
        password=run_config.password,
        ca_file=run_config.ca_file,
        insecure=run_config.insecure,
        timeout=run_config.timeouts.http,
        recorder=recorder,
    ) as http:
        http.auth = None  # type: ignore[assignment]
        yield http


@requirement("SNAP-AUTH-01")
@pytest.mark.parametrize(
    "credentials",
    [pytest.param("none", id="no-credentials"), pytest.param("wrong", id="wrong-password"), pytest.param("bogus-token", id="bogus-bearer-token")],
)
@pytest.mark.parametrize("resource", ["collection", "snapshot"])
def test_no_data_without_valid_credentials(
    unauthenticated: httpx.Client, engine_api: EngineAPI, any_vm: VmRef, run_config: RunConfig, credentials: str, resource: str
) -> None:
    """An engine MUST answer 401 to a request without valid credentials and reveal no snapshot data."""
    snapshots = engine_api.snapshots(any_vm)
    href = snapshots_href(any_vm)
    if resource == "snapshot":
        if not snapshots:
            pytest.skip(f"the VM {any_vm.name!r} has no snapshot")
        href = snapshots[0].get("href", "")
    headers = {"Accept": XML}
    if credentials == "wrong":
        wrong = base64.b64encode(f"{run_config.username}:wrong-{run_config.run_id}".encode()).decode()
        headers["Authorization"] = f"Basic {wrong}"
    elif credentials == "bogus-token":
        headers["Authorization"] = f"Bearer conformance-bogus-{run_config.run_id}"
    answer = unauthenticated.get(url_for(unauthenticated, href), headers=headers)
    secrets = [s.get("id", "") for s in snapshots] + [d for d in (s.findtext("description") for s in snapshots) if d and len(d) > 3]
    checks.check_unauthorized(answer, secrets, f"GET of the {resource} with {credentials} credentials")
