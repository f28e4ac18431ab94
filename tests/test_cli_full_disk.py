"""A full disk, for real: a 4 MB tmpfs filled to the last byte. ``cypher`` (starting its server),
``report`` and ``viz`` each end with one line naming the file and saying the disk is full, never a
traceback, and leave no temporary file behind."""

from __future__ import annotations

import errno
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.conftest import TINY


@pytest.fixture
def full_disk(tmp_path):
    """A size-limited tmpfs holding a store built from the tiny folder, then filled."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mnt)],
                              capture_output=True, text=True, timeout=30)
    except OSError as err:
        pytest.skip(f"a small file system cannot be mounted here ({err}): the full-disk paths are untested")
    if done.returncode != 0:
        pytest.skip(f"a small file system cannot be mounted here (mount: {done.stderr.strip()}; needs root)")
    try:
        yield mnt
    finally:
        from graph.store.falkordb import stop

        stop(mnt / "store")
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=30)


def _fill(folder: Path) -> None:
    with open(folder / f"fill-{uuid.uuid4().hex}", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError as err:
            assert err.errno == errno.ENOSPC
    os.sync()


def _one_line(code: int, err: str, path: Path, expected_code: int = 1, prefix: str = "") -> None:
    assert code == expected_code, err
    assert "Traceback" not in err
    assert err.splitlines()[-1] == (f"Error: {prefix}cannot write {str(path)!r}: no space left on the device; free "
                                    "some space and run the command again (nothing was replaced)")


def _no_leftovers(folder: Path) -> None:
    assert [p.name for p in folder.rglob(".*.tmp")] == []


@pytest.fixture
def store_on_full_disk(cli, full_disk, monkeypatch):
    store = full_disk / "store"
    code, _, err = cli("build", "--data", TINY, "--store", store)
    assert code == 0, err
    runtime = full_disk / "run"  # the server's private folder on the same full disk
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    _fill(full_disk)
    return store


def test_report_on_a_full_disk(cli, store_on_full_disk):
    out = store_on_full_disk.parent / "pack"
    code, _, err = cli("report", "--out", out, "--store", store_on_full_disk)
    _one_line(code, err, out / "briefing.html")
    _no_leftovers(store_on_full_disk.parent)


@pytest.mark.parametrize("option, name", [("--out", "graph.html"), ("--png", "h2.png")])
def test_viz_on_a_full_disk(cli, store_on_full_disk, option, name):
    out = store_on_full_disk.parent / name
    code, _, err = cli("viz", "--sector", "S_H2", option, out, "--store", store_on_full_disk)
    _one_line(code, err, out)
    assert not out.exists()
    _no_leftovers(store_on_full_disk.parent)


def test_cypher_cannot_start_its_server_on_a_full_disk(cli, store_on_full_disk):
    from graph.store.falkordb import server

    code, _, err = cli("cypher", "RETURN 1 AS one", "--store", store_on_full_disk)
    sdir = server._server_dir(store_on_full_disk)
    _one_line(code, err, sdir / "store", expected_code=3, prefix="cannot start the embedded FalkorDB server: ")
    _no_leftovers(store_on_full_disk.parent)
