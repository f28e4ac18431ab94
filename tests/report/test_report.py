"""The meeting pack: a self-contained, escaped, printable briefing; a workbook with Chinese intact; the diff."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from graph.errors import MissingDependency
from viz.report import SHEETS, diff_stores, write_report

from .conftest import HOSTILE

CHROMIUM = os.environ.get("JJJKG_CHROMIUM", "/usr/bin/chromium")


class _Refs(HTMLParser):
    """Every URL-bearing attribute and every tag of a page."""

    def __init__(self):
        super().__init__()
        self.refs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for k, v in attrs:
            if k in ("href", "src", "action", "srcset", "poster", "data") and v is not None:
                self.refs.append(v)


def refs_of(html: str) -> _Refs:
    p = _Refs()
    p.feed(html)
    return p


@pytest.fixture
def pack(tiny_tables, tmp_path):
    return write_report(tiny_tables, tmp_path / "pack")


# ----------------------------------------------------------------------------- the briefing


def test_pack_holds_briefing_workbook_and_chain_views(pack):
    names = {p.name for p in pack.iterdir()}
    assert {"briefing.html", "workbook.xlsx"} <= names
    html = (pack / "briefing.html").read_text(encoding="utf-8")
    for heading in ("各产业链一览", "各产业链断点", "主要链路", "中试平台供给清单", "产业链图", "数据来源"):
        assert heading in html


def test_briefing_is_self_contained_and_offline(pack):
    html = (pack / "briefing.html").read_text(encoding="utf-8")
    r = refs_of(html)
    assert not {"script", "link", "iframe", "object", "embed", "base"} & r.tags
    for ref in r.refs:
        # in-page anchors, the pack's own chain views, embedded figures; never a network address
        assert ref.startswith(("#", "chains/", "data:image/png;base64,", "data:image/svg+xml;base64,")), ref
        if ref.startswith("data:image/svg+xml;base64,"):  # a figure drawn as SVG: nothing in it loads or runs
            import base64

            svg = base64.b64decode(ref.split(",", 1)[1]).decode("utf-8")
            assert "<script" not in svg and "<!DOCTYPE" not in svg and "<image" not in svg and "<foreignObject" not in svg
            assert not re.search(r'href="(?!#)', svg)  # only references to its own markers
    assert "@import" not in html and "url(" not in html
    assert "@media print" in html and "page-break-before" in html


def test_briefing_shows_date_fingerprint_and_figures(tiny_tables, pack):
    html = (pack / "briefing.html").read_text(encoding="utf-8")
    assert tiny_tables.fingerprint()[:12] in html
    assert "样例氢能中试平台" in html  # a path's platform, named
    assert "2030" in html and "国家级" in html and "市级" in html
    # tiny: S_H2 has complete paths through one platform → amber; S_ROBOT has no Beijing platform → red
    assert '<tr><td>氢能</td><td class="c"><span class="light amber">黄</span></td>' in html
    assert '<tr><td>机器人</td><td class="c"><span class="light red">红</span></td>' in html


def test_hostile_strings_are_escaped_in_the_briefing(hostile_tables, tmp_path):
    out = write_report(hostile_tables, tmp_path / "pack")
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#39;}) DETACH DELETE n //" in html
    assert "script" not in refs_of(html).tags


def test_missing_analyses_leave_a_clear_note(pack):
    import queries

    html = (pack / "briefing.html").read_text(encoding="utf-8")
    if "supply-demand" not in queries.QUERIES:
        assert "供需匹配需要“supply-demand”分析（措施9），该分析尚未加入 jjjkg" in html


# ----------------------------------------------------------------------------- the workbook


def test_workbook_opens_with_chinese_sheets_and_headers(pack, tiny_graph):
    import openpyxl

    import queries

    wb = openpyxl.load_workbook(pack / "workbook.xlsx")
    assert wb.sheetnames[:len(SHEETS)] == list(SHEETS)
    orgs = wb["组织"]
    assert [c.value for c in orgs[1]][:4] == ["编号", "名称", "英文名称", "类型"]
    assert orgs.freeze_panes == "A2" and orgs.auto_filter.ref.startswith("A1:")
    names = {row[1] for row in orgs.iter_rows(min_row=2, values_only=True)}
    assert "样例氢能中试平台" in names and "样例沧州基地" in names
    paths = wb["路径"]
    assert [c.value for c in paths[1]][:2] == ["研发主体编号", "研发主体"]
    assert paths.max_row - 1 == len(queries.rd_scaleup_paths(tiny_graph))  # one row per complete path
    gaps = {(r[0], r[3], r[5]) for r in wb["断点"].iter_rows(min_row=2, values_only=True)}
    assert ("S_BIO", "DEAD_END_PLATFORM", "bj-pf-3") in gaps
    assert orgs.column_dimensions["B"].width >= 14  # a Chinese name column is wide enough


def test_workbook_keeps_formulas_out(hostile_tables, tmp_path):
    import openpyxl

    out = write_report(hostile_tables, tmp_path / "pack")
    wb = openpyxl.load_workbook(out / "workbook.xlsx")
    cells = {row[0].value: row[1] for row in wb["组织"].iter_rows(min_row=2)}
    formula_like = cells["tj-site-1"]
    assert formula_like.value == HOSTILE["tj-site-1"] and formula_like.data_type == "s"
    assert cells["bj-pf-1"].value == HOSTILE["bj-pf-1"]


def test_sheet_of_an_analysis_not_yet_written_says_so(pack):
    import openpyxl

    import queries

    wb = openpyxl.load_workbook(pack / "workbook.xlsx")
    if "supply-demand" not in queries.QUERIES:
        assert wb["供需匹配"]["A1"].value.startswith("供需匹配需要“supply-demand”分析")


# ----------------------------------------------------------------------------- what changed


@pytest.fixture
def changed_tables(tiny_rows, write_folder):
    """The tiny data a month later: one org gone, one added, one moved, one path cut."""
    import loaders

    rows = tiny_rows
    rows["organizations"] = [r for r in rows["organizations"] if r["id"] != "bj-inst-2"]
    rows["organizations"].append({"id": "hb-site-2", "name": "样例保定基地", "type": "site", "province": "河北",
                                  "city": "保定", "sectors": "S_ROBOT", "source": "synthetic test data"})
    for r in rows["organizations"]:
        if r["id"] == "bj-pf-3":
            r["level"] = "municipal"
    rows["relations"] = [r for r in rows["relations"]
                         if not (r["from_id"] == "bj-pf-2" and r["to_id"] == "hb-site-1")]
    return loaders.read_folder(write_folder(rows, "new"))


def test_diff_lists_what_changed(tiny_tables, changed_tables):
    d = diff_stores(tiny_tables, changed_tables)
    assert d["orgs_added"] == ["hb-site-2"]
    assert d["orgs_removed"] == ["bj-inst-2"]
    assert [(c["id"], c["fields"]) for c in d["orgs_changed"]] == [("bj-pf-3", ["level"])]
    assert d["relations_removed"] == [("bj-pf-2", "SCALES_UP_AT", "hb-site-1")]
    assert d["relations_added"] == []
    assert d["paths_lost"] == [("bj-inst-1", "bj-pf-2", "hb-site-1")]  # tj-uni-1 is no Beijing R&D
    assert d["paths_gained"] == []
    assert ("S_BIO", "NO_COMPLETE_PATH", None) in d["gaps_opened"]
    assert ("S_BIO", "ORPHAN_RND", "bj-inst-2") in d["gaps_closed"]


def test_report_since_adds_the_changes(tiny_tables, changed_tables, tmp_path):
    import openpyxl

    out = write_report(changed_tables, tmp_path / "pack", since=tiny_tables)
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert "自上次会商以来的变化" in html and "样例保定基地" in html and "样例孤立研究院" in html
    wb = openpyxl.load_workbook(out / "workbook.xlsx")
    rows = list(wb["变化"].iter_rows(min_row=2, values_only=True))
    assert ("新增机构", "样例保定基地", "生产基地", "河北", None, "hb-site-2") in rows


def test_cli_report_and_diff(cli, tmp_path, tiny_rows, write_folder):
    old, new = tmp_path / "old", tmp_path / "new"
    assert cli("build", "--data", "tests/data/tiny", "--store", old)[0] == 0
    rows = dict(tiny_rows)
    rows["organizations"] = [r for r in rows["organizations"] if r["id"] != "bj-inst-2"]
    assert cli("build", "--data", write_folder(rows, "d2"), "--store", new)[0] == 0
    code, out, err = cli("report", "--out", tmp_path / "pack", "--store", new, "--since", old)
    assert code == 0, err
    assert out.startswith(f"wrote {tmp_path / 'pack'}: briefing.html, workbook.xlsx")
    code, out, err = cli("diff", old, new)
    assert code == 0, err
    assert "organizations removed: 1\n  bj-inst-2\n" in out
    code, out, _ = cli("diff", old, new, "--format", "json")
    import json

    assert json.loads(out)["orgs_removed"] == ["bj-inst-2"]


def test_report_on_the_bundled_dataset(bundled_tables, tmp_path):
    import openpyxl

    out = write_report(bundled_tables, tmp_path / "pack")
    wb = openpyxl.load_workbook(out / "workbook.xlsx")
    assert wb["组织"].max_row - 1 == len(bundled_tables.organizations)
    html = (out / "briefing.html").read_text(encoding="utf-8")
    for ref in refs_of(html).refs:
        assert ref.startswith(("#", "chains/", "data:image/png;base64,", "data:image/svg+xml;base64,")), ref
        if ref.startswith("data:image/svg+xml;base64,"):  # a figure drawn as SVG: nothing in it loads or runs
            import base64

            svg = base64.b64decode(ref.split(",", 1)[1]).decode("utf-8")
            assert "<script" not in svg and "<!DOCTYPE" not in svg and "<image" not in svg and "<foreignObject" not in svg
            assert not re.search(r'href="(?!#)', svg)  # only references to its own markers


# ----------------------------------------------------------------------------- in a real browser


def test_pdf_without_chromium_says_what_to_install(tiny_tables, tmp_path, monkeypatch):
    monkeypatch.setenv("JJJKG_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(MissingDependency) as err:
        write_report(tiny_tables, tmp_path / "pack", pdf=True)
    assert str(err.value) == ("--pdf needs headless Chromium: install it (Debian: apt-get install chromium) "
                              "or point JJJKG_CHROMIUM at the browser")


needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason=f"headless Chromium not found at {CHROMIUM} (apt-get install chromium)")


@pytest.mark.browser
@needs_chromium
def test_briefing_renders_in_chromium(pack):
    from viz.report import chromium_command

    with tempfile.TemporaryDirectory() as profile:
        cmd = chromium_command(CHROMIUM, "--dump-dom", (pack / "briefing.html").resolve().as_uri(), profile=profile)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    dom = proc.stdout
    assert "京津冀中试生态 会商简报" in dom and "样例氢能中试平台" in dom
    assert 'class="light amber"' in dom


@pytest.mark.browser
@needs_chromium
def test_pdf_is_printed(tiny_tables, tmp_path, monkeypatch):
    monkeypatch.setenv("JJJKG_CHROMIUM", CHROMIUM)
    out = write_report(tiny_tables, tmp_path / "pack", pdf=True)
    pdf = (out / "briefing.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 3  # one section per page


# ----------------------------------------------------------------------------- the chain figures and the demo


def test_briefing_embeds_a_figure_per_chain(tiny_tables, tiny_graph, tmp_path):
    from viz.figures import cjk_font_path

    try:
        cjk_font_path()
    except MissingDependency as err:
        pytest.skip(f"{err} (scripts/setup-system.sh installs it)")
    out = write_report(tiny_tables, tmp_path / "pack")
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert html.count('<img class="chain-figure" src="data:image/svg+xml;base64,') == len(
        tiny_graph.sector_ids(kind="chain"))


def test_without_a_cjk_font_the_briefing_says_so_once_in_chinese(tiny_tables, tmp_path, monkeypatch, caplog):
    from viz.report.briefing import FONT_MISSING_ZH

    monkeypatch.setenv("JJJKG_CJK_FONT", str(tmp_path / "no-such-font.ttc"))
    warnings: list[str] = []
    with caplog.at_level("DEBUG"):
        out = write_report(tiny_tables, tmp_path / "pack", warn=warnings.append)
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert html.count(FONT_MISSING_ZH) == 1 and "chain-figure" not in html.split("</style>")[1]
    assert "CJK font" not in html and "not a file" not in html  # no English instruction in the briefing
    assert len(warnings) == 1 and warnings[0].startswith("the briefing's chain figures are left out")
    assert "no-such-font.ttc" in warnings[0]
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]


def test_cli_report_warns_once_on_the_console(cli, tmp_path, monkeypatch):
    store = tmp_path / "store"
    assert cli("build", "--data", "tests/data/tiny", "--store", store)[0] == 0
    monkeypatch.setenv("JJJKG_CJK_FONT", str(tmp_path / "no-such-font.ttc"))
    code, out, err = cli("report", "--out", tmp_path / "pack", "--store", store)
    assert code == 0, err
    assert err.count("warning: the briefing's chain figures are left out") == 1 and "findfont" not in err


def test_demo_writes_excel_safe_csv_and_the_pack(tmp_path):
    import loaders
    from graph.store import save_store
    from jjjkg import demo

    store = tmp_path / "store"
    save_store(loaders.read_folder("tests/data/tiny"), store)
    assert demo.main(["--out", str(tmp_path / "out"), "--store", str(store)]) == 0
    csv = (tmp_path / "out" / "analyses" / "supply-list.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbfplatform_id,")
    assert "样例氢能中试平台".encode() in csv
    assert (tmp_path / "out" / "pack" / "briefing.html").exists() and (tmp_path / "out" / "pack" / "workbook.xlsx").exists()
