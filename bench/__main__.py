"""The benchmark suite: how each step's cost grows with the graph, as ratios and exponents.

    python -m bench                        # 10k, 100k and 1M relationships (make bench)
    python -m bench --sizes 10000 100000   # quicker
    python -m bench --peers --sizes 100000 # against Kùzu and Ladybug (bench/peers.py)

For each size it generates a synthetic folder (``loaders.synthetic``, labelled synthetic), then runs
each step in its own process and prints one table:

* ``build`` (``jjjkg build``: read, validate, build, write the store) against the **floor**: pandas
  ``read_csv`` of the same files plus a bare networkx ``add_edges_from`` of the same edges, same run;
* ``reopen``: from ``jjjkg query … --format csv`` starting to its first row on stdout;
* each named analysis in networkx (under 0.1 s: the best of several runs), and as Cypher on the
  embedded engine;
* ``engine load``: the embedded engine's full load against ``falkordb-bulk-loader`` on the same graph;
* ``viz``: writing the page of the whole graph (aggregated above the node threshold);
* peak resident memory of each step's process, and the fitted growth exponent of its time against
  size (1.0 = linear);
* a second table with each named analysis in both engines side by side: seconds at the largest size and
  the exponent of each.

Figures are ratios and exponents so they mean something on a noisy machine; absolute seconds are
printed for reference. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CAP = 60  # bench.steps.CAP: an analysis past it is stopped and shown as "> 60"


def _child(argv: list[str]) -> tuple[dict, float]:
    """Run ``python -m bench.steps …``; its JSON result and its peak memory in MB."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.steps", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"bench step {argv[0]} failed:\n{err}")
    return json.loads(out), usage.ru_maxrss / 1024


def _first_row(store: Path) -> tuple[float, float]:
    """Seconds from starting ``jjjkg query`` to its first output row, and the process's peak MB."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "jjjkg", "query", "rd-scaleup-paths", "--format", "csv",
                             "--store", str(store)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    proc.stdout.readline()  # the header row
    first = proc.stdout.readline()
    seconds = time.perf_counter() - t
    proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) or not first:
        raise RuntimeError("jjjkg query failed while measuring reopen")
    return seconds, usage.ru_maxrss / 1024


def _exponent(sizes: list[int], times: list[float | None]) -> float | None:
    pts = [(math.log(s), math.log(t)) for s, t in zip(sizes, times) if t and t > 0.005]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


def run(sizes: list[int], seed: int, log) -> dict:
    from loaders.synthetic import generate, write_folder

    rows: dict[str, dict[int, dict]] = {}

    def record(name: str, size: int, seconds, peak=None, baseline=None):
        rows.setdefault(name, {})[size] = {"seconds": seconds, "peak": peak, "baseline": baseline}

    with tempfile.TemporaryDirectory(prefix="jjjkg-bench-") as tmp:
        for size in sizes:
            data, store = Path(tmp) / f"data{size}", Path(tmp) / f"store{size}"
            log(f"[{size:,} relationships] generating …")
            write_folder(generate(max(size // 5, 10), seed=seed, relations_per_org=5), data)
            floor, floor_mb = _child(["floor", "--data", str(data)])
            record("floor (read_csv + add_edges_from)", size, floor["seconds"], floor_mb)
            log(f"  floor {floor['seconds']:.1f} s; build …")
            build, build_mb = _child(["build", "--data", str(data), "--store", str(store)])
            record("build", size, build["seconds"], build_mb, floor["seconds"])
            for part, sec in build["items"].items():
                record(f"  build: {part}", size, sec)
            log(f"  build {build['seconds']:.1f} s; reopen …")
            sec, mb = _first_row(store)
            record("reopen (command start → first row)", size, sec, mb)
            nx, nx_mb = _child(["networkx", "--store", str(store)])
            for name, sec in nx["items"].items():
                record(f"networkx {name}", size, sec, nx_mb)
            log("  analyses done; embedded engine …")
            cy, cy_mb = _child(["cypher", "--store", str(store)])
            loader = cy["items"].pop("falkordb-bulk-loader")
            record("engine load (GRAPH.BULK)", size, cy["items"].pop("engine load"), cy_mb, loader)
            record("falkordb-bulk-loader", size, loader)
            for name, sec in cy["items"].items():
                record(name, size, sec)
            viz, viz_mb = _child(["viz", "--store", str(store)])
            record("viz page", size, viz["seconds"], viz_mb)
            log(f"  done at {size:,}")
    return rows


def _markdown(lines: list[list[str]]) -> str:
    """``lines`` (the head first) as a Markdown table with padded columns."""
    widths = [max(len(r[i]) for r in lines) for i in range(len(lines[0]))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in lines]
    out.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(out)


def table(rows: dict, sizes: list[int]) -> str:
    head = ["step", *(f"{s:,} s" for s in sizes), f"ratio @{sizes[-1]:,}", f"peak MB @{sizes[-1]:,}", "exponent"]
    lines = [head]
    for name, by_size in rows.items():
        last = by_size.get(sizes[-1], {})
        secs = [by_size.get(s, {}).get("seconds") for s in sizes]
        ratio = (f"{last['seconds'] / last['baseline']:.2f}" if last.get("baseline") and last.get("seconds")
                 else "")
        exp = _exponent(sizes, secs)
        missing = "—" if name == "falkordb-bulk-loader" else f"> {CAP}"  # the baseline is not capped: it failed
        lines.append([name, *(f"{t:.2f}" if t is not None else missing for t in secs), ratio,
                      f"{last['peak']:.0f}" if last.get("peak") else "", f"{exp:.2f}" if exp is not None else ""])
    return _markdown(lines)


def analysis_table(rows: dict, sizes: list[int]) -> str:
    """Each named analysis in both engines side by side: seconds at the largest size and the growth exponent."""
    last = sizes[-1]
    names = sorted(n[len("networkx "):] for n in rows if n.startswith("networkx "))
    head = ["analysis", f"networkx s @{last:,}", "networkx exponent", f"cypher s @{last:,}", "cypher exponent",
            "cypher ÷ networkx"]
    lines = [head]

    def cell(name):
        by_size = rows.get(name, {})
        secs = [by_size.get(s, {}).get("seconds") for s in sizes]
        t = secs[-1]
        exp = _exponent(sizes, secs)
        return t, (f"{t:.2f}" if t is not None else f"> {CAP}"), (f"{exp:.2f}" if exp is not None else "")

    for name in names:
        nt, ns, ne = cell(f"networkx {name}")
        ct, cs, ce = cell(f"cypher {name}")
        ratio = f"{ct / nt:.1f}" if ct and nt and nt > 0.005 else ""
        lines.append([name, ns, ne, cs, ce, ratio])
    return _markdown(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000],
                    help="relationship counts (default 10000 100000 1000000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    ap.add_argument("--peers", action="store_true",
                    help="instead: load, reopen and rd-scaleup-paths against Kùzu and Ladybug (the [bench] extra)")
    ap.add_argument("--rounds", type=int, default=3, help="with --peers: interleaved rounds (default 3)")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    if args.peers:
        from bench import peers

        print(peers.run(sorted(args.sizes), args.seed, args.rounds, log=lambda m: print(m, file=sys.stderr, flush=True)))
        return 0
    rows = run(sorted(args.sizes), args.seed, log=lambda m: print(m, file=sys.stderr, flush=True))
    print(table(rows, sorted(args.sizes)))
    print()
    print(analysis_table(rows, sorted(args.sizes)))
    print(f"\n(total {time.perf_counter() - t:.0f} s; ratios: build ÷ floor, engine load ÷ falkordb-bulk-loader; "
          f"exponent: slope of log time against log size; '> {CAP}': stopped after {CAP} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
