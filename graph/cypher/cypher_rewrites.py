"""Rewriting a Neo4j user's statement into the Cypher FalkorDB runs, announcing each change.

``prepare`` reads a statement with the lexer of ``graph.cypher.cypher_text`` and returns what will be
sent (a ``Prepared``): its mode (``EXPLAIN``, ``PROFILE``, ``SHOW INDEXES``, ``SHOW CONSTRAINTS``,
``db.schema.visualization``), its text and parameters after the safe rewrites, and one note per rewrite:

* non-ASCII names get backticks, non-ASCII ``$parameters`` an ASCII stand-in;
* ``CALL (x) { … }`` becomes ``CALL { WITH x … }``;
* ``EXISTS { pattern }`` in a ``WHERE`` becomes a pattern predicate (elsewhere, where a pattern predicate
  would be a list of paths, ``size([pattern | 1]) > 0``); ``EXISTS``/``COUNT``/``COLLECT { … }`` with a
  ``WHERE`` (or a ``RETURN``) a pattern comprehension, computed in a ``WITH *`` just before the ``WHERE`` of
  a ``MATCH`` when it stands there (FalkorDB evaluates pattern comprehensions only in projections);
* ``a =~ 'regex'`` becomes ``string.matchRegEx`` on the whole string (``\\z``, not ``$``), null when either
  side is null, its operands read with Neo4j's precedence (``'ab' =~ 'a' + 'b'``), the pattern compiled on
  its own first so that it cannot escape the anchors; an operand whose extent is not certain is refused;
* the variables a subquery introduces stay inside it (renamed when the rest of the statement uses the
  same name); a subquery that writes is refused, as Neo4j refuses it;
* ``MATCH p = shortestPath((a)-[…]->(b))`` (directed, no ``WHERE``) matches the ends, then computes the
  path in a ``WITH``.

What cannot be rewritten safely is left alone (the server's error then gets a hint) or refused here
with the alternative. Readers: ``graph.cypher.habits``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import QueryError
from . import differences
from .cypher_text import (Token, Undelimited, join, matching, next_significant, operand_after, operand_before,
                          pattern_variables, quote_name, significant, tokenize, top_level, trimmed)

__all__ = ["Prepared", "prepare", "updating_keyword", "shortened"]


_SUBQUERY_CLAUSES = {"RETURN", "WITH", "MATCH", "OPTIONAL", "CALL", "UNION", "UNWIND"}


@dataclass
class Prepared:
    """A statement as it will be sent: its text, parameters, mode and what was changed on the way."""

    text: str
    params: dict
    mode: str | None = None  # None, "EXPLAIN", "PROFILE", "SHOW INDEXES", "SHOW CONSTRAINTS", "SCHEMA"
    notes: list[str] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    original: str = ""
    renamed: dict[str, str] = field(default_factory=dict)  # text as sent → as written (names, parameters)
    needed: list[str] = field(default_factory=list)  # parameter names as written
    tail: list[Token] = field(default_factory=list)  # what follows SHOW … INDEXES
    kinds: list[str] = field(default_factory=list)  # SHOW RANGE INDEXES → ["RANGE"]
    locals: int = 0  # fresh names given to the variables of subqueries


def _new(text: str, like: Token, kind: str = "punct") -> Token:
    return Token(kind, text, like.start)


def prepare(text: str, params: Mapping[str, object] | None = None) -> Prepared:
    """Read ``text`` as Neo4j would and make it FalkorDB's: the mode, the rewrites, the parameters.

    Examples
    --------
    >>> p = prepare("MATCH (机构:Platform) RETURN 机构.name AS 名称")
    >>> p.text
    'MATCH (`机构`:Platform) RETURN `机构`.name AS `名称`'
    >>> prepare("EXPLAIN MATCH (n) WHERE EXISTS { (n)-[:IN_SECTOR]->(s) } RETURN n").text
    'MATCH (n) WHERE (n)-[:IN_SECTOR]->() RETURN n'
    """
    tokens = _one_statement(tokenize(text))
    out = Prepared(text, dict(params or {}), original=text)
    sig = significant(tokens)
    if sig and tokens[sig[0]].is_word("EXPLAIN", "PROFILE"):
        out.mode = tokens[sig[0]].upper
        tokens = tokens[sig[0] + 1:]
        sig = significant(tokens)
    if sig and tokens[sig[0]].is_word("SHOW") and out.mode is None:
        _prepare_show(tokens, sig, out)
        return out
    if (len(sig) >= 6 and tokens[sig[0]].is_word("CALL") and tokens[sig[1]].is_word("DB")
            and join(tokens[sig[1]:sig[5] + 1]).lower() == "db.schema.visualization"):
        out.mode = "SCHEMA"
        k = 6
        if k + 1 < len(sig) and tokens[sig[k]].text == "(" and tokens[sig[k + 1]].text == ")":
            k += 2
        out.tail = tokens[sig[k]:] if k < len(sig) else []
        return out
    _within_rewrite_limit(tokens)
    tokens = _rewrite_names(tokens, out)
    tokens = _rewrite_call_scope(tokens, out)
    tokens = _rewrite_subqueries(tokens, out)
    tokens = tokenize(join(tokens))  # the rewritten subqueries as tokens again: their brackets count
    tokens = _rewrite_regex(tokens, out)
    tokens = _rewrite_predicate_precedence(tokens, out)
    tokens = _rewrite_shortest_path(tokens, out)
    tokens, notes = differences.rewrite(tokenize(join(tokens)), out.renamed)
    out.notes.extend(notes)
    out.tokens = tokens
    out.text = join(tokens).strip()
    return out


#: the most ``EXISTS``/``COUNT``/``COLLECT { … }`` and ``CALL (…) { … }`` one statement may have: each is
#: rewritten at a cost that grows with the statement's length, so their number is bounded
MAX_SUBQUERY_REWRITES = 32


def _within_rewrite_limit(tokens: list[Token]) -> None:
    sig = [tokens[i] for i in significant(tokens)]
    n = sum(1 for a, b in zip(sig, sig[1:]) if (a.is_word("EXISTS", "COUNT", "COLLECT") and b.text == "{")
            or (a.is_word("CALL") and b.text == "("))
    if n > MAX_SUBQUERY_REWRITES:
        raise QueryError(f"this statement has {n} EXISTS / COUNT / COLLECT {{ … }} or CALL (…) {{ … }} subqueries; "
                         f"at most {MAX_SUBQUERY_REWRITES} are rewritten for FalkorDB: split the statement")


def _one_statement(tokens: list[Token]) -> list[Token]:
    """The tokens without a closing ``;`` (and what follows it, comments and space); several statements are refused."""
    sig = significant(tokens)
    while sig and tokens[sig[-1]].text == ";" and tokens[sig[-1]].kind == "punct":
        tokens = tokens[:sig[-1]]
        sig = sig[:-1]
    for _, t in top_level(tokens):
        if t.kind == "punct" and t.text == ";":
            n = 1 + sum(1 for _, x in top_level(tokens) if x.kind == "punct" and x.text == ";")
            raise QueryError(f"this text holds {n} statements separated by ';', and jjjkg cypher runs one at a time: "
                             "run them one by one, or paste them into the shell (jjjkg cypher with no query), "
                             "which runs each statement as it ends")
    return tokens


def _prepare_show(tokens: list[Token], sig: list[int], out: Prepared) -> None:
    words = []
    k = 1
    while k < len(sig) and tokens[sig[k]].kind == "name" and not tokens[sig[k]].is_word("YIELD", "WHERE"):
        words.append(tokens[sig[k]].upper)
        k += 1
        if words[-1] in ("INDEX", "INDEXES", "CONSTRAINT", "CONSTRAINTS"):
            break
    what = words[-1] if words else ""
    if what in ("INDEX", "INDEXES"):
        out.mode = "SHOW INDEXES"
    elif what in ("CONSTRAINT", "CONSTRAINTS"):
        out.mode = "SHOW CONSTRAINTS"
    else:
        raise QueryError(f"{join(tokens).strip()!r}: the embedded engine answers SHOW INDEXES and SHOW CONSTRAINTS; "
                         "for the rest use CALL db.labels(), CALL db.relationshipTypes(), CALL db.propertyKeys(), "
                         "CALL dbms.procedures(), CALL dbms.functions()")
    out.tail = tokens[sig[k]:] if k < len(sig) else []
    out.kinds = [w for w in words[:-1] if w != "ALL"]


def _rewrite_names(tokens: list[Token], out: Prepared) -> list[Token]:
    """Backticks around non-ASCII names; an ASCII stand-in for each non-ASCII ``$parameter``."""
    result: list[Token] = []
    quoted: list[str] = []
    stand_ins: dict[str, str] = {}
    for t in tokens:
        if t.kind == "name" and not t.text.isascii():
            new = quote_name(t.text)
            out.renamed[new] = t.text
            if t.text not in quoted:
                quoted.append(t.text)
            result.append(Token("quoted", new, t.start))
        elif t.kind == "param":
            name = t.text[1:]
            if name.startswith("`"):
                name = name[1:-1].replace("``", "`")
            if name not in out.needed:
                out.needed.append(name)
            if name.isascii() and t.text[1:2] != "`":
                result.append(t)
                continue
            stand_in = stand_ins.setdefault(name, f"jjjkg_p{len(stand_ins)}")
            out.renamed["$" + stand_in] = t.text
            if name in out.params:
                out.params[stand_in] = out.params[name]
            result.append(Token("param", "$" + stand_in, t.start))
        else:
            result.append(t)
    for name in list(out.params):  # the client cannot send these names; the query uses their stand-ins
        if not (name.isascii() and name.isidentifier()):
            out.params.pop(name)
    if quoted:
        out.notes.append("quoted the non-ASCII name" + ("s " if len(quoted) > 1 else " ")
                         + ", ".join(quote_name(q) for q in quoted) + " with backticks, as FalkorDB needs")
    return result


def _rewrite_call_scope(tokens: list[Token], out: Prepared) -> list[Token]:
    """``CALL (a, b) { … }`` (Neo4j 5.23's scope clause) → ``CALL { WITH a, b … }``."""
    i = 0
    while i < len(tokens):
        t = tokens[i]
        j = next_significant(tokens, i) if t.is_word("CALL") else None
        if j is not None and tokens[j].text == "(":
            close = matching(tokens, j)
            k = next_significant(tokens, close) if close is not None else None
            if k is not None and tokens[k].text == "{":
                inner = [x for x in tokens[j + 1:close] if x.kind not in ("space", "comment")]
                imported = join(tokens[j + 1:close]).strip()
                repl = [_new("{", tokens[k])]
                if inner:
                    repl.append(_new(f" WITH {imported}", tokens[j], "name"))
                tokens = tokens[:j] + repl + tokens[k + 1:]
                out.notes.append(f"ran CALL ({imported}) {{ … }} as CALL {{ " + (f"WITH {imported} " if inner else "")
                                 + "… }, the form FalkorDB knows")
        i += 1
    return tokens


def _rewrite_subqueries(tokens: list[Token], out: Prepared) -> list[Token]:
    """``EXISTS { pattern }`` → a pattern predicate; ``EXISTS``/``COUNT { pattern [WHERE …] }`` → ``size([…])``;
    ``COLLECT { MATCH pattern [WHERE …] RETURN expr }`` → ``[pattern WHERE … | expr]``."""
    i = 0
    while i < len(tokens):
        t = tokens[i]
        j = next_significant(tokens, i) if t.is_word("EXISTS", "COUNT", "COLLECT") else None
        if j is None or tokens[j].text != "{":
            i += 1
            continue
        close = matching(tokens, j)
        if close is None:
            i += 1
            continue
        if any(x.is_word("EXISTS", "COUNT", "COLLECT") and (n := next_significant(tokens, k)) is not None
               and n < close and tokens[n].text == "{" for k, x in enumerate(tokens[j + 1:close], start=j + 1)):
            i = j + 1  # a subquery inside this one: it is rewritten first
            continue
        body = tokens[j + 1:close]
        word = t.upper
        written = join(tokens[i:close + 1])
        write = updating_keyword(body)
        if write is not None:
            raise QueryError(f"{word} {{ … }} may only read: Neo4j refuses {write.text} inside it ({shortened(written)}) "
                             "as a syntax error; write in a clause of its own, e.g. MATCH … WHERE … "
                             f"{write.text.upper()} …")
        body = _local_names_renamed(body, tokens[:i], tokens[close + 1:], out)
        bsig = significant(body)
        if bsig and body[bsig[0]].is_word("MATCH"):
            body = body[bsig[0] + 1:]
        returned: list[Token] = []
        if word == "COLLECT":  # COLLECT { MATCH pattern [WHERE …] RETURN expr } → [pattern WHERE … | expr]
            at = next((k for k, bt in top_level(body) if bt.is_word("RETURN")), None)
            if at is not None:
                returned = trimmed(body[at + 1:])
                body = body[:at]
                alias = [k for k, bt in top_level(returned) if bt.is_word("AS")]
                returned = trimmed(returned[:alias[-1]]) if alias else returned
        where = None
        complex_ = word == "COLLECT" and (not returned or any(bt.text == "," for _, bt in top_level(returned)))
        for k, bt in top_level(body):
            if bt.is_word("WHERE") and where is None:
                where = k
            elif bt.is_word("WITH") and _after_starts_or_ends(body, k):
                continue  # STARTS WITH / ENDS WITH: an operator, not a clause
            elif bt.kind == "name" and bt.upper in _SUBQUERY_CLAUSES or bt.text == ",":
                complex_ = True
        if complex_:
            raise QueryError(
                f"FalkorDB has no {word} {{ … }} subqueries, and this one ({shortened(written)}) has more than one "
                "pattern or clause, so it cannot be rewritten: "
                + ("use a pattern predicate, `WHERE (n)-[:MEMBER_OF]->()`, or OPTIONAL MATCH … WITH n, count(m) AS k "
                   "WHERE k > 0" if word == "EXISTS" else
                   "use OPTIONAL MATCH … WITH n, count(m) AS k, or size([(n)-[:R]->(m) WHERE … | 1]) in RETURN"
                   if word == "COUNT" else
                   "use a pattern comprehension, [(n)-[:R]->(m) WHERE … | m.name], or OPTIONAL MATCH … collect(m)"))
        pattern = trimmed(body if where is None else body[:where])
        has_rel = any(x.text == "-" for _, x in top_level(pattern))
        anonymous = _anonymize(pattern, tokens[:i] + tokens[close + 1:])
        if (word == "EXISTS" and where is None and has_rel and _in_where(tokens, i)
                and not any(x.kind == "name" and x.text.startswith(_LOCAL) for x in anonymous)):
            # a pattern predicate is a boolean only in WHERE (elsewhere FalkorDB returns the paths)
            repl = anonymous
            kind = "the pattern predicate"
        else:
            cond = [] if where is None else [_new(" ", t)] + trimmed(body[where:])
            if word == "COLLECT":
                repl = [_new("[", t)] + pattern + cond + [_new(" | ", t)] + returned + [_new("]", t)]
            else:
                inner = [_new("size([", t)] + pattern + cond + [_new(" | 1])", t)]
                repl = ([_new("(", t)] + inner + [_new(" > 0)", t)]) if word == "EXISTS" else inner
            kind = "a pattern comprehension"
        if kind != "the pattern predicate" and word == "EXISTS":
            kind = "a pattern comprehension"
        new = join(repl).strip()
        where_at = _lift_target(tokens, i) if kind != "the pattern predicate" else None
        if where_at is not None:
            # FalkorDB evaluates a pattern comprehension in WITH, not in WHERE: compute it just before the WHERE
            name = f"jjjkg_{word.lower()}{sum(1 for x in tokens if x.kind == 'lift')}"
            before = next_significant(tokens, where_at, -1)
            if before is not None and tokens[before].kind == "lift":
                merged = tokens[before].text.rstrip() + f", {new} AS {name} "
                tokens[before] = Token("lift", merged, tokens[before].start)
                shift = 0
            else:
                tokens = tokens[:where_at] + [Token("lift", f"WITH *, {new} AS {name} ", t.start)] + tokens[where_at:]
                shift = 1
            i += shift
            close += shift
            repl = [Token("name", name, t.start)]
            out.notes.append(f"ran {shortened(written)} as {kind} {shortened(new)}, "
                             "computed in a WITH * before the WHERE "
                             f"(FalkorDB has no {word} {{ … }} subqueries)")
        else:
            out.notes.append(f"ran {shortened(written)} as {kind} {shortened(new)} "
                             f"(FalkorDB has no {word} {{ … }} subqueries)")
        tokens = tokens[:i] + repl + tokens[close + 1:]
        i = 0 if any(x.kind == "punct" and x.text == "{" for x in tokens[:i]) else i + len(repl)
    return tokens


#: the prefix of the fresh names given to variables a subquery introduces
_LOCAL = "jjjkg_v"


def _after_starts_or_ends(tokens: list[Token], k: int) -> bool:
    before = next_significant(tokens, k, -1)
    return before is not None and tokens[before].is_word("STARTS", "ENDS")


def _in_where(tokens: list[Token], i: int) -> bool:
    """Whether ``tokens[i]`` stands in a WHERE, outside any bracket but grouping ones, not inside a subquery."""
    depth = sum(1 if x.text == "{" else -1 for x in tokens[:i] if x.kind == "punct" and x.text in "{}")
    if depth:
        return False  # in a subquery's WHERE, which becomes a pattern comprehension's: no pattern predicate there
    at = _clause_before(tokens, i, stop_at_where=True)
    return at is not None and tokens[at].is_word("WHERE")


def _is_variable(tokens: list[Token], k: int) -> bool:
    """Whether the name at ``k`` is a variable: not a property key, label, type, map key or function."""
    before, after = next_significant(tokens, k, -1), next_significant(tokens, k)
    b = tokens[before] if before is not None else None
    a = tokens[after] if after is not None else None
    if b is not None and b.kind == "punct" and b.text in (".", ":", "|"):
        return False
    if a is not None and a.kind == "punct" and a.text == ":" and b is not None and b.text in ("{", ","):
        return False
    return not (a is not None and a.text == "(" and tokens[k].kind == "name")


def _variables(tokens: list[Token]) -> set[str]:
    return {x.text for k, x in enumerate(tokens) if x.kind in ("name", "quoted") and _is_variable(tokens, k)}


def _local_names_renamed(body: list[Token], before: list[Token], after: list[Token], out: Prepared) -> list[Token]:
    """The subquery ``body`` with each variable it introduces (one not bound before it) that the rest of the
    statement also names under a fresh name.

    In Neo4j a subquery's own variables stay inside it: ``WHERE EXISTS { (p)-->(x) } MATCH (p)-->(x)``
    binds the second ``x`` anew. Rewritten inline, the two would be one variable.
    """
    outer, later = _variables(before), _variables(after)
    local = [body[k].text for k in pattern_variables(body) if body[k].text not in outer and body[k].text in later]
    if not local:
        return body
    fresh: dict[str, str] = {}
    for name in local:
        fresh.setdefault(name, f"{_LOCAL}{out.locals}")
        out.locals += 1
    return [Token("name", fresh[x.text], x.start) if x.kind in ("name", "quoted") and x.text in fresh
            and _is_variable(body, k) else x for k, x in enumerate(body)]


_CLAUSES = {"MATCH", "OPTIONAL", "WITH", "RETURN", "UNWIND", "CALL", "CREATE", "MERGE", "SET", "DELETE", "DETACH",
            "REMOVE", "FOREACH", "UNION", "ORDER", "SKIP", "LIMIT", "YIELD"}


def _lift_target(tokens: list[Token], i: int) -> int | None:
    """Index of the WHERE of a (not OPTIONAL) MATCH that holds ``tokens[i]`` outside any bracket, else None."""
    if any(t.is_word("RETURN") and (k := next_significant(tokens, n)) is not None and tokens[k].text == "*"
           for n, t in enumerate(tokens)):
        return None  # RETURN * would show the helper column
    where = _clause_before(tokens, i, stop_at_where=True)
    if where is None or not tokens[where].is_word("WHERE"):
        return None
    owner = _clause_before(tokens, where, stop_at_where=False)
    if owner is None:
        return None
    if tokens[owner].kind == "lift":
        return where
    previous = next_significant(tokens, owner, -1)
    if tokens[owner].is_word("MATCH") and not (previous is not None and tokens[previous].is_word("OPTIONAL")):
        return where
    return None


def _clause_before(tokens: list[Token], i: int, *, stop_at_where: bool) -> int | None:
    """Index of the nearest clause keyword (or WHERE, or a lifted WITH) before ``i`` at the same bracket depth."""
    depth = 0
    for j in range(i - 1, -1, -1):
        t = tokens[j]
        if t.kind == "punct" and t.text in ")]}":
            depth += 1
        elif t.kind == "punct" and t.text in "([{":
            if depth > 0:
                depth -= 1
                continue
            before = next_significant(tokens, j, -1)
            grouping = t.text == "(" and before is not None and (
                tokens[before].text == "(" or tokens[before].is_word("WHERE", "AND", "OR", "XOR", "NOT"))
            if not (stop_at_where and grouping):
                return None  # tokens[i] is inside a list, map, pattern or call
        elif depth == 0 and (t.kind == "lift" or t.kind == "name" and (
                t.upper in _CLAUSES or stop_at_where and t.upper == "WHERE")):
            return j
    return None


def _anonymize(pattern: list[Token], outside: list[Token]) -> list[Token]:
    """Drop the names of variables that only this pattern uses (a pattern predicate may not bind new ones)."""
    used_outside = {x.text for x in outside if x.kind in ("name", "quoted")}
    declared = pattern_variables(pattern)
    drop = set()
    for i in declared:
        name = pattern[i].text
        uses = sum(1 for x in pattern if x.kind == pattern[i].kind and x.text == name)
        if name not in used_outside and uses == 1:
            drop.add(i)
    return [x for i, x in enumerate(pattern) if i not in drop]


def shortened(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _has_operator(tokens: list[Token]) -> bool:
    """Whether an operand has an operator outside brackets (it must keep its own brackets when moved)."""
    return any(x.kind == "punct" and x.text in "+-*/%^" for _, x in top_level(tokens))


def _rewrite_regex(tokens: list[Token], out: Prepared) -> list[Token]:
    """``a =~ 'regex'`` → ``string.matchRegEx`` on the whole string, null when either side is null.

    The operands are read as Neo4j reads them: arithmetic and string concatenation bind tighter than
    ``=~`` (``'ab' =~ 'a' + 'b'`` is true). The pattern is compiled on its own first, so one that is
    not a regex by itself (``a)|(.*``) fails as in Neo4j instead of escaping the anchors around it; the
    end anchor is ``\\z``, so a final newline is not skipped (``'abc\\n' =~ 'abc'`` is false).

    The result is built piece by piece (not by splicing the token list at each match), so a
    statement with thousands of ``=~`` costs time in proportion to its length.
    """
    pieces: list[Token] = []
    done = 0  # tokens[:done] are in pieces
    i = 0
    while i < len(tokens) - 1:
        if not (tokens[i].text == "=" and tokens[i + 1].text == "~" and tokens[i].kind == "punct"):
            i += 1
            continue
        lend, rstart = next_significant(tokens, i, -1), next_significant(tokens, i + 1)
        try:
            lstart = operand_before(tokens, lend) if lend is not None else None
            rend = operand_after(tokens, rstart) if rstart is not None else None
        except Undelimited as err:
            raise QueryError(f"FalkorDB has no =~ operator, and where this one's operands begin and end is not "
                             f"certain ({err}): put each side in brackets, (a) =~ (b), or write "
                             "string.matchRegEx(s, '^(?:regex)\\\\z') <> [] (or STARTS WITH / ENDS WITH / CONTAINS)"
                             ) from None
        if lstart is None or rend is None or lstart < done:
            raise QueryError("FalkorDB has no =~ operator, and this one's operands are not simple enough to rewrite: "
                             "put each side in brackets, (a) =~ (b), or write "
                             "string.matchRegEx(s, '^(?:regex)\\\\z') <> [] (or STARTS WITH / ENDS WITH / CONTAINS)")
        left, right = join(tokens[lstart:lend + 1]).strip(), join(tokens[rstart:rend + 1]).strip()
        if _has_operator(tokens[lstart:lend + 1]):
            left = f"({left})"
        if _has_operator(tokens[rstart:rend + 1]):
            right = f"({right})"
        anchored = f"'^(?:' + {right} + ')\\\\z'"
        new = (f"(CASE WHEN {left} IS NULL OR {right} IS NULL THEN null "
               f"WHEN size(string.matchRegEx('', {right})) < 0 THEN null "
               f"ELSE size(string.matchRegEx({left}, {anchored})) > 0 END)")
        out.notes.append(f"ran {left} =~ {right} as string.matchRegEx({left}, {anchored}) "
                         "(FalkorDB has no =~)")
        pieces.extend(tokens[done:lstart])
        pieces.append(Token("name", new, tokens[lstart].start))
        done = i = rend + 1
    return pieces + tokens[done:] if done else tokens


def _predicate_operator(tokens: list[Token], i: int) -> tuple[int, int | None] | None:
    """(index of the operator's last word, None for IS [NOT] NULL else the right operand's start) when
    ``tokens[i]`` begins IN, STARTS WITH, ENDS WITH, CONTAINS or IS [NOT] NULL as an operator."""
    t = tokens[i]
    if t.kind != "name":
        return None
    before = next_significant(tokens, i, -1)
    if before is None or tokens[before].kind == "punct" and tokens[before].text == ".":
        return None
    nxt = next_significant(tokens, i)
    if t.is_word("IN", "CONTAINS"):
        return (i, nxt)
    if t.is_word("STARTS", "ENDS") and nxt is not None and tokens[nxt].is_word("WITH"):
        return (nxt, next_significant(tokens, nxt))
    if t.is_word("IS") and nxt is not None:
        last = next_significant(tokens, nxt) if tokens[nxt].is_word("NOT") else nxt
        if last is not None and tokens[last].is_word("NULL"):
            return (last, None)
    return None


def _rewrite_predicate_precedence(tokens: list[Token], out: Prepared) -> list[Token]:
    """Brackets around an operand of IN, STARTS WITH, ENDS WITH, CONTAINS or IS NULL that holds + or -.

    Neo4j applies arithmetic and concatenation first (``'a' + 'b' STARTS WITH 'ab'`` is true, ``1 + null IS
    NULL`` true); FalkorDB applies these operators first (``'a' + false``, ``1 + true``).
    """
    opens: dict[int, int] = {}
    closes: dict[int, int] = {}
    changed: list[str] = []
    for i in range(len(tokens)):
        op = _predicate_operator(tokens, i)
        if op is None:
            continue
        last, rstart = op
        lend = next_significant(tokens, i, -1)
        ranges = []
        try:
            ranges.append((operand_before(tokens, lend), lend))
        except Undelimited:
            pass
        if rstart is not None:
            try:
                ranges.append((rstart, operand_after(tokens, rstart)))
            except Undelimited:
                pass
        for a, b in ranges:
            if _has_operator(tokens[a:b + 1]) and not (tokens[a].text in "+-" and not _has_operator(tokens[a + 1:b + 1])):
                opens[a] = opens.get(a, 0) + 1
                closes[b] = closes.get(b, 0) + 1
                changed.append(join(tokens[a:b + 1]).strip())
    if not changed:
        return tokens
    result: list[Token] = []
    for k, tok in enumerate(tokens):
        result.extend(Token("punct", "(", tok.start) for _ in range(opens.get(k, 0)))
        result.append(tok)
        result.extend(Token("punct", ")", tok.start) for _ in range(closes.get(k, 0)))
    out.notes.append("put " + ", ".join(f"({shortened(c, 30)})" for c in changed) + " in brackets before "
                     "IN / STARTS WITH / ENDS WITH / CONTAINS / IS NULL, as Neo4j reads them (FalkorDB applies those "
                     "operators before + and -)")
    return result


def _node_variable(tokens: list[Token], open_: int, close: int) -> str | None:
    inner = [k for k in range(open_ + 1, close) if tokens[k].kind not in ("space", "comment")]
    if inner and tokens[inner[0]].kind in ("name", "quoted"):
        return tokens[inner[0]].text
    return None


def _rewrite_shortest_path(tokens: list[Token], out: Prepared) -> list[Token]:
    """``MATCH p = shortestPath((a …)-[…]->(b …))`` → match the ends, then the path in a WITH (FalkorDB's place).

    Only a MATCH that holds nothing but the one directed shortestPath and has no WHERE of its own is
    rewritten: a WHERE there would, in Neo4j, steer the search, which a filter afterwards cannot.
    """
    if not any(t.is_word("SHORTESTPATH") for t in tokens):
        return tokens
    returns_star = any(t.is_word("RETURN") and (k := next_significant(tokens, n)) is not None and tokens[k].text == "*"
                       for n, t in enumerate(tokens))
    i = 0
    while i < len(tokens):
        m = tokens[i]
        if not m.is_word("MATCH"):
            i += 1
            continue
        seq = []
        j = i
        for _ in range(4):
            j = next_significant(tokens, j) if j is not None else None
            seq.append(j)
        if not (m.is_word("MATCH") and None not in seq and tokens[seq[0]].kind in ("name", "quoted")
                and tokens[seq[1]].text == "=" and tokens[seq[2]].is_word("SHORTESTPATH")
                and tokens[seq[3]].text == "("):
            i += 1
            continue
        previous = next_significant(tokens, i, -1)
        outer_close = matching(tokens, seq[3])
        after = next_significant(tokens, outer_close) if outer_close is not None else None
        if (previous is not None and tokens[previous].is_word("OPTIONAL")) or outer_close is None or (
                after is not None and (tokens[after].is_word("WHERE") or tokens[after].text == ",")):
            i += 1
            continue
        a_open = next_significant(tokens, seq[3])
        a_close = matching(tokens, a_open) if a_open is not None and tokens[a_open].text == "(" else None
        b_close = next_significant(tokens, outer_close, -1)
        b_open = None
        if b_close is not None and tokens[b_close].text == ")":
            depth = 0
            for k in range(b_close, -1, -1):
                depth += tokens[k].text == ")" if tokens[k].kind == "punct" else 0
                depth -= tokens[k].text == "(" if tokens[k].kind == "punct" else 0
                if depth == 0:
                    b_open = k
                    break
        if a_close is None or b_open is None or b_open <= a_close:
            i += 1
            continue
        rel = join(tokens[a_close + 1:b_open]).strip()
        if not (rel.startswith("<-") ^ rel.endswith("->")):
            i += 1  # undirected (or both ways): FalkorDB cannot, the hint says so
            continue
        a_var, b_var = _node_variable(tokens, a_open, a_close), _node_variable(tokens, b_open, b_close)
        if (a_var is None or b_var is None) and returns_star:
            i += 1
            continue
        a_node = join(tokens[a_open:a_close + 1]) if a_var else "(jjjkg_start" + join(tokens[a_open + 1:a_close + 1])
        b_node = join(tokens[b_open:b_close + 1]) if b_var else "(jjjkg_end" + join(tokens[b_open + 1:b_close + 1])
        a_var, b_var = a_var or "jjjkg_start", b_var or "jjjkg_end"
        path = tokens[seq[0]].text
        new = (f"MATCH {a_node}, {b_node} WITH *, shortestPath(({a_var}){rel}({b_var})) AS {path} "
               f"WHERE {path} IS NOT NULL")
        written = join(tokens[i:outer_close + 1])
        out.notes.append(f"ran {shortened(written)} as {shortened(new, 90)} "
                         "(FalkorDB computes shortestPath only in WITH "
                         "or RETURN)")
        tokens = tokens[:i] + [Token("lift", new, m.start)] + tokens[outer_close + 1:]
        i += 1
    return tokens


_UPDATING = {"CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "FOREACH", "DROP", "LOAD"}


def updating_keyword(tokens: list[Token]) -> Token | None:
    """The first updating keyword (CREATE, MERGE, SET …) of a statement, if it has one."""
    sig = [tokens[i] for i in significant(tokens)]
    for k, t in enumerate(sig):
        prev = sig[k - 1].text if k else ""
        nxt = sig[k + 1].text if k + 1 < len(sig) else ""
        if t.kind == "name" and t.upper in _UPDATING and prev not in (".", ":") and nxt != ":":
            return t
    return None
