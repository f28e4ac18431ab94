"""Dashboards against the real ``jjjkg serve`` on the bundled store, in Debian's Chromium: the default
dashboard, the editor (analysts build, viewers read), the parameter bar and its permanent address.

Answers are compared with ``jjjkg query NAME --param … --format json`` on the same store.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.workspace.conftest import serve_for_module
from tests.workspace.test_console import ARTIFACTS, PASSWORD, _audit, _cli, _post, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = ARTIFACTS / "workspace"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def store(bundled_store):
    return bundled_store


@pytest.fixture(scope="module")
def chromium(browser):
    return browser


@pytest.fixture(scope="module")
def server(store, tmp_path_factory):
    """``jjjkg serve`` on the bundled store with an analyst (ana), an admin (adm) and a viewer (vic)."""
    state = tmp_path_factory.mktemp("dash-state") / "state"
    for origin in serve_for_module(store, state, {"ana": "analyst", "adm": "admin", "vic": "viewer"}, PASSWORD):
        yield origin, state, store


def _query(store, name, *params) -> list[dict]:
    args = ["query", name, "--store", str(store), "--format", "json"]
    for p in params:
        args += ["--param", p]
    done = _cli(*args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _form_post(page, path, fields):
    """A form POST from the signed-in page with its CSRF token (as a browser sends a form): the status."""
    return page.evaluate("""async ([path, fields]) => {
        const body = new URLSearchParams();
        body.append('csrfmiddlewaretoken', document.querySelector('meta[name=csrf-token]').content);
        for (const [k, v] of fields) body.append(k, v);
        const r = await fetch(path, {method: 'POST', body, redirect: 'manual'});
        return [r.status, await r.text()]; }""", [path, fields])


def _version(page, slug) -> str:
    html = page.evaluate("async p => (await fetch(p)).text()", f"/dashboards/{slug}/edit")
    return re.search(r'name="v" value="([^"]+)"', html).group(1)


def test_the_default_dashboard_renders_every_tile(sign_in, server):
    origin = server[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (1920, 1080)):
        page, errors, urls = sign_in("vic", width=width, height=height)
        page.goto(origin + "/dashboards/")
        page.click("a[href='/dashboards/overview']")
        page.wait_for_selector("section.tile")
        assert page.text_content("h1") == "京津冀中试生态总览"
        tiles = page.locator("section.tile")
        assert tiles.count() == 6
        assert page.locator("section.tile .error").count() == 0
        assert page.locator("section.tile .empty").count() == 0
        assert page.locator("section.tile-value .figures li").count() >= 4
        assert page.locator("section.tile-graph iframe.tile-frame").count() == 1  # the views' page: test_views_embedded
        assert page.locator("section.tile-bar svg rect").count() >= 1
        assert page.locator("section.tile-map iframe.tile-frame").count() == 1
        assert page.locator("section.tile-table table tbody tr").count() >= 2
        # every column header, bar and parameter label is Chinese (no record key such as platform_name)
        for text in page.locator("section.tile th, .dashboard-params label").all_text_contents():
            assert CJK.search(text), text
        bars = page.locator("section.tile-bar svg text").all_text_contents()
        assert bars and not any(re.fullmatch(r"[A-Z_]+", b) for b in bars), bars
        for selector in ("section.tile-graph iframe.tile-frame", "section.tile-map iframe.tile-frame"):
            # the screenshot shows the framed views drawn, as a reader sees them once the page has loaded
            page.wait_for_selector(selector).content_frame().wait_for_function(
                "() => window.jjjkg && window.jjjkg.stable", timeout=60_000)
        page.screenshot(path=str(SHOTS / f"dashboard-overview-{width}x{height}.png"), full_page=True)
        assert errors == []
        assert all(u.startswith(origin + "/") for u in urls), [u for u in urls if not u.startswith(origin)]


def test_an_analyst_builds_a_dashboard_and_a_viewer_opens_it(sign_in, server, chromium):
    origin, state, _ = server
    page, errors, urls = sign_in("ana")
    page.goto(origin + "/dashboards/")
    page.click("[data-testid=dashboard-new-link]")
    page.fill("#d-title", "氢能周报")
    page.fill("#d-slug", "h2-weekly")
    page.uncheck("input[name=roles][value=editor]")
    page.click("[data-testid=dashboard-new] button[type=submit]")
    page.wait_for_url(origin + "/dashboards/h2-weekly/edit")
    # first tile: choosing the source is enough (a little script submits it)
    page.select_option("#a-source", "analysis:supply-list")
    page.wait_for_selector("[data-testid=tile-add]")
    page.fill("#a-title", "天津中试平台")
    page.check("input[name=renderer][value=table]")
    page.check("input[name=columns][value=platform_id]")
    page.check("input[name=columns][value=province]")
    assert page.is_hidden("#a-column")  # the bar chart's field is hidden while a table is chosen
    page.click("[data-testid=tile-add] button[type=submit]")
    page.wait_for_selector("[data-testid=editor-tile]")
    # second tile: a bar chart of gaps by sector
    page.select_option("#a-source", "analysis:alliance-gaps")
    page.wait_for_selector("[data-testid=tile-add] input[value='analysis:alliance-gaps']", state="attached")
    page.check("input[name=renderer][value=bar]")
    page.select_option("#a-column", "sector")
    page.fill("#a-title", "断点分布")
    page.click("[data-testid=tile-add] button[type=submit]")
    page.wait_for_function("document.querySelectorAll('[data-testid=editor-tile]').length === 2")
    # rename the first, move the second up
    page.fill("#t-1", "供给清单（按省份）")
    page.click("#tile-1 button[value=title]")
    page.wait_for_function("document.querySelector('#t-1').value === '供给清单（按省份）'")
    page.click("#tile-2 button[value=up]")
    page.wait_for_function("document.querySelector('#t-1').value === '断点分布'")
    assert page.input_value("#t-2") == "供给清单（按省份）"
    assert errors == []
    assert all(u.startswith(origin + "/") for u in urls)

    viewer, verrors, _ = sign_in("vic")
    viewer.goto(origin + "/dashboards/")
    assert viewer.locator("[data-testid=dashboard-new-link]").count() == 0
    viewer.click("a[href='/dashboards/h2-weekly']")
    assert viewer.locator("section.tile h2").all_text_contents() == ["断点分布", "供给清单（按省份）"]
    assert viewer.locator("section.tile .error").count() == 0
    assert viewer.locator("section.tile-bar svg rect").count() >= 1
    assert viewer.locator("section.tile-table th").all_text_contents()[:2] == ["平台编号", "平台名称"]
    assert viewer.locator("[data-testid=dashboard-edit]").count() == 0
    viewer.screenshot(path=str(SHOTS / "dashboard-built-by-analyst-1366x768.png"), full_page=True)
    assert verrors == []
    # the viewer cannot reach the editor, nor POST to it, nor create one
    response = viewer.goto(origin + "/dashboards/h2-weekly/edit")
    assert response.status == 403
    assert viewer.text_content("h1") == "无权访问"
    viewer.goto(origin + "/dashboards/")
    status, _ = _form_post(viewer, "/dashboards/h2-weekly/edit", [["action", "remove"], ["tile", "1"]])
    assert status == 403
    status, _ = _form_post(viewer, "/dashboards/new", [["title", "我的"], ["slug", "mine"], ["roles", "viewer"]])
    assert status == 403
    assert viewer.goto(origin + "/dashboards/mine").status == 404
    viewer.goto(origin + "/dashboards/h2-weekly")
    assert viewer.locator("section.tile").count() == 2

    changes = [e["detail"]["change"] for e in _audit(state) if e["action"] == "dashboard_edit"]
    assert changes == ["create", "add", "add", "title", "up"]
    denied = [e for e in _audit(state) if e["action"] == "denied" and e["user"] == "vic"]
    assert len(denied) >= 3


def test_the_editor_works_without_script(chromium, server):
    origin = server[0]
    ctx = chromium.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(origin + "/login")
        page.fill("input[name=username]", "adm")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(origin + "/dashboards/new")
        page.fill("#d-title", "无脚本看板")
        page.fill("#d-slug", "no-script")
        page.click("[data-testid=dashboard-new] button[type=submit]")
        page.select_option("#a-source", "briefing:figures")
        page.click("[data-testid=tile-source] button[type=submit]")  # 下一步: shown when script is off
        page.check("input[name=renderer][value=value]")
        page.click("[data-testid=tile-add] button[type=submit]")
        assert page.locator("[data-testid=editor-tile]").count() == 1
        page.select_option("#a-source", "briefing:chains")
        page.click("[data-testid=tile-source] button[type=submit]")
        page.click("[data-testid=tile-add] button[type=submit]")  # a table, of every column
        page.click("#tile-1 button[value=remove]")
        assert page.locator("[data-testid=editor-tile] input[name=title]").evaluate_all(
            "els => els.map(e => e.value)") == ["各产业链贯通情况"]
        page.goto(origin + "/dashboards/no-script")
        assert page.locator("section.tile-table th").all_text_contents() == ["产业链", "状态", "完整链路", "主要断点"]
    finally:
        ctx.close()


def test_an_impossible_tile_is_refused_naming_the_tile_and_field(sign_in, server):
    origin = server[0]
    page, errors, _ = sign_in("ana")
    spec = {"slug": "broken", "title": "坏看板", "roles": ["analyst"],
            "tiles": [{"title": "好图块", "source": "briefing:figures", "renderer": "value"},
                      {"title": "断点", "source": "analysis:alliance-gaps", "renderer": "bar", "column": "nope"}]}
    status, body = _post(page, "/api/dashboards", spec)
    expected = "第 2 个图块「断点」的统计列（column）：分析 alliance-gaps 没有列 nope；它的列：sector、gap、entity_id"
    assert (status, body) == (400, {"error": expected})
    # the editor refuses the same tile with the same words, and keeps the dashboard as it was
    status, _ = _post(page, "/api/dashboards", {**spec, "tiles": spec["tiles"][:1]})
    assert status == 201
    page.goto(origin + "/dashboards/broken/edit")
    status, html = _form_post(page, "/dashboards/broken/edit", [
        ["v", _version(page, "broken")], ["action", "add"], ["source", "analysis:alliance-gaps"], ["title", "断点"],
        ["renderer", "bar"], ["column", "nope"]])
    assert status == 400
    assert "未保存：" + expected in html
    status, body = _post(page, "/api/dashboards", {**spec, "tiles": [
        {"title": "供给", "source": "analysis:supply-list", "renderer": "table", "params": ["region"]}]})
    assert status == 400 and body["error"].startswith("第 1 个图块「供给」的参数（params）：分析 supply-list 没有参数 region")
    page.goto(origin + "/dashboards/broken")
    assert page.locator("section.tile").count() == 1
    # the only messages are the browser's notes of the refused requests above
    assert all("status of 400" in e for e in errors), errors


def test_a_link_with_parameters_opens_for_a_permitted_role_only(sign_in, server):
    origin, _, store = server
    page, errors, _ = sign_in("ana")
    spec = {"slug": "bio-analysts", "title": "生物医药（分析人员）", "roles": ["analyst"],
            "tiles": [{"title": "供给清单", "source": "analysis:supply-list", "renderer": "table",
                       "params": ["sector", "province"], "columns": ["platform_id", "province"]},
                      {"title": "平台数", "source": "analysis:supply-list", "renderer": "value",
                       "params": ["sector", "province"]},
                      {"title": "全部平台", "source": "analysis:supply-list", "renderer": "value"}]}
    status, body = _post(page, "/api/dashboards", spec)
    assert status == 201, body
    link = origin + "/dashboards/bio-analysts?sector=CH_BIO&province=天津"
    page.goto(link)
    expected = _query(store, "supply-list", "sector=CH_BIO", "province=天津")
    everything = _query(store, "supply-list")
    assert 0 < len(expected) < len(everything)
    ids = page.locator("section.tile-table tbody tr td:nth-child(1)").all_text_contents()
    assert sorted(ids) == sorted(r["platform_id"] for r in expected)
    assert set(page.locator("section.tile-table tbody tr td:nth-child(3)").all_text_contents()) == {"天津"}
    values = page.locator("section.tile-value .figures .value").all_text_contents()
    assert values == [str(len(expected)), str(len(everything))]  # the third tile declares no parameter
    assert page.input_value("select[name=province]") == "天津"
    assert page.input_value("select[name=sector]") == "CH_BIO"
    assert "省份：天津" in page.text_content("section.tile-table .tile-filters")
    # the bar's form carries the parameters into the address
    page.select_option("select[name=province]", "河北")
    page.click(".dashboard-params button[type=submit]")
    page.wait_for_url(re.compile(r".*province=%E6%B2%B3%E5%8C%97.*"))
    ids = page.locator("section.tile-table tbody tr td:nth-child(1)").all_text_contents()
    assert sorted(ids) == sorted(r["platform_id"] for r in _query(store, "supply-list", "sector=CH_BIO",
                                                                   "province=河北"))
    exported = page.evaluate("async () => (await fetch('/dashboards/bio-analysts/export.json')).json()")
    assert exported == spec | {"tiles": [{"params": [], **t} for t in spec["tiles"]]}
    assert errors == []
    viewer, verrors, _ = sign_in("vic")
    response = viewer.goto(link)
    assert response.status == 403
    assert viewer.text_content("h1") == "无权访问"
    assert "您的角色无权查看此看板" in viewer.text_content("main")
    assert viewer.locator("html[lang=zh-CN]").count() == 1
    viewer.goto(origin + "/dashboards/")
    assert viewer.locator("a[href='/dashboards/bio-analysts']").count() == 0
    status, body = _post(viewer, "/api/dashboards", spec)
    assert status == 403


def test_a_saved_query_tile_takes_the_bar_and_equals_the_command_line(sign_in, server):
    origin, state, store = server
    page, errors, _ = sign_in("ana")
    status, body = _post(page, "/api/queries", {
        "name": "platforms-in", "title": "某省的中试平台", "roles": ["viewer", "analyst"],
        "params": [{"name": "province", "type": "text", "value": "北京"}],
        "statement": "MATCH (p:Platform) WHERE p.province = $province RETURN p.id AS id, p.name AS name ORDER BY id"})
    assert status == 201, body
    page.goto(origin + "/dashboards/new")
    page.fill("#d-title", "各省平台")
    page.fill("#d-slug", "platforms-by-province")
    page.click("[data-testid=dashboard-new] button[type=submit]")
    page.select_option("#a-source", "query:platforms-in")
    page.wait_for_selector("[data-testid=tile-add]")
    # its columns were found by running it once with its defaults
    assert page.locator("input[name=columns]").evaluate_all("els => els.map(e => e.value)") == ["id", "name"]
    assert page.is_checked("input[name=params][value=province]")
    trial = [e for e in _audit(state) if e["detail"].get("saved_query") == "platforms-in"]
    assert [(e["user"], e["detail"]["purpose"]) for e in trial] == [("ana", "columns")]
    page.click("[data-testid=tile-add] button[type=submit]")
    page.wait_for_selector("[data-testid=editor-tile]")
    viewer, verrors, _ = sign_in("vic")
    viewer.goto(origin + "/dashboards/platforms-by-province?province=河北")
    done = _cli("query", "platforms-in", "--queries", str(state / "queries"), "--store", str(store),
                "--param", "province=河北", "--format", "json")
    assert done.returncode == 0, done.stderr
    expected = json.loads(done.stdout)
    assert expected
    assert viewer.locator("section.tile-table th").all_text_contents() == ["编号", "名称"]
    assert viewer.locator("section.tile-table tbody td:nth-child(1)").all_text_contents() == [r["id"] for r in expected]
    assert viewer.input_value("select[name=province]") == "河北"
    assert errors == [] and verrors == []
    # seven tiles over saved queries would hold the console's servers: refused
    tile = {"title": "平台", "source": "query:platforms-in", "renderer": "value", "params": ["province"]}
    status, body = _post(page, "/api/dashboards", {"slug": "too-many", "title": "太多", "roles": ["analyst"],
                                                   "tiles": [tile] * 7})
    assert status == 400 and body["error"].startswith("一个看板最多 6 个保存查询图块")


def test_malformed_dashboards_are_refused_and_a_bad_tile_never_takes_the_page_down(sign_in, server):
    origin, state, _ = server
    page, _, _ = sign_in("ana")
    good = {"slug": "odd", "title": "奇怪", "roles": ["analyst"],
            "tiles": [{"title": "数字", "source": "briefing:figures", "renderer": "value"}]}
    for bad, words in [({"roles": [["admin"]]}, "请选择可以打开看板的角色"),
                       ({"slug": "overview\n"}, "看板的地址名（slug）应为"),
                       ({"slug": "new"}, "不能是 new"),
                       ({"tiles": [{"title": {"a": 1}, "source": "briefing:figures", "renderer": "value"}]},
                        "第 1 个图块「未命名」的标题（title）：应为文字"),
                       ({"tiles": [{"title": "x", "source": "analysis:alliance-gaps\n", "renderer": "value"}]},
                        "第 1 个图块「x」的数据来源（source）"),
                       ({"tiles": [{"title": "x", "source": "briefing:figures", "renderer": "table",
                                    "columns": [{"a": 1}]}]}, "第 1 个图块「x」的表格列（columns）：应为一个列名")]:
        status, body = _post(page, "/api/dashboards", {**good, **bad})
        assert status == 400 and words in body["error"], (bad, body)
    status, body = page.evaluate("""async () => {
        const token = document.querySelector('meta[name=csrf-token]').content;
        const r = await fetch('/api/dashboards', {method: 'POST', headers: {'X-CSRFToken': token},
            body: '{"slug": "nan", "title": "x", "roles": ["analyst"], "tiles": [], "n": NaN}'});
        return [r.status, await r.json()]; }""")
    assert (status, body) == (400, {"error": "请求内容应为看板的 JSON"})
    # a graph over a column of lists: the tile says so, the page and the other tiles stand
    status, _ = _post(page, "/api/dashboards", {**good, "tiles": [
        good["tiles"][0], {"title": "路径", "source": "analysis:rd-scaleup-paths", "renderer": "graph",
                           "edges": [["platform_id", "sectors"]]}]})
    assert status == 201
    response = page.goto(origin + "/dashboards/odd?province=天津&junk=1&" + "&".join(f"k{i}=v" for i in range(50)))
    assert response.status == 200
    assert page.locator("section.tile-value .figures li").count() >= 4
    row = [e for e in _audit(state) if e["action"] == "dashboard" and e["detail"].get("slug") == "odd"][-1]
    assert row["detail"]["params"] == {}  # no tile declares a parameter: nothing of the address is recorded
