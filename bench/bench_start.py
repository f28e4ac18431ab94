"""Benchmark: how long the command line takes to answer a small analysis, against importing its libraries.

    python bench/bench_start.py [--rounds 20] [--store DIR] [--query targets-2030]

It builds the bundled store (or uses ``--store``), then runs, interleaved round by round so that a busy
machine slows both alike:

* the **baseline**: ``python -c "import networkx, numpy"`` — the libraries every analysis needs;
* the **command**: ``python -m jjjkg query targets-2030 --store DIR`` — start, open the store, run the
  analysis, print its table.

It prints the median wall and CPU (user + system) seconds of each and their ratios (command / baseline);
the goal is a wall ratio of at most 1.3. CPU time is printed because it varies less than wall time on a
shared machine. Run by hand from the repository root; nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = [sys.executable, "-c", "import networkx, numpy"]


def _timed(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``argv``."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    proc.stderr.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, for its usage: Popen must not wait again
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{' '.join(argv)} failed:\n{err.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(store: Path, query: str, rounds: int) -> dict[str, tuple[float, float]]:
    """Median (wall, cpu) seconds of the baseline and of the command, over ``rounds`` interleaved runs."""
    command = [sys.executable, "-m", "jjjkg", "query", query, "--store", str(store)]
    runs: dict[str, list[tuple[float, float]]] = {"baseline": [], "command": []}
    for argv in (BASELINE, command):  # warm the file cache and the store's graph cache once
        _timed(argv)
    for _ in range(rounds):
        runs["baseline"].append(_timed(BASELINE))
        runs["command"].append(_timed(command))
    return {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--store", type=Path, help="a built store (default: the bundled dataset, built here)")
    ap.add_argument("--query", default="targets-2030")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jjjkg-bench-start-") as tmp:
        store = args.store
        if store is None:
            store = Path(tmp) / "store"
            subprocess.run([sys.executable, "-m", "jjjkg", "build", "--store", str(store)], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        m = measure(store, args.query, args.rounds)
    (bw, bc), (cw, cc) = m["baseline"], m["command"]
    load = os.getloadavg()[0]
    print(f"{'':40} {'wall s':>8} {'cpu s':>8}")
    print(f"{'python -c ' + repr('import networkx, numpy'):40} {bw:8.3f} {bc:8.3f}")
    print(f"{f'jjjkg query {args.query}':40} {cw:8.3f} {cc:8.3f}")
    print(f"{'ratio (goal ≤ 1.3)':40} {cw / bw:8.2f} {cc / bc:8.2f}")
    print(f"medians of {args.rounds} interleaved rounds; load average {load:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
