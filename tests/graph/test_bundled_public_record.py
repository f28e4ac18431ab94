"""The bundled dataset's second pass of the public record: each fact in with its source, the coverage true."""

from __future__ import annotations

import pytest

import loaders
import queries
from graph import build_graph

#: organization id → the address its row cites (second pass, 2026-12)
SECOND_PASS = {
    "EN_TJ_BLOOMAGE": "http://www.hbqyfw.cn/detail/176343020221820.html",
    "PF_TJ_BOHAI_FERMENT": "https://cn-ferment.com/news/show-15343.html",
    "EN_TJ_BOHAI_CHEM": "https://cn-ferment.com/news/show-15343.html",
    "PF_HB_BUCT_QHD_BIOMFG": "https://qhdyjy.buct.edu.cn/2024/0808/c4607a197364/page.htm",
    "PF_HB_XUANHUA_PILOT": "http://wenzhenmedia.cn/newsshow.php?cid=16&id=874",
    "PF_HB_ZX_MULTIPHASE": "http://nj.steelcn.cn/gcnewsinfor.aspx?id=c3b1746f-5c5e-6ff9-3249-d5877aa60160",
    "PF_HB_ZX_CNEUTRAL": "http://nj.steelcn.cn/gcnewsinfor.aspx?id=c3b1746f-5c5e-6ff9-3249-d5877aa60160",
    "PF_HB_ZX_GREENMET": "http://nj.steelcn.cn/gcnewsinfor.aspx?id=c3b1746f-5c5e-6ff9-3249-d5877aa60160",
    "EN_HB_ZXKJ": "http://nj.steelcn.cn/gcnewsinfor.aspx?id=c3b1746f-5c5e-6ff9-3249-d5877aa60160",
    "PF_CP_CGT_PILOT": "http://bj.people.com.cn/n2/2021/1216/c82840-35053239.html",
    "PF_DX_YAOGU1_PILOT": "https://neamco.com/01gmrb/2007-07/25/content_644892.htm",
    "EN_BJ_SHENGDA": "https://neamco.com/01gmrb/2007-07/25/content_644892.htm",
    "EN_BJ_TCT": "http://m.igdzc.com/city/jiaodian/0223/2377220.html",
    "ST_TJ_TCT_WQ": "http://m.igdzc.com/city/jiaodian/0223/2377220.html",
    "ST_TJ_HXT_CSAC": "http://www.melab.com.tw/uploads/xinwen.asp?p=tN.html",
    "EN_BJ_HXT": "http://www.melab.com.tw/uploads/xinwen.asp?p=tN.html",
    "IN_TJ_BIT_NEHPM": "https://daydaynews.cc/military/3961606.html",
    "IN_TJ_SDIC_BIOMFG": "https://daydaynews.cc/military/3961606.html",
}


@pytest.fixture(scope="module")
def bundled():
    return loaders.read_bundled()


def test_every_second_pass_row_is_in_with_its_source(bundled):
    orgs = bundled.organizations.set_index("id")
    for oid, url in SECOND_PASS.items():
        assert url in orgs.loc[oid, "source"], oid
    rels = bundled.relations
    urls = set(SECOND_PASS.values())
    new = rels[[any(u in str(src) for u in urls) for src in rels["source"]]]
    assert len(new) == 12 and new["source"].str.startswith("http").all()
    # a designation the source states for a platform already bundled, cited beside its first source
    assert orgs.loc["PF_TJ_BLOOMAGE_PILOT", "level"] == "national"
    assert SECOND_PASS["EN_TJ_BLOOMAGE"] in orgs.loc["PF_TJ_BLOOMAGE_PILOT", "source"]
    # the one the source only announces (大分子生物药中试平台, "近期也将陆续建成投用") stays out
    assert "PF_CP_BIOLOGICS_PILOT" not in orgs.index


def test_no_new_complete_path_and_the_coverage_line_counts_the_beijing_platforms(bundled, tmp_path):
    from viz.report import collect

    G = build_graph(bundled)
    assert [(p["rnd_id"], p["platform_id"], p["site_id"]) for p in queries.rd_scaleup_paths(G)] == [
        ("EN_LIANTAI", "PF_JJJ_NTIC", "PK_YANJIAO")]
    c = collect(bundled)
    n_bj = int(((bundled.organizations["type"] == "platform") & (bundled.organizations["province"] == "北京")).sum())
    assert c["coverage"]["beijing"] == n_bj == 16 and c["coverage"]["percent"] == round(100 * 16 / 146) == 11
