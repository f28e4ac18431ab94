"""Fixtures for the view tests: graphs (tiny, hostile names, synthetic) and a headless Chromium.

The browser is Debian's ``/usr/bin/chromium`` driven by Playwright's Python package (no browser
download: ``playwright install`` is never run). Tests that need it are marked ``browser`` and skip,
with the reason, where the executable is missing; CI installs it, so there they run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("JJJKG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

#: names that would run script if a page ever treated data as markup
XSS_NAME = "<img src=x onerror=alert(1)>"
SCRIPT_NAME = "</script><script>alert(2)</script>"


def synthetic_rows(n_orgs: int, seed: int = 1) -> dict[str, list[dict]]:
    """A synthetic data folder's rows (labelled synthetic in ``source``): ``n_orgs`` organizations
    spread over the tiny sectors and the three provinces, with about 1.5 relations each."""
    import random

    rnd = random.Random(seed)
    kinds = [("platform", 0.15), ("enterprise", 0.45), ("university", 0.1), ("institute", 0.1), ("site", 0.1),
             ("park", 0.1)]
    provinces = [("北京", 39.9, 116.4), ("天津", 39.13, 117.2), ("河北", 38.04, 114.5)]
    sectors = ["S_H2", "S_BIO", "S_ROBOT", "S_IC"]
    orgs = []
    for i in range(n_orgs):
        t = rnd.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        prov, lat, lon = rnd.choice(provinces)
        with_coords = rnd.random() < 0.5
        orgs.append({"id": f"syn-{i}", "name": f"合成机构{i}号", "type": t, "province": prov,
                     "sectors": rnd.choice(sectors), "lat": f"{lat + rnd.uniform(-0.3, 0.3):.4f}" if with_coords else "",
                     "lon": f"{lon + rnd.uniform(-0.3, 0.3):.4f}" if with_coords else "",
                     "source": "synthetic test data"})
    by_type: dict[str, list[str]] = {}
    for o in orgs:
        by_type.setdefault(o["type"], []).append(o["id"])
    rels, seen = [], set()

    def add(a, rel, b):
        if a != b and (a, rel, b) not in seen:
            seen.add((a, rel, b))
            rels.append({"from_id": a, "relation": rel, "to_id": b, "source": "synthetic test data"})

    plats = by_type.get("platform", [])
    rnd_ids = by_type.get("university", []) + by_type.get("institute", []) + by_type.get("enterprise", [])
    ups = by_type.get("site", []) + by_type.get("park", [])
    for _ in range(int(n_orgs * 0.6)):
        if plats and rnd_ids:
            add(rnd.choice(rnd_ids), "TRANSFERS_TO", rnd.choice(plats))
    for _ in range(int(n_orgs * 0.4)):
        if plats and ups:
            add(rnd.choice(plats), "SCALES_UP_AT", rnd.choice(ups))
    ids = [o["id"] for o in orgs]
    for _ in range(int(n_orgs * 0.5)):
        add(rnd.choice(ids), "PARTNERS_WITH", rnd.choice(ids))
    return {"organizations": orgs, "relations": rels}


@pytest.fixture
def synthetic_graph(write_folder):
    """Build a synthetic graph of ``n`` organizations through the real loader."""
    import loaders
    from graph import build_graph

    def make(n: int, seed: int = 1):
        folder = write_folder(synthetic_rows(n, seed), name=f"synthetic-{n}-{seed}")
        shutil.copy(Path(__file__).resolve().parents[1] / "data" / "tiny" / "sectors.csv", folder / "sectors.csv")
        return build_graph(loaders.read_folder(folder))

    return make


@pytest.fixture
def hostile_graph(tiny_rows, write_folder):
    """The tiny graph plus organizations whose names are markup and a script end tag."""
    import loaders
    from graph import build_graph

    rows = tiny_rows
    template = dict(rows["organizations"][0])
    rows["organizations"] += [
        {**template, "id": "xss-1", "name": XSS_NAME, "name_en": "XSS <b>bold</b>", "sectors": "S_H2",
         "source": "synthetic test data \"quoted\" & <i>tagged</i>"},
        {**template, "id": "xss-2", "name": SCRIPT_NAME, "name_en": "", "sectors": "S_H2", "lat": "", "lon": ""},
    ]
    rows["relations"].append({"from_id": "xss-1", "relation": "TRANSFERS_TO", "to_id": "bj-pf-1", "year": "",
                              "weight": "", "source": "synthetic test data </script>"})
    return build_graph(loaders.read_folder(write_folder(rows, name="hostile")))


_shared: dict = {"playwright": None, "browser": None, "users": 0}


def launched_chromium():
    """Yield a headless Debian Chromium driven by Playwright, closed afterwards (skip the test without one).

    One Chromium for the whole process, shared by every fixture that asks while another still holds it:
    Playwright's synchronous API cannot be started a second time while it runs (the session's browser of
    the view tests is still up when a later module's fixture asks for one).
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (CI installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extra)")
    if _shared["users"] == 0:
        _shared["playwright"] = sync_api.sync_playwright().start()
        _shared["browser"] = _shared["playwright"].chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    _shared["users"] += 1
    try:
        yield _shared["browser"]
    finally:
        _shared["users"] -= 1
        if _shared["users"] == 0:
            _shared["browser"].close()
            _shared["playwright"].stop()
            _shared["browser"] = _shared["playwright"] = None


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    yield from launched_chromium()


class PageRun:
    """A page opened in Chromium, with what it logged and requested."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []

    def evaluate(self, js, arg=None):
        return self.page.evaluate(js, arg)


@pytest.fixture
def open_page(browser):
    """Open a local HTML file; every non-file request is aborted and recorded."""
    contexts = []

    def open_(path: Path, timeout_ms: int = 60_000) -> PageRun:
        ctx = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        contexts.append(ctx)
        page = ctx.new_page()
        run = PageRun(page)

        def on_route(route):
            url = route.request.url
            if url.startswith("file://"):
                route.continue_()
            else:
                run.requests.append(url)
                route.abort()

        ctx.route("**/*", on_route)
        page.on("request", lambda r: None if r.url.startswith("file://") else run.requests.append(r.url))
        page.on("console", lambda m: run.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: run.errors.append(str(e)))

        def on_dialog(d):
            run.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)
        page.goto(Path(path).resolve().as_uri())
        page.wait_for_function("() => !!(window.jjjkg && window.jjjkg.ready && window.jjjkg.stable)", timeout=timeout_ms)
        return run

    yield open_
    for c in contexts:
        c.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
