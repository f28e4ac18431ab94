"""The shortcuts that keep the analyses near-linear give the same records as the plain definitions.

Each shortcut (a nearest-point grid, a cut by rank class, a bound on the score, a sample of
sources) is checked here against the brute-force meaning it replaces.
"""

from __future__ import annotations

import random

import pytest

import loaders
import queries
from graph import build_graph
from graph.errors import QueryError
from loaders.synthetic import generate, write_folder
from queries.helpers import NearestPoint, distance_km


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shortcuts")
    return build_graph(loaders.read_folder(write_folder(generate(800, seed=11, relations_per_org=5), folder)))


def test_nearest_point_is_the_brute_force_minimum():
    rnd = random.Random(5)
    points = [[rnd.gauss(39.9, 0.4), rnd.gauss(116.4, 0.4)] for _ in range(300)]
    points += [[39.9, 116.4]] * 3 + [[None, 116.0], [40.0, None]]
    queries_ = [(rnd.uniform(35.0, 43.0), rnd.uniform(112.0, 121.0)) for _ in range(2000)]
    queries_ += [(39.9, 116.4), (None, 116.4), (-33.9, 151.2)]
    near = NearestPoint(points)
    known = [p for p in points if None not in p]
    want = [None if None in q else min(distance_km(*q, *p) for p in known) for q in queries_]
    assert near.km_many(queries_) == want
    assert [near.km(*q) for q in queries_[:50]] == want[:50]


def test_supply_demand_matrix_ranking_is_the_plain_ranking(synthetic):
    """The numpy scoring (a cut per need, then exact distances) equals ranking every offer of every need."""
    from tests.queries.test_supply_demand_matching import reference_supply_demand

    G = synthetic
    nodes = G._node
    # ties and unknowns: two platforms moved onto one spot, one without coordinates
    platforms = sorted(G.orgs(label="Platform"))
    changed = {p: dict(nodes[p]) for p in platforms[:3]}
    nodes[platforms[1]]["lat"], nodes[platforms[1]]["lon"] = nodes[platforms[0]].get("lat"), nodes[platforms[0]].get("lon")
    nodes[platforms[2]].pop("lat", None)
    try:
        for top in (0, 1, 3, 5):
            want = reference_supply_demand(G, top=top)
            assert len(want) > 100
            assert queries.supply_demand(G, top=top) == want
    finally:
        for p, d in changed.items():
            nodes[p].clear()
            nodes[p].update(d)


def test_supply_demand_top_is_the_head_of_the_full_ranking(synthetic):
    full = queries.supply_demand(synthetic, top=0)
    for top in (1, 2, 5):
        want = [r for r in full if r["rank"] is None or r["rank"] <= top]
        assert queries.supply_demand(synthetic, top=top) == want


def test_partner_candidates_limit_is_the_head_of_the_full_list(synthetic):
    for params in ({}, {"sector": "CH_BIO"}):
        full = queries.partner_candidates(synthetic, limit=0, **params)
        assert len(full) > 50
        for limit in (1, 20, 50):
            assert queries.partner_candidates(synthetic, limit=limit, **params) == full[:limit]


def test_brokers_samples_only_above_k(synthetic):
    exact = queries.brokers(synthetic, k=0)
    assert queries.brokers(synthetic, k=100_000) == exact
    sampled = queries.brokers(synthetic, k=20)
    assert sampled == queries.brokers(synthetic, k=20)  # seeded: repeatable
    assert sampled != exact
    # the critical sectors do not depend on the sample
    assert ({r["org_id"]: r["critical_sectors"] for r in sampled if r["critical_sectors"]}
            == {r["org_id"]: r["critical_sectors"] for r in exact if r["critical_sectors"]})
    with pytest.raises(QueryError, match="'k'"):
        queries.brokers(synthetic, k=-1)


def test_brokers_betweenness_is_networkx_subset_betweenness():
    """The level-by-level numpy search equals networkx's betweenness_centrality_subset (doubled: each pair once)."""
    import networkx as nx
    import numpy as np

    from queries.brokers import _subset_betweenness

    for seed in range(4):
        H = nx.gnm_random_graph(250, 500 + 100 * seed, seed=seed)
        H.add_edges_from([(250, 251), (251, 252)])  # a separate path, and isolated nodes
        H.add_nodes_from(range(253, 260))
        n = H.number_of_nodes()
        rnd = random.Random(seed)
        sources = sorted(rnd.sample(range(n), 40))
        targets = sorted(set(rnd.sample(range(n), 90)) - set(sources))
        pairs = np.array(sorted((min(a, b), max(a, b)) for a, b in H.edges()), dtype=np.int64)
        src, dst = np.r_[pairs[:, 0], pairs[:, 1]], np.r_[pairs[:, 1], pairs[:, 0]]
        order = np.lexsort((dst, src))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        is_target = np.zeros(n)
        is_target[targets] = 1.0
        got = _subset_betweenness(indptr, dst[order], sources, is_target)
        want = nx.betweenness_centrality_subset(H, sources, targets, normalized=False)
        assert got == pytest.approx([2 * want[i] for i in range(n)], abs=1e-9)
        assert got.max() > 10


def test_brokers_default_sample_shrinks_with_the_links():
    from queries.brokers import DEFAULT_K, MIN_K, default_k

    assert default_k(1_000) == DEFAULT_K
    assert default_k(510_000) == 19
    assert default_k(50_000_000) == MIN_K


def test_brokers_exact_on_bundled():
    G = build_graph(loaders.read_bundled())
    assert queries.brokers(G) == queries.brokers(G, k=0)
