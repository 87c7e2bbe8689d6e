"""Wiring of the offline tests: the recordings of ``--recorded``, as the run's dialect sees them."""

from __future__ import annotations

import pytest

from conformance import safexml
from conformance.dialect import dialect_for
from conformance.offline._judging import Traffic
from conformance.offline._traffic import Recorded, RecordingError, load_recordings
from conformance.plugin.options import RunConfig
from conformance.plugin.plugin import RUN_KEY
from conformance.reports.model import EngineInfo


@pytest.fixture(scope="session")
def traffic(request: pytest.FixtureRequest) -> Traffic:
    """Every recorded exchange of the run's dialect; the engine's fingerprint from the recorded API roots."""
    run = request.config.stash[RUN_KEY]
    config = run.config
    if not config.recorded:
        pytest.skip("no --recorded traffic: these tests judge recordings")
    try:
        exchanges = load_recordings(config.recorded)
    except RecordingError as error:
        run.abort(str(error))
    version = config.api_version
    mine = tuple(ex for ex in exchanges if (ex.dialect or version) == version)
    assert run.state is not None
    run.state.engine = _fingerprint(config.engine_url, version, mine)
    return Traffic(mine, dialect_for(version), run.state.recorder, other_dialects=len(exchanges) - len(mine))


@pytest.fixture(scope="session", autouse=True)
def _fingerprint_first(request: pytest.FixtureRequest) -> None:
    """The engine's identity is known before the first test reports (and when every test is skipped)."""
    if request.config.stash[RUN_KEY].config.recorded:
        request.getfixturevalue("traffic")


def _fingerprint(url: str, version: str, exchanges: tuple[Recorded, ...]) -> EngineInfo:
    products: dict[str, None] = {}
    versions: dict[str, None] = {}
    for exchange in exchanges:
        if exchange.route.kind != "api" or exchange.status_code != 200:
            continue
        try:
            root = safexml.parse(exchange.content)
        except safexml.UnsafeOrMalformedXML:
            continue
        info = root.find("product_info")
        if info is None:
            continue
        if info.findtext("name"):
            products[info.findtext("name") or ""] = None
        node = info.find("version")
        full = info.findtext("full_version")  # v3 writes it beside <version>
        if full:
            versions[full] = None
        elif node is not None:
            text = node.get("full_version") or node.findtext("full_version")
            if not text:
                parts = [node.get(k) or node.findtext(k) for k in ("major", "minor", "build", "revision")]
                text = ".".join(p for p in parts if p)
            if text:
                versions[text] = None
    return EngineInfo(url=url, api_version=version, product=", ".join(products) or None, version=", ".join(versions) or None)


@pytest.fixture(scope="session")
def run_config(request: pytest.FixtureRequest) -> RunConfig:
    return request.config.stash[RUN_KEY].config
