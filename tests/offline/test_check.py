"""``snapshot-conformance check``: recorded traffic judged offline, and able to fail."""

from __future__ import annotations

import pytest

from conformance.offline._traffic import RecordingError, Route, load_recordings

from .conftest import statuses

# what the script's recording of a correct engine can judge, at least
JUDGED = {
    "SNAP-REPR-01", "SNAP-REPR-02", "SNAP-REPR-03", "SNAP-REPR-05", "SNAP-REPR-06", "SNAP-REPR-07", "SNAP-REPR-09", "SNAP-REPR-10",
    "SNAP-REPR-11", "SNAP-REPR-13", "SNAP-REPR-14", "SNAP-REPR-15", "SNAP-REPR-16", "SNAP-REPR-17", "SNAP-JSON-01", "SNAP-JSON-02",
    "SNAP-ALLC-01", "SNAP-ALLC-02", "SNAP-ALLC-03", "SNAP-ALLC-04", "SNAP-PUT-01", "SNAP-PUT-02", "SNAP-PUT-03", "SNAP-CRT-07",
    "SNAP-ERR-01", "SNAP-ERR-02", "SNAP-ERR-03", "SNAP-NEG-02", "SNAP-AUTH-01",
}  # fmt: skip


@pytest.mark.parametrize("version", ["3", "4"])
@pytest.mark.parametrize("fmt", ["vcr", "har"])
def test_a_correct_engines_recording_fails_nothing(record, run_check, version, fmt):
    code, results = run_check(record(version, fmt=fmt), version=version)
    found = statuses(results)
    assert {rid for rid, status in found.items() if status in ("failed", "warning")} == set(), results
    assert {rid for rid, status in found.items() if status == "passed"} >= JUDGED, sorted(JUDGED - {r for r, s in found.items() if s == "passed"})
    assert code == 2  # what no recorded exchange can judge is not tested
    assert results["verdict"] == "incomplete"
    assert results["engine"]["product"] == "snapshot-conformance reference engine"


@pytest.mark.parametrize(
    ("fault", "blamed"),
    [
        pytest.param("ids-upper-case", "SNAP-REPR-04", id="upper-case-ids"),
        pytest.param("put-applied", "SNAP-PUT-01", id="put-applied"),
        pytest.param("not-found-html-body", "SNAP-ERR-01", id="html-404"),
        pytest.param("auth-401-with-data", "SNAP-AUTH-01", id="401-with-data"),
        pytest.param("all-content-always", "SNAP-ALLC-01", id="ovf-always"),
        pytest.param("malformed-id-500", "SNAP-ERR-03", id="500-on-malformed-id"),
        pytest.param("get-stale-description", "SNAP-REPR-16", id="get-disagrees"),
        pytest.param("json-description-differs", "SNAP-JSON-02", id="json-disagrees"),
        pytest.param("empty-description-accepted", None, id="accepted-empty-description-is-not-in-the-script"),
    ],
)
def test_a_broken_engines_recording_is_blamed(record, run_check, fault, blamed):
    _code, results = run_check(record("3", faults=(fault,)), version="3")
    found = statuses(results)
    if blamed is None:
        return
    assert found[blamed] in ("failed", "warning"), found
    failing = next(r for r in results["requirements"] if r["id"] == blamed)
    assert "engine-v3.yaml#" in failing["message"]  # names the recorded exchange


def test_unknown_request_headers_judge_less(record, run_check):
    """A recording without request headers cannot say whether All-Content or Accept were sent."""
    _code, results = run_check(record("3", drop_request_headers=True), version="3")
    found = statuses(results)
    assert found["SNAP-ALLC-01"] == "not_tested"
    assert found["SNAP-NEG-02"] == "not_tested"
    assert found["SNAP-REPR-03"] == "passed"


def test_exchanges_of_the_other_dialect_are_left_out(record, run_check):
    _code, results = run_check(record("4"), version="3")
    assert set(statuses(results).values()) <= {"not_tested", "not_applicable"}


def test_loader_reads_vcr_and_har(record):
    vcr, har = record("4"), record("4", fmt="har")
    from_vcr, from_har = load_recordings([vcr]), load_recordings([har])
    assert [(e.method, e.route, e.status_code) for e in from_vcr] == [(e.method, e.route, e.status_code) for e in from_har]
    assert from_vcr[0].route.kind == "api"
    assert all(e.dialect == "4" for e in from_vcr)


@pytest.mark.parametrize(
    ("url", "kind", "vm", "snapshot", "version"),
    [
        ("https://e/ovirt-engine/api", "api", None, None, None),
        ("https://e/ovirt-engine/api/v4/vms/1/snapshots", "snapshots", "1", None, "4"),
        ("https://e/ovirt-engine/api/vms/1/snapshots/2;async", "snapshot", "1", "2", None),
        ("https://e/api/vms/1/snapshots/2/restore", "restore", "1", "2", None),
        ("https://e/ovirt-engine/api/vms/1/snapshots/2/disks", "sub-collection", "1", "2", None),
        ("https://e/ovirt-engine/api/vms/1/previewsnapshot", "vm-action", "1", None, None),
        ("https://e/ovirt-engine/api/hosts", "other", None, None, None),
    ],
)
def test_routes(url, kind, vm, snapshot, version):
    route = Route.of(url)
    assert (route.kind, route.vm_id, route.snapshot_id, route.path_version) == (kind, vm, snapshot, version)


def test_vcr_binary_bodies_are_read(tmp_path):
    """Ruby's VCR writes gzip bodies as base64 under a !binary tag."""
    import base64
    import gzip

    body = base64.b64encode(gzip.compress(b"<snapshots/>")).decode()
    cassette = tmp_path / "ruby-v3.yml"
    cassette.write_text(
        "http_interactions:\n- request: {method: get, uri: 'https://e/ovirt-engine/api/vms/1/snapshots'}\n"
        "  response:\n    status: {code: 200, message: OK}\n    headers: {Content-Type: [application/xml]}\n"
        f"    body:\n      encoding: ASCII-8BIT\n      string: !binary |-\n        {body}\n"
    )
    (exchange,) = load_recordings([cassette])
    assert exchange.content == b"<snapshots/>"
    assert exchange.request_headers is None


@pytest.mark.parametrize(
    ("name", "text", "why"),
    [
        ("a.yaml", "just: text", "http_interactions"),
        ("b.har", "{not json", "not JSON"),
        ("c.har", '{"log": {}}', "log.entries"),
        ("d.yaml", "http_interactions:\n- request: {}\n", "interaction 1"),
    ],
)
def test_unreadable_recordings_say_why(tmp_path, name, text, why):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(RecordingError, match=why):
        load_recordings([path])


def test_unreadable_recording_is_exit_3(tmp_path, run_check):
    broken = tmp_path / "broken.har"
    broken.write_text("{not json")
    code, _results = run_check(broken, version="3")
    assert code == 3
