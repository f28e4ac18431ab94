"""The peers' benchmark answers what jjjkg answers: rd-scaleup-paths from Kùzu and Ladybug, record for record.

Only the equality is tested, never the times. The peers come with the ``[bench]`` extra; without it the
test is skipped and says so.
"""

from __future__ import annotations

import importlib.util

import pytest

from bench import peers
from loaders.synthetic import generate, write_folder


@pytest.fixture(scope="module")
def folder_and_store(tmp_path_factory):
    from jjjkg.cli import main

    tmp = tmp_path_factory.mktemp("peers")
    data, store = tmp / "data", tmp / "store"
    write_folder(generate(600, seed=7, relations_per_org=5), data)
    assert main(["build", "--data", str(data), "--store", str(store)]) == 0
    return data, store


@pytest.mark.parametrize("peer", sorted(peers.PEERS))
def test_peer_records_equal_jjjkg(folder_and_store, tmp_path, peer):
    if importlib.util.find_spec(peers.PEERS[peer]) is None:
        pytest.skip(f"{peer} is not installed (pip install -e '.[bench]')")
    data, store = folder_and_store
    ours = peers.jjjkg_rd_scaleup_paths(store)["records"]
    db = str(tmp_path / "db")
    # each in its own process, as the benchmark runs them: Kùzu and Ladybug cannot share one
    peers._child(["-m", "bench.peers", "load", peer, str(data), db])
    assert peers._child(["-m", "bench.peers", "reopen", peer, db])[0]["organizations"] == 600
    theirs = peers._child(["-m", "bench.peers", "rd-scaleup-paths", peer, db])[0]["records"]
    assert len(ours) > 10  # paths to compare, some with shared sectors
    assert any(r["sectors"] for r in ours)
    assert theirs == ours
