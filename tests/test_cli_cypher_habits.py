"""Neo4j habits through ``python -m jjjkg cypher`` (and the shell) on the real embedded FalkorDB server.

Each test types what an analyst coming from Neo4j Browser or cypher-shell types, and checks what
comes back: the plan for EXPLAIN/PROFILE, Neo4j's columns for SHOW and db.* procedures, non-ASCII
names, rewrites whose answers equal the hand-written FalkorDB form, hints, and messages.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from graph.errors import QueryError
from graph.store.falkordb import EmbeddedEngine, stop
from graph.cypher.habits import CONSTRAINT_COLUMNS, INDEX_COLUMNS
from jjjkg.shell import interactive

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from jjjkg.cli import main

    path = tmp_path_factory.mktemp("habits") / "store"
    assert main(["build", "--data", str(ROOT / "tests" / "data" / "tiny"), "--store", str(path)]) == 0
    yield path
    stop(path)


def jj(*args, store=None) -> subprocess.CompletedProcess:
    """``python -m jjjkg ARGS`` in a child process, as an analyst runs it."""
    argv = [sys.executable, "-m", "jjjkg", *map(str, args)] + (["--store", str(store)] if store else [])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(argv, capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120)


def cypher_json(store, query, *extra):
    r = jj("cypher", query, "--format", "json", *extra, store=store)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout), r.stderr


def error_of(*args, store) -> str:
    """The one-line error ``jjjkg ARGS`` prints, after checking it exits 1."""
    r = jj(*args, store=store)
    assert r.returncode == 1, r.stdout
    return r.stderr.strip()


def count(store, label: str) -> int:
    rows, _ = cypher_json(store, f"MATCH (n:{label}) RETURN count(n) AS n")
    return rows[0]["n"]


@pytest.fixture(scope="module")
def engine(store):
    count(store, "Platform")  # the first command loads the store into the server
    e = EmbeddedEngine.for_store(store)
    yield e
    e.close()


# ----------------------------------------------------------------------------- EXPLAIN and PROFILE


def test_explain_prints_the_plan_and_runs_nothing(store):
    r = jj("cypher", "EXPLAIN MATCH (p:Platform)-[:IN_SECTOR]->(s:Sector) RETURN p.id, count(s)", store=store)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "Results"
    assert any(line.strip().startswith("Aggregate") for line in lines)
    assert any("Conditional Traverse" in line for line in lines)
    assert "row" not in r.stdout and "bj-pf-1" not in r.stdout  # the plan, not the rows
    # even with --write, EXPLAIN of a write only plans it
    r = jj("cypher", "EXPLAIN CREATE (:Probe {id: 'explained'})", "--write", store=store)
    assert r.returncode == 0 and r.stdout.strip() == "Create", r.stderr
    assert count(store, "Probe") == 0


def test_explain_as_json_has_one_record_per_operator(store):
    rows, _ = cypher_json(store, "explain MATCH (p:Platform {id: $id}) RETURN p.name", "--param", "id=bj-pf-1")
    assert [r["operator"] for r in rows][0] == "Results"
    assert {"depth", "operator", "details"} == set(rows[0])
    assert any(r["operator"] == "Node By Index Scan" and r["details"] == "(p:Platform)" for r in rows)


def test_profile_runs_and_counts_records(store):
    rows, _ = cypher_json(store, "PROFILE MATCH (p:Platform) RETURN p.id")
    scan = [r for r in rows if r["operator"] == "Node By Label Scan"]
    assert scan and scan[0]["records"] == count(store, "Platform")
    assert all(isinstance(r["ms"], float) for r in rows)
    r = jj("cypher", "PROFILE MATCH (p:Platform) RETURN p.id", store=store)
    assert "Records produced:" in r.stdout.splitlines()[0]


@pytest.mark.parametrize("query", [
    "PROFILE CREATE (:Probe {id: 'profiled'})",  # an updating clause
    "PROFILE MATCH (p:Platform) SET p.probe = 1",
    "PROFILE MATCH (p:Platform) CALL { WITH p CREATE (:Probe) }",  # a write inside a subquery
    "PROFILE CALL db.idx.fulltext.createNodeIndex('Probe', 'name')",  # a procedure that writes
])
def test_profile_refuses_writes_in_read_only_mode(store, query):
    r = jj("cypher", query, store=store)
    assert r.returncode == 1
    assert "--write" in r.stderr and "read_only" not in r.stderr and "Traceback" not in r.stderr
    assert count(store, "Probe") == 0
    rows, _ = cypher_json(store, "MATCH (p:Platform) WHERE p.probe IS NOT NULL RETURN count(p) AS n")
    assert rows == [{"n": 0}]


def test_profile_with_write_runs_the_write(store):
    r = jj("cypher", "PROFILE CREATE (:Probe {id: 'profiled'})", "--write", store=store)
    assert r.returncode == 0 and r.stdout.startswith("Create | Records produced"), r.stderr
    assert count(store, "Probe") == 1
    assert jj("cypher", "MATCH (n:Probe) DELETE n", "--write", store=store).returncode == 0
    assert count(store, "Probe") == 0


# ----------------------------------------------------------------------------- SHOW and db.*


def test_show_indexes_has_neo4j_columns(store):
    rows, _ = cypher_json(store, "SHOW INDEXES")
    assert rows and list(rows[0]) == list(INDEX_COLUMNS)
    platform = [r for r in rows if r["labelsOrTypes"] == ["Platform"]]
    assert platform == [{"id": platform[0]["id"], "name": "range_Platform_id", "state": "ONLINE",
                         "populationPercent": 100.0, "type": "RANGE", "entityType": "NODE",
                         "labelsOrTypes": ["Platform"], "properties": ["id"], "indexProvider": "range-1.0",
                         "owningConstraint": None, "lastRead": None, "readCount": None}]
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)


def test_show_indexes_yield_and_where(store):
    r = jj("cypher", "SHOW INDEXES YIELD name, labelsOrTypes WHERE name STARTS WITH 'range_P' RETURN name",
           "--format", "csv", store=store)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["name", "range_Park_id", "range_Platform_id"]
    rows, _ = cypher_json(store, "SHOW RANGE INDEXES WHERE 'Sector' IN labelsOrTypes")
    assert [r["name"] for r in rows] == ["range_Sector_id"]
    rows, _ = cypher_json(store, "SHOW FULLTEXT INDEXES")
    assert rows == []


def test_show_constraints_keeps_neo4j_columns_when_empty(store):
    r = jj("cypher", "SHOW CONSTRAINTS", "--format", "csv", store=store)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [",".join(CONSTRAINT_COLUMNS)]  # the store has no constraints


def test_db_procedures_answer_with_neo4j_columns(store):
    for call, column, expected in [("CALL db.labels()", "label", "Platform"),
                                   ("CALL db.relationshipTypes()", "relationshipType", "TRANSFERS_TO"),
                                   ("CALL db.propertyKeys()", "propertyKey", "province")]:
        rows, _ = cypher_json(store, call)
        assert all(list(r) == [column] for r in rows)
        assert expected in {r[column] for r in rows}


def test_schema_visualization(store):
    (row,), _ = cypher_json(store, "CALL db.schema.visualization()")
    names = {n["properties"]["name"] for n in row["nodes"]}
    assert {"Organization", "Platform", "Sector", "Region"} <= names
    assert next(n for n in row["nodes"] if n["labels"] == ["Platform"])["properties"]["indexes"] == ["id"]
    rels = {(r["start"], r["type"], r["end"]) for r in row["relationships"]}
    assert ("University", "TRANSFERS_TO", "Platform") in rels and ("Platform", "SCALES_UP_AT", "Site") in rels


# ----------------------------------------------------------------------------- non-ASCII names


def test_non_ascii_names_work(store):
    rows, err = cypher_json(store, "MATCH (机构:Platform {id: 'bj-pf-1'}) RETURN 机构.name AS 名称, count(机构)")
    assert rows == [{"名称": "样例氢能中试平台", "count(机构)": 1}]
    assert "\ufffd" not in err and "`名称`" in err  # the note says what was quoted
    rows, _ = cypher_json(store, "MATCH (o:Organization {id: $编号}) RETURN o.id AS id", "--param", "编号=bj-pf-1")
    assert rows == [{"id": "bj-pf-1"}]
    # strings and comments keep their characters: nothing inside them is quoted
    rows, _ = cypher_json(store, "RETURN '名称 // 不是注释' AS 文本 // 名称")
    assert rows == [{"文本": "名称 // 不是注释"}]


def test_full_width_punctuation_is_pointed_at(store):
    assert error_of("cypher", "MATCH (p:Platform) RETURN p.id，p.name", store=store) == (
        "Error: Cypher error at line 1, column 31: '，' (FULLWIDTH COMMA) is not Cypher punctuation; "
        "type the ASCII ',' instead (a Chinese input method types the full-width one)")


def test_saved_query_with_chinese_names(store, tmp_path):
    (tmp_path / "平台.cypher").write_text("// name: platforms-zh\n// summary: 平台名称\n"
                                          "MATCH (平台:Platform) WHERE 平台.province = '天津' RETURN 平台.id AS 编号\n",
                                          encoding="utf-8")
    r = jj("query", "platforms-zh", "--queries", tmp_path, "--format", "json", store=store)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [{"编号": "tj-pf-1"}]


# ----------------------------------------------------------------------------- rewrites and hints


@pytest.mark.parametrize("neo4j, falkordb", [
    # EXISTS { pattern } → the pattern predicate; a name only the subquery uses is dropped
    ("MATCH (n:Organization) WHERE EXISTS { (n)-[:MEMBER_OF]->(a:Alliance) } RETURN n.id AS id ORDER BY id",
     "MATCH (n:Organization) WHERE (n)-[:MEMBER_OF]->(:Alliance) RETURN n.id AS id ORDER BY id"),
    ("MATCH (n:Platform) WHERE NOT EXISTS { MATCH (n)-[:SCALES_UP_AT]->() } RETURN n.id AS id ORDER BY id",
     "MATCH (n:Platform) WHERE NOT (n)-[:SCALES_UP_AT]->() RETURN n.id AS id ORDER BY id"),
    # EXISTS { … WHERE … } in a projection → a pattern comprehension
    ("MATCH (n:Platform) RETURN n.id AS id, EXISTS { (n)-[:IN_SECTOR]->(s) WHERE s.kind = 'chain' } AS e "
     "ORDER BY id",
     "MATCH (n:Platform) RETURN n.id AS id, size([(n)-[:IN_SECTOR]->(s) WHERE s.kind = 'chain' | 1]) > 0 AS e "
     "ORDER BY id"),
    # … and in a MATCH's WHERE, computed in a WITH * just before it
    ("MATCH (n:Platform) WHERE EXISTS { (n)-[:IN_SECTOR]->(s) WHERE s.kind = 'chain' } AND "
     "COUNT { (n)-[:SCALES_UP_AT]->() } >= 1 RETURN n.id AS id ORDER BY id",
     "MATCH (n:Platform) WITH n, size([(n)-[:IN_SECTOR]->(s) WHERE s.kind = 'chain' | 1]) AS k, "
     "size([(n)-[:SCALES_UP_AT]->() | 1]) AS m WHERE k > 0 AND m >= 1 RETURN n.id AS id ORDER BY id"),
    ("MATCH (n:Platform) RETURN n.id AS id, COLLECT { MATCH (n)-[:IN_SECTOR]->(s) WHERE s.kind = 'chain' "
     "RETURN s.id AS sid } AS sectors ORDER BY id",
     "MATCH (n:Platform) RETURN n.id AS id, [(n)-[:IN_SECTOR]->(s) WHERE s.kind = 'chain' | s.id] AS sectors "
     "ORDER BY id"),
    ("MATCH (n:Platform) RETURN n.id AS id, COUNT { (n)-[:IN_SECTOR]->() } AS k ORDER BY id",
     "MATCH (n:Platform) RETURN n.id AS id, size([(n)-[:IN_SECTOR]->() | 1]) AS k ORDER BY id"),
    ("MATCH (n:Platform) CALL (n) { MATCH (n)-[:IN_SECTOR]->(s) RETURN count(s) AS k } RETURN n.id AS id, k "
     "ORDER BY id",
     "MATCH (n:Platform) CALL { WITH n MATCH (n)-[:IN_SECTOR]->(s) RETURN count(s) AS k } RETURN n.id AS id, k "
     "ORDER BY id"),
    ("MATCH (n:Organization) WHERE n.id =~ 'bj-.*-1' RETURN n.id AS id ORDER BY id",
     "MATCH (n:Organization) WHERE n.id STARTS WITH 'bj-' AND n.id ENDS WITH '-1' RETURN n.id AS id ORDER BY id"),
    ("MATCH p = shortestPath((a:University)-[*..3]->(b:Site)) RETURN a.id AS a, b.id AS b, length(p) AS n "
     "ORDER BY a, b",
     "MATCH (a:University), (b:Site) WITH a, b, shortestPath((a)-[*..3]->(b)) AS p WHERE p IS NOT NULL "
     "RETURN a.id AS a, b.id AS b, length(p) AS n ORDER BY a, b"),
    ("RETURN 'ab' =~ 'a' AS a, 'ab' =~ 'a|ab' AS b, null =~ 'a' AS c, toLower('AB') =~ $re AS d",
     "RETURN false AS a, true AS b, null AS c, true AS d"),
])
def test_rewrites_answer_as_the_falkordb_form(store, engine, neo4j, falkordb):
    rows, err = cypher_json(store, neo4j, "--param", "re=a.")
    assert rows == engine.run(falkordb, {}) and rows
    assert "note: ran " in err


def test_exists_in_the_subquery_form_fails_on_falkordb_itself(engine):
    # what the rewrites stand in for: FalkorDB's own answers to the Neo4j forms
    for q in ("MATCH (n) WHERE EXISTS { (n)-->() } RETURN n", "MATCH (n) RETURN COUNT { (n)-->() }",
              "MATCH (n) CALL (n) { RETURN 1 AS x } RETURN x", "MATCH (n) WHERE n.id =~ 'a' RETURN n",
              "RETURN 1 AS 名称"):
        with pytest.raises(QueryError):
            engine.run(q, {})


@pytest.mark.parametrize("query, hint", [
    ("MATCH (n) WHERE EXISTS { MATCH (n)-->(m) WITH m RETURN m } RETURN n", "cannot be rewritten: use a pattern"),
    ("OPTIONAL MATCH (n:Platform) WHERE EXISTS { (n)-[:IN_SECTOR]->(s) WHERE s.kind = 'chain' } RETURN n",
     "only in WITH and RETURN"),
    ("RETURN datetime() AS t", "use localdatetime("),
    ("RETURN time() AS t", "use localtime()"),
    ("RETURN duration.between(date('2024-01-01'), date('2024-02-01')) AS d", "compare years as integers"),
    ("RETURN date.truncate('month', date('2024-03-05')) AS d", "date({year: d.year"),
    ("MATCH (a:Platform {id: 'bj-pf-1'}), (b:Site) RETURN shortestPath((a)-[*]-(b))", "write -[*]->"),
    # a WHERE on the MATCH would steer Neo4j's search: not rewritten
    ("MATCH p = shortestPath((a:Platform {id: 'bj-pf-1'})-[*]->(b:Site)) WHERE length(p) > 1 RETURN p",
     "only in WITH or RETURN"),
    ("RETURN 0o17 AS x", "write 017"),
    ("CALL apoc.help('x')", "no APOC"),
    ("MATCH (n) WHERE n.name =~ 'x' IN [true] RETURN n", "string.matchRegEx"),  # not one statement in Neo4j
])
def test_unsupported_constructs_get_a_hint(store, query, hint):
    r = jj("cypher", query, store=store)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert [line for line in r.stderr.splitlines() if not line.startswith(("note: ", "  "))][0].startswith("Error: ")
    assert hint in r.stderr, r.stderr


# ----------------------------------------------------------------------------- messages


def test_missing_parameters_are_named(store):
    assert error_of("cypher", "MATCH (o:Organization {id: $id}) WHERE o.province = $prov RETURN o", "--param", "id=x",
                    store=store) == ("Error: missing parameter $prov: pass --param prov=VALUE "
                                     "(in the shell: :param prov VALUE)")
    r = jj("cypher", "RETURN $a + $b // $c is a comment, '$d' a string", store=store)
    assert "missing parameters $a, $b: pass --param a=VALUE --param b=VALUE" in r.stderr


def test_unknown_names_warn_with_the_nearest(store):
    r = jj("cypher", "MATCH (p:Platfrom)-[:TRANSFER_TO]->(x) WHERE p.provnce = '北京' RETURN p.nmae", store=store)
    assert r.returncode == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == ["warning: the graph has no label 'Platfrom'; did you mean Platform?",
                        "warning: the graph has no relationship type 'TRANSFER_TO'; did you mean TRANSFERS_TO?",
                        "warning: the graph has no property key 'provnce'; did you mean province?",
                        "warning: the graph has no property key 'nmae'; did you mean name?"]
    r = jj("cypher", "MATCH (p:Platform)-[:IN_SECTOR]->(s:Sector {kind: 'chain'}) WITH p, {n: s.name} AS m "
           "RETURN m.n, p.`id`", store=store)
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_timeout_speaks_of_the_option(store):
    assert error_of("cypher", "MATCH (a), (b), (c), (d) RETURN count(*)", "--timeout", "0.5", store=store) == (
        "Error: the query timed out after 0.5 s; narrow it, or allow more time (--timeout SECONDS)")


def test_write_refusal_speaks_of_the_option(store):
    assert error_of("cypher", "CREATE (:Probe)", store=store) == (
        "Error: the query writes to the graph, and queries are read-only unless you ask: "
        "run it again with --write to allow writes")


# ----------------------------------------------------------------------------- the shell


def test_shell_takes_neo4j_params_and_several_statements_a_line(engine):
    script = io.StringIO(':param id => "bj-pf-1"\n:format json\n'
                         "MATCH (p:Platform {id: $id}) RETURN p.id AS a; RETURN ';' AS b;\n")
    out = io.StringIO()
    assert interactive(engine, stdin=script, out=out) == 0
    text = out.getvalue()
    assert '"a": "bj-pf-1"' in text and '"b": ";"' in text


def test_one_statement_per_command(store):
    rows, _ = cypher_json(store, "RETURN 1 AS x ;  // a closing semicolon and comment are fine")
    assert rows == [{"x": 1}]
    r = jj("cypher", "RETURN 1 AS x; RETURN 2 AS y", store=store)
    assert r.returncode == 1 and "holds 2 statements separated by ';'" in r.stderr


def test_shell_answers_the_same_habits(store, engine):
    script = io.StringIO("EXPLAIN MATCH (p:Platform) RETURN p;\nSHOW INDEXES YIELD name WHERE name = 'range_Site_id';\n"
                         "MATCH (机构:Platform {id: 'bj-pf-1'}) RETURN 机构.name AS 名称;\nCREATE (:Probe);\n"
                         "MATCH (n {id: $nope}) RETURN n;\n"
                         "PROFILE MATCH (p:Platform) RETURN p.id;\nPROFILE CREATE (:Probe);\n"
                         "CALL db.schema.visualization();\n"
                         "MATCH (n:Platfrom) WHERE NOT EXISTS { (n)-[:MEMBER_OF]->() } RETURN count(n) AS k;\n"
                         "RETURN datetime();\n")
    out = io.StringIO()
    assert interactive(engine, stdin=script, out=out) == 0
    text = out.getvalue()
    assert re.search(r"Node By Label Scan \| \(p:Platform\) \| Records produced: 4, Execution time: [\d.]+ ms", text)
    assert "PROFILE runs the query, and this one writes to the graph (CREATE)" in text
    assert "TRANSFERS_TO" in text and "nodes" in text
    assert "note: ran EXISTS { (n)-[:MEMBER_OF]->() } as the pattern predicate" in text
    assert "warning: the graph has no label 'Platfrom'; did you mean Platform?" in text
    assert "hint: FalkorDB has no datetime()" in text
    assert "Results\n    Project\n        Node By Label Scan | (p:Platform)\n" in text
    assert "range_Site_id" in text and "range_Park_id" not in text
    assert "样例氢能中试平台" in text and "名称" in text
    assert "start it again with `jjjkg cypher --write`" in text
    assert "missing parameter $nope" in text


# ----------------------------------------------------------------------------- help and README


def _bash_args(line: str) -> list[str]:
    """The arguments bash gives ``jjjkg`` for a pasted example line (jjjkg replaced by a printer)."""
    script = 'jjjkg() { printf "%s\\0" "$@"; }\n' + line
    out = subprocess.run(["bash", "-c", script], capture_output=True, timeout=10, env={"PATH": os.environ["PATH"]})
    return out.stdout.decode("utf-8").split("\0")[:-1]


def _examples_with_parameters(text: str, prefix: str) -> list[str]:
    return [line.strip()[len(prefix):] if line.strip().startswith(prefix) else line.strip()
            for line in text.splitlines()
            if line.strip().startswith(prefix + "jjjkg cypher") and re.search(r"\$[A-Za-z_]", line)]


def test_help_examples_survive_bash():
    r = jj("cypher", "--help")
    examples = _examples_with_parameters(r.stdout, "")
    assert examples
    for line in examples:
        args = _bash_args(line)
        assert any("$id" in a for a in args), (line, args)


def test_readme_examples_survive_bash():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = _examples_with_parameters(text, "$ ")
    assert examples
    for line in examples:
        assert any(re.search(r"\$[a-z]", a) for a in _bash_args(line)), line


# each row of the README's "where FalkorDB differs" table, verified on the engine itself
DIFFERENCES = [
    ("temporal support is partial",
     ["RETURN date('2024-01-02') AS d, localdatetime('2024-01-02T10:00:00') AS t, localtime() AS lt, "
      "duration('P1D') AS p"],
     ["RETURN datetime() AS d", "RETURN time() AS t", "RETURN duration.between(date('2024-01-01'), date()) AS d",
      "RETURN date.truncate('month', date()) AS d"]),
    ("`sum()` of integers returns a float", ["UNWIND [1, 2, 3] AS x RETURN toInteger(sum(x)) AS s"], []),
    ("octal literals: `0o17` is an error, `017` is read as octal (15)", ["RETURN 017 AS x"], ["RETURN 0o17 AS x"]),
    ("no `EXISTS { … }`, `COUNT { … }` or `COLLECT { … }` subqueries",
     ["MATCH (n:Platform) WHERE (n)-[:IN_SECTOR]->() RETURN n.id"],
     ["MATCH (n) WHERE EXISTS { (n)-->() } RETURN n", "MATCH (n) RETURN COUNT { (n)-->() } AS k",
      "MATCH (n) RETURN COLLECT { MATCH (n)-->(m) RETURN m.id } AS k"]),
    ("a pattern comprehension works in `WITH` and `RETURN` only",
     ["MATCH (n:Platform) WITH n, size([(n)-[:IN_SECTOR]->(s) WHERE s.kind = 'chain' | 1]) AS k WHERE k > 0 "
      "RETURN n.id"],
     ["MATCH (n:Platform) WHERE size([(n)-[:IN_SECTOR]->(s) | 1]) > 0 RETURN n.id"]),
    ("`CALL (x) { … }` (the scope clause) is unknown",
     ["MATCH (n:Platform) CALL { WITH n RETURN n.id AS x } RETURN x"],
     ["MATCH (n:Platform) CALL (n) { RETURN n.id AS x } RETURN x"]),
    ("no `=~`", ["RETURN string.matchRegEx('abc', '^(?:a.c)$') AS m"], ["RETURN 'abc' =~ 'a.c' AS m"]),
    ("`shortestPath` only in `WITH`/`RETURN`, and only directed",
     ["MATCH (a:Platform {id: 'bj-pf-1'}), (b:Site) RETURN shortestPath((a)-[*]->(b)) AS p"],
     ["MATCH (a:Platform {id: 'bj-pf-1'}), (b:Site) RETURN shortestPath((a)-[*]-(b)) AS p",
      "MATCH (a:Platform {id: 'bj-pf-1'}), (b:Site) MATCH p = shortestPath((a)-[*]->(b)) RETURN p"]),
    ("a variable-length relationship variable is a path",
     ["MATCH p = (a:Platform)-[*1..2]->(b) RETURN length(p) AS n, size(relationships(p)) AS k LIMIT 1"],
     ["MATCH (a:Platform)-[r*1..2]->(b) RETURN size(r) LIMIT 1"]),
    ("a name outside ASCII needs backticks", ["RETURN 1 AS `名称`"], ["RETURN 1 AS 名称"]),
]


@pytest.mark.parametrize("row, works, fails", DIFFERENCES, ids=[d[0][:30] for d in DIFFERENCES])
def test_readme_differences_hold_on_the_engine(engine, row, works, fails):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| {row}" in readme
    for q in works:
        engine.run(q, {})
    for q in fails:
        with pytest.raises(QueryError):
            engine.run(q, {})


def test_readme_sum_and_octal_values(engine):
    assert engine.run("UNWIND [1, 2, 3] AS x RETURN sum(x) AS s, 017 AS o", {}) == [{"s": 6.0, "o": 15}]
    assert isinstance(engine.run("UNWIND [1, 2, 3] AS x RETURN sum(x) AS s", {})[0]["s"], float)
