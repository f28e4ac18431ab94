"""Our own rewrites answer as Neo4j does, through ``jjjkg cypher`` and through its shell.

Each case is a statement whose Neo4j answer is known (from the tiny data's CSV, read with pandas,
or from Neo4j's documented semantics), run as an analyst runs it, in a child process.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from graph.store.falkordb import EmbeddedEngine, stop
from jjjkg.shell import interactive
from tests.test_cli_cypher_habits import jj

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from jjjkg.cli import main

    path = tmp_path_factory.mktemp("rewrites") / "store"
    assert main(["build", "--data", str(TINY), "--store", str(path)]) == 0
    yield path
    stop(path)


@pytest.fixture(scope="module")
def engine(store):
    jj("cypher", "RETURN 1", store=store)  # loads the store into the server
    e = EmbeddedEngine.for_store(store)
    yield e
    e.close()


def answer(store, query, *extra):
    """(rows, stderr) of ``jjjkg cypher QUERY --format json``, after checking it exits 0."""
    r = jj("cypher", query, "--format", "json", *extra, store=store)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout), r.stderr


def refusal(store, query, *extra) -> str:
    r = jj("cypher", query, *extra, store=store)
    assert r.returncode == 1 and "Traceback" not in r.stderr, (r.stdout, r.stderr)
    return r.stderr


ORGS = pd.read_csv(TINY / "organizations.csv", dtype=str, keep_default_na=False)


# ----------------------------------------------------------------------------- 1. =~ precedence


def test_regex_operands_follow_neo4j_precedence(store):
    rows, err = answer(store, "RETURN 'ab' =~ 'a' + 'b' AS a, 'a' + 'b' =~ 'ab' AS b, 'ab' =~ 'a' AS c")
    assert rows == [{"a": True, "b": True, "c": False}]
    assert "note: ran 'ab' =~ ('a' + 'b')" in err


def test_regex_with_a_concatenated_pattern_counts_what_neo4j_counts(store):
    expected = int(ORGS["name"].str.fullmatch(r".*平台|.*基地").sum())
    assert expected == 6
    rows, _ = answer(store, "MATCH (o:Organization) RETURN count(CASE WHEN o.name =~ '.*平台' + '|.*基地' THEN 1 END) AS n")
    assert rows == [{"n": expected}]


@pytest.mark.parametrize("query", [
    "MATCH (n) WHERE n.name =~ 'x' IN [true] RETURN n",  # two comparisons of one level: not one statement in Neo4j
    "RETURN 'a' =~ 'a' =~ 'b' AS x",
    "MATCH (n) WHERE n.name STARTS WITH 'a' =~ 'b' RETURN n",
])
def test_regex_whose_operands_cannot_be_told_is_refused_with_the_way_out(store, query):
    err = refusal(store, query)
    assert "put each side in brackets" in err and "string.matchRegEx" in err


# ----------------------------------------------------------------------------- 2. anchoring


def test_regex_anchoring_cannot_be_escaped(store):
    assert "Invalid regex" in refusal(store, "RETURN 'abc' =~ 'a)|(.*' AS m")
    assert "Invalid regex" in refusal(store, "RETURN 'abc' =~ $re AS m", "--param", "re=a)|(.*")
    rows, _ = answer(store, "RETURN 'abc\\n' =~ 'abc' AS a, 'abc' =~ 'abc' AS b, 'a\\nb' =~ 'a.b' AS c, "
                            "'abc' =~ '(?i)ABC' AS d, null =~ 'a' AS e")
    assert rows == [{"a": False, "b": True, "c": False, "d": True, "e": None}]


# ----------------------------------------------------------------------------- 3–6. EXISTS { … } and COUNT { … }


def test_exists_as_a_value_is_true_or_false(store):
    rows, _ = answer(store, "MATCH (p:Organization) WHERE p.id IN ['bj-ent-1', 'bj-uni-1'] "
                            "RETURN p.id AS id, EXISTS { (p)-[:OPERATES]->() } AS op ORDER BY id")
    assert rows == [{"id": "bj-ent-1", "op": True}, {"id": "bj-uni-1", "op": False}]
    rows, _ = answer(store, "MATCH (p:Platform) WITH p, EXISTS { (p)-[:MEMBER_OF]->() } AS m "
                            "RETURN m, count(*) AS n ORDER BY m")
    assert rows == [{"m": False, "n": 2}, {"m": True, "n": 2}]


def test_a_subquery_keeps_its_variables_to_itself(store, engine):
    neo4j = ("MATCH (p:Organization) WHERE EXISTS { (p)-[:IN_SECTOR]->(x) } MATCH (p)-[:LOCATED_IN]->(x) "
             "RETURN count(*) AS n")
    falkordb = "MATCH (p:Organization) WHERE (p)-[:IN_SECTOR]->() MATCH (p)-[:LOCATED_IN]->(x) RETURN count(*) AS n"
    rows, _ = answer(store, neo4j)
    assert rows == engine.run(falkordb, {}) and rows[0]["n"] > 0
    with_where = neo4j.replace("(x) }", "(x) WHERE x.kind = 'chain' }")
    rows, _ = answer(store, with_where)
    assert rows == engine.run("MATCH (p:Organization) WITH p, size([(p)-[:IN_SECTOR]->(s) WHERE s.kind = 'chain' "
                              "| 1]) AS k WHERE k > 0 MATCH (p)-[:LOCATED_IN]->(x) RETURN count(*) AS n", {})


@pytest.mark.parametrize("query", [
    "MATCH (p:Platform) WHERE EXISTS { MATCH (p)-->(x) CREATE (:Probe) } RETURN count(p) AS n",
    "MATCH (p:Platform) RETURN COUNT { MATCH (p)-->(x) SET x.probe = 1 RETURN x } AS n",
    "MATCH (p:Platform) WHERE EXISTS { MATCH (p)-->(x) DETACH DELETE x } RETURN p",
])
def test_a_write_inside_a_subquery_is_refused_even_with_write(store, query):
    err = refusal(store, query, "--write")
    assert "may only read: Neo4j refuses" in err
    rows, _ = answer(store, "MATCH (n) WHERE n:Probe OR n.probe IS NOT NULL RETURN count(n) AS n")
    assert rows == [{"n": 0}]
    assert answer(store, "MATCH (o:Organization) RETURN count(o) AS n")[0] == [{"n": len(ORGS)}]


def test_starts_with_and_ends_with_inside_a_subquery_are_operators(store, engine):
    rows, _ = answer(store, "MATCH (o:Organization) WHERE EXISTS { (o)-[:IN_SECTOR]->(s) WHERE s.id STARTS WITH 'S_B' } "
                            "RETURN count(o) AS n")
    expected = int(ORGS["sectors"].str.split(";").apply(lambda ids: any(i.startswith("S_B") for i in ids)).sum())
    assert rows == [{"n": expected}] and expected > 0
    rows, _ = answer(store, "MATCH (o:Organization) RETURN sum(COUNT { (o)-[:IN_SECTOR]->(s) WHERE s.id ENDS WITH '2' })"
                            " AS n")
    assert rows[0]["n"] == ORGS["sectors"].str.split(";").apply(lambda ids: sum(i.endswith("2") for i in ids)).sum()


# ----------------------------------------------------------------------------- 7. db.schema.visualization() with a tail


def test_schema_visualization_honours_its_tail(store, engine):
    labels = {r["label"] for r in engine.run("CALL db.labels() YIELD label RETURN label", {})}
    rows, err = answer(store, "CALL db.schema.visualization() YIELD nodes RETURN size(nodes) AS n")
    assert rows == [{"n": len(labels)}]
    assert "a map of its properties" in err
    rows, _ = answer(store, "CALL db.schema.visualization() YIELD nodes UNWIND nodes AS n WITH n "
                            "WHERE n.name STARTS WITH 'Pl' RETURN n.name AS name")
    assert rows == [{"name": "Platform"}]
    rows, _ = answer(store, "CALL db.schema.visualization() YIELD relationships WHERE size(relationships) > 10000 "
                            "RETURN relationships")
    assert rows == []
    assert "expected YIELD, WHERE or nothing" in refusal(store, "CALL db.schema.visualization() RETURN 1")


# ----------------------------------------------------------------------------- the shell


def test_the_shell_gives_the_same_answers(engine):
    script = io.StringIO(":format json\n"
                         "RETURN 'ab' =~ 'a' + 'b' AS a;\n"
                         "RETURN 'abc' =~ 'a)|(.*' AS b;\n"
                         "RETURN 'abc\\n' =~ 'abc' AS c;\n"
                         "MATCH (p:Organization {id: 'bj-ent-1'}) RETURN EXISTS { (p)-[:OPERATES]->() } AS d;\n"
                         "MATCH (o:Organization) WHERE EXISTS { (o)-[:IN_SECTOR]->(s) WHERE s.id STARTS WITH 'S_B' } "
                         "RETURN count(o) > 0 AS e;\n"
                         "CALL db.schema.visualization() YIELD nodes RETURN size(nodes) > 5 AS f;\n")
    out = io.StringIO()
    assert interactive(engine, stdin=script, out=out, write=True) == 0
    text = out.getvalue()
    for key in "acdef":
        value = re.search(rf'"{key}": (\w+)', text)
        assert value and value[1] == ("false" if key == "c" else "true"), (key, text)
    assert "Invalid regex" in text and '"b"' not in text
