"""How much engine work a run caused: the state-changing calls that the engine accepted.

On a real engine each snapshot create or restore takes seconds to minutes, so operators
want to know what a run costs; the counts come from the recorded exchanges.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from conformance.reports.model import RunRecord

__all__ = ["OPERATIONS", "count_operations"]

_GUID = r"[^/]+"
#: (name, method, path pattern after the API root)
_KINDS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("vm_create", "POST", re.compile(r"/vms/?$")),
    ("vm_update", "PUT", re.compile(rf"/vms/{_GUID}/?$")),
    ("vm_start", "POST", re.compile(rf"/vms/{_GUID}/start/?$")),
    ("vm_stop", "POST", re.compile(rf"/vms/{_GUID}/stop/?$")),
    ("vm_delete", "DELETE", re.compile(rf"/vms/{_GUID}/?$")),
    ("snapshot_create", "POST", re.compile(rf"/vms/{_GUID}/snapshots/?$")),
    ("snapshot_restore", "POST", re.compile(rf"/vms/{_GUID}/snapshots/{_GUID}/restore/?$")),
    ("snapshot_delete", "DELETE", re.compile(rf"/vms/{_GUID}/snapshots/{_GUID}/?$")),
)
OPERATIONS = tuple(name for name, _, _ in _KINDS)


def count_operations(run: RunRecord) -> dict[str, int]:
    """Accepted (2xx) state-changing calls of the run, by kind (every kind listed, 0 too)."""
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    for test in run.tests:
        for exchange in test.exchanges:
            if exchange.exchange_id:
                if exchange.exchange_id in seen:
                    continue  # a shared phase's exchange, attached to every test that judges it
                seen.add(exchange.exchange_id)
            if exchange.status is None or not 200 <= exchange.status < 300:
                continue
            path = urlsplit(exchange.url).path
            for name, method, pattern in _KINDS:
                if exchange.method == method and pattern.search(path):
                    counts[name] += 1
                    break
    return {name: counts[name] for name in OPERATIONS}
