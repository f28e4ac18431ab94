"""Reading raw tables: a data folder of CSV files or one ``.xlsx`` workbook.

This module only turns files into frames of text cells with canonical column names. It knows
encodings (UTF-8 with or without BOM, then GB18030, never both in one file), delimiters (``,``, ``;``
or TAB, from the header line), header aliases (English or Chinese, full-width or half-width) and
workbook sheet names. A file, sheet or header that is a near miss of a known one is an error with
"did you mean"; the files and sheets it does not read are named in a warning. What a cell must
contain is checked by ``cells`` (any cell) and the per-table modules.

Every frame it returns has string cells ("" for an empty cell) and a ``__row__`` column holding the
row number a spreadsheet shows (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from graph import schema
from graph.errors import InputError, Problem

from .suggest import closest

__all__ = ["RawTable", "read_source", "read_csv", "csv_rows", "decode", "normalize_text", "ROW"]

ROW = "__row__"


def normalize_text(s: str) -> str:
    """Fold full-width characters to half-width and trim: ``'ＰＦ－１ '`` → ``'PF-1'``.

    Chinese characters are untouched (NFKC folds only compatibility forms), but full-width
    punctuation such as ``；`` becomes ``;``.
    """
    if s.isascii():  # NFKC leaves ASCII as it is
        return s.strip()
    return unicodedata.normalize("NFKC", s).strip()


def decode(data: bytes, file: str) -> str:
    """Decode file bytes: UTF-8 (BOM or not) first, then GB18030, else a clear error.

    A GB18030 file with UTF-8 lines pasted in is an error naming those lines (not mojibake).
    """
    text, encoding = _decode(data, file)
    if encoding == "gb18030":
        _check_one_encoding(data, file)
    return text


def _decode(data: bytes, file: str) -> tuple[str, str]:
    """``decode``, and the encoding it found."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as err:  # a UTF-8 file with lines of another encoding pasted in
            _check_one_encoding(data[3:], file, utf8=True)
            raise InputError(Problem(file, None, None, f"cannot decode the file: it starts as UTF-8 but byte "
                                     f"{err.start + 3} is {data[err.start + 3:err.start + 4]!r}; save it as CSV "
                                     "UTF-8")) from err
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            _check_one_encoding(data, file)  # lines of both encodings: name the odd ones
            raise InputError(Problem(file, None, None,
                                     f"cannot decode the file: expected UTF-8 or GB18030 text "
                                     f"(byte {err.start} is {data[err.start:err.start + 1]!r}); "
                                     "save it as CSV UTF-8")) from err


def _header_map(table: schema.Table) -> dict[str, str]:
    """Every accepted header spelling (folded) → canonical column name."""
    m: dict[str, str] = {}
    for c in table.columns:
        for spelling in (c.name, c.zh, *c.aliases):
            m[_fold_header(spelling)] = c.name
    return m


def _fold_header(h: str) -> str:
    return normalize_text(str(h)).lower().replace(" ", "").replace("_", "").replace("（", "(").replace("）", ")")


@dataclass
class RawTable:
    """One table as read: canonical columns of text cells, where it came from, and warnings."""

    name: str
    file: str  # how errors name it: 'organizations.csv' or 'book.xlsx[organizations]'
    df: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)  # canonical column → header as written
    warnings: list[Problem] = field(default_factory=list)
    #: column → (codes, distinct values): each column factorized once, for ``Checker.column``
    codes: dict[str, tuple[np.ndarray, list]] = field(default_factory=dict, repr=False)
    #: CSV only: row → (first, last) line of the file, for the rows that span several lines
    lines: dict[int, tuple[int, int]] | None = None
    #: CSV only: the delimiter, to tell merged rows inside a free-text cell
    sep: str | None = None

    def col_label(self, column: str) -> str:
        """The header as the user wrote it, for error messages."""
        return self.headers.get(column, column)


def _canonical(table: schema.Table, df: pd.DataFrame, file: str, header_row: int = 1) -> RawTable:
    """``df`` with the table's canonical columns; ``header_row`` is the spreadsheet row of its header (the
    data starts on the row below)."""
    hmap = _header_map(table)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    rename: dict[str, str] = {}
    headers: dict[str, str] = {}
    unknown = []
    for h in df.columns:
        name = hmap.get(_fold_header(h))
        if name is None:
            if str(h).strip() and not str(h).startswith("Unnamed:"):
                unknown.append(str(h))
            continue
        if name in headers:
            problems.append(Problem(file, header_row, str(h), f"names the same column as {headers[name]!r} "
                                    f"({name}); keep one of them"))
            continue
        rename[h] = name
        headers[name] = str(h)
    # a header a few keystrokes from a column the file lacks is that column, misspelled: an error,
    # since ignoring it would leave the column empty in every row
    meant: set[str] = set()
    for h in unknown:
        near = closest(_fold_header(h), hmap)
        if near is not None and hmap[near] not in headers:
            c = table.column(hmap[near])
            meant.add(c.name)
            problems.append(Problem(file, header_row, h, f"not a known column; did you mean {c.name!r} ({c.zh})? rename "
                                    "the header (as written, the column would be ignored)"))
        else:
            warnings.append(Problem(file, header_row, h, "not a column of this table; ignored "
                                    f"(known columns: {', '.join(table.names)})"))
    missing = [c.name for c in table.columns if c.required and c.name not in headers and c.name not in meant]
    if missing:
        present = ", ".join(repr(str(h)) for h in df.columns) or "none"
        for m in missing:
            c = table.column(m)
            problems.append(Problem(file, header_row, m, f"required column is missing (header {c.name!r} or {c.zh!r}); "
                                    f"columns in the file: {present}"))
    if problems:
        raise InputError(problems)
    out = df[list(rename)].rename(columns=rename)
    filled = np.zeros(len(out), dtype=bool)  # rows with some non-empty cell
    factorized: dict[str, tuple[np.ndarray, list]] = {}
    as_given = {c.name for c in table.columns if c.as_given}
    for c in out.columns:  # normalize each distinct value once, then spread by codes
        s = out[c]
        if isinstance(s.dtype, pd.CategoricalDtype):  # read by Arrow: factorized already
            codes, uniques = s.cat.codes.to_numpy(), s.cat.categories.to_numpy(dtype=object)
        else:
            if s.dtype == object and pd.api.types.infer_dtype(s, skipna=False) != "string":  # workbook cells
                s = s.map(lambda v: v if isinstance(v, str) else ("" if v is None or v != v else _cell_text(v)))
            codes, uniques = pd.factorize(s.to_numpy(dtype=object))
        # names and sources are kept as written (an official name keeps its full-width brackets); ids,
        # codes and enumerations are folded to half-width, so that 'ＰＦ－１' is the id PF-1
        fold = (lambda u: str(u).strip()) if c in as_given else (lambda u: normalize_text(str(u)))
        folded = np.array([fold(u) for u in uniques.tolist()] + [""], dtype=object)
        out[c] = pd.Series(folded[codes], index=out.index, dtype=object)
        filled |= (folded != "")[codes]
        distinct, merged = pd.factorize(folded)  # folding may make two spellings one value
        factorized[c] = (distinct.astype(np.int32)[codes], merged.tolist())
    out[ROW] = range(header_row + 1, len(out) + header_row + 1)
    # rows that are entirely empty are spreadsheet noise, not records
    if len(out.columns) > 1 and not filled.all():
        out = out[filled]
        factorized = {c: (codes[filled], uniques) for c, (codes, uniques) in factorized.items()}
    return RawTable(table.name, file, out.reset_index(drop=True), headers, warnings, factorized)


def _header_below(book, sheet: str, df: pd.DataFrame, table: schema.Table):
    """``(frame, header, title)`` when the sheet's header is not its first row (a title above it, a header of
    two rows with merged cells), found as ``jjjkg import`` finds a list's; None when row 1 is the header."""
    from .header import SEARCH_ROWS, fill_merges, find_header

    hmap = _header_map(table)

    def lookup(h: str):
        return hmap.get(_fold_header(h))

    if any(lookup(c) for c in df.columns if not str(c).startswith("Unnamed:")):
        return None  # row 1 names columns of the table: it is the header (and its mistakes are reported there)
    grid = [[_first_row_text(c, df.columns) for c in df.columns]]
    grid += [[_grid_text(v) for v in row] for row in df.itertuples(index=False)]
    merges = book.merged_ranges(sheet)
    head = [list(r) for r in grid[:SEARCH_ROWS + 1]]
    fill_merges(head, merges, len(head))
    required = {c.name for c in table.columns if c.required}
    header = find_header(head, lookup, lambda fields: required <= set(fields), merged=bool(merges))
    if header is None or header.top == 0 and header.bottom == 0:
        return None
    title = next((t for t in (" ".join(c for c in r if c) for r in grid[:header.top]) if t), None)
    fill_merges(grid, merges, header.bottom + 1)
    labels = [label or f"Unnamed: {j}" for j, label in enumerate(header.labels)]
    width = len(labels)
    rows = [(r + [""] * width)[:width] for r in grid[header.bottom + 1:]]
    return pd.DataFrame(rows, columns=labels, dtype=object), header, title


def _first_row_text(c, columns) -> str:
    """A sheet's first row as pandas read it for header names: 'Unnamed: 3' was empty, '标题.1' a repeated '标题'."""
    text = str(c)
    if text.startswith("Unnamed:"):
        return ""
    base, dot, n = text.rpartition(".")
    return base if dot and n.isdigit() and base in map(str, columns) else text.strip()


def _grid_text(v) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else _cell_text(v).strip()


def _cell_text(v) -> str:
    """Text of a workbook cell: integral floats lose their '.0' (a year typed as 2017)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def read_csv(path: Path, table: schema.Table) -> RawTable:
    file = path.name
    data = path.read_bytes()
    text, encoding = _decode(data, file)
    if not text.strip():
        if table.required:
            raise InputError(Problem(file, None, None, "the file is empty: expected a header row "
                                     f"({', '.join(c.name for c in table.columns if c.required)} …)"))
        empty = pd.DataFrame({c.name: pd.Series([], dtype=object) for c in table.columns})
        return _canonical(table, empty, file)
    if encoding == "gb18030":
        _check_one_encoding(data, file)
    sep = _delimiter(text)
    # UTF-8 bytes go to the C parser as they are (it would encode decoded text back to UTF-8), so the decoded
    # text, as large as the file or larger, is let go before the parser's frame is made: a lower peak of memory
    utf8 = encoding != "gb18030"
    if utf8:
        text = None
    df = _read_arrow(data, sep) if utf8 else None
    try:
        # object dtype keeps cells as Python str: no Arrow round trips per column on a million rows
        # blank lines are kept (and dropped later as empty rows) so row numbers stay those of the file
        df = df if df is not None else pd.read_csv(io.BytesIO(data) if utf8 else io.StringIO(text), encoding=encoding if utf8 else None,
                         dtype=object, keep_default_na=False, skipinitialspace=False, skip_blank_lines=False,
                         sep=sep, engine="c")
    except (pd.errors.ParserError, ValueError) as err:
        text = text if text is not None else _decode(data, file)[0]
        row = _open_quote_row(text, sep)
        if row is not None:
            raise InputError(Problem(file, row, None, "a quote (\") opens a cell here and is never closed, so the "
                                     "rest of the file would be one cell; close the quote or remove it")) from err
        raise InputError(Problem(file, None, None, f"not a readable CSV file: {err}")) from err
    raw = _canonical(table, df, file)
    # a record that spans several physical lines holds a line break inside a quoted cell: keep where
    # each record starts, so a cell check can tell a stray quote from a long source text
    lines = data.count(b"\n") if text is None else text.count("\n")  # a UTF-8 newline is its own byte
    if len(df) + 1 != lines + (not (data.endswith(b"\n") if text is None else text.endswith("\n"))):
        text = text if text is not None else _decode(data, file)[0]
        raw.lines = _record_lines(text, sep, len(df))
        raw.sep = sep
    return raw


def _read_arrow(data: bytes, sep: str) -> pd.DataFrame | None:
    """A UTF-8 file read by Arrow's CSV reader, each column a categorical: a repeated value (a type, a
    province, an id named by many relations) is one Python string, not one per cell, and the parse is
    native. None when the file needs pandas' reader: a header it would rename (empty or repeated
    names), or a row Arrow refuses (a field too many or too few, a quote never closed) — pandas then
    reads it and reports what is wrong as before."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    head = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    if b'"' in line:
        return None  # a quoted header: pandas' reading of it is the one the messages know
    names = line.decode("utf-8").split(sep)
    if len(set(names)) != len(names) or not all(n.strip() for n in names):
        return None
    text = pa.dictionary(pa.int32(), pa.string())
    try:
        table = pacsv.read_csv(pa.BufferReader(data), read_options=pacsv.ReadOptions(use_threads=False),
                               parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                                                ignore_empty_lines=False),
                               convert_options=pacsv.ConvertOptions(column_types={n: text for n in names},
                                                                    strings_can_be_null=False,
                                                                    quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.column_names != names:
        return None
    df = table.to_pandas()
    del table
    pa.default_memory_pool().release_unused()  # the parse buffers go back to the system before the next file
    return df


def csv_rows(text: str, file: str, delimiter: str = ","):
    """The records of CSV ``text``, as the csv module reads them; a record it cannot read (a cell past its
    ``field_size_limit`` of 128 KB) is one ``InputError`` naming the file and line, never ``_csv.Error``."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as err:
        line = reader.line_num or 1
        if "field larger than field limit" in str(err):
            why = (f"a cell longer than {csv.field_size_limit():,} characters (no name, district or note is that "
                   "long: the file is damaged, or a quote opens a cell and closes it much later)")
        else:
            why = f"not readable as CSV: {err}"
        raise InputError(Problem(file, line, None, why)) from None


def _delimiter(text: str) -> str:
    """The delimiter of a CSV file from its header line: ``,``, ``;`` or TAB, whichever it holds most of."""
    first = text.split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _record_lines(text: str, sep: str, n_records: int) -> dict[int, tuple[int, int]] | None:
    """Row number (as ``ROW`` counts) → (first, last) physical line of the record, for records of many lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    spans: dict[int, tuple[int, int]] = {}
    last, i = 0, -1
    try:
        for i, _ in enumerate(reader):
            if reader.line_num - last > 1:
                spans[i + 1] = (last + 1, reader.line_num)
            last = reader.line_num
    except csv.Error:
        return None
    return spans if i == n_records else None  # the csv module read it otherwise: say nothing rather than wrong


def _open_quote_row(text: str, sep: str) -> int | None:
    """The row (header = 1) of the record where a quote opens and the file ends inside it, else None."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    records = 0
    try:
        for _ in reader:
            records += 1
    except csv.Error as err:
        return records + 1 if "unexpected end of data" in str(err) else None
    return None


def _check_one_encoding(data: bytes, file: str, utf8: bool = False) -> None:
    """A file whose lines are partly UTF-8, partly GB18030: name the lines in the minority encoding
    (or, with ``utf8`` — the file starts with a UTF-8 BOM — the lines that are not UTF-8).

    A UTF-8 line (of Chinese text) is almost never valid GB18030 text that also decodes as UTF-8, so
    lines that decode as UTF-8 are UTF-8; the others are GB18030.
    """
    utf8_lines, gb_lines = [], []
    for n, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            gb_lines.append(n)
        else:
            utf8_lines.append(n)
    if not utf8_lines or not gb_lines:
        return
    odd, odd_enc, rest_enc = ((utf8_lines, "UTF-8", "GB18030") if len(utf8_lines) <= len(gb_lines) and not utf8
                              else (gb_lines, "GB18030", "UTF-8"))
    raise InputError([Problem(file, n, None, f"this line is {odd_enc} but the rest of the file is {rest_enc}: "
                              "its Chinese text would be read as mojibake; save the whole file in one encoding "
                              "(CSV UTF-8)") for n in odd])


#: sheet or file stems accepted for each table (first is the canonical one)
def _stems(table: schema.Table) -> tuple[str, ...]:
    return (table.name, table.zh, table.name.capitalize())


INPUT_TABLES = ("organizations", "relations", "sectors", "services")

#: other names people give the tables (folded): a file or sheet so named is a table misnamed
_LOOKALIKES = {
    "organizations": ("orgs", "organisations", "organization", "organisation", "institutions", "nodes", "机构表",
                      "机构名单", "单位", "单位名单"),
    "relations": ("relation", "relationships", "links", "edges", "关系表", "关系数据"),
    "sectors": ("sector", "industries", "行业", "领域", "产业"),
    "services": ("service", "服务", "服务目录"),
}


def _looks_like(stem: str, headers: list[str], missing: list[str]) -> tuple[str, str] | None:
    """``(table, why)`` when a file or sheet not read looks like a missing table, by name or columns."""
    key = normalize_text(stem).lower().replace(" ", "").replace("-", "_")
    for name in missing:
        t = schema.TABLES[name]
        spellings = [x.lower() for x in _stems(t)] + list(_LOOKALIKES[name])
        if key in spellings or closest(key, spellings) or t.name in key or t.zh in key:
            return name, "its name is close to it"
    best = None
    for name in missing:
        t = schema.TABLES[name]
        required = {c.name for c in t.columns if c.required}
        if len(required) < 3:  # any list has an id and a name: only organizations and relations tell by columns
            continue
        hmap = _header_map(t)
        mapped = {hmap.get(_fold_header(h)) for h in headers} - {None}
        if required <= mapped and (best is None or len(mapped) > best[1]):
            best = (name, len(mapped))
    if best is not None:
        t = schema.TABLES[best[0]]
        return best[0], f"its columns are those of {t.name}: {', '.join(c.name for c in t.columns if c.required)}"
    return None


def _csv_header(path: Path) -> list[str]:
    """The header cells of a text file not read, from its first line (for ``_looks_like``)."""
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        return []
    text = head.decode("utf-8-sig", errors="ignore") if _utf8ish(head) else head.decode("gb18030", errors="ignore")
    first = text.split("\n", 1)[0].strip("\r")
    return next(csv.reader([first], delimiter=_delimiter(first)), [])


def _utf8ish(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start > len(data) - 4  # only the last character was cut
    return True


def _check_folder_names(p: Path, paths: dict[str, Path]) -> list[Problem]:
    """Files of the folder that were not read: a misnamed table is an error; the rest are named in a warning."""
    used = {f.name for f in paths.values()}
    missing = [n for n in INPUT_TABLES if n not in paths]
    problems, unread = [], []
    for name, f in paths.items():  # 机构.csv beside organizations.csv: which one is meant?
        for stem in _stems(schema.TABLES[name]):
            twin = p / f"{stem}.csv"
            if twin.name != f.name and twin.exists() and not twin.samefile(f):  # one file on a case-blind disk
                used.add(twin.name)
                problems.append(Problem(twin.name, None, None, f"names the same table as {f.name} ({name}); keep "
                                        "one of them"))
    for f in sorted(p.iterdir()):
        if not f.is_file() or f.name in used or f.name.startswith(".") or f.suffix.lower() == ".md":
            continue
        text_file = f.suffix.lower() in (".csv", ".tsv", ".txt")
        data_file = text_file or f.suffix.lower() in (".xlsx", ".xlsm", ".xls")
        hit = _looks_like(f.stem, _csv_header(f) if text_file else [], missing) if data_file else None
        if hit is None:
            unread.append(f.name)
            continue
        target = schema.TABLES[hit[0]].filename
        problems.append(Problem(f.name, None, None, f"not read: did you mean {target}? ({hit[1]}); rename it to "
                                f"{target}, or its rows are left out"))
    if problems:
        raise InputError(problems)
    if unread:
        return [Problem(p.name, None, None, f"files not read: {', '.join(unread)} (a data folder's tables are "
                        "organizations.csv, relations.csv, sectors.csv and services.csv)")]
    return []


def read_source(path: str | Path) -> tuple[dict[str, RawTable], str]:
    """Read a data folder or an ``.xlsx`` workbook into raw tables.

    Returns the tables found (keyed by table name) and a description of the source.
    Raises ``InputError`` when the path is missing, a required table is absent, or a file or sheet
    that was not read looks like a table misnamed (``relation.csv``, a sheet ``Sheet2`` with the
    columns of relations).
    """
    p = Path(path)
    if not p.exists():
        raise InputError(Problem(str(p), None, None, "no such file or folder: expected a data folder "
                                 "with organizations.csv or an .xlsx workbook"))
    if p.is_dir():
        paths: dict[str, Path] = {}
        for name in INPUT_TABLES:
            for stem in _stems(schema.TABLES[name]):
                candidate = p / f"{stem}.csv"
                if candidate.exists():
                    paths[name] = candidate
                    break
        unread = _check_folder_names(p, paths)
        if "organizations" not in paths:
            listing = ", ".join(sorted(x.name for x in p.iterdir())) or "nothing"
            raise InputError(Problem(str(p), None, None, "organizations.csv is required in a data folder "
                                     f"(the folder holds: {listing})"))
        found = {name: read_csv(f, schema.TABLES[name]) for name, f in paths.items()}
        found["organizations"].warnings.extend(unread)
        return found, str(p)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(p), str(p)
    raise InputError(Problem(p.name, None, None, f"cannot read {p.suffix or 'this file'}: expected a data folder "
                             "or an .xlsx workbook, or Turtle / JSON-LD (.ttl, .jsonld)"))


def _read_workbook(path: Path) -> dict[str, RawTable]:
    from .untrusted import check_archive
    from .workbook import open_workbook

    check_archive(path)  # before anything inflates
    try:
        book = open_workbook(path)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        raise InputError(Problem(path.name, None, None, f"not a readable .xlsx workbook: {err}")) from err
    with book:
        try:
            sheets = pd.read_excel(book.wb, sheet_name=None, dtype=object, header=0, engine="openpyxl")
        except Exception as err:
            raise InputError(Problem(path.name, None, None, f"not a readable .xlsx workbook: {err}")) from err
        return _workbook_tables(path, book, sheets)


def _workbook_tables(path: Path, book, sheets: dict[str, pd.DataFrame]) -> dict[str, RawTable]:
    """The sheets that are tables, checked: misnamed sheets, formulas with no saved value, sheets not read."""
    found: dict[str, RawTable] = {}
    by_fold = {normalize_text(str(s)).lower(): s for s in sheets}
    used: dict[str, str] = {}  # sheet → table
    for name in INPUT_TABLES:
        table = schema.TABLES[name]
        for stem in _stems(table):
            sheet = by_fold.get(normalize_text(stem).lower())
            if sheet is not None:
                used[sheet] = name
                break
    missing = [n for n in INPUT_TABLES if n not in used.values()]
    problems, unread = [], []
    for sheet, df in sheets.items():
        if sheet in used or (df.empty and not [c for c in df.columns if not str(c).startswith("Unnamed:")]):
            continue
        hit = _looks_like(str(sheet), [str(c) for c in df.columns], missing)
        if hit is None:
            unread.append(str(sheet))
            continue
        t = schema.TABLES[hit[0]]
        problems.append(Problem(f"{path.name}[{sheet}]", None, None, f"not read: did you mean the sheet {t.name!r} "
                                f"(or {t.zh!r})? ({hit[1]}); rename the sheet, or its rows are left out"))
    moved = {}  # sheet → (header, title): a sheet whose header stands below a title row, read from its header
    for sheet, name in used.items():
        below = _header_below(book, sheet, sheets[sheet], schema.TABLES[name])
        if below is not None:
            sheets[sheet], moved[sheet] = below[0], below[1:]
    problems.extend(book.formulas_without_values({s: sheets[s] for s in used}))
    if problems:
        raise InputError(problems)
    if "organizations" not in used.values():
        raise InputError(Problem(path.name, None, None, "a sheet named 'organizations' (or '机构') is required; "
                                 f"sheets in the workbook: {', '.join(map(str, sheets)) or 'none'}"))
    for sheet, name in used.items():
        where = f"{path.name}[{sheet}]"
        if sheet not in moved:
            found[name] = _canonical(schema.TABLES[name], sheets[sheet].astype(object), where)
            continue
        header, title = moved[sheet]
        found[name] = _canonical(schema.TABLES[name], sheets[sheet], where, header_row=header.bottom + 1)
        found[name].warnings.insert(0, Problem(where, None, None, f"the header seems to be in {header.rows}, not row "
                                               f"1: read there" + (f" (above it, the title {title!r})" if title else "")))
    if unread:
        found["organizations"].warnings.append(Problem(
            path.name, None, None, f"sheets not read: {', '.join(unread)} (a workbook's tables are the sheets "
            "organizations, relations, sectors and services)"))
    return found
