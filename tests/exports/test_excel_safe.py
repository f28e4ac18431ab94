"""CSV and workbooks for people: no cell from data runs as a formula, Chinese opens ungarbled; raw stays exact."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from viz.excel_safe import neutralise
from viz.exports import export

from .conftest import FORMULAS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value, expected", [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("@SUM(1)", "'@SUM(1)"),
    ("-2+3", "'-2+3"),            # a formula, though it starts like a number
    ("\t=1", "'\t=1"),            # tab first
    ("\r=1", "'\r=1"),            # carriage return first
    ("-12", "-12"),               # a plain number as text: the spreadsheet reads the number, runs nothing
    ("+3.5e2", "+3.5e2"),
    (-3.5, -3.5),                 # numbers are numbers
    (0, 0),
    (None, None),
    ("清华大学", "清华大学"),
    ("a=b", "a=b"),               # only the first character matters
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def _rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: no UTF-8 BOM"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _cells(rows):
    return [c for r in rows for c in r]


def test_csv_export_neutralises_formulas_and_raw_keeps_them(formula_tables, tmp_path):
    import loaders

    safe = export(formula_tables, "csv", tmp_path / "safe")
    cells = _cells(_rows(safe / "organizations.csv"))
    for name in FORMULAS.values():
        assert "'" + name in cells and name not in cells
    assert not [c for c in cells if c and (c[0] in "=+@\t\r" or (c[0] == "-" and neutralise(c) != c))]
    assert "39.99" in cells  # numbers untouched
    raw = export(formula_tables, "csv", tmp_path / "raw", raw=True)
    assert set(FORMULAS.values()) <= set(_cells(_rows(raw / "organizations.csv")))
    assert loaders.read_folder(raw).equals(formula_tables)


def test_machine_exports_stay_raw_and_say_so(formula_tables, tmp_path):
    out = export(formula_tables, "neo4j-csv", tmp_path / "neo4j")
    text = (out / "nodes_organizations.csv").read_text(encoding="utf-8")
    assert FORMULAS["bj-uni-1"] in text and "'" + FORMULAS["bj-uni-1"] not in text
    assert "Values are raw, exactly as stored" in (out / "README.md").read_text(encoding="utf-8")


def test_cli_help_says_which_exports_are_raw(capsys):
    from jjjkg.cli import main

    with pytest.raises(SystemExit):
        main(["export", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "The other formats are machine exports: always raw" in text
    assert "--raw csv: keep values exactly as stored" in text
    with pytest.raises(SystemExit):
        main(["query", "--help"])
    assert "CSV exactly as stored, for programs" in " ".join(capsys.readouterr().out.split())


def test_query_csv_is_excel_safe_and_raw_is_exact(cli, formula_folder, tmp_path):
    store = tmp_path / "store"
    assert cli("build", "--data", formula_folder, "--store", store)[0] == 0
    code, out, err = cli("query", "supply-list", "--format", "csv", "--store", store)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    names = {r[1] for r in rows[1:]}
    assert "'" + FORMULAS["bj-pf-1"] in names and FORMULAS["bj-pf-1"] not in names
    code, out, err = cli("query", "supply-list", "--format", "csv", "--raw", "--store", store)
    assert FORMULAS["bj-pf-1"] in {r[1] for r in csv.reader(io.StringIO(out))}
    code, out, err = cli("cypher", "MATCH (o:Organization {id: 'bj-uni-1'}) RETURN o.name AS name",
                         "--format", "csv", "--store", store)
    assert code == 0, err
    assert out.splitlines() == ["name", "'@SUM(1)"]
    from graph.store.falkordb.server import stop

    assert stop(store)  # the cypher command started the store's server; the test leaves nothing running


def test_query_csv_to_a_file_starts_with_a_bom(formula_folder, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    store = tmp_path / "store"
    run = [sys.executable, "-m", "jjjkg"]
    subprocess.run([*run, "build", "--data", str(formula_folder), "--store", str(store)], env=env, check=True,
                   capture_output=True)
    target = tmp_path / "gaps.csv"
    with target.open("w") as f:
        subprocess.run([*run, "query", "alliance-gaps", "--format", "csv", "--store", str(store)], env=env, check=True,
                       stdout=f)
    assert target.read_bytes().startswith(b"\xef\xbb\xbfsector,gap,entity_id")
    piped = subprocess.run([*run, "query", "alliance-gaps", "--format", "csv", "--store", str(store)], env=env,
                           check=True, capture_output=True)
    assert piped.stdout.startswith(b"sector,gap,entity_id")  # a pipe to another program gets no BOM
