"""Names that read at first sight: every drawn name beside its node or led to it, on nothing else.

The pages answer ``window.jjjkgLabels()`` and ``window.jjjkgNodes()`` (CONTRACT §6); these tests open
the bundled geo view, every bundled chain view and a generated view of 2,000 organizations in a real
headless Chromium at two window sizes and check what a planner sees: no two names overlap, no name
covers another node's marker (nor a lane header), every name is within 40 px of its node or joined
to it by a leader line (which runs through no other name), none is smaller than 11 px, the first view holds every organization drawn,
and zooming in names more of them, still without overlap. Screenshots go to test-artifacts/views/.
"""

from __future__ import annotations

import math

import pytest

import viz

pytestmark = pytest.mark.browser

SIZES = [(1366, 768), (1920, 1080)]


@pytest.fixture(scope="module")
def bundled_graph():
    import loaders
    from graph import build_graph

    return build_graph(loaders.read_bundled())


@pytest.fixture(scope="module")
def generated_graph(tmp_path_factory):
    """2,000 organizations written by ``jjjkg generate``'s generator, read back through the loader."""
    import loaders
    from graph import build_graph
    from loaders.synthetic import generate, write_folder

    folder = write_folder(generate(2000, seed=0), tmp_path_factory.mktemp("generated") / "syn2000")
    return build_graph(loaders.read_folder(folder))


def _intersect(a, b) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def _box_distance(box, x, y) -> float:
    """From a point to the nearest point of a box (0 inside it)."""
    dx = max(box["x"] - x, 0, x - (box["x"] + box["w"]))
    dy = max(box["y"] - y, 0, y - (box["y"] + box["h"]))
    return math.hypot(dx, dy)


def _crosses(x0, y0, x1, y1, box) -> bool:
    """Whether the segment (x0, y0)–(x1, y1) passes through the inside of a box (Liang–Barsky)."""
    dx, dy, t0, t1 = x1 - x0, y1 - y0, 0.0, 1.0
    for p, q in ((-dx, x0 - box["x"]), (dx, box["x"] + box["w"] - x0), (-dy, y0 - box["y"]), (dy, box["y"] + box["h"] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 >= t1:
            return False
    return t1 - t0 > 1e-3


def label_faults(labels: list[dict], nodes: list[dict], headers: list[dict] = ()) -> list[str]:
    """Every way the drawn names fail to read, as sentences (empty when they all read)."""
    faults = []
    for i, a in enumerate(labels):
        if a["font_px"] < 11:
            faults.append(f"{a['text']!r} drawn at {a['font_px']} px")
        for b in labels[i + 1:]:
            if _intersect(a, b):
                faults.append(f"{a['text']!r} overlaps {b['text']!r}")
        own = [n for n in nodes if abs(n["x"] - a["node_x"]) < 0.5 and abs(n["y"] - a["node_y"]) < 0.5]
        for n in nodes:
            if n in own:
                continue
            if _box_distance(a, n["x"], n["y"]) < n["r"] - 0.5:
                faults.append(f"{a['text']!r} covers the marker of {n['id']!r}")
        r = own[0]["r"] if own else 0.0
        if _box_distance(a, a["node_x"], a["node_y"]) - r > 40 and not a["leader"]:
            faults.append(f"{a['text']!r} stands {_box_distance(a, a['node_x'], a['node_y']):.0f} px from its node "
                          f"with no leader line")
        if a["leader"]:  # the line runs from the node to the nearest point of its name, through no other name
            tx = min(max(a["node_x"], a["x"]), a["x"] + a["w"])
            ty = min(max(a["node_y"], a["y"]), a["y"] + a["h"])
            for b in labels:
                if b is not a and _crosses(a["node_x"], a["node_y"], tx, ty, b):
                    faults.append(f"the leader line of {a['text']!r} runs through {b['text']!r}")
        for h in headers:
            if _intersect(a, h):
                faults.append(f"{a['text']!r} overlaps a lane header")
    return faults


def _open(browser, path, size):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    page.wait_for_function("() => !!(window.jjjkg && window.jjjkg.stable)", timeout=120_000)
    page.wait_for_timeout(100)
    return ctx, page, errors


def check_view(browser, path, size, shot) -> dict:
    """Open a page at ``size``, check its names at the first zoom and zoomed in; return figures."""
    ctx, page, errors = _open(browser, path, size)
    try:
        labels = page.evaluate("window.jjjkgLabels()")
        nodes = page.evaluate("window.jjjkgNodes()")
        headers = page.evaluate("window.jjjkg.headerBoxes()")
        page.screenshot(path=str(shot))
        assert label_faults(labels, nodes, headers) == []
        # the first view holds every organization drawn on the page
        drawn = page.evaluate("window.jjjkg.data.nodes.map(n => n.id)")
        assert sorted(n["id"] for n in nodes) == sorted(drawn)
        assert labels, "no name drawn at all"
        unlabelled = page.evaluate("window.jjjkg.unlabelled()")
        # each name is drawn or listed in the side panel, the ones that matter first
        assert len(labels) + len(unlabelled) == len(drawn)
        if unlabelled:
            assert page.locator("#unlabelled-box").is_visible()
            shown = page.locator("#unlabelled-list li").count()
            assert shown == min(len(unlabelled), 300) + (len(unlabelled) > 300)  # the rest as "… N more"
            # the names that matter (paths, gaps, platforms, hubs: marked with their kind) come first
            kinds = page.evaluate("""() => { const by = {};
                window.jjjkg.data.nodes.forEach(n => { by[n.id] = !!(n.path || n.gap || n.lab === 'Platform' || n.imp); });
                return window.jjjkg.unlabelled().map(id => by[id]); }""")
            assert kinds == sorted(kinds, reverse=True)
            marked = page.evaluate("Array.from(document.querySelectorAll('#unlabelled-list li[data-id]'))"
                                   ".map(li => !!li.querySelector('.kind'))")
            assert marked == kinds[:len(marked)]
        # zooming in (the wheel, as a planner does) at the first name left out draws more, still on nothing
        box = page.locator("#net").bounding_box()
        x, y = box["width"] / 2, box["height"] / 2
        if unlabelled:
            at = page.evaluate("(id) => window.jjjkgNodes().filter(n => n.id === id)[0]", unlabelled[0])
            x, y = at["x"] - box["x"], at["y"] - box["y"]
        page.mouse.move(box["x"] + x, box["y"] + y)
        for _ in range(4):
            page.mouse.wheel(0, -250)
            page.wait_for_timeout(150)
        page.wait_for_timeout(300)
        zoomed = page.evaluate("window.jjjkgLabels()")
        page.screenshot(path=str(shot.with_name(shot.stem + "-zoomed.png")))
        assert label_faults(zoomed, page.evaluate("window.jjjkgNodes()"), page.evaluate("window.jjjkg.headerBoxes()")) == []
        if unlabelled:
            assert {lb["text"] for lb in zoomed} - {lb["text"] for lb in labels}, "zooming in names no one new"
        assert errors == []
        return {"labels": len(labels), "unlabelled": len(unlabelled), "zoomed": len(zoomed),
                "min_px": min(lb["font_px"] for lb in labels)}
    finally:
        ctx.close()


@pytest.fixture
def views_dir(artifacts):
    d = artifacts / "views"
    d.mkdir(exist_ok=True)
    return d


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_bundled_geo_view_reads(bundled_graph, browser, tmp_path, views_dir, size):
    out = viz.write_view(bundled_graph, tmp_path / "geo.html", view="geo")
    got = check_view(browser, out, size, views_dir / f"geo-{size[0]}x{size[1]}.png")
    assert got["min_px"] >= 11


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_geo_view_shows_the_whole_of_the_provinces(bundled_graph, browser, tmp_path, size):
    """The first view holds each province's whole outline (the north of 张家口 and 承德), with a margin."""
    out = viz.write_view(bundled_graph, tmp_path / "geo.html", view="geo")
    ctx, page, errors = _open(browser, out, size)
    try:
        corners = page.evaluate("""() => { const net = window.jjjkg.network;
            return window.jjjkg.data.basemap.layers.province.map(p => [net.canvasToDOM({x: p.box[0], y: p.box[1]}),
                                                                      net.canvasToDOM({x: p.box[2], y: p.box[3]})]); }""")
        box = page.locator("#net").bounding_box()
        for a, z in corners:
            assert a["x"] >= 10 and a["y"] >= 10 and z["x"] <= box["width"] - 10 and z["y"] <= box["height"] - 10
    finally:
        ctx.close()
    # a page of one province fits that province
    out = viz.write_view(bundled_graph, tmp_path / "hebei.html", view="geo", provinces=["河北"])
    ctx, page, errors = _open(browser, out, size)
    try:
        b = page.evaluate("window.jjjkg.data.fitBox")
        hebei = page.evaluate("window.jjjkg.data.basemap.layers.province.filter(p => p.p === '河北')[0].box")
        assert b == hebei
        assert errors == []
    finally:
        ctx.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_bundled_chain_view_reads(bundled_graph, browser, tmp_path, views_dir, size):
    figures = {}
    for sid in bundled_graph.sector_ids(kind="chain"):
        out = viz.write_view(bundled_graph, tmp_path / f"chain-{sid}.html", view="chain", sector=sid)
        figures[sid] = check_view(browser, out, size, views_dir / f"chain-{sid}-{size[0]}x{size[1]}.png")
    print(figures)


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_generated_view_of_2000_reads(generated_graph, browser, tmp_path, views_dir, size):
    out = viz.write_view(generated_graph, tmp_path / "g2000.html")
    got = check_view(browser, out, size, views_dir / f"generated-2000-{size[0]}x{size[1]}.png")
    print(got)


def test_a_resized_window_places_the_names_again(bundled_graph, browser, tmp_path):
    out = viz.write_view(bundled_graph, tmp_path / "geo.html", view="geo")
    ctx, page, errors = _open(browser, out, (1920, 1080))
    try:
        page.set_viewport_size({"width": 1100, "height": 700})
        page.wait_for_timeout(400)
        labels, nodes = page.evaluate("window.jjjkgLabels()"), page.evaluate("window.jjjkgNodes()")
        assert label_faults(labels, nodes) == []
        # each organization in the smaller window is named on the map or listed beside it
        named = {(round(lb["node_x"]), round(lb["node_y"])) for lb in labels}
        listed = set(page.evaluate("window.jjjkg.unlabelled()"))
        assert all((round(n["x"]), round(n["y"])) in named or n["id"] in listed for n in nodes)
        assert len(labels) + len(listed) == len(nodes)
        assert errors == []
    finally:
        ctx.close()


@pytest.mark.parametrize("view, kw", [("geo", {}), ("chain", {"sector": "CH_BIO"})])
def test_saved_png_follows_the_same_rules(bundled_graph, browser, tmp_path, view, kw):
    """保存为 PNG draws the whole view larger than the window: its names read by the same rules."""
    out = viz.write_view(bundled_graph, tmp_path / f"{view}.html", view=view, **kw)
    ctx, page, errors = _open(browser, out, (1366, 768))
    try:
        png = page.evaluate("window.jjjkg.composePNG()")
        shot = page.evaluate("window.jjjkg.lastImage")
        assert png["width"] > shot["width"] >= 1600
        assert label_faults(shot["labels"], shot["nodes"]) == []
        assert min(lb["font_px"] for lb in shot["labels"]) >= 11
        # every organization is in the image, named on it or listed beside it
        assert len(shot["nodes"]) == page.evaluate("window.jjjkg.data.nodes.length")
        assert len(shot["labels"]) + shot["unlabelled"] == len(shot["nodes"])
        assert errors == []
    finally:
        ctx.close()


_LANES_AT = """() => { const L = window.jjjkg.data.lanes, net = document.getElementById('net').getBoundingClientRect();
  const a = window.jjjkg.network.canvasToDOM({x: L.columns[0].x0, y: L.rows[0].y0});
  return {x0: a.x + net.left + window.scrollX, y0: a.y + net.top + window.scrollY}; }"""


def test_dense_chain_lanes_leave_room_for_names(bundled_graph, browser, tmp_path):
    """Lane cells are as wide as their names need: few names are pushed out of the lanes (above the
    header row, left of the first lane) or left unwritten at 1366×768 — at most one in six of the chains'
    names (one in five before the cells widened, on the data of that day)."""
    figures, names = {}, 0
    for sid in bundled_graph.sector_ids(kind="chain"):
        out = viz.write_view(bundled_graph, tmp_path / f"chain-{sid}.html", view="chain", sector=sid)
        ctx, page, errors = _open(browser, out, (1366, 768))
        try:
            lanes = page.evaluate(_LANES_AT)
            labels = page.evaluate("window.jjjkgLabels()")
            outside = [lb["text"] for lb in labels if lb["y"] < lanes["y0"] - 1 or lb["x"] < lanes["x0"] - 1]
            unlabelled = len(page.evaluate("window.jjjkg.unlabelled()"))
            figures[sid] = (len(outside), unlabelled)
            names += len(labels) + unlabelled
            assert errors == []
        finally:
            ctx.close()
    print(figures, names)
    assert sum(a + b for a, b in figures.values()) <= names / 6, (figures, names)
