"""Published lists: reading them as published, resolving their names, planning and applying."""

from __future__ import annotations

import csv
from functools import lru_cache

import pytest

import loaders
from graph.errors import InputError
from loaders.listimport import PLAN_COLUMNS, apply_plan, make_plan, read_plan, write_plan
from loaders.match import EntityIndex, name_keys
from loaders.published import read_published


@lru_cache(maxsize=1)
def _bundled():
    return loaders.read_bundled()


@pytest.fixture
def bundled():
    return _bundled()


# ----------------------------------------------------------------------------- names

@pytest.mark.parametrize("variant, core", [
    ("北京亿华通科技股份有限公司", "北京亿华通科技"),      # legal suffix
    ("北京亿华通科技 有限公司", "北京亿华通科技"),          # a space and another suffix
    ("中芯国际（北京）有限公司", "中芯国际"),               # a bracketed city, full-width
    ("中芯国际(北京)有限公司", "中芯国际"),                 # the same, half-width
    ("北京汽车集团有限公司（北汽集团）", "北京汽车"),       # a bracketed short name
    ("ＢＯＥ科技集团股份有限公司", "boe科技"),               # full-width letters (NFKC), case
])
def test_name_core(variant, core):
    assert name_keys(variant)[1] == core


@pytest.mark.parametrize("spelling, expected", [
    ("北京亿华通科技有限公司", "EN_SINOHYTEC"),              # suffix differs from 股份有限公司
    ("北汽集团", "EN_BAIC"),                                 # the short name in brackets
    ("北京汽车集团 有限公司", "EN_BAIC"),                    # space; 北京汽车制造厂 is only a candidate
    ("百济神州（北京）生物科技有限公司", "EN_BEIGENE"),      # bracketed city + generic words
    ("中芯国际(北京)有限公司", "EN_SMIC"),                   # half-width brackets
    ("北方集成电路技术创新中心（北京）有限公司", "PF_NORTH_IC"),  # exact once folded
])
def test_spelling_variants_of_bundled_names_match(bundled, spelling, expected):
    orgs = bundled.organizations
    ix = EntityIndex(zip(orgs["id"], orgs["name"], orgs["aliases"], orgs["credit_code"]))
    r = ix.resolve(spelling)
    assert (r.action, r.id) == ("match", expected), r


def test_two_equally_good_candidates_are_ambiguous():
    ix = EntityIndex([("A", "样例科技有限公司", [], None), ("B", "样例科技股份有限公司", [], None)])
    r = ix.resolve("样例科技")
    assert r.action == "ambiguous" and r.id is None
    assert r.candidates == [("A", 0.95), ("B", 0.95)]


def test_aliases_and_credit_codes_resolve():
    ix = EntityIndex([("A", "甲公司", ["老名字", "简称甲"], "91110108551385082Q"), ("B", "乙研究院", [], None)])
    assert ix.resolve("老名字").id == "A"
    assert ix.resolve("完全不同的名字", "91110108551385082Q").id == "A"
    assert ix.resolve("丙").action == "new"


def test_a_numeral_set_against_another_is_another_organization():
    ix = EntityIndex([("A", "样例氢能中试平台一期", [], None), ("B", "样例中试线1号", [], None)])
    assert ix.resolve("样例氢能中试平台二期").action == "new"
    assert ix.resolve("样例中试线2号").action == "new"
    assert ix.resolve("样例氢能中试平台一朝").action == "ambiguous"  # a character that is no numeral: a typo, perhaps


def test_a_longer_name_of_another_type_is_not_a_candidate():
    ix = EntityIndex([("EN", "百济神州", [], None, "enterprise")])
    assert ix.resolve("百济神州生物药中试平台", org_type="platform").action == "new"
    assert ix.resolve("百济神州生物药中试平台").action == "ambiguous"


# ----------------------------------------------------------------------------- reading lists

LIST_ROWS = [
    ["北京市中试平台名单（第一批）", "", "", "", "", ""],
    ["序号", "平台名称", "依托单位", "所属区", "重点领域", "级别"],
    ["1", "北方集成电路技术创新中心（北京） 有限公司", "北方华创", "北京经济技术开发区", "集成电路", "市级"],
    ["2", "样例氢能中试平台", "北京亿华通科技有限公司", "海淀区", "氢能", "市级"],
    ["3", "样例新材料中试基地", "样例新材料科技有限公司", "曹妃甸区", "新材料", ""],
    ["4", "样例无区平台", "北京汽车集团 有限公司", "", "", ""],
]


def _write_csv(path, rows, encoding):
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _write_xlsx(path, rows, sheet="名单"):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    ws.append(["本表为样例"])
    ws2 = wb.create_sheet(sheet)
    for r in rows:
        ws2.append([int(c) if c.isdigit() else (c or None) for c in r])
    wb.save(path)
    return path


@pytest.mark.parametrize("kind", ["utf-8", "utf-8-sig", "gb18030", "xlsx"])
def test_read_published_skips_the_title_row(tmp_path, kind):
    if kind == "xlsx":
        path = _write_xlsx(tmp_path / "list.xlsx", LIST_ROWS)
    else:
        path = _write_csv(tmp_path / "list.csv", LIST_ROWS, kind)
    lst = read_published(path)
    assert lst.title == "北京市中试平台名单（第一批）"
    assert lst.header_row == 2
    assert lst.used == {"平台名称": "name", "依托单位": "operator", "所属区": "district", "重点领域": "sectors",
                        "级别": "level"}
    assert lst.ignored == ["序号"]
    assert [r for r, _ in lst.rows] == [3, 4, 5, 6]
    assert lst.rows[1][1]["name"] == "样例氢能中试平台"
    assert lst.sheet == ("名单" if kind == "xlsx" else None)


def test_read_published_errors(tmp_path):
    path = _write_xlsx(tmp_path / "list.xlsx", LIST_ROWS)
    with pytest.raises(InputError) as err:
        read_published(path, sheet="Sheet9")
    assert str(err.value.problems[0]) == "list.xlsx: no sheet 'Sheet9'; sheets in the workbook: '说明', '名单'"
    bad = _write_csv(tmp_path / "bad.csv", [["a", "b"], ["1", "2"]], "utf-8")
    with pytest.raises(InputError) as err:
        read_published(bad)
    assert "no header row with a name column" in str(err.value.problems[0])


# ----------------------------------------------------------------------------- plans

def _plan(tmp_path, tables, **kw):
    lst = read_published(_write_csv(tmp_path / "list.csv", LIST_ROWS, "gb18030"))
    return lst, make_plan(lst, tables, **kw)


def test_plan_actions_and_ids(tmp_path, bundled):
    lst, plan = _plan(tmp_path, bundled)
    got = [(ln.row, ln.entity, ln.action, ln.id) for ln in plan.lines]
    new3 = next(ln.id for ln in plan.lines if ln.row == 5 and ln.entity == "platform")
    assert got[:4] == [(3, "platform", "match", "PF_NORTH_IC"), (3, "operator", "match", "EN_NAURA"),
                       (4, "platform", "new", got[2][3]), (4, "operator", "match", "EN_SINOHYTEC")]
    assert got[2][3].startswith("PF_N") and new3.startswith("PF_N")
    assert (5, "operator", "new") == got[5][:3] and got[5][3].startswith("EN_N")
    assert got[6:] == [(6, "platform", "new", got[6][3]), (6, "operator", "match", "EN_BAIC")]
    assert plan.unplaced == [6]
    # the same list planned again gives the same ids
    assert [ln.id for ln in _plan(tmp_path, bundled)[1].lines] == [ln.id for ln in plan.lines]
    new = {ln.row: ln.org for ln in plan.lines if ln.entity == "platform" and ln.action == "new"}
    assert new[4]["province"] == "北京" and new[4]["sectors"] == "CH_H2" and new[4]["level"] == "municipal"
    assert new[5]["province"] == "河北" and new[5]["city"] == "唐山市"
    assert new[4]["source"] == "北京市中试平台名单（第一批） (list.csv, row 4)"


def test_province_option_places_every_row_but_never_against_its_own_place(tmp_path, bundled):
    # row 5 is in 曹妃甸区 (Hebei): --province 北京 must not file it under Beijing
    with pytest.raises(InputError) as err:
        _plan(tmp_path, bundled, province="北京市")
    assert [str(p) for p in err.value.problems] == [
        "list.csv, row 5, column '所属区': --province 北京, but '曹妃甸区' is in 河北: a row never takes --province "
        "against its own place; correct the row, or import without --province (each row is then placed by its "
        "own district, name or code)"]
    rows = [r for r in LIST_ROWS if r[0] != "3"]
    plan = make_plan(read_published(_write_csv(tmp_path / "bj.csv", rows, "utf-8")), bundled, province="北京市")
    assert plan.unplaced == []


def test_plan_file_has_exactly_the_columns_and_a_bom(tmp_path, bundled):
    _, plan = _plan(tmp_path, bundled)
    path = write_plan(plan, tmp_path / "plan.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == PLAN_COLUMNS
    assert len(rows) == len(plan.lines) + 1


def test_apply_adds_new_rows_with_provenance_and_a_second_import_adds_nothing(tmp_path, bundled):
    lst, plan = _plan(tmp_path, bundled)
    applied = apply_plan(plan, bundled, lst.where)
    t = applied.tables
    assert len(t.organizations) == len(bundled.organizations) + 3  # two platforms, one new operator
    assert len(t.relations) == len(bundled.relations) + 3
    assert any("row 6" in x and "no province" in x for x in applied.left_out)
    added = t.organizations[t.organizations["id"].isin(applied.organizations)]
    assert added["source"].str.contains(r"\(list\.csv, row \d\)").all()
    again = make_plan(lst, t)
    assert {ln.action for ln in again.lines if ln.row != 6} == {"match"}
    assert apply_plan(again, t, lst.where).tables is None


def test_ambiguous_rows_are_never_merged(tmp_path, tiny_tables):
    rows = [["名称", "依托单位", "所属区"], ["样例双生科技", "", "海淀区"]]
    orgs = tiny_tables.organizations
    extra = orgs.iloc[:2].copy()
    extra["id"] = ["twin-a", "twin-b"]
    extra["name"] = ["样例双生科技有限公司", "样例双生科技股份有限公司"]
    extra["type"] = "platform"
    import pandas as pd

    from graph.tables import Tables

    t = Tables(pd.concat([orgs, extra], ignore_index=True), tiny_tables.relations, tiny_tables.sectors,
               tiny_tables.services, tiny_tables.regions)
    lst = read_published(_write_csv(tmp_path / "twins.csv", rows, "utf-8"))
    plan = make_plan(lst, t)
    [line] = plan.lines
    assert (line.action, line.id, line.candidates) == ("ambiguous", "", "twin-a 0.95; twin-b 0.95")
    applied = apply_plan(plan, t, lst.where)
    assert applied.tables is None and applied.left_out[0].startswith("row 2 platform '样例双生科技': ambiguous")


def test_an_edited_plan_is_honoured(tmp_path, bundled):
    lst, plan = _plan(tmp_path, bundled)
    path = write_plan(plan, tmp_path / "plan.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    for r in rows[1:]:
        if r[0] == "4" and r[1] == "platform":
            r[3], r[4] = "match", "PF_SPIC_MEA"       # the user says: this platform is one we have
        if r[0] == "5" and r[1] == "platform":
            r[4] = "PF_MY_OWN_ID"                      # a new one, under the user's id
        if r[0] == "5" and r[1] == "operator":
            r[3] = "skip"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    edited = read_plan(path, make_plan(lst, bundled))
    applied = apply_plan(edited, bundled, lst.where)
    assert ("EN_SINOHYTEC", "OPERATES", "PF_SPIC_MEA") in applied.relations
    assert "PF_MY_OWN_ID" in applied.organizations
    assert not any(i.startswith("EN_N") for i in applied.organizations)


def test_a_plan_for_another_list_is_an_error(tmp_path, bundled):
    _, plan = _plan(tmp_path, bundled)
    path = tmp_path / "plan.csv"
    path.write_text("row,entity,name,action,id,candidates,score,note\n9,platform,别的平台,new,X,,,\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_plan(path, plan)
    assert str(err.value.problems[0]) == ("plan.csv, row 2, column 'name': the list has no platform '别的平台' in "
                                          "row 9: was this plan made for another list?")


def test_a_match_to_an_unknown_id_fails_and_adds_nothing(tmp_path, bundled):
    lst, plan = _plan(tmp_path, bundled)
    plan.lines[0].id = "NO_SUCH_ID"
    with pytest.raises(InputError) as err:
        apply_plan(plan, bundled, lst.where)
    assert "match 'NO_SUCH_ID': no organization has that id" in str(err.value.problems[0])


# ----------------------------------------------------------------------------- the aliases column

def test_aliases_column_reaches_node_cypher_rdf_and_import(tiny_rows, write_folder, tmp_path, embedded_engine):
    from graph import build_graph
    from graph.rdf import to_rdf

    for r in tiny_rows["organizations"]:
        r["别名"] = "氢能一号；旧称氢能平台" if r["id"] == "bj-pf-1" else ""
    t = loaders.read_folder(write_folder(tiny_rows))
    G = build_graph(t)
    assert G.nodes["bj-pf-1"]["aliases"] == ["氢能一号", "旧称氢能平台"]
    embedded_engine.load(G)
    [row] = embedded_engine.run("MATCH (p:Platform {id: 'bj-pf-1'}) RETURN p.aliases AS a")
    assert row["a"] == ["氢能一号", "旧称氢能平台"]
    ttl = tmp_path / "g.ttl"
    to_rdf(t, G).serialize(ttl, format="turtle")
    back = loaders.read_folder(ttl).organizations.set_index("id")
    assert sorted(back.loc["bj-pf-1", "aliases"]) == sorted(["氢能一号", "旧称氢能平台"])
    lst = read_published(_write_csv(tmp_path / "l.csv", [["平台名称", "所属区"], ["旧称氢能平台", "海淀区"]], "utf-8"))
    [line] = make_plan(lst, t).lines
    assert (line.action, line.id, line.score) == ("match", "bj-pf-1", "0.95")


def test_a_line_deleted_from_the_plan_is_not_applied(tmp_path, bundled):
    lst, plan = _plan(tmp_path, bundled)
    path = write_plan(plan, tmp_path / "plan.csv")
    kept = [ln for ln in path.read_text(encoding="utf-8-sig").splitlines() if not ln.startswith("4,operator,")]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8-sig")
    applied = apply_plan(read_plan(path, make_plan(lst, bundled)), bundled, lst.where)
    assert not any(r[0] == "EN_SINOHYTEC" for r in applied.relations)
    assert "row 4 operator '北京亿华通科技有限公司': not in the plan file" in applied.left_out


def test_provenance_names_the_sheet(tmp_path, bundled):
    lst = read_published(_write_xlsx(tmp_path / "list.xlsx", LIST_ROWS))
    plan = make_plan(lst, bundled)
    [org] = [ln.org for ln in plan.lines if ln.row == 4 and ln.entity == "platform"]
    assert org["source"] == "北京市中试平台名单（第一批） (list.xlsx, sheet 名单, row 4)"


def test_the_column_wise_index_equals_the_name_by_name_one(bundled):
    # the bulk path folds names with pandas string methods; it must give the very keys name_keys gives
    o = bundled.organizations
    names = o["name"].tolist() + ["ＡＢＣ 有限公司", "公司", "样例集团有限公司（样例）", "“引号”科技", "中國科學院化學研究所"]
    ids = o["id"].tolist() + ["x1", "x2", "x3", "x4", "x5"]
    one = EntityIndex(zip(ids, names, [[]] * len(ids), [None] * len(ids)))
    bulk = EntityIndex.from_columns(ids, names)
    assert (bulk.folded, bulk.core, bulk.alias) == (one.folded, one.core, one.alias)


# ----------------------------------------------------------------------------- headers of two rows, merged cells

#: a notice's attachment: a merged title, 序号/所在区/领域/备注 merged down over two rows, 平台信息 across two
#: columns, and a column with values under no header
NOTICE = [
    ["附件：京津冀中试平台名单", None, None, None, None, None, None],
    ["序号", "平台信息", None, "所在区", "领域", "备注", None],
    [None, "平台名称", "依托单位", None, None, None, None],
    [1, "样例氢能中试平台", "北京亿华通科技有限公司", "海淀区", "氢能", None, None],
    [2, "样例膜材料中试平台", "样例膜科技有限公司", "滨海新区", "新材料", None, "津"],
    [3, "样例装备中试基地", "样例装备有限公司", "曹妃甸区", "新材料", "示例行", None],
]
NOTICE_MERGES = ("A1:G1", "A2:A3", "B2:C2", "D2:D3", "E2:E3", "F2:F3")


def _notice_xlsx(path, rows=NOTICE, merges=NOTICE_MERGES):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "附件"
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


@pytest.mark.parametrize("kind", ["xlsx", "csv"])  # the workbook, and the same saved as CSV (merges lost)
def test_a_two_row_merged_header_is_read_whole(tmp_path, kind):
    if kind == "xlsx":
        path = _notice_xlsx(tmp_path / "notice.xlsx")
    else:
        path = _write_csv(tmp_path / "notice.csv", [["" if c is None else str(c) for c in r] for r in NOTICE], "utf-8")
    lst = read_published(path)
    assert lst.header_rows == "rows 2–3" and lst.title == "附件：京津冀中试平台名单"
    assert lst.used == {"平台名称": "name", "依托单位": "operator", "所在区": "district", "领域": "sectors"}
    assert lst.ignored == ["序号", "备注", "column G (no header)"]  # every column not used is named
    assert [(r, v["name"], v["district"], v["sectors"]) for r, v in lst.rows] == [
        (4, "样例氢能中试平台", "海淀区", "氢能"), (5, "样例膜材料中试平台", "滨海新区", "新材料"),
        (6, "样例装备中试基地", "曹妃甸区", "新材料")]


def test_a_group_over_sub_headers_names_the_operators_columns(tmp_path):
    """依托单位信息 over 名称 / 统一社会信用代码: the operator's name and code, not the platform's."""
    rows = [["序号", "平台名称", "依托单位信息", None, "所在区"],
            [None, None, "名称", "统一社会信用代码", None],
            [1, "样例平台", "甲公司", "91110108551385082Q", "西青区"]]
    path = _notice_xlsx(tmp_path / "g.xlsx", rows, ("A1:A2", "B1:B2", "C1:D1", "E1:E2"))
    lst = read_published(path)
    assert lst.used == {"平台名称": "name", "依托单位信息/名称": "operator",
                        "依托单位信息/统一社会信用代码": "operator_credit_code", "所在区": "district"}
    assert lst.rows == [(3, {"name": "样例平台", "operator": "甲公司", "operator_credit_code": "91110108551385082Q",
                             "district": "西青区"})]


def test_a_district_merged_down_over_its_platforms_is_each_rows(tmp_path):
    rows = [["平台名称", "所在区"], ["甲平台", "滨海新区"], ["乙平台", None], ["一、河北省", None], ["丙平台", "曹妃甸区"]]
    lst = read_published(_notice_xlsx(tmp_path / "m.xlsx", rows, ("B2:B3", "A4:B4")))
    # the section heading merged across is not a value of each column: it stays one cell (a name, no district)
    assert [(v["name"], v["district"]) for _, v in lst.rows] == [
        ("甲平台", "滨海新区"), ("乙平台", "滨海新区"), ("一、河北省", ""), ("丙平台", "曹妃甸区")]


def test_a_platform_listed_once_per_operator_is_one_platform(tmp_path, bundled):
    rows = [["平台名称", "依托单位", "所属区"], ["样例联合中试平台", "样例甲科技有限公司", "海淀区"],
            ["样例联合中试平台", "样例乙科技有限公司", "海淀区"]]
    lst = read_published(_write_csv(tmp_path / "two.csv", rows, "utf-8"))
    applied = apply_plan(make_plan(lst, bundled), bundled, lst.where)
    [platform] = [i for i in applied.organizations if i.startswith("PF_")]
    assert sorted(r[2] for r in applied.relations) == [platform, platform]
