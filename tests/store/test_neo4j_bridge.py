"""The Neo4j bridge: load statements, the engine's use of the driver, and Neo4j's own lint of what we send.

Neo4j cannot be installed here, so the bridge is tested in layers (issue 3):

* the statements of ``graph.store.statements``, as plain text and rows;
* the driver-facing code of ``Neo4jEngine`` against a stand-in driver (every such test has
  ``stand_in`` in its name): access modes, parameters, timeouts, error mapping, push batches;
* every statement the bridge can send, checked by Neo4j's Cypher front-end (``tests/lint_cypher.py``).

Real-server tests belong in ``tests/integration/`` (marked ``neo4j``).
"""

from __future__ import annotations

import re
import socket
import sys

import neo4j
import pytest
from neo4j import time as neo4j_time

from graph import schema
from graph.build import KnowledgeGraph, region_node, sector_node, service_node
from graph.errors import MissingDependency, QueryError, StoreUnavailable
from graph.store.engines import Engine
from graph.store.neo4j_engine import Neo4jEngine, to_plain
from graph.store.statements import (
    constraint_statements,
    load_batches,
    node_statement,
    possible_statements,
    relationship_statement,
)
from tests.lint_cypher import cypher_linter  # noqa: F401  (a pytest fixture)

HOSTILE = "'}) DETACH DELETE n //"
URI = "bolt://neo4j.example:7687"


# ----------------------------------------------------------------------------- a graph with every label and relation


def small_graph(org_id_prefix: str = "") -> KnowledgeGraph:
    """One organization of every type, a sector, a service, two regions, and every relation type once.

    The sector's id equals an organization's id on purpose: ids are unique per family only.
    """
    G = KnowledgeGraph(name="small")
    p = org_id_prefix
    for key, t in schema.ORG_TYPES.items():
        G.add_node(f"{p}{key}-1", label=t.label, type=key, name=f"{t.zh}一号", province=schema.BEIJING,
                   sectors=["platform-1"], degree=1)
    G.add_node(sector_node("platform-1"), label=schema.SECTOR, name="集成电路", kind="chain")
    G.add_node(service_node("svc-1"), label=schema.SERVICE, name="中试验证")
    G.add_node(region_node("110000"), label=schema.REGION, name="北京", level="province")
    G.add_node(region_node("110108"), label=schema.REGION, name="海淀区", level="district")
    edges = [
        ("university-1", "platform-1", "TRANSFERS_TO", {"year": 2024, "weight": 0.5, "source": "doc"}),
        ("platform-1", "site-1", "SCALES_UP_AT", {"year": 2025}),
        ("enterprise-1", "platform-1", "OPERATES", {}),
        ("institute-1", "alliance-1", "MEMBER_OF", {}),
        ("park-1", "enterprise-1", "PARTNERS_WITH", {"source": "news"}),
        ("financial-1", "enterprise-1", "SUPPORTS", {}),
        ("agency-1", "platform-1", "SUPPORTS", {}),
        ("platform-1", sector_node("platform-1"), "IN_SECTOR", {}),
        ("platform-1", service_node("svc-1"), "OFFERS", {}),
        ("enterprise-1", service_node("svc-1"), "NEEDS", {}),
        ("university-1", region_node("110108"), "LOCATED_IN", {}),
        (region_node("110108"), region_node("110000"), "PART_OF", {}),
    ]
    for u, v, k, d in edges:
        u = u if isinstance(u, tuple) else p + u
        v = v if isinstance(v, tuple) else p + v
        G.add_edge(u, v, key=k, **d)
    return G


def test_small_graph_covers_the_schema():
    G = small_graph()
    assert {lab for n in G for lab in G.labels_of(n)} == set(schema.all_labels())
    assert {k for *_, k in G.edges(keys=True)} == set(schema.RELATIONS)


# ----------------------------------------------------------------------------- statements


def test_constraints_cover_every_label():
    assert constraint_statements() == [
        f"CREATE CONSTRAINT jjjkg_{label}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in schema.all_labels()]


def test_statements_name_only_schema_labels_and_types():
    names = set(schema.all_labels()) | set(schema.RELATIONS)
    for cypher in possible_statements():
        assert set(re.findall(r":(\w+)", cypher)) <= names, cypher


def test_load_batches_come_in_order_and_match_on_family_labels():
    G = small_graph()
    batches = list(load_batches(G))
    kinds = [b.kind for b in batches]
    assert kinds == sorted(kinds, key=["constraint", "node", "relationship"].index)
    # every statement the graph needs is one the lint test checks
    assert {b.cypher for b in batches} <= set(possible_statements())
    # organization 'platform-1' and sector 'platform-1' are two nodes, merged under different labels
    merged = [(b.cypher.split("MERGE (n:")[1].split()[0], row["id"])
              for b in batches if b.kind == "node" for row in b.params["rows"]]
    assert ("Organization", "platform-1") in merged and ("Sector", "platform-1") in merged
    assert len(merged) == len(set(merged)) == G.number_of_nodes()
    rels = [b for b in batches if b.kind == "relationship"]
    assert sum(len(b.params["rows"]) for b in rels) == G.number_of_edges()
    transfers = next(b for b in rels if ":TRANSFERS_TO]" in b.cypher)
    assert transfers.params == {"rows": [{"from": "university-1", "to": "platform-1",
                                          "props": {"year": 2024, "weight": 0.5, "source": "doc"}}]}


def test_the_tiny_graph_loads_with_known_statements_and_plain_values(tiny_graph):
    batches = list(load_batches(tiny_graph))
    assert {b.cypher for b in batches} <= set(possible_statements())
    nodes = sum(len(b.params["rows"]) for b in batches if b.kind == "node")
    rels = sum(len(b.params["rows"]) for b in batches if b.kind == "relationship")
    assert (nodes, rels) == (tiny_graph.number_of_nodes(), tiny_graph.number_of_edges())

    # values the driver can send as Neo4j properties: no numpy scalars, no None, lists of one type
    def storable(v):
        if isinstance(v, list):
            return len({type(x) for x in v}) <= 1 and all(storable(x) for x in v)
        return type(v) in (str, int, float, bool)

    for b in batches:
        for row in b.params.get("rows", ()):
            assert all(storable(v) for v in row["props"].values()), row


def test_node_rows_carry_schema_properties_only():
    G = small_graph()
    G.nodes["platform-1"]["scratch"] = "not a property of the schema"
    rows = [row for b in load_batches(G) if b.kind == "node" for row in b.params["rows"]]
    row = next(r for r in rows if r["id"] == "platform-1")
    assert row == {"id": "platform-1", "props": {"name": "中试平台一号", "type": "platform", "province": "北京",
                                                  "sectors": ["platform-1"], "degree": 1}}


def test_retyping_an_organization_keeps_one_type_label():
    cypher = node_statement(["Organization", "Enterprise"])
    others = [t.label for t in schema.ORG_TYPES.values() if t.label != "Enterprise"]
    assert cypher == ("UNWIND $rows AS row MERGE (n:Organization {id: row.id}) SET n:Enterprise "
                      f"REMOVE n:{':'.join(others)} SET n += row.props")


@pytest.mark.parametrize("make, message", [
    # a relation type the schema does not define never reaches Cypher text
    (lambda G: G.add_edge("platform-1", "site-1", key="DROPS"), "relation type 'DROPS' is not one of"),
    # nor does a label
    (lambda G: G.add_node("x", label="Evil`", type="evil"), "node label 'Evil`' is not one of"),
])
def test_unknown_names_from_data_are_refused(make, message):
    G = small_graph()
    make(G)
    with pytest.raises(ValueError, match=re.escape(message)):
        list(load_batches(G))


def test_relationship_statement_text():
    assert relationship_statement("PART_OF", "Region", "Region") == (
        "UNWIND $rows AS row MATCH (a:Region) WHERE a.id = row.from MATCH (b:Region) WHERE b.id = row.to "
        "MERGE (a)-[r:PART_OF]->(b) SET r += row.props")


def test_batch_size_is_respected_and_checked():
    G = small_graph()
    batches = list(load_batches(G, batch_size=2))
    assert max(len(b.params.get("rows", [])) for b in batches) == 2
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        list(load_batches(G, batch_size=0))


# ----------------------------------------------------------------------------- a stand-in driver


class StandInResult:
    def __init__(self, records, counters):
        self._records = records
        self._counters = counters

    def __iter__(self):
        return iter(self._records)

    def keys(self):  # as neo4j.Result: the column names, known before any record
        return list(self._records[0].keys()) if self._records else []

    def consume(self):
        return type("Summary", (), {"counters": self._counters})()


class StandInTx:
    def __init__(self, session):
        self._session = session

    def run(self, cypher, parameters=None):
        return self._session._record("execute_write", cypher, parameters, None)


class StandInSession:
    def __init__(self, driver, config):
        self._driver = driver
        self.config = config

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def _record(self, how, text, parameters, timeout):
        d = self._driver
        d.calls.append({"how": how, "cypher": text, "params": parameters, "timeout": timeout, **self.config})
        if d.error is not None:
            raise d.error
        return StandInResult(d.records, neo4j.SummaryCounters(d.merge(text, parameters or {})))

    def run(self, query, parameters=None):
        assert isinstance(query, neo4j.Query)
        return self._record("run", query.text, parameters, query.timeout)

    def execute_write(self, work, *args):
        return work(StandInTx(self), *args)


class StandInDriver:
    """Records what the engine asks of the driver; keeps a set of merged keys to model MERGE."""

    def __init__(self, records=(), error=None):
        self.records = list(records)
        self.error = error
        self.calls: list[dict] = []
        self.closed = False
        self.merged: set = set()

    def session(self, **config):
        return StandInSession(self, config)

    def close(self):
        self.closed = True

    def merge(self, cypher, params):
        stats = {}
        if cypher.startswith("CREATE CONSTRAINT"):
            key = ("constraint", cypher)
            stats["constraints-added"] = int(key not in self.merged)
            self.merged.add(key)
        for row in params.get("rows", ()):
            if "from" in row:
                key = (re.search(r"\[r:(\w+)\]", cypher)[1], row["from"], row["to"])
                stats["relationships-created"] = stats.get("relationships-created", 0) + (key not in self.merged)
            else:
                key = (re.search(r"MERGE \(n:(\w+)", cypher)[1], row["id"])
                stats["nodes-created"] = stats.get("nodes-created", 0) + (key not in self.merged)
            self.merged.add(key)
        return stats


def engine_with(driver, **kw) -> Neo4jEngine:
    return Neo4jEngine(URI, driver=driver, **kw)


def server_error(code: str, message: str) -> neo4j.exceptions.Neo4jError:
    """An error as the driver builds it from a server FAILURE message (the right subclass for ``code``)."""
    return neo4j.exceptions.Neo4jError._hydrate_neo4j(code=code, message=message)


def test_engine_is_an_engine_stand_in():
    """A stand-in replaces the Neo4j driver: Neo4j cannot run on this machine."""
    assert isinstance(engine_with(StandInDriver()), Engine)


def test_run_uses_read_access_and_the_default_timeout_stand_in():
    """A stand-in replaces the Neo4j driver: Neo4j cannot run on this machine."""
    driver = StandInDriver(records=[neo4j.Record({"n": 3, "name": "北京"})])
    engine = engine_with(driver, database="jjj", timeout=12.5)
    assert engine.run("MATCH (p:Platform) RETURN count(p) AS n") == [{"n": 3, "name": "北京"}]
    (call,) = driver.calls
    assert call["default_access_mode"] == neo4j.READ_ACCESS
    assert call["database"] == "jjj"
    assert call["timeout"] == 12.5
    assert call["params"] == {}


def test_run_writes_only_when_asked_stand_in():
    """A stand-in replaces the Neo4j driver: Neo4j cannot run on this machine."""
    driver = StandInDriver()
    engine_with(driver).run("CREATE (:Sector {id: $id})", {"id": "s"}, read_only=False, timeout=3)
    (call,) = driver.calls
    assert call["default_access_mode"] == neo4j.WRITE_ACCESS
    assert call["timeout"] == 3


def test_parameters_reach_the_driver_unchanged_stand_in():
    """A stand-in replaces the Neo4j driver: Neo4j cannot run on this machine."""
    driver = StandInDriver()
    cypher = "MATCH (o:Organization {id: $id}) WHERE o.name = $name RETURN o"
    params = {"id": HOSTILE, "name": "`Platform` } RETURN 1 //", "list": [HOSTILE, 1]}
    engine_with(driver).run(cypher, params)
    (call,) = driver.calls
    assert call["cypher"] == cypher
    assert call["params"] == params


def test_push_keeps_hostile_values_in_parameters_stand_in():
    """A stand-in replaces the Neo4j driver: Neo4j cannot run on this machine."""
    G = small_graph(org_id_prefix=HOSTILE)
    G.nodes[HOSTILE + "platform-1"]["name"] = HOSTILE
    driver = StandInDriver()
    engine_with(driver).push(G)
    assert all(HOSTILE not in call["cypher"] for call in driver.calls)
    sent_ids = {row.get("id") or row["from"] for call in driver.calls for row in (call["params"] or {}).get("rows", ())}
    assert HOSTILE + "platform-1" in sent_ids
    assert (HOSTILE + "platform-1") in {r["id"] for c in driver.calls for r in (c["params"] or {}).get("rows", ())
                                        if r.get("props", {}).get("name") == HOSTILE}


def test_push_sends_constraints_then_nodes_then_relationships_in_batches_stand_in():
    """A stand-in replaces the Neo4j driver: Neo4j cannot run on this machine."""
    G = small_graph()
    driver = StandInDriver()
    seen = []
    counts = engine_with(driver).push(G, batch_size=3, progress=lambda done, total: seen.append((done, total)))
    kinds = ["constraint" if c["cypher"].startswith("CREATE CONSTRAINT")
             else "relationship" if "-[r:" in c["cypher"] else "node" for c in driver.calls]
    assert kinds == sorted(kinds, key=["constraint", "node", "relationship"].index)
    assert kinds.count("constraint") == len(schema.all_labels())
    assert all(c["how"] == "execute_write" and c["default_access_mode"] == neo4j.WRITE_ACCESS for c in driver.calls)
    assert max(len(c["params"].get("rows", [])) for c in driver.calls) <= 3
    assert seen == [(i, len(driver.calls)) for i in range(1, len(driver.calls) + 1)]
    assert counts == {"nodes": G.number_of_nodes(), "relationships": G.number_of_edges(),
                      "nodes_created": G.number_of_nodes(), "relationships_created": G.number_of_edges(),
                      "properties_set": 0, "labels_added": 0, "constraints_added": len(schema.all_labels())}


def test_pushing_twice_sends_the_same_statements_and_creates_nothing_stand_in():
    """A stand-in replaces the Neo4j driver: Neo4j cannot run on this machine."""
    G = small_graph()
    driver = StandInDriver()
    engine = engine_with(driver)
    engine.push(G)
    first = list(driver.calls)
    driver.calls.clear()
    again = engine.push(G)
    assert driver.calls == first
    # only MERGE writes and IF NOT EXISTS constraints: nothing a second run could duplicate
    assert all(re.search(r"\b(CREATE|DELETE)\b", c["cypher"]) is None or "IF NOT EXISTS" in c["cypher"]
               for c in first)
    assert (again["nodes_created"], again["relationships_created"], again["constraints_added"]) == (0, 0, 0)


@pytest.mark.parametrize("error, kind, message", [
    (neo4j.exceptions.ServiceUnavailable("Couldn't connect"), StoreUnavailable,
     f"cannot reach {URI}: is Neo4j running? pass --uri"),
    (neo4j.exceptions.SessionExpired("gone"), StoreUnavailable,
     f"cannot reach {URI}: is Neo4j running? pass --uri"),
    (server_error("Neo.ClientError.Security.Unauthorized", "The client is unauthorized"), StoreUnavailable,
     f"Neo4j at {URI} refused the credentials of user 'neo4j': set NEO4J_PASSWORD to that user's password "
     "(and NEO4J_USERNAME or --user to the user)"),
    (server_error("Neo.ClientError.Statement.SyntaxError", "Invalid input 'RETRN'"), QueryError,
     "Neo4j refused the query 'MATCH (n:Platform)': Invalid input 'RETRN'"),
    (server_error("Neo.ClientError.Statement.TypeError", "Type mismatch"), QueryError,
     "Neo4j refused the query 'MATCH (n:Platform)': Type mismatch"),
    (server_error("Neo.ClientError.Statement.AccessMode", "Writing in read access mode not allowed."), QueryError,
     "Neo4j refused the query 'MATCH (n:Platform)' in a read-only session: "
     "Writing in read access mode not allowed.; pass --write to allow writes"),
    (server_error("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration", "timed out"), QueryError,
     "Neo4j stopped the query 'MATCH (n:Platform)' after its 30 s timeout: pass --timeout to allow longer"),
    (server_error("Neo.ClientError.Database.DatabaseNotFound", "no such database"), StoreUnavailable,
     f"Neo4j at {URI} has no available database 'jjj': pass --database with an existing name"),
    (server_error("Neo.DatabaseError.General.UnknownError", "boom"), QueryError,
     "Neo4j failed on the query 'MATCH (n:Platform)': boom"),
])
def test_driver_errors_become_ours_stand_in(error, kind, message, monkeypatch):
    """A stand-in replaces the Neo4j driver: Neo4j cannot run on this machine."""
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong")
    monkeypatch.delenv("NEO4J_USERNAME", raising=False)
    engine = engine_with(StandInDriver(error=error), database="jjj")
    with pytest.raises(kind) as info:
        engine.run("\n  MATCH (n:Platform)\nRETURN n")
    assert str(info.value) == message
    assert info.value.__cause__ is error


def test_auth_error_without_a_password_names_the_variable_stand_in(monkeypatch):
    """A stand-in replaces the Neo4j driver: Neo4j cannot run on this machine."""
    monkeypatch.delenv("JJJ_PW", raising=False)
    error = server_error("Neo.ClientError.Security.Unauthorized", "unauthorized")
    engine = engine_with(StandInDriver(error=error), password_env="JJJ_PW", user="analyst")
    with pytest.raises(StoreUnavailable) as info:
        engine.run("RETURN 1")
    assert str(info.value) == (f"Neo4j at {URI} requires a password: set JJJ_PW "
                               "(and NEO4J_USERNAME or --user if the user is not 'neo4j')")


def test_push_errors_are_mapped_too_stand_in():
    """A stand-in replaces the Neo4j driver: Neo4j cannot run on this machine."""
    engine = engine_with(StandInDriver(error=neo4j.exceptions.ServiceUnavailable("down")))
    with pytest.raises(StoreUnavailable, match=re.escape(f"cannot reach {URI}: is Neo4j running? pass --uri")):
        engine.push(small_graph())


def test_environment_variables_configure_the_driver_stand_in(monkeypatch):
    """A stand-in replaces the Neo4j driver: Neo4j cannot run on this machine."""
    made = []
    monkeypatch.setattr(neo4j.GraphDatabase, "driver",
                        lambda uri, auth=None, **kw: made.append((uri, auth)) or StandInDriver())
    monkeypatch.setenv("NEO4J_URI", "neo4j://env-host:7687")
    monkeypatch.setenv("NEO4J_USERNAME", "analyst")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret")
    engine = Neo4jEngine()
    assert made == [("neo4j://env-host:7687", ("analyst", "s3cret"))]
    # arguments win over the environment; no password at all sends no credentials
    monkeypatch.delenv("NEO4J_PASSWORD")
    Neo4jEngine("bolt://arg-host:7687", user="me")
    assert made[-1] == ("bolt://arg-host:7687", None)
    engine.close()
    assert engine._driver is None


def test_no_uri_anywhere(monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    with pytest.raises(StoreUnavailable) as info:
        Neo4jEngine()
    assert str(info.value) == "no Neo4j address: pass --uri or set NEO4J_URI"


def test_a_bad_uri_is_refused_by_the_real_driver():
    with pytest.raises(StoreUnavailable, match=r"^cannot use 'localhost:7687' as a Neo4j address: URI scheme"):
        Neo4jEngine("localhost:7687")


def test_an_unreachable_server_with_the_real_driver():
    # a port that was just free: the real driver gets "connection refused"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uri = f"bolt://127.0.0.1:{port}"
    with Neo4jEngine(uri, timeout=2) as engine, pytest.raises(StoreUnavailable) as info:
        engine.run("RETURN 1")
    assert str(info.value) == f"cannot reach {uri}: is Neo4j running? pass --uri"


def test_a_missing_driver_package_is_a_missing_dependency(monkeypatch):
    monkeypatch.setitem(sys.modules, "neo4j", None)  # makes `import neo4j` raise ImportError
    with pytest.raises(MissingDependency) as info:
        Neo4jEngine(URI)
    assert str(info.value) == "the Neo4j bridge needs the 'neo4j' package, which is not installed: pip install neo4j"


# ----------------------------------------------------------------------------- plain values


def test_to_plain_converts_driver_values():
    # the driver's own Bolt hydrator builds the values, as it does for a real result
    from neo4j._codec.hydration.bolt.v1.hydration_handler import _GraphHydrator

    h = _GraphHydrator()
    p = h.hydrate_node(1, ["Organization", "Platform"], {"id": "bj-pf-1", "sectors": ["s1"]}, "4:x:1")
    s = h.hydrate_node(2, ["Organization", "Site"], {"id": "tj-site-1"}, "4:x:2")
    r = h.hydrate_relationship(7, 1, 2, "SCALES_UP_AT", {"year": 2025}, "5:x:7", "4:x:1", "4:x:2")
    path = h.hydrate_path([p, s], [h.hydrate_unbound_relationship(7, "SCALES_UP_AT", {"year": 2025}, "5:x:7")], [1, 1])
    node_plain = {"identity": "4:x:1", "id": "bj-pf-1", "labels": ["Organization", "Platform"],
                  "properties": {"id": "bj-pf-1", "sectors": ["s1"]}}
    rel_plain = {"identity": "5:x:7", "type": "SCALES_UP_AT", "start": "bj-pf-1", "end": "tj-site-1",
                 "start_identity": "4:x:1", "end_identity": "4:x:2", "properties": {"year": 2025}}
    assert to_plain(p) == node_plain
    assert to_plain(r) == rel_plain
    assert to_plain(path) == {"nodes": [node_plain, to_plain(s)], "relationships": [rel_plain]}
    # against its direction, the same relationship keeps its own start and end
    back = h.hydrate_path([s, p], [h.hydrate_unbound_relationship(7, "SCALES_UP_AT", {"year": 2025}, "5:x:7")],
                          [-1, 1])
    assert to_plain(back)["relationships"] == [rel_plain]
    assert to_plain({"d": neo4j_time.Date(2024, 5, 1), "t": neo4j_time.DateTime(2024, 5, 1, 8, 30),
                     "dur": neo4j_time.Duration(days=2), "xs": (1, None)}) == {
        "d": "2024-05-01", "t": "2024-05-01T08:30:00.000000000", "dur": "P2D", "xs": [1, None]}


# ----------------------------------------------------------------------------- Neo4j's own lint

#: the parameters of the load statements, with a sample value
LOAD_PARAMETERS = {"rows": [{"id": "x", "from": "a", "to": "b", "props": {"name": "x"}}]}


def _report(diagnostics: dict) -> str:
    return "\n".join(f"{q}\n    {d}" for q, ds in diagnostics.items() for d in ds)


def test_every_statement_the_bridge_sends_passes_neo4j_lint(cypher_linter):
    sent = {b.cypher for b in load_batches(small_graph())}
    statements = list(dict.fromkeys([*possible_statements(), *sorted(sent)]))
    assert sent <= set(statements) and len(statements) > len(schema.RELATIONS)
    found = {q: ds for q, ds in cypher_linter.lint(statements, LOAD_PARAMETERS).items() if ds}
    assert not found, "Neo4j's linter objects to:\n" + _report(found)


@pytest.mark.parametrize("statement, severity, expected", [
    # a syntax error
    ("MATCH (n:Platform RETURN n", "error", "Invalid input"),
    # a semantic error: shows Neo4j's semantic analysis runs, not only the grammar
    ("MATCH (n:Platform) RETURN m", "error", "Variable `m` not defined"),
    ("MATCH (n:Platform) RETURN size(n)", "error", "Type mismatch"),
    # names our schema does not know
    ("MATCH (n:Platfrom) RETURN n", "warning", "Label Platfrom is not present in the database"),
    ("MATCH (a)-[:TRANSFER_TO]->(b) RETURN a", "warning", "Relationship type TRANSFER_TO is not present"),
    ("MATCH (n:Platform) RETURN n.provence", "warning", "provence is not present in the database"),
    # a parameter the caller did not declare
    ("MATCH (n:Platform {province: $provnce}) RETURN n", "error", "Parameter $provnce is not defined."),
    # functions and procedures a plain Neo4j lacks (e.g. FalkorDB's)
    ("MATCH (n) RETURN algo.pageRank(n)", "error", "Function algo.pageRank is not present in the database"),
    ("CALL algo.BFS(1, 2)", "error", "Procedure algo.BFS is not present in the database"),
    # Neo4j 5 no longer accepts exists(n.prop)
    ("MATCH (n) WHERE exists(n.id) RETURN n", "error", "is no longer supported"),
])
def test_the_linter_reports_broken_statements(cypher_linter, statement, severity, expected):
    (diagnostics,) = cypher_linter.lint([statement], {"rows": []}).values()
    assert any(d.severity == severity and expected in d.message for d in diagnostics), diagnostics
    # the same statement is checked as both Cypher versions
    assert {d.cypher_version for d in diagnostics} == set(cypher_linter.cypher_versions)


def test_the_linter_is_the_pinned_version(cypher_linter):
    from tests.lint_cypher import PINNED_VERSION

    assert cypher_linter.version == PINNED_VERSION == "2.0.0-next.38"
