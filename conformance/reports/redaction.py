"""Keeping credentials out of every report.

The recorder redacts each exchange as it records it; the report writers redact again
(defence in depth), so the functions here are idempotent: redacting redacted text changes
nothing. Three layers:

* header values that are credentials by definition (``Authorization``, ``Cookie`` ...);
* credential-shaped text anywhere: ``password=...`` in forms and queries,
  ``"access_token": "..."`` in JSON, ``<password>`` in XML, ``Bearer ...``, passwords in
  URLs, ``Authorization:``/``Cookie:`` lines in messages;
* the run's own secrets (the password, ``user:password``, a token), replaced wherever
  they appear, also percent-, form-, JSON-, XML- or base64-encoded.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from html import escape
from urllib.parse import quote, quote_plus

from conformance.reports.model import Exchange

__all__ = ["REDACTED", "SENSITIVE_HEADERS", "redact_exchange", "redact_headers", "redact_text"]

REDACTED = "<redacted>"

#: Headers whose whole value is a credential (compared case-insensitively).
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

# A key that names a credential: password, passwd, *_secret, *token (access_token ...).
_KEY = r"[\w.-]*(?:password|passwd|secret|token)"
_NOT_DONE = rf"(?!{re.escape(REDACTED)})"

# (pattern, replacement) pairs; every replacement leaves text the pattern maps to itself.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # form bodies and query strings: password=..., access_token=...
    (re.compile(rf"(?i)(\b{_KEY}=){_NOT_DONE}[^&\s\"'<>]+"), rf"\1{REDACTED}"),
    # JSON members: "access_token": "..."
    (re.compile(rf'(?i)("{_KEY}"\s*:\s*)"(?:[^"\\]|\\.)*"'), rf'\1"{REDACTED}"'),
    # XML elements: <password>...</password>
    (re.compile(rf"(?i)(<(?:[\w.-]+:)?{_KEY}>)[^<]+(</)"), rf"\1{REDACTED}\2"),
    # header lines inside free text (a message quoting a request)
    (
        re.compile(r"(?im)^([ \t]*(?:proxy-authorization|authorization|cookie|set-cookie)[ \t]*:[ \t]*)\S.*$"),
        rf"\1{REDACTED}",
    ),
    # a mapping's repr: {'Authorization': 'Basic ...'}
    (
        re.compile(r"(?i)(['\"](?:proxy-authorization|authorization|cookie|set-cookie)['\"]\s*[:,]\s*['\"])[^'\"]+"),
        rf"\1{REDACTED}",
    ),
    # bearer tokens wherever they appear
    (re.compile(rf"(?i)\b(bearer\s+){_NOT_DONE}[A-Za-z0-9._~+/=-]+"), rf"\1{REDACTED}"),
    # the engine's session cookie
    (re.compile(rf"(?i)\b(JSESSIONID=){_NOT_DONE}[^;\s\"'&]+"), rf"\1{REDACTED}"),
    # user:password@ in URLs
    (re.compile(rf"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:){_NOT_DONE}[^@/\s]+(@)"), rf"\1{REDACTED}\2"),
)


# Every pattern but the last needs one of these words, matched by the same case rules; the
# last needs "://" and "@". Most texts (a run records thousands) have none and skip them all.
_TRIGGER = re.compile(r"(?i)passw|secret|token|authorization|cookie|bearer|jsessionid")


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the given secrets and credential-shaped substrings replaced."""
    text = _replace_secrets(text, secrets)
    if _TRIGGER.search(text) is not None:
        patterns = _PATTERNS
    elif "://" in text and "@" in text:
        patterns = _PATTERNS[-1:]  # user:password@ in URLs
    else:
        return text
    for pattern, replacement in patterns:
        text = pattern.sub(replacement, text)
    return text


def redact_headers(headers: Iterable[tuple[str, str]], secrets: Iterable[str] = ()) -> tuple[tuple[str, str], ...]:
    """Headers with credential values replaced; other values go through :func:`redact_text`."""
    kept = tuple(secrets)
    return tuple((name, REDACTED if name.lower() in SENSITIVE_HEADERS else redact_text(value, kept)) for name, value in headers)


def redact_exchange(exchange: Exchange, secrets: Iterable[str] = ()) -> Exchange:
    """The exchange with every text field redacted."""
    kept = tuple(secrets)
    return replace(
        exchange,
        url=redact_text(exchange.url, kept),
        request_headers=redact_headers(exchange.request_headers, kept),
        request_body=redact_text(exchange.request_body, kept),
        response_headers=redact_headers(exchange.response_headers, kept),
        response_body=redact_text(exchange.response_body, kept),
        error=None if exchange.error is None else redact_text(exchange.error, kept),
    )


def _replace_secrets(text: str, secrets: Iterable[str]) -> str:
    pattern = _secrets_pattern(tuple(secrets))
    if pattern is None:
        return text
    # markers from an earlier pass stay whole even when a secret is a substring of one
    return REDACTED.join(pattern.sub(REDACTED, part) for part in text.split(REDACTED))


@functools.lru_cache(maxsize=16)  # a run redacts every exchange with the same few secrets
def _secrets_pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    variants = sorted({form for secret in secrets if secret for form in _encodings(secret)}, key=len, reverse=True)
    return re.compile("|".join(re.escape(variant) for variant in variants)) if variants else None


def _encodings(secret: str) -> set[str]:
    """The forms a secret takes in URLs, form bodies, JSON and XML, and base64 (a Basic
    credential echoed back: the run's secrets include ``user:password``)."""
    encoded = base64.b64encode(secret.encode("utf-8")).decode("ascii")
    return {
        secret,
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        escape(secret, quote=True),
        escape(secret, quote=False),
        encoded,
        encoded.rstrip("="),
        base64.urlsafe_b64encode(secret.encode("utf-8")).decode("ascii").rstrip("="),
    } - {""}
