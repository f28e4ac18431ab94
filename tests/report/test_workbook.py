"""The pack's workbook for Excel users: Chinese sheet names explained on 说明, numbers as numbers, 暂无数据
on empty sheets, Chinese headers, and names that are formulas kept as text."""

from __future__ import annotations

import re

import pytest

from viz.report import SHEETS, write_report

from tests.exports.conftest import FORMULAS, formula_folder, formula_tables  # noqa: F401

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def workbook(tiny_tables, tmp_path):
    import openpyxl

    out = write_report(tiny_tables, tmp_path / "pack", since=tiny_tables)
    return openpyxl.load_workbook(out / "workbook.xlsx")


def _header_row(ws) -> int:
    """The row of a sheet's table header: 1, or 3 below a note."""
    return 3 if ws["A2"].value is None and ws["A3"].value is not None else 1


def test_every_sheet_name_is_chinese_and_explained(workbook):
    assert workbook.sheetnames[:len(SHEETS)] == list(SHEETS)
    assert all(HAN.search(n) for n in workbook.sheetnames), workbook.sheetnames
    listed = [r[0] for r in workbook["说明"].iter_rows(min_row=6, values_only=True) if r[0]]
    assert sorted(listed) == sorted(n for n in workbook.sheetnames if n != "说明")
    for sheet, about, command in workbook["说明"].iter_rows(min_row=6, values_only=True):
        assert HAN.search(about), sheet
    commands = {r[2] for r in workbook["说明"].iter_rows(min_row=6, values_only=True)}
    assert "jjjkg query platform-scorecard" in commands and "jjjkg query alliance-gaps" in commands


def test_every_header_is_chinese(workbook):
    for ws in workbook.worksheets:
        if ws.title in ("说明", "概览"):
            continue
        row = _header_row(ws)
        headers = [c.value for c in ws[row] if c.value is not None]
        if headers == ["暂无数据"]:
            continue
        bad = [h for h in headers if not HAN.search(str(h))]
        assert not bad, (ws.title, bad)
        assert not any(re.search(r"[a-z]_[a-z]", str(h)) for h in headers), (ws.title, headers)
        assert ws.freeze_panes == f"A{row + 1}" and ws.auto_filter.ref.startswith(f"A{row}:"), ws.title


def test_numbers_are_numbers(workbook, tiny_tables):
    ov = {r[0]: r[1] for r in workbook["概览"].iter_rows(values_only=True) if r[0]}
    assert ov["收录机构"] == len(tiny_tables.organizations) and isinstance(ov["收录机构"], int)
    assert isinstance(ov["收录占已认定的比例"], float)
    assert isinstance(ov["合计"], int)  # the type × province table: counts in cells, not "12 / 2 / 8"
    assert not [v for v in ov.values() if isinstance(v, str) and re.fullmatch(r"[\d /]+", v)]
    ws = workbook["平台评价"]
    header = [c.value for c in ws[_header_row(ws)]]
    col = header.index("综合得分") + 1
    values = [ws.cell(row=i, column=col).value for i in range(_header_row(ws) + 1, ws.max_row + 1)]
    assert values and all(isinstance(v, (int, float)) for v in values)


def test_empty_sheets_say_so_in_chinese(workbook):
    ws = workbook["变化"]  # the data compared with itself: nothing changed
    assert ws["A1"].value == "两次数据之间没有变化。"
    assert ws["A4"].value == "暂无数据"
    subsidy = workbook["补贴测算"]
    assert subsidy["A1"].value.startswith("数据中没有平台的总投资额")


def test_column_widths_fit_chinese(workbook):
    orgs = workbook["组织"]
    assert orgs.column_dimensions["B"].width >= 14
    assert all(d.width <= 62 for d in orgs.column_dimensions.values())


def test_formula_names_stay_text(formula_tables, tmp_path):  # noqa: F811
    import openpyxl

    out = write_report(formula_tables, tmp_path / "pack")
    wb = openpyxl.load_workbook(out / "workbook.xlsx")
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate, c.value)
                    seen.add(c.value)
    assert set(FORMULAS.values()) <= seen
    names = {r[0].value: r[1] for r in wb["组织"].iter_rows(min_row=2)}
    assert names["bj-uni-1"].value == "@SUM(1)" and names["bj-uni-1"].quotePrefix
    assert names["tj-site-1"].value == "+cmd|' /C calc'!A0"
