"""Where FalkorDB answers differently from Neo4j: computed right where that is exact, else said.

FalkorDB runs these constructs without an error but answers otherwise than Neo4j does. Each is
found in a statement's tokens before it is sent (``differences``), and either

* rewritten so that the answer is Neo4j's, announced as a note: ``sum()`` of integers (FalkorDB
  gives a float), ``date('…') ± duration(…)`` of literals (FalkorDB adds a month by letting the day
  overflow: 2026-01-31 + 1 month is 2026-03-03, in Neo4j 2026-02-28), ``elementId(n)``; or
* announced as a note that names the difference and what to write instead (the README's "where
  FalkorDB differs" table has a row for each): month arithmetic on values that are not literals,
  dates before 1970 (compared wrongly), fractions of seconds (dropped), a sum of durations
  (normalised), several undirected steps in one pattern (relationship uniqueness not kept), a
  relationship variable bound earlier and named again in a later ``MATCH`` (ignored: every
  relationship matches).

Every note here says "Neo4j", so a reader (and the corpus test) tells a difference from a rewrite.
Readers: ``graph.cypher.cypher_rewrites`` (runs ``rewrite``), ``graph.cypher.habits``.
"""

from __future__ import annotations

import re

from .cypher_text import Token, join, matching, next_significant, significant, tokenize

__all__ = ["rewrite", "NOTES"]

#: the notes, one per difference: (key, text)
NOTES = {
    "months": "FalkorDB adds months and years to a date by letting the day overflow (date('2026-01-31') + "
              "duration({months: 1}) is 2026-03-03 there, 2026-02-28 in Neo4j); for a month's end write "
              "date({year: d.year, month: d.month, day: 1}) + duration({months: 2}) - duration({days: 1})",
    "before1970": "FalkorDB compares dates and times before 1970 wrongly (date('1910-05-06') < date('1980-10-24') is "
                  "false there, true in Neo4j); compare toString(d) or d.year instead",
    "fraction": "FalkorDB drops fractions of a second (duration({seconds: 1.5}) is PT1S there, PT1.5S in Neo4j; "
                "localtime('12:30:14.645') is 12:30:14); keep milliseconds as an integer of their own",
    "durations": "FalkorDB normalises a sum of durations (duration({days: 1}) + duration({hours: 36}) is P2DT12H "
                 "there, P1DT36H in Neo4j); add the parts as numbers if the split matters",
    "undirected": "in a pattern with more than one undirected step FalkorDB may use one relationship twice and "
                  "count paths differently (Neo4j never repeats a relationship in a pattern); give each step "
                  "a direction, and UNION the directions you need",
    "rebound": "FalkorDB ignores that {name} is already bound when a later MATCH names it again (every "
               "relationship matches, a cartesian join; Neo4j matches only {name}); write MATCH (a)-[{name}2]->(b) "
               "WHERE {name}2 = {name}",
}

_MONTH_KEYS = {"years", "months", "quarters"}
_FRACTION_KEYS = {"milliseconds", "microseconds", "nanoseconds"}
_ISO_MONTHS = re.compile(r"^-?P(?:[^T]*[YM])", re.I)
_ISO_FRACTION = re.compile(r"\d[.,]\d", re.I)
_TIME_FRACTION = re.compile(r"\d:\d\d:\d\d[.,]\d")
_YEAR = re.compile(r"^'?(-?\d{1,4})-")


def _calls(tokens: list[Token], name: str):
    """(start, open, close) of each call ``name(…)`` (not a property or a procedure's last part)."""
    for i, t in enumerate(tokens):
        if not t.is_word(name.upper()):
            continue
        before = next_significant(tokens, i, -1)
        if before is not None and tokens[before].text == "." and tokens[before].kind == "punct":
            continue
        j = next_significant(tokens, i)
        if j is None or tokens[j].text != "(":
            continue
        close = matching(tokens, j)
        if close is not None:
            yield i, j, close


def _args(tokens: list[Token], open_: int, close: int) -> list[Token]:
    return [tokens[k] for k in range(open_ + 1, close) if tokens[k].kind not in ("space", "comment")]


def _literal(text: str) -> str:
    return text[1:-1]


# ----------------------------------------------------------------------------- exact rewrites


def _sum_exact(tokens: list[Token], notes: list[str], renamed: dict[str, str]) -> list[Token]:
    """``sum(x)`` → an integer when every x is one, as in Neo4j (FalkorDB's sum is always a float)."""
    calls = list(_calls(tokens, "sum"))
    if not calls:
        return tokens
    out, done = [], 0
    for i, open_, close in calls:
        if i < done:
            continue  # a sum inside a sum: the outer one is rewritten with it as written
        inner = _args(tokens, open_, close)
        arg = join(tokens[open_ + 1:close]).strip()
        plain = arg[len("DISTINCT"):].strip() if inner and inner[0].is_word("DISTINCT") else arg
        written = join(tokens[i:close + 1])
        new = (f"(CASE WHEN count(CASE WHEN typeOf({plain}) = 'Float' THEN 1 END) = 0 "
               f"THEN toInteger({written}) ELSE {written} END)")
        out.extend(tokens[done:i])
        out.append(Token("name", new, tokens[i].start))
        renamed[new] = written
        done = close + 1
    notes.append("ran sum(…) so that a sum of integers is an integer, as in Neo4j (FalkorDB's sum() is always a "
                 "float)")
    return out + tokens[done:]


def _duration_of(tokens: list[Token], open_: int, close: int):
    """A ``relativedelta`` for ``duration({…})``/``duration('P…')`` of literals, else None."""
    from dateutil.relativedelta import relativedelta

    args = _args(tokens, open_, close)
    if len(args) == 1 and args[0].kind == "string":
        m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", _literal(args[0].text))
        if not m:
            return None
        y, mo, w, d = (int(g or 0) for g in m.groups())
        return relativedelta(years=y, months=mo, days=7 * w + d)
    if not args or args[0].text != "{" or args[-1].text != "}":
        return None
    parts = {}
    body = args[1:-1]
    for k in range(0, len(body), 4):
        chunk = body[k:k + 4]
        if len(chunk) < 3 or chunk[0].kind != "name" or chunk[1].text != ":" or chunk[2].kind != "number" \
                or (len(chunk) == 4 and chunk[3].text != ","):
            return None
        if not chunk[2].text.isdigit():
            return None
        parts[chunk[0].text.lower()] = int(chunk[2].text)
    if not set(parts) <= {"years", "months", "weeks", "days"}:
        return None
    return relativedelta(years=parts.get("years", 0), months=parts.get("months", 0),
                         days=7 * parts.get("weeks", 0) + parts.get("days", 0))


def _month_arithmetic(tokens: list[Token], notes: list[str], found: set[str], renamed: dict[str, str]) -> list[Token]:
    """``date('…') ± duration(…)`` of literals, computed as Neo4j computes it; other month arithmetic noted."""
    import datetime as dt

    for _ in range(32):  # a few per statement: each pass computes one
        done = False
        for i, open_, close in _calls(tokens, "date"):
            args = _args(tokens, open_, close)
            if len(args) != 1 or args[0].kind != "string":
                continue
            op = next_significant(tokens, close)
            dur = next_significant(tokens, op) if op is not None else None
            if op is None or tokens[op].text not in "+-" or tokens[op].kind != "punct" or dur is None \
                    or not tokens[dur].is_word("DURATION"):
                continue
            before = next_significant(tokens, i, -1)
            if before is not None and tokens[before].kind == "punct" and tokens[before].text in "*/%^-":
                continue  # the date is not the left operand of this + or -
            d_open = next_significant(tokens, dur)
            d_close = matching(tokens, d_open) if d_open is not None and tokens[d_open].text == "(" else None
            if d_close is None:
                continue
            after = next_significant(tokens, d_close)
            if after is not None and tokens[after].kind == "punct" and tokens[after].text in "*/%^.[":
                continue
            delta = _duration_of(tokens, d_open, d_close)
            try:
                day = dt.date.fromisoformat(_literal(args[0].text))
            except ValueError:
                continue
            if delta is None:
                continue
            try:
                result = day + delta if tokens[op].text == "+" else day - delta
            except (OverflowError, ValueError):
                continue
            written = join(tokens[i:d_close + 1])
            new = f"date('{result.isoformat()}')"
            if delta.months or delta.years:
                notes.append(f"computed {written} as {new}, as Neo4j does (FalkorDB lets the day overflow into "
                             "the next month)")
            tokens = tokens[:i] + [Token("name", new, tokens[i].start)] + tokens[d_close + 1:]
            renamed[new] = written
            done = True
            break
        if not done:
            break
    for _i, open_, close in _calls(tokens, "duration"):
        args = _args(tokens, open_, close)
        keys = {a.text.lower() for k, a in enumerate(args) if a.kind == "name" and k + 1 < len(args)
                and args[k + 1].text == ":"}
        iso = args[0].text if len(args) == 1 and args[0].kind == "string" else ""
        if keys & _MONTH_KEYS or _ISO_MONTHS.match(_literal(iso) if iso else ""):
            near = [next_significant(tokens, _i, -1), next_significant(tokens, close)]
            if any(k is not None and tokens[k].kind == "punct" and tokens[k].text in "+-" for k in near):
                found.add("months")
    return tokens


# ----------------------------------------------------------------------------- notes only


def _temporal_notes(tokens: list[Token], found: set[str]) -> None:
    for name in ("date", "localdatetime", "localtime", "datetime", "duration"):
        for _i, open_, close in _calls(tokens, name):
            args = _args(tokens, open_, close)
            for k, a in enumerate(args):
                if a.kind == "string":
                    text = _literal(a.text)
                    y = _YEAR.match(text)
                    if name in ("date", "localdatetime") and y and int(y[1]) < 1970:
                        found.add("before1970")
                    if name in ("localtime", "localdatetime") and _TIME_FRACTION.search(text):
                        found.add("fraction")
                    if name == "duration" and "T" in text.upper() and _ISO_FRACTION.search(text.upper().split("T", 1)[1]):
                        found.add("fraction")
                elif a.kind == "name" and k + 2 < len(args) and args[k + 1].text == ":":
                    key, value = a.text.lower(), args[k + 2]
                    if key in _FRACTION_KEYS or (key in ("seconds", "second") and value.kind == "number"
                                                 and "." in value.text):
                        found.add("fraction")
                    if key == "year" and name in ("date", "localdatetime") and value.kind == "number" \
                            and value.text.isdigit() and int(value.text) < 1970:
                        found.add("before1970")
    durations = list(_calls(tokens, "duration"))
    ends = {close for _, _, close in durations}
    starts = {i for i, _, _ in durations}
    for close in ends:
        op = next_significant(tokens, close)
        nxt = next_significant(tokens, op) if op is not None else None
        if op is not None and tokens[op].text in "+-" and nxt in starts:
            found.add("durations")


def _pattern_notes(tokens: list[Token], found: set[str], notes: list[str]) -> None:
    """Undirected steps in one pattern; a relationship variable bound earlier and named again in a MATCH."""
    sig = significant(tokens)
    clause_of: list[int] = []  # for each significant token, the index (in sig) of its clause
    clause = 0
    for n, k in enumerate(sig):
        if tokens[k].is_word("MATCH", "WITH", "RETURN", "UNWIND", "CALL", "CREATE", "MERGE", "OPTIONAL", "UNION"):
            prev = tokens[sig[n - 1]] if n else None
            if not (tokens[k].is_word("MATCH") and prev is not None and prev.is_word("OPTIONAL")) and not (
                    tokens[k].is_word("WITH") and prev is not None and prev.is_word("STARTS", "ENDS")):
                clause = n
        clause_of.append(clause)
    rel_seen: dict[str, int] = {}  # relationship variable → clause it was bound in
    said = set()
    undirected_in_clause: dict[int, int] = {}
    steps_in_clause: dict[int, int] = {}
    in_match = False
    for n, k in enumerate(sig):
        t = tokens[k]
        if n == clause_of[n]:
            in_match = t.is_word("MATCH", "OPTIONAL")
        if t.kind == "punct" and t.text == "[" and n >= 1 and tokens[sig[n - 1]].text == "-":
            close = matching(tokens, k)
            after = next_significant(tokens, close) if close is not None else None
            left_arrow = n >= 2 and tokens[sig[n - 2]].text == "<"
            right_arrow = (after is not None and tokens[after].text == "-"
                           and (a2 := next_significant(tokens, after)) is not None and tokens[a2].text == ">")
            if in_match:
                steps_in_clause[clause_of[n]] = steps_in_clause.get(clause_of[n], 0) + 1
                if not (left_arrow or right_arrow):
                    undirected_in_clause[clause_of[n]] = undirected_in_clause.get(clause_of[n], 0) + 1
            var = next_significant(tokens, k)
            if var is not None and tokens[var].kind in ("name", "quoted"):
                name = tokens[var].text
                if name in rel_seen and rel_seen[name] != clause_of[n] and in_match and name not in said:
                    said.add(name)
                    notes.append(NOTES["rebound"].format(name=name))
                rel_seen.setdefault(name, clause_of[n])
        elif t.kind == "punct" and t.text == "-" and in_match and n + 1 < len(sig) and tokens[sig[n + 1]].text == "-":
            # --, <--, --> : a step without brackets
            left_arrow = n >= 1 and tokens[sig[n - 1]].text == "<"
            right_arrow = n + 2 < len(sig) and tokens[sig[n + 2]].text == ">"
            steps_in_clause[clause_of[n]] = steps_in_clause.get(clause_of[n], 0) + 1
            if not (left_arrow or right_arrow):
                undirected_in_clause[clause_of[n]] = undirected_in_clause.get(clause_of[n], 0) + 1
    if any(u >= 1 and steps_in_clause.get(c, 0) >= 2 for c, u in undirected_in_clause.items()):
        found.add("undirected")


def _element_id(tokens: list[Token], notes: list[str], renamed: dict[str, str]) -> list[Token]:
    """``elementId(n)`` → ``toString(id(n))``: the identity jjjkg shows, as the string Neo4j returns."""
    calls = list(_calls(tokens, "elementId"))
    if not calls:
        return tokens
    for i, open_, close in reversed(calls):
        inner = join(tokens[open_ + 1:close])
        renamed[f"toString(id({inner}))"] = join(tokens[i:close + 1])
        tokens = tokens[:i] + [Token("name", f"toString(id({inner}))", tokens[i].start)] + tokens[close + 1:]
    notes.append("ran elementId(…) as toString(id(…)): the node's identity, as jjjkg shows it (FalkorDB has no "
                 "elementId)")
    return tokens


def rewrite(tokens: list[Token], renamed: dict[str, str] | None = None) -> tuple[list[Token], list[str]]:
    """The statement with FalkorDB's differences computed away where exact; the notes (rewrites and differences).

    ``renamed`` receives each rewritten text with the text as written (for the result's column names).

    >>> t, notes = rewrite(tokenize("RETURN date('2026-01-31') + duration({months: 1}) AS d"))
    >>> join(t)
    "RETURN date('2026-02-28') AS d"
    """
    notes: list[str] = []
    found: set[str] = set()
    renamed = {} if renamed is None else renamed
    tokens = _month_arithmetic(tokens, notes, found, renamed)
    tokens = _element_id(tokens, notes, renamed)
    _temporal_notes(tokens, found)
    _pattern_notes(tokens, found, notes)
    tokens = _sum_exact(tokens, notes, renamed)
    ordered = [key for key in NOTES if key in found]
    return tokens, notes + [NOTES[key] for key in ordered]
