"""Every named analysis gives the same records in networkx and as Cypher on the embedded database.

Runs over the registry, so an analysis is tested both ways from the day it is added: on the tiny
graph with each parameter set, on the bundled graph, and on synthetic graphs of several seeds.
The Cypher of every analysis is also linted by Neo4j's own front-end (tests/lint_cypher.py).
"""

from __future__ import annotations

import re

import pytest

import loaders
import queries
from graph import build_graph, schema
from loaders.synthetic import generate, write_folder
from tests.lint_cypher import cypher_linter  # noqa: F401  (fixture)

# parameter sets per analysis, on the tiny graph (each set: why it is there)
TINY_PARAMS = {
    "rd-scaleup-paths": [{}, {"province": "天津"}, {"province": "河北"}, {"sector": "S_H2"}, {"sector": "S_ROBOT"},
                         {"sector": "S_BIO", "province": "河北"}],
    "alliance-gaps": [{}, {"sector": "S_BIO"}, {"sector": "S_IC"}],
    "sector-coverage": [{}, {"sector": "S_H2"}, {"province": "河北"}, {"sector": "S_BIO", "province": "Tianjin"}],
    "supply-list": [{}, {"service": "产品性能测试"}, {"level": "none"},  # none includes a missing level
                    {"sector": "S_BIO", "province": "北京"}, {"level": "国家级"}],
    "supply-demand": [{}, {"gaps": True}, {"service": "SV_TEST", "province": "北京"}, {"sector": "S_ROBOT"},
                      {"top": 0}],
    "partner-candidates": [{}, {"sector": "S_BIO"}, {"platform": "bj-pf-1"},  # platform and sector anchors
                           {"platform": "bj-pf-2", "limit": 0}, {"sector": "S_H2", "limit": 1}],
    "brokers": [{}, {"limit": 2}],
    "subsidy-estimate": [{}, {"investment": 1000.0, "kind": "digital"},  # the tiny taxonomy has no tiers
                         {"investment": 90000.0, "kind": "major_pilot"}, {"kind": "green"}],
    "targets-2030": [{}, {"sector": "S_H2"}],
    "platform-scorecard": [{}, {"weights": "capability=1,benefit=3"}, {"weights": "1,2,3,4", "province": "北京"},
                           {"sector": "S_BIO"}],
}


@pytest.fixture(scope="module")
def engine(embedded_engine):
    return embedded_engine


def _load(engine, G, fingerprint):
    engine.load(G, fingerprint)
    return G


def _params_for(name):
    return TINY_PARAMS.get(name, [{}])


@pytest.mark.parametrize("q", queries.QUERIES.values(), ids=str)
def test_agree_on_tiny(engine, q, tiny_graph):
    G = _load(engine, tiny_graph, "tiny")
    for params in _params_for(q.name):
        assert q.run_cypher(engine, G, **params) == q.func(G, **params), params


@pytest.mark.parametrize("q", queries.QUERIES.values(), ids=str)
def test_agree_on_bundled(engine, q):
    G = _load(engine, build_graph(loaders.read_bundled()), "bundled")
    assert q.run_cypher(engine, G) == q.func(G)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agree_on_synthetic(engine, seed, tmp_path):
    G = build_graph(loaders.read_folder(write_folder(generate(600, seed=seed, relations_per_org=5), tmp_path)))
    _load(engine, G, f"synthetic-{seed}")
    for q in queries.QUERIES.values():
        nx_rows = q.func(G)
        assert q.run_cypher(engine, G) == nx_rows, q.name
    assert queries.rd_scaleup_paths(G), "the synthetic graph should hold complete paths"


def test_cypher_uses_only_schema_names():
    for q in queries.QUERIES.values():
        labels = set(re.findall(r"[(:]\s*\w*\s*:\s*([A-Z][A-Za-z]+)", q.cypher)) | set(
            re.findall(r"\w+:([A-Z][a-z][A-Za-z]+)\b", q.cypher))
        rels = set(re.findall(r"\[\w*:([A-Z_]+)\]", q.cypher))
        assert labels <= set(schema.NODE_LABELS), (q.name, labels - set(schema.NODE_LABELS))
        assert rels and rels <= set(schema.RELATIONS), (q.name, rels - set(schema.RELATIONS))


def test_cypher_passes_neo4j_lint(cypher_linter):
    statements = {q.name: q.cypher for q in queries.QUERIES.values()}
    params = {name: {p: "x" for p in q.params} for name, q in queries.QUERIES.items()}
    for name, text in statements.items():
        report = cypher_linter.lint([text], parameters=params[name])
        assert report[text] == [], (name, report[text])
