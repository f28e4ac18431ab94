"""Cypher text as tokens: a small lexer that knows strings, comments, backticks and parameters.

The Neo4j habits layer (``graph.cypher.habits``) reads and rewrites an analyst's query with it, so a
keyword inside a string or a comment is never mistaken for Cypher, and a rewrite never touches the
inside of a string. It does not parse Cypher: it tells identifiers, numbers, punctuation and the
rest apart, which is all the rewrites need.

It also reads a statement as a whole: where its significant tokens are, which are outside brackets,
which names a pattern declares, and which labels, relationship types and property keys it names.

Readers: ``graph.cypher.cypher_rewrites``, ``graph.cypher.habits``, the embedded engine (which refuses
``LOAD CSV`` unless asked: ``uses_load_csv``); anyone who must look at Cypher text without running it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..errors import QueryError

__all__ = ["Token", "tokenize", "uses_load_csv", "join", "significant", "matching", "line_column", "quote_name",
           "split_statements", "next_significant", "top_level", "trimmed", "pattern_variables", "referenced_names", "BLOCK_WORDS",
           "operand_before", "operand_after", "Undelimited"]

#: the ASCII character an analyst meant when an input method typed a full-width one
_MEANT = {"‘": "'", "’": "'", "“": '"', "”": '"', "。": ".", "、": ","}


@dataclass(frozen=True)
class Token:
    """One piece of Cypher text.

    ``kind`` is one of ``space``, ``comment``, ``string``, ``quoted`` (a backtick name), ``param``
    (``$name``), ``number``, ``name`` (an identifier or keyword), ``punct`` (one ASCII character);
    a rewrite may add ``lift`` tokens, text of its own that is sent as it is.
    """

    kind: str
    text: str
    start: int

    @property
    def upper(self) -> str:
        return self.text.upper()

    def is_word(self, *words: str) -> bool:
        """Whether this is the (case-insensitive) keyword or name ``words``."""
        return self.kind == "name" and self.text.upper() in words


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``text``."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _name_char(c: str) -> bool:
    return c == "_" or c.isalnum()


def _stray(text: str, i: int) -> QueryError:
    c = text[i]
    line, col = line_column(text, i)
    meant = _MEANT.get(c) or unicodedata.normalize("NFKC", c)
    name = unicodedata.name(c, f"U+{ord(c):04X}")
    where = f"line {line}, column {col}"
    if meant != c and meant.isascii():
        return QueryError(f"Cypher error at {where}: {c!r} ({name}) is not Cypher punctuation; "
                          f"type the ASCII {meant!r} instead (a Chinese input method types the full-width one)")
    return QueryError(f"Cypher error at {where}: {c!r} ({name}) may appear only inside a string ('…') "
                      "or a backtick-quoted name (`…`)")


def tokenize(text: str) -> list[Token]:
    """Split Cypher text into tokens; ``"".join(t.text for t in tokenize(s)) == s``.

    Raises
    ------
    QueryError
        An unterminated string, comment or backtick name, or a character that is not Cypher
        outside a string (full-width punctuation from a Chinese input method), with its line and column.

    Examples
    --------
    >>> [t.kind for t in tokenize("RETURN '名称' AS n // 注释")]
    ['name', 'space', 'string', 'space', 'name', 'space', 'name', 'space', 'comment']
    """
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        start = i
        if c.isspace():
            while i < n and text[i].isspace():
                i += 1
            kind = "space"
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            kind = "comment"
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise _unterminated(text, i, "comment", "*/")
            i = j + 2
            kind = "comment"
        elif c in "'\"":
            i += 1
            while i < n and text[i] != c:
                i += 2 if text[i] == "\\" else 1
            if i >= n:
                raise _unterminated(text, start, "string", c)
            i += 1
            kind = "string"
        elif c == "`":
            i = _quoted_end(text, i)
            kind = "quoted"
        elif c == "$":
            i += 1
            if i < n and text[i] == "`":
                i = _quoted_end(text, i)
            else:
                while i < n and _name_char(text[i]):
                    i += 1
            kind = "param"
        elif c.isdigit():
            i = _number_end(text, i)
            kind = "number"
        elif _name_char(c):
            while i < n and _name_char(text[i]):
                i += 1
            kind = "name"
        elif c.isascii():
            i += 1
            kind = "punct"
        else:
            raise _stray(text, i)
        out.append(Token(kind, text[start:i], start))
    return out


def _quoted_end(text: str, i: int) -> int:
    """The end of the backtick name that starts at ``text[i]`` (a doubled backtick is one of the name)."""
    j = i + 1
    while True:
        k = text.find("`", j)
        if k < 0:
            raise _unterminated(text, i, "backtick name", "`")
        if text.startswith("``", k):
            j = k + 2
            continue
        return k + 1


def _number_end(text: str, i: int) -> int:
    n = len(text)
    if text.startswith(("0x", "0X", "0o", "0O"), i):
        i += 2
        while i < n and (text[i].isalnum() or text[i] == "_"):
            i += 1
        return i
    while i < n and (text[i].isdigit() or text[i] == "_"):
        i += 1
    if i + 1 < n and text[i] == "." and text[i + 1].isdigit():  # not the '..' of a range
        i += 1
        while i < n and text[i].isdigit():
            i += 1
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j].isdigit():
            i = j
            while i < n and text[i].isdigit():
                i += 1
    while i < n and _name_char(text[i]):  # a suffix the server will judge (e.g. 1f)
        i += 1
    return i


def _unterminated(text: str, i: int, what: str, closer: str) -> QueryError:
    line, col = line_column(text, i)
    return QueryError(f"Cypher error at line {line}, column {col}: this {what} is never closed; end it with {closer}")


def join(tokens) -> str:
    """The text of ``tokens``."""
    return "".join(t.text for t in tokens)


def significant(tokens: list[Token]) -> list[int]:
    """Indexes of the tokens that are not space or comment."""
    return [i for i, t in enumerate(tokens) if t.kind not in ("space", "comment")]


_PAIRS = {"(": ")", "[": "]", "{": "}"}


def matching(tokens: list[Token], i: int) -> int | None:
    """Index of the bracket that closes the one at ``tokens[i]``, or None if it is never closed."""
    opener = tokens[i].text
    closer = _PAIRS[opener]
    depth = 0
    for j in range(i, len(tokens)):
        t = tokens[j]
        if t.kind != "punct":
            continue
        if t.text == opener:
            depth += 1
        elif t.text == closer:
            depth -= 1
            if depth == 0:
                return j
    return None


def quote_name(name: str) -> str:
    """``name`` as a backtick-quoted Cypher name.

    >>> quote_name("名称")
    '`名称`'
    """
    return "`" + name.replace("`", "``") + "`"


def split_statements(text: str) -> list[str]:
    r"""The statements of a text, split at each ``;`` outside strings, comments and brackets.

    >>> split_statements("RETURN ';' AS a; // one\nRETURN 2;")
    ["RETURN ';' AS a", '// one\nRETURN 2']
    """
    out: list[str] = []
    depth, start = 0, 0
    tokens = tokenize(text)
    for t in tokens:
        if t.kind != "punct":
            continue
        if t.text in "([{":
            depth += 1
        elif t.text in ")]}":
            depth -= 1
        elif t.text == ";" and depth == 0:
            out.append(text[start:t.start].strip())
            start = t.start + 1
    rest = text[start:]
    if any(t.kind not in ("space", "comment") for t in tokenize(rest)):
        out.append(rest.strip())
    return [s for s in out if s]


# ============================================================================= reading a statement


def next_significant(tokens: list[Token], i: int, step: int = 1) -> int | None:
    """Index of the next (or previous) significant token from ``i`` (exclusive)."""
    j = i + step
    while 0 <= j < len(tokens):
        if tokens[j].kind not in ("space", "comment"):
            return j
        j += step
    return None


def top_level(tokens: list[Token]):
    """(index, token) of the tokens outside any bracket."""
    depth = 0
    for i, t in enumerate(tokens):
        if t.kind == "punct" and t.text in "([{":
            depth += 1
        elif t.kind == "punct" and t.text in ")]}":
            depth -= 1
        elif depth == 0:
            yield i, t


def trimmed(tokens: list[Token]) -> list[Token]:
    """``tokens`` without the space and comments at either end."""
    sig = significant(tokens)
    return tokens[sig[0]:sig[-1] + 1] if sig else []


def pattern_variables(tokens: list[Token]) -> list[int]:
    """Indexes of names declared in a pattern: right after ``(`` or ``[``, before ``:``, ``)``, ``]`` or ``{``."""
    found = []
    for i, t in enumerate(tokens):
        if t.kind not in ("name", "quoted"):
            continue
        before, after = next_significant(tokens, i, -1), next_significant(tokens, i)
        if (before is not None and tokens[before].text in ("(", "[") and after is not None
                and tokens[after].text in (":", ")", "]", "{", "*")):
            found.append(i)
    return found


#: the words before a ``{`` that opens a subquery, not a map
BLOCK_WORDS = ("CALL", "EXISTS", "COUNT", "COLLECT")


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

    variables = {tokens[i].text for i in pattern_variables(tokens)}
    stack: list[tuple[str, bool]] = []  # (bracket, is a pattern/map that holds property keys)
    for i, t in enumerate(tokens):
        if t.kind == "punct" and t.text in "([{":
            prev = next_significant(tokens, i, -1)
            p = tokens[prev] if prev is not None else None
            if t.text == "[":
                pattern = p is not None and p.text in ("-", "<")
            elif t.text == "(":
                pattern = p is None or p.kind != "name" or p.upper in {"MATCH", "MERGE", "CREATE", "WHERE", "AND",
                                                                       "OR", "NOT", "XOR"}
            else:
                pattern = p is not None and not p.is_word(*BLOCK_WORDS) and bool(stack) and stack[-1][1]
            stack.append((t.text, pattern))
            continue
        if t.kind == "punct" and t.text in ")]}":
            if stack:
                stack.pop()
            continue
        if t.kind not in ("name", "quoted"):
            continue
        prev = next_significant(tokens, i, -1)
        nxt = next_significant(tokens, i)
        p = tokens[prev] if prev is not None else None
        n = tokens[nxt] if nxt is not None else None
        inner = stack[-1] if stack else ("", False)
        if inner[0] == "{":
            if inner[1] and n is not None and n.text == ":" and (p is None or p.text in ("{", ",")):
                add("key", t)
            continue
        if p is not None and p.text in (":", "|") and p.kind == "punct":
            before = next_significant(tokens, prev, -1)
            if p.text == "|" and not (inner[0] == "[" and inner[1]):
                continue
            if before is not None and tokens[before].kind in ("string", "number"):
                continue
            add("type" if inner[0] == "[" and inner[1] else "label", t)
        elif (p is not None and p.text == "." and (n is None or n.text != "(") and prev >= 1
              and tokens[prev - 1].text in variables):
            add("key", t)
    return found


def uses_load_csv(text: str) -> bool:
    """Whether the statement has the clause ``LOAD CSV`` (any case, any space or comment between).

    Words inside strings, comments and backtick names do not count. Text this lexer cannot read
    counts as using it when the two words appear anywhere: a check that guards the network must not
    be fooled by text the server might read differently.

    Examples
    --------
    >>> uses_load_csv("load /* x */ csv FROM 'https://example.org/a.csv' AS r RETURN r")
    True
    >>> uses_load_csv("RETURN 'LOAD CSV' AS text, `load` AS csv // LOAD CSV")
    False
    >>> uses_load_csv("RETURN 'unclosed LOAD CSV")
    True
    """
    try:
        words = [t for t in tokenize(text) if t.kind not in ("space", "comment")]
    except QueryError:
        lower = text.lower()
        return "load" in lower and "csv" in lower
    return any(a.is_word("LOAD") and b.is_word("CSV") for a, b in zip(words, words[1:]))


# ============================================================================= operands of a comparison

#: words that end (or begin) an operand of a comparison: they never stand inside ``a + b``
_STOP_WORDS = {"WHERE", "AND", "OR", "XOR", "NOT", "RETURN", "WITH", "WHEN", "THEN", "ELSE", "CASE", "AS", "IN", "IS",
               "STARTS", "ENDS", "CONTAINS", "DISTINCT", "UNWIND", "SET", "ORDER", "BY", "SKIP", "LIMIT", "YIELD",
               "MATCH", "OPTIONAL", "CREATE", "MERGE", "DELETE", "DETACH", "REMOVE", "ON", "UNION", "CALL", "END",
               "ASC", "DESC", "ASCENDING", "DESCENDING", "FOREACH"}

#: words that stand for a value
_VALUE_WORDS = {"TRUE", "FALSE", "NULL"}

#: the operators that bind tighter than a comparison (Cypher 5's expression6 … expression3)
_ARITHMETIC = {"+", "-", "*", "/", "%", "^"}

#: punctuation a comparison's operand stops at, as Neo4j reads it
_STOP_PUNCT = {",", "(", "[", "{", ")", "]", "}", "=", "<", ">", "|", ";", ":", "!", "~"}


class Undelimited(ValueError):
    """An operand whose extent cannot be told with certainty without a full parser."""


def _is_key(tokens: list[Token], i: int) -> bool:
    """Whether the name at ``i`` is a property key (it follows ``.``)."""
    before = next_significant(tokens, i, -1)
    return before is not None and tokens[before].kind == "punct" and tokens[before].text == "."


def _case_bounds(tokens: list[Token], i: int, step: int) -> int:
    """Index of the END (step 1) or CASE (step -1) that closes the CASE … END starting at ``i``."""
    depth = 0
    j = i
    while 0 <= j < len(tokens):
        t = tokens[j]
        if t.is_word("CASE", "END") and not _is_key(tokens, j):
            depth += (1 if t.is_word("CASE") else -1) * step
            if depth == 0:
                return j
        j += step
    raise Undelimited("a CASE without its END")


def _opener(tokens: list[Token], close: int) -> int:
    """Index of the bracket that opens the one closing at ``close``."""
    closer = tokens[close].text
    opener = {")": "(", "]": "[", "}": "{"}[closer]
    depth = 0
    for j in range(close, -1, -1):
        t = tokens[j]
        if t.kind == "punct" and t.text == closer:
            depth += 1
        elif t.kind == "punct" and t.text == opener:
            depth -= 1
            if depth == 0:
                return j
    raise Undelimited("an unbalanced bracket")


def operand_before(tokens: list[Token], end: int) -> int:
    """Start of the additive expression (``a.b + f(x) * 2``) that ends at ``tokens[end]``.

    This is the left operand of a comparison such as ``=~`` as Neo4j reads it: arithmetic and
    string concatenation bind tighter. Raises ``Undelimited`` when the extent is not certain.

    >>> t = tokenize("RETURN 'a' + o.name =~ 'x'")
    >>> join(t[operand_before(t, 8):9])
    "'a' + o.name"
    """
    start = None
    i: int | None = end
    while True:  # i is at the end of an atom (with its postfixes)
        if i is None:
            raise Undelimited("nothing before the operator")
        t = tokens[i]
        if t.kind in ("string", "number", "param", "quoted", "lift") or t.kind == "name" and _is_key(tokens, i):
            pass
        elif t.kind == "name" and t.upper == "END":
            i = _case_bounds(tokens, i, -1)
        elif t.kind == "name" and (t.upper in _STOP_WORDS):
            raise Undelimited(f"{t.text} where a value was expected")
        elif t.kind == "name":
            pass
        elif t.kind == "punct" and t.text in ")]}":
            i = _opener(tokens, i)
            before = next_significant(tokens, i, -1)
            if tokens[i].text == "(" and before is not None and tokens[before].kind == "name" \
                    and tokens[before].upper not in _STOP_WORDS - {"END"}:
                i = before  # a function's name: count(x), string.matchRegEx(…)
                while True:
                    dot = next_significant(tokens, i, -1)
                    owner = next_significant(tokens, dot, -1) if dot is not None else None
                    if (dot is not None and tokens[dot].text == "." and owner is not None
                            and tokens[owner].kind in ("name", "quoted")):
                        i = owner
                    else:
                        break
            elif tokens[i].text in "[{" and before is not None and (
                    tokens[before].kind in ("name", "quoted", "string", "param")
                    and not (tokens[before].kind == "name" and tokens[before].upper in _STOP_WORDS)
                    or tokens[before].text in (")", "]", "}")):
                i = before  # an index, a slice or a map projection: its owner is part of the atom
                continue
        else:
            raise Undelimited(f"{t.text!r} where a value was expected")
        start = i
        prev = next_significant(tokens, i, -1)
        if prev is None:
            return start
        p = tokens[prev]
        if p.kind == "punct" and p.text == ".":
            i = next_significant(tokens, prev, -1)
            continue
        if p.kind == "punct" and p.text in _ARITHMETIC:
            before = next_significant(tokens, prev, -1)
            b = tokens[before] if before is not None else None
            if b is None or (b.kind == "punct" and b.text in _STOP_PUNCT - {")", "]", "}"}) or (
                    b.kind == "name" and b.upper in _STOP_WORDS and not _is_key(tokens, before)):
                if p.text in "+-":
                    return prev  # a sign
                raise Undelimited(f"{p.text!r} with nothing before it")
            i = before
            continue
        if p.kind == "name" and p.upper in ("IN", "IS", "STARTS", "ENDS", "CONTAINS", "WITH") and not _is_key(tokens, prev):
            if p.upper == "WITH":
                w = next_significant(tokens, prev, -1)
                if w is not None and tokens[w].is_word("STARTS", "ENDS"):
                    raise Undelimited(f"{tokens[w].text} WITH before it")
            else:
                raise Undelimited(f"{p.text} before it")
        if p.kind == "punct" and p.text in _STOP_PUNCT or p.kind in ("name", "lift", "comment", "space") \
                or p.kind in ("string", "number", "param", "quoted"):
            if p.kind == "punct" and p.text == "~":
                raise Undelimited("another =~ before it")
            return start
        raise Undelimited(f"{p.text!r} before it")


def operand_after(tokens: list[Token], begin: int) -> int:
    """End of the additive expression that starts at ``tokens[begin]`` (the right operand of ``=~``).

    >>> t = tokenize("WHEN o.name =~ '.*平台' + '|.*基地' THEN 1")
    >>> join(t[9:operand_after(t, 9) + 1])
    "'.*平台' + '|.*基地'"
    """
    i: int | None = begin
    while True:  # i is at the start of an atom (or of its sign)
        if i is None:
            raise Undelimited("nothing after the operator")
        t = tokens[i]
        if t.kind == "punct" and t.text in "+-":
            i = next_significant(tokens, i)
            continue
        if t.kind in ("string", "number", "param", "quoted"):
            end = i
        elif t.kind == "name" and t.upper == "CASE":
            end = _case_bounds(tokens, i, 1)
        elif t.kind == "name" and t.upper in _STOP_WORDS:
            raise Undelimited(f"{t.text} where a value was expected")
        elif t.kind == "name":
            end = i
            nxt = next_significant(tokens, i)
            while nxt is not None and tokens[nxt].text == "." and tokens[nxt].kind == "punct":
                after = next_significant(tokens, nxt)
                if after is None or tokens[after].kind not in ("name", "quoted"):
                    break
                end = after
                nxt = next_significant(tokens, after)
            if nxt is not None and tokens[nxt].text == "(" and t.upper not in _VALUE_WORDS:
                end = matching(tokens, nxt)
                if end is None:
                    raise Undelimited("an unclosed bracket")
        elif t.kind == "punct" and t.text in "([{":
            end = matching(tokens, i)
            if end is None:
                raise Undelimited("an unclosed bracket")
        else:
            raise Undelimited(f"{t.text!r} where a value was expected")
        while True:  # postfixes: .key, [index], {projection}
            nxt = next_significant(tokens, end)
            if nxt is None:
                return end
            n = tokens[nxt]
            if n.kind == "punct" and n.text == ".":
                key = next_significant(tokens, nxt)
                if key is None or tokens[key].kind not in ("name", "quoted"):
                    raise Undelimited("a '.' with no key after it")
                end = key
            elif n.kind == "punct" and n.text in "[{":
                end = matching(tokens, nxt)
                if end is None:
                    raise Undelimited("an unclosed bracket")
            else:
                break
        if n.kind == "punct" and n.text in _ARITHMETIC:
            i = next_significant(tokens, nxt)
            continue
        if n.kind == "name" and n.upper in ("IN", "IS", "STARTS", "ENDS", "CONTAINS"):
            raise Undelimited(f"{n.text} after it")
        if n.kind == "punct" and n.text == "=" and (k := next_significant(tokens, nxt)) is not None \
                and tokens[k].text == "~":
            raise Undelimited("another =~ after it")
        if n.kind == "punct" and n.text in _STOP_PUNCT or n.kind == "name":
            return end
        raise Undelimited(f"{n.text!r} after it")
