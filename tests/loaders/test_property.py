"""Property-based: random valid folders load; random corruptions are reported, never crash."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import loaders
from graph import schema
from graph.errors import InputError

PROVINCE_SPELLINGS = [s for spellings in schema.PROVINCES.values() for s in spellings[:3]]
TYPES = [t.key for t in schema.ORG_TYPES.values()] + [t.zh for t in schema.ORG_TYPES.values()]
SECTORS = ["CH_H2", "CH_BIO", "CH_ROBOT", "CL_IC", "氢能", "机器人"]
ID_CHARS = st.characters(categories=("Lu", "Ll", "Nd", "Lo"), max_codepoint=0x9FFF)

orgs_strategy = st.lists(
    st.fixed_dictionaries({
        "id": st.text(ID_CHARS, min_size=1, max_size=8),
        "name": st.text(ID_CHARS, min_size=1, max_size=12),
        "type": st.sampled_from(TYPES),
        "province": st.sampled_from(PROVINCE_SPELLINGS),
        "sectors": st.lists(st.sampled_from(SECTORS), max_size=3).map(";".join),
        "lat": st.one_of(st.just(""), st.floats(36.5, 42.0).map(lambda f: f"{f:.4f}")),
    }),
    min_size=1, max_size=12, unique_by=lambda r: r["id"],
)


def _write(folder: Path, name: str, rows: list[dict], cols: list[str] | None = None) -> None:
    cols = cols or list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    w = csv.DictWriter(buf, cols, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    (folder / f"{name}.csv").write_text(buf.getvalue(), encoding="utf-8")


def _with_lon(rows):
    return [{**r, "lon": "116.4" if r["lat"] else ""} for r in rows]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orgs=orgs_strategy, data=st.data())
def test_random_valid_folders_load(orgs, data):
    orgs = _with_lon(orgs)
    ids = [o["id"] for o in orgs]
    rels = data.draw(st.lists(st.fixed_dictionaries({
        "from_id": st.sampled_from(ids), "relation": st.sampled_from(list(schema.INPUT_RELATIONS)),
        "to_id": st.sampled_from(ids)}), max_size=20))
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        _write(folder, "organizations", orgs)
        _write(folder, "relations", rels, ["from_id", "relation", "to_id"])
        t = loaders.read_folder(folder)
    assert list(t.organizations["id"]) == [i.strip() for i in ids] or len(t.organizations) == len(ids)
    distinct = {(r["from_id"], r["relation"], r["to_id"]) if schema.RELATIONS[r["relation"]].directed
                else (min(r["from_id"], r["to_id"]), r["relation"], max(r["from_id"], r["to_id"])) for r in rels}
    assert len(t.relations) == len(distinct)
    assert set(t.organizations["province"]) <= set(schema.PROVINCES)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orgs=orgs_strategy, data=st.data())
def test_random_corruptions_are_reported(orgs, data):
    orgs = _with_lon(orgs)
    row = data.draw(st.integers(0, len(orgs) - 1))
    column = data.draw(st.sampled_from(["id", "name", "type", "province", "sectors", "lat", "lon"]))
    junk = data.draw(st.one_of(st.text(max_size=6), st.sampled_from(["", "上海", "999", "N/A", "；；", "\"", "="])))
    orgs[row][column] = junk
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        _write(folder, "organizations", orgs)
        try:
            t = loaders.read_folder(folder)
        except InputError as err:
            assert err.problems
            assert all(p.file == "organizations.csv" for p in err.problems)
            # a bare CR or LF in a junk cell is a line break to any CSV reader: count lines, not rows
            lines = len((folder / "organizations.csv").read_text(encoding="utf-8").splitlines())
            assert all(p.row is None or 1 <= p.row <= lines for p in err.problems)
        else:
            assert len(t.organizations) <= len(orgs)
