"""Where FalkorDB answers otherwise than Neo4j, ``jjjkg cypher`` answers as Neo4j or says what differs.

Each row of the README's "where FalkorDB differs" table that FalkorDB answers without an error is
checked twice: on the raw engine (the difference is real) and through ``jjjkg cypher`` (Neo4j's
answer, or a note naming the difference). Values typed in another form than the stored one (北京市
for 北京) draw a note naming the stored value, through the command line and the shell.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from graph.store.falkordb import EmbeddedEngine, stop
from jjjkg.shell import interactive
from tests.test_cli_cypher_habits import jj
from tests.test_cli_cypher_rewrites import answer, refusal

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from jjjkg.cli import main

    path = tmp_path_factory.mktemp("differences") / "store"
    assert main(["build", "--data", str(ROOT / "tests" / "data" / "tiny"), "--store", str(path)]) == 0
    yield path
    stop(path)


@pytest.fixture(scope="module")
def engine(store):
    jj("cypher", "RETURN 1", store=store)
    e = EmbeddedEngine.for_store(store)
    yield e
    e.close()


# (README row, statement, FalkorDB's own answer, Neo4j's answer or None when jjjkg notes instead, the note's words)
SILENT = [
    ("adding months or years to a date lets the day overflow",
     "RETURN date('2026-01-31') + duration({months: 1}) AS d",
     [{"d": "2026-03-03"}], [{"d": "2026-02-28"}], "as Neo4j does"),
    ("adding months or years to a date lets the day overflow",
     "WITH date('2026-01-31') AS d RETURN d + duration({months: 1}) AS e",
     [{"e": "2026-03-03"}], None, "letting the day overflow"),
    ("dates and times before 1970 compare wrongly",
     "RETURN date('1910-05-06') < date('1980-10-24') AS x", [{"x": False}], None, "before 1970"),
    ("fractions of a second are dropped",
     "RETURN duration({seconds: 1.5}) AS d, localtime('12:30:14.645') AS t",
     [{"d": "PT1S", "t": "12:30:14"}], None, "drops fractions of a second"),
    ("a sum of durations is normalised",
     "RETURN duration({days: 1}) + duration({hours: 36}) AS d", [{"d": "P2DT12H"}], None, "normalises a sum"),
    ("`sum()` of integers returns a float",
     "UNWIND [1, 2, 3] AS x RETURN sum(x) AS s", [{"s": 6.0}], [{"s": 6}], "a sum of integers is an integer"),
    ("a relationship variable bound earlier and named again in a later `MATCH` is ignored",
     "MATCH ()-[r:OPERATES]->() WITH r MATCH ()-[r]->() RETURN count(*) AS n", None, None, "already bound"),
    ("a pattern with undirected steps may use the same relationship twice",
     "MATCH (a:Organization {id: 'bj-ent-1'})-[:PARTNERS_WITH]-(b)-[:PARTNERS_WITH]-(c) RETURN count(*) AS n",
     None, None, "more than one undirected step"),
]


@pytest.mark.parametrize("row, query, falkordb, neo4j, words", SILENT, ids=[s[1][:40] for s in SILENT])
def test_silent_differences_are_answered_or_noted(store, engine, row, query, falkordb, neo4j, words):
    assert f"| {row}" in README
    raw = engine.run(query, {})
    if falkordb is not None:
        assert raw == falkordb and isinstance(raw[0][next(iter(raw[0]))], type(falkordb[0][next(iter(falkordb[0]))]))
    rows, err = answer(store, query)
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert any(words in n and "Neo4j" in n for n in notes), err
    if neo4j is not None:
        assert rows == neo4j and type(rows[0][next(iter(rows[0]))]) is type(neo4j[0][next(iter(neo4j[0]))])


def test_rebound_relationship_variable_is_a_cartesian_join_on_falkordb(engine):
    one = engine.run("MATCH ()-[r:OPERATES]->() RETURN count(r) AS n", {})[0]["n"]
    every = engine.run("MATCH ()-[r]->() RETURN count(r) AS n", {})[0]["n"]
    rebound = engine.run("MATCH ()-[r:OPERATES]->() WITH r MATCH ()-[r]->() RETURN count(*) AS n", {})[0]["n"]
    assert rebound == one * every != one  # Neo4j: one row per r


def test_sum_keeps_floats_and_names_its_column_as_written(store):
    rows, _ = answer(store, "UNWIND [1, 2.5] AS x RETURN sum(x), sum(DISTINCT toInteger(x)) AS i")
    assert rows == [{"sum(x)": 3.5, "i": 3}]
    rows, _ = answer(store, "MATCH (o:Organization) WHERE o.province = '北京' RETURN sum(1) AS n")
    assert rows == [{"n": 11}] and isinstance(rows[0]["n"], int)  # 北京, 北京市 and Beijing in the CSV


def test_localdatetime_comes_back_without_an_offset(store):
    rows, _ = answer(store, "RETURN localdatetime('2024-01-02T10:00:00') AS t, date('2024-01-02') AS d")
    assert rows == [{"t": "2024-01-02T10:00:00", "d": "2024-01-02"}]


def test_element_id_is_the_identity(store):
    assert "| no `elementId()`" in README
    rows, err = answer(store, "MATCH (n:Platform {id: 'bj-pf-1'}) RETURN elementId(n) AS e, id(n) AS i")
    assert rows[0]["e"] == str(rows[0]["i"])
    assert "note: ran elementId(…) as toString(id(…))" in err


@pytest.mark.parametrize("row, query, hint", [
    ("no label expressions in a node pattern", "MATCH (n:Platform|Site) RETURN count(n)", "WHERE n:Platform OR n:Site"),
    ("`allShortestPaths` only between nodes matched before it",
     "MATCH p = allShortestPaths((a:Platform)-[*]->(b:Site)) RETURN p", "WITH a, b MATCH p = allShortestPaths"),
    ("no APOC", "RETURN apoc.coll.sum([1, 2]) AS s", "reduce(s = 0, x IN xs | s + x)"),
])
def test_neo4j_5_habits_get_a_hint(store, engine, row, query, hint):
    assert f"| {row}" in README
    assert hint in refusal(store, query)
    if "reduce" in hint:
        assert engine.run("RETURN reduce(s = 0, x IN [1, 2] | s + x) AS s", {}) == [{"s": 3}]


# ----------------------------------------------------------------------------- values as users type them


@pytest.mark.parametrize("query, params, note", [
    ("MATCH (o:Organization {province: '北京市'}) RETURN count(o) AS n", (),
     "no node has the province '北京市': the graph stores it as '北京'; write '北京'"),
    ("MATCH (o:Organization) WHERE o.province = $p RETURN count(o) AS n", ("--param", "p=Hebei"),
     "no node has the province 'Hebei': the graph stores it as '河北'"),
    ("MATCH (o:Organization) WHERE o.province IN ['京', '天津'] RETURN count(o) AS n", (),
     "no node has the province '京': the graph stores it as '北京'"),
    ("MATCH (o:Organization) WHERE o.city = '沧州市' RETURN count(o) AS n", (),
     "no node has the city '沧州市': the graph stores it as '沧州'"),
    ("MATCH (r:Region {name: '沧州'}) RETURN count(r) AS n", (),
     "no node has the region name '沧州': the graph stores it as '沧州市'"),
    ("MATCH (o:Organization)-[:IN_SECTOR]->(s:Sector {id: '氢能'}) RETURN count(o) AS n", (),
     "no sector has the id '氢能': it is the name of the sector 'S_H2'"),
    ("MATCH (o:Organization) WHERE '氢能' IN o.sectors RETURN count(o) AS n", (),
     "it is the name of the sector 'S_H2'"),
])
def test_a_value_in_another_form_names_the_stored_one(store, query, params, note):
    rows, err = answer(store, query, *params)
    assert note in err, err
    right, err = answer(store, query.replace("北京市", "北京").replace("'京'", "'北京'").replace("沧州市", "沧州")
                        .replace("'沧州'}", "'沧州市'}").replace("氢能", "S_H2"),
                        *(("--param", "p=河北") if params else ()))
    assert "no node has" not in err and "no sector has" not in err, err


def test_a_stored_value_draws_no_note(store):
    _, err = answer(store, "MATCH (o:Organization {province: '北京'}) WHERE o.city = '北京' RETURN count(o) AS n")
    assert err == ""


def test_the_shell_names_the_stored_value_too(engine):
    out = io.StringIO()
    script = io.StringIO(":param p => '北京市'\nMATCH (o:Organization {province: $p}) RETURN count(o) AS n;\n"
                         "RETURN date('2026-01-31') + duration({months: 1}) AS d;\n")
    assert interactive(engine, stdin=script, out=out) == 0
    text = out.getvalue()
    assert "note: no node has the province '北京市': the graph stores it as '北京'" in text
    assert "2026-02-28" in text and "2026-03-03" not in text
