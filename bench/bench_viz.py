"""Benchmark: the network page at 200, 2,000 and 5,000 organizations, against the previous page code.

For each size, on the same synthetic folder (``jjjkg generate``, labelled synthetic), the page that
``jjjkg viz`` writes by default (so above ``--max-nodes`` 2,000 it is the aggregated page) is written
twice: by this checkout's ``viz``, and by the code of a baseline commit (default ``11146de``, the
pages before fixed layouts and the map), which is taken out of git into a temporary folder and run in
a child process. Both pages are opened in headless Chromium (no network), and the run reports:

* write: seconds to build the graph's view and write the page (Python);
* first paint: ms from navigation start until the page first draws on its canvas (for the
  aggregated page, until its matrix is in the document);
* interactive: ms until the page is stable and the main thread has run its last long task;
* longest task: the longest main-thread task (PerformanceObserver ``longtask``, ≥ 50 ms);
* search: ms for one search by name, the way a keystroke runs it, until the frame showing its
  answer is drawn;
* page size in KB.

Ratios are baseline / ours (above 1: ours is faster). Run by hand from the repository root:

    python bench/bench_viz.py [--sizes 200 2000 5000] [--repeat 3] [--baseline 11146de] [--max-nodes 5000]

Needs git, Chromium at /usr/bin/chromium (or $JJJKG_CHROMIUM) and the playwright package.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("JJJKG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: records the first canvas drawing and every long task, from the very start of the page
_PROBE = """
(() => {
  window.__firstPaint = null;
  window.__longTasks = [];
  const mark = () => { if (window.__firstPaint === null) window.__firstPaint = performance.now(); };
  for (const name of ["fill", "stroke", "fillText"]) {
    const orig = CanvasRenderingContext2D.prototype[name];
    CanvasRenderingContext2D.prototype[name] = function () { mark(); return orig.apply(this, arguments); };
  }
  new MutationObserver(() => { if (document.querySelector("table.matrix")) mark(); })
    .observe(document, { childList: true, subtree: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
})();
"""

_WRITE = """
import sys, time
sys.path.insert(0, sys.argv[1])
import loaders, viz
from graph import build_graph
G = build_graph(loaders.read_folder(sys.argv[2]))
t = time.perf_counter()
viz.write_view(G, sys.argv[3], **({"max_nodes": int(sys.argv[4])} if len(sys.argv) > 4 else {}))
print(time.perf_counter() - t)
"""


def write_page(tree: Path, folder: Path, out: Path, max_nodes: int | None = None) -> float:
    """Write the default network page of ``folder`` with the code in ``tree``; seconds spent writing."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    extra = [str(max_nodes)] if max_nodes else []
    done = subprocess.run([sys.executable, "-c", _WRITE, str(tree), str(folder), str(out), *extra], env=env, cwd=tree,
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def baseline_tree(ref: str, work: Path) -> Path:
    """The packages of commit ``ref``, unpacked from git into ``work/baseline``."""
    tree = work / "baseline"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "graph", "loaders", "queries", "viz", "jjjkg"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def measure(browser, path: Path, timeout_ms: int = 300_000) -> dict:
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
        page = ctx.new_page()
        page.add_init_script(_PROBE)
        # the old page holds the main thread for seconds before its load event: wait for that, not for 30 s
        page.goto(path.resolve().as_uri(), wait_until="commit", timeout=timeout_ms)
        page.wait_for_function("() => !!(window.jjjkg && window.jjjkg.stable)", timeout=timeout_ms, polling=50)
        page.wait_for_timeout(1500)  # let late tasks show
        out = page.evaluate("""() => {
            const tasks = window.__longTasks, stable = window.jjjkg.stableAt || performance.now();
            const last = tasks.reduce((m, t) => Math.max(m, t[0] + t[1]), 0);
            return {first: window.__firstPaint, interactive: Math.max(stable, last),
                    longest: tasks.reduce((m, t) => Math.max(m, t[1]), 0),
                    aggregated: !!window.jjjkg.data.aggregated};
        }""")
        if not out["aggregated"]:
            # until the answer is drawn: the search itself, and the frame it asks for
            out["search"] = page.evaluate("""async () => { const t = performance.now(); window.jjjkg.search('合成中试平台1');
                await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
                return performance.now() - t; }""")
        else:
            out["search"] = float("nan")
        return out
    finally:
        ctx.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 5000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", default="11146de", help="git commit whose page code is the baseline")
    ap.add_argument("--max-nodes", type=int, default=None,
                    help="as jjjkg viz --max-nodes: 5000 draws the 5,000-organization network, not the matrix")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-viz-"))
    try:
        rows = run(args, work, sync_playwright)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(args, rows)
    return 0


def run(args, work: Path, sync_playwright) -> list:
    base = baseline_tree(args.baseline, work)
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n in args.sizes:
            folder = work / f"synthetic-{n}"
            subprocess.run([sys.executable, "-m", "jjjkg", "generate", "--orgs", str(n), "--out", str(folder)],
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, check=True)
            result = {}
            for name, tree in (("ours", ROOT), ("baseline", base)):
                page = work / f"{name}-{n}.html"
                w = statistics.median(write_page(tree, folder, page, args.max_nodes) for _ in range(args.repeat))
                ms = [measure(browser, page) for _ in range(args.repeat)]
                result[name] = {"write": w, "size": page.stat().st_size / 1024, "aggregated": ms[0]["aggregated"],
                                **{k: statistics.median(m[k] for m in ms)
                                   for k in ("first", "interactive", "longest", "search")}}
            o, b = result["ours"], result["baseline"]
            rows.append((n, o, b))
            print(f"{n:>5} orgs ({'matrix' if o['aggregated'] else 'network'}): first paint {o['first']:.0f} ms "
                  f"vs {b['first']:.0f} (x{b['first'] / o['first']:.2f}); interactive {o['interactive']:.0f} vs "
                  f"{b['interactive']:.0f} ms; longest task {o['longest']:.0f} vs {b['longest']:.0f} ms", flush=True)
        browser.close()
    return rows


def report(args, rows: list) -> None:
    print()
    print(f"baseline: the page code of {args.baseline}; ratio = baseline / ours (above 1: ours is faster)")
    print("| orgs | page | write s (ours / base) | first paint ms (ours / base / ratio) | interactive ms (ours / base / "
          "ratio) | longest task ms (ours / base) | search ms (ours / base) | page KB (ours / base) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for n, o, b in rows:
        kind = "matrix" if o["aggregated"] else "network"
        print(f"| {n} | {kind} | {o['write']:.2f} / {b['write']:.2f} | {o['first']:.0f} / {b['first']:.0f} / "
              f"{b['first'] / o['first']:.1f} | {o['interactive']:.0f} / {b['interactive']:.0f} / "
              f"{b['interactive'] / o['interactive']:.1f} | {o['longest']:.0f} / {b['longest']:.0f} | "
              f"{o['search']:.0f} / {b['search']:.0f} | {o['size']:.0f} / {b['size']:.0f} |")


if __name__ == "__main__":
    raise SystemExit(main())
