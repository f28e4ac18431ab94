"""The pages in a real headless Chromium: loads clean and offline, counts, search, screenshot, XSS."""

from __future__ import annotations

import pytest

import viz

from .conftest import SCRIPT_NAME, XSS_NAME

pytestmark = pytest.mark.browser


def _not_blank(png: bytes) -> float:
    """The share of pixels that are not (near) white."""
    import io

    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("L")
    hist = img.histogram()
    return 1 - sum(hist[245:]) / (img.width * img.height)


@pytest.mark.parametrize("view, kw, n_nodes, n_edges", [
    ("network", {}, 17, 19),  # every organization; the partnership written both ways is one edge
    # both overlays; alliance-1 has no location: listed in the panel, not drawn (nor its 4 edges)
    ("geo", {"gaps": True, "highlight_paths": True}, 16, 15),
    ("chain", {"sector": "S_BIO"}, 6, 3),  # R&D → pilot → scale-up lanes of one chain
    # aggregated: the matrix of 6 sectors (5 named, and 未分类) × 北京, 天津, 河北, no province
    ("network", {"max_nodes": 5}, 24, 0),
])
def test_view_loads_offline_and_clean(tiny_graph, tmp_path, open_page, artifacts, view, kw, n_nodes, n_edges):
    out = viz.write_view(tiny_graph, tmp_path / f"{view}.html", view=view,
                         meta={"built_at": "2026-03-01T08:00:00+00:00"}, **kw)
    run = open_page(out)
    assert run.errors == []
    assert run.requests == []
    counts = run.evaluate("window.jjjkg.counts()")
    assert (counts["nodes"], counts["edges"]) == (n_nodes, n_edges)
    assert run.page.text_content("#as-of") == "2026-03-01"
    if kw.get("max_nodes"):
        assert "--sector" in run.page.text_content("#message")
    name = f"{view}-{'-'.join(sorted(kw)) or 'plain'}"
    shot = run.page.screenshot(path=str(artifacts / f"viz-{name}.png"))
    assert _not_blank(shot) > 0.02
    png = run.evaluate("window.jjjkg.composePNG()")  # what "save as PNG" saves: larger than the window
    assert png["width"] > 1400 and png["size"] > 5000


def test_search_selects_the_right_node(tiny_graph, tmp_path, open_page):
    run = open_page(viz.write_view(tiny_graph, tmp_path / "n.html"))
    run.page.fill("#search", "氢能中试")  # a Chinese substring of 样例氢能中试平台
    assert run.evaluate("window.jjjkg.network.getSelectedNodes()") == ["bj-pf-1"]
    assert run.page.text_content("#search-results li.active").startswith("样例氢能中试平台")
    # the neighbourhood stays, everything else is dimmed
    dimmed = run.evaluate("window.jjjkg.nodes.get('hb-site-1').color")
    assert dimmed == "rgba(200,200,200,0.35)"
    assert run.evaluate("typeof window.jjjkg.nodes.get('tj-site-1').color") == "object"
    run.page.fill("#search", "")
    assert run.evaluate("window.jjjkg.network.getSelectedNodes()") == []
    assert run.errors == []


def test_filters_hide_nodes(tiny_graph, tmp_path, open_page):
    run = open_page(viz.write_view(tiny_graph, tmp_path / "f.html"))
    run.page.uncheck("input[data-filter=provinces][value='北京']")
    # 5 in Tianjin and Hebei, and alliance-1, which has no province
    assert run.evaluate("window.jjjkg.counts().visible") == 6
    run.page.check("input[data-filter=provinces][value='北京']")
    run.page.select_option("#filter-sector", "S_BIO")
    assert run.evaluate("window.jjjkg.counts().visible") == 6  # the six of the S_BIO chain view
    run.page.select_option("#filter-sector", "")
    run.page.uncheck("input[data-filter=types][value='platform']")
    assert run.evaluate("window.jjjkg.counts().visible") == 13  # 17 less the 4 platforms
    assert run.errors == []


def test_hostile_names_stay_text(hostile_graph, tmp_path, open_page, artifacts):
    out = viz.write_view(hostile_graph, tmp_path / "x.html", view="geo", gaps=True, title=XSS_NAME)
    run = open_page(out)
    run.page.fill("#search", "onerror")  # matches by name
    assert run.evaluate("window.jjjkg.network.getSelectedNodes()") == ["xss-1"]
    assert run.page.text_content("#search-results li.active").startswith(XSS_NAME)
    assert run.page.text_content("#title") == XSS_NAME + "（示意图）"  # a map always says it is a sketch
    run.page.fill("#search", "alert(2)")
    assert run.page.text_content("#search-results li.active").startswith(SCRIPT_NAME)
    assert run.evaluate("document.querySelectorAll('img').length") == 0
    assert run.evaluate("window.jjjkg.nodes.get('xss-1').title").find(XSS_NAME) >= 0
    run.page.hover("#net")
    run.page.wait_for_timeout(200)
    assert run.dialogs == []
    assert run.errors == [] and run.requests == []
    run.page.screenshot(path=str(artifacts / "viz-hostile-names.png"))


def test_network_is_laid_out_before_it_opens(tiny_graph, tmp_path, open_page):
    run = open_page(viz.write_view(tiny_graph, tmp_path / "s.html"))
    assert run.evaluate("window.jjjkg.network.physics.physicsEnabled") is False
    # the positions drawn are those written into the page
    pos = run.evaluate("window.jjjkg.network.getPositions(['bj-pf-1'])['bj-pf-1']")
    rec = next(n for n in run.evaluate("window.jjjkg.data.nodes") if n["id"] == "bj-pf-1")
    assert abs(pos["x"] - rec["x"]) <= 1 and abs(pos["y"] - rec["y"]) <= 1  # vis reports whole pixels


def _dark_mask(img, box):
    """Pixels darker than mid-grey in ``box`` of a PIL image, as a set of (x, y)."""
    import numpy as np

    a = np.asarray(img.convert("L").crop(box))
    ys, xs = np.nonzero(a < 128)
    return set(zip(xs.tolist(), ys.tolist()))


@pytest.mark.parametrize("view, kw", [
    ("chain", {"sector": "S_H2"}),  # lane headers outside the nodes' box are in the picture too
    ("geo", {}),  # the map and its notice
    ("network", {"max_nodes": 5}),  # the matrix, drawn for the picture
])
def test_save_png_is_the_whole_view_with_its_title(tiny_graph, tmp_path, open_page, artifacts, view, kw):
    from PIL import Image

    title = "整幅图测试标题 Whole view"
    run = open_page(viz.write_view(tiny_graph, tmp_path / "d.html", view=view, title=title,
                                   meta={"built_at": "2026-03-01T08:00:00+00:00"}, **kw))
    with run.page.expect_download() as dl:
        run.page.click("#save-png")
    saved = artifacts / f"viz-saved-{view}.png"
    dl.value.save_as(saved)
    img = Image.open(saved)
    assert img.format == "PNG"
    assert img.width > 1400 and img.height >= 700  # wider than the 1400-pixel window
    # the title is drawn where the page draws it: compare with the same text drawn alone
    shown = run.page.text_content("#title")
    ref = run.evaluate("""(t) => { const c = document.createElement('canvas'); c.width = 1200; c.height = 60;
        const x = c.getContext('2d'); x.fillStyle = '#fff'; x.fillRect(0, 0, 1200, 60); x.fillStyle = '#111';
        x.font = 'bold 30px ' + window.jjjkg.data.options.nodes.font.face;
        x.fillText(t, 24, 52); return c.toDataURL('image/png'); }""", shown)
    import base64
    import io

    ref_img = Image.open(io.BytesIO(base64.b64decode(ref.split(",", 1)[1])))
    got, want = _dark_mask(img, (0, 0, 1200, 60)), _dark_mask(ref_img, (0, 0, 1200, 60))
    assert len(want) > 300 and len(got & want) / len(got | want) > 0.9
    # and the legend's first group title is there too (dark pixels right of the drawing)
    assert len(_dark_mask(img, (img.width - 360, 100, img.width, 500))) > 200
    assert run.errors == [] and run.requests == []


@pytest.mark.slow
def test_synthetic_graph_of_2000(synthetic_graph, tmp_path, open_page):
    G = synthetic_graph(2000)
    run = open_page(viz.write_view(G, tmp_path / "big.html"), timeout_ms=120_000)
    assert run.evaluate("window.jjjkg.counts().nodes") == 2000
    # laid out before it opened: no physics; the labels that matter are placed, legible, at once
    assert run.evaluate("window.jjjkg.network.physics.physicsEnabled") is False
    assert run.evaluate("window.jjjkg.labelled") > 5
    assert len(run.evaluate("window.jjjkg.search('合成机构1')")) > 100  # search answers from its index
    assert run.errors == [] and run.requests == []


@pytest.mark.slow
def test_large_network_draws_its_relations_without_vis_edges(synthetic_graph, tmp_path, open_page, artifacts):
    """Thousands of relations: vis-network holds only the looked-at ones, the page draws the rest."""
    G = synthetic_graph(2000)
    run = open_page(viz.write_view(G, tmp_path / "lean.html"), timeout_ms=120_000)
    counts = run.evaluate("window.jjjkg.counts()")
    n_rel = len(run.evaluate("window.jjjkg.data.edges"))
    assert counts["lean"] is True and counts["edges"] == n_rel > 1500
    assert counts["drawnByNetwork"] == 0  # no complete path on this page: no vis-network edge at first
    assert run.evaluate("window.jjjkg.linesDrawn") >= 1
    # the relations are on the canvas: ink at the middle of long ones, far from every node
    import io

    from PIL import Image

    mids = run.evaluate("""() => { const net = window.jjjkg.network, d = window.jjjkg.data;
        net.moveTo({position: {x: 0, y: 0}, scale: 0.8, animation: false});
        const pos = net.getPositions(), s = net.getScale(), out = [];
        for (const e of d.edges) {
          const a = pos[e.from], b = pos[e.to], m = {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2};
          if (Math.hypot(a.x - b.x, a.y - b.y) * s < 100) continue;
          if (d.nodes.some(n => Math.hypot(pos[n.id].x - m.x, pos[n.id].y - m.y) * s < 14)) continue;
          const p = net.canvasToDOM(m);
          if (p.x > 10 && p.y > 10 && p.x < 900 && p.y < 600) out.push(p);
          if (out.length >= 20) break;
        }
        return out; }""")
    canvas = run.page.locator("#net canvas")
    img = Image.open(io.BytesIO(canvas.screenshot())).convert("L")
    assert len(mids) >= 10
    inked = [m for m in mids if min(img.getpixel((int(m["x"]) + dx, int(m["y"]) + dy))
                                    for dx in (-1, 0, 1) for dy in (-1, 0, 1)) < 235]
    assert len(inked) >= 0.8 * len(mids)
    # a click on an organization gives vis-network its relations (arrows, tooltips, selection)
    node = run.evaluate("""() => { const d = window.jjjkg.data, deg = {};
        d.edges.forEach(e => { deg[e.from] = (deg[e.from] || 0) + 1; deg[e.to] = (deg[e.to] || 0) + 1; });
        const n = d.nodes.filter(n => deg[n.id] >= 3)[0];
        window.jjjkg.network.focus(n.id, {scale: 1.5, animation: false});
        const p = window.jjjkg.network.canvasToDOM(window.jjjkg.network.getPositions([n.id])[n.id]);
        const r = document.querySelector('#net canvas').getBoundingClientRect();
        return {id: n.id, deg: deg[n.id], x: r.left + p.x, y: r.top + p.y}; }""")
    run.page.mouse.click(node["x"], node["y"])
    run.page.wait_for_timeout(300)
    assert run.evaluate("window.jjjkg.network.getSelectedNodes()") == [node["id"]]
    assert run.evaluate("window.jjjkg.counts().drawnByNetwork") == node["deg"]
    assert len(run.evaluate("window.jjjkg.network.getSelectedEdges()")) == node["deg"]
    # a name is drawn once, by the page: vis-network's nodes carry no label of their own
    twice = """() => { const j = window.jjjkg;
        return j.nodes.get().filter(n => n.label !== undefined).length; }"""
    platform = run.evaluate("window.jjjkg.data.nodes.filter(n => n.lab === 'Platform')[0].name")
    run.evaluate("(q) => window.jjjkg.search(q)", platform)  # a jump to zoom 1 or more
    assert run.evaluate("window.jjjkg.network.getScale()") >= 1 and run.evaluate(twice) == 0
    run.evaluate("window.jjjkg.search('不存在的名称')")  # nothing found: the selection is let go
    assert run.evaluate("window.jjjkg.counts().drawnByNetwork") == 0
    assert run.errors == [] and run.requests == []
    run = open_page(viz.write_view(G, tmp_path / "big-agg.html", max_nodes=1999))
    assert run.evaluate("window.jjjkg.data.aggregated") is True
    assert sum(c["shown"] for c in run.evaluate("window.jjjkg.cellCounts()")) >= 2000  # each sector counts its own


def test_geo_view_draws_the_district_map(tiny_graph, tmp_path, open_page, artifacts):
    from graph import boundaries
    from viz.basemap import project

    run = open_page(viz.write_view(tiny_graph, tmp_path / "g.html", view="geo"))
    assert run.evaluate("window.jjjkg.basemapDrawn") > 0
    layers = run.evaluate("Object.fromEntries(Object.entries(window.jjjkg.data.basemap.layers).map(([k, v]) => [k, v.length]))")
    assert layers["province"] == 3 and layers["city"] == 11 and layers["district"] > 150
    box = run.page.locator("#net").bounding_box()
    for code in ("110108", "110111", "120116"):  # 海淀区, 房山区, 滨海新区: hit at their centroids' screen positions
        x, y = project(*boundaries.centroid(code))
        dom = run.evaluate(f"window.jjjkg.network.canvasToDOM({{x: {x}, y: {y}}})")
        assert 0 < dom["x"] < box["width"] and 0 < dom["y"] < box["height"]
        hit = run.evaluate(f"window.jjjkg.regionAt({dom['x']}, {dom['y']})")
        assert hit["district"] == code and hit["province"] == code[:2] + "0000"
    # the map area is drawn: 房山 has no organization, and its centre shows Beijing's tint, not white
    shot = run.page.screenshot(path=str(artifacts / "viz-geo-basemap.png"))
    import io

    import numpy as np
    from PIL import Image

    img = Image.open(io.BytesIO(shot)).convert("RGB")
    x, y = project(*boundaries.centroid("110111"))
    dom = run.evaluate(f"window.jjjkg.network.canvasToDOM({{x: {x}, y: {y}}})")
    assert img.getpixel((int(box["x"] + dom["x"]), int(box["y"] + dom["y"]))) != (255, 255, 255)
    area = np.asarray(Image.open(io.BytesIO(run.page.locator("#net").screenshot())).convert("L"))
    # the first view is the whole of the three provinces (tall and narrow in a wide window): a good
    # part of the area is tinted land, not the white page
    assert (area < 252).mean() > 0.2
    assert run.errors == [] and run.requests == []


def test_geo_view_counts_approximate_positions(tiny_graph, tmp_path, open_page):
    run = open_page(viz.write_view(tiny_graph, tmp_path / "g.html", view="geo"))
    want = {}
    for n in tiny_graph.orgs():
        p = tiny_graph.nodes[n].get("coord_precision") or "none"
        want[p] = want.get(p, 0) + 1
    assert want == {"exact": 1, "district": 3, "city": 12, "none": 1}  # tiny's data, see tests/data/tiny
    row = run.page.locator("#legend [data-precision=district]")
    assert row.get_attribute("data-count") == str(want["district"])
    assert row.text_content().startswith(f"{want['district']} 个机构为区县中心近似位置")
    assert run.page.locator("#legend [data-precision=city]").get_attribute("data-count") == str(want["city"])
    # marked on the nodes themselves, and in their tooltips
    approx = run.evaluate("window.jjjkg.data.nodes.filter(n => n.approx === 'district').map(n => n.id).sort()")
    assert approx == ["bj-inst-1", "bj-inst-2", "bj-pf-1"]
    assert "区县中心近似位置（海淀）" in run.evaluate("window.jjjkg.nodes.get('bj-pf-1').title")
    # the one with no location is listed, not drawn
    assert run.page.text_content("#unplaced-list").startswith("样例中试联盟")
    assert run.evaluate("window.jjjkg.nodes.get('alliance-1')") is None
    assert run.errors == [] and run.requests == []


def test_matrix_cells_carry_their_counts(tiny_graph, tmp_path, open_page, artifacts):
    run = open_page(viz.write_view(tiny_graph, tmp_path / "m.html", max_nodes=5))
    cells = {(c["s"], c["p"]): c["shown"] for c in run.evaluate("window.jjjkg.cellCounts()")}
    assert cells[("S_H2", "北京")] == 4  # bj-uni-1, bj-ent-1, bj-pf-1, bj-site-1
    assert cells[("S_BIO", "北京")] == 4 and cells[("S_BIO", "天津")] == 1 and cells[("—", "")] == 1
    assert run.page.text_content("td[data-sector=S_H2][data-province='北京'] .count") == "4"
    assert "中试平台 1" in run.page.text_content("td[data-sector=S_H2][data-province='北京'] .types")
    # unticking a type recounts the cells
    run.page.uncheck("input[data-filter=types][value=platform]")
    assert run.page.text_content("td[data-sector=S_H2][data-province='北京'] .count") == "3"
    # a cell states the command that draws it
    run.page.click("td[data-sector=S_BIO][data-province='河北']")
    assert run.page.text_content("#cell-cmd") == "jjjkg viz --sector S_BIO --province 河北"
    # colour by gap: S_BIO has a dead-end platform in Beijing (a gap naming an organization)
    assert run.page.get_attribute("td[data-sector=S_BIO][data-province='北京']", "class").endswith("level-entity")
    run.page.screenshot(path=str(artifacts / "viz-matrix.png"))
    assert run.errors == [] and run.requests == []


def test_fit_button_shows_everything_again(tiny_graph, tmp_path, open_page):
    run = open_page(viz.write_view(tiny_graph, tmp_path / "f.html"))
    first = run.evaluate("window.jjjkg.network.getScale()")
    run.evaluate("window.jjjkg.network.moveTo({scale: 4, position: {x: 5000, y: 5000}})")
    run.page.click("#fit-view")
    assert abs(run.evaluate("window.jjjkg.network.getScale()") / first - 1) < 0.02  # labels resize with the zoom
    assert abs(run.evaluate("window.jjjkg.network.getViewPosition().x")) < 500
