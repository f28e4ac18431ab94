"""Values typed in another form than the graph stores: ``{province: '北京市'}`` finds nothing, and says why.

The loaders accept 北京市, Beijing and 京 and store 北京; a region is stored under its full name
(北京市, 沧州市); a sector by its id (CH_H2), with its Chinese name beside it. A statement that
compares one of these properties with a string (a literal or a ``$parameter``) in another form
answers 0 rows in Neo4j and here alike, which is right but no help: ``notes`` names the stored value.

Read: ``province``, ``city`` and ``district`` of any node; ``name`` of a ``Region``; ``id`` of a
``Sector`` and an organization's ``sectors``; compared by ``=``, ``<>``, ``IN`` or in a pattern's
property map. Readers: ``graph.cypher.habits``.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import schema
from .cypher_text import Token, matching, next_significant, significant

__all__ = ["compared_values", "notes"]

_PLACE_KEYS = ("province", "city", "district")
_SUFFIXES = ("自治县", "新区", "省", "市", "区", "县")
_PROVINCE = {alias.lower(): canon for canon, aliases in schema.PROVINCES.items() for alias in aliases}


def fold(value: str) -> str:
    """A place's name without what its spellings differ in: case, space, 省/市/区/县, English or short forms.

    >>> fold("北京市"), fold("Beijing"), fold("沧州市"), fold("京")
    ('北京', '北京', '沧州', '北京')
    """
    v = value.strip().lower()
    if v in _PROVINCE:
        return _PROVINCE[v]
    for suffix in _SUFFIXES:
        if v.endswith(suffix) and len(v) > len(suffix) + 1:
            v = v[: -len(suffix)]
            break
    return _PROVINCE.get(v, v)


def _labels(tokens: list[Token]) -> dict[str, set[str]]:
    """Variable → the labels a node pattern gives it: ``(s:Sector)`` → {'s': {'Sector'}}."""
    out: dict[str, set[str]] = {}
    for i, t in enumerate(tokens):
        if t.kind != "punct" or t.text != "(":
            continue
        v = next_significant(tokens, i)
        c = next_significant(tokens, v) if v is not None else None
        lb = next_significant(tokens, c) if c is not None else None
        if v is not None and tokens[v].kind in ("name", "quoted") and c is not None and tokens[c].text == ":" \
                and lb is not None and tokens[lb].kind in ("name", "quoted"):
            out.setdefault(tokens[v].text, set()).add(tokens[lb].text.strip("`"))
    return out


def _strings(tokens: list[Token], k: int, params: Mapping[str, object]) -> list[str]:
    """The strings the value at ``tokens[k]`` stands for: a literal, a parameter, or a list of them."""
    t = tokens[k]
    if t.kind == "string":
        return [_unquote(t.text)]
    if t.kind == "param":
        v = params.get(t.text[1:])
        if isinstance(v, str):
            return [v]
        if isinstance(v, list):
            return [x for x in v if isinstance(x, str)]
        return []
    if t.kind == "punct" and t.text == "[":
        close = matching(tokens, k)
        if close is None:
            return []
        return [_unquote(tokens[j].text) for j in range(k + 1, close) if tokens[j].kind == "string"]
    return []


def _unquote(text: str) -> str:
    body = text[1:-1]
    return body.replace("\\'", "'").replace('\\"', '"').replace("\\\\", "\\")


def _key_of(name: str, var: str | None, labels: dict[str, set[str]]) -> str | None:
    """Which stored form a property of ``var`` compares with, or None when it is none of ours."""
    if name in _PLACE_KEYS:
        return name
    if name == "sectors":
        return "sector"
    got = labels.get(var or "", set())
    if name == "name" and "Region" in got:
        return "region"
    if name == "id" and "Sector" in got:
        return "sector"
    return None


def compared_values(tokens: list[Token], params: Mapping[str, object]) -> list[tuple[str, str]]:
    """(kind, value) for each string compared with a place or a sector id; kind: a place key, region, sector."""
    labels = _labels(tokens)
    found: list[tuple[str, str]] = []
    sig = significant(tokens)

    def tok(n):
        return tokens[sig[n]] if 0 <= n < len(sig) else None

    for n, k in enumerate(sig):
        t = tokens[k]
        # var.key = value, var.key <> value, var.key IN [..]
        if t.kind == "punct" and t.text == "." and tok(n - 1) is not None and tok(n + 1) is not None:
            var, key = tok(n - 1), tok(n + 1)
            if var.kind not in ("name", "quoted") or key.kind != "name":
                continue
            kind = _key_of(key.text, var.text, labels)
            if kind is None:
                continue
            op = tok(n + 2)
            if op is not None and op.text == "=" and op.kind == "punct":
                found += [(kind, s) for s in _strings(tokens, sig[n + 3], params)] if n + 3 < len(sig) else []
            elif op is not None and op.text == "<" and tok(n + 3) is not None and tok(n + 3).text == ">":
                found += [(kind, s) for s in _strings(tokens, sig[n + 4], params)] if n + 4 < len(sig) else []
            elif op is not None and op.is_word("IN") and n + 3 < len(sig):
                found += [(kind, s) for s in _strings(tokens, sig[n + 3], params)]
            before = tok(n - 2)
            if before is not None and before.is_word("IN") and kind == "sector" and key.text == "sectors":
                found += [(kind, s) for s in _strings(tokens, sig[n - 3], params)] if n >= 3 else []
            if before is not None and before.text == "=" and before.kind == "punct" and n >= 3 \
                    and not (tok(n - 3) is not None and tok(n - 3).text in "<>!"):
                found += [(kind, s) for s in _strings(tokens, sig[n - 3], params)]
        # (var:Label {key: value, …})
        elif t.kind == "punct" and t.text == "{":
            owner = tok(n - 1)
            if owner is None or owner.kind not in ("name", "quoted"):
                continue
            colon = tok(n - 2)
            var = tok(n - 3).text if colon is not None and colon.text == ":" and tok(n - 3) is not None else owner.text
            label_here = {owner.text} if colon is not None and colon.text == ":" else set()
            scope = {**labels, var: labels.get(var, set()) | label_here}
            close = matching(tokens, k)
            if close is None:
                continue
            m = n + 1
            while m < len(sig) and sig[m] < close:
                key, colon2 = tok(m), tok(m + 1)
                if key is not None and key.kind == "name" and colon2 is not None and colon2.text == ":":
                    kind = _key_of(key.text, var, scope)
                    if kind is not None and m + 2 < len(sig):
                        found += [(kind, s) for s in _strings(tokens, sig[m + 2], params)]
                m += 1
    return found


def notes(engine, tokens: list[Token], params: Mapping[str, object]) -> list[str]:
    """A note for each compared string the graph does not store, naming the stored form it stands for."""
    wanted = compared_values(tokens, params)
    if not wanted:
        return []
    kinds = {k for k, _ in wanted}
    stored: dict[str, set[str]] = {}
    for key in _PLACE_KEYS:
        if key in kinds:
            rows = engine.run(f"MATCH (n:Organization) WHERE n.{key} IS NOT NULL RETURN DISTINCT n.{key} AS v", {})
            stored[key] = {r["v"] for r in rows if isinstance(r["v"], str)}
    if "region" in kinds:
        stored["region"] = {r["v"] for r in engine.run("MATCH (r:Region) RETURN r.name AS v", {})
                            if isinstance(r["v"], str)}
    sectors: dict[str, str] = {}
    if "sector" in kinds:
        for r in engine.run("MATCH (s:Sector) RETURN s.id AS id, s.name AS name, s.name_en AS en", {}):
            for spelled in (r["name"], r["en"]):
                if isinstance(spelled, str):
                    sectors.setdefault(spelled.strip().lower(), r["id"])
        stored["sector"] = set(sectors.values())
    out: list[str] = []
    said: set[tuple[str, str]] = set()
    for kind, value in wanted:
        if (kind, value) in said or value in stored.get(kind, ()):
            continue
        said.add((kind, value))
        if kind == "sector":
            sid = sectors.get(value.strip().lower())
            if sid is not None:
                out.append(f"no sector has the id {value!r}: it is the name of the sector {sid!r}, and sectors are "
                           f"stored by id (s.id, an organization's sectors); write {sid!r}, or compare s.name; "
                           "Neo4j, too, answers nothing for the name")
            continue
        matches = sorted(s for s in stored.get(kind, ()) if fold(s) == fold(value))
        if matches:
            what = "region name" if kind == "region" else kind
            said_as = " or ".join(repr(s) for s in matches)
            out.append(f"no node has the {what} {value!r}: the graph stores it as {said_as}; write {matches[0]!r} "
                       "(Neo4j, too, answers nothing for the other spelling)")
    return out
