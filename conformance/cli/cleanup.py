"""``snapshot-conformance cleanup``: finish the teardown of runs that could not (SIGKILL, a
crashed CI runner).

With ``--ledger`` (a ledger file, or a report directory holding ``ledger-*.json``) it does
what each ledger still lists as not done (undo a preview, remove the run's VM and
snapshots, put a borrowed ``--vm`` back) and only that, writing the progress back into the
ledger. Without one it lists the VMs that earlier runs named ``conformance-<run id>`` and,
with ``--yes``, removes them; it never touches another VM. Exits 0 when nothing is left, 1
when something could not be removed, 3 when it could not run (bad arguments, no ledger,
engine unreachable, credentials refused).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import httpx

from conformance.client.engine import EngineAPI, EngineError, VmRef
from conformance.client.http import build_client
from conformance.client.ledger import LEDGER_GLOB, RUN_VM_NAME, Ledger, LedgerError
from conformance.client.recorder import Recorder
from conformance.client.sso import SsoError
from conformance.dialect import dialect_for

__all__ = ["add_parser", "run"]

EXIT_LEFT, EXIT_COULD_NOT_RUN = 1, 3


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "cleanup",
        help="remove what earlier runs left behind (after SIGKILL or a crashed runner), from their ledgers",
        description=(
            "Finish the teardown of earlier runs. With --ledger, do what each ledger lists as not done, and only that. "
            "Without one, list the VMs earlier runs created (conformance-<run id>) and remove them with --yes."
        ),
    )
    parser.add_argument("--ledger", metavar="FILE|DIR", help="a ledger file, or a report directory holding ledger-*.json")
    parser.add_argument("--engine-url", default=None, help="API root (default: the ledger's engine, else $OVIRT_URL)")
    parser.add_argument("--api-version", choices=["3", "4"], default=None, help="dialect (default: the ledger's, else 3)")
    parser.add_argument("--username", default=None, help="default: $OVIRT_USERNAME or admin@internal")
    parser.add_argument("--password-env", default="OVIRT_PASSWORD", metavar="VAR", help="environment variable holding the password (default: OVIRT_PASSWORD)")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--ca-file", default=None, metavar="PEM", help="default: $OVIRT_CA_FILE")
    tls.add_argument("--insecure", action="store_true", help="do not verify the engine's TLS certificate")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS", help="deadline of one wait or retried removal (default: 120)")
    parser.add_argument("--yes", action="store_true", help="without --ledger: remove the listed conformance-* VMs")


def run(args: argparse.Namespace) -> int:
    try:
        ledgers = _ledgers(Path(args.ledger)) if args.ledger else []
    except LedgerError as error:
        return _could_not_run(str(error))
    if args.ledger and not ledgers:
        return _could_not_run(f"no ledger ({LEDGER_GLOB}) in {args.ledger}")
    password = os.environ.get(args.password_env)
    if not password:
        return _could_not_run(f"set the password in the environment variable {args.password_env}")
    if not ledgers:
        url = args.engine_url or os.environ.get("OVIRT_URL")
        if not url:
            return _could_not_run("give --ledger, or --engine-url to list the VMs of earlier runs")
        return _by_name(args, url, args.api_version or "3", password)
    left = 0
    for book in ledgers:
        url = args.engine_url or book.engine_url
        version = args.api_version or book.api_version or "3"
        todo = book.outstanding()
        print(f"{book.path}: run {book.run_id} on {url} (v{version}): {len(todo) or 'nothing'} to do")
        if not todo:
            continue
        for line in todo:
            print(f"  {line}")
        with _api(args, url, version, password) as (api, problem):
            if api is None:
                return _could_not_run(problem)
            book.clean_up(api, deadline=args.timeout)
        for resource in book.resources():
            if not resource.removed:
                left += 1
                print(f"  NOT REMOVED: {resource.kind} {resource.href} ({resource.error})")
        for problem in book.problems:
            left += 1
            print(f"  PROBLEM: {problem}")
    print("cleanup: nothing left" if not left else f"cleanup: {left} thing(s) left; see above")
    return EXIT_LEFT if left else 0


def _ledgers(path: Path) -> list[Ledger]:
    files = sorted(path.glob(LEDGER_GLOB)) if path.is_dir() else [path]
    if not path.exists():
        raise LedgerError(f"{path}: no such file or directory")
    return [Ledger.load(file) for file in files]


def _by_name(args: argparse.Namespace, url: str, version: str, password: str) -> int:
    with _api(args, url, version, password) as (api, problem):
        if api is None:
            return _could_not_run(problem)
        try:
            vms = [vm for vm in api.list_vms() if RUN_VM_NAME.fullmatch(vm.name)]
        except EngineError as error:
            return _could_not_run(str(error))
        if not vms:
            print(f"cleanup: no VM of an earlier run (conformance-<run id>) on {url}")
            return 0
        for vm in vms:
            print(f"  {vm.name} {vm.href}")
        if not args.yes:
            print(f"cleanup: {len(vms)} VM(s) of earlier runs; run again with --yes to remove them")
            return EXIT_LEFT
        book = Ledger(None)
        for vm in vms:
            book.vm_created(VmRef(id=vm.id, href=vm.href, name=vm.name))
        left = [r for r in book.clean_up(api, deadline=args.timeout) if not r.removed]
        for resource in left:
            print(f"  NOT REMOVED: {resource.kind} {resource.href} ({resource.error})")
        print("cleanup: nothing left" if not left else f"cleanup: {len(left)} VM(s) left; see above")
        return EXIT_LEFT if left else 0


class _api:
    """A connected :class:`EngineAPI`, or None and the one sentence why not."""

    def __init__(self, args: argparse.Namespace, url: str, version: str, password: str) -> None:
        self._args, self._url, self._version, self._password = args, url, version, password
        self._client: httpx.Client | None = None

    def __enter__(self) -> tuple[EngineAPI | None, str]:
        args = self._args
        try:
            self._client = build_client(
                engine_url=self._url,
                api_version=self._version,
                username=args.username or os.environ.get("OVIRT_USERNAME") or "admin@internal",
                password=self._password,
                ca_file=args.ca_file or os.environ.get("OVIRT_CA_FILE"),
                insecure=args.insecure,
                timeout=min(args.timeout, 60.0),
                recorder=Recorder((self._password,)),
            )
            api = EngineAPI(self._client, dialect_for(self._version), vm_timeout=args.timeout * 2.5, snapshot_timeout=args.timeout)
            answer = self._client.get(api.url(""), headers={"Accept": "application/xml"})
        except (SsoError, httpx.HTTPError, OSError) as error:
            return None, f"the engine at {self._url} did not answer usably: {error}"
        if answer.status_code in (401, 403):
            return None, f"the engine at {self._url} refused the credentials ({answer.status_code})"
        return api, ""

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()


def _could_not_run(reason: str) -> int:
    print(f"snapshot-conformance cleanup: could not run: {reason}", file=sys.stderr)
    return EXIT_COULD_NOT_RUN
