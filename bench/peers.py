"""The embedded peers: Kùzu and its fork Ladybug, loaded from the same generated CSV files as jjjkg.

    python -m bench --peers [--sizes 100000]

Their schema: one node table ``Organization`` (``ORGANIZATION_COLUMNS``: ``;`` lists and coordinates as
the file's text), one relationship table per relation type of ``relations.csv`` (with its ``year`` as
text), and the services as nodes: ``Service`` (the bundled services), ``NEEDS`` and ``OFFERS`` from the
organizations' ``needs`` and ``services``. Each engine runs in its own process:

* ``load``: create the schema and copy both files in (jjjkg: ``jjjkg build --data``, validation included);
* ``reopen``: open the database and count its organizations (jjjkg: open the store, count from its arrays);
* each analysis of ``ANALYSES``: run once, then timed on its second run (warm); the records must equal
  jjjkg's networkx records row by row (floats to 1e-9). jjjkg runs each twice: networkx (``jjjkg``)
  and Cypher on its embedded FalkorDB (``jjjkg-cypher``). The peers' Cypher returns the rows the
  analysis's own Cypher returns, and the same Python finishes them (distances, betweenness);
* ``command``: a whole process answering rd-scaleup-paths (jjjkg: ``jjjkg query rd-scaleup-paths
  --engine cypher --format json``; a peer: open the database, run the query, print the records).

The peers' Cypher lives here only: no peer is a dependency of the product (the ``[bench]`` extra brings
them). Nothing here is a test; ``tests/test_bench_peers.py`` checks the equality at a small size.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: the peers and the module each is imported from
PEERS = {"kuzu": "kuzu", "ladybug": "ladybug"}

#: the organizations' columns in the peers' schema (``;`` lists and coordinates as the file's text)
ORGANIZATION_COLUMNS = ("id STRING, name STRING, type STRING, province STRING, sectors STRING, services STRING, "
                        "needs STRING, lat STRING, lon STRING")

#: rd-scaleup-paths in the peers' schema (jjjkg's labels are its ``type`` column there)
RD_SCALEUP_PATHS = """\
MATCH (r:Organization)-[:TRANSFERS_TO]->(p:Organization)-[:SCALES_UP_AT]->(s:Organization)
WHERE r.type IN ['university', 'institute', 'enterprise'] AND r.province = '北京'
  AND p.type = 'platform' AND p.province = '北京' AND s.province IN ['天津', '河北']
RETURN DISTINCT r.id AS rnd_id, p.id AS platform_id, s.id AS site_id, p.sectors AS ps, s.sectors AS ss
"""


def _relation_types(folder: Path) -> list[str]:
    with open(folder / "relations.csv", encoding="utf-8", newline="") as f:
        return sorted({row["relation"] for row in csv.DictReader(f)})


def _connect(peer: str, db: Path):
    mod = importlib.import_module(PEERS[peer])
    return mod.Connection(mod.Database(str(db)))


def _rows(conn, query: str, params: dict | None = None) -> list[list]:
    result = conn.execute(query, params or {})
    out = []
    while result.has_next():
        out.append(result.get_next())
    return out


def load(peer: str, folder: Path, db: Path) -> dict:
    """Create the schema and copy the folder's organizations and relations into a new database."""
    if db.exists():
        shutil.rmtree(db) if db.is_dir() else db.unlink()
    t = time.perf_counter()
    conn = _connect(peer, db)
    conn.execute(f"CREATE NODE TABLE Organization({ORGANIZATION_COLUMNS}, PRIMARY KEY (id))")
    orgs = (folder / "organizations.csv").as_posix()
    conn.execute(f"COPY Organization FROM (LOAD FROM '{orgs}' (header = true) "
                 f"RETURN {ORGANIZATION_COLUMNS.replace(' STRING', '')})")
    load_services(conn, folder)
    rels = (folder / "relations.csv").as_posix()
    for rel in _relation_types(folder):
        conn.execute(f"CREATE REL TABLE {rel}(FROM Organization TO Organization, year STRING)")
        conn.execute(f"COPY {rel} FROM (LOAD FROM '{rels}' (header = true) WHERE relation = '{rel}' "
                     "RETURN from_id, to_id, year)")
    return {"seconds": time.perf_counter() - t}


def reopen(peer: str, db: Path) -> dict:
    """Open the database and count its organizations."""
    t = time.perf_counter()
    (n,), = _rows(_connect(peer, db), "MATCH (o:Organization) RETURN count(o)")
    return {"seconds": time.perf_counter() - t, "organizations": n}


def _sectors(text) -> set[str]:
    return {x for x in (text or "").split(";") if x}


def rd_scaleup_paths(peer: str, db: Path) -> dict:
    """jjjkg's records of rd-scaleup-paths, from the peer: sorted triples with their shared sectors, sorted."""
    conn = _connect(peer, db)
    t = time.perf_counter()
    rows = _rows(conn, RD_SCALEUP_PATHS)
    records = sorted(({"rnd_id": r, "platform_id": p, "site_id": s, "sectors": sorted(_sectors(ps) & _sectors(ss))}
                      for r, p, s, ps, ss in rows), key=lambda x: (x["rnd_id"], x["platform_id"], x["site_id"]))
    return {"seconds": time.perf_counter() - t, "records": records}


def load_services(conn, folder: Path) -> None:
    """The bundled services as ``Service`` nodes, and ``NEEDS``/``OFFERS`` from the organizations' lists."""
    services = (ROOT / "graph" / "data" / "services.csv").as_posix()  # graph.data's file, without importing jjjkg
    conn.execute("CREATE NODE TABLE Service(id STRING, name STRING, PRIMARY KEY (id))")
    conn.execute(f"COPY Service FROM (LOAD FROM '{services}' (header = true) RETURN id, name)")
    orgs = (folder / "organizations.csv").as_posix()
    for rel, column in (("NEEDS", "needs"), ("OFFERS", "services")):
        conn.execute(f"CREATE REL TABLE {rel}(FROM Organization TO Service)")
        conn.execute(f"COPY {rel} FROM (LOAD FROM '{orgs}' (header = true) WHERE {column} <> '' "
                     f"UNWIND string_split({column}, ';') AS service RETURN id, service)")


#: brokers in the peers' schema: the link graph, the organizations, and the complete paths with the
#: platform's sectors (the organizations every path of a sector passes through are found in Python,
#: as jjjkg's networkx implementation finds them)
BROKERS = ("""\
MATCH (a:Organization)-[:TRANSFERS_TO|SCALES_UP_AT|OPERATES|PARTNERS_WITH]->(b:Organization)
RETURN a.id, b.id
""", """\
MATCH (o:Organization) RETURN o.id, o.name, o.type, o.province
""", RD_SCALEUP_PATHS)

#: supply-demand in the peers' schema: the rows of jjjkg's Cypher text (needs, offers, service names)
SUPPLY_DEMAND = ("""\
MATCH (e:Organization)-[:NEEDS]->(v:Service)
WHERE e.type = 'enterprise'
WITH e, collect(DISTINCT v.id) AS services
RETURN 'need', e.id, e.name, e.province, e.sectors, e.lat, e.lon, services
""", """\
MATCH (p:Organization)-[:OFFERS]->(v:Service)
WHERE p.type = 'platform'
WITH p, collect(DISTINCT v.id) AS services
RETURN 'offer', p.id, p.name, p.province, p.sectors, p.lat, p.lon, services
""", """\
MATCH (v:Service) RETURN 'service', v.id, v.name
""")


def _brokers(conn) -> list[dict]:
    import numpy as np
    from queries.brokers import _records

    links = _rows(conn, BROKERS[0])
    info = {x: (name, typ, prov) for x, name, typ, prov in _rows(conn, BROKERS[1])}
    by_sector: dict[str, list] = {}
    for r, p, s, ps, _ in _rows(conn, BROKERS[2]):
        for sector in _sectors(ps):
            by_sector.setdefault(sector, []).append((r, p, s))
    critical: dict = {}
    for sector, paths in by_sector.items():
        for o in set.intersection(*(set(t) for t in paths)):
            critical.setdefault(o, set()).add(sector)
    ids = sorted({x for link in links for x in link} | critical.keys())
    position = {x: i for i, x in enumerate(ids)}
    a = np.fromiter((position[x] for x, _ in links), dtype=np.int64, count=len(links))
    b = np.fromiter((position[y] for _, y in links), dtype=np.int64, count=len(links))
    return _records(ids, a, b, info.__getitem__, lambda x: info[x][2], critical)


def _supply_demand(conn) -> list[dict]:
    from queries.supply_demand import _from_cypher

    keys = ("kind", "id", "name", "province", "sectors", "lat", "lon", "services")
    rows = [dict(zip(keys, row + [None] * (len(keys) - len(row)))) for query in SUPPLY_DEMAND
            for row in _rows(conn, query)]
    for r in rows:
        r["sectors"] = sorted(_sectors(r["sectors"])) if r["kind"] != "service" else None
        r["lat"], r["lon"] = (float(r["lat"]) if r["lat"] else None), (float(r["lon"]) if r["lon"] else None)
    return _from_cypher(rows, {"sector": None, "service": None, "province": None, "gaps": False, "top": 5})


def _rd_scaleup_paths(conn) -> list[dict]:
    return sorted(({"rnd_id": r, "platform_id": p, "site_id": s, "sectors": sorted(_sectors(ps) & _sectors(ss))}
                   for r, p, s, ps, ss in _rows(conn, RD_SCALEUP_PATHS)),
                  key=lambda x: (x["rnd_id"], x["platform_id"], x["site_id"]))


#: the analyses compared, each as the peers answer it
ANALYSES = {"rd-scaleup-paths": _rd_scaleup_paths, "supply-demand": _supply_demand, "brokers": _brokers}
#: and those measured on jjjkg's two engines only (their Cypher is not written for the peers)
JJJKG_ONLY = ("partner-candidates",)


def _warm(answer) -> dict:
    """Run ``answer`` once, then again timed: its warm seconds and records."""
    answer()
    t = time.perf_counter()
    records = answer()
    return {"seconds": time.perf_counter() - t, "records": records}


def analysis(engine: str, name: str, where: Path, keep: Path | None = None, against: Path | None = None) -> dict:
    """One analysis, warm, on ``engine`` (``jjjkg``, ``jjjkg-cypher`` or a peer) at ``where``: its seconds and
    records; with ``keep``, the records go to that file instead; with ``against``, only whether they equal
    the records kept there (so the benchmark's own process never holds them: a child it starts would
    inherit its peak memory)."""
    out = _analysis(engine, name, where)
    if keep is not None:
        keep.write_text(json.dumps(out.pop("records"), ensure_ascii=False), encoding="utf-8")
    elif against is not None:
        out["equal"] = _same(out.pop("records"), json.loads(against.read_text(encoding="utf-8")))
    return out


def _analysis(engine: str, name: str, where: Path) -> dict:
    if engine.startswith("jjjkg"):
        from graph.store import Store
        from queries import get_query
    if engine == "jjjkg":
        G = Store(where).graph()
        return _warm(lambda: get_query(name).func(G))
    if engine == "jjjkg-cypher":
        from graph.store.falkordb import EmbeddedEngine

        store = Store(where)
        G = store.nodes()
        with EmbeddedEngine.for_store(store.root, store.graph, fingerprint=store.fingerprint, timeout=3600) as db:
            return _warm(lambda: get_query(name).run_cypher(db, G))
    conn = _connect(engine, where)
    return _warm(lambda: ANALYSES[name](conn))


def command(peer: str, db: Path) -> None:
    """A whole peer process answering rd-scaleup-paths: open, query, print the records as JSON."""
    print(json.dumps(_rd_scaleup_paths(_connect(peer, db)), ensure_ascii=False))


def _same(a, b) -> bool:
    """Records equal row by row, floats to 1e-9."""
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= 1e-9
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def jjjkg_reopen(store: Path) -> dict:
    """Open a jjjkg store and count its organizations, as the peers do (from its memory-mapped arrays)."""
    from graph.store import Store

    t = time.perf_counter()
    n = Store(store).arrays().count("Organization")
    return {"seconds": time.perf_counter() - t, "organizations": n}


def jjjkg_rd_scaleup_paths(store: Path) -> dict:
    """jjjkg's networkx records of rd-scaleup-paths, and the seconds of the analysis alone."""
    from graph.store import Store
    from queries import rd_scaleup_paths as analysis

    G = Store(store).graph()
    t = time.perf_counter()
    records = analysis(G)
    return {"seconds": time.perf_counter() - t, "records": records}


def _child(argv: list[str], answer: bool = True) -> tuple[dict, float, float]:
    """Run one step in its own process: its JSON result (when ``answer``), wall seconds and peak MB."""
    import os
    import subprocess

    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *argv], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, for its usage: Popen must not wait again
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{' '.join(argv)} failed:\n{err}")
    return (json.loads(out) if answer else {}), wall, usage.ru_maxrss / 1024


def _median(xs):
    import statistics

    return statistics.median(xs)


def compare(size: int, seed: int, rounds: int, tmp: Path, log=print) -> dict:
    """Load, reopen, the analyses and the command on jjjkg and each peer at ``size`` relationships,
    interleaved over ``rounds``; medians, peaks, and whether every engine's records equal jjjkg's."""
    data = tmp / f"data{size}"
    # generated in a child: a process started from this one would inherit its peak memory as its own
    _child(["-m", "jjjkg", "generate", "--orgs", str(max(size // 5, 10)), "--seed", str(seed),
            "--relations-per-org", "5", "--out", str(data)], answer=False)
    engines = ["jjjkg", *(p for p in PEERS if importlib.util.find_spec(PEERS[p]))]
    where = {e: tmp / f"{e}{size}" for e in engines}
    times = {e: {"load": [], "reopen": []} for e in engines}
    peak = {e: 0.0 for e in engines}
    answers = {"times": {}, "equal": {}}
    for i in range(rounds):
        log(f"[{size:,} relationships] round {i + 1} of {rounds} …")
        for e in engines:
            if e == "jjjkg":
                shutil.rmtree(where[e], ignore_errors=True)
                _, wall, mb = _child(["-m", "jjjkg", "build", "--data", str(data), "--store", str(where[e])],
                                      answer=False)
                times[e]["load"].append(wall)
                reopen_ = _child(["-m", "bench.peers", "reopen", "jjjkg", str(where[e])])
            else:
                _, wall, mb = _child(["-m", "bench.peers", "load", e, str(data), str(where[e])])
                times[e]["load"].append(wall)
                reopen_ = _child(["-m", "bench.peers", "reopen", e, str(where[e])])
            peak[e] = max(peak[e], mb)
            times[e]["reopen"].append(reopen_[1])
        compare_analyses(engines, where, answers, log)
    analyses = [*ANALYSES, *JJJKG_ONLY, "command"]
    kept = json.loads((tmp / f"jjjkg{size}-rd-scaleup-paths.json").read_text(encoding="utf-8"))
    return {"engines": engines, "peak": peak, "records": len(kept),
            "medians": {e: {k: _median(v) for k, v in times[e].items()} for e in engines},
            "analyses": analyses,
            "answers": {key: _median(v) for key, v in answers["times"].items()},
            "equal": answers["equal"]}


def compare_analyses(engines: list[str], where: dict[str, Path], answers: dict, log=print) -> None:
    """One round of the analyses (warm) and of the command, on jjjkg's two engines and on each peer;
    seconds to ``answers["times"]``, and whether the records equal jjjkg's networkx records (in every round) to
    ``answers["equal"]``, keyed by (engine, analysis)."""
    runs = [("jjjkg", where["jjjkg"]), ("jjjkg-cypher", where["jjjkg"]), *((e, where[e]) for e in engines[1:])]
    for name in [*ANALYSES, *JJJKG_ONLY]:
        kept = where["jjjkg"].parent / f"{where['jjjkg'].name}-{name}.json"
        for engine, at in runs:
            if name in JJJKG_ONLY and not engine.startswith("jjjkg"):
                continue
            how = ["keep", str(kept)] if engine == "jjjkg" else ["against", str(kept)]
            out = _child(["-m", "bench.peers", "analysis", engine, name, str(at), *how])[0]
            answers["times"].setdefault((engine, name), []).append(out["seconds"])
            if engine != "jjjkg":
                answers["equal"][engine, name] = answers["equal"].get((engine, name), True) and out["equal"]
            log(f"  {name} on {engine}: {out['seconds']:.3f} s")
    for engine, at in runs[1:]:
        argv = (["-m", "jjjkg", "query", "rd-scaleup-paths", "--engine", "cypher", "--store", str(at),
                 "--format", "json"] if engine == "jjjkg-cypher" else ["-m", "bench.peers", "command", engine, str(at)])
        _, wall, _ = _child(argv, answer=False)
        answers["times"].setdefault((engine, "command"), []).append(wall)
        log(f"  command on {engine}: {wall:.3f} s")


def table(results: dict[int, dict]) -> str:
    """One block per size: each engine's medians, and its ratio to jjjkg (below 1: the peer is faster); then
    each analysis, warm, on jjjkg (networkx), jjjkg's Cypher and each peer, with ratios to Kùzu."""
    lines = []
    for size, r in results.items():
        lines.append(f"{size:,} relationships ({r['records']:,} rd-scaleup-paths records)")
        lines.append(f"  {'engine':8} {'load s':>8} {'× jjjkg':>8} {'reopen s':>9} {'× jjjkg':>8} "
                     f"{'peak MB':>8} {'× jjjkg':>8}")
        base = r["medians"]["jjjkg"]
        for e in r["engines"]:
            m = r["medians"][e]
            lines.append(f"  {e:8} {m['load']:8.2f} {m['load'] / base['load']:8.2f} {m['reopen']:9.2f} "
                         f"{m['reopen'] / base['reopen']:8.2f} {r['peak'][e]:8.0f} {r['peak'][e] / r['peak']['jjjkg']:8.2f}")
        lines.append(analyses_table(r))
    return "\n".join(lines)


def analyses_table(r: dict) -> str:
    """The analyses' block of ``table``: warm seconds (``command``: a whole process), × Kùzu, records."""
    engines = ["jjjkg", "jjjkg-cypher", *r["engines"][1:]]
    ref = "kuzu" if "kuzu" in r["engines"] else "jjjkg"
    lines = [f"  {'analysis (warm s)':20} " + " ".join(f"{e:>12} {'× ' + ref:>8}" for e in engines) + "  records"]
    for name in r["analyses"]:
        base = r["answers"].get((ref, name)) or r["answers"].get(("jjjkg", name))
        cells = []
        for e in engines:
            t = r["answers"].get((e, name))
            cells.append(f"{'—':>12} {'':>8}" if t is None else f"{t:12.3f} {t / max(base or 0.0, 1e-9):8.2f}")
        equal = [r["equal"][e, name] for e in engines if (e, name) in r["equal"]]
        lines.append(f"  {name:20} " + " ".join(cells) + ("  —" if name == "command" else
                                                          "  equal" if all(equal) else "  DIFFERENT"))
    return "\n".join(lines)


def run(sizes: list[int], seed: int, rounds: int, log=print) -> str:
    """The peers' table for ``sizes``, with the load average of the run."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory(prefix="jjjkg-bench-peers-") as tmp:
        results = {size: compare(size, seed, rounds, Path(tmp), log) for size in sizes}
    return table(results) + f"\n(medians of {rounds} interleaved rounds; load average {os.getloadavg()[0]:.1f})"


def main(argv: list[str]) -> int:
    """``python -m bench.peers STEP PEER ARGS…``: one step in this process, its JSON result on stdout."""
    step, peer, *paths = argv
    if step == "analysis":  # analysis ENGINE NAME PATH [keep|against FILE]
        how = dict(zip(paths[2::2], map(Path, paths[3::2])))
        out = analysis(peer, paths[0], Path(paths[1]), how.get("keep"), how.get("against"))
    elif step == "command":
        command(peer, Path(paths[0]))
        return 0
    elif peer == "jjjkg":
        out = (jjjkg_reopen if step == "reopen" else jjjkg_rd_scaleup_paths)(Path(paths[0]))
    elif step == "load":
        out = load(peer, Path(paths[0]), Path(paths[1]))
    elif step == "reopen":
        out = reopen(peer, Path(paths[0]))
    elif step == "rd-scaleup-paths":
        out = rd_scaleup_paths(peer, Path(paths[0]))
    else:
        raise SystemExit(f"unknown step {step!r}: load, reopen, rd-scaleup-paths, analysis or command")
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
