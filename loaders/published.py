"""Reading a list as it is published: a notice's attachment, a park's tenant list.

Such a list has no ids, may have title rows above its header (北京市中试平台名单（第一批）), and
headers of its own (序号, 平台名称, 依托单位, 所属区, 重点领域, 级别 …). ``read_published`` finds
the header row, maps the headers it knows to fields, and returns every data row with the row
number a spreadsheet shows — nothing is resolved here (see ``loaders.listimport``).

A list comes from others, so it passes the guards every input passes (``loaders.untrusted``,
``loaders.cells``, ``loaders.workbook``): a workbook's sizes and DTDs are checked before it is
opened, a formula with no saved value is an error, a control character or a line break in a cell
is an error naming the row and column, and a CSV file's stray quotes and mixed encodings are
errors naming the lines.

Readers: whoever adds a header spelling — ``FIELDS`` is the one place for them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import InputError, Problem

import pandas as pd

from .cells import check_cells, check_value, printable
from .header import SEARCH_ROWS, fill_merges, find_header
from .read import ROW, RawTable, _fold_header, _open_quote_row, _record_lines, csv_rows, decode, normalize_text

__all__ = ["PublishedList", "read_published", "FIELDS"]

#: field → header spellings (folded: no spaces, half-width brackets); the first is what help shows
FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "平台名称", "单位名称", "机构名称", "企业名称", "中试平台名称", "基地名称", "载体名称",
             "平台(基地)名称", "园区名称", "name"),
    "operator": ("依托单位", "运营单位", "建设单位", "依托单位名称", "运营主体", "建设主体", "承建单位",
                 "牵头单位", "运营机构", "operator"),
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码", "credit_code"),
    "operator_credit_code": ("依托单位统一社会信用代码", "依托单位信用代码", "运营单位统一社会信用代码"),
    "province": ("省份", "所属省份", "省", "所在省份", "province"),
    "city": ("城市", "所属市", "所在市", "地市", "所在城市", "city"),
    "district": ("所属区", "区县", "所在区", "所属区县", "所在区县", "区", "行政区", "所属行政区", "district"),
    "address": ("地址", "详细地址", "通讯地址", "所在地址", "注册地址", "address"),
    "sectors": ("重点领域", "领域", "行业", "所属领域", "产业领域", "技术领域", "所属行业", "sectors"),
    "level": ("级别", "平台级别", "认定级别", "level"),
    "type": ("类型", "机构类型", "单位类型", "类别", "type"),
}
_LOOKUP = {h: f for f, spellings in FIELDS.items() for h in spellings}
#: fields kept exactly as the list writes them (an official name keeps its full-width brackets); matching folds
#: them on its own (``loaders.match``)
AS_GIVEN = frozenset({"name", "operator", "address"})
#: rows searched for the header
HEADER_SEARCH_ROWS = SEARCH_ROWS


@dataclass
class PublishedList:
    """A published list as read: title, where it came from, its fields and rows."""

    file: str  # the file's name, as messages and provenance say it
    sheet: str | None
    title: str | None  # the title row above the header, if any
    header_row: int  # the header's last row (a header may take two: see ``header_top``)
    used: dict[str, str]  # header as written → field
    ignored: list[str]  # every column not used: its header, or 'column F (no header)'
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (spreadsheet row, field → text)
    warnings: list[Problem] = field(default_factory=list)  # invisible characters kept, with row and column
    header_top: int | None = None  # the header's first row (None: header_row)
    labels: list[str] = field(default_factory=list)  # each column's header as read ('' for none)

    @property
    def header_rows(self) -> str:
        """``'row 2'``, or ``'rows 2–3'`` for a two-row header."""
        top = self.header_top or self.header_row
        return f"row {top}" if top == self.header_row else f"rows {top}–{self.header_row}"

    @property
    def where(self) -> str:
        return f"{self.file}[{self.sheet}]" if self.sheet else self.file


def read_published(path: str | Path, sheet: str | None = None) -> PublishedList:
    """Read a published list from ``.xlsx`` (any sheet) or ``.csv`` (UTF-8, BOM or GB18030).

    Raises ``InputError`` for a missing file, a sheet that is not there, or no recognisable header.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(Problem(str(p), None, None, "no such file: expected the list as .xlsx or .csv"))
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _from_workbook(p, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        if sheet:
            raise InputError(Problem(p.name, None, None, f"--sheet {sheet!r} given, but a CSV file has no sheets"))
        text = decode(p.read_bytes(), p.name)
        delimiter = _list_delimiter(text)
        open_quote = _open_quote_row(text, delimiter)
        if open_quote is not None:
            raise InputError(Problem(p.name, open_quote, None,
                                     "a quote (\") opens a cell here and is never closed, so the rest of the file "
                                     "would be one cell; close the quote or remove it"))
        grid = list(csv_rows(text, p.name, delimiter))
        lines = _record_lines(text, delimiter, len(grid) - 1) if len(grid) > 1 else None
        return _checked(_from_grid(p.name, None, grid), lines, delimiter)
    raise InputError(Problem(p.name, None, None, f"cannot read {p.suffix or 'this file'} as a list: "
                             "expected .xlsx or .csv (UTF-8 or GB18030)"))


def _list_delimiter(text: str) -> str:
    """``,``, TAB or ``;``: the first with which one of the first rows reads as a header with a name column.

    A title row above the header may hold none of them, or a ``;`` of its own, and a data row a run of
    ``;`` between sectors, so neither the first line nor the most frequent character decides.
    """
    head = "\n".join(text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS])
    for sep in (",", "\t", ";"):
        rows = csv.reader(io.StringIO(head), delimiter=sep)
        try:
            if sep in head and any(_LOOKUP.get(_fold_header(c)) == "name" for row in rows for c in row):
                return sep
        except csv.Error:  # a cell past the csv module's limit: the full read names its line
            continue
    return ","


def _from_workbook(path: Path, sheet: str | None) -> PublishedList:
    from .untrusted import check_archive
    from .workbook import open_workbook

    check_archive(path)  # before anything inflates
    try:
        book = open_workbook(path)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        raise InputError(Problem(path.name, None, None, f"not a readable .xlsx workbook: {err}")) from err
    wb = book.wb
    try:
        names = list(wb.sheetnames)
        if sheet is not None:
            if sheet not in names:
                raise InputError(Problem(path.name, None, None, f"no sheet {sheet!r}; sheets in the workbook: "
                                         + ", ".join(repr(n) for n in names)))
            candidates = [sheet]
        else:
            candidates = names
        tried = []
        for name in candidates:
            grid = [[_cell(v) for v in row] for row in wb[name].iter_rows(values_only=True)]
            merges = book.merged_ranges(name)  # too many is an error of its own, not "no header"
            try:
                lst = _from_grid(path.name, name, grid, merges)
            except InputError as err:
                if sheet is not None:
                    raise
                tried.append(f"{name!r}: {err.problems[0].message}")
                continue
            problems = book.formulas_without_values({name: pd.DataFrame(columns=lst.labels)})
            if problems:
                raise InputError(problems)
            return _checked(lst)
        raise InputError(Problem(path.name, None, None, "no sheet has a recognisable header; "
                                 + "; ".join(tried)))
    finally:
        wb.close()


def _checked(lst: PublishedList, lines: dict[int, tuple[int, int]] | None = None,
             sep: str | None = None) -> PublishedList:
    """``lst``, once every cell passed ``loaders.cells.check_cells`` (the warnings kept in ``lst.warnings``)."""
    fields = list(dict.fromkeys(lst.used.values()))
    df = pd.DataFrame({f: [values.get(f, "") for _, values in lst.rows] for f in fields}, dtype=object)
    df[ROW] = [r for r, _ in lst.rows]
    headers = {f: h for h, f in lst.used.items()}
    raw = RawTable("list", lst.where, df, headers, lines=lines, sep=sep)
    problems, warnings = check_cells(raw)
    # the title becomes provenance and the headers are printed: held to the same rule
    problems.extend(check_value(lst.where, None, "the title row", lst.title or "")[0])
    for h in (*lst.used, *lst.ignored):
        problems.extend(check_value(lst.where, lst.header_row, printable(h), h)[0])
    if problems:
        raise InputError(problems)
    lst.warnings.extend(warnings)
    return lst


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _lookup(text: str) -> str | None:
    return _LOOKUP.get(_fold_header(text))


def _from_grid(file: str, sheet: str | None, grid: list[list[str]],
               merges: list[tuple[int, int, int, int]] | None = None) -> PublishedList:
    where = f"{file}[{sheet}]" if sheet else file
    head = [list(r) for r in grid[:HEADER_SEARCH_ROWS + 1]]
    fill_merges(head, merges or (), len(head))  # every merged cell of the rows the header may be in
    header = find_header(head, _lookup, lambda fields: "name" in fields, merged=bool(merges),
                         search=HEADER_SEARCH_ROWS)
    if header is None:
        shown = printable(" | ".join(c for c in (grid[0] if grid else []) if str(c).strip())) or "nothing"
        raise InputError(Problem(where, None, None,
                                 f"no header row with a name column in the first {HEADER_SEARCH_ROWS} rows "
                                 f"(expected one of {', '.join(FIELDS['name'][:4])} …); the first row holds: {shown}"))
    titles = [" ".join(str(c).strip() for c in row if str(c).strip()) for row in grid[:header.top]]
    title = next((t for t in titles if t), None)
    # below the header, a value merged down one column (a district over its platforms) is each row's value
    fill_merges(grid, merges or (), header.bottom + 1)
    used: dict[str, str] = {}
    ignored: list[str] = []
    columns: dict[int, str] = {}
    for j, (label, f) in enumerate(zip(header.labels, header.fields)):
        text = normalize_text(label)
        if not text:
            continue
        if f is None:
            ignored.append(text)
            continue
        columns[j] = f
        used[text] = f
    rows = []
    unlabelled: set[int] = set()  # columns with values under no header: named among the columns not used
    for i, row in enumerate(grid[header.bottom + 1:], start=header.bottom + 2):
        values = {f: ("" if j >= len(row) else str(row[j]).strip() if f in AS_GIVEN else normalize_text(str(row[j])))
                  for j, f in columns.items()}
        if any(values.values()):
            rows.append((i, values))
            unlabelled.update(j for j in range(len(row)) if j >= len(header.labels) or not header.labels[j].strip()
                              if str(row[j]).strip())
    ignored.extend(f"column {_letters(j)} (no header)" for j in sorted(unlabelled))
    return PublishedList(file, sheet, title, header.bottom + 1, used, ignored, rows, header_top=header.top + 1,
                         labels=list(header.labels))


def _letters(j: int) -> str:
    """0 → 'A', 27 → 'AB': a column as a spreadsheet names it."""
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out
