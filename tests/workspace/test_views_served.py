"""Live views in the workspace: the page code of `jjjkg viz`, served linked under the server's policy."""

from __future__ import annotations

import pytest

from ..viz.conftest import ARTIFACTS, launched_chromium
from .test_pages_browser import Visit

pytestmark = pytest.mark.browser

VIEWS = ["views/network", "views/map", "views/chain/CH_H2", "views/chain/CH_BIO", "views/matrix"]


@pytest.fixture(scope="module")
def chromium():
    yield from launched_chromium()


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_views_draw_what_the_server_says(chromium, server, clients, size):
    out = ARTIFACTS / "workspace"
    out.mkdir(parents=True, exist_ok=True)
    v = Visit(chromium, server, size)
    try:
        v.sign_in("viewer")
        for path in VIEWS:
            resp = v.page.goto(v.base + "/" + path)
            assert resp.status == 200, path
            assert "default-src 'self'" in resp.headers["content-security-policy"]
            v.page.wait_for_function("() => !!(window.jjjkg && window.jjjkg.ready && window.jjjkg.stable)",
                                     timeout=60_000)
            assert v.page.locator(".watermark").count() == 1
            kind = path.split("/")[1]
            params = {"sector": path.split("/")[2]} if kind == "chain" else {}
            answer = clients["viewer"].get(server.url + f"api/views/{kind}", params=params, timeout=60).json()
            drawn = v.page.evaluate("window.jjjkgNodes()")
            if not answer["aggregated"]:
                assert sorted(n["id"] for n in drawn) == sorted(answer["ids"]), path
                assert answer["nodes"] > 0
            v.page.screenshot(path=str(out / f"viewer-{path.replace('/', '_')}-{size[0]}x{size[1]}.png"))
        assert v.errors == [], v.errors
        assert v.foreign == [], v.foreign
    finally:
        v.close()


def test_double_click_opens_the_organization_page(chromium, server):
    v = Visit(chromium, server, (1366, 768))
    try:
        v.sign_in("viewer")
        v.page.goto(v.base + "/views/chain/CH_H2")
        v.page.wait_for_function("() => !!(window.jjjkg && window.jjjkg.ready && window.jjjkg.stable)",
                                 timeout=60_000)
        node = v.page.evaluate("window.jjjkgNodes()")[0]
        v.page.mouse.dblclick(node["x"], node["y"])
        v.page.wait_for_url(f"**/org/{node['id']}", timeout=15_000)
        assert v.page.locator("h1").inner_text()
    finally:
        v.close()


def test_filters_and_bad_filters(clients, server):
    s = clients["viewer"]
    ans = s.get(server.url + "api/views/network", params={"province": "河北", "type": "platform"}, timeout=60).json()
    orgs = {o: s.get(server.url + f"api/organizations/{o}", timeout=30).json() for o in ans["ids"]}
    assert orgs and all(o["province"] == "河北" and o["type"] == "platform" for o in orgs.values())
    r = s.get(server.url + "views/network", params={"type": "bogus"}, timeout=60)
    assert r.status_code == 400 and "参数有误" in r.text
    r = s.get(server.url + "api/views/chain", timeout=60)
    assert r.status_code == 400
    assert s.get(server.url + "views/nothing", timeout=60).status_code == 404
