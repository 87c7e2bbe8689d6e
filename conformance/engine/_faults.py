"""Every answer that is not a success, with the engine's status codes and wording.

An :class:`EngineFault` is raised anywhere in a request and rendered once, in the
negotiated format, by ``_http``: a ``fault`` document (``reason``, ``detail``), an
``action`` whose status is failed and which carries the fault (a refused action, as real
engines answer), or an empty body (405, 406).
"""

from __future__ import annotations

from collections.abc import Mapping

from conformance.engine._errors import ConflictError, NotFoundError, RefusedError, StoreError

__all__ = [
    "EngineFault",
    "bad_request",
    "echo",
    "from_store_error",
    "incomplete",
    "invalid_value",
    "malformed_body",
    "malformed_id",
    "method_not_allowed",
    "not_acceptable",
    "not_found",
    "too_large",
    "unsupported_media_type",
]

OPERATION_FAILED = "Operation Failed"
_MAX_ECHO = 80


class EngineFault(Exception):
    def __init__(
        self,
        status: int,
        reason: str | None,
        detail: str | None = None,
        *,
        as_action: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {reason}: {detail}")
        self.status = status
        #: None: an answer with an empty body
        self.reason = None if reason is None else _printable(reason)
        self.detail = None if detail is None else _printable(detail)
        #: answer as an ``action`` with a failed status and a nested fault
        self.as_action = as_action
        self.headers = dict(headers or {})


def _printable(text: str) -> str:
    """``text`` without the control characters XML cannot carry: a fault may quote what a
    client sent (a NUL in a path must not break the fault that reports it)."""
    return "".join(c if c.isprintable() or c in "\n\t" else "?" for c in text)


def echo(value: str) -> str:
    """A client's value quoted in a detail, cut short (it is data, not a message)."""
    return value if len(value) <= _MAX_ECHO else value[:_MAX_ECHO] + "..."


def bad_request(detail: str, *, reason: str = OPERATION_FAILED, as_action: bool = False) -> EngineFault:
    return EngineFault(400, reason, detail, as_action=as_action)


def incomplete(entity: str, fields: str, operation: str, *, as_action: bool = False) -> EngineFault:
    """A mandatory parameter is missing: ``Snapshot [description] required for add``."""
    return EngineFault(400, "Incomplete parameters", f"{entity} [{fields}] required for {operation}", as_action=as_action)


def invalid_value(name: str, value: str, expected: str, *, as_action: bool = False) -> EngineFault:
    return EngineFault(400, "Invalid value", f"'{echo(value)}' is not a valid value for '{name}': {expected}", as_action=as_action)


def malformed_body(why: str, *, as_action: bool = False) -> EngineFault:
    return EngineFault(400, "Request syntactically incorrect", why, as_action=as_action)


def malformed_id(name: str, value: str, *, as_action: bool = False) -> EngineFault:
    """A malformed id inside a request body is the client's error: 400 (in a path: 404)."""
    return EngineFault(400, OPERATION_FAILED, f"Invalid UUID string for '{name}': {echo(value)}", as_action=as_action)


def not_found(what: str) -> EngineFault:
    """404 with an empty body, as the 3.6 to 4.4 engines this one stands for answer (recorded);
    the ``fault-on-404`` variant gives it the fault body of engines 4.5 and later."""
    return EngineFault(404, None)


def method_not_allowed(allow: str) -> EngineFault:
    return EngineFault(405, None, headers={"Allow": allow})


def not_acceptable() -> EngineFault:
    return EngineFault(406, None)


def unsupported_media_type(content_type: str) -> EngineFault:
    return EngineFault(
        415,
        "Unsupported Media Type",
        f"Cannot consume content type '{echo(content_type)}'; send application/xml or application/json",
    )


def too_large(limit: int) -> EngineFault:
    return EngineFault(413, "Request Entity Too Large", f"The request body exceeds the limit of {limit} bytes")


def from_store_error(error: StoreError, *, as_action: bool = False) -> EngineFault:
    """The HTTP answer to a refusal of the store: 404, 409 or 400, detail as ``[message]``."""
    if isinstance(error, NotFoundError):
        return not_found(error.message)
    # The engine's detail is the text of a Java list of messages, hence the brackets.
    status = 409 if isinstance(error, ConflictError) else 400
    assert isinstance(error, ConflictError | RefusedError)
    return EngineFault(status, OPERATION_FAILED, f"[{error.message}]", as_action=as_action)
