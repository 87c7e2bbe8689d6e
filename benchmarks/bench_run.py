"""Wall time of the main job, ``snapshot-conformance run``, against the embedded engine (run by hand).

    .venv/bin/python benchmarks/bench_run.py [--repeat 3] [-- extra run options]

Each repetition is a fresh process, as a user runs it; prints every time and the median.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("extra", nargs="*", help="options passed to `run` (after --)")
    args = parser.parse_args()
    times = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as where:
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "conformance", "run", *args.extra], cwd=where, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - started)
            print(f"run {' '.join(args.extra)}: exit {done.returncode}, {times[-1]:.2f} s")
    print(f"median {statistics.median(times):.2f} s over {len(times)} runs")


if __name__ == "__main__":
    main()
