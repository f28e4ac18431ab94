"""The store's graph arrays: the same graph as networkx's, checked before use, and no graph made to open."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import queries
from graph import build_graph
from graph.build import KnowledgeGraph
from graph.errors import StoreError
from graph.store import Store, save_store
from loaders import read_folder
from loaders.synthetic import generate, write_folder


def _keys(arrays) -> list:
    """The networkx node key of each node of the arrays."""
    return [i if lab not in ("Sector", "Service", "Region") else (lab, i)
            for i, lab in zip(arrays.ids(), arrays.labels())]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    write_folder(generate(300, seed=7, relations_per_org=5), folder)
    return read_folder(folder)


@pytest.fixture(params=["tiny", "generated"])
def tables(request, tiny_tables):
    return tiny_tables if request.param == "tiny" else request.getfixturevalue("generated")


def test_the_arrays_hold_the_graph_networkx_makes(tables, store_path):
    meta = save_store(tables, store_path)
    G = build_graph(tables)
    arrays = Store(store_path).arrays()
    keys = _keys(arrays)
    assert (meta["nodes"], meta["edges"]) == (G.number_of_nodes(), G.number_of_edges())
    assert keys == list(dict.fromkeys(keys)) and set(keys) == set(G.nodes)
    assert [G.nodes[k]["label"] for k in keys] == arrays.labels()
    assert [G.nodes[k].get("name", "") for k in keys] == arrays.names()
    rels = arrays.meta["relations"]
    edges = [(keys[s], keys[d], rels[r]) for s, d, r in zip(arrays.a["edge_src"].tolist(),
                                                            arrays.a["edge_dst"].tolist(), arrays.a["edge_rel"].tolist())]
    assert sorted(edges, key=repr) == sorted(G.edges(keys=True), key=repr)
    off, src = arrays.a["edge_offsets"], arrays.a["edge_src"]
    assert all((src[off[i]:off[i + 1]] == i).all() for i in range(arrays.nodes))
    assert arrays.count("Organization") == len(tables.organizations)
    assert arrays.count("Platform") == len(G.nodes_with_label("Platform"))


@pytest.mark.parametrize("name", ["rd-scaleup-paths", "supply-demand", "brokers", "partner-candidates",
                                  "alliance-gaps", "sector-coverage"])
def test_analyses_answer_the_same_from_a_store(tables, store_path, name):
    save_store(tables, store_path)
    q = queries.get_query(name)
    fresh = q.func(build_graph(tables))
    assert q.func(Store(store_path).graph()) == fresh  # made from the tables on first use
    assert q.func(Store(store_path).graph()) == fresh  # then from the signed cache


def test_opening_makes_no_graph_until_an_analysis_asks(tiny_tables, store_path, monkeypatch):
    save_store(tiny_tables, store_path)
    assert not (store_path / "cache" / "graph.pickle").exists()  # a build makes and pickles no graph
    import graph.store as st

    made = []
    real_build, real_loads = st.build_graph, pickle.loads
    monkeypatch.setattr(st, "build_graph", lambda *a, **k: made.append("built") or real_build(*a, **k))
    monkeypatch.setattr(st.pickle, "loads", lambda *a, **k: made.append("unpickled") or real_loads(*a, **k))
    store = Store(store_path)
    assert store.arrays().count("Organization") == 17
    nodes = store.nodes()  # what binding parameters and naming ids read
    assert nodes.number_of_edges() == 0 and nodes.nodes["bj-pf-1"]["type"] == "platform"
    assert made == []
    assert isinstance(store.graph(), KnowledgeGraph) and made == ["built"]
    assert isinstance(Store(store_path).graph(), KnowledgeGraph) and made == ["built", "unpickled"]


def _rewrite(path, array, **kw):
    path.unlink()
    np.save(path, array, **kw)


def _link(path, tmp_path):
    copy = tmp_path / "elsewhere.npy"
    copy.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(copy)


@pytest.mark.parametrize("file, damage, why", [
    ("edge_src", lambda p, t: _rewrite(p, np.load(p).astype("<i8")), "holds int64, expected int32"),
    ("edge_dst", lambda p, t: _rewrite(p, np.load(p)[:-1]), "expected (" ),
    ("edge_dst", lambda p, t: _rewrite(p, np.where(np.arange(len(np.load(p))) == 0, 10 ** 6, np.load(p))
                                      .astype("<i4")), "an index out of range"),
    ("edge_rel", lambda p, t: _rewrite(p, np.full(len(np.load(p)), -1, "i1")), "an index out of range"),
    ("node_id_offsets", lambda p, t: _rewrite(p, np.load(p)[::-1].copy()), "offsets out of order"),
    ("edge_offsets", lambda p, t: _rewrite(p, np.zeros(len(np.load(p)), "<i8")), "offsets out of order"),
    ("node_labels", lambda p, t: _rewrite(p, np.array([object()] * len(np.load(p)), dtype=object),
                                          allow_pickle=True), "holds object, expected int8"),
    ("node_names", lambda p, t: p.write_bytes(p.read_bytes()[:-3]), "bytes, expected"),
    ("edge_src", lambda p, t: p.write_bytes(b"not an array"), "not a numpy array file"),
    ("edge_src", _link, "Too many levels of symbolic links"),
])
def test_a_hostile_array_is_refused_in_one_line(tiny_tables, store_path, tmp_path, file, damage, why):
    save_store(tiny_tables, store_path)
    damage(store_path / "graph" / f"{file}.npy", tmp_path)
    store = Store(store_path)  # opening reads meta.json only
    for read in (store.arrays, store.nodes):
        with pytest.raises(StoreError) as err:
            read()
        message = str(err.value)
        assert "\n" not in message and f"graph/{file}.npy" in message and why in message
        assert message.endswith("rebuild it with `jjjkg build`")


class _Boom:
    def __reduce__(self):  # would run code if unpickled
        return (pytest.fail, ("an array file's pickle was unpickled",))


def test_an_array_file_holding_a_pickle_is_never_unpickled(tiny_tables, store_path):
    save_store(tiny_tables, store_path)
    np.save(store_path / "graph" / "edge_src.npy", np.array([_Boom()], dtype=object), allow_pickle=True)
    with pytest.raises(StoreError, match="edge_src.npy: holds object, expected int32"):
        Store(store_path).arrays()


def test_a_store_without_arrays_still_opens(tiny_tables, store_path):
    """A store an older jjjkg built: the nodes are read from its tables, and the arrays asked for by name."""
    import json

    save_store(tiny_tables, store_path)
    meta_path = store_path / "meta.json"
    meta = json.loads(meta_path.read_text())
    del meta["arrays"]
    meta_path.unlink()
    meta_path.write_text(json.dumps(meta))
    store = Store(store_path)
    assert store.nodes().nodes["bj-pf-1"]["type"] == "platform"
    with pytest.raises(StoreError, match="has no graph arrays .*rebuild it with `jjjkg build`"):
        store.arrays()
