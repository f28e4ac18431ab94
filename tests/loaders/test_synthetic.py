"""A generated folder builds without the loader having to merge anything."""

from __future__ import annotations

import pandas as pd

import loaders
from graph import schema
from loaders.synthetic import generate, write_folder


def test_generated_folder_has_no_duplicate_relations(tmp_path):
    rels = generate(3000, seed=0)["relations"]
    undirected = rels["relation"].isin([n for n in schema.INPUT_RELATIONS if not schema.RELATIONS[n].directed])
    ordered = ~undirected | (rels["from_id"] < rels["to_id"])
    key = pd.DataFrame({"a": rels["from_id"].where(ordered, rels["to_id"]), "r": rels["relation"],
                        "b": rels["to_id"].where(ordered, rels["from_id"])})
    assert not key.duplicated().any()  # no pair twice, no partnership written both ways
    assert undirected.any() and len(rels) > 3000 * 4  # still about five relations per organization


def test_generated_folder_builds_with_no_duplicate_warning(tmp_path):
    tables = generate(3000, seed=0)
    t = loaders.read_folder(write_folder(tables, tmp_path / "syn"))
    assert [w for w in t.warnings if "merged into it" in w.message] == []
    assert len(t.relations) == len(tables["relations"])
