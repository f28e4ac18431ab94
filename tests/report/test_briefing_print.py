"""The briefing as its reader gets it: printed on A4 (nothing runs off the page), a short PDF with text on
every page, Chinese headers, no ids or English keys in the body. PNGs of every page are kept under
test-artifacts/report/ to look at."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from viz.report import write_report

from tests.viz.conftest import ARTIFACTS, CHROMIUM

from .conftest import bundled_tables  # noqa: F401

#: A4 minus the briefing's 12 mm side margins, in CSS pixels (96 per inch)
A4_CONTENT_PX = round((210 - 24) / 25.4 * 96)
#: the bundled data's PDF: a summary page, gaps, supply list, chain figures, annexes
MAX_PAGES = 12
HAN = re.compile(r"[\u4e00-\u9fff]")

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                   reason="pdftotext/pdftoppm not found: apt-get install poppler-utils "
                                          "(scripts/setup-system.sh installs it)")
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason=f"headless Chromium not found at {CHROMIUM} (apt-get install chromium)")


class _Briefing(HTMLParser):
    """Table headers, and the visible text of the body before the annex."""

    def __init__(self):
        super().__init__()
        self.headers: list[str] = []
        self.body: list[str] = []
        self._in_th = False
        self._skip = 0
        self._annex = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("id") == "annex":
            self._annex = True
        if tag in ("style", "title"):
            self._skip += 1
        if tag == "th":
            self._in_th = True
            self.headers.append("")

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._skip -= 1
        if tag == "th":
            self._in_th = False

    def handle_data(self, data):
        if self._in_th:
            self.headers[-1] += data
        if not self._skip and not self._annex:
            self.body.append(data)


def parse(html: str) -> _Briefing:
    p = _Briefing()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def long_names(tmp_path_factory):
    """The tiny data with names and a source far longer than a line, with no space to break at."""
    import loaders
    from tests.conftest import TINY, read_rows, write_csv

    folder = tmp_path_factory.mktemp("long")
    for name in ("organizations", "relations", "sectors", "services"):
        rows = read_rows(TINY / f"{name}.csv")
        for r in rows if name == "organizations" else ():
            if r["id"] == "bj-pf-1":
                r["name"] = "超长名称" * 40
            if r["id"] == "bj-ent-1":
                r["source"] = "https://example.invalid/" + "a" * 300
        write_csv(folder / f"{name}.csv", rows)
    return loaders.read_folder(folder)


@pytest.fixture(scope="module")
def bundled_pack(bundled_tables, tmp_path_factory):  # noqa: F811
    if not Path(CHROMIUM).exists():
        pytest.skip(f"headless Chromium not found at {CHROMIUM}")
    return write_report(bundled_tables, tmp_path_factory.mktemp("bundled") / "pack", since=bundled_tables, pdf=True)


# ----------------------------------------------------------------------------- the HTML


def _pack(which: str, request, tmp_path) -> tuple[object, Path]:
    """The tables and the pack (compared with itself, so the changes section is there too)."""
    if which == "bundled":
        return request.getfixturevalue("bundled_tables"), request.getfixturevalue("bundled_pack")
    tables = request.getfixturevalue({"tiny": "tiny_tables", "long": "long_names"}[which])
    return tables, write_report(tables, tmp_path / "pack", since=tables)


@pytest.mark.parametrize("which", ["tiny", "bundled"])
def test_every_table_header_is_chinese_and_the_body_names_no_ids(which, request, tmp_path):
    tables, out = _pack(which, request, tmp_path)
    p = parse((out / "briefing.html").read_text(encoding="utf-8"))
    assert p.headers and all(HAN.search(h) for h in p.headers), [h for h in p.headers if not HAN.search(h)]
    body = " ".join(p.body)
    ids = set(tables.organizations["id"]) | set(tables.sectors["id"])
    words = set(re.findall(r"[A-Za-z0-9_.:-]+", body))
    assert not ids & words, sorted(ids & words)[:10]
    english_keys = {"national", "municipal", "district", "none", "platform_id", "operator_ids", "sector_names",
                    "NO_COMPLETE_PATH", "DEAD_END_PLATFORM", "ORPHAN_RND", "SCALES_UP_AT", "TRANSFERS_TO"}
    assert not english_keys & words, sorted(english_keys & words)


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("which", ["tiny", "long", "bundled"])
def test_nothing_is_wider_than_a4_in_print(which, browser, request, tmp_path):  # noqa: F811
    _, out = _pack(which, request, tmp_path)
    ctx = browser.new_context(viewport={"width": A4_CONTENT_PX, "height": 1000})
    page = ctx.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
               else route.abort())
    page.goto((out / "briefing.html").as_uri())
    page.emulate_media(media="print")
    found = page.evaluate("""() => {
        const W = document.documentElement.clientWidth, bad = [];
        for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            const what = el.tagName + ' ' + (el.textContent || el.getAttribute('alt') || '').trim().slice(0, 30);
            if (r.right > W + 1 || r.left < -1) bad.push(what + ' right=' + Math.round(r.right));
            else if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && el.tagName !== 'HTML')
                bad.push(what + ' scrolls ' + el.scrollWidth + '>' + el.clientWidth);
        }
        return {W, docW: document.documentElement.scrollWidth, bad};
    }""")
    ctx.close()
    assert found["W"] == A4_CONTENT_PX
    assert found["docW"] <= A4_CONTENT_PX and found["bad"] == [], found["bad"][:10]


@pytest.mark.browser
@needs_chromium
def test_screenshots_of_the_briefing(bundled_pack, browser):  # noqa: F811
    """Keep what a reader sees on a laptop and on a wide screen (test-artifacts/report/)."""
    target = ARTIFACTS / "report"
    target.mkdir(parents=True, exist_ok=True)
    for w, h in ((1366, 768), (1920, 1080)):
        ctx = browser.new_context(viewport={"width": w, "height": h})
        page = ctx.new_page()
        page.goto((bundled_pack / "briefing.html").as_uri())
        shot = target / f"briefing-{w}x{h}.png"
        page.screenshot(path=str(shot), full_page=False)
        text = page.inner_text("body")
        ctx.close()
        assert shot.stat().st_size > 20_000
        assert "各产业链一览" in text and "2030" in text


# ----------------------------------------------------------------------------- the PDF


def _pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _page_text(pdf: Path, i: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.browser
@needs_chromium
@needs_poppler
def test_pdf_is_short_and_every_page_has_text(bundled_pack, bundled_tables):  # noqa: F811
    pdf = bundled_pack / "briefing.pdf"
    n = _pdf_pages(pdf)
    assert 4 <= n <= MAX_PAGES, n
    first = _page_text(pdf, 1)
    n_bj = int(((bundled_tables.organizations["type"] == "platform")
                & (bundled_tables.organizations["province"] == "北京")).sum())
    squeezed = re.sub(r"\s+", "", first)
    for words in ("各产业链一览", "2030年目标", f"收录北京中试平台{n_bj}家，数量相当于北京已认定146家的{round(100 * n_bj / 146)}%",
                  "自上次会商以来", f"第1页/共{n}页"):
        assert words in squeezed, words
    for i in range(1, n + 1):
        text = re.sub(r"第\s*\d+\s*页\s*/\s*共\s*\d+\s*页", "", _page_text(pdf, i))
        assert len(HAN.findall(text)) >= 4, f"page {i} has no text but its page number"
    target = ARTIFACTS / "report"
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("briefing-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(target / "briefing-page")], check=True)
    assert len(list(target.glob("briefing-page-*.png"))) == n


# ----------------------------------------------------------------------------- the chain figures on paper


def _chars(pdf: Path) -> list[list[tuple]]:
    """Per page, every character drawn: (text, size in pt, x0, y0, x1, y1), read by pdfminer."""
    import logging

    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # Chromium's fonts lack a FontBBox; harmless

    def walk(o, out):
        if isinstance(o, LTChar):
            out.append((o.get_text(), o.size, o.x0, o.y0, o.x1, o.y1))
        elif hasattr(o, "__iter__"):
            for x in o:
                walk(x, out)
        return out

    return [walk(page, []) for page in extract_pages(str(pdf))]


@pytest.mark.browser
@needs_chromium
def test_no_text_in_the_printed_pack_is_smaller_than_7pt_and_figure_names_never_overlap(bundled_pack):
    pages = _chars(bundled_pack / "briefing.pdf")
    sizes = [c[1] for page in pages for c in page if c[0].strip()]
    assert min(sizes) >= 7.0, min(sizes)
    figure_pages = [i for i, page in enumerate(pages) if "图旁" in "".join(c[0] for c in page)]
    assert figure_pages  # the chain figures print their text as text, so it is measured too
    for i in figure_pages:
        # letters and ideographs (a full-width bracket's box is an em, its advance half: pairs like "）。" touch)
        chars = sorted((c for c in pages[i] if c[0].isalnum()), key=lambda c: c[2])
        for a, ca in enumerate(chars):
            for cb in chars[a + 1:]:
                if cb[2] >= ca[4]:
                    break  # sorted by left edge: nothing further can overlap ca
                w = min(ca[4], cb[4]) - max(ca[2], cb[2])
                h = min(ca[5], cb[5]) - max(ca[3], cb[3])
                assert w <= 0.25 * (ca[4] - ca[2]) or h <= 0.25 * (ca[5] - ca[3]), (i + 1, ca, cb)


def test_chain_figures_label_what_matters_and_list_the_rest(bundled_tables):  # noqa: F811
    from graph import build_graph
    from viz.figures import PRINT_MAX_HEIGHT_MM, PRINT_MIN_PT, chain_print_figure

    G = build_graph(bundled_tables)
    for sid in G.sector_ids(kind="chain"):
        fig = chain_print_figure(G, sid)
        assert fig["height_mm"] <= PRINT_MAX_HEIGHT_MM  # half an A4 page with its heading
        labelled = set(fig["labelled"])
        platforms = {n for n in G.orgs(label="Platform", sector=sid)}
        assert platforms <= labelled, sid  # every platform of the chain is named in its figure
        listed = {name for r in fig["rest"] for name in r["names"]}
        named = {G.nodes[n]["name"] for n in labelled}
        assert not listed & named  # each organization once: in the figure or beside it
        sizes = [float(x) for x in re.findall(r"font-size:\s*([\d.]+)px", fig["svg"])]
        assert sizes and min(sizes) >= PRINT_MIN_PT  # the SVG's user unit is the point (its viewBox is in pt)
