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
``graph.cypher.cypher_text``; the rewrites are ``graph.cypher.cypher_rewrites``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping

from .. import schema
from ..errors import QueryError
from ..store.rows import Rows
from . import spellings
from .cypher_rewrites import Prepared, prepare, updating_keyword
from .cypher_text import Token, join, referenced_names, significant, top_level

__all__ = ["Result", "Plan", "run_cypher", "unknown_name_warnings", "HINTS", "INDEX_COLUMNS", "CONSTRAINT_COLUMNS",
           "WRITE_HINT"]


#: what a write refusal tells the analyst to do, unless the caller says otherwise
WRITE_HINT = "run it again with --write to allow writes"


#: the prefix of the engine's message when a read-only query tried to write
_WRITE_REFUSED = "the query writes to the graph"


_WRITING_OPERATORS = {"Create", "Delete", "Update", "Merge", "MergeCreate", "Foreach", "SubqueryForeach",
                      "Load CSV", "Create Index", "Drop Index"}


_READ_PROCEDURES = {"db.labels", "db.relationshiptypes", "db.propertykeys", "db.indexes", "db.constraints",
                    "db.meta.stats", "dbms.procedures", "dbms.functions", "db.idx.fulltext.querynodes",
                    "db.idx.fulltext.queryrelationships", "db.idx.vector.querynodes",
                    "db.idx.vector.queryrelationships"}


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
    ("unknown function 'apoc.",
     "FalkorDB has no APOC functions: apoc.coll.sum(xs) is reduce(s = 0, x IN xs | s + x), apoc.text.join(xs, ',') "
     "is reduce(s = '', x IN xs | s + CASE WHEN s = '' THEN '' ELSE ',' END + x); CALL dbms.functions() lists "
     "what it has"),
    ("invalid input '|': expected a label",
     "FalkorDB has no label expressions in a node pattern: for (n:Platform|Site) write (n) WHERE n:Platform OR "
     "n:Site (a relationship's [:A|B] works)"),
    ("allshortestpaths",
     "FalkorDB runs allShortestPaths only between two nodes matched before it: MATCH (a {id: $from}), (b {id: $to}) "
     "WITH a, b MATCH p = allShortestPaths((a)-[*]->(b)) RETURN p; or use shortestPath for one path"),
    ("procedure `gds.", "FalkorDB has no GDS library: its algo.* procedures (algo.pageRank, algo.BFS, algo.WCC, "
                        "algo.betweenness …) are listed by CALL dbms.procedures()"),
)


class Result(Rows):
    """Rows (dicts) with their column names, which an empty result keeps (columns taken from the first row
    when not given), and whether a row cap cut them."""

    def __init__(self, rows=(), columns=None, truncated: bool = False):
        rows = list(rows)
        super().__init__(rows, columns if columns is not None else (list(rows[0]) if rows else ()), truncated)

    @classmethod
    def of(cls, rows: list[dict]) -> "Result":
        """``rows`` as an engine returned them, keeping the columns and the cut they carry (when a ``Rows``)."""
        return cls(rows, getattr(rows, "columns", None) or None, getattr(rows, "truncated", False))


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


def run_cypher(engine, text: str, params: Mapping[str, object] | None = None, *, read_only: bool = True,
               timeout: float | None = None, warn: Callable[[str], None] | None = None,
               write_hint: str = WRITE_HINT, max_rows: int | None = None, allow_load_csv: bool = False) -> Result:
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
    max_rows : int, optional
        At most this many rows come back; the result's ``truncated`` says whether there were more.
    allow_load_csv : bool
        Let the statement use ``LOAD CSV`` (refused by default on the embedded engine).

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
        rows = _refusal_worded(lambda: engine.run(text, params, read_only=read_only, timeout=timeout,
                                                  max_rows=max_rows), write_hint)
        return Result.of(rows)
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
        return _show(engine, prep, _index_rows(engine, prep.kinds), INDEX_COLUMNS, timeout, max_rows)
    if prep.mode == "SHOW CONSTRAINTS":
        return _show(engine, prep, _constraint_rows(engine), CONSTRAINT_COLUMNS, timeout, max_rows)
    if prep.mode == "SCHEMA":
        if prep.tail and prep.tail[0].is_word("YIELD"):
            say("note: after YIELD, each of nodes and relationships is a map of its properties (name, and for a "
                "node indexes and constraints), not a node or relationship: read n.name, not labels(n) or type(r)")
            (row,) = _schema_visualization(engine)
            flat = {"nodes": [n["properties"] for n in row["nodes"]],
                    "relationships": [{**r["properties"], "start": r["start"], "end": r["end"]}
                                      for r in row["relationships"]]}
            return _show(engine, prep, [flat], ("nodes", "relationships"), timeout, max_rows)
        if prep.tail:
            _show(engine, prep, [], ("nodes", "relationships"), timeout, max_rows)  # refuses what it cannot read
        return _schema_visualization(engine)
    if warn is not None and not updating_keyword(prep.tokens) and any(referenced_names(prep.tokens).values()):
        for w in unknown_name_warnings(prep.tokens, _known_names(engine)):
            say("warning: " + w)
    if warn is not None and prep.mode is None and not updating_keyword(prep.tokens):
        for note in spellings.notes(engine, prep.tokens, prep.params):
            say("note: " + note)

    def send():
        if prep.mode == "EXPLAIN":
            return Plan(engine.plan(prep.text, prep.params, timeout=timeout), profiled=False)
        if prep.mode == "PROFILE":
            if read_only:
                _refuse_writing_profile(engine, prep, write_hint)
            return Plan(engine.plan(prep.text, prep.params, profile=True, timeout=timeout,
                                    allow_load_csv=allow_load_csv), profiled=True)
        rows = engine.run(prep.text, prep.params, read_only=read_only, timeout=timeout, max_rows=max_rows,
                          **({"allow_load_csv": True} if allow_load_csv else {}))
        columns = getattr(rows, "columns", None)
        truncated = getattr(rows, "truncated", False)
        if prep.renamed:
            rows = [{_written(k, prep): v for k, v in r.items()} for r in rows]
            columns = [_written(k, prep) for k in columns] if columns is not None else None
        return Result(rows, columns, truncated)

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
    # a syntax error lists every token it expected: a construct named only there is not what was written
    lower = re.sub(r": expected (?!a label).*", "", message.lower(), flags=re.DOTALL)
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


def _refuse_writing_profile(engine, prep: Prepared, write_hint: str) -> None:
    """PROFILE runs the query with FalkorDB's writing command: refuse one that would write."""
    word = updating_keyword(prep.tokens)
    if word is not None:
        raise QueryError(f"PROFILE runs the query, and this one writes to the graph ({word.text}); queries are "
                         f"read-only unless you ask: {write_hint}, or use EXPLAIN to see the plan without running")
    sig = [prep.tokens[i] for i in significant(prep.tokens)]
    for k, t in enumerate(sig):
        if t.is_word("CALL") and k + 1 < len(sig) and sig[k + 1].kind in ("name", "quoted"):
            # a procedure's name as the server reads it: `db.idx.fulltext.drop` and db.`idx`.x name one too
            end = k + 1
            while end + 2 < len(sig) and sig[end + 1].text == "." and sig[end + 2].kind in ("name", "quoted"):
                end += 2
            proc = "".join(x.text[1:-1].replace("``", "`") if x.kind == "quoted" else x.text
                           for x in sig[k + 1:end + 1]).lower()
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


def _show(engine, prep: Prepared, rows: list[dict], columns: tuple[str, ...], timeout, max_rows=None) -> Result:
    """``SHOW …`` with Neo4j's optional ``YIELD`` / ``WHERE`` / ``RETURN`` tail, run as Cypher over the rows."""
    tail = prep.tail
    if not tail:
        return Result([{c: r.get(c) for c in columns} for r in rows], columns)
    head = f"UNWIND ${_ROWS_PARAM} AS r WITH " + ", ".join(f"r.{c} AS {c}" for c in columns) + " "
    sig = significant(tail)
    first = tail[sig[0]]
    has_return = any(t.is_word("RETURN") for _, t in top_level(tail))
    if first.is_word("WHERE"):
        body = "WITH * " + join(tail) + " RETURN " + ", ".join(columns)
    elif first.is_word("YIELD"):
        items: list[str] = []  # YIELD a, b AS c, * …
        names: list[str] = []
        k = 1
        while k < len(sig):
            t = tail[sig[k]]
            if t.text == "*":
                items, names = list(columns), list(columns)
                k += 1
            elif t.kind in ("name", "quoted"):
                if k + 2 < len(sig) and tail[sig[k + 1]].is_word("AS"):
                    items.append(f"{t.text} AS {tail[sig[k + 2]].text}")
                    names.append(tail[sig[k + 2]].text)
                    k += 3
                else:
                    items.append(t.text)
                    names.append(t.text)
                    k += 1
            else:
                break
            if k < len(sig) and tail[sig[k]].text == ",":
                k += 1
                continue
            break
        rest = join(tail[sig[k]:]) if k < len(sig) else ""
        body = "WITH " + ", ".join(items) + " " + rest
        if not has_return:
            body += " RETURN " + ", ".join(names)
    else:
        what = "CALL db.schema.visualization()" if prep.mode == "SCHEMA" else prep.mode
        raise QueryError(f"after {what} expected YIELD, WHERE or nothing, got {first.text!r}")
    return Result.of(engine.run(head + body, {**prep.params, _ROWS_PARAM: rows}, read_only=True, timeout=timeout,
                                max_rows=max_rows))


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
