"""``jjjkg import`` against hostile lists and hostile edited plans: refused with file, row and column;
no plan written for a refused list, the store untouched by a refused plan."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pytest

from tests.test_cli_import import ROWS, _digest, built, gb_list  # noqa: F401 (fixtures)

HEADER = ["序号", "平台名称", "依托单位", "所在区"]


def _csv(path: Path, rows, encoding="utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _xlsx(path: Path, rows) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def _plan_only(cli, tmp_path, path):
    """Import ``path`` against the bundled data (a new store): code, out, err, and whether a plan was written."""
    plan = tmp_path / "plan.csv"
    code, out, err = cli("import", path, "--store", tmp_path / "no-store", "--new-store", "--plan", plan)
    return code, out, err, plan.exists()


def _rewrite(src: Path, dst: Path, part: str, edit) -> Path:
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            data = a.read(info)
            b.writestr(info, edit(data) if info.filename == part else data, compress_type=zipfile.ZIP_DEFLATED,
                       compresslevel=9)
    return dst


# ----------------------------------------------------------------------------- hostile lists


def test_xlsx_zip_bomb_is_refused_before_it_inflates(cli, tmp_path):
    good = _xlsx(tmp_path / "good.xlsx", ROWS)
    bomb = _rewrite(good, tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml",
                    lambda d: d.replace(b"<sheetData>", b"<sheetData>" + b" " * 50_000_000))
    assert bomb.stat().st_size < 200_000
    code, _, err, wrote = _plan_only(cli, tmp_path, bomb)
    assert code == 1 and not wrote
    assert "bomb.xlsx: part 'xl/worksheets/sheet1.xml' would inflate from " in err
    assert "Traceback" not in err


def test_xlsx_entity_expansion_in_a_sheet_is_refused(cli, tmp_path):
    good = _xlsx(tmp_path / "good.xlsx", ROWS)
    lol = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    bad = _rewrite(good, tmp_path / "dtd.xlsx", "xl/worksheets/sheet1.xml",
                   lambda d: d.replace(b"<worksheet", lol + b"<worksheet", 1).replace("样例细胞中试平台".encode(), b"&b;"))
    code, _, err, wrote = _plan_only(cli, tmp_path, bad)
    assert code == 1 and not wrote
    assert "dtd.xlsx: part 'xl/worksheets/sheet1.xml' declares a DTD (<!DOCTYPE …>)" in err


def test_formula_without_a_saved_value_is_an_error_naming_the_cell(cli, tmp_path):
    """openpyxl, like many programs, saves a formula without its value: the row would lose its name."""
    path = _xlsx(tmp_path / "f.xlsx", [ROWS[0], HEADER, ["1", "样例中试平台", "甲公司", "滨海新区"],
                                      ["2", '=B3&"二期"', "乙公司", "滨海新区"]])
    code, _, err, wrote = _plan_only(cli, tmp_path, path)
    assert code == 1 and not wrote
    assert "f.xlsx[Sheet], row 4, column '平台名称': cell B4 holds a formula (=B3&\"二期\") with no saved value" in err


@pytest.mark.parametrize("cell, column, what", [
    ("样例\x00平台", "平台名称", "U+0000 (NUL) at character 3"),
    ("样例\x1b[2J\x1b[31m平台", "平台名称", "U+001B (ESC) at character 3"),
    ("样例平台\n第二行", "平台名称", "a line break inside a one-line column"),
    ("甲公司\x07", "依托单位", "U+0007 (BEL) at character 4"),
])
def test_control_characters_and_line_breaks_are_refused(cli, tmp_path, cell, column, what):
    row = ["1", cell, "甲公司", "滨海新区"] if column == "平台名称" else ["1", "样例平台", cell, "滨海新区"]
    path = _csv(tmp_path / "c.csv", [ROWS[0], HEADER, ["0", "样例一号平台", "乙公司", "西青区"], row])
    code, out, err, wrote = _plan_only(cli, tmp_path, path)
    assert code == 1 and not wrote
    assert f"c.csv, row 4, column '{column}': " in err and what in err
    assert "\x1b" not in err + out and "\x00" not in err + out  # nothing raw reaches the terminal


def test_control_characters_in_the_title_and_headers_are_refused(cli, tmp_path):
    path = _csv(tmp_path / "t.csv", [["名单\x1b]0;owned\x07"], [*HEADER, "备注\x1b[8m"], ["1", "样例平台", "甲公司", "滨海新区", ""]])
    code, out, err, wrote = _plan_only(cli, tmp_path, path)
    assert code == 1 and not wrote
    assert "t.csv, column 'the title row': control character U+001B (ESC)" in err
    assert "t.csv, row 2, column '备注\\\\x1b[8m': control character U+001B (ESC)" in err
    assert "\x1b" not in err + out


@pytest.mark.parametrize("text, message", [
    # a quote closed three lines later: three rows merged into one name
    ("1,\"样例一号平台,甲公司,滨海新区\n2,样例二号平台,乙公司,西青区\n3,样例三号平台\",丙公司,西青区\n",
     "q.csv, row 2, column '平台名称': a line break inside a one-line column: this cell runs over lines 2–4"),
    # a quote never closed: the rest of the file would be one cell
    ("1,样例一号平台,甲公司,滨海新区\n2,\"样例二号平台,乙公司,西青区\n3,样例三号平台,丙公司,西青区\n",
     "q.csv, row 3: a quote (\") opens a cell here and is never closed"),
])
def test_a_stray_quote_is_an_error_with_its_row_and_lines(cli, tmp_path, text, message):
    path = tmp_path / "q.csv"
    path.write_text("序号,平台名称,依托单位,所在区\n" + text, encoding="utf-8")
    code, _, err, wrote = _plan_only(cli, tmp_path, path)
    assert code == 1 and not wrote
    assert message in err


def test_a_gb18030_list_with_a_utf8_row_is_an_error_naming_the_line(cli, tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes("序号,平台名称,依托单位,所在区\n1,样例一号平台,甲公司,滨海新区\n".encode("gb18030")
                     + "2,样例二号平台,乙公司,西青区\n".encode("utf-8")
                     + "3,样例三号平台,丙公司,西青区\n".encode("gb18030"))
    code, _, err, wrote = _plan_only(cli, tmp_path, path)
    assert code == 1 and not wrote
    assert "m.csv, row 3: this line is UTF-8 but the rest of the file is GB18030" in err


def test_invisible_characters_are_warned_with_row_and_column(cli, tmp_path):
    path = _csv(tmp_path / "z.csv", [HEADER, ["1", "样例\u200b平台", "甲公司", "滨海新区"]])
    code, _, err, wrote = _plan_only(cli, tmp_path, path)
    assert code == 0 and wrote
    assert "warning: z.csv, row 2, column '平台名称': invisible character U+200B (ZERO WIDTH SPACE)" in err


def test_a_name_of_a_million_characters_is_resolved_in_one_pass():
    """The prefixes looked up are bounded by the longest stored name, not by the name's length."""
    from loaders.match import EntityIndex

    ix = EntityIndex([("A", "北京某某科技有限公司", [], None)])
    looked_up = []

    class Cores(dict):
        def __contains__(self, key):
            looked_up.append(key)
            return super().__contains__(key)

    ix.core = Cores(ix.core)
    assert ix.resolve("北" * 1_000_000).action == "new"
    assert len(looked_up) <= len("北京某某科技")


# ----------------------------------------------------------------------------- the plan in Excel

FORMULAS = ["=HYPERLINK(\"http://x\",\"点击\")中试平台", "+1+cmd|' /C calc'!A0平台", "-2+3平台", "@SUM(1)平台"]


def test_plan_neutralises_formulas_and_reads_them_back(cli, built, tmp_path):  # noqa: F811
    path = _csv(tmp_path / "f.csv", [HEADER, *[[str(i), n, "", "滨海新区"] for i, n in enumerate(FORMULAS, 1)]])
    plan = tmp_path / "plan.csv"
    code, _, err = cli("import", path, "--store", built, "--plan", plan, "--province", "天津")
    assert code == 0, err
    data = plan.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens it as UTF-8
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    names = [r[2] for r in rows[1:]]
    assert names == ["'" + n for n in FORMULAS]
    for r in rows:
        assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in r)
    code, out, err = cli("import", path, "--store", built, "--plan", plan, "--province", "天津", "--apply")
    assert code == 0, err
    assert "4 organizations" in out
    from graph.store import Store

    stored = set(Store(built).tables.organizations["name"])
    assert set(FORMULAS) <= stored  # the names as the list has them, without the apostrophe


@pytest.mark.parametrize("edit, where, what", [
    (lambda t: t.replace(",new,PF_", ",new,PF_\x1b[31m", 1), "row 2, column 'id'", "control character U+001B (ESC)"),
    (lambda t: t.replace(",new,PF_", ",new,\"PF_\nX", 1), "row 2, column 'id'", "a line break inside a one-line column"),
    (lambda t: t.replace(",new,PF_N", ",new,EN_SINOHYTEC,", 1), "row 2, column 'id'",
     "new 'EN_SINOHYTEC': the store has that id already, for "),
    (lambda t: t.replace(",new,PF_", ",delete,PF_", 1), "row 2, column 'action'",
     "expected match, new, ambiguous, skip; got 'delete'"),
    (lambda t: t.replace("row,entity,name,action,id", "row,entity,name,what,id", 1), "row 1, column 'action'",
     "expected the plan's columns row,entity,name,action,id,candidates,score,note; missing action"),
    (lambda t: t + "99,platform,不存在的平台,new,PF_X,,,\r\n", "row 6, column 'name'",
     "the list has no platform '不存在的平台' in row 99"),
    (lambda t: t.replace("\r\n3,", "\r\n3,", 1) + t.splitlines()[2] + "\r\n", "row 6, column 'row'",
     "the same list row and name as line 3"),
    # one new id on two platforms: the second row's platform would be dropped, its operator put on the first
    (lambda t: re.sub(r",new,PF_N\w+", ",new,PF_MINE", t), "row 4, column 'id'", "new 'PF_MINE' is also the id "
     "of line 2 (platform '样例细胞中试平台', list row 3): one id is one organization"),
    # ids that do not read as they are written
    (lambda t: re.sub(r",new,PF_N\w+", ",new,ＰF_X", t, count=1), "row 2, column 'id'", "new 'ＰF_X': U+FF30 "
     "(FULLWIDTH LATIN CAPITAL LETTER P) at character 1 is a full-width or compatibility form of 'P'"),
    (lambda t: re.sub(r",new,PF_N\w+", ",new,PF\u200b_X", t, count=1), "row 2, column 'id'", "new 'PF\\u200b_X': "
     "U+200B (ZERO WIDTH SPACE) at character 3 is invisible, so the id would look like another"),
    (lambda t: re.sub(r",new,PF_N\w+", ",new,\u0420F_X", t, count=1), "row 2, column 'id'", "new '\u0420F_X': "
     "U+0420 (CYRILLIC CAPITAL LETTER ER) at character 1 looks like a Latin letter"),
    # ids of a sector or a region
    (lambda t: re.sub(r",new,PF_N\w+", ",new,CH_H2", t, count=1), "row 2, column 'id'",
     "new 'CH_H2': the sector 氢能 has that id; an organization needs an id of its own"),
    (lambda t: re.sub(r",new,PF_N\w+", ",new,120000", t, count=1), "row 2, column 'id'",
     "new '120000': the region 天津市 has that id"),
])
def test_a_hostile_edited_plan_is_refused_and_the_store_untouched(cli, built, gb_list, tmp_path, edit, where,  # noqa: F811
                                                                  what):
    plan = tmp_path / "plan.csv"
    assert cli("import", gb_list, "--store", built, "--plan", plan)[0] == 0
    text = plan.read_text(encoding="utf-8-sig")
    plan.write_text(edit(text), encoding="utf-8-sig", newline="")
    before = _digest(built)
    code, out, err = cli("import", gb_list, "--store", built, "--plan", plan, "--apply")
    assert code == 1, out
    assert f"plan.csv, {where}: {what}" in err
    assert "\x1b" not in err + out
    assert _digest(built) == before


def test_the_delimiter_comes_from_the_header_not_the_title_or_the_sectors(tmp_path):
    """A title with a ';' above the header, and sectors separated by ';', leave a comma list a comma list."""
    from loaders.published import read_published

    path = tmp_path / "d.csv"
    path.write_text("北京市中试平台名单;第一批\n序号,平台名称,重点领域\n1,样例平台,生物医药;新材料;集成电路;氢能;机器人\n",
                    encoding="utf-8")
    lst = read_published(path)
    assert lst.rows == [(3, {"name": "样例平台", "sectors": "生物医药;新材料;集成电路;氢能;机器人"})]
    semi = tmp_path / "s.csv"
    semi.write_text("名单\n序号;平台名称\n1;样例平台\n", encoding="utf-8")
    assert read_published(semi).rows == [(3, {"name": "样例平台"})]


# ----------------------------------------------------------------------------- cells past the csv module's limit

_HUGE = "中" * 140_000  # past csv.field_size_limit() (131,072 characters)
_TOO_LONG = ("a cell longer than 131,072 characters (no name, district or note is that long: the file is damaged, "
             "or a quote opens a cell and closes it much later)")


def test_a_list_cell_over_128_kb_is_one_line_naming_the_row(cli, tmp_path):
    path = _csv(tmp_path / "名单.csv", [["名单"], HEADER, ["1", "样例平台", "某公司", "滨海新区"],
                                        ["2", "样例" + _HUGE, "某公司", "滨海新区"]])
    code, _, err, wrote = _plan_only(cli, tmp_path, path)
    assert code == 1 and not wrote and "Traceback" not in err
    assert f"  名单.csv, row 4: {_TOO_LONG}" in err.splitlines()


def test_a_plan_cell_over_128_kb_is_one_line_naming_the_row(cli, built, gb_list, tmp_path):  # noqa: F811
    plan = tmp_path / "plan.csv"
    assert cli("import", gb_list, "--store", built, "--plan", plan)[0] == 0
    lines = plan.read_text(encoding="utf-8-sig").splitlines()
    lines[2] += _HUGE  # the note of plan row 3
    plan.write_text("\r\n".join(lines), encoding="utf-8-sig")
    before = _digest(built)
    code, _, err = cli("import", gb_list, "--store", built, "--plan", plan, "--apply")
    assert code == 1 and "Traceback" not in err
    assert f"  plan.csv, row 3: {_TOO_LONG}" in err.splitlines()
    assert _digest(built) == before


# ----------------------------------------------------------------------------- a careless import


def test_a_merged_two_row_header_and_province_cannot_file_other_provinces_under_beijing(cli, built, tmp_path):  # noqa: F811
    """The notice's attachment: 所在区 and 领域 merged over two rows. Read whole, and --province 北京 refused for
    the rows whose district is in Tianjin or Hebei (it used to file them under 北京, exit 0)."""
    from tests.loaders.test_import import _notice_xlsx

    path = _notice_xlsx(tmp_path / "附件.xlsx")
    plan = tmp_path / "plan.csv"
    before = _digest(built)
    code, out, err = cli("import", path, "--store", built, "--plan", plan, "--province", "北京", "--apply")
    assert code == 1, out
    assert "read 附件.xlsx[附件]: 3 rows below the header in rows 2–3" in err
    assert "columns used: 平台名称 → name, 依托单位 → operator, 所在区 → district, 领域 → sectors" in err
    assert "columns ignored: 序号, 备注, column G (no header)" in err
    assert "附件.xlsx[附件], row 5, column '所在区': --province 北京, but '滨海新区' is in 天津" in err
    assert "附件.xlsx[附件], row 6, column '所在区': --province 北京, but '曹妃甸区' is in 河北" in err
    assert _digest(built) == before and not plan.exists()
    code, out, err = cli("import", path, "--store", built, "--plan", plan)
    assert code == 0, err
    rows = list(csv.DictReader(plan.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["row"] for r in rows if r["entity"] == "platform"] == ["4", "5", "6"]
    code, out, err = cli("import", path, "--store", built, "--apply")
    assert code == 0, err
    from graph.store import Store

    orgs = Store(built).tables.organizations.set_index("name")
    assert orgs.loc["样例膜材料中试平台", "province"] == "天津" and orgs.loc["样例装备中试基地", "province"] == "河北"
    assert list(orgs.loc["样例膜材料中试平台", "sectors"]) == ["IND_NEWMAT"]  # 领域, read from the upper row


def test_a_name_placed_in_another_province_is_not_overridden_by_province(cli, built, tmp_path):  # noqa: F811
    path = _csv(tmp_path / "n.csv", [["平台名称", "依托单位"], ["样例氢能中试平台（天津）", "甲公司"],
                                     ["天津市样例中试平台", "乙公司"], ["北京大学天津研究院样例平台", "丙公司"]])
    code, out, err = cli("import", path, "--store", built, "--plan", tmp_path / "p.csv", "--province", "北京")
    assert code == 1, out
    assert "n.csv, row 2, column '平台名称': --province 北京, but '样例氢能中试平台" in err  # （天津）, as stored
    assert "中试平台(天津)' is in 天津" in err or "中试平台（天津）' is in 天津" in err
    assert "n.csv, row 3, column '平台名称': --province 北京, but '天津市样例中试平台' is in 天津" in err
    assert "row 4" not in err  # 北京大学… names no place: --province decides


@pytest.mark.parametrize("name, operator, candidate", [
    ("国家电投氢能公司膜电极中试线", "", "PF_SPIC_MEA"),           # 中试产线 spelled 中试线
    ("北京亦庄合成生物产业链中式平台", "", "PF_YZ_SYNBIO"),       # a one-character typo: 中式 for 中试
    ("过程工程研究所廊坊中试基地", "", "PF_IPE_LF"),               # 中国科学院 dropped in front
    ("样例中试平台", "工程热物理研究所", "IN_CAS_IET"),             # the operator, 中国科学院 dropped
])
def test_a_near_spelling_of_a_stored_name_is_ambiguous_never_a_second_copy(cli, built, tmp_path, name, operator,  # noqa: F811
                                                                          candidate):
    path = _csv(tmp_path / "near.csv", [["平台名称", "依托单位", "所在区"], [name, operator, "海淀区"]])
    plan = tmp_path / "plan.csv"
    code, out, err = cli("import", path, "--store", built, "--plan", plan)
    assert code == 0, err
    lines = {r["name"]: r for r in csv.DictReader(plan.read_text(encoding="utf-8-sig").splitlines())}
    line = lines[operator or name]
    assert line["action"] == "ambiguous" and line["candidates"].startswith(candidate + " 0.8"), line
    assert line["note"].startswith(("spelled almost as ", "the same name but for a parent organization's name"))
    code, out, err = cli("import", path, "--store", built, "--apply")
    assert code == 0, err
    from graph.store import Store

    names = set(Store(built).tables.organizations["name"])
    assert (operator or name) not in names  # no second copy


def test_traditional_characters_are_the_same_name(cli, built, tmp_path):  # noqa: F811
    path = _csv(tmp_path / "t.csv", [["平台名称", "依托单位", "所在区"], ["國家電投氫能公司膜電極中試產線", "中國科學院過程工程研究所", "昌平区"]])
    plan = tmp_path / "plan.csv"
    code, out, err = cli("import", path, "--store", built, "--plan", plan)
    assert code == 0, err
    got = [(r["entity"], r["action"], r["id"]) for r in csv.DictReader(plan.read_text(encoding="utf-8-sig").splitlines())]
    assert got == [("platform", "match", "PF_SPIC_MEA"), ("operator", "match", "IN_CAS_IPE")]
    assert "國家電投氫能公司膜電極中試產線" in plan.read_text(encoding="utf-8-sig")  # the name as the list spells it


def _plan_rows(cli, built, tmp_path, rows):
    path = _csv(tmp_path / "w.csv", rows)
    plan = tmp_path / "plan.csv"
    code, out, err = cli("import", path, "--store", built, "--plan", plan)
    assert code == 0, err
    return path, plan, list(csv.DictReader(plan.read_text(encoding="utf-8-sig").splitlines()))


def test_an_operator_is_never_its_own_platform(cli, built, tmp_path):  # noqa: F811
    name = "恒动氢能燃料电池研发中心及中试平台"
    path, plan, rows = _plan_rows(cli, built, tmp_path, [["平台名称", "依托单位", "所在区"], [name, name, "海淀区"]])
    platform, operator = rows
    assert (platform["action"], platform["id"]) == ("match", "PF_HENGDONG")
    assert operator["id"] != "PF_HENGDONG" and "PF_HENGDONG" not in operator["candidates"]
    assert "not the row's own platform PF_HENGDONG" in operator["note"]
    # an edited plan that says so anyway is refused, naming the row
    text = plan.read_text(encoding="utf-8-sig").replace(f"2,operator,{name},{operator['action']},{operator['id']},",
                                                       f"2,operator,{name},match,PF_HENGDONG,")
    plan.write_text(text, encoding="utf-8-sig")
    before = _digest(built)
    code, out, err = cli("import", path, "--store", built, "--plan", plan, "--apply")
    assert code == 1, out
    assert "w.csv, row 2, column 'operator': 'PF_HENGDONG' is the row's platform itself" in err
    assert _digest(built) == before


def test_an_agency_named_with_a_list_comma_is_one_agency_and_typed_by_its_ending(cli, built, tmp_path):  # noqa: F811
    _, _, rows = _plan_rows(cli, built, tmp_path, [
        ["平台名称", "依托单位", "所在区"],
        ["样例一号平台", "北京市科学技术委员会、中关村科技园区管理委员会", "海淀区"],   # one stored agency
        ["样例二号平台", "北京市经济和信息化局、样例科技园区管理委员会", "海淀区"]])   # two, not stored
    ops = [(r["row"], r["name"], r["action"], r["id"], r["note"]) for r in rows if r["entity"] == "operator"]
    assert ops[0][:4] == ("2", "北京市科学技术委员会、中关村科技园区管理委员会", "match", "AG_BJ_STC")
    assert [o[1] for o in ops[1:]] == ["北京市经济和信息化局", "样例科技园区管理委员会"]
    assert ops[2][3].startswith("AG_N") and ops[2][4].startswith("type agency from the name")  # not a park


def test_a_match_in_another_province_is_ambiguous_with_a_note(cli, built, tmp_path):  # noqa: F811
    _, _, rows = _plan_rows(cli, built, tmp_path, [
        ["平台名称", "所在区"], ["国家电投氢能公司膜电极中试产线（天津）", "滨海新区"],
        ["国家电投氢能公司膜电极中试产线", "昌平区"]])
    assert [(r["action"], r["id"]) for r in rows] == [("ambiguous", ""), ("match", "PF_SPIC_MEA")]
    assert rows[0]["candidates"].startswith("PF_SPIC_MEA 0.95")
    assert rows[0]["note"] == ("PF_SPIC_MEA is in 北京, this row in 天津: the same organization, or another of that "
                               "name? (write match or new)")


def test_a_match_to_an_unrelated_name_in_an_edited_plan_gets_a_note(cli, built, gb_list, tmp_path):  # noqa: F811
    plan = tmp_path / "plan.csv"
    assert cli("import", gb_list, "--store", built, "--plan", plan)[0] == 0
    text = plan.read_text(encoding="utf-8-sig")
    plan.write_text(text.replace(",match,EN_TJ_TJIPR,", ",match,EN_BAIC,", 1), encoding="utf-8-sig")
    code, out, err = cli("import", gb_list, "--store", built, "--plan", plan, "--apply")
    assert code == 0, err
    assert ("note: plan.csv, row 3: match 'EN_BAIC' (北京汽车集团有限公司（北汽集团）) for the operator '天津药物研究院有限公司': "
            "the names have nothing in common; applied as written") in err.replace("(北汽集团)", "（北汽集团）")


def test_a_flood_of_overlapping_merged_ranges_is_refused_or_bounded(cli, tmp_path):
    """Merged ranges come from the file: too many is an error, and overlapping ones cost no more than the grid."""
    from loaders.header import fill_merges

    good = _xlsx(tmp_path / "good.xlsx", ROWS)
    many = "".join(f'<mergeCell ref="A{i}:D{i + 1}"/>' for i in range(1, 10_003)).encode()
    flood = _rewrite(good, tmp_path / "flood.xlsx", "xl/worksheets/sheet1.xml",
                     lambda d: d.replace(b"</sheetData>", b"</sheetData><mergeCells>" + many + b"</mergeCells>"))
    code, _, err, wrote = _plan_only(cli, tmp_path, flood)
    assert code == 1 and not wrote
    assert "flood.xlsx[Sheet]: more than 10,000 merged cell ranges: a list has a few" in err
    grid = [["标题", "", ""]] + [[str(i), "", ""] for i in range(2000)]
    import time

    started = time.perf_counter()
    fill_merges(grid, [(0, 0, 2000, 2)] * 10_000 + [(1, 0, 2000, 0)] * 10_000, 21)  # 20,000 overlapping ranges
    assert time.perf_counter() - started < 2
    assert grid[0] == ["标题"] * 3 and grid[5][0] == "4"  # the first range fills the header; the rest are skipped
