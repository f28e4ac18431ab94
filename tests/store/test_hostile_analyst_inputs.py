"""Saved queries, parameters and query results from someone else cannot hang, exhaust or hijack the terminal.

Each test performs the attack for real, through ``jjjkg`` and the embedded FalkorDB engine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.store.falkordb_engine import stop

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
