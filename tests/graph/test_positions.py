"""Positions with their precision: own coordinates, else the district's or city's centroid from the outlines."""

from __future__ import annotations

import pytest

from graph import boundaries, schema
from graph.positions import PRECISIONS


def test_each_organization_says_how_precise_its_position_is(tiny_graph):
    got = {n: tiny_graph.nodes[n].get("coord_precision") for n in tiny_graph.orgs()}
    assert got["bj-uni-1"] == "exact"  # its own coordinates
    assert got["bj-pf-1"] == got["bj-inst-1"] == "district"  # 海淀, 昌平: no coordinates, district known
    assert got["bj-ent-1"] == "city"  # 北京 only
    assert got["tj-site-1"] == "city"  # its coordinates are 天津's reference point in the region tree (its outline's centroid)
    assert got["alliance-1"] is None  # nowhere known
    assert set(got.values()) <= {*PRECISIONS, None}


def test_positions_come_from_the_outlines(tiny_graph):
    d = tiny_graph.nodes["bj-pf-1"]
    assert (d["map_lat"], d["map_lon"]) == boundaries.centroid("110108")  # 海淀区's centroid
    assert "lat" not in d  # the data's own columns stay as given (the analyses measure with them)
    e = tiny_graph.nodes["bj-ent-1"]
    assert (e["map_lat"], e["map_lon"]) == boundaries.centroid("110000")
    u = tiny_graph.nodes["bj-uni-1"]
    assert (u["map_lat"], u["map_lon"]) == (u["lat"], u["lon"]) == (39.99, 116.31)  # own coordinates
    t = tiny_graph.nodes["tj-site-1"]
    assert (t["lat"], t["lon"]) == (39.28468, 117.347684) and (t["map_lat"], t["map_lon"]) == boundaries.centroid("120000")
    assert "map_lat" not in tiny_graph.nodes["alliance-1"] and "coord_precision" not in tiny_graph.nodes["alliance-1"]


def test_the_input_table_keeps_what_was_given(tiny_tables, tiny_graph):
    # the store's tables (and the csv export) keep the user's columns; only the graph adds positions
    orgs = tiny_tables.organizations.set_index("id")
    assert orgs.loc["bj-pf-1", "lat"] != orgs.loc["bj-pf-1", "lat"]  # NaN: not given
    assert "coord_precision" not in tiny_tables.organizations.columns


@pytest.mark.parametrize("code", ["110108", "120116", "130100", "130984"])  # 海淀, 滨海新区, 石家庄, 河间
def test_centroids_fall_inside_their_region(code):
    from matplotlib.path import Path as MplPath

    lat, lon = boundaries.centroid(code)
    polys = boundaries.polygons(code)
    assert any(MplPath(poly[0]).contains_point((lon, lat)) for poly in polys)
    assert schema.JJJ_BOX["lat"][0] < lat < schema.JJJ_BOX["lat"][1]


def test_precision_is_a_property_that_exports_carry(tiny_graph, tmp_path):
    import networkx as nx

    from viz import exports

    assert "coord_precision" in schema.NODE_PROPERTIES[schema.ORGANIZATION]
    exports.write_graphml(tiny_graph, tmp_path / "g.graphml")
    F = nx.read_graphml(tmp_path / "g.graphml")
    assert F.nodes["bj-pf-1"]["coord_precision"] == "district"
    assert (F.nodes["bj-pf-1"]["map_lat"], F.nodes["bj-pf-1"]["map_lon"]) == boundaries.centroid("110108")
    exports.export(tiny_graph, "neo4j-csv", tmp_path / "neo")
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "neo").glob("*.csv"))
    assert "coord_precision" in text and ",district" in text and "map_lat:double" in text


def test_cypher_sees_the_precision(tiny_graph, embedded_engine):
    embedded_engine.load(tiny_graph)
    rows = embedded_engine.run("MATCH (o:Organization) WHERE o.coord_precision = $p RETURN o.id AS id ORDER BY id",
                               {"p": "district"})
    assert [r["id"] for r in rows] == ["bj-inst-1", "bj-inst-2", "bj-pf-1"]


def test_without_the_outlines_the_region_tree_serves(tiny_tables, monkeypatch):
    from graph import positions

    monkeypatch.setattr(boundaries, "available", lambda: False)
    placed = positions.place_organizations(tiny_tables.organizations, tiny_tables.regions).set_index(
        tiny_tables.organizations["id"])
    assert placed.loc["bj-pf-1", "coord_precision"] == "district"
    assert (placed.loc["bj-pf-1", "map_lat"], placed.loc["bj-pf-1", "map_lon"]) == (39.956074, 116.310318)  # regions.csv
