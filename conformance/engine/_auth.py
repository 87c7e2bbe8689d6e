"""HTTP Basic authentication, checked before anything else, as the engine's servlet filter.

A request without credentials, or with wrong ones, gets 401, ``WWW-Authenticate: Basic
realm="RESTAPI"`` and the container's HTML error page: never any API data.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from importlib.resources import files

from starlette.responses import Response

from conformance.engine._settings import EngineSettings

__all__ = ["error_page", "is_authorized", "unauthorized"]


def error_page() -> bytes:
    """The HTML body of a 401 (a packaged file, read once per engine)."""
    return (files("conformance.engine") / "_401.html").read_bytes()


def is_authorized(authorization: str | None, settings: EngineSettings) -> bool:
    if not authorization:
        return False
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    user, sep, password = decoded.partition(b":")
    if not sep:
        return False
    # Compare both parts in constant time, and always both (no early exit on the user).
    user_ok = hmac.compare_digest(user, settings.username.encode("utf-8"))
    password_ok = hmac.compare_digest(password, settings.password.encode("utf-8"))
    return user_ok and password_ok


def unauthorized(page: bytes) -> Response:
    return Response(
        page,
        status_code=401,
        media_type="text/html",
        headers={"WWW-Authenticate": 'Basic realm="RESTAPI"'},
    )
