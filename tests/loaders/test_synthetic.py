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


def test_arguments_past_what_the_machine_holds_are_refused_before_allocating(cli, tmp_path, monkeypatch):
    """`generate --relations-per-org 1e9` reached 21 GB in 40 s; now it is refused at once."""
    import resource
    import time

    from loaders import synthetic

    monkeypatch.setattr(synthetic, "_available_memory", lambda: 8 << 30)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.monotonic()
    code, out, err = cli("generate", "--orgs", "1000", "--relations-per-org", "1e9", "--out", tmp_path / "syn")
    assert time.monotonic() - t0 < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KB: nothing large was made
    assert (code, out) == (1, "")
    assert err == ("Error: --orgs 1,000 with --relations-per-org 1e+09 would take about 476,837.2 GiB of memory to "
                   "generate, more than half of what this machine has available (8.0 GiB); lower --orgs or "
                   "--relations-per-org\n")
    assert not (tmp_path / "syn").exists()
    for value in ("nan", "inf", "-1"):
        code, _, err = cli("generate", "--orgs", "10", "--relations-per-org", value, "--out", tmp_path / "syn")
        assert code == 1 and err == f"Error: --relations-per-org {float(value)!r}: expected a number of relations, 0 or more\n"
