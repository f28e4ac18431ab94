"""Live views in the workspace: the page code of `jjjkg viz`, served linked under the server's policy."""

from __future__ import annotations

import pytest

from ..viz.conftest import ARTIFACTS
from .test_pages_browser import Visit

pytestmark = pytest.mark.browser

VIEWS = ["views/network", "views/map", "views/chain/CH_H2", "views/chain/CH_BIO", "views/matrix"]


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_views_draw_what_the_server_says(browser, server, clients, size):
    out = ARTIFACTS / "workspace"
    out.mkdir(parents=True, exist_ok=True)
    v = Visit(browser, server, size)
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


def test_double_click_opens_the_organization_page(browser, server):
    v = Visit(browser, server, (1366, 768))
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


def _ready(page):
    page.wait_for_function("() => !!(window.jjjkg && window.jjjkg.ready && window.jjjkg.stable)", timeout=60_000)


def test_expanding_a_node_adds_what_the_server_answers(browser, server, clients):
    from ..viz.test_labels import label_faults

    v = Visit(browser, server, (1366, 768))
    try:
        v.sign_in("viewer")
        v.page.goto(v.base + "/views/chain/CH_H2")
        _ready(v.page)
        before = v.page.evaluate("window.jjjkgNodes()")
        shown = ",".join(v.page.evaluate("window.jjjkg.data.nodes.map(n => n.id)"))
        # the best-linked node with neighbours outside the chain
        answers = [(n, clients["viewer"].get(server.url + f"api/views/expand/{n['id']}", params={"exclude": shown},
                                             timeout=60).json()) for n in before]
        node, answer = max(answers, key=lambda a: len(a[1]["nodes"]))
        assert answer["nodes"], "no node of the chain has a neighbour outside it"
        v.page.mouse.click(node["x"], node["y"])
        v.page.locator("#expand-node").click()
        v.page.wait_for_selector("#expand-note:not([hidden])", timeout=30_000)
        v.page.wait_for_timeout(200)
        after = v.page.evaluate("window.jjjkgNodes()")
        assert len(after) == len(before) + len(answer["nodes"])
        assert {n["id"] for n in after} == {n["id"] for n in before} | {n["id"] for n in answer["nodes"]}
        note = v.page.locator("#expand-note").inner_text()
        assert f"已展开 {len(answer['nodes'])} 家" in note
        assert ("另有" in note) == (answer["more"] > 0)
        labels = v.page.evaluate("window.jjjkgLabels()")
        assert labels and label_faults(labels, after, v.page.evaluate("window.jjjkg.headerBoxes()")) == []
        v.page.screenshot(path=str(ARTIFACTS / "workspace" / "viewer-chain-expanded-1366x768.png"))
        # expanding again adds nothing twice
        v.page.evaluate(f"window.jjjkg.expand({node['id']!r})")
        v.page.wait_for_function("() => document.getElementById('expand-note').textContent.indexOf('没有') === 0",
                                 timeout=30_000)
        assert len(v.page.evaluate("window.jjjkgNodes()")) == len(after)
        assert v.errors == [], v.errors
        assert v.foreign == [], v.foreign
    finally:
        v.close()


def test_expand_answers(clients, server):
    s = clients["viewer"]
    ids = s.get(server.url + "api/views/network", timeout=60).json()["ids"]
    hub = max(ids[:200], key=lambda o: len(s.get(server.url + f"api/views/expand/{o}", timeout=30).json()["nodes"]))
    full = s.get(server.url + f"api/views/expand/{hub}", timeout=30).json()
    assert full["nodes"] and full["cap"] == 50 and len(full["nodes"]) <= 50
    first = full["nodes"][0]["id"]
    less = s.get(server.url + f"api/views/expand/{hub}", params={"exclude": first}, timeout=30).json()
    assert first not in {n["id"] for n in less["nodes"]}
    assert len(less["nodes"]) + less["more"] == len(full["nodes"]) + full["more"] - 1
    r = s.get(server.url + "api/views/expand/NO-SUCH-ORG", timeout=30)
    assert r.status_code == 404 and "NO-SUCH-ORG" in r.json()["error"]
    r = s.get(server.url + f"api/views/expand/{hub}", params={"exclude": ",".join(["x"] * 20000)}, timeout=30)
    assert r.status_code == 200
    import requests

    assert requests.get(server.url + f"api/views/expand/{hub}", timeout=30).status_code == 401


def test_a_cell_of_the_matrix_opens_its_view(browser, server, clients):
    v = Visit(browser, server, (1366, 768))
    try:
        v.sign_in("viewer")
        v.page.goto(v.base + "/views/matrix?type=platform")
        _ready(v.page)
        assert "打开该格机构的视图" in v.page.locator("#matrix").inner_text()
        cells = [c for c in v.page.evaluate("window.jjjkg.cellCounts()") if c["shown"] > 0 and c["s"] != "—" and c["p"]]
        cell = cells[0]
        href = v.page.evaluate(f"window.jjjkg.cellHref({cell['s']!r}, {cell['p']!r})")
        v.page.locator(f"td.cell[data-sector='{cell['s']}'][data-province='{cell['p']}']").click()
        v.page.wait_for_url("**/views/network?**", timeout=30_000)
        assert v.page.url.endswith(href)
        _ready(v.page)
        answer = clients["viewer"].get(server.url + "api/views/network", timeout=60,
                                       params={"sector": cell["s"], "province": cell["p"], "type": "platform"}).json()
        drawn = v.page.evaluate("window.jjjkgNodes()")
        assert not answer["aggregated"] and len(answer["ids"]) == cell["shown"]
        assert sorted(n["id"] for n in drawn) == sorted(answer["ids"])
        assert v.page.locator("#cell-cmd").count() == 1 and v.errors == [], v.errors
    finally:
        v.close()


def test_saved_png_carries_the_watermark(browser, server):
    import io
    import re
    from pathlib import Path

    import numpy as np
    from PIL import Image

    v = Visit(browser, server, (1366, 768))
    try:
        v.sign_in("viewer")
        v.page.goto(v.base + "/views/chain/CH_H2")
        _ready(v.page)

        def save() -> bytes:
            with v.page.expect_download() as dl:
                v.page.click("#save-png")
            return Path(dl.value.path()).read_bytes()

        marked = save()
        mark = v.page.evaluate("window.jjjkgLastPngMark")
        assert re.fullmatch(r"viewer · \d{4}-\d\d-\d\d \d\d:\d\d", mark), mark
        v.page.evaluate("document.body.removeAttribute('data-watermark')")
        plain = save()
        assert v.page.evaluate("window.jjjkgLastPngMark") == ""
        a, b = (Image.open(io.BytesIO(x)).convert("RGB") for x in (marked, plain))
        assert a.size == b.size and a.width > 1366
        diff = np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).max(axis=2)
        assert (diff > 0).sum() > a.width * a.height / 200  # tiled over the whole image
        h = a.height
        assert all((diff[i * h // 4:(i + 1) * h // 4] > 0).any() for i in range(4))
        assert diff.max() <= 40  # light: what is beneath still reads
        (ARTIFACTS / "workspace" / "viewer-chain-saved-with-watermark.png").write_bytes(marked)
        assert v.errors == [], v.errors
    finally:
        v.close()
