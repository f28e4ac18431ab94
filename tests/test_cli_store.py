"""The command line and the store: a named store must exist, and a user's situation never ends in a traceback."""

from __future__ import annotations

import errno
import json
import sys
from pathlib import Path

import pytest

from graph.store import versions

_TINY = Path(__file__).resolve().parent / "data" / "tiny"

# every command that reads a store: a typo in --store must never answer from other data
READERS = [
    ["query", "rd-scaleup-paths"],
    ["query", "alliance-gaps", "--engine", "cypher"],
    ["cypher", "RETURN 1"],
    ["viz", "--out", "{tmp}/page.html"],
    ["export", "--format", "graphml", "--out", "{tmp}/g.graphml"],
    ["report", "--out", "{tmp}/pack"],
    ["neo4j", "push", "--uri", "bolt://127.0.0.1:1"],
]


def _argv(argv, tmp_path):
    return [a.replace("{tmp}", str(tmp_path)) for a in argv]


@pytest.mark.parametrize("argv", READERS, ids=lambda a: " ".join(a[:2]))
def test_a_named_store_that_does_not_exist_is_an_error(cli, tmp_path, argv):
    typo = tmp_path / "stroe"
    code, out, err = cli(*_argv(argv, tmp_path), "--store", typo)
    assert code == 1
    assert err == (f"Error: no store at '{typo}' (named by --store): build it with `jjjkg build --store {typo}`, "
                   "or check the path\n")
    assert not typo.exists() and list(tmp_path.iterdir()) == []  # nothing built, nothing written


@pytest.mark.parametrize("argv", READERS[:4], ids=lambda a: " ".join(a[:2]))
def test_a_store_named_by_the_environment_must_exist_too(cli, tmp_path, monkeypatch, argv):
    typo = tmp_path / "stroe"
    monkeypatch.setenv("JJJKG_STORE", str(typo))
    code, out, err = cli(*_argv(argv, tmp_path))
    assert code == 1
    assert err.startswith(f"Error: no store at '{typo}' (named by JJJKG_STORE): build it with `jjjkg build --store")
    assert not typo.exists()


@pytest.mark.parametrize("argv", [["diff", "{tmp}/old", "{tmp}/new"], ["report", "--out", "{tmp}/p", "--since", "{tmp}/old"]],
                         ids=["diff", "report --since"])
def test_other_named_stores_must_exist(cli, tmp_path, argv, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JJJKG_STORE", raising=False)
    code, out, err = cli(*_argv(argv, tmp_path))
    assert code == 1
    assert err == f"Error: no store at '{tmp_path}/old': run `jjjkg build --store {tmp_path}/old` first\n"


def test_build_makes_a_named_store(cli, tmp_path):
    code, out, err = cli("build", "--data", "tests/data/tiny", "--store", tmp_path / "new")
    assert code == 0 and (tmp_path / "new" / "meta.json").exists()


def test_the_default_store_is_built_and_says_so(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JJJKG_STORE", raising=False)
    code, out, err = cli("export", "--format", "graphml", "--out", "g.graphml")
    assert code == 0
    assert err.splitlines()[:2] == ["no store at .jjjkg; building it from the bundled dataset first …",
                                    "built .jjjkg from the bundled dataset"]
    code, out, err = cli("query", "rd-scaleup-paths")
    assert code == 0 and "building" not in err  # built once


def test_the_default_store_is_not_built_over_an_interrupted_build(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JJJKG_STORE", raising=False)
    (tmp_path / "..jjjkg.new-x1y2z3" / "tables").mkdir(parents=True)  # a build of the user's data, killed
    code, out, err = cli("query", "rd-scaleup-paths")
    assert code == 1
    assert err == ("Error: no store at '.jjjkg', but '..jjjkg.new-x1y2z3' beside it is left from an interrupted "
                   "build; run `jjjkg build` (with --data if it was your own data) to rebuild it\n")
    assert not (tmp_path / ".jjjkg").exists()
    assert cli("build", "--data", _TINY)[0] == 0  # a build collects it
    assert versions.leftovers(tmp_path / ".jjjkg") == []


# ----------------------------------------------------------------------------- no traceback for a user's situation


@pytest.fixture
def tiny_store(cli, store_path):
    assert cli("build", "--data", "tests/data/tiny", "--store", store_path)[0] == 0
    return store_path


def _snapshot(store):
    return {p.relative_to(store): p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()}


def test_a_full_disk_is_one_line_and_the_old_store_stays(cli, tiny_store, monkeypatch):
    import pyarrow.parquet

    before = _snapshot(tiny_store)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pyarrow.parquet, "write_table", full)
    code, out, err = cli("build", "--store", tiny_store)
    assert code == 1
    assert err.splitlines()[-1].startswith(f"Error: cannot write the store '{tiny_store}': no space left on the device")
    assert err.splitlines()[-1].endswith("free some space and build again; the existing store is unchanged")
    assert "Traceback" not in err
    assert _snapshot(tiny_store) == before
    assert versions.leftovers(tiny_store) == []


def test_a_damaged_meta_json_is_one_line(cli, tiny_store):
    (tiny_store / "meta.json").write_text("{\"format_version\": 1, ")
    code, out, err = cli("query", "rd-scaleup-paths", "--store", tiny_store)
    assert code == 1
    assert err.startswith(f"Error: the store at '{tiny_store}' is damaged (meta.json: Expecting property name")
    assert err.endswith("; rebuild it with `jjjkg build`\n") and err.count("\n") == 1


def test_a_folder_where_the_pickle_should_be_still_answers(cli, tiny_store):
    assert cli("query", "targets-2030", "--store", tiny_store)[0] == 0  # the first analysis caches the graph
    pkl = tiny_store / "cache" / "graph.pickle"
    pkl.unlink()
    pkl.mkdir()
    code, out, err = cli("query", "rd-scaleup-paths", "--store", tiny_store, "--format", "json")
    assert code == 0 and len(json.loads(out)) == 5
    assert err == (f"note: the graph cache '{pkl}' cannot be read (Is a directory); the graph is built from the "
                   f"tables instead (`jjjkg build --store {tiny_store}` rewrites the store)\n")


def test_a_store_path_that_is_not_a_store_is_left_alone(cli, tmp_path):
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    code, out, err = cli("build", "--data", "tests/data/tiny", "--store", folder)
    assert code == 1
    assert err.endswith(f"Error: '{folder}' is a folder with other files in it, not a jjjkg store; choose another "
                        "--store (a build replaces the whole folder)\n")
    assert [p.name for p in tmp_path.iterdir()] == ["Documents"] and (folder / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0", "1e9", "soon"])
@pytest.mark.parametrize("command", [["cypher", "RETURN 1"], ["query", "alliance-gaps", "--engine", "cypher"]],
                         ids=["cypher", "query"])
def test_a_timeout_must_be_finite_and_positive(cli, capsys, command, value):
    with pytest.raises(SystemExit) as exit_:
        cli(*command, "--timeout", value)
    assert exit_.value.code == 2
    assert "argument --timeout: expected " in capsys.readouterr().err


@pytest.mark.parametrize("value", ["9223372036854775808", "-9223372036854775809", "[1, 99999999999999999999]",
                                   '{"a": 1e2, "b": 18446744073709551616}'])
def test_integers_beyond_int64_are_refused_not_clamped(cli, tiny_store, value):
    code, out, err = cli("cypher", "RETURN $n AS n", "--param", f"n={value}", "--store", tiny_store)
    assert code == 1
    assert err.startswith("Error: --param n: ") and "is beyond the 64-bit integers Cypher holds" in err
    assert err.count("\n") == 1


def test_saved_query_integers_are_checked_too(cli, tiny_store, tmp_path):
    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "top.cypher").write_text("// param: n int 5\nMATCH (o:Organization) RETURN o.id LIMIT $n\n")
    code, out, err = cli("query", "top", "--queries", folder, "--param", f"n={2**64}", "--store", tiny_store)
    assert code == 1
    assert err == (f"Error: --param n: {2**64} is beyond the 64-bit integers Cypher holds "
                   f"({-2**63} … {2**63 - 1}); pass a smaller number, or quote it to pass text\n")


def test_the_largest_int64_is_accepted(tiny_store):
    from jjjkg.cli import _in_int64

    assert _in_int64({"n": 2**63 - 1, "m": -(2**63), "t": True}) == {"n": 2**63 - 1, "m": -(2**63), "t": True}


def test_no_traceback_in_a_subprocess_either(tmp_path):
    import subprocess

    typo = tmp_path / "nope"
    r = subprocess.run([sys.executable, "-m", "jjjkg", "viz", "--store", str(typo)], capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr and str(typo) in r.stderr


def test_queries_during_a_rebuild_never_build_the_bundled_data(tmp_path):
    """The issue's case: a query while a plain-folder default store is replaced must not auto-build over it."""
    import os
    import subprocess

    import loaders
    from graph.store import Store, save_store

    store = tmp_path / ".jjjkg"
    save_store(loaders.read_folder(_TINY), store)
    version = Path(os.path.realpath(store))
    store.unlink()
    version.rename(store)  # a store as jjjkg 0.1 wrote it
    (store / versions.READERS_FILE).unlink()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    env.pop("JJJKG_STORE", None)
    jjjkg = [sys.executable, "-m", "jjjkg"]
    procs = [subprocess.Popen(jjjkg + ["build", "--data", str(_TINY)], cwd=tmp_path, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)]
    procs += [subprocess.Popen(jjjkg + ["query", "rd-scaleup-paths", "--format", "json"], cwd=tmp_path, env=env,
                               text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and "Traceback" not in err and "bundled" not in err, err
        if p is not procs[0]:
            assert len(json.loads(out)) == 5  # the tiny data's paths, never the bundled data's none
    assert store.is_symlink() and Store(store).meta["data_source"] == str(_TINY)
    assert versions.leftovers(store) == []
