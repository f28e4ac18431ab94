"""The embedded peers: Kùzu and its fork Ladybug, loaded from the same generated CSV files as jjjkg.

    python -m bench --peers [--sizes 100000]

Their schema: one node table ``Organization`` (id, type, province, sectors as the file's ``;`` text) and
one relationship table per relation type of ``relations.csv`` (with its ``year`` as text). Each engine runs in its own process:

* ``load``: create the schema and copy both files in (jjjkg: ``jjjkg build --data``, validation included);
* ``reopen``: open the database and count its organizations (jjjkg: open the store, count from its arrays);
* ``rd-scaleup-paths``: the records, which must equal jjjkg's networkx records row by row.

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
    conn.execute("CREATE NODE TABLE Organization(id STRING, type STRING, province STRING, sectors STRING, "
                 "PRIMARY KEY (id))")
    orgs = (folder / "organizations.csv").as_posix()
    conn.execute(f"COPY Organization FROM (LOAD FROM '{orgs}' (header = true) "
                 "RETURN id, type, province, sectors)")
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
    """Load, reopen and rd-scaleup-paths on jjjkg and each peer at ``size`` relationships, interleaved over
    ``rounds``; medians, peaks, and whether every peer's records equal jjjkg's."""
    from loaders.synthetic import generate, write_folder

    data = tmp / f"data{size}"
    write_folder(generate(max(size // 5, 10), seed=seed, relations_per_org=5), data)
    engines = ["jjjkg", *(p for p in PEERS if importlib.util.find_spec(PEERS[p]))]
    where = {e: tmp / f"{e}{size}" for e in engines}
    times = {e: {"load": [], "reopen": [], "rd-scaleup-paths": []} for e in engines}
    peak = {e: 0.0 for e in engines}
    records = {}
    for i in range(rounds):
        log(f"[{size:,} relationships] round {i + 1} of {rounds} …")
        for e in engines:
            if e == "jjjkg":
                shutil.rmtree(where[e], ignore_errors=True)
                _, wall, mb = _child(["-m", "jjjkg", "build", "--data", str(data), "--store", str(where[e])],
                                      answer=False)
                times[e]["load"].append(wall)
                reopen_ = _child(["-m", "bench.peers", "reopen", "jjjkg", str(where[e])])
                answer = _child(["-m", "bench.peers", "rd-scaleup-paths", "jjjkg", str(where[e])])
            else:
                _, wall, mb = _child(["-m", "bench.peers", "load", e, str(data), str(where[e])])
                times[e]["load"].append(wall)
                reopen_ = _child(["-m", "bench.peers", "reopen", e, str(where[e])])
                answer = _child(["-m", "bench.peers", "rd-scaleup-paths", e, str(where[e])])
            peak[e] = max(peak[e], mb)
            times[e]["reopen"].append(reopen_[1])
            times[e]["rd-scaleup-paths"].append(answer[0]["seconds"])
            records[e] = answer[0]["records"]
    return {"engines": engines, "peak": peak, "equal": {e: records[e] == records["jjjkg"] for e in engines},
            "records": len(records["jjjkg"]),
            "medians": {e: {k: _median(v) for k, v in times[e].items()} for e in engines}}


def table(results: dict[int, dict]) -> str:
    """One block per size: each engine's medians, and its ratio to jjjkg (below 1: the peer is faster)."""
    lines = []
    for size, r in results.items():
        lines.append(f"{size:,} relationships ({r['records']:,} rd-scaleup-paths records)")
        lines.append(f"  {'engine':8} {'load s':>8} {'× jjjkg':>8} {'reopen s':>9} {'× jjjkg':>8} "
                     f"{'rd-scaleup s':>12} {'× jjjkg':>8} {'peak MB':>8} {'× jjjkg':>8}  records")
        base = r["medians"]["jjjkg"]
        for e in r["engines"]:
            m = r["medians"][e]
            lines.append(f"  {e:8} {m['load']:8.2f} {m['load'] / base['load']:8.2f} {m['reopen']:9.2f} "
                         f"{m['reopen'] / base['reopen']:8.2f} {m['rd-scaleup-paths']:12.3f} "
                         f"{m['rd-scaleup-paths'] / max(base['rd-scaleup-paths'], 1e-9):8.2f} "
                         f"{r['peak'][e]:8.0f} {r['peak'][e] / r['peak']['jjjkg']:8.2f}  "
                         f"{'equal' if r['equal'][e] else 'DIFFERENT'}")
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
    if peer == "jjjkg":
        out = (jjjkg_reopen if step == "reopen" else jjjkg_rd_scaleup_paths)(Path(paths[0]))
    elif step == "load":
        out = load(peer, Path(paths[0]), Path(paths[1]))
    elif step == "reopen":
        out = reopen(peer, Path(paths[0]))
    elif step == "rd-scaleup-paths":
        out = rd_scaleup_paths(peer, Path(paths[0]))
    else:
        raise SystemExit(f"unknown step {step!r}: load, reopen or rd-scaleup-paths")
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
