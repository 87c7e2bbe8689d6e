"""``snapshot-conformance serve``: the reference engine in the foreground.

For client developers and demos: it prints the API URL and the user, serves until Ctrl-C
(or SIGTERM), and exits 0. The password comes from ``OVIRT_PASSWORD``, never from the
command line; without it a random one is generated and printed. Both dialects are always
served (``/v3``/``/v4`` prefix or ``Version`` header); ``--api-version`` picks the one of a
request that names neither.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["add_parser", "run"]

PASSWORD_ENV = "OVIRT_PASSWORD"  # noqa: S105 - the name of a variable, not a password
USERNAME = "admin@internal"
EXIT_OK = 0
EXIT_COULD_NOT_RUN = 3
_SUPPORTED_VERSIONS = ("3", "4")


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "serve",
        help="run the reference engine in the foreground (Ctrl-C stops it)",
        description=(
            f"Serve the embedded reference engine on 127.0.0.1 until Ctrl-C. User {USERNAME}; password from ${PASSWORD_ENV}, or a random one that is printed."
        ),
    )
    parser.add_argument("--port", type=int, default=8080, help="TCP port on 127.0.0.1 (default: 8080; 0: any free port)")
    parser.add_argument(
        "--api-version",
        default="3",
        metavar="3|4",
        help="dialect of requests without a /v3 or /v4 prefix or a Version header (default: 3, as a 3.x engine; 4: as a 4.x engine)",
    )
    parser.add_argument("--snapshot-lock-seconds", type=float, default=0.05, metavar="S", help="how long a new snapshot stays locked (default: 0.05)")
    parser.add_argument("--restore-seconds", type=float, default=0.0, metavar="S", help="how long a restore blocks (default: 0)")
    parser.add_argument("--vm-transition-seconds", type=float, default=0.05, metavar="S", help="how long a VM is powering up/down (default: 0.05)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="S", help="seconds added to every answer (default: 0)")
    parser.add_argument("--state", default=None, metavar="FILE", help="YAML file with the seeded VMs and snapshots (default: the packaged one)")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME", help="break requirements on purpose (repeatable; see --list-faults)")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME", help="switch to this variant the specification allows (repeatable)")
    parser.add_argument("--list-faults", action="store_true", help="list the faults (with the requirements each breaks) and the variants, and exit")


def run(args: argparse.Namespace) -> int:
    # Imported here so that the other commands do not pay for Starlette and uvicorn.
    from conformance.engine import FAULTS, VARIANTS, EngineSettings, StateFileError, start_engine

    if args.list_faults:
        print(_fault_list(), flush=True)
        return EXIT_OK
    unknown = [f"fault {name!r}" for name in args.fault if name not in FAULTS] + [f"variant {name!r}" for name in args.variant if name not in VARIANTS]
    if unknown:
        _error(f"unknown {', '.join(unknown)}; --list-faults lists them")
        return EXIT_COULD_NOT_RUN
    if args.api_version not in _SUPPORTED_VERSIONS:
        _error(f"--api-version {args.api_version} is not available: the reference engine serves API versions 3 and 4")
        return EXIT_COULD_NOT_RUN
    if not 0 <= args.port <= 65535:
        _error(f"--port {args.port} is not a TCP port (0-65535)")
        return EXIT_COULD_NOT_RUN
    timings = {
        "--snapshot-lock-seconds": args.snapshot_lock_seconds,
        "--restore-seconds": args.restore_seconds,
        "--vm-transition-seconds": args.vm_transition_seconds,
        "--latency": args.latency,
    }
    for option, value in timings.items():
        if not math.isfinite(value) or value < 0:
            _error(f"{option} must be a number of seconds >= 0, not {value}")
            return EXIT_COULD_NOT_RUN

    password = os.environ.get(PASSWORD_ENV) or ""
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    settings = EngineSettings(
        username=USERNAME,
        password=password,
        snapshot_lock_seconds=args.snapshot_lock_seconds,
        restore_seconds=args.restore_seconds,
        vm_transition_seconds=args.vm_transition_seconds,
        latency_seconds=args.latency,
        state_file=args.state,
        default_api_version=args.api_version,
        faults=frozenset(args.fault),
        variants=frozenset(args.variant),
    )
    try:
        handle = start_engine(settings, port=args.port)
    except StateFileError as error:
        _error(f"the state file is not valid: {error}")
        return EXIT_COULD_NOT_RUN
    except OSError as error:
        _error(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror or error}")
        return EXIT_COULD_NOT_RUN

    try:
        with handle, _stop_on_sigterm() as stopping:
            other = "4" if args.api_version == "3" else "3"
            print(f"snapshot-conformance reference engine (oVirt REST API v{args.api_version}; v{other} with /v{other} or Version: {other})", flush=True)
            print(f"URL:      {handle.url}", flush=True)
            print(f"SSO:      {handle.base_url}/ovirt-engine/sso/oauth/token (v4 clients, e.g. the Python SDK)", flush=True)
            print(f"User:     {USERNAME}", flush=True)
            if settings.faults:
                print(f"Faults:   {', '.join(sorted(settings.faults))}  (deliberately NOT conformant)", flush=True)
            if settings.variants:
                print(f"Variants: {', '.join(sorted(settings.variants))}", flush=True)
            if generated:
                print(f"Password: {password}  (generated; set {PASSWORD_ENV} to choose one)", flush=True)
            else:
                print(f"Password: from ${PASSWORD_ENV}", flush=True)
            print("Press Ctrl-C to stop.", flush=True)
            while handle.running and not stopping.wait(0.5):
                pass
            crashed = not stopping.is_set() and not handle.running
    except KeyboardInterrupt:
        handle.stop()  # idempotent: finishes a stop that the interrupt may have cut short
        crashed = False
    if crashed:
        _error("the engine stopped unexpectedly")
        return EXIT_COULD_NOT_RUN
    print("Stopped.", flush=True)
    return EXIT_OK


def _fault_list() -> str:
    """Every fault with the requirements it breaks (and their levels), then every variant."""
    from conformance.catalogue import load_catalogue
    from conformance.engine import FAULTS, VARIANTS

    catalogue = load_catalogue()
    width = max(len(name) for name in (*FAULTS, *VARIANTS))
    lines = ["Faults (each breaks the requirements it names; the engine stays conformant otherwise):"]
    for fault in FAULTS.values():
        breaks = ", ".join(f"{rid} ({catalogue[rid].level.value})" for rid in fault.breaks)
        lines.append(f"  {fault.name:<{width}}  {breaks}: {fault.summary}{_only(fault.dialects)}")
    lines.append("Variants (choices the specification allows; a run against one stays conformant):")
    lines += [f"  {variant.name:<{width}}  {variant.summary}{_only(variant.dialects)}" for variant in VARIANTS.values()]
    return "\n".join(lines)


def _only(dialects: frozenset[str]) -> str:
    """ " (v4 only)" for a case calibrated in one dialect, "" for one calibrated in both."""
    return f" (v{next(iter(dialects))} only)" if len(dialects) == 1 else ""


@contextmanager
def _stop_on_sigterm() -> Iterator[threading.Event]:
    """An event set by SIGTERM (in the main thread; elsewhere signals are not ours)."""
    stopping = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stopping
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = signal.signal(signal.SIGTERM, handle)
    try:
        yield stopping
    finally:
        signal.signal(signal.SIGTERM, previous)


def _error(message: str) -> None:
    print(f"snapshot-conformance serve: {message}", file=sys.stderr, flush=True)
