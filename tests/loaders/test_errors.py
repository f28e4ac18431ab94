"""Every kind of input problem: named by file, row and column, all of a file at once, no traceback."""

from __future__ import annotations

import pytest

import loaders
from graph.errors import InputError


def _problems(folder) -> list[str]:
    with pytest.raises(InputError) as err:
        loaders.read_folder(folder)
    return [str(p) for p in err.value.problems]


def _org(**kw):
    row = {"id": "x1", "name": "某机构", "type": "enterprise", "province": "北京", "sectors": "", "level": "",
           "platform_kind": "", "independent_legal_entity": "", "services": "", "needs": "", "credit_code": "",
           "lat": "", "lon": ""}
    row.update(kw)
    return row


# one case per rule: (the row's changed cells, the exact problem text)
ORG_CASES = [
    ({"id": ""}, "organizations.csv, row 2, column 'id': a value is required"),
    ({"name": ""}, "organizations.csv, row 2, column 'name': a value is required"),
    ({"type": "工厂店"}, "organizations.csv, row 2, column 'type': expected an organization type: platform (中试平台), "
                         "enterprise (企业), university (高校), institute (科研院所), site (生产基地), park (园区), "
                         "alliance (联盟), agency (政府部门), financial (金融机构); got '工厂店'"),
    ({"province": ""}, "organizations.csv, row 2, column 'province': a province is required for this type: "
                       "北京, 天津 or 河北"),
    ({"province": "上海"}, "organizations.csv, row 2, column 'province': expected 北京, 天津 or 河北 "
                           "(or 北京市, Beijing …), got '上海'"),
    ({"sectors": "CH_H2;量子"}, "organizations.csv, row 2, column 'sectors': unknown sector '量子': expected an id "
                                "or name from the bundled sectors (e.g. CH_BIO, CH_H2, CH_MT …)"),
    ({"sectors": "生物医药"}, "organizations.csv, row 2, column 'sectors': sector name '生物医药' matches 2 sectors: "
                              "CH_BIO (chain), CL_BIO (cluster); write the id instead"),
    ({"level": "省部"}, "organizations.csv, row 2, column 'level': expected a level: national (国家级), "
                        "municipal (市级), district (区级), none (无); got '省部'"),
    ({"platform_kind": "车间"}, "organizations.csv, row 2, column 'platform_kind': expected a platform kind: "
                                "pilot_platform (中试平台), pilot_line (中试产线), pilot_base (中试基地), "
                                "zero_factory (中试零号工厂), public_service (综合性中试公共服务机构), "
                                "transformation_base (中试转化基地); got '车间'"),
    ({"independent_legal_entity": "也许"}, "organizations.csv, row 2, column 'independent_legal_entity': "
                                           "expected true/false or 是/否, got '也许'"),
    ({"services": "喝茶"}, "organizations.csv, row 2, column 'services': unknown service '喝茶': expected an id or "
                           "name from the bundled services (e.g. SVC_COMMERCIALIZATION, SVC_DATA_SIMULATION, "
                           "SVC_ENGINEERING_SCALEUP …)"),
    ({"credit_code": "12345"}, "organizations.csv, row 2, column 'credit_code': expected 18 characters "
                               "(统一社会信用代码), got 5: '12345'"),
    ({"credit_code": "91110108551385082I"}, "organizations.csv, row 2, column 'credit_code': expected digits and "
                                            "capital letters except I, O, S, V, Z; '91110108551385082I' contains 'I'"),
    ({"credit_code": "91110108551385082A"}, "organizations.csv, row 2, column 'credit_code': check digit is 'A' but "
                                            "GB 32100 gives 'Q' for '91110108551385082': a character is mistyped"),
    ({"lat": "31.2", "lon": "121.5"}, "organizations.csv, row 2, column 'lat': expected a lat inside the Jing-Jin-Ji "
                                      "box, 36.0–42.7 degrees; got 31.2"),
    ({"lat": "116.4", "lon": "39.9"}, "organizations.csv, row 2, column 'lat': expected a lat inside the Jing-Jin-Ji "
                                      "box, 36.0–42.7 degrees; got 116.4 (is it the lon? the columns may be swapped)"),
    ({"lat": "39.9"}, "organizations.csv, row 2, column 'lon': give both lat and lon, or neither "
                      "(a point needs both coordinates)"),
    ({"lat": "北纬40", "lon": "116"}, "organizations.csv, row 2, column 'lat': expected a number, got '北纬40'"),
]


@pytest.mark.parametrize("cells, message", ORG_CASES, ids=[m.split(": ", 1)[1][:40] for _, m in ORG_CASES])
def test_organization_problem(write_folder, cells, message):
    folder = write_folder({"organizations": [_org(**cells)]})
    assert message in _problems(folder)


def test_duplicate_id_names_both_rows(write_folder):
    folder = write_folder({"organizations": [_org(), _org(name="另一个"), _org(id="x2")]})
    assert _problems(folder) == ["organizations.csv, row 3, column 'id': duplicate id 'x1': row 2 has it already; "
                                 "ids must be unique"]


def test_every_problem_of_a_file_at_once(write_folder):
    folder = write_folder({"organizations": [_org(type="?"), _org(id="x2", province="上海"),
                                             _org(id="x3", credit_code="1")]})
    rows_cols = [p.split(":")[0] for p in _problems(folder)]
    assert rows_cols == ["organizations.csv, row 2, column 'type'", "organizations.csv, row 3, column 'province'",
                         "organizations.csv, row 4, column 'credit_code'"]


def test_problems_of_two_files_together(write_folder):
    folder = write_folder({"organizations": [_org(type="?")],
                           "relations": [{"from_id": "x1", "relation": "LIKES", "to_id": "nobody"}]})
    assert _problems(folder) == [
        "organizations.csv, row 2, column 'type': expected an organization type: platform (中试平台), enterprise (企业), "
        "university (高校), institute (科研院所), site (生产基地), park (园区), alliance (联盟), agency (政府部门), "
        "financial (金融机构); got '?'",
        "relations.csv, row 2, column 'relation': expected a relation: TRANSFERS_TO (研发转中试), SCALES_UP_AT (量产放大), "
        "OPERATES (建设运营), MEMBER_OF (联盟成员), PARTNERS_WITH (合作), SUPPORTS (支持); got 'LIKES'",
        "relations.csv, row 2, column 'to_id': unknown organization id 'nobody': expected an id from organizations.csv",
    ]


REL_CASES = [
    ({"from_id": ""}, "relations.csv, row 2, column 'from_id': a value is required"),
    ({"year": "二〇二一"}, "relations.csv, row 2, column 'year': expected a whole number, got '二〇二一'"),
    ({"year": "1066"}, "relations.csv, row 2, column 'year': expected a year between 1900 and 2100, got '1066'"),
    ({"weight": "heavy"}, "relations.csv, row 2, column 'weight': expected a number, got 'heavy'"),
]


@pytest.mark.parametrize("cells, message", REL_CASES, ids=[m.split(": ", 1)[1][:30] for _, m in REL_CASES])
def test_relation_problem(write_folder, cells, message):
    rel = {"from_id": "x1", "relation": "PARTNERS_WITH", "to_id": "x2", "year": "", "weight": ""}
    rel.update(cells)
    folder = write_folder({"organizations": [_org(), _org(id="x2")], "relations": [rel]})
    assert message in _problems(folder)


def test_missing_required_column_lists_what_is_there(write_folder):
    folder = write_folder({"organizations": [{"编号": "a", "名称": "甲", "省份": "北京"}]})
    assert _problems(folder) == ["organizations.csv, row 1, column 'type': required column is missing "
                                 "(header 'type' or '类型'); columns in the file: '编号', '名称', '省份'"]


def test_two_headers_for_one_column(write_folder):
    folder = write_folder({"organizations": [{"id": "a", "编号": "b", "name": "甲", "type": "企业", "province": "北京"}]})
    assert _problems(folder) == ["organizations.csv, row 1, column '编号': names the same column as 'id' (id); "
                                 "keep one of them"]


def test_bad_sector_file(write_folder):
    folder = write_folder({"organizations": [_org()],
                           "sectors": [{"id": "A", "name": "甲", "kind": "链条", "parent": ""},
                                       {"id": "A", "name": "乙", "kind": "chain", "parent": "Z"}]})
    assert _problems(folder) == [
        "sectors.csv, row 2, column 'kind': expected a sector kind: chain (产业链), cluster (集群), industry (产业); "
        "got '链条'",
        "sectors.csv, row 3, column 'id': duplicate id 'A': row 2 has it already; ids must be unique",
        "sectors.csv, row 3, column 'parent': expected a sector id of this file, got 'Z'",
    ]


def test_undecodable_file(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "organizations.csv").write_bytes(b"id,name\n\xff\xfe\xfa,x\n")
    assert _problems(folder) == ["organizations.csv: cannot decode the file: expected UTF-8 or GB18030 text "
                                 "(byte 8 is b'\\xff'); save it as CSV UTF-8"]


def test_empty_organizations_file(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "organizations.csv").write_text("")
    assert _problems(folder) == ["organizations.csv: the file is empty: expected a header row (id, name, type …)"]


def test_folder_without_organizations(tmp_path):
    (tmp_path / "relations.csv").write_text("from_id,relation,to_id\n")
    assert _problems(tmp_path) == [f"{tmp_path}: organizations.csv is required in a data folder "
                                   "(the folder holds: relations.csv)"]


def test_missing_path(tmp_path):
    assert _problems(tmp_path / "nope") == [f"{tmp_path / 'nope'}: no such file or folder: expected a data folder "
                                            "with organizations.csv or an .xlsx workbook"]


def test_workbook_without_organizations_sheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "其他"
    wb.save(tmp_path / "book.xlsx")
    assert _problems(tmp_path / "book.xlsx") == ["book.xlsx: a sheet named 'organizations' (or '机构') is required; "
                                                 "sheets in the workbook: 其他"]


def test_problem_in_a_workbook_names_the_sheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "organizations"
    ws.append(["id", "name", "type", "province"])
    ws.append(["a", "甲", "企业", "火星"])
    wb.save(tmp_path / "book.xlsx")
    assert _problems(tmp_path / "book.xlsx") == ["book.xlsx[organizations], row 2, column 'province': expected "
                                                 "北京, 天津 or 河北 (or 北京市, Beijing …), got '火星'"]


def test_warnings_are_kept_not_fatal(write_folder):
    folder = write_folder({
        "organizations": [_org(credit_code="91110108551385082Q", province="河北"),
                          _org(id="x2", city="火星市"), _org(id="x3", type="park", services="样品试制")],
        "relations": [{"from_id": "x1", "relation": "OPERATES", "to_id": "x2"},
                      {"from_id": "x1", "relation": "运营", "to_id": "x2", "source": "又一来源"}]})
    t = loaders.read_folder(folder)
    assert [str(w) for w in t.warnings] == [
        "organizations.csv, row 2, column 'credit_code': region digits '110108' (GB/T 2260) are not in 河北 "
        "(codes there start 13); check the code or the province",
        "organizations.csv, row 3, column 'city': city '火星市' is not in the region tree of 北京; placed at 北京",
        "organizations.csv, row 4, column 'services': services are offered by platforms; kept for this park all "
        "the same",
        "relations.csv, row 2, column 'to_id': OPERATES expects Platform here, found Enterprise; kept (and 1 more row)",
        "relations.csv, row 3: same relation as row 2; merged into it",
    ]
    assert len(t.relations) == 1 and t.relations.loc[0, "source"] == "又一来源"


def test_cli_reports_without_traceback_and_keeps_old_store(write_folder, cli, store_path):
    good = write_folder({"organizations": [_org()]}, name="good")
    assert cli("build", "--data", good, "--store", store_path)[0] == 0
    before = {p.relative_to(store_path): p.read_bytes() for p in sorted(store_path.rglob("*")) if p.is_file()}
    bad = write_folder({"organizations": [_org(type="?"), _org(id="x2", province="上海")]}, name="bad")
    code, out, err = cli("build", "--data", bad, "--store", store_path)
    assert code == 1
    assert "Traceback" not in err
    assert err.splitlines()[-3:] == [
        "Error: the input has 2 problems; nothing was written",
        "  organizations.csv, row 2, column 'type': expected an organization type: platform (中试平台), enterprise "
        "(企业), university (高校), institute (科研院所), site (生产基地), park (园区), alliance (联盟), agency "
        "(政府部门), financial (金融机构); got '?'",
        "  organizations.csv, row 3, column 'province': expected 北京, 天津 or 河北 (or 北京市, Beijing …), got '上海'",
    ]
    after = {p.relative_to(store_path): p.read_bytes() for p in sorted(store_path.rglob("*")) if p.is_file()}
    assert after == before
    from graph.store.versions import leftovers

    assert leftovers(store_path) == []  # beside the store only its current version and its writer lock
