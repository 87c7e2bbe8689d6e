"""The ``httpx.Client`` the suite talks through: auth, base URL, ``Version`` header, TLS."""

from __future__ import annotations

import ssl

import httpx

from conformance.client.deadlines import Deadlines
from conformance.client.recorder import Recorder, RecordingTransport
from conformance.client.sso import SsoAuth

__all__ = ["build_client", "tls_verify", "url_for"]


def tls_verify(*, ca_file: str | None, insecure: bool) -> ssl.SSLContext | bool:
    if insecure:
        return False
    if ca_file:
        return ssl.create_default_context(cafile=ca_file)
    return True


def build_client(
    *,
    engine_url: str,
    api_version: str,
    username: str,
    password: str,
    ca_file: str | None,
    insecure: bool,
    timeout: float,
    recorder: Recorder,
    deadlines: Deadlines | None = None,
) -> httpx.Client:
    """A client whose relative URLs resolve under the API root (``client.get("vms")``).

    v3 authenticates with HTTP Basic, v4 with an SSO token (:class:`SsoAuth`).
    """
    verify = tls_verify(ca_file=ca_file, insecure=insecure)
    transport = RecordingTransport(httpx.HTTPTransport(verify=verify), recorder, deadlines=deadlines or Deadlines(2 * timeout))
    auth: httpx.Auth = httpx.BasicAuth(username, password) if api_version == "3" else SsoAuth(engine_url, username, password, on_token=recorder.add_secret)
    return httpx.Client(
        base_url=engine_url.rstrip("/") + "/",
        auth=auth,
        headers={"Version": api_version},
        timeout=httpx.Timeout(timeout),
        transport=transport,
        follow_redirects=False,
    )


def url_for(client: httpx.Client, href: str) -> str:
    """An engine href (an absolute path such as ``/ovirt-engine/api/vms/1``) or a path
    relative to the API root (``vms/1``) as a full URL.

    httpx would append an absolute path to the base URL's path; hrefs must replace it.
    """
    if href.startswith(("http://", "https://")):
        return href
    if href.startswith("/"):
        return str(client.base_url.join(href))
    return str(client.base_url) + href
