"""Neo4j habits on the embedded engine: what an analyst types in Neo4j Browser works here too, or is answered.

FalkorDB speaks most of Cypher but not all of what Neo4j users type. ``run_cypher`` stands between
an analyst's statement and ``EmbeddedEngine.run``:

* ``EXPLAIN`` and ``PROFILE`` return the plan (``GRAPH.EXPLAIN`` / ``GRAPH.PROFILE``), not rows;
  ``PROFILE`` runs the query, so in read-only mode it refuses a query that would write;
* ``SHOW INDEXES``, ``SHOW CONSTRAINTS`` and ``CALL db.schema.visualization()`` are answered with
  Neo4j's column names, from the engine's ``db.indexes()``/``db.constraints()`` and ``graph.schema``
  (``db.labels()``, ``db.relationshipTypes()`` and ``db.propertyKeys()`` FalkorDB answers itself);
* safe rewrites, each announced as a note: non-ASCII names get backticks (``RETURN n.name AS 名称``),
  non-ASCII ``$parameters`` an ASCII stand-in, ``EXISTS { pattern }`` becomes a pattern predicate,
  ``COUNT { … }`` a ``size([…])``, ``COLLECT { … RETURN x }`` a pattern comprehension,
  ``CALL (x) { … }`` a ``CALL { WITH x … }``, ``a =~ 'regex'`` ``string.matchRegEx``, and
  ``MATCH p = shortestPath(…)`` the ends matched, then the path computed in a ``WITH``;
* what cannot be rewritten fails with a hint naming the alternative FalkorDB supports;
* a missing ``$parameter`` is named, and an unknown label, relationship type or property key draws a
  warning with the nearest names of the graph.

Neo4j itself (``--uri``) understands all of this, so statements for it pass through untouched.

Readers: the command line (``jjjkg cypher``, its shell, saved queries). The lexer is
``graph.store.cypher_text``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .. import schema
from ..errors import QueryError
from .cypher_text import Token, join, matching, quote_name, significant, tokenize

__all__ = ["Result", "Plan", "run_cypher", "prepare", "Prepared", "referenced_names", "unknown_name_warnings",
           "HINTS", "INDEX_COLUMNS", "CONSTRAINT_COLUMNS"]

#: what a write refusal tells the analyst to do, unless the caller says otherwise
WRITE_HINT = "run it again with --write to allow writes"
#: the prefix of the engine's message when a read-only query tried to write
_WRITE_REFUSED = "the query writes to the graph"

_UPDATING = {"CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "FOREACH", "DROP", "LOAD"}
_WRITING_OPERATORS = {"Create", "Delete", "Update", "Merge", "MergeCreate", "Foreach", "SubqueryForeach",
                      "Load CSV", "Create Index", "Drop Index"}
_READ_PROCEDURES = {"db.labels", "db.relationshiptypes", "db.propertykeys", "db.indexes", "db.constraints",
                    "db.meta.stats", "dbms.procedures", "dbms.functions", "db.idx.fulltext.querynodes",
                    "db.idx.fulltext.queryrelationships", "db.idx.vector.querynodes",
                    "db.idx.vector.queryrelationships"}
_BLOCK_WORDS = ("CALL", "EXISTS", "COUNT", "COLLECT")
_SUBQUERY_CLAUSES = {"RETURN", "WITH", "MATCH", "OPTIONAL", "CALL", "UNION", "UNWIND"}

INDEX_COLUMNS = ("id", "name", "state", "populationPercent", "type", "entityType", "labelsOrTypes", "properties",
                 "indexProvider", "owningConstraint", "lastRead", "readCount")
CONSTRAINT_COLUMNS = ("id", "name", "type", "entityType", "labelsOrTypes", "properties", "ownedIndex",
                      "propertyType")
_PROVIDERS = {"RANGE": "range-1.0", "FULLTEXT": "fulltext-1.0", "VECTOR": "vector-2.0"}
_CONSTRAINT_TYPES = {("UNIQUE", "NODE"): "UNIQUENESS", ("UNIQUE", "RELATIONSHIP"): "RELATIONSHIP_UNIQUENESS",
                     ("MANDATORY", "NODE"): "NODE_PROPERTY_EXISTENCE",
                     ("MANDATORY", "RELATIONSHIP"): "RELATIONSHIP_PROPERTY_EXISTENCE"}
_ROWS_PARAM = "jjjkg_rows"

#: FalkorDB's message → what to write instead (the message is matched case-insensitively)
HINTS: tuple[tuple[str, str], ...] = (
    ("does not currently support =~",
     "FalkorDB has no =~ operator: use string.matchRegEx(s, regex) (a list of matches, empty when none), or "
     "STARTS WITH / ENDS WITH / CONTAINS; a simple `x.prop =~ 'regex'` is rewritten for you"),
    ("unknown function 'datetime'",
     "FalkorDB has no datetime(): use localdatetime('2024-05-01T09:00:00') (no time zone), date('2024-05-01') or "
     "timestamp() (milliseconds since 1970)"),
    ("unknown function 'time'", "FalkorDB has no time(): use localtime() (no time zone)"),
    ("unknown function 'duration.between'",
     "FalkorDB has no duration.between(): compare years as integers (our `year` is one), or subtract "
     "timestamps"),
    ("unknown function 'date.truncate'",
     "FalkorDB has no date.truncate(): build the date with date({year: d.year, month: d.month, day: 1})"),
    ("unknown function 'datetime.", "FalkorDB has no datetime.*() functions: use localdatetime()"),
    ("undirected shortestpath",
     "FalkorDB follows shortestPath only in one direction: write -[*]-> (or <-[*]-), and try the other "
     "direction if you need both"),
    ("only supports shortestpaths in with or return",
     "FalkorDB computes shortestPath only in WITH or RETURN, not in MATCH: "
     "MATCH (a {id: $from}), (b {id: $to}) WITH a, b, shortestPath((a)-[*]->(b)) AS p WHERE p IS NOT NULL RETURN p"),
    ("invalid numeric value '0o",
     "FalkorDB reads octal without the 'o': write 017, not 0o17 (or write the number in decimal)"),
    ("unable to resolve filtered alias '[",
     "FalkorDB evaluates a pattern comprehension (and so a rewritten EXISTS, COUNT or COLLECT { … }) only in "
     "WITH and RETURN: compute it first, `WITH n, size([(n)-[:R]->(m) WHERE … | 1]) AS k WHERE k > 0`"),
    ("unable to resolve filtered alias",
     "a pattern in WHERE may only use variables bound before it: drop the new variable's name "
     "(`(n)-[:IN_SECTOR]->(:Sector {kind: 'chain'})`), or use OPTIONAL MATCH … WITH n, count(m) AS k WHERE k > 0"),
    ("procedure `db.schema",
     "jjjkg answers CALL db.schema.visualization() itself; other db.schema.* procedures do not exist in FalkorDB: "
     "use CALL db.labels(), CALL db.relationshipTypes(), CALL db.propertyKeys()"),
    ("procedure `apoc.", "FalkorDB has no APOC procedures: CALL dbms.procedures() lists what it has"),
    ("procedure `gds.", "FalkorDB has no GDS library: its algo.* procedures (algo.pageRank, algo.BFS, algo.WCC, "
                        "algo.betweenness …) are listed by CALL dbms.procedures()"),
)


class Result(list):
    """Rows (dicts) with their column names, which an empty result keeps."""

    def __init__(self, rows=(), columns=None):
        super().__init__(rows)
        self.columns = list(columns) if columns is not None else (list(self[0]) if self else None)


class Plan(Result):
    """An execution plan: one row per operator, and the plan's text ``lines`` as FalkorDB prints it."""

    def __init__(self, lines: list[str], profiled: bool):
        rows = [_plan_row(line, profiled) for line in lines]
        cols = ["depth", "operator", "details"] + (["records", "ms"] if profiled else [])
        super().__init__(rows, cols)
        self.lines = list(lines)


_PROFILE_PART = re.compile(r"Records produced:\s*(\d+),\s*Execution time:\s*([\d.]+)\s*ms")


def _plan_row(line: str, profiled: bool) -> dict:
    depth = (len(line) - len(line.lstrip(" "))) // 4
    parts = [p.strip() for p in line.strip().split(" | ")]
    row: dict = {"depth": depth, "operator": parts[0]}
    details = []
    records = ms = None
    for p in parts[1:]:
        m = _PROFILE_PART.fullmatch(p)
        if m:
            records, ms = int(m[1]), float(m[2])
        else:
            details.append(p)
    row["details"] = " | ".join(details)
    if profiled:
        row.update(records=records, ms=ms)
    return row


# ============================================================================= preparing a statement


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


def _sig(tokens: list[Token], i: int, step: int = 1) -> int | None:
    """Index of the next (or previous) significant token from ``i`` (exclusive)."""
    j = i + step
    while 0 <= j < len(tokens):
        if tokens[j].kind not in ("space", "comment"):
            return j
        j += step
    return None


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
        return out
    tokens = _rewrite_names(tokens, out)
    tokens = _rewrite_call_scope(tokens, out)
    tokens = _rewrite_subqueries(tokens, out)
    tokens = _rewrite_regex(tokens, out)
    tokens = _rewrite_shortest_path(tokens, out)
    out.tokens = tokens
    out.text = join(tokens).strip()
    return out


def _one_statement(tokens: list[Token]) -> list[Token]:
    """The tokens without a closing ``;`` (and what follows it, comments and space); several statements are refused."""
    sig = significant(tokens)
    while sig and tokens[sig[-1]].text == ";" and tokens[sig[-1]].kind == "punct":
        tokens = tokens[:sig[-1]]
        sig = sig[:-1]
    for _, t in _top_level(tokens):
        if t.kind == "punct" and t.text == ";":
            n = 1 + sum(1 for _, x in _top_level(tokens) if x.kind == "punct" and x.text == ";")
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
        j = _sig(tokens, i) if t.is_word("CALL") else None
        if j is not None and tokens[j].text == "(":
            close = matching(tokens, j)
            k = _sig(tokens, close) if close is not None else None
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


def _pattern_variables(tokens: list[Token]) -> list[int]:
    """Indexes of names declared in a pattern: right after ``(`` or ``[``, before ``:``, ``)``, ``]`` or ``{``."""
    found = []
    for i, t in enumerate(tokens):
        if t.kind not in ("name", "quoted"):
            continue
        before, after = _sig(tokens, i, -1), _sig(tokens, i)
        if (before is not None and tokens[before].text in ("(", "[") and after is not None
                and tokens[after].text in (":", ")", "]", "{", "*")):
            found.append(i)
    return found


def _top_level(tokens: list[Token]):
    """(index, token) of the tokens outside any bracket."""
    depth = 0
    for i, t in enumerate(tokens):
        if t.kind == "punct" and t.text in "([{":
            depth += 1
        elif t.kind == "punct" and t.text in ")]}":
            depth -= 1
        elif depth == 0:
            yield i, t


def _rewrite_subqueries(tokens: list[Token], out: Prepared) -> list[Token]:
    """``EXISTS { pattern }`` → a pattern predicate; ``EXISTS``/``COUNT { pattern [WHERE …] }`` → ``size([…])``;
    ``COLLECT { MATCH pattern [WHERE …] RETURN expr }`` → ``[pattern WHERE … | expr]``."""
    i = 0
    while i < len(tokens):
        t = tokens[i]
        j = _sig(tokens, i) if t.is_word("EXISTS", "COUNT", "COLLECT") else None
        if j is None or tokens[j].text != "{":
            i += 1
            continue
        close = matching(tokens, j)
        if close is None:
            i += 1
            continue
        body = tokens[j + 1:close]
        bsig = significant(body)
        if bsig and body[bsig[0]].is_word("MATCH"):
            body = body[bsig[0] + 1:]
        word = t.upper
        returned: list[Token] = []
        if word == "COLLECT":  # COLLECT { MATCH pattern [WHERE …] RETURN expr } → [pattern WHERE … | expr]
            at = next((k for k, bt in _top_level(body) if bt.is_word("RETURN")), None)
            if at is not None:
                returned = _trimmed(body[at + 1:])
                body = body[:at]
                alias = [k for k, bt in _top_level(returned) if bt.is_word("AS")]
                returned = _trimmed(returned[:alias[-1]]) if alias else returned
        where = None
        complex_ = word == "COLLECT" and (not returned or any(bt.text == "," for _, bt in _top_level(returned)))
        for k, bt in _top_level(body):
            if bt.is_word("WHERE") and where is None:
                where = k
            elif bt.kind == "name" and bt.upper in _SUBQUERY_CLAUSES or bt.text == ",":
                complex_ = True
        written = join(tokens[i:close + 1])
        if complex_:
            raise QueryError(
                f"FalkorDB has no {word} {{ … }} subqueries, and this one ({_short(written)}) has more than one "
                "pattern or clause, so it cannot be rewritten: "
                + ("use a pattern predicate, `WHERE (n)-[:MEMBER_OF]->()`, or OPTIONAL MATCH … WITH n, count(m) AS k "
                   "WHERE k > 0" if word == "EXISTS" else
                   "use OPTIONAL MATCH … WITH n, count(m) AS k, or size([(n)-[:R]->(m) WHERE … | 1]) in RETURN"
                   if word == "COUNT" else
                   "use a pattern comprehension, [(n)-[:R]->(m) WHERE … | m.name], or OPTIONAL MATCH … collect(m)"))
        pattern = _trimmed(body if where is None else body[:where])
        has_rel = any(x.text == "-" for _, x in _top_level(pattern))
        if word == "EXISTS" and where is None and has_rel:
            repl = _anonymize(pattern, tokens[:i] + tokens[close + 1:])
            kind = "the pattern predicate"
        else:
            cond = [] if where is None else [_new(" ", t)] + _trimmed(body[where:])
            if word == "COLLECT":
                repl = [_new("[", t)] + pattern + cond + [_new(" | ", t)] + returned + [_new("]", t)]
            else:
                inner = [_new("size([", t)] + pattern + cond + [_new(" | 1])", t)]
                repl = ([_new("(", t)] + inner + [_new(" > 0)", t)]) if word == "EXISTS" else inner
            kind = "a pattern comprehension"
        new = join(repl).strip()
        where_at = _lift_target(tokens, i) if kind != "the pattern predicate" else None
        if where_at is not None:
            # FalkorDB evaluates a pattern comprehension in WITH, not in WHERE: compute it just before the WHERE
            name = f"jjjkg_{word.lower()}{sum(1 for x in tokens if x.kind == 'lift')}"
            before = _sig(tokens, where_at, -1)
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
            out.notes.append(f"ran {_short(written)} as {kind} {_short(new)}, computed in a WITH * before the WHERE "
                             f"(FalkorDB has no {word} {{ … }} subqueries)")
        else:
            out.notes.append(f"ran {_short(written)} as {kind} {_short(new)} "
                             f"(FalkorDB has no {word} {{ … }} subqueries)")
        tokens = tokens[:i] + repl + tokens[close + 1:]
        i += len(repl)
    return tokens


_CLAUSES = {"MATCH", "OPTIONAL", "WITH", "RETURN", "UNWIND", "CALL", "CREATE", "MERGE", "SET", "DELETE", "DETACH",
            "REMOVE", "FOREACH", "UNION", "ORDER", "SKIP", "LIMIT", "YIELD"}


def _lift_target(tokens: list[Token], i: int) -> int | None:
    """Index of the WHERE of a (not OPTIONAL) MATCH that holds ``tokens[i]`` outside any bracket, else None."""
    if any(t.is_word("RETURN") and (k := _sig(tokens, n)) is not None and tokens[k].text == "*"
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
    previous = _sig(tokens, owner, -1)
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
            before = _sig(tokens, j, -1)
            grouping = t.text == "(" and before is not None and (
                tokens[before].text == "(" or tokens[before].is_word("WHERE", "AND", "OR", "XOR", "NOT"))
            if not (stop_at_where and grouping):
                return None  # tokens[i] is inside a list, map, pattern or call
        elif depth == 0 and (t.kind == "lift" or t.kind == "name" and (
                t.upper in _CLAUSES or stop_at_where and t.upper == "WHERE")):
            return j
    return None


def _trimmed(tokens: list[Token]) -> list[Token]:
    sig = significant(tokens)
    return tokens[sig[0]:sig[-1] + 1] if sig else []


def _anonymize(pattern: list[Token], outside: list[Token]) -> list[Token]:
    """Drop the names of variables that only this pattern uses (a pattern predicate may not bind new ones)."""
    used_outside = {x.text for x in outside if x.kind in ("name", "quoted")}
    declared = _pattern_variables(pattern)
    drop = set()
    for i in declared:
        name = pattern[i].text
        uses = sum(1 for x in pattern if x.kind == pattern[i].kind and x.text == name)
        if name not in used_outside and uses == 1:
            drop.add(i)
    return [x for i, x in enumerate(pattern) if i not in drop]


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _operand_back(tokens: list[Token], end: int) -> int | None:
    """Start of the simple operand ending at ``tokens[end]``: a name, property chain, call, $param or string."""
    i = end
    t = tokens[i]
    if t.kind in ("string", "param", "number"):
        return i
    while True:
        t = tokens[i]
        if t.text == ")":
            depth = 0
            for k in range(i, -1, -1):
                if tokens[k].text == ")":
                    depth += 1
                elif tokens[k].text == "(":
                    depth -= 1
                    if depth == 0:
                        break
            else:
                return None
            i = k - 1
            if i < 0 or tokens[i].kind != "name":
                return None
        elif t.kind not in ("name", "quoted"):
            return None
        if i >= 2 and tokens[i - 1].text == "." and tokens[i - 2].kind in ("name", "quoted") or (
                i >= 2 and tokens[i - 1].text == "." and tokens[i - 2].text == ")"):
            i -= 2
            continue
        return i


def _rewrite_regex(tokens: list[Token], out: Prepared) -> list[Token]:
    """``a =~ 'regex'`` → ``string.matchRegEx`` on the whole string, null when either side is null."""
    i = 0
    while i < len(tokens) - 1:
        if not (tokens[i].text == "=" and tokens[i + 1].text == "~" and tokens[i].kind == "punct"):
            i += 1
            continue
        lend, rstart = _sig(tokens, i, -1), _sig(tokens, i + 1)
        lstart = _operand_back(tokens, lend) if lend is not None else None
        rend = None
        if rstart is not None and tokens[rstart].kind in ("string", "param"):
            rend = rstart
        elif rstart is not None and tokens[rstart].kind in ("name", "quoted"):
            rend = rstart
            while rend + 2 < len(tokens) and tokens[rend + 1].text == "." and tokens[rend + 2].kind in ("name",
                                                                                                     "quoted"):
                rend += 2
        if lstart is None or rend is None:
            raise QueryError("FalkorDB has no =~ operator, and this one's operands are not simple enough to rewrite: "
                             "use string.matchRegEx(s, '^(?:regex)$') <> [] (or STARTS WITH / ENDS WITH / CONTAINS)")
        left, right = join(tokens[lstart:lend + 1]).strip(), join(tokens[rstart:rend + 1]).strip()
        new = (f"(CASE WHEN {left} IS NULL OR {right} IS NULL THEN null ELSE "
               f"size(string.matchRegEx({left}, '^(?:' + {right} + ')$')) > 0 END)")
        out.notes.append(f"ran {left} =~ {right} as string.matchRegEx({left}, '^(?:' + {right} + ')$') "
                         "(FalkorDB has no =~)")
        repl = [Token("name", new, tokens[lstart].start)]
        tokens = tokens[:lstart] + repl + tokens[rend + 1:]
        i = lstart + 1
    return tokens


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
    returns_star = any(t.is_word("RETURN") and (k := _sig(tokens, n)) is not None and tokens[k].text == "*"
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
            j = _sig(tokens, j) if j is not None else None
            seq.append(j)
        if not (m.is_word("MATCH") and None not in seq and tokens[seq[0]].kind in ("name", "quoted")
                and tokens[seq[1]].text == "=" and tokens[seq[2]].is_word("SHORTESTPATH")
                and tokens[seq[3]].text == "("):
            i += 1
            continue
        previous = _sig(tokens, i, -1)
        outer_close = matching(tokens, seq[3])
        after = _sig(tokens, outer_close) if outer_close is not None else None
        if (previous is not None and tokens[previous].is_word("OPTIONAL")) or outer_close is None or (
                after is not None and (tokens[after].is_word("WHERE") or tokens[after].text == ",")):
            i += 1
            continue
        a_open = _sig(tokens, seq[3])
        a_close = matching(tokens, a_open) if a_open is not None and tokens[a_open].text == "(" else None
        b_close = _sig(tokens, outer_close, -1)
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
        out.notes.append(f"ran {_short(written)} as {_short(new, 90)} (FalkorDB computes shortestPath only in WITH "
                         "or RETURN)")
        tokens = tokens[:i] + [Token("lift", new, m.start)] + tokens[outer_close + 1:]
        i += 1
    return tokens


# ============================================================================= names the graph does not have


def referenced_names(tokens: list[Token]) -> dict[str, list[str]]:
    """The labels, relationship types and property keys a statement names, as written.

    >>> referenced_names(tokenize("MATCH (p:Platform)-[:IN_SECTOR]->(s) WHERE p.provnce = 1 RETURN s"))
    {'label': ['Platform'], 'type': ['IN_SECTOR'], 'key': ['provnce']}
    """
    found: dict[str, list[str]] = {"label": [], "type": [], "key": []}

    def add(kind, tok):
        name = tok.text[1:-1].replace("``", "`") if tok.kind == "quoted" else tok.text
        if name not in found[kind]:
            found[kind].append(name)

    variables = {tokens[i].text for i in _pattern_variables(tokens)}
    stack: list[tuple[str, bool]] = []  # (bracket, is a pattern/map that holds property keys)
    for i, t in enumerate(tokens):
        if t.kind == "punct" and t.text in "([{":
            prev = _sig(tokens, i, -1)
            p = tokens[prev] if prev is not None else None
            if t.text == "[":
                pattern = p is not None and p.text in ("-", "<")
            elif t.text == "(":
                pattern = p is None or p.kind != "name" or p.upper in {"MATCH", "MERGE", "CREATE", "WHERE", "AND",
                                                                       "OR", "NOT", "XOR"}
            else:
                pattern = p is not None and not p.is_word(*_BLOCK_WORDS) and bool(stack) and stack[-1][1]
            stack.append((t.text, pattern))
            continue
        if t.kind == "punct" and t.text in ")]}":
            if stack:
                stack.pop()
            continue
        if t.kind not in ("name", "quoted"):
            continue
        prev = _sig(tokens, i, -1)
        nxt = _sig(tokens, i)
        p = tokens[prev] if prev is not None else None
        n = tokens[nxt] if nxt is not None else None
        inner = stack[-1] if stack else ("", False)
        if inner[0] == "{":
            if inner[1] and n is not None and n.text == ":" and (p is None or p.text in ("{", ",")):
                add("key", t)
            continue
        if p is not None and p.text in (":", "|") and p.kind == "punct":
            before = _sig(tokens, prev, -1)
            if p.text == "|" and not (inner[0] == "[" and inner[1]):
                continue
            if before is not None and tokens[before].kind in ("string", "number"):
                continue
            add("type" if inner[0] == "[" and inner[1] else "label", t)
        elif (p is not None and p.text == "." and (n is None or n.text != "(") and prev >= 1
              and tokens[prev - 1].text in variables):
            add("key", t)
    return found


def _known_names(engine) -> dict[str, set[str]]:
    def collect(call, col):
        try:
            return {r["x"] for r in engine.run(f"CALL {call}() YIELD {col} RETURN {col} AS x", {})}
        except QueryError:
            return set()

    return {
        "label": set(schema.NODE_LABELS) | collect("db.labels", "label"),
        "type": set(schema.RELATIONS) | collect("db.relationshipTypes", "relationshipType"),
        "key": set(schema.property_keys()) | collect("db.propertyKeys", "propertyKey"),
    }


_WHAT = {"label": "label", "type": "relationship type", "key": "property key"}


def unknown_name_warnings(tokens: list[Token], known: dict[str, set[str]]) -> list[str]:
    """One warning per label, relationship type or property key that the graph does not have."""
    out = []
    for kind, names in referenced_names(tokens).items():
        for name in names:
            if name in known[kind]:
                continue
            near = [k for k in sorted(known[kind]) if k.lower() == name.lower() or sorted(k) == sorted(name)]
            near += [k for k in difflib.get_close_matches(name, sorted(known[kind]), n=3, cutoff=0.6)
                     if k not in near][:3]
            said = (f"did you mean {', '.join(near)}?" if near else
                    f"the graph's {_WHAT[kind]}s: {', '.join(sorted(known[kind]))}" if kind != "key" else
                    "CALL db.propertyKeys() lists them")
            out.append(f"the graph has no {_WHAT[kind]} {name!r}; {said}")
    return out


# ============================================================================= running


def run_cypher(engine, text: str, params: Mapping[str, object] | None = None, *, read_only: bool = True,
               timeout: float | None = None, warn: Callable[[str], None] | None = None,
               write_hint: str = WRITE_HINT) -> Result:
    """Run an analyst's statement as Neo4j would understand it; rows with their column names.

    Parameters
    ----------
    engine : Engine
        The embedded engine (habits apply) or a Neo4j engine (the statement passes through).
    text : str
        The statement as typed.
    params : mapping, optional
        ``$parameter`` values by name, as typed.
    read_only : bool
        Refuse writes (``PROFILE`` of a writing query included).
    timeout : float, optional
        Seconds.
    warn : callable, optional
        Receives notes about rewrites and warnings about unknown names (one line each).
    write_hint : str
        What the write refusal tells the analyst to do.

    Returns
    -------
    Result
        The rows; a ``Plan`` for ``EXPLAIN`` and ``PROFILE``.

    Raises
    ------
    QueryError
        With a hint naming what to write instead when FalkorDB lacks a construct.
    """
    say = warn or (lambda _msg: None)
    if not hasattr(engine, "plan"):  # Neo4j understands its own habits
        return Result(_refusal_worded(lambda: engine.run(text, params, read_only=read_only, timeout=timeout),
                                      write_hint))
    prep = prepare(text, params)
    given = {str(k) for k in (params or {})}
    missing = [n for n in prep.needed if n not in given]
    if missing:  # EXPLAIN too: FalkorDB plans with the values (an index is used for a value, not for null)
        names = ", ".join("$" + n for n in missing)
        raise QueryError(f"missing parameter{'s' if len(missing) > 1 else ''} {names}: pass "
                         + " ".join(f"--param {n}=VALUE" for n in missing)
                         + " (in the shell: " + "; ".join(f":param {n} VALUE" for n in missing) + ")")
    for note in prep.notes:
        say("note: " + note)
    if prep.mode == "SHOW INDEXES":
        return _show(engine, prep, _index_rows(engine, prep.kinds), INDEX_COLUMNS, timeout)
    if prep.mode == "SHOW CONSTRAINTS":
        return _show(engine, prep, _constraint_rows(engine), CONSTRAINT_COLUMNS, timeout)
    if prep.mode == "SCHEMA":
        return _schema_visualization(engine)
    if warn is not None and not _writes(prep.tokens) and any(referenced_names(prep.tokens).values()):
        for w in unknown_name_warnings(prep.tokens, _known_names(engine)):
            say("warning: " + w)

    def send():
        if prep.mode == "EXPLAIN":
            return Plan(engine.plan(prep.text, prep.params, timeout=timeout), profiled=False)
        if prep.mode == "PROFILE":
            if read_only:
                _refuse_writing_profile(engine, prep, write_hint)
            return Plan(engine.plan(prep.text, prep.params, profile=True, timeout=timeout), profiled=True)
        rows = engine.run(prep.text, prep.params, read_only=read_only, timeout=timeout)
        columns = getattr(rows, "columns", None)
        if prep.renamed:
            rows = [{_written(k, prep): v for k, v in r.items()} for r in rows]
            columns = [_written(k, prep) for k in columns] if columns is not None else None
        return Result(rows, columns)

    try:
        return _refusal_worded(send, write_hint)
    except QueryError as err:
        raise QueryError(_explained(str(err), prep)) from None


def _written(column: str, prep: Prepared) -> str:
    for sent, written in prep.renamed.items():
        column = column.replace(sent, written)
    return column


def _refusal_worded(action, write_hint: str):
    try:
        return action()
    except QueryError as err:
        if str(err).startswith("the query timed out after") and "(timeout=…, " in str(err):
            raise QueryError(str(err).replace("(timeout=…, jjjkg cypher --timeout)", "(--timeout SECONDS)")) from None
        if str(err).startswith(_WRITE_REFUSED):
            raise QueryError(f"the query writes to the graph, and queries are read-only unless you ask: {write_hint}"
                             ) from None
        raise


def _explained(message: str, prep: Prepared) -> str:
    """The engine's message with a mangled character restored and a hint when FalkorDB lacks the construct."""
    message = _unmangled(message, prep.text)
    lower = message.lower()
    for needle, hint in HINTS:
        if needle in lower:
            return f"{message}\n  hint: {hint}"
    if prep.notes and "line " in message:
        message += f"\n  (the statement as sent to FalkorDB: {prep.text})"
    return message


_AT = re.compile(r"line (\d+), column (\d+): Invalid input '\ufffd'")


def _unmangled(message: str, sent: str) -> str:
    """FalkorDB reports the first byte of a multi-byte character, as '�', at a byte column: show the character."""
    m = _AT.search(message)
    if not m:
        return message
    lines = sent.split("\n")
    line, col = int(m[1]), int(m[2])
    if line > len(lines):
        return message
    raw = lines[line - 1].encode("utf-8")
    before = raw[: col - 1].decode("utf-8", errors="ignore")
    char = lines[line - 1][len(before): len(before) + 1] or "?"
    fixed = f"line {line}, column {len(before) + 1}: Invalid input {char!r}"
    message = message[: m.start()] + fixed + message[m.end():]
    if not char.isascii():
        message += f"; quote a non-ASCII name with backticks: `{char}…`"
    return message


def _writes(tokens: list[Token]) -> Token | None:
    """The first updating keyword (CREATE, MERGE, SET …) of a statement, if it has one."""
    sig = [tokens[i] for i in significant(tokens)]
    for k, t in enumerate(sig):
        prev = sig[k - 1].text if k else ""
        nxt = sig[k + 1].text if k + 1 < len(sig) else ""
        if t.kind == "name" and t.upper in _UPDATING and prev not in (".", ":") and nxt != ":":
            return t
    return None


def _refuse_writing_profile(engine, prep: Prepared, write_hint: str) -> None:
    """PROFILE runs the query with FalkorDB's writing command: refuse one that would write."""
    word = _writes(prep.tokens)
    if word is not None:
        raise QueryError(f"PROFILE runs the query, and this one writes to the graph ({word.text}); queries are "
                         f"read-only unless you ask: {write_hint}, or use EXPLAIN to see the plan without running")
    sig = [prep.tokens[i] for i in significant(prep.tokens)]
    for k, t in enumerate(sig):
        if t.is_word("CALL") and k + 1 < len(sig) and sig[k + 1].kind == "name":
            end = k + 1
            while end + 2 < len(sig) and sig[end + 1].text == "." and sig[end + 2].kind == "name":
                end += 2
            proc = "".join(x.text for x in sig[k + 1:end + 1]).lower()
            if proc not in _READ_PROCEDURES:
                raise QueryError(f"PROFILE runs the query, and the procedure {proc} is not known to be read-only; "
                                 f"{write_hint}, or use EXPLAIN")
    for line in engine.plan(prep.text, prep.params):
        op = line.strip().split(" | ")[0]
        if op in _WRITING_OPERATORS:
            raise QueryError(f"PROFILE runs the query, and its plan writes to the graph ({op}); queries are "
                             f"read-only unless you ask: {write_hint}, or use EXPLAIN to see the plan without running")


def _index_rows(engine, kinds: list[str]) -> list[dict]:
    rows = engine.run("CALL db.indexes() YIELD label, properties, types, entitytype, status "
                      "RETURN label, properties, types, entitytype, status", {})
    out = []
    for r in rows:
        for prop in r["properties"]:
            for kind in (r["types"] or {}).get(prop, []):
                kind = str(kind).upper()
                if kinds and kind not in kinds and not (kind == "RANGE" and "BTREE" in kinds):
                    continue
                entity = "RELATIONSHIP" if str(r["entitytype"]).upper().startswith("REL") else "NODE"
                out.append({"name": f"{kind.lower()}_{r['label']}_{prop}",
                            "state": "ONLINE" if r["status"] == "OPERATIONAL" else "POPULATING",
                            "populationPercent": 100.0 if r["status"] == "OPERATIONAL" else None,
                            "type": kind, "entityType": entity, "labelsOrTypes": [r["label"]], "properties": [prop],
                            "indexProvider": _PROVIDERS.get(kind), "owningConstraint": None, "lastRead": None,
                            "readCount": None})
    out.sort(key=lambda d: d["name"])
    for i, d in enumerate(out, start=1):
        d["id"] = i
    return out


def _constraint_rows(engine) -> list[dict]:
    rows = engine.run("CALL db.constraints() YIELD type, label, properties, entitytype, status "
                      "RETURN type, label, properties, entitytype, status", {})
    out = []
    for r in rows:
        entity = "RELATIONSHIP" if str(r["entitytype"]).upper().startswith("REL") else "NODE"
        kind = _CONSTRAINT_TYPES.get((str(r["type"]).upper(), entity), str(r["type"]).upper())
        out.append({"name": f"{kind.lower()}_{r['label']}_{'_'.join(r['properties'])}", "type": kind,
                    "entityType": entity, "labelsOrTypes": [r["label"]], "properties": list(r["properties"]),
                    "ownedIndex": None, "propertyType": None})
    out.sort(key=lambda d: d["name"])
    for i, d in enumerate(out, start=1):
        d["id"] = i
    return out


def _show(engine, prep: Prepared, rows: list[dict], columns: tuple[str, ...], timeout) -> Result:
    """``SHOW …`` with Neo4j's optional ``YIELD`` / ``WHERE`` / ``RETURN`` tail, run as Cypher over the rows."""
    tail = prep.tail
    if not tail:
        return Result([{c: r.get(c) for c in columns} for r in rows], columns)
    head = f"UNWIND ${_ROWS_PARAM} AS r WITH " + ", ".join(f"r.{c} AS {c}" for c in columns) + " "
    sig = significant(tail)
    first = tail[sig[0]]
    has_return = any(t.is_word("RETURN") for _, t in _top_level(tail))
    if first.is_word("WHERE"):
        body = "WITH * " + join(tail) + " RETURN " + ", ".join(columns)
    elif first.is_word("YIELD"):
        items: list[str] = []
        k = 1
        while k < len(sig) and not tail[sig[k]].is_word("WHERE", "ORDER", "SKIP", "LIMIT", "RETURN"):
            t = tail[sig[k]]
            if t.text == "*":
                items = list(columns)
            elif t.kind in ("name", "quoted") and (k + 1 >= len(sig) or tail[sig[k + 1]].text == ","
                                                   or tail[sig[k + 1]].is_word("WHERE", "ORDER", "SKIP", "LIMIT",
                                                                               "RETURN")):
                items.append(t.text)
            k += 1
        rest = join(tail[sig[k]:]) if k < len(sig) else ""
        body = "WITH " + ", ".join(items) + " " + rest
        if not has_return:
            body += " RETURN " + ", ".join(items)
    else:
        raise QueryError(f"after {prep.mode} expected YIELD, WHERE or nothing, got {first.text!r}")
    result = engine.run(head + body, {**prep.params, _ROWS_PARAM: rows}, read_only=True, timeout=timeout)
    return Result(result, getattr(result, "columns", None) or (list(result[0]) if result else None))


def _schema_visualization(engine) -> Result:
    """Neo4j's ``db.schema.visualization()``: one node per label, one relationship per allowed (start, type, end)."""
    indexed: dict[str, list[str]] = {}
    for r in _index_rows(engine, []):
        indexed.setdefault(r["labelsOrTypes"][0], []).extend(r["properties"])
    present = {r["x"] for r in engine.run("CALL db.labels() YIELD label RETURN label AS x", {})}
    labels = [lb for lb in schema.NODE_LABELS if lb in present] + sorted(present - set(schema.NODE_LABELS))
    nodes = [{"id": lb, "labels": [lb], "properties": {"name": lb, "indexes": indexed.get(lb, []),
                                                       "constraints": []}} for lb in labels]
    rels = []
    types = {r["x"] for r in engine.run("CALL db.relationshipTypes() YIELD relationshipType "
                                        "RETURN relationshipType AS x", {})}
    for name, rel in schema.RELATIONS.items():
        if name not in types:
            continue
        for a in rel.sources:
            for b in rel.targets:
                rels.append({"type": name, "start": a, "end": b, "properties": {"name": name}})
    return Result([{"nodes": nodes, "relationships": rels}], ["nodes", "relationships"])
