"""The JSON API of contract §5 answers as the command line does; bad input is a 4xx in Chinese."""

from __future__ import annotations

import json

import pytest

from .conftest import jjjkg

#: one call per analysis, with parameters where it has them
CALLS = [
    ("rd-scaleup-paths", {}), ("rd-scaleup-paths", {"province": "河北"}),
    ("alliance-gaps", {"sector": "CH_H2"}), ("alliance-gaps", {}),
    ("brokers", {"limit": "5"}), ("partner-candidates", {"platform": "PF_JJJ_NTIC", "limit": "5"}),
    ("platform-scorecard", {}), ("sector-coverage", {"province": "天津"}),
    ("subsidy-estimate", {"kind": "new"}), ("supply-demand", {"top": "2"}), ("supply-list", {"province": "北京"}),
    ("targets-2030", {}),
]


def test_search_finds_a_hydrogen_platform(clients, server):
    hits = clients["viewer"].get(server.url + "api/search", params={"q": "氢能"}, timeout=30).json()
    assert 0 < len(hits) <= 20
    assert set(hits[0]) == {"id", "name", "type", "province"}
    assert all("氢能" in h["name"] for h in hits)
    assert hits[0]["type"] == "platform"  # platforms first among equally good matches


def test_search_by_id_and_full_width_brackets(clients, server):
    s = clients["viewer"]
    assert s.get(server.url + "api/search", params={"q": "PF_JJJ_NTIC"}, timeout=30).json()[0]["id"] == "PF_JJJ_NTIC"
    assert s.get(server.url + "api/search", params={"q": "x" * 101}, timeout=30).status_code == 400
    assert s.get(server.url + "api/search", params={"q": ""}, timeout=30).json() == []


def test_organization_answer(clients, server):
    org = clients["viewer"].get(server.url + "api/organizations/PF_JJJ_NTIC", timeout=30).json()
    assert org["id"] == "PF_JJJ_NTIC" and org["type"] == "platform" and org["province"] == "北京"
    assert {"sectors", "relations", "paths", "gaps"} <= set(org)
    cli = json.loads(jjjkg("query", "rd-scaleup-paths", "--format", "json", "--store", server.store).stdout)
    assert org["paths"] == [p for p in cli if "PF_JJJ_NTIC" in (p["rnd_id"], p["platform_id"], p["site_id"])]
    assert org["paths"]  # the one complete path of the bundled data runs through this centre
    assert any(r["type"] == "SCALES_UP_AT" and r["id"] == "PK_YANJIAO" for r in org["relations"])
    r = clients["viewer"].get(server.url + "api/organizations/NO_SUCH_ID", timeout=30)
    assert r.status_code == 404 and "NO_SUCH_ID" in r.json()["error"]


def test_analyses_list_is_the_registry(clients, server):
    listed = clients["viewer"].get(server.url + "api/analyses", timeout=30).json()
    cli = [line.split(" — ")[0] for line in jjjkg("query", "--list", "--store", server.store).stdout.splitlines()]
    assert [a["name"] for a in listed] == sorted(cli)
    assert all({"name", "title", "parameters"} <= set(a) for a in listed)


@pytest.mark.parametrize("name,params", CALLS, ids=[f"{n}-{'-'.join(p)}" for n, p in CALLS])
def test_analysis_equals_the_command_line(clients, server, name, params):
    got = clients["viewer"].get(server.url + f"api/analyses/{name}", params=params, timeout=120)
    assert got.status_code == 200, got.text
    args = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    cli = json.loads(jjjkg("query", name, *args, "--format", "json", "--store", server.store).stdout)
    assert got.json() == cli


def test_bad_parameters_are_400_in_chinese(clients, server):
    s = clients["viewer"]
    for path, params in [("api/analyses/rd-scaleup-paths", {"nope": "1"}), ("api/analyses/brokers", {"limit": "abc"}),
                         ("api/analyses/subsidy-estimate", {"kind": "bogus"})]:
        r = s.get(server.url + path, params=params, timeout=30)
        assert r.status_code == 400 and r.json()["error"].startswith("参数有误"), (path, r.text)
    assert s.get(server.url + "api/analyses/no-such-analysis", timeout=30).status_code == 404
    many = "&".join(f"k{i}=v" for i in range(10_000))
    r = s.get(server.url + "api/analyses/rd-scaleup-paths?" + many, timeout=60)
    assert r.status_code == 400
    r = s.get(server.url + "analyses/rd-scaleup-paths?" + many, timeout=60)
    assert r.status_code == 400 and "请求有误" in r.text


def test_csv_download_equals_the_command_line_with_bom(clients, server, tmp_path):
    r = clients["analyst"].get(server.url + "analyses/alliance-gaps/download.csv", params={"sector": "CH_H2"},
                               timeout=60)
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    assert "attachment" in r.headers["Content-Disposition"]
    out = tmp_path / "gaps.csv"
    import subprocess
    import sys

    with open(out, "w") as f:
        subprocess.run([sys.executable, "-m", "jjjkg", "query", "alliance-gaps", "--param", "sector=CH_H2",
                        "--format", "csv", "--store", str(server.store)], stdout=f, check=True)
    assert r.content == out.read_bytes()


def test_xlsx_download_names_the_account(clients, server, tmp_path):
    from openpyxl import load_workbook

    r = clients["analyst"].get(server.url + "analyses/supply-list/download.xlsx", timeout=60)
    assert r.status_code == 200
    path = tmp_path / "x.xlsx"
    path.write_bytes(r.content)
    ws = load_workbook(path).active
    assert "analyst" in ws.oddHeader.center.text and "analyst" in ws["A2"].value
    assert ws["A3"].value == "platform_id"


def test_unknown_organization_page_is_a_chinese_404(clients, server):
    r = clients["viewer"].get(server.url + "org/%3Cscript%3Ealert(1)%3C%2Fscript%3E", timeout=30)
    assert r.status_code == 404 and "未找到" in r.text and "<script>alert" not in r.text
