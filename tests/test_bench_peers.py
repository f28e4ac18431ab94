"""The peers' benchmark answers what jjjkg answers: every analysis it compares, from Kùzu and Ladybug and from
jjjkg's Cypher engine, record for record.

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


@pytest.fixture(scope="module")
def networkx_records(folder_and_store):
    _, store = folder_and_store
    names = [*peers.ANALYSES, *peers.JJJKG_ONLY]
    return {name: peers._child(["-m", "bench.peers", "analysis", "jjjkg", name, str(store)])[0]["records"]
            for name in names}


@pytest.mark.parametrize("name", [*peers.ANALYSES, *peers.JJJKG_ONLY])
def test_cypher_engine_records_equal_networkx_in_the_benchmark(folder_and_store, networkx_records, name):
    _, store = folder_and_store
    theirs = peers._child(["-m", "bench.peers", "analysis", "jjjkg-cypher", name, str(store)])[0]["records"]
    assert len(networkx_records[name]) > 10
    assert peers._same(theirs, networkx_records[name])


@pytest.mark.parametrize("peer", sorted(peers.PEERS))
def test_peer_records_equal_jjjkg_for_every_analysis(folder_and_store, networkx_records, tmp_path, peer):
    if importlib.util.find_spec(peers.PEERS[peer]) is None:
        pytest.skip(f"{peer} is not installed (pip install -e '.[bench]')")
    data, _ = folder_and_store
    db = str(tmp_path / "db")
    peers._child(["-m", "bench.peers", "load", peer, str(data), db])
    for name in peers.ANALYSES:
        theirs = peers._child(["-m", "bench.peers", "analysis", peer, name, db])[0]["records"]
        assert len(networkx_records[name]) > 10, name
        assert peers._same(theirs, networkx_records[name]), name
    assert any(r["critical_sectors"] for r in networkx_records["brokers"])  # both measures compared
    assert any(r["distance_km"] is not None for r in networkx_records["supply-demand"])


def test_records_compare_floats_to_1e_9():
    assert peers._same([{"b": 0.1 + 0.2, "xs": [1, "a"]}], [{"b": 0.3, "xs": [1, "a"]}])
    assert not peers._same([{"b": 0.3 + 1e-6}], [{"b": 0.3}])
    assert not peers._same([{"b": 1}], [{"b": 1}, {"b": 2}])
