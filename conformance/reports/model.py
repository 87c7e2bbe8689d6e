"""What a run records, as plain frozen values that survive a JSON round trip.

Records are made on pytest-xdist workers and travel to the controller as JSON, so every
type here has ``to_dict()`` (JSON-ready: str, int, float, bool, None, lists, dicts) and a
``from_dict()`` that checks what it reads and raises :class:`ModelError` otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal, cast, get_args

__all__ = [
    "CreatedResource",
    "EngineInfo",
    "Exchange",
    "ModelError",
    "Outcome",
    "ResourceKind",
    "RunRecord",
    "TestRecord",
]

Outcome = Literal["passed", "failed", "skipped", "error"]
ResourceKind = Literal["vm", "snapshot"]

Headers = tuple[tuple[str, str], ...]


class ModelError(ValueError):
    """A record's dictionary does not have the expected shape."""


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response, already redacted and truncated by the recorder."""

    method: str
    url: str
    request_headers: Headers
    request_body: str
    #: ``None`` when no response came (see ``error``)
    status: int | None
    response_headers: Headers
    response_body: str
    elapsed_ms: float
    #: the transport error (timeout, TLS ...) when there was no response
    error: str | None
    #: unique per exchange: a shared phase's exchange attached to several tests counts once
    exchange_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "request_headers": [list(pair) for pair in self.request_headers],
            "request_body": self.request_body,
            "status": self.status,
            "response_headers": [list(pair) for pair in self.response_headers],
            "response_body": self.response_body,
            "elapsed_ms": self.elapsed_ms,
            "error": self.error,
            "exchange_id": self.exchange_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Exchange:
        return cls(
            method=_str(data, "method"),
            url=_str(data, "url"),
            request_headers=_headers(data, "request_headers"),
            request_body=_str(data, "request_body"),
            status=_optional_int(data, "status"),
            response_headers=_headers(data, "response_headers"),
            response_body=_str(data, "response_body"),
            elapsed_ms=_number(data, "elapsed_ms"),
            error=_optional_str(data, "error"),
            exchange_id=str(data.get("exchange_id", "")),
        )


@dataclass(frozen=True)
class TestRecord:
    """The result of one test, as far as the verdict and the reports need it."""

    # a dataclass called Test* must not be mistaken for a test class by pytest
    __test__: ClassVar[bool] = False

    nodeid: str
    #: the requirements the test checks (its marker)
    requirement_ids: tuple[str, ...]
    outcome: Outcome
    #: IDs a failure is attributed to; empty when the test passed or was skipped
    blamed: tuple[str, ...]
    #: the failure message, or the skip reason
    message: str
    #: skipped because the engine does not offer an optional feature
    not_applicable: bool
    docstring: str
    duration: float
    exchanges: tuple[Exchange, ...]
    dialect: str
    #: it erred on an exception of the suite itself (a bug in the suite, not the engine's
    #: answer): it blames nothing and is reported apart as an error of the suite
    suite_error: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodeid": self.nodeid,
            "requirement_ids": list(self.requirement_ids),
            "outcome": self.outcome,
            "blamed": list(self.blamed),
            "message": self.message,
            "not_applicable": self.not_applicable,
            "docstring": self.docstring,
            "duration": self.duration,
            "exchanges": [exchange.to_dict() for exchange in self.exchanges],
            "dialect": self.dialect,
            "suite_error": self.suite_error,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TestRecord:
        return cls(
            nodeid=_str(data, "nodeid"),
            requirement_ids=_strings(data, "requirement_ids"),
            outcome=_choice(data, "outcome", Outcome),
            blamed=_strings(data, "blamed"),
            message=_str(data, "message"),
            not_applicable=_bool(data, "not_applicable"),
            docstring=_str(data, "docstring"),
            duration=_number(data, "duration"),
            exchanges=tuple(Exchange.from_dict(item) for item in _list(data, "exchanges")),
            dialect=_str(data, "dialect"),
            suite_error=_bool(data, "suite_error") if "suite_error" in data else False,
        )


@dataclass(frozen=True)
class EngineInfo:
    """The engine under test: where it is, which dialect was spoken, what it says it is."""

    url: str
    api_version: str
    product: str | None
    version: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "api_version": self.api_version, "product": self.product, "version": self.version}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EngineInfo:
        return cls(
            url=_str(data, "url"),
            api_version=_str(data, "api_version"),
            product=_optional_str(data, "product"),
            version=_optional_str(data, "version"),
        )


@dataclass(frozen=True)
class CreatedResource:
    """Something the run created on the engine, and whether the clean-up removed it."""

    kind: ResourceKind
    href: str
    removed: bool
    #: why the removal failed, when it did
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "href": self.href, "removed": self.removed, "error": self.error}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CreatedResource:
        return cls(
            kind=_choice(data, "kind", ResourceKind),
            href=_str(data, "href"),
            removed=_bool(data, "removed"),
            error=_optional_str(data, "error") if "error" in data else None,
        )


@dataclass(frozen=True)
class RunRecord:
    """A whole run: the engine, the tests, what was created, and when."""

    engine: EngineInfo
    #: time-zone aware (the reports write UTC instants)
    started: datetime
    finished: datetime
    tests: tuple[TestRecord, ...]
    created_resources: tuple[CreatedResource, ...]
    read_only: bool
    #: the one-sentence reason when the run could not run (exit status 3)
    aborted: str | None = None
    #: what teardown could not do besides removing a resource (put a borrowed ``--vm`` back)
    teardown_problems: tuple[str, ...] = ()
    #: a signal (SIGINT, SIGTERM) cut the run short: the statuses are partial (exit status 130)
    interrupted: bool = False
    #: ``--requirement`` / ``--group``: only these requirements' tests ran (None: all)
    selection: tuple[str, ...] | None = None

    @property
    def suite_errors(self) -> tuple[TestRecord, ...]:
        """The tests that erred on a bug of the suite: shown apart, blamed on nothing."""
        return tuple(test for test in self.tests if test.suite_error)

    def __post_init__(self) -> None:
        # a naive datetime would be read in the local zone and silently shift the instants
        for name in ("started", "finished"):
            value = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ModelError(f"RunRecord.{name} must be time-zone aware, got {value.isoformat()}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine.to_dict(),
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "tests": [test.to_dict() for test in self.tests],
            "created_resources": [resource.to_dict() for resource in self.created_resources],
            "read_only": self.read_only,
            "aborted": self.aborted,
            "teardown_problems": list(self.teardown_problems),
            "interrupted": self.interrupted,
            "selection": None if self.selection is None else list(self.selection),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunRecord:
        engine = data.get("engine")
        if not isinstance(engine, Mapping):
            raise ModelError("'engine' must be an object")
        return cls(
            engine=EngineInfo.from_dict(engine),
            started=_datetime(data, "started"),
            finished=_datetime(data, "finished"),
            tests=tuple(TestRecord.from_dict(item) for item in _list(data, "tests")),
            created_resources=tuple(CreatedResource.from_dict(item) for item in _list(data, "created_resources")),
            read_only=_bool(data, "read_only"),
            aborted=_optional_str(data, "aborted") if "aborted" in data else None,
            teardown_problems=_strings(data, "teardown_problems") if "teardown_problems" in data else (),
            interrupted=_bool(data, "interrupted") if "interrupted" in data else False,
            selection=_strings(data, "selection") if data.get("selection") is not None else None,
        )


# --- reading dictionaries -----------------------------------------------------------------


def _get(data: Mapping[str, Any], key: str) -> Any:
    if not isinstance(data, Mapping):
        raise ModelError(f"expected an object holding {key!r}, got {type(data).__name__}")
    try:
        return data[key]
    except KeyError:
        raise ModelError(f"missing key {key!r}") from None


def _str(data: Mapping[str, Any], key: str) -> str:
    value = _get(data, key)
    if not isinstance(value, str):
        raise ModelError(f"{key!r} must be a string, got {type(value).__name__}")
    return value


def _optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = _get(data, key)
    return None if value is None else _str(data, key)


def _bool(data: Mapping[str, Any], key: str) -> bool:
    value = _get(data, key)
    if not isinstance(value, bool):
        raise ModelError(f"{key!r} must be a boolean, got {type(value).__name__}")
    return value


def _number(data: Mapping[str, Any], key: str) -> float:
    value = _get(data, key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelError(f"{key!r} must be a number, got {type(value).__name__}")
    return float(value)


def _optional_int(data: Mapping[str, Any], key: str) -> int | None:
    value = _get(data, key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelError(f"{key!r} must be an integer or null, got {type(value).__name__}")
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = _get(data, key)
    if not isinstance(value, list | tuple):
        raise ModelError(f"{key!r} must be a list, got {type(value).__name__}")
    return list(value)


def _strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    items = _list(data, key)
    if not all(isinstance(item, str) for item in items):
        raise ModelError(f"{key!r} must be a list of strings")
    return tuple(items)


def _headers(data: Mapping[str, Any], key: str) -> Headers:
    pairs: list[tuple[str, str]] = []
    for item in _list(data, key):
        if not (isinstance(item, list | tuple) and len(item) == 2 and all(isinstance(part, str) for part in item)):
            raise ModelError(f"{key!r} must be a list of [name, value] string pairs")
        pairs.append((item[0], item[1]))
    return tuple(pairs)


def _choice(data: Mapping[str, Any], key: str, literal: Any) -> Any:
    allowed = cast(tuple[str, ...], get_args(literal))
    value = _get(data, key)
    if value not in allowed:
        raise ModelError(f"{key!r} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _datetime(data: Mapping[str, Any], key: str) -> datetime:
    text = _str(data, key)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ModelError(f"{key!r} must be an ISO 8601 date-time, got {text!r}") from None
