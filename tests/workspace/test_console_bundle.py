"""The console's front-end bundle in a real headless Chromium, under the workspace's Content Security Policy.

The page is the console's markup served by a small ``http.server`` on 127.0.0.1 with the header
``Content-Security-Policy: default-src 'self'; style-src 'self' 'nonce-…'``; the JSON API behind it
(``/api/cypher``, ``/api/console/params``, ``/api/console/history``, ``/api/queries``) is answered by a
stub handler in this file, which records what the page sent. These tests check the bundle alone — the
editor, completion from the page's schema, what the page sends and how it shows what comes back; the
tests of ``workspace/console.py`` drive the same page against the real ``jjjkg serve``.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.viz.conftest import launched_chromium
from workspace.bundle import BUILD_DIR, bundle_problem

pytestmark = pytest.mark.browser

NONCE = "n0nce4test"
CSRF = "csrf-token-of-the-page"
CSP = f"default-src 'self'; style-src 'self' 'nonce-{NONCE}'; object-src 'none'; base-uri 'none'"
SCHEMA = {
    "labels": ["Organization", "Platform", "Enterprise", "Park", "Sector"],
    "relationshipTypes": ["OFFERS", "SCALES_UP_AT", "TRANSFERS_TO"],
    "propertyKeys": ["id", "name", "province", "level"],
    "functions": [],
    "procedures": [],
}
PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="csrf-token" content="{csrf}"><meta name="csp-nonce" content="{nonce}">
<title>控制台</title>
<link rel="stylesheet" href="/static/workspace/build/console.css">
<script type="module" src="/static/workspace/build/console.js"></script>
</head><body>
<div data-testid="console-editor" id="console-editor"></div>
<button type="button" data-testid="console-run">运行</button>
<button type="button" data-testid="console-cancel">取消</button>
<div id="console-params"></div>
<div data-testid="console-result" id="console-result"></div>
<div id="console-history"></div>
<script type="application/json" id="console-schema">{schema}</script>
</body></html>
"""

NODE_A = {"identity": 1, "id": "pf-1", "labels": ["Organization", "Platform"],
          "properties": {"id": "pf-1", "name": "<b>北京中试平台</b>"}}
NODE_B = {"identity": 2, "id": "site-1", "labels": ["Organization", "Site"],
          "properties": {"id": "site-1", "name": "沧州基地"}}
REL = {"identity": 7, "type": "SCALES_UP_AT", "start": "pf-1", "end": "site-1", "start_identity": 1,
       "end_identity": 2, "properties": {}}
BIG_ROWS = 100_000


class StubApi:
    """What the page sent, and the canned answers."""

    def __init__(self):
        self.requests: list[tuple[str, str, dict, dict]] = []  # method, path, headers, body
        self.params = [{"name": "province", "type": "text", "value": "河北"}]
        self.cancelled = threading.Event()

    def answer(self, method, path, body):
        if path == "/api/console/params":
            if method == "PUT":
                self.params = body["params"]
                return 200, {"params": self.params}
            return 200, {"params": self.params}
        if path.startswith("/api/console/history"):
            return 200, {"items": [{"statement": "RETURN 41 + 1 AS answer", "params": {}, "time": "2026-12-04 20:00",
                                    "rows": 1}]}
        if path == "/api/queries":
            return 201, {"name": body["name"]}
        if path == "/api/console/graph":
            return 200, {"url": "/console/graph/t0k3n", "nodes": len(body["nodes"]), "edges": len(body["relationships"]),
                         "total": body["total_nodes"], "cap": 500}
        if path == "/api/cypher/cancel":
            self.cancelled.set()
            return 200, {"cancelled": True}
        if path == "/api/cypher":
            statement = body["statement"]
            if "CREATE" in statement:
                return 400, {"error": "控制台只读：不能写入图谱（CREATE）", "line": 2, "column": 3}
            if "SLOW" in statement:
                self.cancelled.wait(10)
                return 400, {"error": "语句已取消"}
            if "BIG" in statement:
                rows = [{"i": i, "name": f"机构{i}"} for i in range(BIG_ROWS)]
                return 200, {"columns": ["i", "name"], "rows": rows, "notes": []}
            if statement.startswith("EXPLAIN"):
                return 200, {"columns": ["depth", "operator", "details"], "notes": [],
                             "rows": [{"depth": 0, "operator": "Results", "details": ""},
                                      {"depth": 1, "operator": "Node By Label Scan", "details": "(p:Platform)"}],
                             "plan": ["Results", "    Node By Label Scan | (p:Platform)"]}
            if "answer" in statement:
                return 200, {"columns": ["answer"], "rows": [{"answer": 42}], "notes": []}
            return 200, {"columns": ["a", "r", "b"], "rows": [{"a": NODE_A, "r": REL, "b": NODE_B}],
                         "notes": ["note: `id(n)` became `ID(n)`"]}
        return 404, {"error": "unknown"}


def _handler(api: StubApi):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status, body: bytes, content_type: str):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", CSP)
            self.end_headers()
            self.wfile.write(body)

        def _api(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null") if length else {}
            api.requests.append((method, self.path, dict(self.headers), body))
            status, answer = api.answer(method, self.path, body)
            self._send(status, json.dumps(answer, ensure_ascii=False).encode(), "application/json")

        def do_GET(self):
            if self.path.startswith("/api/"):
                return self._api("GET")
            if self.path.startswith("/console/graph/"):  # the server's drawing of a result (tested against jjjkg serve)
                return self._send(200, "<!DOCTYPE html><title>图</title><p>图</p>".encode(), "text/html; charset=utf-8")
            if self.path == "/favicon.ico":
                return self._send(204, b"", "image/x-icon")
            if self.path == "/console":
                page = PAGE.format(csrf=CSRF, nonce=NONCE, schema=json.dumps(SCHEMA))
                return self._send(200, page.encode(), "text/html; charset=utf-8")
            prefix = "/static/workspace/build/"
            name = self.path[len(prefix):] if self.path.startswith(prefix) else ""
            path = BUILD_DIR / name
            if name and "/" not in name and path.is_file():
                kind = "text/css" if name.endswith(".css") else "text/javascript"
                return self._send(200, path.read_bytes(), kind + "; charset=utf-8")
            self._send(404, b"not found", "text/plain")

        def do_POST(self):
            self._api("POST")

        def do_PUT(self):
            self._api("PUT")

    return Handler


@pytest.fixture(scope="module")
def built():
    problem = bundle_problem()
    if problem:
        pytest.fail(problem)
    return BUILD_DIR


@pytest.fixture(scope="module")
def chromium():
    yield from launched_chromium()


@pytest.fixture
def stub(built):
    api = StubApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.origin = f"http://127.0.0.1:{server.server_address[1]}"
    yield api
    api.cancelled.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def console(chromium, stub):
    """The console page open in Chromium: (page, what it logged as errors, every URL it requested)."""
    ctx = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    errors, urls = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    ctx.on("request", lambda r: urls.append(r.url))
    ctx.on("weberror", lambda e: errors.append(str(e.error)))
    page.goto(stub.origin + "/console")
    page.wait_for_selector("[data-testid=console-editor] .cm-editor .cm-content")
    yield page, errors, urls
    ctx.close()


def _type(page, text):
    page.click("[data-testid=console-editor] .cm-content")
    page.keyboard.type(text)


def test_console_js_gzip_size_before_the_lazy_analyser(built):
    # the console's own JavaScript, without the semantic analyser's worker, as a browser downloads it
    size = len(gzip.compress((built / "console.js").read_bytes(), compresslevel=9))
    worker = len(gzip.compress((built / "lint-worker.js").read_bytes(), compresslevel=9))
    print(f"\nconsole.js {size / 1024:.0f} KB gzip (lint-worker.js, loaded later: {worker / 1024:.0f} KB gzip)")
    assert size <= 600 * 1024


def test_editor_mounts_and_completes_labels_from_the_schema(console, stub):
    page, errors, urls = console
    # CodeMirror's stylesheet arrived through the nonce: its base theme lays the editor out as a flex box
    assert page.eval_on_selector("[data-testid=console-editor] .cm-editor", "e => getComputedStyle(e).display") == "flex"
    assert not any("lint-worker" in u for u in urls)  # the analyser is not loaded before it is needed
    _type(page, "MATCH (p:Pl")
    option = page.wait_for_selector(".cm-tooltip-autocomplete li:has-text('Platform')", timeout=10_000)
    assert option.text_content().strip().startswith("Platform")
    option.click()  # (Enter right as the list opens is ignored by CodeMirror for a moment: a click is not)
    assert page.evaluate("window.jjjkgConsole.view.state.doc.toString()") == "MATCH (p:Platform)"
    # highlighting from Neo4j's lexer
    assert page.locator(".cm-cypher-keyword", has_text="MATCH").count() == 1
    assert page.locator(".cm-cypher-label", has_text="Platform").count() == 1
    assert errors == []
    assert all(u.startswith(stub.origin + "/") for u in urls), urls


def test_property_keys_and_parameters_complete(console):
    page, errors, _ = console
    _type(page, "MATCH (p:Platform) WHERE p.prov")
    page.wait_for_selector(".cm-tooltip-autocomplete li:has-text('province')", timeout=10_000)
    page.keyboard.press("Escape")
    page.keyboard.type(" = $")
    page.keyboard.press("Control+Space")
    # the parameter comes from the panel, which the page read from GET /api/console/params
    page.wait_for_selector(".cm-tooltip-autocomplete li:has-text('province')", timeout=10_000)
    assert errors == []


def test_semantic_lint_loads_lazily_in_a_worker(console):
    page, errors, urls = console
    _type(page, "MATCH (n:Platform) RETURN m")
    page.wait_for_selector(".cm-lint-marker", timeout=30_000)
    assert any(u.endswith("/lint-worker.js") for u in urls)
    text = page.evaluate("""() => [...document.querySelectorAll('.cm-lintRange')].length""")
    assert text >= 1
    assert errors == []


def test_ctrl_enter_runs_with_params_csrf_and_shows_table_graph_and_json(console, stub):
    page, errors, _ = console
    page.wait_for_selector("#console-params input[aria-label=参数值]")
    assert page.input_value("#console-params input[aria-label=参数值]") == "河北"
    _type(page, "MATCH (a)-[r]->(b) WHERE b.province = $province RETURN a, r, b")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[data-testid=console-result] table")
    method, path, headers, body = next(r for r in stub.requests if r[1] == "/api/cypher")
    assert headers["X-CSRFToken"] == CSRF
    assert body["statement"] == "MATCH (a)-[r]->(b) WHERE b.province = $province RETURN a, r, b"
    assert body["params"] == {"province": "河北"}
    assert len(body["run_id"]) == 32
    result = page.locator("[data-testid=console-result]")
    assert result.locator(".console-notes li").all_text_contents() == ["说明：`id(n)` became `ID(n)`"]
    assert result.locator("th").all_text_contents() == ["a", "r", "b"]
    cells = result.locator("td").all_text_contents()
    assert cells[0].startswith("(:Organization:Platform {") and "<b>北京中试平台</b>" in cells[0]
    assert result.locator("td b").count() == 0  # data is text, never markup
    assert cells[1] == "[:SCALES_UP_AT {}]"
    result.locator("button[data-tab=graph]").click()
    # the graph is the server's drawing (the views' page) in a frame: the page posts what finds each node
    frame = page.wait_for_selector("[data-testid=console-result] iframe.console-graph-frame")
    assert frame.get_attribute("src") == "/console/graph/t0k3n"
    _, _, headers, sent = next(r for r in stub.requests if r[1] == "/api/console/graph")
    assert headers["X-CSRFToken"] == CSRF
    assert sent == {"nodes": [{"identity": 1, "id": "pf-1", "labels": ["Organization", "Platform"], "name": "<b>北京中试平台</b>"},
                              {"identity": 2, "id": "site-1", "labels": ["Organization", "Site"], "name": "沧州基地"}],
                    "relationships": [{"identity": 7, "type": "SCALES_UP_AT", "start_identity": 1, "end_identity": 2}],
                    "total_nodes": 2}
    assert result.locator(".console-graph-note").text_content().startswith("2 个节点，1 条关系")
    result.locator("button[data-tab=json]").click()
    assert json.loads(result.locator("pre.console-json").text_content())[0]["a"]["id"] == "pf-1"
    assert errors == []


def test_100000_rows_are_shown_a_page_at_a_time(console):
    page, errors, _ = console
    _type(page, "UNWIND range(1, 100000) AS i RETURN i, 'BIG' AS name")
    started = time.monotonic()
    page.click("[data-testid=console-run]")
    page.wait_for_selector("[data-testid=console-result] table")
    elapsed = time.monotonic() - started
    result = page.locator("[data-testid=console-result]")
    assert result.locator("tbody tr").count() == 100
    assert "共 100000 行" in result.text_content()
    result.locator("button:has-text('下一页')").click()
    assert result.locator("tbody tr").first.locator("td").first.text_content() == "100"
    assert page.evaluate("document.querySelectorAll('td').length") == 200  # one page in the DOM, never all
    assert elapsed < 10, elapsed
    assert errors == []


def test_server_error_is_shown_in_chinese_and_marked_in_the_editor(console):
    page, errors, _ = console
    _type(page, "MATCH (n)\n  CREATE (m)")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[data-testid=console-result] .console-error")
    text = page.text_content("[data-testid=console-result]")
    assert text == "运行失败：第 2 行第 3 列：控制台只读：不能写入图谱（CREATE）"
    line = page.locator(".cm-line.cm-server-error-line")
    assert line.count() == 1 and line.text_content() == "  CREATE (m)"
    assert page.locator(".cm-server-error").first.text_content() == "CREATE"
    # the browser itself logs the 400 answer; the page adds nothing
    assert [e for e in errors if "status of 400" not in e] == [], errors


def test_explain_shows_the_plan_as_text(console):
    page, errors, _ = console
    _type(page, "EXPLAIN MATCH (p:Platform) RETURN p")
    page.keyboard.press("Control+Enter")
    plan = page.wait_for_selector("[data-testid=console-result] pre.console-plan")
    assert plan.text_content() == "Results\n    Node By Label Scan | (p:Platform)"
    assert errors == []


def test_cancel_posts_the_run_id_of_the_running_statement(console, stub):
    page, errors, _ = console
    _type(page, "RETURN 'SLOW'")
    page.click("[data-testid=console-run]")
    page.wait_for_selector("[data-testid=console-run]:disabled")
    page.click("[data-testid=console-cancel]")
    page.wait_for_selector("[data-testid=console-result] .console-error")
    run = next(r for r in stub.requests if r[1] == "/api/cypher")[3]
    cancel = next(r for r in stub.requests if r[1] == "/api/cypher/cancel")
    assert cancel[3] == {"run_id": run["run_id"]} and cancel[2]["X-CSRFToken"] == CSRF
    assert page.text_content("[data-testid=console-result]") == "运行失败：语句已取消"
    assert page.is_enabled("[data-testid=console-run]")
    assert [e for e in errors if "status of 400" not in e] == [], errors


def test_params_panel_keeps_typed_values_on_the_server(console, stub):
    page, errors, _ = console
    page.wait_for_selector("#console-params input[aria-label=参数值]")
    page.click("#console-params button:has-text('添加参数')")
    rows = page.locator("#console-params .console-param")
    rows.nth(1).locator("input[aria-label=参数名称]").fill("sectors")
    rows.nth(1).locator("select").select_option("list")
    rows.nth(1).locator("input[aria-label=参数值]").fill('["CH_H2", "CH_IC"')
    assert "JSON 列表" in rows.nth(1).locator(".console-param-problem").text_content()
    rows.nth(1).locator("input[aria-label=参数值]").fill('["CH_H2", "CH_IC"]')
    page.wait_for_function("() => !document.querySelectorAll('.console-param-problem')[1].textContent")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(stub.params) < 2:
        time.sleep(0.1)
    assert stub.params == [{"name": "province", "type": "text", "value": "河北"},
                           {"name": "sectors", "type": "list", "value": ["CH_H2", "CH_IC"]}]
    assert errors == []


def test_history_item_reruns_and_save_as_query_posts_the_query(console, stub):
    page, errors, _ = console
    page.click("#console-history .console-history-item")
    page.wait_for_selector("[data-testid=console-result] table")
    assert page.locator("[data-testid=console-result] td").all_text_contents() == ["42"]
    assert page.evaluate("window.jjjkgConsole.view.state.doc.toString()") == "RETURN 41 + 1 AS answer"
    page.click("button.console-save")
    page.fill(".console-save-form input[name=name]", "the-answer")
    page.fill(".console-save-form input[name=title]", "答案")
    page.click(".console-save-form button[type=submit]")
    page.wait_for_selector(".console-save-status:has-text('已保存')")
    body = next(r for r in stub.requests if r[1] == "/api/queries")[3]
    assert body == {"name": "the-answer", "title": "答案", "statement": "RETURN 41 + 1 AS answer",
                    "params": [{"name": "province", "type": "text", "value": "河北"}],
                    "roles": ["analyst", "editor", "admin"]}
    assert errors == []


def test_signature_help_for_builtin_functions(console):
    page, errors, _ = console
    _type(page, "RETURN substring('中试平台', ")
    tip = page.wait_for_selector(".cm-cypher-signature", timeout=10_000)
    assert tip.text_content().startswith("substring(")
    assert page.locator(".cm-cypher-signature b").text_content().startswith("start")  # the argument being typed
    assert errors == []


def test_a_parameter_name_the_server_would_refuse_is_flagged_and_not_sent(console, stub):
    page, errors, _ = console
    page.wait_for_selector("#console-params input[aria-label=参数值]")
    page.click("#console-params button:has-text('添加参数')")
    row = page.locator("#console-params .console-param").nth(1)
    row.locator("input[aria-label=参数名称]").fill("省份")
    row.locator("input[aria-label=参数值]").fill("北京")
    assert "英文字母" in row.locator(".console-param-problem").text_content()
    page.wait_for_timeout(1500)  # the panel saves a moment after typing
    assert all("省份" not in json.dumps(r[3], ensure_ascii=False) for r in stub.requests if r[0] == "PUT")
    assert errors == []
