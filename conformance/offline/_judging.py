"""Judging recorded exchanges: what each recording can say, and one way to say it.

:class:`Traffic` indexes the recorded exchanges of the run's dialect (the lists, single
snapshots, VMs, refusals ...) and knows what a recording left unknown. :meth:`Traffic.judge`
applies one check to every exchange that can judge a requirement: a requirement no
exchange can judge is *not tested*; the first failure is raised (naming how many more
exchanges fail) with the failing exchanges as the test's evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NoReturn, TypeVar

import httpx
import pytest
from lxml import etree

from conformance import safexml
from conformance.checks import RequirementFailure, media_type
from conformance.checks.reading import ListContext
from conformance.client.recorder import Recorder
from conformance.dialect import Dialect
from conformance.offline._traffic import Recorded

__all__ = ["Traffic", "not_tested"]

T = TypeVar("T")

#: at most this many failing exchanges go into a test's evidence
_EVIDENCE = 3
_TRUE = ("true", "t", "yes", "y", "1", "")


def not_tested(reason: str) -> NoReturn:
    """The recordings hold nothing that can judge this requirement."""
    pytest.skip(f"not tested: {reason}")


@dataclass(frozen=True)
class Traffic:
    """The recorded exchanges of the run's dialect, and the run's recorder (for evidence)."""

    exchanges: tuple[Recorded, ...]
    dialect: Dialect
    recorder: Recorder
    #: exchanges of other dialects, left out (how many)
    other_dialects: int = 0

    # --- selections ----------------------------------------------------------------------

    def of(self, *kinds: str, methods: Iterable[str] = ("GET",), statuses: range | None = None) -> list[Recorded]:
        wanted = {m.upper() for m in methods}
        return [ex for ex in self.exchanges if ex.route.kind in kinds and ex.method in wanted and (statuses is None or ex.status_code in statuses)]

    def xml(self, exchange: Recorded) -> etree._Element | None:
        """The answer's XML document, None when it is none (another requirement judges that)."""
        if media_type(exchange) not in ("application/xml", "text/xml", ""):
            return None
        try:
            return safexml.parse(exchange.content)
        except safexml.UnsafeOrMalformedXML:
            return None

    def lists(self, *, all_content: bool | None = False) -> list[tuple[Recorded, etree._Element]]:
        """The XML snapshot lists answered 2xx; ``all_content``: only those whose request is
        known to have asked for All-Content (True) or known not to (False); None: any."""
        found = []
        for exchange in self.of("snapshots", statuses=range(200, 300)):
            root = self.xml(exchange)
            if root is None or root.tag != "snapshots":
                continue
            if all_content is not None and asks_all_content(exchange, self.dialect) is not all_content:
                continue
            found.append((exchange, root))
        return found

    def singles(self, *, all_content: bool | None = None) -> list[tuple[Recorded, etree._Element]]:
        """The XML single-snapshot answers to GETs answered 2xx."""
        found = []
        for exchange in self.of("snapshot", statuses=range(200, 300)):
            root = self.xml(exchange)
            if root is not None and root.tag == "snapshot" and (all_content is None or asks_all_content(exchange, self.dialect) is all_content):
                found.append((exchange, root))
        return found

    def vm_document(self, exchange: Recorded) -> etree._Element | None:
        """The VM an exchange belongs to, as the same file recorded it (a GET of the VM or a
        VM list holding it; the latest one recorded before the exchange, else any)."""
        vm_id = exchange.route.vm_id
        if vm_id is None:
            return None
        before: etree._Element | None = None
        after: etree._Element | None = None
        for other in self.exchanges:
            if other.source != exchange.source or other.status_code != 200 or other.method != "GET" or other.route.kind not in ("vm", "vms"):
                continue
            root = self.xml(other)
            if root is None:
                continue
            vms = [root] if root.tag == "vm" else root.findall("vm") if root.tag == "vms" else []
            found = next((vm for vm in vms if vm.get("id") == vm_id), None)
            if found is None:
                continue
            if other.index < exchange.index:
                before = found
            elif after is None:
                after = found
        return before if before is not None else after

    def context(self, exchange: Recorded) -> ListContext:
        vm = self.vm_document(exchange)
        pending = None if vm is None or vm.find("next_run_configuration_exists") is None else vm.findtext("next_run_configuration_exists", "").strip() == "true"
        return ListContext(
            dialect=self.dialect,
            api_path=exchange.route.api_path,
            vm_id=exchange.route.vm_id or "",
            vm_href=(vm.get("href") if vm is not None else None) or exchange.route.vm_href,
            next_run_pending=pending,
            vm_name=None if vm is None else vm.findtext("name"),
        )

    # --- judging ---------------------------------------------------------------------------

    def judge(
        self,
        requirement: str,
        subjects: Sequence[T],
        check: Callable[[T], object],
        *,
        exchanges_of: Callable[[T], Sequence[Recorded]],
        nothing: str,
    ) -> None:
        """Apply ``check`` to every subject; none: not tested (``nothing`` says why); any
        failure of ``requirement``: raised, the first one, with the failing exchanges as
        evidence. A failure of another requirement (a malformed answer judged by the
        wrong check) is never raised here: it is that requirement's business."""
        if not subjects:
            not_tested(nothing)
        failures: list[tuple[T, RequirementFailure]] = []
        for subject in subjects:
            try:
                check(subject)
            except RequirementFailure as failure:
                if failure.requirement == requirement:
                    failures.append((subject, failure))
        if not failures:
            return
        for subject, _ in failures[:_EVIDENCE]:
            for exchange in exchanges_of(subject):
                self.replay(exchange)
        first_subject, first = failures[0]
        where = ", ".join(ex.name for ex in exchanges_of(first_subject))
        more = f" (and {len(failures) - 1} more of {len(subjects)} recorded answers)" if len(failures) > 1 else ""
        raise RequirementFailure(requirement, f"{first.title} [{where}]{more}", received=first.received, expected=first.expected)

    def replay(self, exchange: Recorded) -> None:
        """Put a recorded exchange into the run's recorder: the report shows it as evidence,
        redacted and cut like every live exchange."""
        request = httpx.Request(exchange.method, exchange.url, headers=list(exchange.request_headers or ()), content=exchange.request_body or b"")
        # the recording holds the decoded body: a Content-Encoding header would make httpx decode it again
        headers = [(k, v) for k, v in exchange.response_headers if k.lower() not in ("content-encoding", "content-length")]
        response = httpx.Response(exchange.status_code, headers=headers, content=exchange.content, request=request)
        self.recorder.record(request, response, 0.0, None)


def asks_all_content(exchange: Recorded, dialect: Dialect) -> bool | None:
    """Whether the request asked for All-Content: the query ``all_content`` (v4) is in
    the URL; the header only when the recording kept the request's headers (None: unknown)."""
    if dialect.version == "4":
        value = exchange.query.get("all_content")
        if value is not None and value.strip().lower() in _TRUE:
            return True
    if exchange.request_headers is None:
        return None
    header = exchange.request_header("All-Content")
    return bool(header is not None and header.strip().lower() == "true")
