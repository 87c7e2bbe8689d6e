"""SNAP-ERR: faults and status codes for bad requests (facts: Faults, Error bodies)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from conformance import checks
from conformance.client.engine import EngineAPI, VmRef
from conformance.client.http import url_for
from conformance.client.ledger import Ledger
from conformance.dialect import Dialect
from conformance.plugin.options import RunConfig
from conformance.suite._phases import post_xml, register_new_snapshots, snapshot_body, snapshot_kinds
from conformance.suite._support import JSON, XML, get, snapshots_href

requirement = pytest.mark.requirement


# -- SNAP-ERR-01: what error answers carry --------------------------------------------------
@requirement("SNAP-ERR-01")
@pytest.mark.parametrize("accept", [pytest.param(XML, id="xml"), pytest.param(JSON, id="json")])
def test_400_carries_fault(client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, writable_vm: VmRef, dialect: Dialect, accept: str) -> None:
    """An engine MUST answer a 400 with a fault whose reason is not empty, in the negotiated format."""
    before = snapshot_kinds(engine_api, writable_vm)
    answer = post_xml(client, snapshots_href(writable_vm), snapshot_body(None), accept=accept)
    register_new_snapshots(engine_api, ledger, writable_vm, before)
    checks.check_fault_answer(answer, "SNAP-ERR-01", (400,), "a snapshot POST without description", dialect, json_expected=accept == JSON)


@requirement("SNAP-ERR-01")
@pytest.mark.parametrize("accept", [pytest.param(XML, id="xml"), pytest.param(JSON, id="json")])
def test_409_carries_fault(client: httpx.Client, engine_api: EngineAPI, suite_owned_vm: VmRef, dialect: Dialect, accept: str) -> None:
    """An engine MUST answer a 409 (here: DELETE of the active snapshot, where the engine chooses 409) with a fault in the negotiated format."""
    active = [s.get("id", "") for s in engine_api.snapshots(suite_owned_vm) if (s.findtext(dialect.type_element) or "").strip() == "active"]
    if len(active) != 1:
        pytest.skip("no single active snapshot (SNAP-REPR-10 judges that)")
    answer = client.delete(url_for(client, f"{suite_owned_vm.href}/snapshots/{active[0]}"), headers={"Accept": accept})
    if answer.status_code != 409:
        pytest.skip(f"the engine refuses this DELETE with {answer.status_code}, not 409 (SNAP-DEL-02 judges it)")
    checks.check_fault_answer(answer, "SNAP-ERR-01", (409,), "DELETE of the active snapshot", dialect, json_expected=accept == JSON)


@requirement("SNAP-ERR-01")
@pytest.mark.parametrize("accept", [pytest.param(XML, id="xml"), pytest.param(JSON, id="json")])
def test_404_body_empty_or_fault(client: httpx.Client, any_vm: VmRef, dialect: Dialect, accept: str) -> None:
    """An engine MAY answer 404 without a body, but a body it sends MUST be a fault."""
    answer = get(client, f"{snapshots_href(any_vm)}/{uuid.uuid4()}", accept=accept)
    checks.check_empty_or_fault(answer, "SNAP-ERR-01", (404,), "GET of an unknown snapshot", dialect)


@requirement("SNAP-ERR-01")
def test_406_body_empty_or_fault(client: httpx.Client, any_vm: VmRef, dialect: Dialect) -> None:
    """An engine MAY answer 406 without a body, but a body it sends MUST be a fault."""
    answer = get(client, snapshots_href(any_vm), accept="text/csv")
    if answer.status_code != 406:
        pytest.skip(f"the engine answers an unsupported Accept with {answer.status_code} (SNAP-NEG-02 judges it)")
    checks.check_empty_or_fault(answer, "SNAP-ERR-01", (406,), "GET with Accept: text/csv", dialect)


# -- SNAP-ERR-02: unknown and malformed ids --------------------------------------------------
@requirement("SNAP-ERR-02")
@pytest.mark.parametrize(
    ("snapshot_id", "allowed"),
    [
        pytest.param(str(uuid.UUID(int=0x5EED)), (404,), id="unknown-guid"),
        pytest.param("not-a-guid", (400, 404), id="word"),
        pytest.param("{0e2c5f2b-6f5a-4e4b-9d7e-0c2f3a9b1d00}", (400, 404), id="braced-guid"),
        pytest.param("0e2c5f2b6f5a4e4b9d7e0c2f3a9b1d00", (400, 404), id="guid-without-dashes"),
        pytest.param("x" * 600, (400, 404), id="very-long"),
        pytest.param("%00", (400, 404), id="nul"),
        pytest.param("-1", (400, 404), id="negative-number"),
    ],
)
def test_unknown_and_malformed_ids(client: httpx.Client, any_vm: VmRef, snapshot_id: str, allowed: tuple[int, ...]) -> None:
    """An engine MUST answer 404 to an unknown snapshot id, 400 or 404 to a malformed one, and never 5xx."""
    answer = get(client, f"{snapshots_href(any_vm)}/{snapshot_id}")
    checks.check_no_server_error(answer, "SNAP-ERR-02", f"GET of snapshot id {snapshot_id[:40]!r}")
    checks.check_answer_status(answer, "SNAP-ERR-02", allowed, f"GET of snapshot id {snapshot_id[:40]!r}")


# -- SNAP-ERR-03: malformed requests never cause a 5xx ---------------------------------------
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><snapshot><description>&c;</description></snapshot>'
)
EXTERNAL = b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><snapshot><description>&x;</description></snapshot>'

MALFORMED = [
    pytest.param("POST", "", {"Content-Type": "application/xml"}, b"<snapshot><description>x", id="broken-xml"),
    pytest.param("POST", "", {"Content-Type": "application/xml"}, b"", id="empty-body"),
    pytest.param("POST", "", {"Content-Type": "application/xml"}, BOMB, id="entity-bomb"),
    pytest.param("POST", "", {"Content-Type": "application/xml"}, EXTERNAL, id="external-entity"),
    pytest.param("POST", "", {"Content-Type": "application/xml"}, b"<vm><name>x</name></vm>", id="wrong-root"),
    pytest.param("POST", "", {"Content-Type": "text/plain"}, b"description=x", id="text-plain"),
    pytest.param("POST", "", {"Content-Type": "application/x-www-form-urlencoded"}, b"description=x", id="form"),
    pytest.param("POST", "", {"Content-Type": "application/json"}, b"{not json", id="broken-json"),
    pytest.param("POST", "", {"Content-Type": "application/json"}, b"[1, 2, 3]", id="json-array"),
    pytest.param("POST", "", {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n", id="binary"),
    pytest.param(
        "POST",
        "",
        {"Content-Type": "application/xml"},
        b"<snapshot><description>x</description><persist_memorystate>maybe</persist_memorystate></snapshot>",
        id="non-boolean-memory",
    ),
    pytest.param(
        "POST", "", {"Content-Type": "application/xml"}, b"<snapshot><description>" + b"x" * 70_000 + b"</description></snapshot>", id="oversized-description"
    ),
    pytest.param("POST", "", {"Content-Type": "application/xml; charset=bogus"}, b"<snapshot><description>x</description></snapshot>", id="unknown-charset"),
    pytest.param("POST", "", {"Content-Type": "application/xml"}, "<snapshot><description>\u0000</description></snapshot>".encode(), id="nul-character"),
    pytest.param("POST", "/{unknown}/restore", {"Content-Type": "application/xml"}, b"<action><restore_memory>perhaps</restore_memory>", id="broken-restore"),
    pytest.param("POST", "/{unknown}/restore", {"Content-Type": "application/xml"}, b"<action/>", id="restore-unknown"),
    pytest.param("PUT", "/{unknown}", {"Content-Type": "application/xml"}, b"<snapshot><description>x</description></snapshot>", id="put-unknown"),
    # never a DELETE with dot segments: resolved, it could name the VM itself
    pytest.param("GET", "/..%2f..%2f..", {}, b"", id="encoded-traversal"),
    pytest.param("GET", "?max=-1&search=%ff%fe", {"Accept": "application/xml"}, b"", id="odd-query"),
    pytest.param("GET", "", {"Accept": "application/xml;q=abc"}, b"", id="bad-q-value"),
    pytest.param("GET", "", {"All-Content": "maybe"}, b"", id="odd-all-content"),
]


@requirement("SNAP-ERR-03")
@pytest.mark.parametrize(("method", "suffix", "headers", "body"), MALFORMED)
def test_malformed_request_never_5xx(
    client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, writable_vm: VmRef, method: str, suffix: str, headers: dict[str, str], body: bytes
) -> None:
    """An engine MUST NOT answer any request to the snapshot operations with a 5xx, however malformed its body, parameters or headers."""
    path = snapshots_href(writable_vm) + suffix.format(unknown=uuid.uuid4())
    before = snapshot_kinds(engine_api, writable_vm)
    answer = client.request(method, url_for(client, path), content=body or None, headers={"Accept": XML, **headers})
    register_new_snapshots(engine_api, ledger, writable_vm, before)  # whatever was accepted is cleaned up
    checks.check_no_server_error(answer, "SNAP-ERR-03", f"{method} {suffix or '(collection)'} with a malformed request")


# -- SNAP-ERR-04: entities declared in a request body are never expanded ----------------------
def _entity_bodies(run: str) -> list[tuple[str, bytes, str]]:
    """(name, body, expansion): each body declares entities whose replacement text shows
    only once expanded — the request itself never holds ``expansion``, so an engine that
    echoes the raw request is not mistaken for one that expands it."""
    head = f"conformance {run} entity"
    return [
        (
            "internal-entity",
            f'<?xml version="1.0"?><!DOCTYPE snapshot [<!ENTITY m "expanded-{run}">]><snapshot><description>{head} [&m;]</description></snapshot>'.encode(),
            f"[expanded-{run}]",
        ),
        (
            "nested-entity-bomb",
            (
                f'<?xml version="1.0"?><!DOCTYPE snapshot [<!ENTITY a "z{run}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                f'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><snapshot><description>{head} [&c;]</description></snapshot>'
            ).encode(),
            f"z{run}z{run}",
        ),
        (
            "external-entity",
            (
                '<?xml version="1.0"?><!DOCTYPE snapshot [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                f"<snapshot><description>{head} [&x;]</description></snapshot>"
            ).encode(),
            "root:",
        ),
    ]


@requirement("SNAP-ERR-04")
@pytest.mark.parametrize("case", ["internal-entity", "nested-entity-bomb", "external-entity"])
def test_entities_never_expanded(client: httpx.Client, engine_api: EngineAPI, ledger: Ledger, writable_vm: VmRef, run_config: RunConfig, case: str) -> None:
    """An engine MUST refuse a body declaring entities with a 4xx and create nothing, or else store and echo nothing of any entity's expansion."""
    _, body, expansion = next(entry for entry in _entity_bodies(run_config.run_id) if entry[0] == case)
    before = snapshot_kinds(engine_api, writable_vm)
    answer = post_xml(client, snapshots_href(writable_vm), body)
    created = register_new_snapshots(engine_api, ledger, writable_vm, before)
    what = f"a snapshot POST declaring an entity ({case})"
    text = answer.content.decode("utf-8", errors="replace")
    if expansion in text:
        at = text.index(expansion)
        raise checks.RequirementFailure(
            "SNAP-ERR-04",
            f"{what}: the answer echoes the entity's expansion",
            received=f"status {answer.status_code}, body with {text[max(0, at - 60) : at + 60]!r}",
            expected=f"no {expansion!r} anywhere",
        )
    if 400 <= answer.status_code < 500:
        checks.check_nothing_created((), created, "SNAP-ERR-04", what)
        return
    if not 200 <= answer.status_code < 300:
        raise checks.RequirementFailure(
            "SNAP-ERR-04",
            f"{what} answered {answer.status_code}",
            received=f"status {answer.status_code}",
            expected="a 4xx refusal, or an acceptance that expands nothing",
        )
    stored = [s for s in engine_api.snapshots(writable_vm) if checks.snapshot_id(s) in created]
    expanded = [checks.snapshot_id(s) for s in stored if expansion in (s.findtext("description") or "")]
    if expanded:
        raise checks.RequirementFailure(
            "SNAP-ERR-04",
            f"{what}: the entity was expanded into the stored snapshot",
            received=f"snapshots {', '.join(expanded)} hold {expansion!r} in their description",
            expected="a 4xx refusal, or the description stored without any entity's replacement text",
        )
