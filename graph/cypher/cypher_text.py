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
           "split_statements", "next_significant", "top_level", "trimmed", "pattern_variables", "referenced_names", "BLOCK_WORDS"]

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
