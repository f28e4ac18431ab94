"""Names are stored and shown exactly as given; only ids and codes are folded, and matching folds on its own."""

from __future__ import annotations

import json

import pytest

import loaders

OFFICIAL = "北方集成电路技术创新中心（北京）有限公司"


def test_a_name_with_full_width_brackets_is_stored_as_written_and_the_id_folded(tiny_rows, write_folder):
    for r in tiny_rows["organizations"]:
        if r["id"] == "bj-pf-1":
            r["id"], r["name"], r["aliases"] = "ｂｊ－ｐｆ－１", "样例氢能中试平台（北京）有限公司　", "样例（氢能）平台"
    t = loaders.read_folder(write_folder(tiny_rows))
    row = t.organizations.set_index("id").loc["bj-pf-1"]  # the id is folded to half-width
    assert row["name"] == "样例氢能中试平台（北京）有限公司"  # only trimmed
    assert row["aliases"] == ["样例（氢能）平台"]


def test_sector_names_still_resolve_whatever_the_bracket_width(tiny_rows, write_folder):
    for r in tiny_rows["sectors"]:
        if r["id"] == "S_H2":
            r["name"] = "氢能（燃料电池）"
    for r in tiny_rows["organizations"]:
        if r["id"] == "bj-pf-1":
            r["sectors"] = "氢能(燃料电池)"
    t = loaders.read_folder(write_folder(tiny_rows))
    assert t.sectors.set_index("id").loc["S_H2", "name"] == "氢能（燃料电池）"
    assert t.organizations.set_index("id").loc["bj-pf-1", "sectors"] == ["S_H2"]


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory):
    from graph.store.falkordb.server import stop
    from jjjkg.cli import main

    path = tmp_path_factory.mktemp("names") / "store"
    assert main(["build", "--store", str(path)]) == 0
    yield path
    stop(path)


def test_the_official_name_as_copied_from_a_notice_finds_the_row(cli, bundled_store):
    statement = f"MATCH (o:Organization) WHERE o.name = '{OFFICIAL}' RETURN o.id AS id, o.name AS name"
    code, out, err = cli("cypher", statement, "--format", "json", "--store", bundled_store)
    assert code == 0, err
    assert json.loads(out) == [{"id": "PF_NORTH_IC", "name": OFFICIAL}]


def test_every_bundled_name_is_stored_as_the_csv_writes_it(bundled_store):
    import csv

    from graph import data
    from graph.store import Store

    with open(data.DATASET_DIR / "organizations.csv", encoding="utf-8") as f:
        written = {r["id"]: r["name"] for r in csv.DictReader(f)}
    orgs = Store(bundled_store).tables.organizations
    stored = dict(zip(orgs["id"], orgs["name"]))
    assert sum("（" in n for n in written.values()) >= 50
    assert {i: stored[i] for i in written} == written


def test_import_matches_a_folded_spelling_but_keeps_the_list_name(tmp_path, cli, bundled_store):
    from loaders.published import read_published

    lst = tmp_path / "名单.csv"
    lst.write_text("平台名称,依托单位\n北方集成电路技术创新中心(北京)有限公司,百济神州（北京）生物科技有限公司\n", encoding="utf-8")
    rows = read_published(lst).rows
    assert rows[0][1]["operator"] == "百济神州（北京）生物科技有限公司"
    code, out, err = cli("import", lst, "--plan", tmp_path / "plan.csv", "--store", bundled_store)
    assert code == 0, err
    plan = list(csv_rows(tmp_path / "plan.csv"))
    assert [(r["entity"], r["action"], r["id"]) for r in plan] == [("platform", "match", "PF_NORTH_IC"),
                                                                  ("operator", "match", "EN_BEIGENE")]
    assert plan[1]["name"] == "百济神州（北京）生物科技有限公司"


def csv_rows(path):
    import csv

    with open(path, encoding="utf-8-sig", newline="") as f:
        yield from csv.DictReader(f)
