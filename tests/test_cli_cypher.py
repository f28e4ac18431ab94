"""``jjjkg cypher``, ``jjjkg query --engine cypher``, the shell and saved queries, on the real embedded server."""

from __future__ import annotations

import io
import json
import os
import signal

import pytest

from graph.store.falkordb import EmbeddedEngine, stop
from jjjkg.shell import interactive
from tests.conftest import built_tiny_store
from tests.lint_cypher import cypher_linter  # noqa: F401  (fixture)

HOSTILE = "'}) DETACH DELETE n //"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    yield from built_tiny_store(tmp_path_factory, "cypher")


def _count(cli, store):
    code, out, _ = cli("cypher", "MATCH (n) RETURN count(n) AS n", "--format", "json", "--store", store)
    assert code == 0
    return json.loads(out)[0]["n"]


def test_cypher_answers_from_a_fresh_store(cli, store):
    code, out, err = cli("cypher", "MATCH (p:Platform {province:'北京'}) RETURN count(p) AS n", "--format", "json",
                         "--store", store)
    assert code == 0, err
    assert json.loads(out) == [{"n": 3}]


def test_nodes_render_as_plain_objects(cli, store):
    code, out, _ = cli("cypher", "MATCH (p:Organization {id: $id}) RETURN p", "--param", "id=bj-pf-1",
                       "--format", "json", "--store", store)
    (row,) = json.loads(out)
    assert row["p"]["labels"] == ["Organization", "Platform"]
    assert row["p"]["properties"]["services"] == ["SV_SCALE", "SV_TEST"]
    assert row["p"]["properties"]["name"] == "样例氢能中试平台"


def test_read_only_by_default(cli, store):
    before = _count(cli, store)
    code, _, err = cli("cypher", "CREATE (:Organization {id: 'x'})", "--store", store)
    assert code == 1 and "--write" in err and "Traceback" not in err
    assert _count(cli, store) == before


def test_syntax_error_is_one_line(cli, store):
    code, _, err = cli("cypher", "MATCH (n RETURN n", "--store", store)
    assert code == 1
    assert err.startswith("Error: ") and len(err.strip().splitlines()) == 1
    assert "line 1" in err


def test_hostile_parameters_change_nothing(cli, store):
    before = _count(cli, store)
    for value in (HOSTILE, "x' OR 1=1 //", "\\'; MATCH (n) DETACH DELETE n"):
        code, out, _ = cli("cypher", "MATCH (o:Organization) WHERE o.name = $name RETURN o.id AS id",
                           "--param", f"name={value}", "--format", "json", "--store", store)
        assert code == 0 and json.loads(out) == []
        code, _, _ = cli("query", "alliance-gaps", "--engine", "cypher", "--param", f"sector={value}",
                         "--store", store)
        assert code == 1  # an unknown sector, reported; nothing ran with it
    assert _count(cli, store) == before


def test_hostile_names_in_data_load_as_data(cli, tmp_path, write_folder, tiny_rows):
    orgs = tiny_rows["organizations"]
    orgs[0]["name"] = HOSTILE
    orgs[1]["id"] = "bj-inst-1'}) DETACH DELETE n //"
    for r in tiny_rows["relations"]:
        r["from_id"] = orgs[1]["id"] if r["from_id"] == "bj-inst-1" else r["from_id"]
    folder = write_folder(tiny_rows)
    store = tmp_path / "hostile-store"
    try:
        assert cli("build", "--data", folder, "--store", store)[0] == 0
        code, out, _ = cli("cypher", "MATCH (o:Organization) WHERE o.name = $n OR o.id = $i RETURN o.id AS id "
                           "ORDER BY id", "--param", f"n={HOSTILE}", "--param", f"i={orgs[1]['id']}",
                           "--format", "json", "--store", store)
        assert [r["id"] for r in json.loads(out)] == sorted(["bj-uni-1", orgs[1]["id"]])
        assert _count(cli, store) == 17 + 6 + 3 + 218  # every node arrived
        code, a, _ = cli("query", "rd-scaleup-paths", "--engine", "cypher", "--format", "json", "--store", store)
        code, b, _ = cli("query", "rd-scaleup-paths", "--format", "json", "--store", store)
        assert a == b and orgs[1]["id"] in a
    finally:
        stop(store)


def test_query_engine_cypher_agrees(cli, store):
    for name in ("rd-scaleup-paths", "alliance-gaps"):
        a = cli("query", name, "--engine", "cypher", "--format", "json", "--store", store)[1]
        b = cli("query", name, "--format", "json", "--store", store)[1]
        assert json.loads(a) == json.loads(b) and json.loads(b)


def test_recovers_after_the_server_is_killed(cli, store):
    assert _count(cli, store) > 0
    engine = EmbeddedEngine(store)
    pid = engine.pid
    engine.close()
    os.kill(pid, signal.SIGKILL)
    assert _count(cli, store) > 0  # the next command restarts and reloads by itself
    engine = EmbeddedEngine(store)
    assert engine.pid != pid
    engine.close()


def test_rebuild_is_seen_by_the_next_query(cli, store, tmp_path, write_folder, tiny_rows):
    before = _count(cli, store)
    folder = write_folder({**tiny_rows, "organizations": tiny_rows["organizations"][:-1]})
    relations = [r for r in tiny_rows["relations"] if "fin-1" not in (r["from_id"], r["to_id"])]
    write_folder({"relations": relations})
    assert cli("build", "--data", folder, "--store", store)[0] == 0
    assert _count(cli, store) == before - 1
    assert cli("build", "--data", "tests/data/tiny", "--store", store)[0] == 0
    assert _count(cli, store) == before


def test_shell_runs_multi_line_statements_and_commands(store):
    engine = EmbeddedEngine.for_store(store)
    try:
        script = io.StringIO(":format json\nMATCH (p:Platform)\nWHERE p.province = $prov\nRETURN count(p) AS n;\n"
                             ":param prov 天津\nMATCH (p:Platform) WHERE p.province = $prov RETURN count(p) AS n;\n"
                             ":schema\n:bogus\nMATCH (n RETURN n;\n:quit\n")
        out = io.StringIO()
        assert interactive(engine, params={"prov": "北京"}, stdin=script, out=out) == 0
    finally:
        engine.close()
    text = out.getvalue()
    assert '"n": 3' in text and '"n": 1' in text
    assert '"label": "Platform"' in text and '"type": "TRANSFERS_TO"' in text
    assert "unknown command ':bogus'" in text
    assert "Error: " in text  # the syntax error is reported and the shell goes on


def test_saved_queries_are_listed_and_run(cli, store, tmp_path):
    qdir = tmp_path / "q"
    qdir.mkdir()
    (qdir / "platforms.cypher").write_text(
        "// name: platforms-in\n// summary: Platforms of one province\n// param: province str 北京\n"
        "// param: limit int 2\nMATCH (p:Platform) WHERE p.province = $province\n"
        "RETURN p.id AS id ORDER BY id LIMIT $limit\n", encoding="utf-8")
    code, out, _ = cli("query", "--list", "--queries", qdir)
    assert any(line.startswith("platforms-in — Platforms of one province  [province, limit]  (saved: ")
               for line in out.splitlines())
    code, out, _ = cli("query", "platforms-in", "--queries", qdir, "--format", "json", "--store", store)
    assert json.loads(out) == [{"id": "bj-pf-1"}, {"id": "bj-pf-2"}]
    code, out, _ = cli("query", "platforms-in", "--queries", qdir, "--param", "province=天津", "--format", "csv",
                       "--store", store)
    assert out.splitlines() == ["id", "tj-pf-1"]
    code, _, err = cli("query", "platforms-in", "--queries", qdir, "--param", "limit=many", "--store", store)
    assert code == 1 and "parameter 'limit': expected int, got 'many'" in err


def test_neo4j_push_unreachable_exits_3(cli, store):
    code, _, err = cli("neo4j", "push", "--uri", "bolt://127.0.0.1:1", "--store", store)
    assert code == 3
    assert "cannot reach bolt://127.0.0.1:1: is Neo4j running? pass --uri" in err


EXAMPLES = sorted((__import__("pathlib").Path(__file__).resolve().parent.parent / "examples" / "queries")
                  .glob("*.cypher"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_saved_queries_run(cli, store, path):
    code, out, err = cli("query", path.stem, "--queries", path.parent, "--format", "json", "--store", store)
    assert code == 0, err
    assert isinstance(json.loads(out), list)


def test_example_saved_queries_pass_neo4j_lint(cypher_linter):
    from queries.saved import read_saved_queries

    for q in read_saved_queries(EXAMPLES[0].parent).values():
        sample = {n: (p.default if p.default is not None else "x") for n, p in q.params.items()}
        report = cypher_linter.lint([q.cypher], parameters=sample)
        assert report[q.cypher] == [], (q.name, report[q.cypher])


@pytest.fixture(scope="module")
def warm_store(tmp_path_factory):
    yield from built_tiny_store(tmp_path_factory, "warm")


@pytest.mark.parametrize("argv", [
    # a sector given by its name: resolved from the store's nodes, not from the graph
    ("query", "rd-scaleup-paths", "--engine", "cypher", "--param", "sector=Hydrogen", "--format", "json"),
    # a platform checked to be a platform, names beside the ids
    ("query", "partner-candidates", "--engine", "cypher", "--param", "platform=bj-pf-1"),
    ("cypher", "MATCH (p:Platform) RETURN count(p) AS n"),
], ids=["query-sector-name", "query-platform", "cypher"])
def test_a_loaded_server_answers_without_reading_the_graph(cli, warm_store, argv):
    from graph.store import Store

    assert cli("cypher", "RETURN 1", "--store", warm_store)[0] == 0  # the server holds the store now
    cache = Store(warm_store).root / "cache"
    for f in cache.iterdir():
        f.unlink()
    code, out, err = cli(*argv, "--store", warm_store)
    assert code == 0, err
    # reading the graph would have found no cache, built it from the tables and written the cache again
    assert not any(cache.iterdir())
    if argv[0] == "query":
        networkx = cli(*[a for a in argv if a not in ("--engine", "cypher")], "--store", warm_store)
        assert (networkx[0], networkx[1]) == (0, out)


def test_a_query_with_its_defaults_reads_no_node_and_loads_no_networkx(cli, warm_store):
    """On a loaded server the answer needs no parameter bound from the nodes, and its ids are named in one
    lookup in the store's arrays: the table equals networkx's, and neither the nodes nor networkx are read."""
    import subprocess
    import sys

    assert cli("cypher", "RETURN 1", "--store", warm_store)[0] == 0  # the server holds the store now
    code = ("import sys, io, contextlib, graph.store, jjjkg.cli\n"
            "graph.store.Store.nodes = lambda self: sys.exit('the nodes were read')\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            "    rc = jjjkg.cli.main(['query', 'rd-scaleup-paths', '--engine', 'cypher', '--store', sys.argv[1]])\n"
            "print(out.getvalue(), end='')\n"
            "print(rc, 'networkx' in sys.modules, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, str(warm_store)], capture_output=True, text=True)
    assert proc.stderr.split()[-2:] == ["0", "False"], proc.stderr
    networkx = cli("query", "rd-scaleup-paths", "--store", warm_store)
    assert networkx[0] == 0 and "样例" in networkx[1]  # names beside the ids
    assert proc.stdout == networkx[1]
