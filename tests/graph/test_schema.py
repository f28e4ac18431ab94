"""The schema is consistent: one meaning per spelling, every relation's ends are labels."""

from __future__ import annotations

import pytest

from graph import schema
from loaders.read import _fold_header


@pytest.mark.parametrize("table", schema.TABLES.values(), ids=lambda t: t.name)
def test_each_header_spelling_names_one_column(table):
    seen: dict[str, str] = {}
    for c in table.columns:
        for spelling in {_fold_header(x) for x in (c.name, c.zh, *c.aliases)}:
            assert seen.setdefault(spelling, c.name) == c.name, (spelling, seen[spelling], c.name)


def test_type_and_relation_aliases_are_unambiguous():
    spellings: dict[str, str] = {}
    for t in schema.ORG_TYPES.values():
        for s in (t.key, t.label, t.zh, *t.aliases):
            assert spellings.setdefault(s, t.key) == t.key, s
    rel: dict[str, str] = {}
    for name in schema.INPUT_RELATIONS:
        r = schema.RELATIONS[name]
        for s in (name, r.zh, *r.aliases):
            assert rel.setdefault(s, name) == name, s


def test_relation_ends_are_labels():
    for r in schema.RELATIONS.values():
        assert set(r.sources) | set(r.targets) <= set(schema.NODE_LABELS), r.name


@pytest.mark.parametrize("spelling, key", [("中试平台", "platform"), ("高校", "university"), ("Institute", "institute"),
                                           ("园区", "park"), ("金融机构", "financial"), ("火箭", None)])
def test_org_type_spellings(spelling, key):
    t = schema.org_type(spelling)
    assert (t.key if t else None) == key
