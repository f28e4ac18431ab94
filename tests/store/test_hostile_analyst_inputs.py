"""Saved queries, parameters and query results from someone else cannot hang, exhaust or hijack the terminal.

Each test performs the attack for real, through ``jjjkg`` and the embedded FalkorDB engine.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from graph.store.falkordb import stop

TINY = Path(__file__).resolve().parent.parent / "data" / "tiny"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from jjjkg.cli import main

    path = tmp_path_factory.mktemp("hostile") / "store"
    assert main(["build", "--data", str(TINY), "--store", str(path)]) == 0
    yield path
    stop(path)


@pytest.mark.parametrize("plant, said", [
    (lambda p: os.mkfifo(p), "is not a regular file"),
    (lambda p: os.symlink("/dev/zero", p), "is not a regular file"),
    (lambda p: (p.touch(), os.truncate(p, 2 * 1024**3)), "is 2,147,483,648 bytes; a saved query may be at most "
                                                           "1,000,000 bytes"),
    (lambda p: p.write_bytes(b"// name: x\n\xff\xfeRETURN 1"), "x.cypher is not UTF-8 text"),
])
def test_a_saved_query_folder_cannot_hang_or_exhaust(cli, built, tmp_path, plant, said):
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "fine.cypher").write_text("// summary: one\nRETURN 1 AS one", encoding="utf-8")
    plant(folder / "x.cypher")
    for argv in (("query", "--list"), ("query", "fine")):
        code, out, err = cli(*argv, "--queries", folder, "--store", built)
        assert code == 1, (out, err)
        assert err.startswith("Error: saved queries: x.cypher ") and said in err, err
        assert len(err.strip().splitlines()) == 1


ESC = "\x1b]0;owned\x07\x1b[2J\u202e"  # retitle the terminal, clear it, reverse the text after it
SHOWN = "\\x1b]0;owned\\x07\\x1b[2J\\u202e"


def test_control_characters_reach_the_terminal_escaped_and_csv_json_keep_them(cli, built):
    query = f'RETURN "{ESC}名称" AS `c{ESC}`'
    code, out, err = cli("cypher", query, "--store", built)
    assert code == 0, err
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert out.splitlines()[0] == f"c{SHOWN}" and out.splitlines()[2] == f"{SHOWN}名称"
    code, out, _ = cli("cypher", query, "--format", "csv", "--raw", "--store", built)
    assert code == 0 and out == f"c{ESC}\n{ESC}名称\n"
    code, out, _ = cli("cypher", query, "--format", "json", "--store", built)
    assert code == 0 and json.loads(out) == [{f"c{ESC}": f"{ESC}名称"}]


def test_warnings_and_errors_echoing_the_query_show_control_characters_escaped(cli, built, tmp_path):
    code, _, err = cli("cypher", f"MATCH (n:`Pla{ESC}`) RETURN n", "--store", built)
    assert code == 0 and f"no label 'Pla{SHOWN}'" in err and "\x1b" not in err
    code, _, err = cli("cypher", f"MATCH (n) WHERE EXISTS {{ MATCH (n) WITH 1 AS x MATCH (m) RETURN '{ESC}' }} "
                                 "RETURN n", "--store", built)
    assert code == 1 and "RETURN '\\x1b]" in err and "\x1b" not in err
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "q.cypher").write_text(f"// name: q{ESC}\n// summary: {ESC}\nRETURN '{ESC}' AS x\n", encoding="utf-8")
    code, out, err = cli("query", "--list", "--queries", folder, "--store", built)
    assert code == 0 and f"q{SHOWN} — {SHOWN}" in out and "\x1b" not in out
    code, out, err = cli("query", f"q{ESC}", "--queries", folder, "--store", built)
    assert code == 0, err
    assert "\x1b" not in out and SHOWN in out


def test_the_shell_shows_control_characters_escaped(built, tmp_path):
    import subprocess
    import sys

    lines = f"MATCH (n:`Pl{ESC}`) RETURN 1 AS `{ESC}`;\nRETURN '{ESC}' AS x;\nRETURN 1 +;\n"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-m", "jjjkg", "cypher", "--store", str(built)], input=lines,
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    both = done.stdout + done.stderr
    assert "\x1b" not in both and "\u202e" not in both
    assert both.count(SHOWN) >= 3


def test_deeply_nested_parameters_are_refused_in_one_line(cli, built):
    code, out, err = cli("cypher", "RETURN size($x) AS n", "--param", "x=" + "[" * 64 + "]" * 64, "--format", "json",
                         "--store", built)
    assert code == 0 and json.loads(out) == [{"n": 1}], err
    code, _, err = cli("cypher", "RETURN size($x) AS n", "--param", "x=" + "[" * 65 + "]" * 65, "--store", built)
    assert code == 1 and err == "Error: parameter 'x' nests lists or maps more than 64 deep; pass a flatter value\n"
    code, _, err = cli("cypher", "RETURN size($x) AS n", "--param", "x=" + "[" * 100_000 + "]" * 100_000,
                       "--store", built)
    assert code == 1 and err == "Error: --param x: the value nests lists or maps too deeply to read\n"


def test_the_shell_refuses_an_integer_beyond_64_bits_instead_of_clamping(built):
    import subprocess
    import sys

    lines = ":param x 99999999999999999999\nRETURN $x AS x;\n:param x 1\nRETURN 7 AS seven;\n"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-m", "jjjkg", "cypher", "--store", str(built), "--format", "csv"],
                          input=lines, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "parameter 'x' is 99999999999999999999, beyond the 64-bit integers Cypher holds" in done.stdout + done.stderr
    assert "9223372036854775807" not in done.stdout and "seven\n7\n" in done.stdout


def test_the_shell_refuses_a_deeply_nested_parameter_and_goes_on(built):
    import subprocess
    import sys

    lines = ":param x " + "[" * 100_000 + "]" * 100_000 + "\nRETURN 7 AS seven;\n"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-m", "jjjkg", "cypher", "--store", str(built), "--format", "csv"],
                          input=lines, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "Error: :param x: the value nests lists or maps too deeply to read" in done.stdout + done.stderr
    assert "seven\n7\n" in done.stdout and "Traceback" not in done.stderr


@pytest.mark.parametrize("query", ["RETURN range(1, 8000000) AS r", "UNWIND range(1, 8000000) AS x RETURN x"])
def test_a_huge_answer_is_refused_before_the_client_reads_it(cli, built, query):
    """One row holding an 8-million-element list, or 8 million rows: --max-rows alone would read them all."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    # /usr/bin/time runs it from a small process, so its peak memory is its own, not this one's
    done = subprocess.run(["/usr/bin/time", "-f", "maxrss-kb %M", sys.executable, "-m", "jjjkg", "cypher", query,
                           "--max-rows", "5", "--store", str(built)], capture_output=True, text=True, env=env,
                          timeout=300)
    *lines, measured = done.stderr.strip().splitlines()
    assert done.returncode == 1 and done.stdout == ""
    assert lines[0].startswith("Error: the answer is larger than the 64 MB one reply may be, and was not read"), lines
    assert int(measured.split()[1]) < 600_000  # KB: reading the answer took 1.5 GB
    code, out, err = cli("cypher", "RETURN size(range(1, 8000000)) AS n", "--format", "json", "--store", built)
    assert code == 0 and json.loads(out) == [{"n": 8000000}], err  # the server is still there


def test_a_statement_with_thousands_of_regex_matches_is_rewritten_whole(cli, built):
    """Each ``=~`` is rewritten in one pass (the cost grows with the statement's length, see bench)."""
    many = " OR ".join(f"o.id =~ 'NOPE{i}.*'" for i in range(3000))
    code, out, err = cli("cypher", f"MATCH (o:Organization) WHERE {many} OR o.id =~ 'bj-.*' RETURN count(o) AS n",
                         "--format", "json", "--store", built)
    assert code == 0, err[-300:]
    code, want, _ = cli("cypher", "MATCH (o:Organization) WHERE o.id STARTS WITH 'bj-' RETURN count(o) AS n",
                        "--format", "json", "--store", built)
    assert json.loads(out) == json.loads(want) and json.loads(out)[0]["n"] > 0


@pytest.mark.parametrize("call", ["`db.idx.fulltext.createNodeIndex`('Sector', 'zz')",
                                  "`db`.`idx`.fulltext.createNodeIndex('Sector', 'zz')",
                                  "db.`idx`.`fulltext`.`drop`('Organization')"])
def test_profile_cannot_write_through_a_backtick_quoted_procedure(cli, built, call):
    def state():
        code, out, err = cli("cypher", "CALL db.indexes() YIELD label, properties, types "
                                       "RETURN label, properties, types ORDER BY label", "--format", "json",
                             "--store", built)
        assert code == 0, err
        return json.loads(out)

    before = state()
    code, out, err = cli("cypher", "PROFILE CALL " + call, "--store", built)
    assert code == 1 and "is not known to be read-only" in err and "--write" in err, (out, err)
    assert state() == before
    code, out, err = cli("cypher", "PROFILE CALL `db.labels`() YIELD label RETURN count(label) AS n", "--store", built)
    assert code == 0 and "ProcedureCall" in out, err


def test_the_show_tail_keeps_the_row_cap(cli, built):
    code, out, err = cli("cypher", "SHOW INDEXES YIELD name WHERE true UNWIND range(1, 300) AS x RETURN x",
                         "--max-rows", "5", "--format", "csv", "--store", built)
    assert code == 0, err
    assert out.split() == ["x", "1", "2", "3", "4", "5"] and "only the first 5 rows are shown" in err


def test_a_plan_shows_control_characters_escaped(cli, built):
    code, out, err = cli("cypher", f"EXPLAIN MATCH (n:`A{ESC}`) RETURN n", "--store", built)
    assert code == 0, err
    assert f"(n:A{SHOWN})" in out and "\x1b" not in out


def test_subquery_rewrites_per_statement_are_bounded(cli, built):
    """Each EXISTS/COUNT/COLLECT { … } rewrite costs time in proportion to the statement: 32 at most."""
    def counts(n):
        return "MATCH (n:Sector) RETURN " + ", ".join(f"COUNT {{ (n)--() }} AS c{i}" for i in range(n)) + " LIMIT 1"

    code, out, err = cli("cypher", counts(32), "--format", "json", "--store", built)
    assert code == 0 and len(json.loads(out)[0]) == 32, err[-300:]
    code, out, err = cli("cypher", counts(33), "--store", built)
    assert code == 1 and err == ("Error: this statement has 33 EXISTS / COUNT / COLLECT { … } or CALL (…) { … } "
                                 "subqueries; at most 32 are rewritten for FalkorDB: split the statement\n")


def test_cypher_file_cannot_hang_or_exhaust(cli, built, tmp_path):
    fifo, zero, big, latin = (tmp_path / n for n in ("fifo.cypher", "zero.cypher", "big.cypher", "latin.cypher"))
    os.mkfifo(fifo)
    os.symlink("/dev/zero", zero)
    big.touch()
    os.truncate(big, 2 * 1024**3)
    latin.write_bytes("RETURN '北京' AS x".encode("gb18030"))
    for path, said in ((fifo, "is not a regular file"), (zero, "is not a regular file"),
                       (big, "is 2,147,483,648 bytes"), (latin, "is not UTF-8 text")):
        code, out, err = cli("cypher", "--file", path, "--store", built)
        assert code == 1 and err.startswith(f"Error: {path} {said}"), err
        assert len(err.strip().splitlines()) == 1
