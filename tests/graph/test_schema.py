"""The schema is consistent: one meaning per spelling, every relation's ends are labels."""

from __future__ import annotations

import pytest

from graph import schema
from loaders.read import _fold_header


@pytest.mark.parametrize("table", schema.TABLES.values(), ids=lambda t: t.name)
def test_each_header_spelling_names_one_column(table):
    seen: dict[str, str] = {}
    for c in table.columns:
        for spelling in {_fold_header(x) for x in (c.name, c.zh, *c.aliases)}:
            assert seen.setdefault(spelling, c.name) == c.name, (spelling, seen[spelling], c.name)


def test_type_and_relation_aliases_are_unambiguous():
    spellings: dict[str, str] = {}
    for t in schema.ORG_TYPES.values():
        for s in (t.key, t.label, t.zh, *t.aliases):
            assert spellings.setdefault(s, t.key) == t.key, s
    rel: dict[str, str] = {}
    for name in schema.INPUT_RELATIONS:
        r = schema.RELATIONS[name]
        for s in (name, r.zh, *r.aliases):
            assert rel.setdefault(s, name) == name, s


def test_relation_ends_are_labels():
    for r in schema.RELATIONS.values():
        assert set(r.sources) | set(r.targets) <= set(schema.NODE_LABELS), r.name


@pytest.mark.parametrize("spelling, key", [("中试平台", "platform"), ("高校", "university"), ("Institute", "institute"),
                                           ("园区", "park"), ("金融机构", "financial"), ("火箭", None)])
def test_org_type_spellings(spelling, key):
    t = schema.org_type(spelling)
    assert (t.key if t else None) == key


def test_relation_lookups_equal_a_pass_over_every_edge(tmp_path):
    """relation_pairs and relation_positions, from the lookups kept at build and after refresh(), against the edges."""
    import loaders
    from graph import build_graph
    from loaders.synthetic import generate, write_folder

    for tables in (loaders.read_bundled(),
                   loaders.read_folder(write_folder(generate(400, seed=3, relations_per_org=5), tmp_path / "s"))):
        G = build_graph(tables)
        want = {rel: sorted((u, v) for u, v, k in G.edges(keys=True) if k == rel) for rel in schema.RELATIONS}
        assert sum(1 for rel in schema.RELATIONS if want[rel]) >= 8
        for refreshed in (False, True):
            if refreshed:
                G.refresh()
                assert "positions" not in G._index
            for rel in schema.RELATIONS:
                assert sorted(G.relation_pairs(rel)) == want[rel], rel
                ids, u, v = G.relation_positions(rel)
                assert sorted((ids[a], ids[b]) for a, b in zip(u.tolist(), v.tolist())) == want[rel], rel
            ids, _, _ = G.relation_positions(*schema.INPUT_RELATIONS)
            assert ids == sorted(ids)
