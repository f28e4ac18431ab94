"""The saved store under attack, concurrency, kills and full disks (issue: trust, items 4, 10, 13).

The cache key must be one only this user holds; builds are serialised and switch the store in one
step; a reader sees the old store or the new, whole; a killed build loses nothing; a full disk or a
damaged file gives one clear error and leaves the old store byte for byte.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import pickle
import random
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graph import build_graph
from graph.errors import StoreError
from graph.store import Store, _sign, save_store, versions
from graph.store.cache_key import KEY_BYTES, cache_key, key_path

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture
def config(tmp_path, monkeypatch) -> Path:
    """A private configuration folder for this test; returns where the key lives."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    return key_path()


def _snapshot(store: Path) -> dict:
    return {p.relative_to(store): p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()}


# ----------------------------------------------------------------------------- 4. the cache key


class _Forged:
    def __reduce__(self):  # runs when unpickled
        return (pytest.fail, ("a pickle signed with a key others could read was unpickled",))


def _cached(tables, store: Path) -> None:
    """A store whose graph an analysis has read once: its ``cache`` holds the signed pickle."""
    save_store(tables, store)
    Store(store).graph()


def _forge(store: Path, key: bytes) -> None:
    """What another user who read ``key`` would do: a malicious pickle, correctly signed with it."""
    payload = pickle.dumps(_Forged())
    (store / "cache" / "graph.pickle").write_bytes(payload)
    fingerprint = json.loads((store / "meta.json").read_text())["fingerprint"]
    (store / "cache" / "graph.sig").write_text(_sign(hashlib.sha256(payload).digest(), fingerprint, key))


def _write_key(path: Path, key: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(key)
    path.chmod(mode)


def _is_fresh_private_key(path: Path, old: bytes) -> bool:
    st = os.lstat(path)
    return (stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == os.geteuid()
            and len(path.read_bytes()) == KEY_BYTES and path.read_bytes() != old)


def test_a_key_others_can_read_is_not_used_and_is_replaced(tiny_tables, store_path, config):
    _cached(tiny_tables, store_path)
    stolen = b"k" * KEY_BYTES
    _write_key(config, stolen, 0o644)  # readable by everyone: another user copied it
    _forge(store_path, stolen)
    G = Store(store_path).graph()  # not unpickled: built from the tables
    assert G.number_of_nodes() == build_graph(tiny_tables).number_of_nodes()
    assert _is_fresh_private_key(config, stolen)


@pytest.mark.parametrize("key", [
    b"",                       # left empty by a full disk: would sign with HMAC(b"")
    b"short",                  # truncated
    b"x" * (KEY_BYTES + 1),    # not a key this version wrote
])
def test_a_key_of_the_wrong_length_is_replaced(tiny_tables, store_path, config, key):
    _cached(tiny_tables, store_path)
    _write_key(config, key, 0o600)
    _forge(store_path, key)
    assert Store(store_path).graph().number_of_nodes() == build_graph(tiny_tables).number_of_nodes()
    assert _is_fresh_private_key(config, key)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_key_owned_by_another_user_is_refused(tiny_tables, store_path, config):
    _cached(tiny_tables, store_path)
    planted = b"p" * KEY_BYTES
    _write_key(config, planted, 0o600)
    os.chown(config, 4242, 4242)  # planted by uid 4242, who knows it
    _forge(store_path, planted)
    assert Store(store_path).graph().number_of_nodes() == build_graph(tiny_tables).number_of_nodes()
    assert _is_fresh_private_key(config, planted)


def test_a_key_that_is_a_link_is_refused(tiny_tables, store_path, config, tmp_path):
    _cached(tiny_tables, store_path)
    elsewhere = tmp_path / "elsewhere.key"
    _write_key(elsewhere, b"e" * KEY_BYTES, 0o600)
    config.unlink()
    config.symlink_to(elsewhere)
    _forge(store_path, b"e" * KEY_BYTES)
    Store(store_path).graph()
    assert not config.is_symlink() and _is_fresh_private_key(config, b"e" * KEY_BYTES)
    assert elsewhere.read_bytes() == b"e" * KEY_BYTES  # the link's target is left alone


def test_a_config_folder_others_can_write_turns_the_cache_off(tiny_tables, store_path, config, capsys):
    _cached(tiny_tables, store_path)
    config.parent.chmod(0o777)  # anyone could swap the key file between our check and our read
    _forge(store_path, config.read_bytes())
    assert cache_key() is None
    assert Store(store_path).graph().number_of_nodes() == build_graph(tiny_tables).number_of_nodes()
    assert f"the graph cache is off: {config.parent} is writable by other users (mode 0777)" in capsys.readouterr().err


def test_a_full_disk_never_leaves_an_empty_key(config, monkeypatch):
    import graph.store.cache_key as ck

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ck.os, "fsync", full)
    assert cache_key() is None
    assert not config.exists()
    assert list(config.parent.iterdir()) == []  # the temporary file is gone too
    monkeypatch.undo()


def test_the_key_is_written_private_and_reused(config):
    key = cache_key()
    assert len(key) == KEY_BYTES and stat.S_IMODE(os.stat(config).st_mode) == 0o600
    assert cache_key() == key


# ----------------------------------------------------------------------------- 10. the switch, the lock, leftovers


def test_the_store_path_is_a_link_to_a_whole_version(tiny_tables, store_path):
    save_store(tiny_tables, store_path)
    first = os.readlink(store_path)
    save_store(tiny_tables, store_path)
    assert store_path.is_symlink() and os.readlink(store_path) != first
    assert not (store_path.parent / first).exists()  # the old version, unused, is collected
    assert versions.leftovers(store_path) == []


def test_a_reader_keeps_its_version_through_a_rebuild(tiny_tables, store_path):
    save_store(tiny_tables, store_path)
    reader = Store(store_path)
    old_root = reader.root
    smaller = build_smaller(tiny_tables)
    save_store(smaller, store_path)
    assert old_root.exists()  # a reader holds it: not collected
    assert len(reader.tables.organizations) == 17 and reader.graph().number_of_nodes() == reader.meta["nodes"]
    assert len(Store(store_path).tables.organizations) == 3
    del reader
    save_store(smaller, store_path)
    assert not old_root.exists()


def build_smaller(tables):
    smaller = type(tables)(**{n: df for n, df in tables.items()}, source="smaller")
    smaller.organizations = smaller.organizations.iloc[:3].reset_index(drop=True)
    smaller.relations = smaller.relations.iloc[:0]
    return smaller


def _legacy(tables, path: Path) -> None:
    """A store as earlier versions wrote it: a plain folder."""
    save_store(tables, path)
    version = Path(os.path.realpath(path))
    path.unlink()
    version.rename(path)
    (path / versions.READERS_FILE).unlink()


def test_a_plain_folder_store_is_read_and_replaced_in_one_step(tiny_tables, store_path):
    _legacy(tiny_tables, store_path)
    before = Store(store_path)  # opened before the rebuild, read after it
    assert before.root == store_path
    save_store(build_smaller(tiny_tables), store_path)
    assert store_path.is_symlink()
    # the old folder went away under the reader: it reads the new store once, whole, no false alarm
    assert len(before.tables.organizations) == 3 and before.meta["counts"]["organizations"] == 3
    assert before.graph().number_of_nodes() == before.meta["nodes"]
    assert versions.leftovers(store_path) == []


def test_a_build_never_replaces_what_is_not_a_store(tiny_tables, tmp_path):
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "thesis.docx").write_text("years of work")
    with pytest.raises(StoreError, match="is a folder with other files in it, not a jjjkg store"):
        save_store(tiny_tables, documents)
    assert (documents / "thesis.docx").read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Documents"]
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    with pytest.raises(StoreError, match="is a file, not a store folder"):
        save_store(tiny_tables, a_file)


def test_a_users_own_link_is_followed(tiny_tables, tmp_path):
    real = tmp_path / "shared" / "store"
    save_store(tiny_tables, real)
    mine = tmp_path / "mine"
    mine.symlink_to(real)
    save_store(build_smaller(tiny_tables), mine)
    assert os.readlink(mine) == str(real)  # the user's link is kept
    assert len(Store(mine).tables.organizations) == 3 == len(Store(real).tables.organizations)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a link owned by another user needs root")
def test_a_link_planted_by_another_user_is_not_followed(tiny_tables, tmp_path):
    target = tmp_path / "victim"
    planted = tmp_path / "store"
    planted.symlink_to(target)
    os.lchown(planted, 4242, 4242)
    with pytest.raises(StoreError, match="is a link made by another user; choose another --store"):
        save_store(tiny_tables, planted)
    assert not target.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_leftovers_of_killed_builds_are_collected_by_the_next(tiny_tables, store_path):
    save_store(tiny_tables, store_path)
    parent = store_path.parent
    dead = [parent / ".store.new-abc123", parent / ".store.trash-9f", parent / ".store.v-20200101T000000000000-0a0b0c"]
    for d in dead:
        (d / "tables").mkdir(parents=True)
    (parent / ".store.link-77").symlink_to(".store.v-gone")
    other = parent / ".stored.new-keep"  # another store's build: not ours to touch
    other.mkdir()
    assert len(versions.leftovers(store_path)) == 4
    save_store(tiny_tables, store_path)
    assert versions.leftovers(store_path) == []
    assert other.exists()


def test_a_store_copied_without_its_version_says_how_to_copy(tiny_tables, store_path, tmp_path):
    save_store(tiny_tables, store_path)
    copy = tmp_path / "copied"
    copy.mkdir()
    subprocess.run(["cp", "-r", str(store_path), str(copy)], check=True)  # cp -r copies the link itself
    with pytest.raises(StoreError, match=r"which is not there \(to copy a store, copy what the link points to: cp -rL\)"):
        Store(copy / "store")
    subprocess.run(["cp", "-rL", str(store_path), str(copy / "whole")], check=True)
    assert len(Store(copy / "whole").tables.organizations) == 17


def test_a_missing_link_is_restored_from_its_newest_version(tiny_tables, store_path):
    save_store(tiny_tables, store_path)
    version = os.readlink(store_path)
    store_path.unlink()  # as if killed between the two renames of a first switch
    with versions.writer_lock(store_path):
        assert versions.recover(store_path).name == version
    assert len(Store(store_path).tables.organizations) == 17


_WORKER = textwrap.dedent("""
    import json, os, sys, time
    import loaders
    from graph.store import Store, save_store

    role, store, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    folders = sys.argv[4:]
    if role == "build":
        tables = [loaders.read_folder(f) for f in folders]
        print("ready", flush=True)
        for i in range(rounds):
            save_store(tables[i % len(tables)], store)
    else:
        seen = []
        print("ready", flush=True)
        for _ in range(rounds):
            s = Store(store)
            t, G = s.tables, s.graph()
            counts = {name: len(df) for name, df in t.items()}
            assert counts == s.meta["counts"], (counts, s.meta["counts"])
            assert G.number_of_nodes() == s.meta["nodes"] and G.number_of_edges() == s.meta["edges"]
            assert G.graph["fingerprint"] == s.fingerprint
            seen.append(counts["relations"])
            del s
        print(json.dumps(seen), flush=True)
""")


def _worker(role: str, store: Path, rounds: int, *folders, env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _WORKER, role, str(store), str(rounds), *map(str, folders)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


@pytest.fixture
def two_folders(tmp_path, tiny_rows, write_folder):
    """The tiny folder, and the same with five relations (two stores a reader can tell apart)."""
    a = write_folder(tiny_rows, "a")
    tiny_rows["relations"] = tiny_rows["relations"][:5]
    b = write_folder(tiny_rows, "b")
    return a, b


@pytest.fixture
def worker_env(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    env.pop("JJJKG_STORE", None)
    return env


def test_concurrent_builds_and_readers(two_folders, store_path, worker_env):
    import loaders

    a, b = two_folders
    save_store(loaders.read_folder(a), store_path)
    expected = {len(loaders.read_folder(f).relations) for f in (a, b)}
    procs = [_worker("build", store_path, 10, a, b, env=worker_env) for _ in range(2)]  # 20 builds
    procs += [_worker("read", store_path, 25, env=worker_env) for _ in range(4)]      # 100 readers
    seen = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and "Traceback" not in err, err
        if out.strip().splitlines()[1:]:
            seen += json.loads(out.strip().splitlines()[-1])
    assert len(seen) == 100 and set(seen) <= expected and len(expected) == 2
    assert len(Store(store_path).tables.relations) in expected
    # a version a reader held at the last switch is collected by the next build
    save_store(loaders.read_folder(a), store_path)
    assert versions.leftovers(store_path) == []


def test_builds_killed_at_random_moments_lose_nothing(two_folders, store_path, worker_env):
    import loaders

    a, b = two_folders
    save_store(loaders.read_folder(a), store_path)
    expected = [len(loaders.read_folder(f).relations) for f in (a, b)]
    rng = random.Random(11)
    interrupted = 0
    for _ in range(8):
        p = _worker("build", store_path, 1000, b, a, env=worker_env)
        assert p.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        p.send_signal(signal.SIGKILL)
        p.communicate()
        interrupted += bool(versions.leftovers(store_path))
        s = Store(store_path)  # opens, whole, one of the two built versions
        assert len(s.tables.relations) in expected and s.meta["counts"]["relations"] == len(s.tables.relations)
        assert s.graph().number_of_edges() == s.meta["edges"]
        del s
    assert interrupted  # some kills did land inside a build
    save_store(loaders.read_folder(b), store_path)
    assert versions.leftovers(store_path) == []
    assert len(Store(store_path).tables.relations) == expected[1]


# ----------------------------------------------------------------------------- 13. full disks and damaged files


def _full_disk(monkeypatch, module: str = "pyarrow.parquet", name: str = "write_table"):
    import importlib

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "organizations.parquet")

    monkeypatch.setattr(importlib.import_module(module), name, full)


def test_a_full_disk_leaves_the_old_store_byte_identical(tiny_tables, store_path, monkeypatch):
    save_store(tiny_tables, store_path)
    before = _snapshot(store_path)
    _full_disk(monkeypatch)
    with pytest.raises(StoreError) as err:
        save_store(build_smaller(tiny_tables), store_path)
    assert str(err.value) == (f"cannot write the store {str(store_path)!r}: no space left on the device "
                              "(organizations.parquet); free some space and build again; the existing store is unchanged")
    assert _snapshot(store_path) == before
    assert versions.leftovers(store_path) == []


def test_a_full_disk_while_caching_still_answers(tiny_tables, store_path, monkeypatch):
    _cached(tiny_tables, store_path)
    shutil.rmtree(store_path / "cache")
    _full_disk(monkeypatch, "pickle", "dump")
    assert Store(store_path).graph().number_of_nodes() == build_graph(tiny_tables).number_of_nodes()
    assert not list((store_path / "cache").iterdir())  # no half-written pickle left behind


@pytest.mark.parametrize("damage, why", [
    ("{not json", "Expecting property name enclosed in double quotes"),
    ("[]", "expected an object, found list"),
    ('{"format_version": 1}', "no fingerprint"),
    (None, "Is a directory"),  # a folder where meta.json should be
])
def test_a_damaged_meta_json_is_one_clear_error(tiny_tables, store_path, damage, why):
    save_store(tiny_tables, store_path)
    meta = store_path / "meta.json"
    meta.unlink()
    if damage is None:
        meta.mkdir()
    else:
        meta.write_text(damage)
    with pytest.raises(StoreError, match=f"the store at '{store_path}' is damaged \\(meta.json: {why}"):
        Store(store_path)


def test_a_folder_where_the_pickle_should_be(tiny_tables, store_path, capsys):
    _cached(tiny_tables, store_path)
    pkl = store_path / "cache" / "graph.pickle"
    pkl.unlink()
    pkl.mkdir()
    G = Store(store_path).graph()  # the tables are the truth: the graph is built from them
    assert G.number_of_nodes() == build_graph(tiny_tables).number_of_nodes()
    err = capsys.readouterr().err
    assert f"the graph cache '{pkl}' cannot be read (Is a directory); the graph is built from the tables" in err


# ----------------------------------------------------------------------------- the cache folder


def test_a_cache_link_is_not_written_through(tiny_tables, store_path, tmp_path, capsys):
    """A store received as a tar (or another user's) whose ``cache`` is a link to a folder of the reader's."""
    _cached(tiny_tables, store_path)
    root = store_path.resolve()
    shutil.rmtree(root / "cache")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "graph.pickle").write_bytes(b"the reader's own file")
    (root / "cache").symlink_to(victim)
    for _ in range(2):
        G = Store(store_path).graph()  # answered from the tables
        assert G.number_of_nodes() == build_graph(tiny_tables).number_of_nodes()
    assert sorted(p.name for p in victim.iterdir()) == ["graph.pickle"]
    assert (victim / "graph.pickle").read_bytes() == b"the reader's own file"
    err = capsys.readouterr().err
    assert err.count(f"note: the graph cache '{root / 'cache'}' is a symbolic link: nothing is written there; "
                     "the graph is answered from the store's tables, without caching") == 1



# ----------------------------------------------------------------------------- a lock held by someone else

_HOLD = "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX); " \
        "print('held', flush=True); time.sleep(120)"


@pytest.mark.parametrize("lock, argv", [
    # the writer lock beside the store: a build waits on it
    (lambda s: s.parent / f".{s.name}.lock", ["build", "--data", str(TINY)]),
    # the readers file of the current version (opened read-only, as anyone who can read the store can)
    (lambda s: s.resolve() / versions.READERS_FILE, ["query", "rd-scaleup-paths"]),
], ids=["writer-lock", "readers"])
def test_a_lock_held_by_another_process_fails_in_bounded_time(tiny_tables, store_path, lock, argv):
    save_store(tiny_tables, store_path)
    path = lock(store_path)
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "JJJKG_LOCK_TIMEOUT": "1.5"}
        t0 = time.monotonic()
        try:
            out = subprocess.run([sys.executable, "-m", "jjjkg", *argv, "--store", str(store_path)],
                                 capture_output=True, text=True, env=env, timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("the command hung on a lock held by another process")
        assert time.monotonic() - t0 < 30
        assert out.returncode == 1
        what = "writer lock" if path.name.endswith(".lock") else "readers file"
        assert out.stderr.strip().splitlines()[-1:] == [
            f"Error: the store's {what} {str(path)!r} is held by pid {holder.pid} for more than 1.5 s: if no jjjkg "
            "command is running there, that process holds it without reason; end it or ask its owner (or set "
            "JJJKG_LOCK_TIMEOUT to wait longer)"]
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
