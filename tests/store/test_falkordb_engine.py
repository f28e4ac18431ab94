"""The embedded FalkorDB engine against a real server: loading, queries, security, recovery.

Every server these tests start is stopped by its fixture (``stop``), and the last test checks
that ``stop`` leaves no process behind.
"""

from __future__ import annotations

import os
import signal
import stat
import time
from collections import Counter

import pandas as pd
import pytest

from graph import schema
from graph.build import build_graph, node_id
from graph.errors import QueryError
from graph.store.falkordb import server as fe
from graph.store.engines import Engine
from graph.store.falkordb import EmbeddedEngine, stop, to_plain
from graph.tables import Tables

HOSTILE = "'}) DETACH DELETE n //"


def _tables() -> Tables:
    orgs = pd.DataFrame([
        # id, name, type, province, sectors, services, needs, region, extras
        dict(id="bj-uni-1", name="清华大学", type="university", province="北京", sectors=["ic", "bio"],
             services=[], needs=[], region="bj-haidian", lat=40.0, lon=116.3),
        dict(id="bj-pf-1", name="北京中试平台一", type="platform", province="北京", sectors=["ic"],
             services=["svc-test", "svc-scale"], needs=[], region="bj-haidian", level="national",
             platform_kind="pilot_platform", independent_legal_entity=True),
        dict(id="bj-pf-2", name=HOSTILE, type="platform", province="北京", sectors=["bio"],
             services=["svc-test"], needs=[], region="bj", independent_legal_entity=False),
        dict(id="tj-site-1", name="天津基地", type="site", province="天津", sectors=["ic"], services=[], needs=[],
             region="tj"),
        dict(id="hb-ent-1", name="河北企业", type="enterprise", province="河北", sectors=[], services=[],
             needs=["svc-test"], region=None, credit_code=None),
        dict(id="all-1", name="京津冀联盟", type="alliance", province=None, sectors=["ic"], services=[], needs=[],
             region=None),
        dict(id="ag-1", name="科委", type="agency", province=None, sectors=[], services=[], needs=[], region=None),
    ])
    rels = pd.DataFrame([
        dict(from_id="bj-uni-1", relation="TRANSFERS_TO", to_id="bj-pf-1", year=2023, weight=0.5, source="s"),
        dict(from_id="bj-pf-1", relation="SCALES_UP_AT", to_id="tj-site-1", year=2024, weight=None, source=None),
        dict(from_id="bj-pf-2", relation="SCALES_UP_AT", to_id="hb-ent-1", year=None, weight=1.0, source="t"),
        dict(from_id="bj-pf-1", relation="MEMBER_OF", to_id="all-1", year=None, weight=None, source=None),
        dict(from_id="bj-uni-1", relation="PARTNERS_WITH", to_id="hb-ent-1", year=None, weight=None, source=None),
        dict(from_id="ag-1", relation="SUPPORTS", to_id="bj-pf-1", year=2022, weight=None, source=None),
        dict(from_id="bj-uni-1", relation="OPERATES", to_id="bj-pf-1", year=None, weight=None, source=None),
    ])
    sectors = pd.DataFrame([
        dict(id="ic", name="集成电路", name_en="Integrated circuits", kind="chain"),
        dict(id="bio", name="生物医药", kind="cluster", parent=None, tier="国际引领"),
    ])
    services = pd.DataFrame([
        dict(id="svc-test", name="检验检测"), dict(id="svc-scale", name="工艺放大", name_en="Scale-up"),
    ])
    regions = pd.DataFrame([
        dict(id="bj", name="北京", level="province"), dict(id="tj", name="天津", level="province"),
        dict(id="bj-haidian", name="海淀区", level="district", parent="bj", lat=39.96, lon=116.3),
    ])
    return Tables(orgs, rels, sectors, services, regions, source="test")


@pytest.fixture(scope="module")
def graph():
    G = build_graph(_tables())
    G.graph["fingerprint"] = "fp-1"
    return G


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store")
    yield path
    stop(path)


@pytest.fixture
def engine(store, graph):
    e = EmbeddedEngine.for_store(store, graph, timeout=10)
    yield e
    e.close()


def _reset(engine, graph):
    """Put the test graph back after a test that wrote to it."""
    engine.load(graph, graph.graph["fingerprint"])


# ----------------------------------------------------------------------------- the interface


def test_is_an_engine(engine):
    assert isinstance(engine, Engine)


def test_server_files_are_private(engine, store):
    sdir = fe._server_dir(store)
    assert stat.S_IMODE(os.stat(sdir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(sdir / "state.json").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(sdir / "redis.conf").st_mode) == 0o600
    assert engine.address == str(sdir / "redis.sock")  # a unix socket, no TCP port
    assert "port 0" in (sdir / "redis.conf").read_text()


# ----------------------------------------------------------------------------- the graph as loaded


def _counts_from_networkx(G):
    labels = Counter(lab for n in G for lab in G.labels_of(n))
    types = Counter(k for _, _, k in G.edges(keys=True))
    return labels, types


def test_label_and_type_counts_match_networkx(engine, graph):
    labels, types = _counts_from_networkx(graph)
    got = {r["label"]: r["n"] for r in engine.run(
        "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n")}
    assert got == dict(labels)
    got = {r["type"]: r["n"] for r in engine.run("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n")}
    assert got == dict(types)
    assert set(labels) <= set(schema.NODE_LABELS) and set(types) <= set(schema.RELATIONS)


def _dump(engine):
    nodes = sorted((sorted(r["n"]["labels"]), sorted(r["n"]["properties"].items(), key=str))
                   for r in engine.run("MATCH (n) RETURN n"))
    edges = sorted((r["r"]["type"], r["r"]["start"], r["r"]["end"], sorted(r["r"]["properties"].items()))
                   for r in engine.run("MATCH ()-[r]->() RETURN r"))
    return nodes, edges


def _dump_networkx(G):
    nodes = sorted((sorted(G.labels_of(n)), sorted(((k, v) for k, v in d.items() if k != "label"), key=str))
                   for n, d in G.nodes(data=True))
    edges = sorted((k, node_id(u), node_id(v), sorted(d.items())) for u, v, k, d in G.edges(keys=True, data=True))
    return nodes, edges


def test_every_node_and_relationship_matches_networkx_exactly(engine, graph):
    assert _dump(engine) == _dump_networkx(graph)


def test_property_types_survive(engine):
    [row] = engine.run("MATCH (o:Organization {id: 'bj-uni-1'}) RETURN o.sectors AS s, o.lat AS lat, "
                       "o.degree AS d, o:University AS uni, o.level AS missing")
    assert row == {"s": ["ic", "bio"], "lat": 40.0, "d": 3, "uni": True, "missing": None}
    [row] = engine.run("MATCH (p:Platform {id: 'bj-pf-1'}) RETURN p.independent_legal_entity AS b, "
                       "p.services AS svc")
    assert row["b"] is True and row["svc"] == ["svc-test", "svc-scale"]
    [row] = engine.run("MATCH ()-[r:TRANSFERS_TO]->() RETURN r.year AS y, r.weight AS w")
    assert row == {"y": 2023, "w": 0.5} and isinstance(row["y"], int)
    # absent stays absent: no property holds null
    assert engine.run("MATCH (n) UNWIND keys(n) AS k WITH n, k WHERE n[k] IS NULL RETURN count(*) AS n") == [{"n": 0}]


def test_indexes_on_id_for_every_label(engine):
    rows = engine.run("CALL db.indexes() YIELD label, properties RETURN label, properties")
    assert {r["label"] for r in rows if "id" in r["properties"]} == set(schema.NODE_LABELS)


def test_bulk_and_unwind_loads_give_identical_graphs(engine, graph):
    bulk = _dump(engine)
    engine.load(graph, "fp-unwind", method="unwind")
    try:
        assert _dump(engine) == bulk
        rows = engine.run("CALL db.indexes() YIELD label RETURN label")
        assert {r["label"] for r in rows} == set(schema.NODE_LABELS)
    finally:
        _reset(engine, graph)


# ----------------------------------------------------------------------------- results


def test_nodes_relationships_and_paths_become_plain(engine):
    [row] = engine.run("MATCH p = (u:University)-[r:TRANSFERS_TO]->(pf) RETURN u, r, p, [1, {a: 2}] AS x")
    assert row["u"]["id"] == "bj-uni-1" and row["u"]["labels"] == ["Organization", "University"]
    assert row["u"]["properties"]["name"] == "清华大学"
    assert row["r"] == {"identity": row["r"]["identity"], "type": "TRANSFERS_TO", "start": "bj-uni-1",
                        "end": "bj-pf-1", "start_identity": row["u"]["identity"],
                        "end_identity": row["p"]["nodes"][1]["identity"],
                        "properties": {"year": 2023, "weight": 0.5, "source": "s"}}
    assert isinstance(row["r"]["identity"], int) and row["u"]["identity"] != row["p"]["nodes"][1]["identity"]
    assert [n["id"] for n in row["p"]["nodes"]] == ["bj-uni-1", "bj-pf-1"]
    assert row["p"]["relationships"] == [row["r"]]
    assert row["x"] == [1, {"a": 2}]


def test_relationship_alone_names_its_end_nodes(engine):
    rows = engine.run("MATCH ()-[r:SCALES_UP_AT]->() RETURN r ORDER BY r.weight")
    assert {(r["r"]["start"], r["r"]["end"]) for r in rows} == {("bj-pf-1", "tj-site-1"), ("bj-pf-2", "hb-ent-1")}


def test_to_plain_leaves_plain_values_alone():
    assert to_plain({"a": [1, ("x", None)], "b": 2.5}) == {"a": [1, ["x", None]], "b": 2.5}


_SCALAR_COLUMNS = """\
UNWIND range(0, 3) AS i
RETURN i, toString(i) AS s, i * 0.5 AS f, i % 2 = 0 AS b, CASE WHEN i > 1 THEN null ELSE i END AS n,
       [i, 'x', null, [i * 1.5, true], []] AS xs, CASE WHEN i = 0 THEN null ELSE 'mixed' END AS m,
       1e308 * 10 AS big
"""


def test_scalar_columns_are_converted_a_column_at_a_time_as_the_client_would(engine):
    from falkordb.query_result import QueryResult

    from graph.store.falkordb.values import plain_columns

    graph = engine._db.select_graph(engine.graph_name)
    reply = graph.execute_command("GRAPH.RO_QUERY", engine.graph_name, _SCALAR_COLUMNS, "--compact")
    by_client = [[to_plain(v) for v in row] for row in QueryResult(graph, reply).result_set]
    columns = plain_columns(reply[1], len(reply[0]))
    assert columns is not None  # no value here needs the client
    assert [list(row) for row in zip(*columns)] == by_client
    assert by_client[1] == [1, "1", 0.5, False, 1, [1, "x", None, [1.5, True], []], "mixed", float("inf")]
    assert engine.run(_SCALAR_COLUMNS)[1]["xs"] == [1, "x", None, [1.5, True], []]
    # a node anywhere in a column (here inside a list) leaves the whole reply to the client and to_plain
    reply = graph.execute_command("GRAPH.RO_QUERY", engine.graph_name,
                                  "MATCH (u:University) RETURN u.id AS id, [u] AS us", "--compact")
    assert plain_columns(reply[1], 2) is None
    assert engine.run("MATCH (u:University) RETURN u.id AS id, [u] AS us")[0]["us"][0]["id"] == "bj-uni-1"


# ----------------------------------------------------------------------------- read-only, writes, parameters


def test_read_only_refuses_create(engine):
    with pytest.raises(QueryError, match="read-only; pass read_only=False"):
        engine.run("CREATE (:Platform {id: 'x'})")
    assert engine.run("MATCH (n {id: 'x'}) RETURN count(n) AS n") == [{"n": 0}]


def test_write_mode_writes(engine, graph):
    try:
        rows = engine.run("CREATE (p:Organization:Platform {id: $id}) RETURN p.id AS id", {"id": "new"},
                          read_only=False)
        assert rows == [{"id": "new"}]
        assert engine.run("MATCH (p:Platform {id: 'new'}) RETURN count(p) AS n") == [{"n": 1}]
    finally:
        _reset(engine, graph)


@pytest.mark.parametrize("value", [
    HOSTILE,  # closes a map and a pattern, then comments out the rest
    "x\" }) DETACH DELETE n //",  # the same with a double quote
    "\\\" }) DETACH DELETE n //",  # a backslash to eat the escape of the quote
    "'; MATCH (n) DETACH DELETE n; //\n",  # statement separator and newline
])
def test_hostile_parameters_change_nothing(engine, graph, value):
    before = _dump(engine)
    for read_only in (True, False):  # even in write mode the value stays a value
        engine.run("MATCH (n) WHERE n.name = $name RETURN n.id AS id", {"name": value}, read_only=read_only)
        engine.run("MERGE (n:Sector {id: 'ic'}) SET n.note = $v RETURN n.note AS note", {"v": value},
                   read_only=False)
        assert engine.run("MATCH (n:Sector {id: 'ic'}) RETURN n.note AS v") == [{"v": value}]
    engine.run("MATCH (n:Sector {id: 'ic'}) REMOVE n.note", read_only=False)
    assert _dump(engine) == before
    assert engine.run("MATCH (p {name: $n}) RETURN p.id AS id", {"n": HOSTILE}) == [{"id": "bj-pf-2"}]


def test_cypher_error_is_one_line_with_position(engine):
    with pytest.raises(QueryError) as info:
        engine.run("MATCH (n RETURN n")
    msg = str(info.value)
    assert msg.startswith("Cypher error at line 1, column 10: Invalid input 'R'") and "\n" not in msg


def test_unknown_function_is_a_query_error(engine):
    with pytest.raises(QueryError, match="^Cypher error: Unknown function 'nosuch'$"):
        engine.run("RETURN nosuch(1)")


# ----------------------------------------------------------------------------- reuse, reload, recovery


def test_second_open_reuses_server_and_skips_reload(engine, store, graph):
    pid = engine.pid
    try:
        again = EmbeddedEngine(store, timeout=10)
        assert again.pid == pid
        assert again.ensure_loaded(graph) is False  # the server holds this fingerprint already
        again.close()
        G2 = graph.copy()
        G2.graph["fingerprint"] = "fp-2"  # the store changed: reload
        third = EmbeddedEngine(store, timeout=10)
        assert third.ensure_loaded(G2) is True and third.pid == pid
        third.close()
    finally:
        _reset(engine, graph)


def test_a_write_makes_the_next_open_reload(engine, store, graph):
    engine.run("MATCH (n:Sector {id: 'ic'}) SET n.marker = 1", read_only=False)
    assert engine.run("MATCH (n:Sector {id: 'ic'}) RETURN n.marker AS m") == [{"m": 1}]  # this engine sees it
    again = EmbeddedEngine(store, timeout=10)
    try:
        assert again.ensure_loaded(graph) is True
        assert again.run("MATCH (n:Sector {id: 'ic'}) RETURN n.marker AS m") == [{"m": None}]
        assert again.ensure_loaded(graph) is False
    finally:
        again.close()


def test_graph_without_fingerprint_is_always_loaded(engine, store, graph):
    G = graph.copy()
    G.graph.pop("fingerprint")
    try:
        EmbeddedEngine.for_store(store, G).close()
        engine.run("MATCH (n:Sector {id: 'ic'}) SET n.marker = 1", read_only=False)
        EmbeddedEngine.for_store(store, G).close()
        assert engine.run("MATCH (n:Sector {id: 'ic'}) RETURN n.marker AS m") == [{"m": None}]
    finally:
        _reset(engine, graph)


def test_killed_server_recovers_on_next_query(engine, graph):
    old = engine.pid
    os.kill(old, signal.SIGKILL)
    while fe._pid_alive(old):
        time.sleep(0.01)
    assert engine.run("MATCH (n:Organization) RETURN count(n) AS n") == [{"n": 7}]
    assert engine.pid != old
    assert _dump(engine) == _dump_networkx(graph)


def test_killed_server_recovers_on_next_open(engine, store, graph):
    old = engine.pid
    os.kill(old, signal.SIGKILL)
    while fe._pid_alive(old):
        time.sleep(0.01)
    fresh = EmbeddedEngine.for_store(store, graph)
    try:
        assert fresh.pid != old
        assert fresh.run("MATCH (n:Sector) RETURN count(n) AS n") == [{"n": 2}]
    finally:
        fresh.close()


def test_query_timeout_is_a_query_error(engine):
    pid = engine.pid
    t0 = time.monotonic()
    with pytest.raises(QueryError, match="^the query timed out after 0.2 s"):
        # 25 million rows, a few seconds of work; FalkorDB checks its timeout between rows
        engine.run("UNWIND range(1, 5000) AS x UNWIND range(1, 5000) AS y WITH x, y "
                   "WHERE (x * y) % 7 = 3 RETURN count(*) AS n", timeout=0.2)
    assert time.monotonic() - t0 < 2
    assert engine.pid == pid  # FalkorDB stopped it: no restart


def test_query_that_ignores_timeout_gets_server_restarted(engine, graph):
    # building a 10^8-element list is not interrupted by FalkorDB's timeout (several seconds here);
    # it needs 1.6 GB, more than a query may use by default: this server lets it (the restart resets it)
    engine._conn().execute_command("GRAPH.CONFIG", "SET", "QUERY_MEM_CAPACITY", 8 << 30)
    old = engine.pid
    t0 = time.monotonic()
    with pytest.raises(QueryError, match="^the query timed out: it ran past its timeout of 0.1 s"):
        engine.run("UNWIND range(1, 100000000) AS x RETURN max(x) AS m", timeout=0.1)
    assert time.monotonic() - t0 < 10
    assert engine.pid != old and not fe._pid_alive(old)
    assert _dump(engine) == _dump_networkx(graph)  # restarted and reloaded


def test_long_store_path_falls_back_to_short_private_socket(tmp_path, graph, monkeypatch):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    runtime = tmp_path / ("r" * 60) / ("s" * 40)  # the server's folder, too deep for a socket
    runtime.mkdir(parents=True, mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    e = EmbeddedEngine.for_store(deep, graph)
    try:
        sock_dir = os.path.dirname(e.address)
        assert e.address.startswith("/tmp/jjjkg-") and stat.S_IMODE(os.stat(sock_dir).st_mode) == 0o700
        assert e.run("MATCH (n:Region) RETURN count(n) AS n") == [{"n": 3}]
    finally:
        e.close()
        assert stop(deep)
    assert not os.path.exists(sock_dir)


def test_stop_leaves_no_process(tmp_path, graph):
    e = EmbeddedEngine.for_store(tmp_path, graph)
    pid = e.pid
    e.close()
    assert stop(tmp_path) is True
    assert not fe._pid_alive(pid)
    assert not (fe._server_dir(tmp_path) / "state.json").exists()
    assert stop(tmp_path) is False


def test_abort_ends_the_running_statement_and_the_next_one_runs(engine, graph):
    import threading

    old = engine.pid
    outcome = {}

    def slow():
        t0 = time.monotonic()
        try:  # 400 million rows: a minute of work, well within its timeout
            engine.run("UNWIND range(1, 20000) AS x UNWIND range(1, 20000) AS y WITH x, y "
                       "WHERE (x * y) % 7 = 3 RETURN count(*) AS n", timeout=60)
        except QueryError as err:
            outcome["error"] = str(err)
        outcome["took"] = time.monotonic() - t0

    runner = threading.Thread(target=slow)
    runner.start()
    time.sleep(1.0)
    assert engine.abort()
    runner.join(15)
    assert outcome["error"] == "the statement was ended on the server (aborted)"
    assert outcome["took"] < 4
    assert not fe._pid_alive(old)
    assert engine.run("RETURN 1 AS one") == [{"one": 1}]  # the next statement restarts the server
    assert engine.pid != old
    assert _dump(engine) == _dump_networkx(graph)  # and reloads it
