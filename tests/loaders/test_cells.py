"""Control characters are errors in every cell; invisible characters and mixed-script ids are warnings."""

from __future__ import annotations

import pytest

import loaders
from graph.errors import InputError

from .test_errors import _org, _problems
from .test_structure import _book


@pytest.mark.parametrize("column, value, message", [
    # a NUL in a name: Cypher, GraphML and the report would all break later
    ("name", "某\x00机构", "control character U+0000 (NUL) at character 2"),
    # an ESC sequence would reach the terminal raw
    ("name", "\x1b[2J机构", "control character U+001B (ESC) at character 1"),
    ("city", "沧\x7f州", "control character U+007F (DEL) at character 2"),
    ("credit_code", "\x9b91110108551385082Q", "control character U+009B (C1 control) at character 1"),
])
def test_control_characters_are_errors(write_folder, column, value, message):
    folder = write_folder({"organizations": [_org(**{column: value})]})
    assert f"organizations.csv, row 2, column {column!r}: {message}: not allowed in a cell; delete it (it breaks " \
           "queries, exports and terminals)" in _problems(folder)


def test_tab_is_allowed(write_folder):
    t = loaders.read_folder(write_folder({"organizations": [_org(name="某\t机构")]}))
    assert t.organizations.loc[0, "name"] == "某\t机构"


@pytest.mark.parametrize("column", ["id", "name", "type", "province"])
def test_line_break_in_one_line_columns(write_folder, column):
    folder = write_folder({"organizations": [_org(**{column: "甲\n乙"})]})
    assert (f"organizations.csv, row 2, column {column!r}: a line break inside a one-line column: this cell runs "
            "over lines 2–3 of the file, so a stray quote (\") probably merged 2 lines into one row; close or "
            "remove the quote") in _problems(folder)


def test_line_break_in_a_workbook_cell(tmp_path):
    _book(tmp_path / "b.xlsx", {"organizations": [["id", "name", "type", "province"], ["a", "某\n机构", "企业", "北京"]]})
    assert _problems(tmp_path / "b.xlsx") == ["b.xlsx[organizations], row 2, column 'name': a line break inside a "
                                              "one-line column: keep the value on one line"]


def test_relation_cells_are_checked(write_folder):
    folder = write_folder({"organizations": [_org(), _org(id="x2")],
                           "relations": [{"from_id": "x1", "relation": "合作", "to_id": "x2", "source": "a\x00"}]})
    assert _problems(folder) == ["relations.csv, row 2, column 'source': control character U+0000 (NUL) at "
                                 "character 2: not allowed in a cell; delete it (it breaks queries, exports and "
                                 "terminals)"]


def test_rdf_cells_are_checked(tmp_path, tiny_tables):
    from graph.rdf import write_turtle

    tables = tiny_tables
    tables.organizations.loc[0, "name"] = "坏\x07名"
    write_turtle(tables, tmp_path / "t.ttl")
    with pytest.raises(InputError) as err:
        loaders.read_folder(tmp_path / "t.ttl")
    assert [p.message for p in err.value.problems] == [
        "control character U+0007 (BEL) at character 2: not allowed in a cell; delete it (it breaks queries, "
        "exports and terminals)"]


def test_invisible_characters_are_warnings(write_folder):
    folder = write_folder({"organizations": [_org(id="x1\u200b"), _org(id="x2", name="某\u202e机构")]})
    t = loaders.read_folder(folder)
    assert [str(w) for w in t.warnings] == [
        "organizations.csv, row 2, column 'id': invisible character U+200B (ZERO WIDTH SPACE) at character 3: the "
        "value is not what it looks like (kept; delete the character)",
        "organizations.csv, row 3, column 'name': invisible character U+202E (RIGHT-TO-LEFT OVERRIDE) at "
        "character 2: the value is not what it looks like (kept; delete the character)",
    ]


def test_mixed_script_ids_are_warnings(write_folder):
    folder = write_folder({"organizations": [_org(id="syn-\u0430bc"), _org(id="北京-PF1"), _org(id="αβγ")]})
    t = loaders.read_folder(folder)
    assert [str(w) for w in t.warnings] == [
        "organizations.csv, row 2, column 'id': id 'syn-аbc' mixes Cyrillic and Latin letters ('а' is CYRILLIC "
        "SMALL LETTER A): it looks like an id it is not; type it again in one script"]
