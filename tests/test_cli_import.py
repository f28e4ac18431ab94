"""``jjjkg import``: the plan changes nothing, apply is all or nothing, re-import is a no-op."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

ROWS = [
    ["天津市中试平台名单（2026年）", "", "", ""],
    ["序号", "平台名称", "依托单位", "所在区"],
    ["1", "样例细胞中试平台", "天津药物研究院有限公司", "滨海新区"],
    ["2", "样例芯片中试线", "样例芯片（天津）有限公司", "西青区"],
]


def _digest(store: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(store.rglob("*")):
        if p.is_file() and "falkordb" not in p.parts:
            h.update(str(p.relative_to(store)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def built(cli, store_path):
    code, _, err = cli("build", "--store", store_path)
    assert code == 0, err
    return store_path


@pytest.fixture
def gb_list(tmp_path):
    path = tmp_path / "名单.csv"
    with open(path, "w", encoding="gb18030", newline="") as f:
        csv.writer(f).writerows(ROWS)
    return path


def test_plan_only_changes_nothing(cli, built, gb_list, tmp_path):
    before = _digest(built)
    code, out, err = cli("import", gb_list, "--store", built, "--plan", tmp_path / "plan.csv")
    assert code == 0, err
    assert out.startswith(f"wrote the plan {tmp_path / 'plan.csv'}: 1 match, 3 new, 0 ambiguous; the store is unchanged")
    assert "columns used: 平台名称 → name, 依托单位 → operator, 所在区 → district" in err
    assert "columns ignored: 序号" in err
    assert _digest(built) == before
    plan = list(csv.DictReader((tmp_path / "plan.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [(p["row"], p["entity"], p["action"]) for p in plan] == [
        ("3", "platform", "new"), ("3", "operator", "match"), ("4", "platform", "new"), ("4", "operator", "new")]
    assert plan[1]["id"] == "EN_TJ_TJIPR"


def test_apply_then_reimport_is_a_noop(cli, built, gb_list):
    code, out, err = cli("import", gb_list, "--store", built, "--apply")
    assert code == 0, err
    assert out.startswith(f"applied to {built}: 3 organizations and 2 OPERATES relations added")
    after = _digest(built)
    code, out, err = cli("import", gb_list, "--store", built, "--apply")
    assert code == 0, err
    assert out.startswith("nothing to change: 4 match, 0 new, 0 ambiguous")
    assert _digest(built) == after
    from graph.store.falkordb import stop

    try:
        code, out, _ = cli("cypher", "MATCH (o)-[r:OPERATES]->(p:Platform {name: '样例细胞中试平台'}) "
                           "RETURN o.id AS o, p.province AS province, r.source AS source", "--format", "json",
                           "--store", built)
    finally:
        stop(built)  # the embedded server this test started
    import json

    [row] = json.loads(out)
    assert row == {"o": "EN_TJ_TJIPR", "province": "天津", "source": "天津市中试平台名单（2026年） (名单.csv, row 3)"}


def test_a_failed_apply_leaves_the_store_untouched(cli, built, gb_list, tmp_path):
    plan = tmp_path / "plan.csv"
    assert cli("import", gb_list, "--store", built, "--plan", plan)[0] == 0
    text = plan.read_text(encoding="utf-8-sig").replace("3,platform,样例细胞中试平台,new,", "3,platform,样例细胞中试平台,match,")
    text = text.replace(",match,PF_", ",match,PF_NOT_THERE_", 1)
    plan.write_text(text, encoding="utf-8-sig")
    before = _digest(built)
    code, out, err = cli("import", gb_list, "--store", built, "--plan", plan, "--apply")
    assert code == 1
    assert "plan.csv, row 2, column 'id': match 'PF_NOT_THERE_" in err  # the plan's line, where the edit is
    assert _digest(built) == before


def test_xlsx_sheet_and_province(cli, built, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "第二批"
    for r in [["园区企业名单"], ["企业名称", "统一社会信用代码", "类型"], ["样例园区企业", "91110108551385082Q", "企业"]]:
        ws.append(r)
    path = tmp_path / "list.xlsx"
    wb.save(path)
    code, _, err = cli("import", path, "--sheet", "第一批", "--store", built)
    assert code == 1 and "no sheet '第一批'; sheets in the workbook: '第二批'" in err
    plan = tmp_path / "p.csv"
    code, out, err = cli("import", path, "--sheet", "第二批", "--as", "organizations", "--store", built,
                         "--plan", plan)
    assert code == 0, err
    [line] = list(csv.DictReader(plan.read_text(encoding="utf-8-sig").splitlines()))
    assert (line["action"], line["id"]) == ("new", "EN_91110108551385082Q")  # province from the code's digits
    code, out, err = cli("import", path, "--as", "organizations", "--store", built, "--apply",
                         "--source", "样例园区 2026-01-05")
    assert code == 0, err
    assert "1 organizations" in out


def test_bad_province_and_missing_file(cli, built, gb_list):
    code, _, err = cli("import", gb_list, "--store", built, "--province", "上海")
    assert code == 1 and "expected 北京, 天津 or 河北" in err
    code, _, err = cli("import", "no-such.xlsx", "--store", built)
    assert code == 1 and "no-such.xlsx: no such file" in err


@pytest.mark.parametrize("apply", [(), ("--apply",)])
def test_a_mistyped_store_is_an_error_unless_new_store(cli, built, gb_list, tmp_path, apply):
    """A typo in --store must not take the rows into a new store no one reads (and report exit 0)."""
    typo = tmp_path / "stroe"
    before = _digest(built)
    code, out, err = cli("import", gb_list, "--store", typo, "--plan", tmp_path / "plan.csv", *apply)
    assert code == 1, out
    assert (f"Error: no store at {str(typo)!r} (named by --store): check the path, or pass --new-store to start a "
            "new store there from the bundled dataset and this list") in err
    assert not typo.exists() and not (tmp_path / "plan.csv").exists()
    assert _digest(built) == before
    code, out, err = cli("import", gb_list, "--store", typo, "--new-store", *(apply or ("--plan", tmp_path / "p.csv")))
    assert code == 0, err
    assert typo.exists() == bool(apply)
    assert out.startswith(f"applied to {typo}: " if apply else "wrote the plan ")


def test_the_briefing_names_the_lists_merged_in(cli, built, gb_list, tmp_path):
    """After an import the pack must not say only 'jjjkg 随附数据集': it names each list, its date and rows."""
    from datetime import date

    from openpyxl import load_workbook

    from viz.report import write_report

    assert cli("import", gb_list, "--store", built, "--apply")[0] == 0
    out = write_report(built, tmp_path / "pack")
    said = f"jjjkg 随附数据集；并入名单：天津市中试平台名单（2026年）（名单.csv，2 行，{date.today().isoformat()} 并入）"
    assert f"数据：{said}" in (out / "briefing.html").read_text(encoding="utf-8")
    ws = load_workbook(out / "workbook.xlsx")["概览"]
    assert ["数据来源", said] in [[c.value for c in row[:2]] for row in ws.iter_rows()]
    # a build from data starts again: no list is merged into it
    assert cli("build", "--store", built)[0] == 0
    assert "并入名单" not in (write_report(built, tmp_path / "pack2") / "briefing.html").read_text(encoding="utf-8")
