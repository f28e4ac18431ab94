"""Structural mistakes that would build a wrong graph with exit 0: misnamed files, sheets and headers."""

from __future__ import annotations

import shutil
import zipfile

import openpyxl
import pytest

import loaders
from tests.conftest import TINY, write_csv

from .test_errors import _org, _problems

REL = {"from_id": "x1", "relation": "合作", "to_id": "x2"}


def _book(path, sheets: dict[str, list[list]]):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


ORG_ROWS = [["id", "name", "type", "province"], ["x1", "甲", "企业", "北京"], ["x2", "乙", "企业", "天津"]]


@pytest.mark.parametrize("name, why", [
    ("relation.csv", "its name is close to it"),             # one letter short
    ("relations_2024.csv", "its name is close to it"),       # the table's name with a suffix
    ("links.csv", "its name is close to it"),                # another word for it
    ("data2.csv", "its columns are those of relations: from_id, relation, to_id"),  # any name, the right columns
])
def test_misnamed_relations_file_is_an_error(write_folder, name, why):
    folder = write_folder({"organizations": [_org(), _org(id="x2")]})
    write_csv(folder / name, [REL])
    assert _problems(folder) == [f"{name}: not read: did you mean relations.csv? ({why}); rename it to "
                                 "relations.csv, or its rows are left out"]


def test_misnamed_organizations_file_is_named(tmp_path):
    write_csv(tmp_path / "organisations.csv", [_org()])
    assert _problems(tmp_path) == ["organisations.csv: not read: did you mean organizations.csv? (its name is close "
                                   "to it); rename it to organizations.csv, or its rows are left out"]


def test_files_not_read_are_named_in_a_warning(write_folder):
    folder = write_folder({"organizations": [_org()]})
    (folder / "notes.txt").write_text("会议纪要\n", encoding="utf-8")
    (folder / "README.md").write_text("# 说明\n", encoding="utf-8")
    t = loaders.read_folder(folder)
    assert [str(w) for w in t.warnings] == [
        "data: files not read: notes.txt (a data folder's tables are organizations.csv, relations.csv, sectors.csv "
        "and services.csv)"]


def test_relations_sheet_named_sheet2_is_an_error(tmp_path):
    path = _book(tmp_path / "b.xlsx", {"organizations": ORG_ROWS,
                                       "Sheet2": [["from_id", "relation", "to_id"], ["x1", "合作", "x2"]]})
    assert _problems(path) == ["b.xlsx[Sheet2]: not read: did you mean the sheet 'relations' (or '关系')? (its "
                               "columns are those of relations: from_id, relation, to_id); rename the sheet, or its "
                               "rows are left out"]


def test_misnamed_sheet_is_an_error(tmp_path):
    path = _book(tmp_path / "b.xlsx", {"机构": ORG_ROWS, "relation": [["起点", "关系", "终点"], ["x1", "合作", "x2"]]})
    assert _problems(path) == ["b.xlsx[relation]: not read: did you mean the sheet 'relations' (or '关系')? (its "
                               "name is close to it); rename the sheet, or its rows are left out"]


def test_sheets_not_read_are_named_in_a_warning(tmp_path):
    path = _book(tmp_path / "b.xlsx", {"organizations": ORG_ROWS, "说明": [["本表说明"], ["2026 年版"]], "Sheet3": []})
    assert [str(w) for w in loaders.read_folder(path).warnings] == [
        "b.xlsx: sheets not read: 说明 (a workbook's tables are the sheets organizations, relations, sectors and "
        "services)"]


@pytest.mark.parametrize("header, column, zh", [
    ("provnce", "province", "省份"),   # a letter dropped: every province would be empty
    ("Provinec", "province", "省份"),  # two letters swapped, capitalised
    ("nmae", "name", "名称"),          # a required column misspelled: named once, as the misspelling
    ("sectros", "sectors", "行业/领域"),
])
def test_misspelled_header_is_an_error(write_folder, header, column, zh):
    row = _org(sectors="CH_H2")
    row[header] = row.pop(column)
    folder = write_folder({"organizations": [row]})
    assert _problems(folder) == [f"organizations.csv, row 1, column {header!r}: not a known column; did you mean "
                                 f"{column!r} ({zh})? rename the header (as written, the column would be ignored)"]


def test_unknown_header_far_from_any_is_a_warning(write_folder):
    folder = write_folder({"organizations": [{**_org(), "remarks": "x"}]})
    assert [str(w) for w in loaders.read_folder(folder).warnings] == [
        "organizations.csv, row 1, column 'remarks': not a column of this table; ignored (known columns: id, name, "
        "name_en, type, province, city, district, sectors, level, platform_kind, independent_legal_entity, "
        "services, needs, credit_code, lat, lon, source, aliases, investment, open_to_public)"]


def test_missing_province_column_is_an_error(write_folder):
    rows = [_org(), _org(id="a", type="alliance")]
    for row in rows:
        del row["province"]
    folder = write_folder({"organizations": rows})
    assert _problems(folder) == ["organizations.csv, row 1, column 'province': required column is missing (header "
                                 "'province' or '省份'): the analyses need 北京, 天津 or 河北 for every organization "
                                 "but alliances and agencies"]


def test_alliances_alone_need_no_province_column(write_folder):
    folder = write_folder({"organizations": [{"id": "a", "name": "联盟", "type": "alliance"}]})
    assert len(loaders.read_folder(folder).organizations) == 1


def test_many_unknown_sectors_without_sectors_csv_give_one_error(write_folder):
    rows = [_org(id=f"x{i}", sectors=s) for i, s in enumerate(["量子", "光子;CH_H2", "量子", "类脑", "深海;星链", "CH_H2"])]
    folder = write_folder({"organizations": rows})
    assert _problems(folder) == [
        "organizations.csv, column 'sectors': 5 sector names in 5 rows are not in the bundled sectors: '量子' (rows "
        "2, 4); '光子' (row 3); '类脑' (row 5); '深海' (row 6); '星链' (row 6). If the data uses sectors of its own, "
        "add a sectors.csv (columns id, name, kind) that lists them; else write ids or names of the bundled sectors"]


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_folders_build_the_tiny_graph(tmp_path, tiny_tables, sep):
    import csv

    folder = tmp_path / "d"
    folder.mkdir()
    for name in ("organizations", "relations", "sectors", "services"):
        with open(TINY / f"{name}.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
            csv.writer(f, delimiter=sep, lineterminator="\n").writerows(rows)
    t = loaders.read_folder(folder)
    assert t.organizations["id"].tolist() == tiny_tables.organizations["id"].tolist()
    assert t.organizations["sectors"].tolist() == tiny_tables.organizations["sectors"].tolist()
    assert len(t.relations) == len(tiny_tables.relations)


def test_bundled_and_tiny_have_no_new_problem():
    assert len(loaders.read_bundled().warnings) == 6  # the type mismatches the bundled README explains
    assert len(loaders.read_folder(TINY).warnings) == 2


# ----------------------------------------------------------------------------- workbook cells


def test_formula_without_saved_value_is_an_error(tmp_path):
    path = _book(tmp_path / "b.xlsx", {"organizations": ORG_ROWS + [["x3", "=B2&\"分部\"", "企业", "北京"]]})
    assert _problems(path) == ["b.xlsx[organizations], row 4, column 'name': cell B4 holds a formula (=B2&\"分部\") "
                               "with no saved value, so its value cannot be read; open the workbook in Excel or "
                               "LibreOffice, recalculate and save it (or paste the values), then build again"]


def test_formula_with_saved_value_is_read(tmp_path):
    """As Excel saves it: the formula and its last value."""
    src = _book(tmp_path / "src.xlsx", {"organizations": ORG_ROWS + [["x3", "=B2&\"分部\"", "企业", "北京"]]})
    path = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="B4"><f>', b'<c r="B4" t="str"><f>').replace(
                    "分部\"</f><v />".encode(), "分部\"</f><v>甲分部</v>".encode())
                assert "<v>甲分部</v>".encode() in data
            zout.writestr(info, data)
    assert loaders.read_folder(path).organizations["name"].tolist() == ["甲", "乙", "甲分部"]


@pytest.mark.parametrize("year, message", [
    ("99999999999999999999", "expected a whole number between -9223372036854775808 and 9223372036854775807 "
                             "(a 64-bit integer), got '99999999999999999999'"),
    ("2021.5", "expected a whole number, got '2021.5'"),
    ("9007199254740993", "expected a year between 1900 and 2100, got '9007199254740993'"),
])
def test_year_beyond_int64_is_an_error_not_a_clamp(write_folder, year, message):
    folder = write_folder({"organizations": [_org(), _org(id="x2")], "relations": [{**REL, "year": year}]})
    assert _problems(folder) == [f"relations.csv, row 2, column 'year': {message}"]


def test_exact_integer_is_kept_exactly():
    from loaders.normalize import integer

    assert integer("9007199254740993") == 9007199254740993  # not rounded through a float
    assert integer("2017.0") == 2017


def test_tiny_folder_still_loads_unchanged(tmp_path, tiny_tables):
    shutil.copytree(TINY, tmp_path / "t")
    t = loaders.read_folder(tmp_path / "t")
    assert t.organizations.equals(tiny_tables.organizations)


def test_two_files_for_one_table_is_an_error(write_folder):
    folder = write_folder({"organizations": [_org()]})
    write_csv(folder / "机构.csv", [_org(id="y")])
    assert _problems(folder) == ["机构.csv: names the same table as organizations.csv (organizations); keep one of them"]


def test_a_list_with_ids_and_names_is_not_taken_for_sectors(write_folder):
    folder = write_folder({"organizations": [_org()]})
    write_csv(folder / "platforms_2026.csv", [{"id": "p1", "name": "某平台"}])
    assert [str(w) for w in loaders.read_folder(folder).warnings] == [
        "data: files not read: platforms_2026.csv (a data folder's tables are organizations.csv, relations.csv, "
        "sectors.csv and services.csv)"]
