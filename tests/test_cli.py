"""The command line, as a user types it: outputs, help, exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from viz.records_text import display_width


@pytest.fixture
def tiny_store(cli, store_path):
    code, out, err = cli("build", "--data", "tests/data/tiny", "--store", store_path)
    assert code == 0, err
    return store_path


def test_build_prints_a_summary(cli, store_path):
    code, out, err = cli("build", "--data", "tests/data/tiny", "--store", store_path)
    assert code == 0
    assert out.splitlines()[1] == ("organizations: 17  relations: 19  sectors: 6  services: 3  nodes: 244  "
                                   "edges: 271")
    assert "2 warnings (kept, but check):" in err
    assert "relations.csv, row 4: same relation as row 3; merged into it" in err


def test_query_json_is_the_contract(cli, tiny_store):
    code, out, _ = cli("query", "rd-scaleup-paths", "--format", "json", "--store", tiny_store,
                       "--param", "sector=S_BIO")
    assert code == 0
    assert json.loads(out) == [{"rnd_id": "bj-inst-1", "platform_id": "bj-pf-2", "site_id": "hb-site-1",
                                "sectors": ["S_BIO"]}]


def test_query_json_keeps_chinese_unescaped(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default store, built from the bundled dataset
    monkeypatch.delenv("JJJKG_STORE", raising=False)
    code, out, _ = cli("query", "alliance-gaps", "--format", "json")
    assert code == 0
    assert "\\u" not in out
    assert {r["gap"] for r in json.loads(out)} >= {"NO_COMPLETE_PATH"}


def test_query_csv(cli, tiny_store):
    code, out, _ = cli("query", "alliance-gaps", "--format", "csv", "--store", tiny_store, "--param", "sector=S_H2")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [["sector", "gap", "entity_id"], ["S_H2", "SINGLE_POINT", "bj-pf-1"],
                    ["S_H2", "NOT_IN_ALLIANCE", "bj-ent-1"], ["S_H2", "NOT_IN_ALLIANCE", "hb-park-1"]]


def test_table_puts_names_beside_ids_aligned(cli, tiny_store):
    code, out, _ = cli("query", "rd-scaleup-paths", "--store", tiny_store)
    lines = out.splitlines()
    assert lines[0].split() == ["rnd_id", "研发主体", "platform_id", "中试平台", "site_id", "量产承接", "sectors"]
    assert "样例氢能中试平台" in lines[2]
    # every column starts at the same display position on every row
    start = display_width(lines[0][: lines[0].index("platform_id")])
    for line in lines[2:-1]:
        assert display_width(line[: line.index("bj-pf-")]) == start
    assert lines[-1] == "(5 rows)"


def test_query_list(cli):
    code, out, _ = cli("query", "--list")
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("rd-scaleup-paths — R&D in Beijing → pilot platform in Beijing") for line in lines)
    assert any(line.startswith("alliance-gaps — ") for line in lines)


def test_show_cypher(cli):
    code, out, _ = cli("query", "rd-scaleup-paths", "--show-cypher", "--param", "province=河北")
    assert code == 0
    assert out.startswith("// :param province => '河北'\nMATCH (p:Platform)\nWHERE p.province = '北京'")


@pytest.mark.parametrize("argv, message", [
    (["query", "no-such"], "Error: no analysis named 'no-such'; the analyses are: alliance-gaps, brokers, "
                           "partner-candidates, platform-scorecard, rd-scaleup-paths, sector-coverage, subsidy-estimate, "
                           "supply-demand, supply-list, targets-2030 (jjjkg query --list)"),
    (["query", "rd-scaleup-paths", "--param", "province"], "Error: --param 'province': expected KEY=VALUE"),
    (["query", "rd-scaleup-paths", "--param", "x=1"],
     "Error: rd-scaleup-paths has no parameter 'x'; its parameters: sector, province"),
    (["query", "rd-scaleup-paths", "--param", "province=上海"], "Error: province: expected 天津 or 河北, got '上海'"),
    (["query"], "Error: name an analysis"),
])
def test_user_mistakes_exit_1_with_one_line(cli, tiny_store, argv, message):
    code, out, err = cli(*argv, "--store", tiny_store)
    assert code == 1
    assert err.startswith(message)
    assert "Traceback" not in err


def test_missing_default_store_is_built_from_bundled_data(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JJJKG_STORE", raising=False)
    code, out, err = cli("query", "rd-scaleup-paths", "--format", "json")
    assert code == 0
    assert "no store at .jjjkg; building it from the bundled dataset first" in err
    assert (tmp_path / ".jjjkg" / "meta.json").exists()
    # the bundled facts hold one documented complete path (see graph/data/bundled/README.md)
    assert json.loads(out) == [{"rnd_id": "EN_LIANTAI", "platform_id": "PF_JJJ_NTIC", "site_id": "PK_YANJIAO",
                                "sectors": ["IND_NGIT"]}]


def test_store_from_environment(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("JJJKG_STORE", str(tmp_path / "envstore"))
    assert cli("build", "--data", "tests/data/tiny")[0] == 0
    assert (tmp_path / "envstore" / "meta.json").exists()


def test_usage_error_exits_2(cli):
    with pytest.raises(SystemExit) as exit_:
        cli("query", "--format", "xml")
    assert exit_.value.code == 2


def test_help_teaches_by_example():
    out = subprocess.run([sys.executable, "-m", "jjjkg", "--help"], capture_output=True, text=True, check=True,
                         encoding="utf-8").stdout
    assert "examples:" in out and "jjjkg query rd-scaleup-paths --param province=河北" in out
    for sub in ("build", "query", "cypher", "viz", "export", "report", "generate"):
        sub_help = subprocess.run([sys.executable, "-m", "jjjkg", sub, "--help"], capture_output=True, text=True,
                                  check=True, encoding="utf-8").stdout
        assert "example" in sub_help, sub


def test_generate_is_deterministic_and_labelled(cli, tmp_path):
    assert cli("generate", "--orgs", "60", "--seed", "4", "--out", tmp_path / "a")[0] == 0
    assert cli("generate", "--orgs", "60", "--seed", "4", "--out", tmp_path / "b")[0] == 0
    for name in ("organizations.csv", "relations.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    with open(tmp_path / "a" / "organizations.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 60 and all("synthetic" in r["source"] and r["name"].startswith("合成") for r in rows)
    code, out, err = cli("build", "--data", tmp_path / "a", "--store", tmp_path / "s")
    assert code == 0, err


@pytest.mark.parametrize("value", ["S_H2;S_BIO", "S_H2；S_BIO", "S_H2，S_BIO", "S_H2, S_BIO", "氢能、S_BIO"])
def test_several_sectors_with_any_separator_run_in_turn(cli, tiny_store, value):
    """A full-width comma is read as the separator the user meant, never as part of one id."""
    def gaps(v):
        code, out, err = cli("query", "alliance-gaps", "--format", "json", "--store", tiny_store, "--param",
                             f"sector={v}")
        assert code == 0, err
        return json.loads(out)

    assert gaps(value) == gaps("S_H2") + gaps("S_BIO")


def test_an_unknown_sector_among_several_says_how_to_separate(cli, tiny_store):
    code, _, err = cli("query", "alliance-gaps", "--store", tiny_store, "--param", "sector=S_H2，S_NOPE")
    assert code == 1
    assert "Error: no sector 'S_NOPE'; sector ids: " in err and "(in 'S_H2，S_NOPE': separate ids with ;)" in err
