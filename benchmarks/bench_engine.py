"""Throughput of the reference engine over real HTTP on loopback (run by hand).

    .venv/bin/python benchmarks/bench_engine.py [--seconds 5] [--clients 4]

Measures, for a few seconds each: snapshot list (XML), list with All-Content, list in
JSON, single GET, and snapshot create (the 202 path, no waiting). Bounded in time and
count; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from conformance.engine import EngineSettings, start_engine

PASSWORD = "bench-password"


def _measure(name: str, call: Callable[[httpx.Client], None], clients: int, seconds: float, client_factory: Callable[[], httpx.Client]) -> None:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        with client_factory() as http:
            local: list[float] = []
            while time.perf_counter() < deadline and len(local) < 100_000:
                started = time.perf_counter()
                call(http)
                local.append(time.perf_counter() - started)
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
    print(f"{name:<28} {len(latencies) / elapsed:8.0f} req/s   p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   ({len(latencies)} requests)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    # no lock time: a create while another snapshot is locked is a 409, as on a real engine
    settings = EngineSettings(password=PASSWORD, snapshot_lock_seconds=0)
    with start_engine(settings) as engine:

        def factory() -> httpx.Client:
            return httpx.Client(base_url=engine.base_url, auth=("admin@internal", PASSWORD), timeout=30)

        with factory() as http:
            vm = next(v for v in http.get(engine.url + "/vms", headers={"Accept": "application/json"}).json()["vm"] if v["name"] == "db-01")
            snapshots = vm["href"] + "/snapshots"
            first = http.get(snapshots, headers={"Accept": "application/json"}).json()["snapshot"][0]["href"]
            creator = http.post(
                engine.url + "/vms",
                content=b"<vm><name>bench</name><cluster><name>Default</name></cluster><template><name>Blank</name></template></vm>",
                headers={"Content-Type": "application/xml"},
            )
            bench_snapshots = urlsplit(creator.headers["Location"]).path + "/snapshots"
        print(f"engine {engine.url}, {args.clients} clients, {args.seconds:g} s per case")
        _measure("list (XML)", lambda h: h.get(snapshots).raise_for_status(), args.clients, args.seconds, factory)
        _measure("list All-Content (XML)", lambda h: h.get(snapshots, headers={"All-Content": "true"}).raise_for_status(), args.clients, args.seconds, factory)
        _measure("list (JSON)", lambda h: h.get(snapshots, headers={"Accept": "application/json"}).raise_for_status(), args.clients, args.seconds, factory)
        _measure("single GET", lambda h: h.get(first).raise_for_status(), args.clients, args.seconds, factory)
        _measure(
            "create (201, no lock time)",
            lambda h: h.post(
                bench_snapshots, content=b"<snapshot><description>b</description></snapshot>", headers={"Content-Type": "application/xml"}
            ).raise_for_status(),
            args.clients,
            min(args.seconds, 2.0),
            factory,
        )


if __name__ == "__main__":
    main()
