"""Run openCypher TCK scenarios raw on FalkorDB and as ``jjjkg cypher`` rewrites them; list where they differ.

    python -m bench.tck_compare PATH/TO/tck/features [NAME_FILTER ...] [-FEATURE_TO_SKIP ...]

For each scenario (outlines expanded) the setup runs on an empty graph of its own, then the query,
once as written and once as ``graph.cypher.cypher_rewrites.prepare`` sends it. The answers (rows, or
that it failed) are compared; the scenarios whose answers differ are printed, with the TCK's expected
table, so a reader can tell a rewrite that repairs an answer from one that loses it. The TCK is not
part of the repository: pass the folder of a checkout of github.com/opencypher/openCypher.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from graph.cypher.cypher_rewrites import prepare
from graph.errors import JjjkgError
from graph.store.falkordb import EmbeddedEngine, stop
from graph.store.falkordb.values import to_plain

GRAPH = "jjjkg_tck"


def scenarios(path: Path):
    """(name, setup statements, query, expected lines) of each scenario in a feature file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    current = None
    out = []
    while i < len(lines):
        s = lines[i].strip()
        if s.startswith(("Scenario:", "Scenario Outline:")):
            current = {"name": f"{path.stem} {s.split(':', 1)[1].strip()}", "setup": [], "query": None,
                       "expected": [], "examples": [], "params": False}
            out.append(current)
        elif current is not None and s in ('"""',):
            j = i + 1
            block = []
            while lines[j].strip() != '"""':
                block.append(lines[j])
                j += 1
            text = "\n".join(block).strip()
            prev = lines[i - 1].strip()
            if prev.startswith("When executing query") or prev.startswith("When executing control query"):
                current["query"] = current["query"] or text
            elif prev.startswith("And having executed"):
                current["setup"].append(text)
            i = j
        elif current is not None and s.startswith("And parameters are"):
            current["params"] = True
        elif current is not None and s.startswith("Examples:"):
            j = i + 1
            rows = []
            while j < len(lines) and lines[j].strip().startswith("|"):
                rows.append([c.strip() for c in lines[j].strip().strip("|").split("|")])
                j += 1
            current["examples"] = [dict(zip(rows[0], r)) for r in rows[1:]]
            i = j - 1
        elif current is not None and s.startswith("|") and current["query"] is not None:
            current["expected"].append(s)
        i += 1
    for sc in out:
        if sc["query"] is None or sc["params"]:
            continue
        for ex in sc["examples"] or [{}]:
            def fill(text, ex=ex):
                return re.sub(r"<(\w+)>", lambda m: ex.get(m[1], m[0]), text)
            yield (sc["name"] + (f" {ex}" if ex else ""), [fill(x) for x in sc["setup"]], fill(sc["query"]),
                   [fill(x) for x in sc["expected"]])


def _answer(graph, setup, query, params):
    graph.query("RETURN 1")
    try:
        graph.delete()
    except Exception:
        pass
    for statement in setup:
        graph.query(statement, timeout=10_000)
    try:
        return ("rows", [to_plain(list(r)) for r in graph.query(query, params, timeout=10_000).result_set])
    except Exception as err:
        return ("error", str(err).split("\n")[0][:80])


def main(argv: list[str]) -> int:
    root = Path(argv[0])
    wanted = [a for a in argv[1:] if not a.startswith("-")]
    unwanted = [a[1:] for a in argv[1:] if a.startswith("-")]  # -Literals7: a feature the server hangs on
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "s"
        from jjjkg.cli import main as cli

        cli(["build", "--store", str(store)])
        engine = EmbeddedEngine.for_store(store)
        graph = engine._db.select_graph(GRAPH)
        same = differ = skipped = raw_ok = 0
        try:
            for feature in sorted(root.rglob("*.feature")):
                if wanted and not any(w.lower() in feature.stem.lower() for w in wanted) or feature.stem in unwanted:
                    continue
                print(f"… {feature.stem}", file=sys.stderr, flush=True)
                for name, setup, query, expected in scenarios(feature):
                    try:
                        prep = prepare(query)
                    except JjjkgError as err:
                        prep = None
                        ours = ("error", str(err)[:80])
                    if prep is not None and prep.mode is not None:
                        skipped += 1
                        continue
                    try:
                        raw = _answer(graph, setup, query, {})
                    except Exception:
                        skipped += 1  # the setup itself fails on FalkorDB
                        continue
                    if prep is not None:
                        ours = _answer(graph, setup, prep.text, prep.params) if prep.text != query.strip() else raw
                    raw_ok += raw[0] == "rows"
                    if raw == ours or (raw[0] == ours[0] == "error"):
                        same += 1
                        continue
                    differ += 1
                    print(f"--- {name}\n  query: {' '.join(query.split())[:160]}\n  raw:   {str(raw)[:160]}\n"
                          f"  jjjkg: {str(ours)[:160]}\n  TCK:   {' '.join(expected)[:160]}")
        finally:
            engine.close()
            stop(store)
    print(f"\nscenarios: {same + differ} compared ({raw_ok} answered raw), {same} the same, {differ} different, "
          f"{skipped} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
