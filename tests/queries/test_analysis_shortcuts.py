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


def test_brokers_exact_on_bundled():
    G = build_graph(loaders.read_bundled())
    assert queries.brokers(G) == queries.brokers(G, k=0)
