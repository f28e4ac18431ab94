"""CSV files that a parser reads wrong without a word: stray quotes, mixed encodings, other delimiters."""

from __future__ import annotations

import pytest

import loaders
from graph.errors import InputError

HEADER = "id,name,type,province\n"


def _rows(n: int, start: int = 1) -> str:
    return "".join(f"o{i},机构{i},企业,北京\n" for i in range(start, start + n))


def _problems(folder) -> list[str]:
    with pytest.raises(InputError) as err:
        loaders.read_folder(folder)
    return [str(p) for p in err.value.problems]


def _folder(tmp_path, data: bytes | str, name: str = "organizations.csv"):
    folder = tmp_path / "d"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return folder


def test_stray_quote_merging_rows_is_an_error(tmp_path):
    """17 organizations, one with an opening quote that a later cell closes: 12 rows would come out."""
    text = HEADER + _rows(5) + 'o6,"机构6,企业,北京\n' + _rows(4, 7) + 'o11,机构11",企业,北京\n' + _rows(6, 12)
    assert text.count("\n") == 18
    assert _problems(_folder(tmp_path, text)) == [
        "organizations.csv, row 7, column 'name': a line break inside a one-line column: this cell runs over "
        "lines 7–12 of the file, so a stray quote (\") probably merged 6 lines into one row; close or remove "
        "the quote"]


def test_stray_quote_in_a_source_cell_is_an_error(tmp_path):
    """A free-text column may hold line breaks, but not lines that are rows of the table."""
    header = HEADER.replace("\n", ",source\n")
    text = header + 'o1,机构1,企业,北京,"某报道\n' + "".join(f"o{i},机构{i},企业,北京,x\n" for i in range(2, 6)) + \
        'o6,机构6,企业,北京,y"\no7,机构7,企业,北京,z\n'
    assert _problems(_folder(tmp_path, text)) == [
        "organizations.csv, row 2, column 'source': this cell runs over lines 2–7 of the file and its lines look like "
        "rows of the table: a stray quote (\") probably merged them into one cell; close or remove the quote"]


def test_line_break_in_a_source_cell_is_text(tmp_path):
    text = HEADER.replace("\n", ",source\n") + 'o1,机构1,企业,北京,"第一行\n第二行"\no2,机构2,企业,北京,x\n'
    t = loaders.read_folder(_folder(tmp_path, text))
    assert t.organizations["source"].tolist() == ["第一行\n第二行", "x"]


def test_open_quote_reports_the_row_it_opens_on(tmp_path):
    text = HEADER + _rows(2) + 'o3,"机构3,企业,北京\n' + _rows(3, 4)
    assert _problems(_folder(tmp_path, text)) == [
        "organizations.csv, row 4: a quote (\") opens a cell here and is never closed, so the rest of the file "
        "would be one cell; close the quote or remove it"]


def test_row_numbers_count_blank_lines(tmp_path):
    text = HEADER + _rows(1) + "\n\n" + "o2,机构2,企业,上海\n"
    assert _problems(_folder(tmp_path, text)) == [
        "organizations.csv, row 5, column 'province': expected 北京, 天津 or 河北 (or 北京市, Beijing …), got '上海'"]


def test_gb18030_file_with_one_utf8_row(tmp_path):
    data = (HEADER + _rows(3)).encode("gb18030") + "o4,天津机构,企业,天津\n".encode("utf-8") + \
        _rows(2, 5).encode("gb18030")
    assert _problems(_folder(tmp_path, data)) == [
        "organizations.csv, row 5: this line is UTF-8 but the rest of the file is GB18030: its Chinese text "
        "would be read as mojibake; save the whole file in one encoding (CSV UTF-8)"]


def test_utf8_file_with_one_gb18030_row(tmp_path):
    data = (HEADER + _rows(3)).encode("utf-8") + "o4,天津机构,企业,天津\n".encode("gb18030")
    assert _problems(_folder(tmp_path, data)) == [
        "organizations.csv, row 5: this line is GB18030 but the rest of the file is UTF-8: its Chinese text "
        "would be read as mojibake; save the whole file in one encoding (CSV UTF-8)"]


def test_utf8_file_with_bom_and_one_gb18030_row(tmp_path):
    data = b"\xef\xbb\xbf" + (HEADER + _rows(3)).encode("utf-8") + "o4,天津机构,企业,天津\n".encode("gb18030")
    assert _problems(_folder(tmp_path, data)) == [
        "organizations.csv, row 5: this line is GB18030 but the rest of the file is UTF-8: its Chinese text "
        "would be read as mojibake; save the whole file in one encoding (CSV UTF-8)"]


def test_pure_gb18030_still_reads(tmp_path):
    t = loaders.read_folder(_folder(tmp_path, (HEADER + _rows(3)).encode("gb18030")))
    assert t.organizations["name"].tolist() == ["机构1", "机构2", "机构3"]


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_delimiters_are_sniffed(tmp_path, sep):
    text = (HEADER + _rows(2)).replace(",", sep)
    # a list cell keeps its own ';' when the file is comma- or tab-separated
    if sep != ";":
        text = text.replace("id" + sep + "name", "id" + sep + "sectors" + sep + "name", 1)
        lines = text.splitlines(keepends=True)
        text = lines[0] + "".join(line.replace(sep, sep + "CH_H2;CH_BIO" + sep, 1) for line in lines[1:])
    t = loaders.read_folder(_folder(tmp_path, text))
    assert t.organizations["name"].tolist() == ["机构1", "机构2"]
    assert t.organizations["province"].tolist() == ["北京", "北京"]
    if sep != ";":
        assert t.organizations["sectors"].tolist() == [["CH_H2", "CH_BIO"]] * 2


TRICKY = ('\ufeffid,name,type,province,source\r\n'
          'o1,"机构1, 有逗号",企业,北京,"第一行\r\n第二行"\r\n'
          '\r\n'
          'o2, 机构2 ,ＰＦ,天津,"他说""好"""\r\n'
          ',,,,\r\n'
          'o3,机构3,企业,河北,\r\n')


def test_arrow_reader_reads_a_plain_utf8_file(tmp_path):
    """A plain UTF-8 file is parsed by Arrow, its columns factorized as read."""
    from loaders.read import _read_arrow

    df = _read_arrow(TRICKY.encode("utf-8"), ",")
    assert df is not None and list(df.columns) == ["id", "name", "type", "province", "source"]
    assert all(str(t) == "category" for t in df.dtypes)


@pytest.mark.parametrize("text", [TRICKY, TRICKY.replace("\r\n", "\n"), TRICKY.replace(",", ";")])
def test_arrow_and_pandas_readers_give_the_same_table(tmp_path, monkeypatch, text):
    """Quotes, line breaks in cells, a BOM, blank and empty rows, full-width text: the same cells, rows and
    line spans whichever reader parsed the file."""
    from graph import schema
    from loaders import read

    path = _folder(tmp_path, text) / "organizations.csv"
    fast = read.read_csv(path, schema.TABLES["organizations"])
    monkeypatch.setattr(read, "_read_arrow", lambda data, sep: None)
    slow = read.read_csv(path, schema.TABLES["organizations"])
    assert fast.df.equals(slow.df)
    assert fast.lines == slow.lines and fast.headers == slow.headers
    assert {c: (list(v[0]), v[1]) for c, v in fast.codes.items()} == {c: (list(v[0]), v[1]) for c, v in slow.codes.items()}


@pytest.mark.parametrize("header", ["id,name,type,province,name", "id,name,,type,province", '"id",name,type,province'])
def test_headers_pandas_renames_are_read_by_pandas(header):
    """A repeated, empty or quoted header is left to pandas, whose reading of it the messages are written for."""
    from loaders.read import _read_arrow

    assert _read_arrow(f"{header}\no1,机构1,x,企业,北京\n".encode(), ",") is None


def test_a_row_arrow_refuses_is_read_by_pandas(tmp_path):
    """A row with a field too many: pandas' reader names it, as before."""
    problems = _problems(_folder(tmp_path, HEADER + _rows(2) + "o9,机构9,企业,北京,多余\n" + _rows(2, 3)))
    assert len(problems) == 1 and "not a readable CSV file" in problems[0] and "line 4" in problems[0]
