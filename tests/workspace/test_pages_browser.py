"""Every page in Debian's Chromium, for every role: Chinese, offline, no console error, screenshots kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..viz.conftest import ARTIFACTS, XSS_NAME, launched_chromium
from .conftest import PASSWORDS, TINY, Server, add_accounts, jjjkg

pytestmark = pytest.mark.browser

PAGES = {
    "viewer": ["/", "/?q=氢能", "/org/PF_JJJ_NTIC", "/analyses/", "/analyses/alliance-gaps?sector=CH_H2"],
    "analyst": ["/analyses/supply-list?province=北京"],
    "admin": ["/admin/audit"],
}
SIZES = [(1366, 768), (1920, 1080)]


@pytest.fixture(scope="module")
def chromium():
    yield from launched_chromium()


class Visit:
    def __init__(self, browser, server: Server, size):
        self.ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN",
                                       accept_downloads=True)
        self.page = self.ctx.new_page()
        self.errors, self.foreign, self.responses = [], [], []
        base = server.url.rstrip("/")
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.errors.append("dialog: " + d.message), d.dismiss()))
        self.page.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:")) else
                     self.foreign.append(r.url))
        self.page.on("response", lambda r: self.responses.append(r))
        self.base = base

    def sign_in(self, role: str):
        self.page.goto(self.base + "/login")
        self.page.fill("#id_username", role)
        self.page.fill("#id_password", PASSWORDS[role])
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base + "/")

    def close(self):
        self.ctx.close()


def _shot_name(role: str, path: str, size) -> str:
    stem = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-").replace("&", "_") or "home"
    return f"{role}-{stem}-{size[0]}x{size[1]}.png"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_for_every_role(chromium, server, size):
    out = ARTIFACTS / "workspace"
    out.mkdir(parents=True, exist_ok=True)
    for role, paths in PAGES.items():
        v = Visit(chromium, server, size)
        try:
            v.sign_in(role)
            for path in paths:
                resp = v.page.goto(v.base + path)
                v.page.wait_for_load_state("networkidle")
                assert resp.status == 200, (role, path, resp.status)
                assert "default-src 'self'" in resp.headers["content-security-policy"]
                assert v.page.evaluate("document.documentElement.lang") == "zh-CN"
                assert v.page.locator(".watermark").count() == 1
                v.page.screenshot(path=str(out / _shot_name(role, path, size)))
            assert v.errors == [], (role, v.errors)
            assert v.foreign == [], (role, v.foreign)
        finally:
            v.close()


def test_search_as_you_type(chromium, server):
    v = Visit(chromium, server, SIZES[0])
    try:
        v.sign_in("viewer")
        v.page.locator("#q").press_sequentially("氢能", delay=60)
        v.page.wait_for_selector("ol.results li")
        items = v.page.locator("ol.results li")
        assert items.count() >= 3
        assert "中试平台" in items.first.inner_text()
        v.page.screenshot(path=str(ARTIFACTS / "workspace" / "viewer-search-typing-1366x768.png"))
        items.first.locator("a").click()
        v.page.wait_for_url("**/org/*")
        assert v.page.locator("h1").inner_text()
        assert v.errors == [] and v.foreign == []
    finally:
        v.close()


def test_hostile_names_stay_text(chromium, tmp_path, tiny_rows, write_folder):
    rows = tiny_rows
    template = dict(rows["organizations"][0])
    rows["organizations"].append({**template, "id": "xss-1", "name": XSS_NAME, "sectors": "S_H2",
                                  "source": "synthetic test data <script>alert(3)</script>"})
    rows["relations"].append({"from_id": "xss-1", "relation": "TRANSFERS_TO", "to_id": "bj-pf-1",
                              "source": "synthetic test data"})
    folder = write_folder(rows, name="hostile")
    shutil.copy(TINY / "sectors.csv", Path(folder) / "sectors.csv")
    store = tmp_path / "store"
    jjjkg("build", "--data", folder, "--store", store)
    state = tmp_path / "state"
    add_accounts(state)
    srv = Server(store, state)
    v = Visit(chromium, srv, SIZES[0])
    try:
        v.sign_in("viewer")
        for path in ("/org/xss-1", "/org/bj-pf-1", "/?q=img"):
            v.page.goto(v.base + path)
            v.page.wait_for_load_state("networkidle")
            assert XSS_NAME in v.page.locator("body").inner_text()
        assert v.page.locator("img[src=x]").count() == 0
        assert v.errors == [] and v.foreign == []
    finally:
        v.close()
        srv.stop()
