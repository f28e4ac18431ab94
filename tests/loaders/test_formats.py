"""The same data as CSV (UTF-8, UTF-8 with BOM, GB18030 with Chinese headers) and XLSX gives one graph."""

from __future__ import annotations

import networkx as nx
import openpyxl
import pytest

import loaders
from graph import build_graph, schema

TABLES = ("organizations", "relations", "sectors", "services")


def _chinese_headers(table: str) -> dict[str, str]:
    return {c.name: c.zh for c in schema.TABLES[table].columns}


def _graph_equal(a, b) -> bool:
    return (dict(a.nodes(data=True)) == dict(b.nodes(data=True))
            and sorted(a.edges(keys=True, data=True), key=repr) == sorted(b.edges(keys=True, data=True), key=repr))


@pytest.fixture
def reference(tiny_tables):
    return build_graph(tiny_tables)


@pytest.mark.parametrize("encoding, chinese", [
    ("utf-8", False),      # plain UTF-8, English headers
    ("utf-8-sig", True),   # Excel's "CSV UTF-8": a BOM, and Chinese headers
    ("gb18030", True),     # what older Chinese Excel writes
    ("gb18030", False),
])
def test_csv_encodings_and_headers(tiny_rows, write_folder, reference, encoding, chinese):
    folder = None
    for table in TABLES:
        folder = write_folder({table: tiny_rows[table]}, encoding=encoding,
                              header_map=_chinese_headers(table) if chinese else None)
    G = build_graph(loaders.read_folder(folder))
    assert _graph_equal(G, reference)
    if encoding == "gb18030":
        assert (folder / "organizations.csv").read_bytes().decode("gb18030")  # really not UTF-8
        with pytest.raises(UnicodeDecodeError):
            (folder / "organizations.csv").read_bytes().decode("utf-8")


def test_xlsx_workbook(tiny_rows, tmp_path, reference):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table in TABLES:
        ws = wb.create_sheet(schema.TABLES[table].zh if table == "organizations" else table)
        rows = tiny_rows[table]
        cols = list(rows[0])
        ws.append(cols)
        for r in rows:
            # numbers typed as numbers, the way a person fills a sheet
            ws.append([_typed(r[c]) for c in cols])
    wb.save(tmp_path / "tiny.xlsx")
    G = build_graph(loaders.read_folder(tmp_path / "tiny.xlsx"))
    assert _graph_equal(G, reference)


def _typed(v: str):
    try:
        return int(v)
    except ValueError:
        pass
    try:
        return float(v)
    except ValueError:
        return v if v != "" else None


def test_full_width_and_spelling_variants(tiny_rows, write_folder, reference):
    orgs = tiny_rows["organizations"]
    for r in orgs:
        if r["id"] == "bj-pf-1":
            r["sectors"] = "Ｓ＿Ｈ２；"  # full-width letters and semicolon
            r["province"] = "北京市"
            r["type"] = "中试平台"
            r["level"] = "国家级"
    folder = write_folder({**{t: tiny_rows[t] for t in TABLES}, "organizations": orgs})
    G = build_graph(loaders.read_folder(folder))
    assert _graph_equal(G, reference)


def test_undirected_duplicates_merge(tiny_tables):
    pw = tiny_tables.relations[tiny_tables.relations["relation"] == "PARTNERS_WITH"]
    assert len(pw) == 1  # bj-ent-1 → bj-uni-1 and bj-uni-1 → bj-ent-1 are one partnership
    assert "the same partnership written the other way" in pw.iloc[0]["source"]


def test_graph_has_contract_section_2_shape(reference):
    G = reference
    assert G.labels_of("bj-pf-1") == ["Organization", "Platform"]
    assert G.nodes["bj-pf-1"]["services"] == ["SV_SCALE", "SV_TEST"]
    assert G.nodes["bj-pf-1"]["independent_legal_entity"] is True
    assert G.has_relation("bj-pf-1", ("Sector", "S_H2"), "IN_SECTOR")
    assert G.has_relation("bj-pf-1", ("Service", "SV_TEST"), "OFFERS")
    assert G.has_relation("bj-ent-1", ("Service", "SV_TEST"), "NEEDS")
    assert G.has_relation("bj-uni-1", ("Region", "110108"), "LOCATED_IN")  # 海淀区, the most specific
    assert G.has_relation(("Region", "110108"), ("Region", "110000"), "PART_OF")
    assert G.nodes[("Region", "110108")]["level"] == "district"
    assert G.edges["bj-pf-1", "tj-site-1", "SCALES_UP_AT"] == {"year": 2023, "weight": 2.5,
                                                              "source": "synthetic test data"}
    assert "province" not in G.nodes["alliance-1"]  # unknown stays absent
    assert nx.is_directed(G)


def _titled_book(tiny_rows, path, bad_province_at=None):
    """The tiny workbook, its organizations sheet as people lay one out: a merged title row, then a header of two
    rows (机构信息 over id and name; 所在地 over province and city; every other header merged down)."""
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table in TABLES:
        ws = wb.create_sheet(table)
        rows = [dict(r) for r in tiny_rows[table]]
        cols = list(rows[0])
        if table != "organizations":
            ws.append(cols)
            for r in rows:
                ws.append([_typed(r[c]) for c in cols])
            continue
        if bad_province_at is not None:
            rows[bad_province_at]["province"] = "上海"
        groups = {"id": "机构信息", "name": "机构信息", "province": "所在地", "city": "所在地"}
        ws.append(["京津冀中试机构名单"] + [None] * (len(cols) - 1))
        ws.append([groups.get(c, c) for c in cols])
        ws.append([c if c in groups else None for c in cols])
        for r in rows:
            ws.append([_typed(r[c]) for c in cols])
        ws.merge_cells(f"A1:{get_column_letter(len(cols))}1")
        for j, c in enumerate(cols, start=1):
            letter = get_column_letter(j)
            if c not in groups:
                ws.merge_cells(f"{letter}2:{letter}3")
        for group in ("机构信息", "所在地"):
            js = [j for j, c in enumerate(cols, start=1) if groups.get(c) == group]
            ws.merge_cells(f"{get_column_letter(js[0])}2:{get_column_letter(js[-1])}2")
    wb.save(path)
    return path


def test_xlsx_sheet_with_a_title_row_and_a_two_row_header(tiny_rows, tmp_path, reference):
    """build reads the header where it is (as import does), instead of "columns in the file: '京津冀…', 'Unnamed: 1'"."""
    t = loaders.read_folder(_titled_book(tiny_rows, tmp_path / "titled.xlsx"))
    assert _graph_equal(build_graph(t), reference)
    assert str(t.warnings[0]) == ("titled.xlsx[organizations]: the header seems to be in rows 2–3, not row 1: read "
                                  "there (above it, the title '京津冀中试机构名单')")
    from graph.errors import InputError

    with pytest.raises(InputError) as err:  # a mistake below it is named by the row a spreadsheet shows
        loaders.read_folder(_titled_book(tiny_rows, tmp_path / "bad.xlsx", bad_province_at=2))
    assert any(p.row == 6 and p.column == "province" and "上海" in p.message for p in err.value.problems), \
        [str(p) for p in err.value.problems]
