"""Store folders from others: links out of the store, versions and lock files that are links or FIFOs,
a meta.json of gigabytes, leftovers named to trick the collector. Nothing outside the store is deleted,
truncated, locked or followed, nothing hangs, and each case is one clear ``StoreError``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.errors import StoreError
from graph.store import Store, save_store, versions

ROOT = Path(__file__).resolve().parents[2]
OTHER_UID = 4242
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")


def _tree(d: Path) -> dict:
    """What a folder holds, without following links: path → bytes, link target or 'dir'."""
    out = {}
    for root, dirs, files in os.walk(d):
        for n in dirs + files:
            p = Path(root) / n
            out[str(p.relative_to(d))] = (os.readlink(p) if p.is_symlink() else "dir" if p.is_dir()
                                          else p.read_bytes())
    return out


@pytest.fixture
def victim(tmp_path) -> Path:
    """A folder of someone's work beside the stores, that nothing may touch."""
    d = tmp_path / "victim"
    (d / "falkordb").mkdir(parents=True)
    (d / "thesis.txt").write_text("years of work")
    (d / ".readers").write_text("not a lock")
    (d / "meta.json").write_text('{"format_version": 1}')
    return d


def _in_child(code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python with this checkout first on the path: a blocked open (a FIFO) cannot
    be interrupted in-process, so it is killed from outside instead, and the test fails rather than hangs."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"blocked for {timeout} s (a FIFO or a lock was waited on)")


def _version(store: Path) -> Path:
    return store.parent / os.readlink(store)


@needs_root
def test_a_link_to_another_users_folder_is_not_built_into(tiny_tables, tmp_path, victim):
    os.chown(victim, OTHER_UID, OTHER_UID)
    (tmp_path / "store").symlink_to(victim)
    before = _tree(victim)
    with pytest.raises(StoreError, match="which belongs to another user: a build does not write there"):
        save_store(tiny_tables, tmp_path / "store")
    assert _tree(victim) == before


def test_a_link_to_etc_is_neither_built_into_nor_read(tiny_tables, tmp_path):
    before = sorted(os.listdir("/etc"))
    (tmp_path / "store").symlink_to("/etc")
    with pytest.raises(StoreError):
        save_store(tiny_tables, tmp_path / "store")
    with pytest.raises(StoreError, match="no store at"):
        Store(tmp_path / "store")
    assert sorted(os.listdir("/etc")) == before


def test_a_version_that_is_a_link_is_refused_and_only_the_link_is_collected(tiny_tables, store_path, victim):
    save_store(tiny_tables, store_path)
    version = _version(store_path)
    os.rename(version, victim.parent / "kept")  # the real version out of the way; a link in its place
    version.symlink_to(victim)
    before = _tree(victim)
    with pytest.raises(StoreError, match="which is a link, not a version folder: refused .*cp -rL"):
        Store(store_path)
    save_store(tiny_tables, store_path)  # the next build collects the planted link, not what it points to
    assert not os.path.lexists(version)
    assert _tree(victim) == before
    assert len(Store(store_path).tables.organizations) == len(tiny_tables.organizations)


def test_a_store_link_that_climbs_out_is_not_taken_for_a_version(tiny_tables, store_path, victim):
    """A link named like a version but leading up and out is the user's link at best: never ours."""
    assert not versions._is_ours(store_path, "v", ".store.v-1/../../victim")
    assert not versions._is_ours(store_path, "v", ".store.v-1.v-20260101T000000000000-aaaaaa")
    assert versions._is_ours(store_path, "v", ".store.v-20260101T000000000000-aaaaaa")


def test_a_readers_file_that_is_a_link_is_never_opened_or_truncated(tiny_tables, store_path, victim):
    save_store(tiny_tables, store_path)
    readers = _version(store_path) / versions.READERS_FILE
    readers.unlink()
    readers.symlink_to(victim / "thesis.txt")
    before = _tree(victim)
    assert len(Store(store_path).tables.organizations) == len(tiny_tables.organizations)
    save_store(tiny_tables, store_path)  # collects that version: the link goes, the file stays
    save_store(tiny_tables, store_path)
    assert _tree(victim) == before


def test_a_readers_file_that_is_a_fifo_does_not_hang(tiny_tables, store_path):
    save_store(tiny_tables, store_path)
    readers = _version(store_path) / versions.READERS_FILE
    readers.unlink()
    os.mkfifo(readers)
    done = _in_child(f"from graph.store import Store, save_store; s = Store({str(store_path)!r}); "
                     "print(len(s.tables.organizations)); save_store(s.tables, s.path)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(len(tiny_tables.organizations))


@pytest.mark.parametrize("kind", ["link", "fifo"])
def test_a_lock_file_that_is_a_link_or_a_fifo_is_refused(tiny_tables, store_path, victim, kind):
    save_store(tiny_tables, store_path)
    lock = store_path.parent / ".store.lock"
    lock.unlink()
    if kind == "link":
        lock.symlink_to(victim / "thesis.txt")
    else:
        os.mkfifo(lock)
    before = _tree(victim)
    done = _in_child(f"from graph.store import Store, save_store; s = Store({str(store_path)!r}); "
                     "print(len(s.tables.organizations)); save_store(s.tables, s.path)")
    assert done.stdout.strip() == str(len(tiny_tables.organizations))  # readers still read
    assert "StoreError: the store's lock file" in done.stderr and "is not a plain file of yours" in done.stderr
    assert _tree(victim) == before


def test_a_meta_json_of_2_gb_is_not_read(tiny_tables, store_path):
    save_store(tiny_tables, store_path)
    meta = store_path / "meta.json"
    meta.unlink()
    with open(meta, "wb") as f:  # sparse: 2 GB to read, nothing on disk
        f.truncate(2 * 1024 ** 3)
    with pytest.raises(StoreError, match=r"is damaged \(meta.json: 2,147,483,648 bytes, more than a store writes"):
        Store(store_path)


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/stdin"])
def test_a_meta_json_that_is_a_link_to_a_device_is_not_read(tiny_tables, store_path, target):
    save_store(tiny_tables, store_path)
    meta = store_path / "meta.json"
    meta.unlink()
    meta.symlink_to(target)
    done = _in_child(f"from graph.store import Store; Store({str(store_path)!r})")
    assert "is damaged (meta.json: Too many levels of symbolic links" in done.stderr


def test_leftovers_named_to_trick_the_collector(tiny_tables, store_path, victim):
    parent = store_path.parent
    save_store(tiny_tables, store_path)
    other = parent / "store.v-1"  # another store, whose versions begin .store.v-1.v-…
    save_store(tiny_tables, other)
    for name in (".store.new-x1", ".store.trash-y2", ".store.link-z3", ".store.v-20200101T000000000000-aaaaaa"):
        (parent / name).symlink_to(victim)
    inside = parent / ".store.new-q4"  # a real leftover folder holding links out
    inside.mkdir()
    (inside / "out").symlink_to(victim)
    (inside / "thesis").symlink_to(victim / "thesis.txt")
    before = _tree(victim)
    save_store(tiny_tables, store_path)
    assert versions.leftovers(store_path) == []
    assert _tree(victim) == before
    assert len(Store(other).tables.organizations) == len(tiny_tables.organizations)  # the other store stays whole
