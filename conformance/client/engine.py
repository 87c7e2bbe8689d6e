"""The calls of ``engine-surface.md`` that are not themselves under test.

Setting up and tearing down (finding and making VMs, starting and stopping them, creating
and removing the suite's snapshots) goes through :class:`EngineAPI`. A problem here is an
:class:`EngineError` with one clear sentence; the checks of the requirements live in
``conformance.checks`` and look at the raw answers themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
from lxml import etree

from conformance import safexml
from conformance.client.http import url_for
from conformance.client.waiting import WaitTimeout, poll
from conformance.dialect import Dialect

__all__ = ["EngineAPI", "EngineError", "Fingerprint", "VmRef", "xml_body"]

XML = "application/xml"


class EngineError(RuntimeError):
    """An engine call the suite depends on did not work; ``str()`` is one sentence."""


@dataclass(frozen=True)
class VmRef:
    id: str
    href: str
    name: str


@dataclass(frozen=True)
class Fingerprint:
    product: str | None
    version: str | None


def xml_body(element: etree._Element) -> bytes:
    return etree.tostring(element, xml_declaration=False, encoding="utf-8")


def _element(tag: str, text: str | None = None, **children: str) -> etree._Element:
    node = etree.Element(tag)
    if text is not None:
        node.text = text
    for name, value in children.items():
        etree.SubElement(node, name).text = value
    return node


class EngineAPI:
    """Thin, typed wrappers over the engine calls the suite may make."""

    def __init__(self, client: httpx.Client, dialect: Dialect, *, vm_timeout: float, snapshot_timeout: float) -> None:
        self.client = client
        self.dialect = dialect
        self.vm_timeout = vm_timeout
        self.snapshot_timeout = snapshot_timeout

    # -- plumbing -----------------------------------------------------------------------
    def url(self, href: str) -> str:
        return url_for(self.client, href)

    def request(
        self, method: str, href: str, *, body: etree._Element | None = None, headers: dict[str, str] | None = None, params: dict[str, str] | None = None
    ) -> httpx.Response:
        merged = {"Accept": XML}
        if body is not None:
            merged["Content-Type"] = XML
        merged.update(headers or {})
        try:
            return self.client.request(method, self.url(href), content=None if body is None else xml_body(body), headers=merged, params=params)
        except httpx.HTTPError as error:
            raise EngineError(f"{method} {href} failed: {error}") from error

    def document(self, response: httpx.Response, expected_root: str, what: str) -> etree._Element:
        if response.status_code >= 300:
            raise EngineError(f"{what}: the engine answered {response.status_code} {_reason(response)}")
        try:
            root = safexml.parse(response.content)
        except safexml.UnsafeOrMalformedXML as error:
            raise EngineError(f"{what}: the answer is not usable XML ({error})") from None
        if root.tag != expected_root:
            raise EngineError(f"{what}: expected a <{expected_root}> document, got <{root.tag}>")
        return root

    # -- API root and VMs ----------------------------------------------------------------
    def fingerprint(self) -> Fingerprint:
        """Product name and version from ``GET /``; never fatal."""
        try:
            root = self.document(self.request("GET", ""), "api", "reading the API root")
        except EngineError:
            return Fingerprint(None, None)
        info = root.find("product_info")
        if info is None:
            return Fingerprint(None, None)
        name = info.findtext("name") or info.findtext("full_version")
        version = info.find("version")
        text = None
        if version is not None:
            text = (
                version.findtext("full_version")
                or ".".join(v for v in (version.get("major"), version.get("minor"), version.get("build"), version.get("revision")) if v is not None)
                or None
            )
        return Fingerprint(name, text)

    def find_vm(self, name: str) -> VmRef | None:
        root = self.document(self.request("GET", "vms", params={"search": f"name={name}"}), "vms", f"searching the VM {name!r}")
        for vm in root.findall("vm"):
            if vm.findtext("name") == name:
                return self._ref(vm)
        return None

    def list_vms(self) -> list[VmRef]:
        root = self.document(self.request("GET", "vms"), "vms", "listing VMs")
        return [self._ref(vm) for vm in root.findall("vm")]

    def get_vm(self, vm: VmRef) -> etree._Element:
        return self.document(self.request("GET", vm.href), "vm", f"reading the VM {vm.name!r}")

    def vm_status(self, vm: VmRef) -> str:
        return self.dialect.status_text(self.get_vm(vm)) or ""

    def create_vm(self, name: str, *, cluster: str, template: str) -> VmRef:
        body = etree.Element("vm")
        etree.SubElement(body, "name").text = name
        etree.SubElement(body, "cluster").append(_element("name", cluster))
        etree.SubElement(body, "template").append(_element("name", template))
        response = self.request("POST", "vms", body=body)
        if response.status_code not in (200, 201, 202):
            raise EngineError(
                f"the suite could not create its VM {name!r} in cluster {cluster!r} from template {template!r}: "
                f"the engine answered {response.status_code} {_reason(response)}"
            )
        ref = self._ref(self.document(response, "vm", f"creating the VM {name!r}"))
        self.wait_vm_status(ref, "down")
        return ref

    def update_vm(self, vm: VmRef, **fields: str) -> etree._Element:
        return self.document(self.request("PUT", vm.href, body=_element("vm", None, **fields)), "vm", f"updating the VM {vm.name!r}")

    def vm_action(self, vm: VmRef, action: str) -> httpx.Response:
        return self.request("POST", f"{vm.href}/{action}", body=etree.Element("action"))

    def start_vm(self, vm: VmRef) -> None:
        self._act_and_wait(vm, "start", "up")

    def stop_vm(self, vm: VmRef) -> None:
        self._act_and_wait(vm, "stop", "down")

    def delete_vm(self, vm: VmRef) -> None:
        response = self.request("DELETE", vm.href)
        if response.status_code not in (200, 202, 204, 404):
            raise EngineError(f"removing the VM {vm.name!r}: the engine answered {response.status_code} {_reason(response)}")
        poll(lambda: self.request("GET", vm.href).status_code, lambda code: code == 404, timeout=self.vm_timeout, what=f"removal of the VM {vm.name!r}")

    def wait_vm_status(self, vm: VmRef, status: str) -> None:
        try:
            poll(lambda: self.vm_status(vm), lambda s: s == status, timeout=self.vm_timeout, what=f"VM {vm.name!r} reaching status {status!r}")
        except WaitTimeout as error:
            raise EngineError(str(error)) from None

    def _act_and_wait(self, vm: VmRef, action: str, status: str) -> None:
        response = self.vm_action(vm, action)
        if response.status_code not in (200, 202):
            raise EngineError(f"{action} of the VM {vm.name!r}: the engine answered {response.status_code} {_reason(response)}")
        self.wait_vm_status(vm, status)

    # -- snapshots of the suite ------------------------------------------------------------
    def snapshots(self, vm: VmRef, *, all_content: bool = False) -> list[etree._Element]:
        headers = {"All-Content": "true"} if all_content else {}
        root = self.document(self.request("GET", f"{vm.href}/snapshots", headers=headers), "snapshots", f"listing the snapshots of {vm.name!r}")
        return root.findall("snapshot")

    def snapshot_ids(self, vm: VmRef) -> set[str]:
        return {s.get("id", "") for s in self.snapshots(vm)}

    def create_snapshot(self, vm: VmRef, description: str, *, persist_memorystate: bool | None = None, on_created: Callable[[str], None] | None = None) -> str:
        """Create a snapshot, wait until it is ``ok``, return its id."""
        body = _element("snapshot", None, description=description)
        if persist_memorystate is not None:
            etree.SubElement(body, "persist_memorystate").text = "true" if persist_memorystate else "false"
        response = self.request("POST", f"{vm.href}/snapshots", body=body)
        snapshot = self.document(response, "snapshot", f"creating a snapshot of {vm.name!r}")
        snapshot_id = snapshot.get("id", "")
        if not snapshot_id:
            raise EngineError(f"creating a snapshot of {vm.name!r}: the answer carries no id")
        if on_created is not None:
            on_created(snapshot_id)
        self.wait_snapshot_status(vm, snapshot_id, "ok")
        return snapshot_id

    def locked_snapshots(self, vm: VmRef) -> list[str]:
        return [s.get("id", "") for s in self.snapshots(vm) if (s.findtext("snapshot_status") or "").strip() == "locked"]

    def wait_idle(self, vm: VmRef) -> None:
        """Wait (bounded by the snapshot deadline) until none of the VM's snapshots is locked:
        a real engine refuses every change of the VM before; raises :class:`WaitTimeout`."""
        poll(lambda: self.locked_snapshots(vm), lambda locked: not locked, timeout=self.snapshot_timeout, what=f"the snapshots of {vm.name!r} unlocking")

    def snapshot_status(self, vm: VmRef, snapshot_id: str) -> str | None:
        response = self.request("GET", f"{vm.href}/snapshots/{snapshot_id}")
        if response.status_code == 404:
            return None
        return self.document(response, "snapshot", f"reading the snapshot {snapshot_id}").findtext("snapshot_status")

    def wait_snapshot_status(self, vm: VmRef, snapshot_id: str, status: str) -> None:
        try:
            poll(
                lambda: self.snapshot_status(vm, snapshot_id),
                lambda s: s == status,
                timeout=self.snapshot_timeout,
                what=f"snapshot {snapshot_id} reaching status {status!r}",
            )
        except WaitTimeout as error:
            raise EngineError(str(error)) from None

    def delete_snapshot(self, vm: VmRef, snapshot_id: str) -> None:
        href = f"{vm.href}/snapshots/{snapshot_id}"
        response = self.request("DELETE", href)
        if response.status_code not in (200, 202, 204, 404):
            raise EngineError(f"removing the snapshot {snapshot_id}: the engine answered {response.status_code} {_reason(response)}")
        try:
            poll(
                lambda: self.request("GET", href).status_code,
                lambda code: code == 404,
                timeout=self.snapshot_timeout,
                what=f"removal of the snapshot {snapshot_id}",
            )
        except WaitTimeout as error:
            raise EngineError(str(error)) from None

    @staticmethod
    def _ref(vm: etree._Element) -> VmRef:
        return VmRef(id=vm.get("id", ""), href=vm.get("href", ""), name=vm.findtext("name") or "")


def _reason(response: httpx.Response) -> str:
    """The fault's reason and detail when the answer carries one, for error sentences."""
    try:
        root = safexml.parse(response.content)
    except safexml.UnsafeOrMalformedXML:
        return response.reason_phrase
    fault = root if root.tag == "fault" else root.find("fault")
    if fault is None:
        return response.reason_phrase
    parts = [p for p in (fault.findtext("reason"), fault.findtext("detail")) if p]
    return f"({': '.join(parts)})" if parts else response.reason_phrase
