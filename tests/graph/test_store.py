"""The store: exact round trip, safe to open when it came from elsewhere, atomic replacement."""

from __future__ import annotations

import json
import pickle

import pytest

from graph import build_graph
from graph.errors import StoreError
from graph.store import FORMAT_VERSION, Store, open_store, save_store
from graph.store.versions import leftovers


def _graph_equal(a, b) -> bool:
    return (dict(a.nodes(data=True)) == dict(b.nodes(data=True))
            and sorted(a.edges(keys=True, data=True), key=repr) == sorted(b.edges(keys=True, data=True), key=repr))


def test_round_trip_is_exact(tiny_tables, store_path):
    meta = save_store(tiny_tables, store_path)
    store = open_store(store_path)
    assert store.tables.equals(tiny_tables)
    assert _graph_equal(store.graph(), build_graph(tiny_tables))
    assert store.meta == meta
    assert meta["counts"]["organizations"] == 17


def test_reopen_uses_the_signed_cache(tiny_tables, store_path, monkeypatch):
    save_store(tiny_tables, store_path)
    Store(store_path).graph()  # the first analysis makes the graph and caches it
    import graph.store as st

    monkeypatch.setattr(st, "build_graph", lambda *a, **k: pytest.fail("rebuilt although the cache verifies"))
    G = Store(store_path).graph()
    assert G.graph["fingerprint"] == Store(store_path).fingerprint


class _Boom:
    def __reduce__(self):  # would run code if unpickled
        return (pytest.fail, ("a foreign pickle was unpickled",))


def test_foreign_pickle_is_never_loaded(tiny_tables, store_path):
    save_store(tiny_tables, store_path)
    Store(store_path).graph()  # cached, and signed
    (store_path / "cache" / "graph.pickle").write_bytes(pickle.dumps(_Boom()))
    G = Store(store_path).graph()  # signature fails → rebuilt from the tables, cache rewritten
    assert _graph_equal(G, build_graph(tiny_tables))
    assert Store(store_path).graph().number_of_nodes() == G.number_of_nodes()


def test_store_from_another_machine_opens(tiny_tables, store_path, monkeypatch, tmp_path):
    save_store(tiny_tables, store_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other-user"))  # another user's key
    G = Store(store_path).graph()
    assert _graph_equal(G, build_graph(tiny_tables))


def test_tampered_tables_are_refused(tiny_tables, store_path):
    save_store(tiny_tables, store_path)
    Store(store_path).graph()  # cached: the cache is checked against the tables' fingerprint
    path = store_path / "tables" / "organizations.parquet"
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(StoreError, match="do not match its meta.json; rebuild it with `jjjkg build`"):
        Store(store_path).graph()


@pytest.mark.parametrize("meta, message", [
    (None, "no store at"),
    ("{not json", "is damaged"),
    (json.dumps({"format_version": FORMAT_VERSION + 1}), f"has format version {FORMAT_VERSION + 1}"),
])
def test_missing_or_damaged_store(store_path, meta, message):
    if meta is not None:
        store_path.mkdir()
        (store_path / "meta.json").write_text(meta)
    with pytest.raises(StoreError, match=message):
        Store(store_path)


def test_rebuild_replaces_whole_store(tiny_tables, store_path):
    save_store(tiny_tables, store_path)
    (store_path / "stray.txt").write_text("from the old store")
    smaller = tiny_tables
    smaller.organizations = smaller.organizations.iloc[:3]
    smaller.relations = smaller.relations.iloc[:0]
    save_store(smaller, store_path)
    assert not (store_path / "stray.txt").exists()
    assert len(Store(store_path).tables.organizations) == 3
    assert leftovers(store_path) == []  # only the current version and the writer lock beside it


def test_failed_write_leaves_old_store(tiny_tables, store_path, monkeypatch):
    save_store(tiny_tables, store_path)
    before = {p: p.read_bytes() for p in store_path.rglob("*") if p.is_file()}
    import graph.store as st

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(st, "write_arrays", broken)
    with pytest.raises(StoreError, match="disk full"):
        save_store(tiny_tables, store_path)
    assert {p: p.read_bytes() for p in store_path.rglob("*") if p.is_file()} == before
    assert leftovers(store_path) == []  # only the current version and the writer lock beside it
