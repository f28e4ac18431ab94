"""A store, a saved query or a query cannot make the embedded engine harm the user.

The attacks of the trust issue, performed for real: hostile ``falkordb/state.json`` files (paths
outside the store, a foreign pid, wrong owner or mode), ``LOAD CSV`` reaching out, queries that
exhaust memory or rows, and a server whose store folder is deleted.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.errors import QueryError, StoreError
from graph.store.falkordb import server as fe
from graph.store.falkordb import EmbeddedEngine, stop

TINY = Path(__file__).resolve().parent.parent / "data" / "tiny"
NOBODY = 65534


@pytest.fixture
def built(tmp_path, cli):
    """A store built from the tiny folder, its server stopped at the end."""
    path = tmp_path / "store"
    assert cli("build", "--data", TINY, "--store", path)[0] == 0
    yield path
    stop(path)


@pytest.fixture
def victims(tmp_path):
    """What a hostile state file points at: a folder and a file outside the store, and a process."""
    outside = Path(f"/tmp/jjjkg-victim-{os.getpid()}-{tmp_path.name}")
    outside.mkdir()
    (outside / "keep.txt").write_text("precious")
    victim_file = outside / "file.txt"
    victim_file.write_text("precious")
    proc = subprocess.Popen(["sleep", "300"])
    yield outside, victim_file, proc
    proc.kill()
    proc.wait()
    shutil.rmtree(outside, ignore_errors=True)


def _write_state(store: Path, state: dict, mode: int = 0o600) -> Path:
    sdir = fe._server_dir(store)  # the user's own private folder for this store's server
    fe._check_server_dir(sdir)
    path = sdir / "state.json"
    path.write_text(json.dumps(state))
    os.chmod(path, mode)
    return path


def _assert_untouched(outside: Path, victim_file: Path, proc) -> None:
    assert (outside / "keep.txt").read_text() == "precious"
    assert victim_file.read_text() == "precious"
    assert proc.poll() is None, "the foreign process was signalled"


def _run_the_three(cli, store: Path, plant) -> None:
    """``cypher``, ``stop`` and ``build``, each against a freshly planted hostile state."""
    plant()
    code, out, err = cli("cypher", "RETURN 1 AS one", "--format", "json", "--store", store)
    assert code == 0, err
    assert json.loads(out) == [{"one": 1}]
    stop(store)
    plant()
    code, out, err = cli("stop", "--store", store)
    assert code == 0 and out.startswith("no embedded database server was running for "), (out, err)
    plant()
    code, _, err = cli("build", "--data", TINY, "--store", store)
    assert code == 0, err


# ----------------------------------------------------------------------------- 11.1 the state file


@pytest.mark.parametrize("state", [
    # a folder and a file outside the store, and somebody else's process
    lambda o, f, p, s: {"pid": p.pid, "password": "x", "unix_socket": str(f), "socket_dir": str(o)},
    # the same process, but with the store's own socket path: the pid alone must not be trusted
    lambda o, f, p, s: {"pid": p.pid, "password": "x", "unix_socket": str(fe._server_dir(s) / "redis.sock")},
    # a path that leads out of the store through '..'
    lambda o, f, p, s: {"pid": p.pid, "password": "x",
                        "unix_socket": str(fe._server_dir(s)) + "/" + os.path.relpath(f, fe._server_dir(s))},
    # a socket folder named like ours, but not made for this store
    lambda o, f, p, s: {"pid": p.pid, "password": "x", "unix_socket": str(o / "s"), "socket_dir": str(o)},
], ids=["outside-paths", "foreign-pid", "dotdot", "foreign-socket-dir"])
def test_hostile_state_deletes_nothing_and_kills_nothing(cli, built, victims, state):
    outside, victim_file, proc = victims
    _run_the_three(cli, built, lambda: _write_state(built, state(outside, victim_file, proc, built)))
    _assert_untouched(outside, victim_file, proc)


def test_hostile_state_with_our_socket_dir_pattern_is_ignored(cli, built, victims):
    outside, victim_file, proc = victims
    fake = Path(f"/tmp/jjjkg-{os.getpid()}-fake")
    fake.mkdir(mode=0o700)
    (fake / "s").write_text("precious")
    try:
        _run_the_three(cli, built, lambda: _write_state(built, {"pid": proc.pid, "password": "x", "socket_dir": str(fake),
                                                               "unix_socket": str(fake / "s")}))
        assert (fake / "s").read_text() == "precious"  # no 'store' file naming this store: not ours
        _assert_untouched(outside, victim_file, proc)
    finally:
        shutil.rmtree(fake)


def test_state_with_mode_0644_is_ignored_and_said_once(cli, built, victims, caplog):
    outside, victim_file, proc = victims
    # a state the engine would otherwise accept: its own socket path, a live pid
    path = _write_state(built, {"pid": proc.pid, "password": "x",
                                "unix_socket": str(fe._server_dir(built) / "redis.sock")}, mode=0o644)
    with caplog.at_level(logging.WARNING, logger="jjjkg.engine"):
        assert fe._read_state(fe._server_dir(built)) is None
        assert fe._read_state(fe._server_dir(built)) is None
    notes = [r.getMessage() for r in caplog.records if r.name == "jjjkg.engine"]
    assert notes == [f"ignoring {path}: a server's state file must be yours with mode 0600 (this one has owner "
                     f"uid {os.getuid()}, mode 644); treating the store as having no server"]
    _run_the_three(cli, built, lambda: _write_state(built, {"pid": proc.pid, "password": "x", "unix_socket": str(
        fe._server_dir(built) / "redis.sock")}, mode=0o644))
    _assert_untouched(outside, victim_file, proc)


@pytest.mark.skipif(os.getuid() != 0, reason="changing a file's owner needs root")
def test_state_owned_by_another_user_is_ignored(cli, built, victims):
    outside, victim_file, proc = victims

    def plant():
        path = _write_state(built, {"pid": proc.pid, "password": "x", "unix_socket": str(victim_file),
                                    "socket_dir": str(outside)})
        os.chown(path, NOBODY, NOBODY)

    plant()
    assert fe._read_state(fe._server_dir(built)) is None
    _run_the_three(cli, built, plant)
    _assert_untouched(outside, victim_file, proc)


@pytest.mark.skipif(os.getuid() != 0, reason="changing a file's owner needs root")
def test_store_precreated_by_another_user_cannot_make_root_delete(cli, tmp_path, victims):
    """The issue's attack: an unprivileged user pre-creates the store and its state in a shared folder."""
    outside, victim_file, proc = victims
    store = tmp_path / "shared" / "store"
    sdir = store / "falkordb"  # where earlier versions kept the server's files
    sdir.mkdir(parents=True)
    path = sdir / "state.json"
    path.write_text(json.dumps({"pid": proc.pid, "password": "x", "unix_socket": str(victim_file),
                                "socket_dir": str(outside)}))
    os.chmod(path, 0o600)
    for p in (store, sdir, path):
        os.chown(p, NOBODY, NOBODY)
    os.chmod(sdir, 0o777)
    code, out, err = cli("stop", "--store", store)
    assert code == 0 and out.startswith("no embedded database server was running")
    try:
        code, _, err = cli("build", "--data", TINY, "--store", store)
        # a folder that holds anything but a store is never replaced by a build
        assert code == 1 and "is a folder with other files in it, not a jjjkg store" in err, err
        _assert_untouched(outside, victim_file, proc)
    finally:
        stop(store)


@pytest.mark.skipif(os.getuid() != 0, reason="changing a file's owner needs root")
@pytest.mark.parametrize("level", ["root", "server"])
def test_server_folder_of_another_user_is_refused(cli, built, tmp_path, monkeypatch, level):
    """Another user made the private folder first (e.g. /tmp/jjjkg-<uid> on a shared machine): refused."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "nowhere"))  # not a folder: /tmp/jjjkg-<uid> is used
    from graph.store.falkordb import server

    monkeypatch.setattr(server, "_private_socket_root", lambda: tmp_path)
    stop(built)
    sdir = fe._server_dir(built)
    taken = sdir.parent if level == "root" else sdir
    taken.mkdir(parents=True, mode=0o700)
    os.chown(taken, NOBODY, NOBODY)
    code, _, err = cli("cypher", "RETURN 1", "--store", built)
    assert code == 1
    assert err.strip() == (f"Error: the embedded server's folder {str(taken)!r} is not a folder of yours (owned by "
                           f"uid {NOBODY}); the server keeps its password and socket there. Remove it (it holds no "
                           "data) and run the command again")


def test_ignored_state_is_reported_on_stderr(built, victims):
    """Through a real process: the user sees the note once, and the command still answers."""
    _, _, proc = victims
    path = _write_state(built, {"pid": proc.pid, "password": "x"}, mode=0o644)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-m", "jjjkg", "cypher", "RETURN 1 AS one", "--format", "json",
                          "--store", str(built)], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stderr.count(f"ignoring {path}") == 1
    assert proc.poll() is None


def test_stop_without_a_server_says_so(cli, built):
    stop(built)
    code, out, _ = cli("stop", "--store", built)
    assert (code, out) == (0, f"no embedded database server was running for {built}\n")


def test_stop_of_a_missing_store_is_an_error(cli, tmp_path):
    code, _, err = cli("stop", "--store", tmp_path / "nosuch")
    assert code == 1 and err == f"Error: no store at {str(tmp_path / 'nosuch')!r}: check the path (--store or JJJKG_STORE)\n"


# ----------------------------------------------------------------------------- 11.3 LOAD CSV reaches out


@pytest.fixture
def listener():
    """A local server counting every connection made to it (LOAD CSV's https opens one per fetch)."""
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    hits = []

    def accept():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            hits.append(1)
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    yield srv.getsockname()[1], hits
    srv.close()


def _load_csv(port: int) -> str:
    # the graph's names would travel in the address: what a hostile query sends out
    return (f"MATCH (o:Organization) WITH o LIMIT 2\n"
            f"LOAD /* split */ csv FROM 'https://127.0.0.1:{port}/x?' + o.name AS row RETURN count(row) AS n")


def test_load_csv_is_refused_on_the_command_line(cli, built, listener):
    port, hits = listener
    for query in (_load_csv(port), _load_csv(port).replace("LOAD /* split */ csv", "load\n  CSV")):
        code, _, err = cli("cypher", query, "--store", built)
        assert code == 1
        assert err.strip() == ("Error: the query uses LOAD CSV, which fetches web addresses and reads files, and is "
                               "refused unless asked for; if you trust this query, run it with jjjkg cypher "
                               "--allow-load-csv (allow_load_csv=True)")
    time.sleep(0.3)
    assert hits == []


def test_profile_and_explain_do_not_reach_out(cli, built, listener):
    """PROFILE runs the statement: it is refused as the statement itself would be; EXPLAIN only plans."""
    port, hits = listener
    code, _, err = cli("cypher", "PROFILE " + _load_csv(port), "--store", built)
    assert code == 1 and "PROFILE runs the query" in err
    code, _, err = cli("cypher", "PROFILE " + _load_csv(port), "--write", "--store", built)
    assert code == 1 and "LOAD CSV" in err and "refused" in err
    code, out, _ = cli("cypher", "EXPLAIN " + _load_csv(port), "--store", built)
    assert code == 0 and "Load CSV" in out
    time.sleep(0.3)
    assert hits == []


def test_load_csv_is_refused_from_a_saved_query(cli, built, listener, tmp_path):
    port, hits = listener
    qdir = tmp_path / "shared-queries"
    qdir.mkdir()
    (qdir / "innocent.cypher").write_text("// name: innocent\n// summary: Counts platforms\n" + _load_csv(port),
                                          encoding="utf-8")
    code, _, err = cli("query", "innocent", "--queries", qdir, "--store", built)
    assert code == 1 and "LOAD CSV" in err and "refused" in err
    time.sleep(0.3)
    assert hits == []


def test_words_in_strings_and_comments_are_not_load_csv(cli, built):
    code, out, err = cli("cypher", "RETURN 'LOAD CSV' AS t /* LOAD CSV */ // LOAD CSV", "--format", "json",
                         "--store", built)
    assert code == 0, err
    assert json.loads(out) == [{"t": "LOAD CSV"}]


def test_load_csv_when_asked_reaches_out_and_files_only_from_an_empty_folder(cli, built, listener, tmp_path):
    """The same query runs when asked (so the refusal above is what kept the count at zero)."""
    port, hits = listener
    code, out, err = cli("cypher", _load_csv(port), "--allow-load-csv", "--format", "json", "--store", built)
    assert code == 0, err
    time.sleep(0.3)
    assert len(hits) >= 1
    # file:// resolves inside the server's own empty import folder, not in the system's or the user's
    secret = tmp_path / "secret.csv"
    secret.write_text("a,b\n")
    imports = fe._server_dir(built) / "import"
    assert imports.is_dir() and list(imports.iterdir()) == [] and (imports.stat().st_mode & 0o777) == 0o700
    for uri in (f"file://{secret}", "file://../redis.conf", "file:///etc/passwd"):
        code, _, err = cli("cypher", f"LOAD CSV FROM '{uri}' AS r RETURN r", "--allow-load-csv", "--store", built)
        assert code == 1 and "Error opening CSV URI" in err, (uri, err)


# ----------------------------------------------------------------------------- 11.12 resource limits


def test_memory_limits_reach_the_server_and_a_greedy_query_is_out_of_memory(tmp_path, monkeypatch, tiny_graph):
    monkeypatch.setenv("JJJKG_SERVER_MEMORY", "1gb")
    monkeypatch.setenv("JJJKG_QUERY_MEMORY", "64MiB")
    store = tmp_path / "limited"
    engine = EmbeddedEngine.for_store(store, tiny_graph, timeout=20)
    try:
        conn = engine._conn()
        assert conn.execute_command("CONFIG", "GET", "maxmemory")[1] == str(1 << 30)
        assert conn.execute_command("CONFIG", "GET", "maxmemory-policy")[1] == "noeviction"
        assert conn.execute_command("GRAPH.CONFIG", "GET", "QUERY_MEM_CAPACITY")[1] == 64 << 20
        pid = engine.pid
        with pytest.raises(QueryError) as info:
            engine.run("RETURN size(range(1, 20000000)) AS n")
        assert str(info.value) == ("out of memory: the query needed more than the 64 MiB a query may use; narrow it "
                                   "(LIMIT, fewer rows per step), or raise $JJJKG_QUERY_MEMORY and run `jjjkg stop` "
                                   "so the server restarts with it")
        assert engine.pid == pid  # refused by the server, not crashed
        assert engine.run("RETURN size(range(1, 1000)) AS n") == [{"n": 1000}]
    finally:
        engine.close()
        stop(store)


def test_a_greedy_query_is_out_of_memory_through_the_cli(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("JJJKG_QUERY_MEMORY", "100mb")
    store = tmp_path / "s"
    assert cli("build", "--data", TINY, "--store", store)[0] == 0
    try:
        code, _, err = cli("cypher", "RETURN size(range(1, 30000000)) AS n", "--store", store)
        assert code == 1 and err.startswith("Error: out of memory: the query needed more than the 100 MiB "), err
    finally:
        stop(store)


@pytest.mark.parametrize("value", ["lots", "-1gb", "0"])
def test_bad_memory_setting_is_an_error(monkeypatch, value):
    monkeypatch.setenv("JJJKG_QUERY_MEMORY", value)
    with pytest.raises(StoreError, match=f"^JJJKG_QUERY_MEMORY={value!r}: expected a size such as 512mb, 4gb "
                                            "or a number of bytes$"):
        fe.memory_limits()


def test_a_query_that_takes_the_server_down_is_not_run_again(built, monkeypatch):
    import threading

    from jjjkg.cli import _open_store

    store = _open_store(type("A", (), {"store": str(built)})())
    engine = EmbeddedEngine.for_store(built, store.graph, fingerprint=store.fingerprint, timeout=60)
    sent = []
    real = engine._query
    monkeypatch.setattr(engine, "_query", lambda *a, **k: (sent.append(a[0]), real(*a, **k))[1])
    old = engine.pid
    # the server dies under the query, as under the kernel's out-of-memory killer
    threading.Timer(1.0, os.kill, args=(old, 9)).start()
    try:
        with pytest.raises(QueryError) as info:
            engine.run("UNWIND range(1, 3000) AS x UNWIND range(1, 3000) AS y WITH x, y WHERE (x * y) % 7 = 3 "
                       "UNWIND range(1, 30) AS z RETURN count(*) AS n")
        assert str(info.value).startswith("out of memory, or a crash: the embedded server went down while running "
                                          "this query, and the query was not run again; the server was restarted")
        assert len(sent) == 1
        assert engine.pid != old and engine.run("MATCH (n:Platform) RETURN count(n) AS n")[0]["n"] > 0
        # redis-py retries a dropped connection by default: the client must not
        assert engine._db.connection.connection_pool.connection_kwargs["retry"] is None
    finally:
        engine.close()


def test_max_rows_caps_and_says_so(cli, built):
    code, out, err = cli("cypher", "UNWIND range(1, 250) AS x RETURN x", "--max-rows", "100", "--format", "json",
                         "--store", built)
    assert code == 0 and [r["x"] for r in json.loads(out)] == list(range(1, 101))
    assert err == ("note: only the first 100 rows are shown; the query returned more. Add a LIMIT, or pass "
                   "--max-rows N (0 for no limit)\n")
    code, out, err = cli("cypher", "UNWIND range(1, 100001) AS x RETURN x", "--format", "csv", "--store", built)
    assert code == 0 and len(out.splitlines()) == 1 + 100_000 and "first 100,000 rows" in err
    code, out, err = cli("cypher", "UNWIND range(1, 100001) AS x RETURN x", "--max-rows", "0", "--format", "csv",
                         "--store", built)
    assert code == 0 and len(out.splitlines()) == 1 + 100_001 and err == ""
    code, out, err = cli("cypher", "UNWIND range(1, 100) AS x RETURN x", "--max-rows", "100", "--store", built)
    assert code == 0 and err == ""  # exactly at the cap: nothing left out


def test_server_ends_itself_when_its_store_is_deleted(tmp_path, cli):
    store = tmp_path / "doomed"
    assert cli("build", "--data", TINY, "--store", store)[0] == 0
    assert cli("cypher", "RETURN 1", "--store", store)[0] == 0
    real = store.resolve()  # the store is a link to its current version
    pid = fe._read_state(fe._server_dir(real)).pid
    assert fe._is_our_server(pid, fe._server_dir(real))
    shutil.rmtree(real)
    store.unlink()
    deadline = time.monotonic() + 10
    while fe._pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not fe._pid_alive(pid), "the server outlived its store folder by 10 s"


# ----------------------------------------------------------------------------- another user's store


def _tree(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.is_symlink(), p.is_dir(), p.stat().st_size if p.is_file() else 0)
            for p in folder.rglob("*")}


def test_reading_a_store_creates_nothing_inside_it(cli, built):
    real = built.resolve()
    stop(built)
    assert cli("query", "targets-2030", "--store", built)[0] == 0  # the graph cache, made by a first analysis
    before = _tree(real)
    code, out, err = cli("cypher", "RETURN 1 AS one", "--format", "json", "--store", built)
    assert code == 0 and json.loads(out) == [{"one": 1}], err
    assert cli("query", "rd-scaleup-paths", "--engine", "cypher", "--store", built)[0] == 0
    assert _tree(real) == before
    sdir = fe._server_dir(built)
    assert stat.S_IMODE(os.lstat(sdir).st_mode) == 0o700 and stat.S_IMODE(os.lstat(sdir.parent).st_mode) == 0o700
    assert (sdir / "state.json").is_file()
    assert cli("stop", "--store", built)[1].startswith("stopped the embedded database server of ")


@pytest.mark.skipif(os.getuid() != 0, reason="changing a file's owner needs root")
def test_reading_another_users_store_writes_nothing_into_it(cli, built):
    """Even as root, who could: a store owned by another user gets no server folder and no cache."""
    real = built.resolve()
    stop(built)
    shutil.rmtree(real / "cache", ignore_errors=True)  # none when no analysis ran yet
    for p in [real, *real.rglob("*")]:
        os.lchown(p, NOBODY, NOBODY)
    before = _tree(real)
    code, out, err = cli("cypher", "RETURN 1 AS one", "--format", "json", "--store", built)
    assert code == 0, err
    assert cli("query", "alliance-gaps", "--store", built)[0] == 0
    assert _tree(real) == before
    stop(built)


def test_the_server_never_reopens_its_log_by_path(cli, built, tmp_path):
    """Whoever swaps the log for a link (the store's owner could, when it lived in the store): redis logs to
    the file its supervisor opened once, so nothing reaches the link's target."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    assert cli("cypher", "RETURN 1", "--store", built)[0] == 0
    log = Path(fe._read_state(fe._server_dir(built)).log)
    assert 'logfile ""' in (fe._server_dir(built) / "redis.conf").read_text()
    os.replace(log, log.with_name("moved.log"))
    log.symlink_to(victim)
    assert cli("stop", "--store", built)[0] == 0  # the server logs its shutdown
    assert victim.read_text() == "precious"
    assert "ready to exit" in log.with_name("moved.log").read_text()  # the shutdown went to the file it holds


# ----------------------------------------------------------------------------- 11.11 writes do not linger


def test_cypher_write_does_not_change_the_next_analysis(cli, built):
    before = cli("query", "rd-scaleup-paths", "--format", "json", "--store", built)[1]
    assert json.loads(before)
    code, _, err = cli("cypher", "MATCH (p:Platform) DETACH DELETE p", "--write", "--store", built)
    assert code == 0
    assert err == ("note: --write changes only the embedded database's copy of the graph, not the store; the next "
                   "command reloads the store, so these changes will not be seen again. To keep a change, change "
                   "the data and run jjjkg build\n")
    code, after, _ = cli("query", "rd-scaleup-paths", "--engine", "cypher", "--format", "json", "--store", built)
    assert code == 0 and json.loads(after) == json.loads(before)
    code, out, _ = cli("cypher", "MATCH (p:Platform) RETURN count(p) AS n", "--format", "json", "--store", built)
    assert json.loads(out)[0]["n"] > 0
