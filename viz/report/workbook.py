"""The workbook: every table of the pack for Excel users, in Chinese, with the ids the briefing leaves out.

Sheet names are Chinese; the first sheet, 说明, says what each sheet holds and which analysis
(``jjjkg query NAME``) made it. Numbers are stored as numbers, headers are frozen with filters on,
column widths fit their text (CJK characters count double), an empty sheet says 暂无数据, notes
are Chinese. Text from data that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``,
tab, CR first) is stored as text with Excel's quote prefix, the workbook form of a leading ``'``:
the cell shows the name as written and stays text when edited.

Readers: whoever changes what the pack's workbook holds.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from graph import schema
from graph.build import sector_node
from graph.safe_write import replacing
from viz.records_text import display_width

from ..excel_safe import neutralise
from .content import _TYPE_ZH, ANALYSES_ZH, OWN, _gap_zh, data_source_zh, name_of, plain, sector_name

__all__ = ["write_workbook", "SHEETS", "EMPTY"]

#: the workbook's first sheets, in order (变化, the other analyses and 来源 follow)
SHEETS = ("说明", "概览", *(ANALYSES_ZH[name][0] for name in OWN), "组织", "关系")
EMPTY = "暂无数据"
_MAX_WIDTH = 60


def _put(ws, row: int, col: int, value):
    """Write one cell: numbers as numbers, text as text (quote-prefixed when it looks like a formula)."""
    v = plain(value)
    c = ws.cell(row=row, column=col)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        v = str(v)
        c.value = v
        c.data_type = "s"  # openpyxl reads a leading '=' as a formula; data is never one
        if neutralise(v) != v:
            c.quotePrefix = True
    else:
        c.value = v
    return c


def _fit(ws, widths: dict[int, int]) -> None:
    from openpyxl.utils import get_column_letter

    for j, w in widths.items():
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), _MAX_WIDTH)


def _sheet(wb, title: str, headers: list[str], rows: list[list], note: str = ""):
    """A sheet with one table: an optional note above, a bold frozen header with filters, 暂无数据 when empty."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    start = 1
    if note:
        ws.cell(row=1, column=1, value=note).font = Font(italic=True, color="9C6500")
        start = 3
    if not headers:
        ws.cell(row=start, column=1, value=EMPTY).font = Font(color="808080")
        ws.column_dimensions["A"].width = 40
        return ws
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8ECF2")
    widths = {}
    for j, h in enumerate(headers, 1):
        c = _put(ws, start, j, h)
        c.font, c.fill = bold, fill
        widths[j] = display_width(str(h))
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(rows, start + 1):
        for j, v in enumerate(row, 1):
            c = _put(ws, i, j, v)
            w = display_width(str(c.value if c.value is not None else ""))
            if w > _MAX_WIDTH:
                c.alignment = wrap
            if i < start + 2000:
                widths[j] = max(widths.get(j, 0), w)
    if not rows:
        ws.cell(row=start + 1, column=1, value=EMPTY).font = Font(color="808080")
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
    ws.auto_filter.ref = f"A{start}:{get_column_letter(len(headers))}{start + max(len(rows), 1)}"
    _fit(ws, widths)
    return ws


def _block(ws, row: int, headers: list[str], rows: list[list]) -> int:
    """A small table inside a sheet (概览); returns the next free row."""
    from openpyxl.styles import Font, PatternFill

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8ECF2")
    for j, h in enumerate(headers, 1):
        c = _put(ws, row, j, h)
        c.font, c.fill = bold, fill
    for i, r in enumerate(rows, row + 1):
        for j, v in enumerate(r, 1):
            _put(ws, i, j, v)
    return row + len(rows) + 2


def _overview(wb, content: dict) -> None:
    from openpyxl.styles import Font

    src, cov = content["src"], content["coverage"]
    chains = content["chains"]
    ws = wb.create_sheet("概览")
    rows = [["报告日期", date.today().isoformat(), ""],
            ["数据构建时间", src.meta.get("built_at") or "—", ""],
            ["数据指纹", src.fingerprint or "—", ""],
            ["数据来源", data_source_zh(src.meta), ""],
            ["收录机构", len(content["tables"].organizations), "家"],
            ["收录关系", len(content["tables"].relations), "条"],
            ["中试平台", cov["beijing"] + cov["others"], "家"],
            ["其中北京中试平台", cov["beijing"], "家"],
            ["北京已认定中试平台", cov["recognised"], cov["source"]],
            ["收录占已认定的比例", cov["beijing"] / cov["recognised"], "按北京平台计"],
            ["完整链路", len(content["paths"]), "条"],
            ["产业链", len(chains), "条"],
            ["已贯通的产业链", sum(1 for c in chains if c["status"] != "red"), "条"]]
    nxt = _block(ws, 1, ["项目", "数值", "说明"], rows)
    ws.cell(row=11, column=2).number_format = "0%"
    ws.freeze_panes = "A2"
    ws.cell(row=nxt, column=1, value="机构：类型 × 省份").font = Font(bold=True)
    bt = content["by_type"]
    nxt = _block(ws, nxt + 1, ["类型", *bt["columns"]], [[r["label"], *r["counts"]] for r in bt["rows"]])
    ws.cell(row=nxt, column=1, value="北京中试平台与 2030 年目标").font = Font(bold=True)
    nxt = _block(ws, nxt + 1, ["级别", "现有", "目标", "差距"],
                 [[f"{t['level']}中试平台", t["have"], t["target"], t["shortfall"]] for t in content["targets"]])
    ws.cell(row=nxt, column=1, value="目标出处")
    ws.cell(row=nxt, column=2, value=content["targets_source"])
    ws.cell(row=nxt + 2, column=1, value="产业链状态").font = Font(bold=True)
    _block(ws, nxt + 3, ["产业链", "状态", "完整链路", "主要断点"],
           [[c["name"], c["status_zh"], c["paths"], "；".join(c["words"])] for c in chains])
    _fit(ws, {1: 24, 2: 16, 3: 16, 4: 50})


def _readme(wb, content: dict, sheets: list[tuple[str, str, str]]) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet("说明", 0)
    ws.cell(row=1, column=1, value="京津冀中试生态 会商工作簿").font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=f"报告日期 {date.today().isoformat()}；数据构建于 "
                                   f"{str(content['src'].meta.get('built_at') or '—')[:10]}。内部分析材料。")
    ws.cell(row=3, column=1, value="原数据中以 = + - @ 开头的文字按文本保存（不会被当作公式执行）；编号列可用于在交互视图和 jjjkg 命令中查找。")
    from openpyxl.styles import PatternFill

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8ECF2")
    for j, h in enumerate(["工作表", "内容", "对应的分析（命令）"], 1):
        c = ws.cell(row=5, column=j, value=h)
        c.font, c.fill = bold, fill
    for i, (sheet, about, cmd) in enumerate(sheets, 6):
        _put(ws, i, 1, sheet)
        _put(ws, i, 2, about)
        _put(ws, i, 3, cmd)
    ws.freeze_panes = "A6"
    _fit(ws, {1: 14, 2: 70, 3: 40})


def write_workbook(content: dict, path: Path, *, diff: dict | None = None) -> Path:
    """The workbook: 说明, 概览, the pack's tables with ids, the other analyses, 来源 (and 变化)."""
    from openpyxl import Workbook

    from graph.tables import records

    G = content["G"]
    tables = content["tables"]
    gap_zh = _gap_zh()
    wb = Workbook()
    wb.remove(wb.active)
    sheets: list[tuple[str, str, str]] = [("概览", "数据日期、收录规模、2030 年目标、各产业链状态", "jjjkg report")]

    _overview(wb, content)
    sup, m = content["supply"], content["matching"]
    pack_tables = {
        "alliance-gaps": (["领域编号", "领域", "领域类别", "断点代码", "断点", "相关机构编号", "相关机构"],
                          [[g["sector"], sector_name(G, g["sector"]),
                            schema.SECTOR_KIND_ZH.get(G.nodes[sector_node(g["sector"])].get("kind"), ""), g["gap"],
                            gap_zh.get(g["gap"], g["gap"]), g["entity_id"] or "",
                            name_of(G, g["entity_id"]) if g["entity_id"] else ""] for g in content["gaps"]], ""),
        "rd-scaleup-paths": (["研发主体编号", "研发主体", "中试平台编号", "中试平台", "量产承接编号", "量产承接", "承接省份",
                              "共同领域编号", "共同领域"],
                             [[p["rnd_id"], name_of(G, p["rnd_id"]), p["platform_id"], name_of(G, p["platform_id"]),
                               p["site_id"], name_of(G, p["site_id"]), G.nodes[p["site_id"]].get("province", ""),
                               ";".join(p["sectors"]), "、".join(sector_name(G, s) for s in p["sectors"])]
                              for p in content["paths"]], ""),
        "supply-list": (sup["table"]["headers"], sup["table"]["rows"], sup["note"]),
        "supply-demand": (m["table"]["headers"], m["table"]["rows"], m["note"]),
    }
    for name in OWN:
        sheet, about = ANALYSES_ZH[name]
        headers, rows, note = pack_tables[name]
        _sheet(wb, sheet, headers, rows, note)
        sheets.append((sheet, about, f"jjjkg query {name}"))

    org_cols = schema.ORGANIZATIONS.columns

    def org_value(c, v):
        if c.kind == "bool":
            return "" if v is None else ("是" if v else "否")
        if c.name == "type":
            return _TYPE_ZH.get(v, v)
        if c.name == "level" and v:
            return schema.LEVEL_ZH.get(v, v)
        if c.name == "platform_kind" and v:
            return schema.PLATFORM_KIND_ZH.get(v, v)
        return plain(v)

    _sheet(wb, "组织", [c.zh for c in org_cols],
           [[org_value(c, r[c.name]) for c in org_cols] for r in records(tables.organizations)])
    sheets.append(("组织", "全部收录机构及其属性（输入数据 organizations.csv）", "jjjkg build"))
    rel_cols = schema.RELATIONS_TABLE.columns
    _sheet(wb, "关系", [*(c.zh for c in rel_cols[:3]), "起点名称", "关系名称", "终点名称", *(c.zh for c in rel_cols[3:])],
           [[r["from_id"], r["relation"], r["to_id"], name_of(G, r["from_id"]), schema.RELATIONS[r["relation"]].zh,
             name_of(G, r["to_id"]), *(plain(r[c.name]) for c in rel_cols[3:])] for r in records(tables.relations)])
    sheets.append(("关系", "全部收录关系（输入数据 relations.csv）", "jjjkg build"))
    if diff is not None:
        rows = []
        for part in diff["parts"]:
            for r, ids in zip(part["rows"], part["ids"]):
                rows.append([part["title"], *r, *([""] * (4 - len(r))), " → ".join(ids)])
        _sheet(wb, "变化", ["变化", "内容1", "内容2", "内容3", "内容4", "编号"], rows,
               "" if rows else "两次数据之间没有变化。")
        sheets.append(("变化", "自上次会商以来的变化（jjjkg report --since）", "jjjkg diff"))
    for a in content["analyses"]:
        _sheet(wb, a["sheet"], a["headers"], a["rows"], a["note"])
        sheets.append((a["sheet"], a["about"], f"jjjkg query {a['name']}"))
    _sheet(wb, "来源", ["来源", "引用行数"], [[s["text"], s["count"]] for s in content["sources"]]
           + [["坐标：" + s["text"], s["count"]] for s in content.get("coordinate_sources", ())])
    sheets.append(("来源", "数据来源及被引用的行数", ""))
    _readme(wb, content, sheets)
    with replacing(path) as tmp:
        wb.save(tmp)
    return path

