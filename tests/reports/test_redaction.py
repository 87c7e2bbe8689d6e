"""No credential survives into a report, whatever writer and wherever it was planted."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.catalogue import Catalogue
from conformance.reports import render_exchanges, render_summary, write_junit, write_results_json
from conformance.reports.model import CreatedResource, EngineInfo, Exchange, RunRecord, TestRecord
from conformance.reports.redaction import REDACTED, redact_exchange, redact_headers, redact_text
from conformance.reports.verdict import evaluate

MakeRecord = Callable[..., TestRecord]
MakeRun = Callable[..., RunRecord]
MakeExchange = Callable[..., Exchange]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        pytest.param("Authorization", "Basic YWRtaW5AaW50ZXJuYWw6c2VjcmV0", REDACTED, id="authorization"),
        pytest.param("authorization", "Bearer abc.def.ghi", REDACTED, id="lower-case-name"),
        pytest.param("Proxy-Authorization", "Basic eA==", REDACTED, id="proxy-authorization"),
        pytest.param("Cookie", "JSESSIONID=abc123", REDACTED, id="cookie"),
        pytest.param("Set-Cookie", "JSESSIONID=abc123; Path=/ovirt-engine/api; Secure", REDACTED, id="set-cookie"),
        pytest.param("Content-Type", "application/xml", "application/xml", id="ordinary-header-kept"),
        pytest.param("WWW-Authenticate", 'Basic realm="RESTAPI"', 'Basic realm="RESTAPI"', id="challenge-kept"),
        pytest.param("Location", "https://e/api?access_token=xyz", f"https://e/api?access_token={REDACTED}", id="token-in-other-header"),
    ],
)
def test_redact_headers(name: str, value: str, expected: str) -> None:
    assert redact_headers([(name, value), ("Accept", "application/xml")]) == ((name, expected), ("Accept", "application/xml"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "grant_type=password&scope=ovirt-app-api&username=admin%40internal&password=p%40ss",
            f"grant_type=password&scope=ovirt-app-api&username=admin%40internal&password={REDACTED}",
            id="form-body",
        ),
        pytest.param("https://e/api?all_content=true&access_token=abc", f"https://e/api?all_content=true&access_token={REDACTED}", id="query"),
        pytest.param(
            '{"access_token":"abc.def","token_type":"Bearer","expires_in":"7200"}',
            f'{{"access_token":"{REDACTED}","token_type":"Bearer","expires_in":"7200"}}',
            id="json-token",
        ),
        pytest.param('{"refresh_token": "a\\"b", "password": "x"}', f'{{"refresh_token": "{REDACTED}", "password": "{REDACTED}"}}', id="json-escaped-quote"),
        pytest.param("<user><password>hunter2</password></user>", f"<user><password>{REDACTED}</password></user>", id="xml-element"),
        pytest.param("GET /api\nAuthorization: Basic eDp5\nAccept: */*", f"GET /api\nAuthorization: {REDACTED}\nAccept: */*", id="header-line-in-a-message"),
        pytest.param("headers={'Authorization': 'Bearer abc', 'Accept': 'x'}", f"headers={{'Authorization': '{REDACTED}', 'Accept': 'x'}}", id="headers-repr"),
        pytest.param("sent Bearer eyJ0eXAi.x.y to the engine", f"sent Bearer {REDACTED} to the engine", id="bearer-anywhere"),
        pytest.param("Cookie JSESSIONID=0123abcd; Path=/", f"Cookie JSESSIONID={REDACTED}; Path=/", id="session-cookie"),
        pytest.param(
            "https://admin%40internal:secret@engine.example/ovirt-engine/api",
            f"https://admin%40internal:{REDACTED}@engine.example/ovirt-engine/api",
            id="url-userinfo",
        ),
        pytest.param(
            "<snapshot><description>password reset</description></snapshot>", "<snapshot><description>password reset</description></snapshot>", id="prose-kept"
        ),
        pytest.param("persist_memorystate=true&snapshot_type=regular", "persist_memorystate=true&snapshot_type=regular", id="snapshot-fields-kept"),
    ],
)
def test_redact_text_patterns(text: str, expected: str) -> None:
    assert redact_text(text) == expected
    assert redact_text(expected) == expected  # idempotent: the writers redact again


@pytest.mark.parametrize(
    ("secret", "text", "expected"),
    [
        pytest.param("pa ss&w/rd", "the pa ss&w/rd!", f"the {REDACTED}!", id="raw"),
        pytest.param("pa ss&w/rd", "q=pa%20ss%26w%2Frd", f"q={REDACTED}", id="percent-encoded"),
        pytest.param("pa ss&w/rd", "q=pa+ss%26w%2Frd", f"q={REDACTED}", id="form-encoded"),
        pytest.param('pa"ss', '{"x": "pa\\"ss"}', f'{{"x": "{REDACTED}"}}', id="json-encoded"),
        pytest.param("a<b&c", "<x>a&lt;b&amp;c</x>", f"<x>{REDACTED}</x>", id="xml-escaped"),
        # an engine echoing the Basic credential: base64 of user:password (the run's secrets hold it)
        pytest.param('admin@internal:p@ss:w"ö', "echo: Basic YWRtaW5AaW50ZXJuYWw6cEBzczp3IsO2", f"echo: Basic {REDACTED}", id="basic-base64"),
        pytest.param('p@ss:w"ö', "x-echo: cEBzczp3Isw2", "x-echo: cEBzczp3Isw2", id="other-base64-untouched"),
        pytest.param('p@ss:w"ö', "pw=cEBzczp3IsO2", f"pw={REDACTED}", id="password-base64"),
        pytest.param('p@ss:w"ö', '{"echo": "p@ss:w\\"ö"}', f'{{"echo": "{REDACTED}"}}', id="json-unicode-kept"),
    ],
)
def test_given_secrets_are_replaced_in_every_encoding(secret: str, text: str, expected: str) -> None:
    assert redact_text(text, [secret]) == expected
    assert redact_text(expected, [secret]) == expected


def test_a_secret_inside_the_marker_does_not_break_it() -> None:
    once = redact_text("password=hunter2 and act", ["act"])
    assert once == f"password={REDACTED} and {REDACTED}"
    assert redact_text(once, ["act", "red"]) == once


def test_empty_secrets_are_ignored() -> None:
    assert redact_text("abc", ["", ""]) == "abc"


def test_redact_exchange_touches_every_text_field(make_exchange: MakeExchange) -> None:
    secret = "hunter2"
    planted = make_exchange(
        url=f"https://e/api?x={secret}",
        request_headers=(("Authorization", "Basic aHVudGVyMg=="), ("X-Note", secret)),
        request_body=f"<v>{secret}</v>",
        response_headers=(("Set-Cookie", "JSESSIONID=1"), ("X-Echo", secret)),
        response_body=f"echo {secret}",
        error=f"ConnectError {secret}",
    )
    assert secret not in json.dumps(redact_exchange(planted, [secret]).to_dict())


# --- every writer, end to end ------------------------------------------------------------


def test_no_planted_credential_reaches_any_writer(
    tmp_path: Path, small_catalogue: Catalogue, make_record: MakeRecord, make_run: MakeRun, make_exchange: MakeExchange, planted: tuple[str, str]
) -> None:
    password, token = planted
    exchanges = (
        make_exchange(
            method="POST",
            url="https://engine.example/ovirt-engine/sso/oauth/token",
            request_headers=(("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", f"Basic {token}")),
            request_body=f"grant_type=password&scope=ovirt-app-api&username=admin%40internal&password={password}",
            status=200,
            response_headers=(("Set-Cookie", f"JSESSIONID={token}"),),
            response_body=f'{{"access_token": "{token}", "token_type": "bearer"}}',
        ),
        make_exchange(request_headers=(("Authorization", f"Bearer {token}"),), response_body=f"<fault><detail>{password}</detail></fault>"),
    )
    run = make_run(
        make_record(
            f"tests/a.py::test_x[{password}]",
            ("SNAP-REPR-01",),
            "failed",
            blamed=("SNAP-REPR-01",),
            message=f"SNAP-REPR-01: boom\nReceived: Authorization: Bearer {token}\nExpected: {password}",
            exchanges=exchanges,
            docstring=f"An engine MUST ... {password}",
        ),
        engine=EngineInfo(url=f"https://admin:{password}@engine.example/ovirt-engine/api", api_version="3", product=None, version=None),
        created_resources=(CreatedResource(kind="vm", href="/ovirt-engine/api/vms/1", removed=False, error=f"401 for Bearer {token}"),),
        aborted=None,
    )
    evaluation = evaluate(small_catalogue, run)
    secrets = (password, token)
    outputs = {
        "results.json": write_results_json(tmp_path / "results.json", evaluation, run, secrets=secrets).read_text(encoding="utf-8"),
        "junit.xml": write_junit(tmp_path / "junit.xml", evaluation, run, secrets=secrets).read_text(encoding="utf-8"),
        "summary": render_summary(evaluation, run, secrets=secrets),
        "exchanges": render_exchanges(exchanges, secrets=secrets),
    }
    for name, text in outputs.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into {name}"
        assert "redacted" in text, name


def test_credential_shaped_text_is_redacted_even_without_the_secret_list(
    small_catalogue: Catalogue, make_record: MakeRecord, make_run: MakeRun, make_exchange: MakeExchange
) -> None:
    exchanges = (
        make_exchange(
            request_headers=(("Authorization", "Basic YWRtaW46aHVudGVyMg=="),),
            request_body="username=admin&password=hunter2",
            response_body='{"access_token": "tok-123456"}',
        ),
    )
    run = make_run(make_record("t", ("SNAP-REPR-01",), "failed", blamed=("SNAP-REPR-01",), message="sent password=hunter2", exchanges=exchanges))
    fragment = render_exchanges(exchanges) + render_summary(evaluate(small_catalogue, run), run)
    for leaked in ("YWRtaW46aHVudGVyMg==", "hunter2", "tok-123456"):
        assert leaked not in fragment
