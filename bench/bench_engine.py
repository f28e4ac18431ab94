"""Load time of the embedded FalkorDB engine on a synthetic graph, against falkordb-bulk-loader.

Run by hand (not a test)::

    python bench/bench_engine.py --orgs 200000 --relations 1000000

It builds a labelled synthetic graph (``bench-`` ids, random but seeded), then in one run, on one
server, measures

* ``bulk``: ``EmbeddedEngine.load(G)`` — GRAPH.BULK, encoding included, plus the id indexes;
* ``unwind``: ``EmbeddedEngine.load(G, method="unwind")`` — batched ``UNWIND $rows`` statements;
* ``loader``: ``falkordb-bulk-insert`` (the falkordb-bulk-loader package, in-process) on CSV files of
  the same graph written beforehand (writing them is not timed), plus the same indexes;
* ``merge``: incremental ``UNWIND $rows … MERGE`` of relationships into the loaded graph, in rows/s;

and prints each time with its ratio to the loader's. The store directory is temporary and its
server is stopped at the end.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph import schema  # noqa: E402
from graph.build import build_graph, node_id  # noqa: E402
from graph.store.falkordb import EmbeddedEngine, stop  # noqa: E402
from graph.tables import Tables  # noqa: E402


def synthetic_tables(n_orgs: int, n_rels: int, seed: int = 7) -> Tables:
    rng = random.Random(seed)
    sectors = [f"sec-{i}" for i in range(40)]
    services = [f"svc-{i}" for i in range(12)]
    regions = ["bj", "tj", "hb"] + [f"r-{i}" for i in range(30)]
    types = list(schema.ORG_TYPES)
    provinces = [schema.BEIJING, schema.TIANJIN, schema.HEBEI]
    org_rows = []
    for i in range(n_orgs):
        t = rng.choice(types)
        org_rows.append(dict(
            id=f"bench-{i}", name=f"机构{i}", type=t, province=rng.choice(provinces),
            city=rng.choice(["沧州", "廊坊", None]), sectors=rng.sample(sectors, rng.randint(0, 2)),
            services=rng.sample(services, rng.randint(0, 2)) if t == "platform" else [],
            needs=rng.sample(services, 1) if t == "enterprise" and rng.random() < 0.5 else [],
            level=rng.choice(["national", "municipal", None]) if t == "platform" else None,
            lat=36.5 + rng.random() * 5, lon=114 + rng.random() * 5,
            region=rng.choice(regions), source="synthetic"))
    rel_types = list(schema.INPUT_RELATIONS)
    seen = set()
    rel_rows = []
    while len(rel_rows) < n_rels:
        u, v, r = rng.randrange(n_orgs), rng.randrange(n_orgs), rng.choice(rel_types)
        if u == v or (u, v, r) in seen:
            continue
        seen.add((u, v, r))
        rel_rows.append(dict(from_id=f"bench-{u}", relation=r, to_id=f"bench-{v}",
                             year=rng.choice([2021, 2022, 2023, 2024, None]),
                             weight=round(rng.random(), 3) if rng.random() < 0.5 else None, source="synthetic"))
    sector_rows = [dict(id=s, name=f"领域{s}", kind=rng.choice(list(schema.SECTOR_KINDS))) for s in sectors]
    service_rows = [dict(id=s, name=f"服务{s}") for s in services]
    region_rows = [dict(id="bj", name="北京", level="province"), dict(id="tj", name="天津", level="province"),
                   dict(id="hb", name="河北", level="province")]
    region_rows += [dict(id=r, name=f"区{r}", level="district", parent=rng.choice(["bj", "tj", "hb"]))
                    for r in regions[3:]]
    return Tables(pd.DataFrame(org_rows), pd.DataFrame(rel_rows), pd.DataFrame(sector_rows),
                  pd.DataFrame(service_rows), pd.DataFrame(region_rows), source="synthetic")


def _csv_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return repr([str(x) for x in v])
    return str(v)


def write_loader_csvs(G, folder: Path) -> list[str]:
    """CSV files in falkordb-bulk-loader's format (tab-separated), and its arguments for them."""
    args: list[str] = []
    groups: dict[tuple, list] = {}
    for n, d in G.nodes(data=True):
        groups.setdefault(tuple(G.labels_of(n)), []).append((n, d))
    key = {}
    for i, (labels, rows) in enumerate(groups.items()):
        keys = sorted({k for _, d in rows for k in d if k != "label"})
        path = folder / f"nodes{i}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
            w.writerow(["_key", *keys])
            for n, d in rows:
                key[n] = f"{labels[-1]}/{node_id(n)}"
                w.writerow([key[n], *(_csv_value(d.get(k)) for k in keys)])
        args += ["--nodes-with-label", ":".join(labels), str(path)]
    edges: dict[str, list] = {}
    for u, v, k, d in G.edges(keys=True, data=True):
        edges.setdefault(k, []).append((u, v, d))
    for i, (rtype, rows) in enumerate(edges.items()):
        keys = sorted({k for _, _, d in rows for k in d})
        path = folder / f"rels{i}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
            w.writerow(["src", "dst", *keys])
            for u, v, d in rows:
                w.writerow([key[u], key[v], *(_csv_value(d.get(k)) for k in keys)])
        args += ["--relations-with-type", rtype, str(path)]
    args += ["--separator", "\t"]
    for label in schema.NODE_LABELS:
        args += ["--index", f"{label}:id"]
    return args


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orgs", type=int, default=200_000)
    ap.add_argument("--relations", type=int, default=1_000_000)
    ap.add_argument("--merge-rows", type=int, default=100_000)
    ap.add_argument("--methods", default="bulk,unwind,loader,merge")
    opts = ap.parse_args(argv)
    methods = opts.methods.split(",")

    t0 = time.perf_counter()
    tables = synthetic_tables(opts.orgs, opts.relations)
    G = build_graph(tables)
    print(f"graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} relationships "
          f"(generated and built in {time.perf_counter() - t0:.1f} s)")

    with tempfile.TemporaryDirectory(prefix="jjjkg-bench-") as tmp:
        store = Path(tmp) / "store"
        engine = EmbeddedEngine(store, timeout=600)
        times: dict[str, float] = {}
        try:
            if "loader" in methods:
                from falkordb_bulk_loader.bulk_insert import bulk_insert

                folder = Path(tmp) / "csv"
                folder.mkdir()
                args = write_loader_csvs(G, folder)
                srv = engine._server
                url = f"unix://{srv.unix_socket}?password={srv.password}" if srv.unix_socket else \
                    f"redis://:{srv.password}@{srv.host}:{srv.port}"
                engine._conn().execute_command("DEL", "bench-loader")
                t = time.perf_counter()
                bulk_insert.main(args=["bench-loader", "--server-url", url, *args], standalone_mode=False)
                times["loader"] = time.perf_counter() - t
                n = engine._db.select_graph("bench-loader").ro_query("MATCH (n) RETURN count(n)").result_set
                print(f"loader: {times['loader']:.2f} s ({n[0][0]:,} nodes)")
                engine._conn().execute_command("DEL", "bench-loader")
            for method in ("bulk", "unwind"):
                if method in methods:
                    stats = engine.load(G, f"bench-{method}", method=method)
                    times[method] = stats["seconds"]
                    check = engine.run("MATCH ()-[r]->() RETURN count(r) AS n", timeout=600)[0]["n"]
                    assert check == G.number_of_edges(), (check, G.number_of_edges())
                    print(f"{method}: {times[method]:.2f} s")
            if "merge" in methods:
                if "bulk" not in methods:
                    engine.load(G, "bench-bulk")
                rng = random.Random(11)
                rows = [{"s": f"bench-{rng.randrange(opts.orgs)}", "t": f"bench-{rng.randrange(opts.orgs)}",
                         "p": {"year": 2025, "source": "merge"}} for _ in range(opts.merge_rows)]
                stmt = ("UNWIND $rows AS r MATCH (a:Organization {id: r.s}) MATCH (b:Organization {id: r.t}) "
                        "MERGE (a)-[e:PARTNERS_WITH]->(b) SET e += r.p")
                t = time.perf_counter()
                for i in range(0, len(rows), 5000):
                    engine.run(stmt, {"rows": rows[i:i + 5000]}, read_only=False, timeout=600)
                times["merge"] = time.perf_counter() - t
                print(f"merge: {len(rows):,} relationships in {times['merge']:.2f} s = "
                      f"{len(rows) / times['merge']:,.0f} relationships/s")
        finally:
            engine.close()
            stop(store)
    if "loader" in times:
        for m in ("bulk", "unwind"):
            if m in times:
                print(f"ratio {m}/loader: {times[m] / times['loader']:.2f}")


if __name__ == "__main__":
    main()
