"""Fixtures for the export and report tests: the tiny tables, the bundled tables, hostile names."""

from __future__ import annotations

import pytest

from graph import data as bundled

#: strings that would do harm if an export or page treated data as code
HOSTILE = {
    "bj-pf-1": "<script>alert(1)</script>",
    "bj-uni-1": "'}) DETACH DELETE n //",
    "tj-site-1": '=HYPERLINK("http://example.invalid","点我") & "quotes"',
}


def _bundled_exists() -> bool:
    return (bundled.DATASET_DIR / "organizations.csv").exists()


@pytest.fixture(scope="session")
def bundled_tables():
    if not _bundled_exists():
        pytest.skip("the bundled dataset (graph/data/bundled) is not there yet")
    import loaders

    return loaders.read_bundled()


@pytest.fixture(params=["tiny", "bundled"])
def any_tables(request, tiny_tables):
    """The tiny tables, then the bundled ones (skipped when absent)."""
    if request.param == "tiny":
        return tiny_tables
    return request.getfixturevalue("bundled_tables")


@pytest.fixture
def hostile_tables(tiny_rows, write_folder):
    """The tiny data with organization names that are script, Cypher and a spreadsheet formula."""
    import loaders

    for row in tiny_rows["organizations"]:
        if row["id"] in HOSTILE:
            row["name"] = HOSTILE[row["id"]]
    return loaders.read_folder(write_folder(tiny_rows, "hostile"))


#: names a spreadsheet would run as formulas (CSV injection), set on tiny organizations
FORMULAS = {
    "bj-pf-1": '=HYPERLINK("http://example.invalid","点我")',
    "tj-site-1": "+cmd|' /C calc'!A0",
    "bj-uni-1": "@SUM(1)",
    "bj-inst-1": "-2+3+cmd|' /C calc'!A0",
}


@pytest.fixture
def formula_folder(tiny_rows, write_folder):
    """A copy of the tiny data folder whose organization names are spreadsheet formulas."""
    for row in tiny_rows["organizations"]:
        if row["id"] in FORMULAS:
            row["name"] = FORMULAS[row["id"]]
    return write_folder(tiny_rows, "formulas")


@pytest.fixture
def formula_tables(formula_folder):
    import loaders

    return loaders.read_folder(formula_folder)
