"""Benchmark: our pages against pyvis's defaults, at 200, 1,000 and 2,000 organizations.

For each size, on the same synthetic graph (labelled synthetic, built through the real loader):

* write time: ``viz.write_view`` (schema styles, tooltips, our template, inlined vis-network)
  against a plain pyvis ``Network`` with the same nodes and edges and ``write_html`` (pyvis's
  defaults: remote resources, default physics);
* time to stabilise in headless Chromium: from navigation start until vis-network's
  ``stabilizationIterationsDone``. pyvis's page loads vis-network from a CDN; the run has no network,
  so those requests are answered with the same vis-network file from the installed pyvis package
  (and empty bodies for Bootstrap and tom-select) — a fair race on physics, not on downloads. The
  CDN's build of vis-network is not byte-identical to pyvis's copy, so the browser is given the
  baseline page with its ``integrity`` attributes removed (the write timing uses pyvis unchanged).

Ratios are baseline / ours (above 1: ours is faster). Run by hand from the repository root:

    python bench/bench_viz.py [--sizes 200 1000 2000] [--repeat 3]

Needs Chromium at /usr/bin/chromium (or $JJJKG_CHROMIUM) and the playwright package.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("JJJKG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: records when pyvis's global `network` is assigned and when its stabilisation ends
_PYVIS_PROBE = """
(() => {
  let n;
  Object.defineProperty(window, "network", {
    configurable: true,
    get() { return n; },
    set(v) {
      n = v;
      if (v && v.once) v.once("stabilizationIterationsDone", () => { window.__stableAt = performance.now(); });
    },
  });
})();
"""


def make_graph(n: int, workdir: Path):
    import loaders
    from graph import build_graph
    from tests.conftest import write_csv
    from tests.viz.conftest import synthetic_rows  # the generator the tests use

    folder = workdir / f"synthetic-{n}"
    folder.mkdir()
    for table, rows in synthetic_rows(n).items():
        write_csv(folder / f"{table}.csv", rows)
    shutil.copy(ROOT / "tests" / "data" / "tiny" / "sectors.csv", folder / "sectors.csv")
    return build_graph(loaders.read_folder(folder))


def write_pyvis_default(G, path: Path) -> Path:
    """The baseline: pyvis's defaults, with the same nodes, labels, colours, titles and edges."""
    from pyvis.network import Network

    from graph import schema

    net = Network(directed=True, cdn_resources="remote")
    orgs = sorted(G.orgs())
    for n in orgs:
        d = G.nodes[n]
        net.add_node(n, label=d.get("name", n), color=schema.NODE_LABELS[d["label"]].color,
                     title=f"{d.get('name', n)} {d.get('province', '')}")
    shown = set(orgs)
    for u, v, k in G.edges(keys=True):
        if k in schema.INPUT_RELATIONS and u in shown and v in shown:
            net.add_edge(u, v, title=k, color=schema.RELATIONS[k].color)
    cwd = os.getcwd()
    os.chdir(path.parent)  # pyvis writes relative to the working directory
    try:
        net.write_html(path.name)
    finally:
        os.chdir(cwd)
    return path


def without_integrity(path: Path) -> Path:
    """A copy of pyvis's page whose CDN links carry no integrity hash (we serve pyvis's own copy)."""
    import re

    out = path.with_name(path.stem + "-served.html")
    text = path.read_text(encoding="utf-8")
    out.write_text(re.sub(r'\s+integrity="[^"]*"', "", text), encoding="utf-8")
    return out


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def stabilise_ms(browser, path: Path, *, pyvis: bool, timeout_ms: int = 300_000) -> float:
    lib = resources.files("pyvis") / "lib" / "vis-9.1.2"
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        def route(r):
            url = r.request.url
            if url.startswith("file://"):
                return r.continue_()
            if url.endswith("vis-network.min.js"):
                return r.fulfill(body=(lib / "vis-network.min.js").read_text(encoding="utf-8"),
                                 content_type="application/javascript")
            if url.endswith("vis-network.min.css") or url.endswith("vis-network.css"):
                return r.fulfill(body=(lib / "vis-network.css").read_text(encoding="utf-8"), content_type="text/css")
            return r.fulfill(body="", content_type="text/plain")  # Bootstrap, tom-select: not needed to draw

        ctx.route("**/*", route)
        page = ctx.new_page()
        if pyvis:
            page.add_init_script(_PYVIS_PROBE)
        page.goto(path.resolve().as_uri())
        if pyvis:
            page.wait_for_function("() => window.__stableAt !== undefined", timeout=timeout_ms, polling=100)
            return float(page.evaluate("() => window.__stableAt"))
        page.wait_for_function("() => !!(window.jjjkg && window.jjjkg.stable)", timeout=timeout_ms, polling=100)
        return float(page.evaluate("() => window.jjjkg.stableAt"))
    finally:
        ctx.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 1000, 2000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    import viz
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-viz-"))
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for n in args.sizes:
                G = make_graph(n, work)
                ours_path, base_path = work / f"ours-{n}.html", work / f"pyvis-{n}.html"
                w_ours, _ = timed(lambda: viz.write_view(G, ours_path, max_nodes=max(args.sizes)), args.repeat)
                w_base, _ = timed(lambda: write_pyvis_default(G, base_path), args.repeat)
                s_ours = statistics.median(stabilise_ms(browser, ours_path, pyvis=False) for _ in range(args.repeat))
                served = without_integrity(base_path)
                s_base = statistics.median(stabilise_ms(browser, served, pyvis=True) for _ in range(args.repeat))
                edges = sum(1 for _ in G.edges())
                rows.append((n, edges, w_ours, w_base, s_ours, s_base, ours_path.stat().st_size,
                             base_path.stat().st_size))
                print(f"{n:>5} orgs: write {w_ours * 1000:7.0f} ms vs pyvis {w_base * 1000:7.0f} ms "
                      f"(x{w_base / w_ours:.2f}); stabilised {s_ours:7.0f} ms vs pyvis {s_base:7.0f} ms "
                      f"(x{s_base / s_ours:.2f})", flush=True)
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print("| organizations | graph edges | write ours (ms) | write pyvis (ms) | ratio | stabilise ours (ms) "
          "| stabilise pyvis (ms) | ratio | page ours (KB) | page pyvis (KB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, e, wo, wb, so, sb, po, pb in rows:
        print(f"| {n} | {e} | {wo * 1000:.0f} | {wb * 1000:.0f} | {wb / wo:.2f} | {so:.0f} | {sb:.0f} | {sb / so:.2f} "
              f"| {po / 1024:.0f} | {pb / 1024:.0f} |")
    print("\nratio = pyvis default / ours (above 1: ours is faster). Our page inlines vis-network (~690 KB), "
          "pyvis's links it from a CDN (served locally here).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
