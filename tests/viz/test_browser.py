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
    ("geo", {"gaps": True, "highlight_paths": True}, 17, 19),  # fixed positions, both overlays
    ("chain", {"sector": "S_BIO"}, 6, 3),  # R&D → pilot → scale-up lanes of one chain
    # aggregated: 11 sector × province groups; flows within a sector: S_H2 北京→天津, S_BIO 北京→河北 and
    # 天津→北京, S_ROBOT 北京→河北
    ("network", {"max_nodes": 5}, 11, 4),
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
    canvas = run.evaluate("window.jjjkg.pngDataURL()")  # what "save as PNG" saves
    assert canvas.startswith("data:image/png;base64,") and len(canvas) > 5000


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
    assert run.page.text_content("#title") == XSS_NAME
    run.page.fill("#search", "alert(2)")
    assert run.page.text_content("#search-results li.active").startswith(SCRIPT_NAME)
    assert run.evaluate("document.querySelectorAll('img').length") == 0
    assert run.evaluate("window.jjjkg.nodes.get('xss-1').title").find(XSS_NAME) >= 0
    run.page.hover("#net")
    run.page.wait_for_timeout(200)
    assert run.dialogs == []
    assert run.errors == [] and run.requests == []
    run.page.screenshot(path=str(artifacts / "viz-hostile-names.png"))


def test_network_physics_stops(tiny_graph, tmp_path, open_page):
    run = open_page(viz.write_view(tiny_graph, tmp_path / "s.html"))
    assert run.evaluate("window.jjjkg.network.physics.physicsEnabled") is False


def test_save_png_button_downloads(tiny_graph, tmp_path, open_page):
    run = open_page(viz.write_view(tiny_graph, tmp_path / "d.html", view="chain", sector="S_H2"))
    with run.page.expect_download() as dl:
        run.page.click("#save-png")
    saved = tmp_path / "saved.png"
    dl.value.save_as(saved)
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert run.errors == [] and run.requests == []


@pytest.mark.slow
def test_synthetic_graph_of_2000(synthetic_graph, tmp_path, open_page):
    G = synthetic_graph(2000)
    run = open_page(viz.write_view(G, tmp_path / "big.html"), timeout_ms=120_000)
    assert run.evaluate("window.jjjkg.counts().nodes") == 2000
    assert run.errors == [] and run.requests == []
    run = open_page(viz.write_view(G, tmp_path / "big-agg.html", max_nodes=1999))
    assert run.evaluate("window.jjjkg.data.aggregated") is True
