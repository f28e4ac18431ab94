"""The two analyses of contract section 4, exactly, on hand-made graphs that cover every rule."""

from __future__ import annotations

import pytest

import loaders
import queries
from graph import build_graph
from graph.errors import QueryError

# the five triples of tests/data/tiny, worked out by hand from its README's traps
TINY_PATHS = [
    {"rnd_id": "bj-ent-1", "platform_id": "bj-pf-1", "site_id": "hb-park-1", "sectors": []},
    {"rnd_id": "bj-ent-1", "platform_id": "bj-pf-1", "site_id": "tj-site-1", "sectors": ["S_H2"]},
    {"rnd_id": "bj-inst-1", "platform_id": "bj-pf-2", "site_id": "hb-site-1", "sectors": ["S_BIO"]},
    {"rnd_id": "bj-uni-1", "platform_id": "bj-pf-1", "site_id": "hb-park-1", "sectors": []},
    {"rnd_id": "bj-uni-1", "platform_id": "bj-pf-1", "site_id": "tj-site-1", "sectors": ["S_H2"]},
]

TINY_GAPS = [
    ("S_BIO", "DEAD_END_PLATFORM", "bj-pf-3"),
    ("S_BIO", "ORPHAN_RND", "bj-inst-2"),
    ("S_BIO", "SINGLE_POINT", "bj-pf-2"),
    ("S_BIO", "NOT_IN_ALLIANCE", "bj-inst-1"),
    ("S_BIO", "NOT_IN_ALLIANCE", "hb-site-1"),
    ("S_BIOC", "NO_BEIJING_RND", None),
    ("S_BIOC", "NO_PILOT_PLATFORM", None),
    ("S_BIOC", "NO_COMPLETE_PATH", None),
    ("S_H2", "SINGLE_POINT", "bj-pf-1"),
    ("S_H2", "NOT_IN_ALLIANCE", "bj-ent-1"),
    ("S_H2", "NOT_IN_ALLIANCE", "hb-park-1"),
    ("S_IC", "NO_BEIJING_RND", None),
    ("S_IC", "NO_PILOT_PLATFORM", None),
    ("S_IC", "NO_COMPLETE_PATH", None),
    ("S_ROBOT", "NO_PILOT_PLATFORM", None),
    ("S_ROBOT", "NO_COMPLETE_PATH", None),
]


def test_rd_scaleup_paths_tiny_exact(tiny_graph):
    assert queries.rd_scaleup_paths(tiny_graph) == TINY_PATHS


@pytest.mark.parametrize("params, expected", [
    ({"province": "天津"}, [p for p in TINY_PATHS if p["site_id"].startswith("tj-")]),
    ({"province": "Hebei"}, [p for p in TINY_PATHS if p["site_id"].startswith("hb-")]),  # English spelling
    ({"province": "河北省"}, [p for p in TINY_PATHS if p["site_id"].startswith("hb-")]),
    ({"sector": "S_BIO"}, [TINY_PATHS[2]]),
    ({"sector": "氢能"}, [p for p in TINY_PATHS if p["platform_id"] == "bj-pf-1"]),  # a unique name
    ({"sector": "S_ROBOT"}, []),  # the robot chain has no Beijing platform
    ({"sector": "S_H2", "province": "河北"}, [TINY_PATHS[0], TINY_PATHS[3]]),
])
def test_rd_scaleup_paths_params(tiny_graph, params, expected):
    assert queries.rd_scaleup_paths(tiny_graph, **params) == expected


@pytest.mark.parametrize("params, message", [
    ({"province": "北京"}, "province: expected 天津 or 河北, got '北京'"),
    ({"sector": "生物医药"}, "sector name '生物医药' matches 2 sectors: S_BIO, S_BIOC; pass the id"),
    ({"sector": "NOPE"}, "no sector 'NOPE'"),
    ({"colour": "red"}, "rd-scaleup-paths has no parameter 'colour'; its parameters: sector, province"),
])
def test_rd_scaleup_paths_bad_params(tiny_graph, params, message):
    with pytest.raises(QueryError) as err:
        queries.rd_scaleup_paths(tiny_graph, **params)
    assert str(err.value).startswith(message)


def test_alliance_gaps_tiny_exact(tiny_graph):
    got = [(r["sector"], r["gap"], r["entity_id"]) for r in queries.alliance_gaps(tiny_graph)]
    assert got == TINY_GAPS


def test_alliance_gaps_keys_and_no_gap_sector(tiny_graph):
    rows = queries.alliance_gaps(tiny_graph)
    assert all(set(r) == {"sector", "gap", "entity_id"} for r in rows)
    # S_EMPTY is an industry nobody names: it is not checked at all
    assert "S_EMPTY" not in {r["sector"] for r in rows}


def _folder(write_folder, orgs, rels, sectors=None):
    sectors = sectors or [
        {"id": "C1", "name": "链一", "kind": "chain"},
        {"id": "C2", "name": "链二", "kind": "chain"},
        {"id": "I1", "name": "产业一", "kind": "industry"},
        {"id": "I2", "name": "产业二", "kind": "industry"},
    ]
    cols = ["id", "name", "type", "province", "sectors"]
    return write_folder({"organizations": [dict(zip(cols, o)) for o in orgs],
                         "relations": [dict(zip(["from_id", "relation", "to_id"], r)) for r in rels],
                         "sectors": sectors})


def test_chain_without_members_gets_every_sector_gap(write_folder):
    G = build_graph(loaders.read_folder(_folder(write_folder, [("a", "甲", "enterprise", "北京", "I1")], [])))
    got = [(r["sector"], r["gap"]) for r in queries.alliance_gaps(G)]
    # C1 and C2 are chains: always checked; I1 is named by 'a'; I2 is named by nobody
    assert got == [(s, g) for s in ("C1", "C2") for g in
                   ("NO_BEIJING_RND", "NO_PILOT_PLATFORM", "NO_SCALEUP_SITE", "NO_COMPLETE_PATH")] + [
        ("I1", "NO_PILOT_PLATFORM"), ("I1", "NO_SCALEUP_SITE"), ("I1", "NO_COMPLETE_PATH")]


def test_single_point_needs_exactly_one_platform(write_folder):
    orgs = [("r", "研", "institute", "北京", "C1"), ("p1", "台一", "platform", "北京", "C1"),
            ("p2", "台二", "platform", "北京", "C1"), ("s", "厂", "site", "河北", "C1"),
            ("al", "盟", "alliance", "", "")]
    rels = [("r", "TRANSFERS_TO", "p1"), ("r", "TRANSFERS_TO", "p2"), ("p1", "SCALES_UP_AT", "s"),
            ("p2", "SCALES_UP_AT", "s"), ("r", "MEMBER_OF", "al"), ("p1", "MEMBER_OF", "al"),
            ("p2", "MEMBER_OF", "al"), ("s", "MEMBER_OF", "al")]
    G = build_graph(loaders.read_folder(_folder(write_folder, orgs, rels)))
    gaps = [(r["sector"], r["gap"], r["entity_id"]) for r in queries.alliance_gaps(G)]
    assert [g for g in gaps if g[0] == "C1"] == []  # two platforms carry C1: no single point, no other gap
    assert len(queries.rd_scaleup_paths(G)) == 2


def test_rnd_types_and_provinces(write_folder):
    """Only University/Institute/Enterprise in 北京 start a path; parks and platforms do not."""
    orgs = [("u", "大学", "university", "北京", "C1"), ("k", "园区", "park", "北京", "C1"),
            ("q", "另一平台", "platform", "北京", "C1"), ("p", "平台", "platform", "北京", "C1"),
            ("s", "厂", "site", "天津", "C1"), ("t", "天津厂", "site", "天津", "C1")]
    rels = [("u", "TRANSFERS_TO", "p"), ("k", "TRANSFERS_TO", "p"), ("q", "TRANSFERS_TO", "p"),
            ("p", "SCALES_UP_AT", "s"), ("p", "SCALES_UP_AT", "t"), ("p", "PARTNERS_WITH", "s")]
    G = build_graph(loaders.read_folder(_folder(write_folder, orgs, rels)))
    assert [(r["rnd_id"], r["site_id"]) for r in queries.rd_scaleup_paths(G)] == [("u", "s"), ("u", "t")]
    gaps = {(r["gap"], r["entity_id"]) for r in queries.alliance_gaps(G, sector="C1")}
    # q has no scale-up of its own: a dead end; every org on a path lacks MEMBER_OF
    assert gaps == {("DEAD_END_PLATFORM", "q"), ("SINGLE_POINT", "p"), ("NOT_IN_ALLIANCE", "u"),
                    ("NOT_IN_ALLIANCE", "p"), ("NOT_IN_ALLIANCE", "s"), ("NOT_IN_ALLIANCE", "t")}


def test_registry_lists_both_with_docs():
    assert {"rd-scaleup-paths", "alliance-gaps"} <= set(queries.QUERIES)
    for q in queries.QUERIES.values():
        assert q.summary and "Examples" in q.doc, q.name


def test_registry_refuses_a_duplicate_name():
    with pytest.raises(ValueError, match="registered already .* fix by choosing a unique name"):
        queries.named_query("alliance-gaps", cypher="RETURN 1", keys=("x",))(lambda G: [])
