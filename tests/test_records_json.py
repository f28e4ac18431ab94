"""``--format json``: the text of ``json.dumps(indent=2, ensure_ascii=False)``, written without its slow encoder."""

from __future__ import annotations

import io
import json

import pytest

from viz import records_text
from viz.records_text import render

FLAT = [
    {"rnd_id": "UNI_清华", "platform_id": 'PF "quoted"\\\n\t\x01', "site_id": "", "sectors": ["CH_BIO", "氢能"],
     "n": 0, "big": 10 ** 30, "x": -1.5, "tiny": 1e-300, "huge": 1e300, "ok": True, "no": False, "none": None},
    {"rnd_id": "r2", "platform_id": "p", "site_id": "s", "sectors": [], "n": -7, "big": 1, "x": float("nan"),
     "tiny": float("inf"), "huge": float("-inf"), "ok": False, "no": True, "none": [1, 2.5, None, True, "a"]},
    {"rnd_id": "r3", "sectors": ("t1", "t2")},  # a tuple, and keys the record lacks
]
KEYS = list(FLAT[0])


def _expected(rows, keys):
    safe = [{k: records_text._json_safe(r.get(k)) for k in keys} for r in rows]
    return json.dumps(safe, ensure_ascii=False, indent=2, default=str, allow_nan=False) + "\n"


def _rendered(rows, keys):
    out = io.StringIO()
    render(rows, "json", keys, stream=out)
    return out.getvalue()


@pytest.mark.parametrize("rows,keys", [(FLAT, KEYS), ([], KEYS), (FLAT, []), (FLAT[:1], ["sectors"]),
                                       ([{"m": {"a": [1, {"b": 2}]}, "l": [[1], []]}], ["m", "l"]),
                                       ([{"d": 1j}], ["d"])])
def test_json_text_is_that_of_json_dumps(rows, keys):
    assert _rendered(rows, keys) == _expected(rows, keys)


def test_flat_records_skip_the_indenting_encoder(monkeypatch):
    rows = [{"rnd_id": f"r{i}", "sectors": ["a", "b"], "score": i / 3} for i in range(1000)]
    expected = _expected(rows, ["rnd_id", "sectors", "score"])

    def refuse(*args, **kwargs):
        raise AssertionError("flat records went through the pure-Python indenting encoder")

    monkeypatch.setattr(records_text.json, "dumps", refuse)
    assert _rendered(rows, ["rnd_id", "sectors", "score"]) == expected
