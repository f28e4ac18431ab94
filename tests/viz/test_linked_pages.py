"""Linked pages, as the workspace serves them: the same page code under ``default-src 'self'``.

A tiny ``http.server`` on 127.0.0.1 serves a page rendered with ``render_html(asset_urls=...)`` and
the four files of ``page_asset`` with the header ``Content-Security-Policy: default-src 'self'``;
headless Chromium opens it and must report no console error and no policy violation, draw the
view, answer the labels API, and go to ``/org/ID`` on a double click.
"""

from __future__ import annotations

import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from graph.errors import QueryError
import viz
from viz.page import PAGE_ASSETS, page_asset, render_html
from viz.pyvis_html import build_view

from .test_labels import label_faults

pytestmark = pytest.mark.browser

POLICY = "default-src 'self'"
ASSET_URLS = {name: f"/static/jjjkg/{name.replace('_', '.')}" for name in PAGE_ASSETS}


class _InlineFinder(HTMLParser):
    """Every inline script, inline style, style attribute and event handler attribute of a page."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in a:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            self._in_script = a

    def handle_data(self, data):
        if self._in_script is not None and data.strip() and self._in_script.get("type") != "application/json":
            self.found.append("inline <script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


@pytest.fixture
def serve():
    """Serve {path: (bytes, media type)} on 127.0.0.1 under a strict policy; yield (add, base URL)."""
    routes: dict[str, tuple[bytes, str]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            path = self.path.split("?", 1)[0]
            if path == "/favicon.ico":  # the browser asks a server for one; the workspace has its own
                self.send_response(204)
                self.end_headers()
                return
            if path.startswith("/org/"):
                body, media = "<!DOCTYPE html><title>org</title><p>organization page</p>".encode(), "text/html"
            elif path in routes:
                body, media = routes[path]
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", POLICY)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name, url in ASSET_URLS.items():
        routes[url] = page_asset(name)

    def add(path: str, html: str) -> str:
        routes[path] = (html.encode("utf-8"), "text/html; charset=utf-8")
        return f"http://127.0.0.1:{server.server_port}{path}"

    yield add
    server.shutdown()
    server.server_close()


def test_page_assets_are_the_files_a_file_page_inlines(tiny_graph):
    version, vis_js, vis_css = viz.page.vis_assets()
    def text(name):  # the file as it is (read_text reads its CRLF line ends as LF)
        return page_asset(name)[0].decode("utf-8").replace("\r\n", "\n")

    assert text("vis_css") == vis_css
    assert text("vis_js").replace("</script", "<\\/script") == vis_js
    assert page_asset("page_js")[1] == "text/javascript; charset=utf-8"
    v = build_view(tiny_graph, view="network")
    cases = [  # (the call, its one-line message)
        (lambda: page_asset("x"), "page asset: expected one of vis_js, vis_css, page_js, page_css, got 'x'"),
        (lambda: render_html(v, asset_urls={k: "/a" for k in ("vis_js", "page_js", "page_css", "fonts")}),
         "asset_urls: expected exactly the keys vis_js, vis_css, page_js, page_css; missing ['vis_css'], "
         "unknown ['fonts']"),
        (lambda: render_html(v, asset_urls={**ASSET_URLS, "vis_js": "javascript:alert(1)"}),
         "asset_urls['vis_js']: expected a path or an http(s) URL, got 'javascript:alert(1)'"),
        (lambda: render_html(v, org_url="/org/"),
         "org_url: expected a template with {id} (e.g. '/org/{id}'), got '/org/'"),
    ]
    for call, message in cases:
        with pytest.raises(QueryError) as err:
            call()
        assert str(err.value) == message


@pytest.mark.parametrize("view, kw", [
    ("geo", {"gaps": True, "highlight_paths": True}),  # the base map and both overlays
    ("chain", {"sector": "S_BIO"}),  # lanes and their headers
    ("network", {}),
    ("network", {"max_nodes": 5}),  # the sector × province matrix: a table, coloured by the page's script
])
def test_linked_page_runs_under_default_src_self(tiny_graph, browser, serve, artifacts, view, kw):
    v = build_view(tiny_graph, view=view, **kw)
    html = render_html(v, asset_urls=ASSET_URLS, org_url="/org/{id}")
    finder = _InlineFinder()
    finder.feed(html)
    assert finder.found == []  # nothing inline but the JSON data
    url = serve(f"/views/{view}", html)

    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = ctx.new_page()
        errors, outside = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("request", lambda r: None if r.url.startswith("http://127.0.0.1:") else outside.append(r.url))
        page.add_init_script("""window.__violations = [];
            document.addEventListener('securitypolicyviolation',
              e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));""")
        page.goto(url)
        page.wait_for_function("() => !!(window.jjjkg && window.jjjkg.stable)", timeout=60_000)
        page.wait_for_timeout(200)
        assert page.evaluate("window.__violations") == []
        # drawn, and the labels API answers as on a file page
        labels, nodes = page.evaluate("window.jjjkgLabels()"), page.evaluate("window.jjjkgNodes()")
        assert page.evaluate("window.jjjkg.composePNG()")["size"] > 5000  # save as PNG works too
        name = "matrix" if v.matrix else view
        page.screenshot(path=str(artifacts / f"viz-linked-{name}.png"))
        if v.matrix:
            assert labels == [] and nodes == [] and page.locator("td.cell").count() == len(v.matrix["cells"])
            assert page.evaluate("window.__violations") == [] and errors == [] and outside == []
            return
        assert labels and len(nodes) == len(v.nodes)
        assert label_faults(labels, nodes, page.evaluate("window.jjjkg.headerBoxes()")) == []
        # a double click on a node opens the organization's page of the server
        target = nodes[0]
        page.mouse.dblclick(target["x"], target["y"])
        page.wait_for_url("**/org/**", timeout=10_000)
        assert page.url.endswith("/org/" + target["id"].replace(" ", "%20"))
        assert errors == [] and outside == []
    finally:
        ctx.close()


def test_file_pages_keep_their_inline_form(tiny_graph):
    html = render_html(build_view(tiny_graph, view="network"))
    assert "<body>" in html and "<script src=" not in html and "<style>" in html  # no org link, all inline


def test_linked_page_policy_names_the_origin_of_absolute_asset_urls(tiny_graph):
    v = build_view(tiny_graph, view="network")
    html = render_html(v, asset_urls={**ASSET_URLS, "vis_js": "https://static.example.org:8443/vis.js"})
    assert "default-src 'self' https://static.example.org:8443;" in html
    assert '<script src="https://static.example.org:8443/vis.js"></script>' in html
