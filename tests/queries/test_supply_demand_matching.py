"""``supply-demand``'s matcher against its definition, pair by pair.

``reference_supply_demand`` below is the analysis as its docstring defines it, written the plain way:
every need against every platform offering its service, ranked by (same sector, same province,
distance known, distance rounded to 0.1 km, platform id), the best ``top`` kept. It is how the
records were computed before the matcher pruned candidates, kept here to check that the faster
matcher (and the Cypher path, which feeds the same matcher) gives exactly the same records, on the
tiny, bundled and generated graphs, with every parameter.
"""

from __future__ import annotations

import sys
import zlib

import pytest

import loaders
import queries
from graph import build_graph
from loaders.synthetic import generate, write_folder
from queries.helpers import distance_km

KEYS = ("enterprise_id", "enterprise_name", "service_id", "service_name", "rank", "platform_id", "platform_name",
        "same_sector", "same_province", "distance_km", "sector_id")


def reference_supply_demand(G, *, sector=None, service=None, province=None, gaps=False, top=5):
    """The records of supply-demand by brute force (every need × every offering platform)."""
    nodes = G.nodes
    offers: dict = {}
    for p, v, rel in G.edges(keys=True):
        if rel == "OFFERS" and nodes[p].get("label") == "Platform" and nodes[v].get("label") == "Service":
            offers.setdefault(v, set()).add(p)
    needs = sorted({(e, v) for e, v, rel in G.edges(keys=True)
                    if rel == "NEEDS" and nodes[e].get("label") == "Enterprise" and nodes[v].get("label") == "Service"
                    and (service is None or v[1] == service)
                    and (sector is None or sector in nodes[e].get("sectors", ()))
                    and (province is None or nodes[e].get("province") == province)}, key=lambda x: (x[0], x[1][1]))
    out = []
    for e, v in needs:
        d = nodes[e]
        base = {"enterprise_id": e, "enterprise_name": d.get("name"), "service_id": v[1],
                "service_name": nodes[v].get("name")}
        if gaps:
            if not offers.get(v):
                for s in sorted(set(d.get("sectors", ()))) or [None]:
                    out.append({**base, "rank": None, "platform_id": None, "platform_name": None, "same_sector": None,
                                "same_province": None, "distance_km": None, "sector_id": s})
            continue
        if not offers.get(v):
            out.append({**base, "rank": None, "platform_id": None, "platform_name": None, "same_sector": None,
                        "same_province": None, "distance_km": None, "sector_id": None})
            continue
        ranked = []
        for p in offers[v]:
            q = nodes[p]
            same_sector = bool(set(d.get("sectors", ())) & set(q.get("sectors", ())))
            same_province = d.get("province") is not None and d.get("province") == q.get("province")
            km = distance_km(d.get("lat"), d.get("lon"), q.get("lat"), q.get("lon"))
            ranked.append(((not same_sector, not same_province, km is None, km or 0.0, p),
                           {"platform_id": p, "platform_name": q.get("name"), "same_sector": same_sector,
                            "same_province": same_province, "distance_km": km}))
        ranked.sort(key=lambda x: x[0])
        for i, (_, r) in enumerate(ranked[:top] if top else ranked, start=1):
            out.append({**base, "rank": i, **r, "sector_id": None})
    if gaps:
        out.sort(key=lambda r: (r["sector_id"] is None, r["sector_id"] or "", r["service_id"], r["enterprise_id"]))
    return [{k: r[k] for k in KEYS} for r in out]


PARAMS = [{}, {"top": 1}, {"top": 3}, {"top": 0}, {"gaps": True}, {"province": "河北"}, {"top": 12}]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    # several sizes and seeds: dense services (blocks of many platforms) and sparse ones, ties in rounding
    graphs = {}
    for orgs, seed in ((600, 1), (600, 2), (3000, 3)):
        folder = write_folder(generate(orgs, seed=seed, relations_per_org=5), tmp_path_factory.mktemp(f"g{seed}"))
        graphs[f"{orgs}-{seed}"] = build_graph(loaders.read_folder(folder))
    return graphs


@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_matcher_equals_definition_on_generated(generated, params):
    for name, G in generated.items():
        got = queries.supply_demand(G, **params)
        assert got == reference_supply_demand(G, **params), (name, params)
    if not params.get("gaps"):
        assert any(r["rank"] for r in got), "the graph should have matches"


def test_matcher_equals_definition_on_tiny_and_bundled(tiny_graph):
    bundled = build_graph(loaders.read_bundled())
    for G in (tiny_graph, bundled):
        for params in PARAMS + [{"sector": sorted(G.sector_ids())[0]}]:
            assert queries.supply_demand(G, **params) == reference_supply_demand(G, **params), params


def test_matcher_keeps_every_tie_at_the_cut(tmp_path):
    """Platforms at the same spot rank by id, across the ``top`` cut too; unknown distances come last."""
    G = build_graph(loaders.read_folder(write_folder(generate(600, seed=1, relations_per_org=5), tmp_path)))
    offers: dict = {}
    for p, v, rel in G.edges(keys=True):
        if rel == "OFFERS" and G.nodes[p].get("label") == "Platform":
            offers.setdefault(v, []).append(p)
    need = max(((e, v) for e, v, rel in G.edges(keys=True) if rel == "NEEDS"), key=lambda n: len(offers.get(n[1], ())))
    offering = sorted(offers[need[1]])
    assert len(offering) >= 5
    e = G.nodes[need[0]]
    for i, p in enumerate(offering):
        G.nodes[p]["sectors"] = list(e.get("sectors", ()))
        G.nodes[p]["province"] = e.get("province")
        if i % 3 == 2:
            G.nodes[p].pop("lat", None)  # unknown distance
        else:
            G.nodes[p]["lat"], G.nodes[p]["lon"] = e["lat"] + 0.01 * (i % 2), e["lon"]
    for top in (1, 2, 3, 5, 0):
        got = queries.supply_demand(G, top=top)
        assert got == reference_supply_demand(G, top=top), top
        mine = [r["platform_id"] for r in got if (r["enterprise_id"], r["service_id"]) == (need[0], need[1][1])]
        here = [p for i, p in enumerate(offering) if i % 3 != 2 and i % 2 == 0]  # at the enterprise's spot
        near = [p for i, p in enumerate(offering) if i % 3 != 2 and i % 2 == 1]  # about 1.1 km north
        unknown = [p for i, p in enumerate(offering) if i % 3 == 2]
        assert mine == (here + near + unknown)[:top or None], top


@pytest.fixture(scope="module")
def dense(generated):
    """The 3000-organization graph with one sector and province everywhere: groups of dozens of platforms."""
    G = generated["3000-3"].copy()
    for n, d in G.nodes(data=True):
        if d.get("label") in ("Platform", "Enterprise"):
            d["sectors"] = sorted(set(d.get("sectors") or ()) | {"S_ALL"}) if d["label"] == "Enterprise" else ["S_ALL"]
            d["province"] = "北京" if zlib.crc32(repr(n).encode()) % 7 else "天津"
    return G


@pytest.mark.parametrize("grid_from", [0, 1])
@pytest.mark.parametrize("params", [{}, {"top": 1}, {"top": 3}, {"province": "北京"}], ids=str)
def test_grid_lookup_equals_definition(generated, dense, monkeypatch, params, grid_from):
    """Every group of more than ``grid_from`` × ``top`` platforms looked up in the spatial grid: same records."""
    module = sys.modules["queries.supply_demand"]
    monkeypatch.setattr(module, "_GRID_FROM", grid_from)
    settled = []
    search = module._grid_search

    def counted(q, qg, items, *rest):
        pending = search(q, qg, items, *rest)
        settled.append(len(items) - len(pending))
        return pending

    monkeypatch.setattr(module, "_grid_search", counted)
    for name, G in [*generated.items(), ("dense", dense)]:
        assert queries.supply_demand(G, **params) == reference_supply_demand(G, **params), (name, params)
    assert sum(settled) > 100, "the grid should settle most needs of the dense graph"


def test_grid_keeps_ties_and_unknown_places(tmp_path, monkeypatch):
    """The tie and unknown-distance cases above, with the group looked up in the grid."""
    monkeypatch.setattr(sys.modules["queries.supply_demand"], "_GRID_FROM", 0)
    test_matcher_keeps_every_tie_at_the_cut(tmp_path)
