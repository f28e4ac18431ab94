"""Cypher text as tokens, with strings and comments set aside: for checks that must not be fooled.

A check such as "does this query use ``LOAD CSV``?" cannot look at the raw text: the words may sit
inside a string (``RETURN 'LOAD CSV'``) or a comment, and a keyword may be split by a comment
(``LOAD /* */ CSV``). ``tokens`` yields the query's words, backtick-quoted names, string literals
and punctuation, in order, skipping whitespace and comments.

Readers: the embedded engine (``EmbeddedEngine.run`` refuses ``LOAD CSV`` unless asked).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

__all__ = ["Token", "tokens", "uses_load_csv"]


class Token(NamedTuple):
    """``kind`` is ``word``, ``name`` (backtick-quoted), ``string`` or ``punct``; ``pos`` its offset."""

    kind: str
    text: str
    pos: int


def _skip_quoted(text: str, i: int, quote: str) -> int:
    """The offset after the literal that opens at ``i`` (backslash escapes; doubled backticks)."""
    n = len(text)
    j = i + 1
    while j < n:
        c = text[j]
        if c == "\\" and quote != "`":
            j += 2
            continue
        if c == quote:
            if quote == "`" and j + 1 < n and text[j + 1] == "`":
                j += 2
                continue
            return j + 1
        j += 1
    return n  # unterminated: the rest is the literal; the engine reports the syntax error


def tokens(text: str) -> Iterator[Token]:
    """The tokens of Cypher ``text``, comments and whitespace skipped.

    Examples
    --------
    >>> [t.text for t in tokens("RETURN 'LOAD CSV' /* LOAD CSV */ AS x // LOAD CSV")]
    ['RETURN', "'LOAD CSV'", 'AS', 'x']
    """
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c in "'\"`":
            j = _skip_quoted(text, i, c)
            yield Token("name" if c == "`" else "string", text[i:j], i)
            i = j
        elif c.isalnum() or c == "_":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            yield Token("word", text[i:j], i)
            i = j
        else:
            yield Token("punct", c, i)
            i += 1


def uses_load_csv(text: str) -> bool:
    """Whether the query has the clause ``LOAD CSV`` (any case, any whitespace or comment between).

    Examples
    --------
    >>> uses_load_csv("load /* x */ csv FROM 'https://example.org/a.csv' AS r RETURN r")
    True
    >>> uses_load_csv("RETURN 'LOAD CSV' AS text, `load` AS csv // LOAD CSV")
    False
    """
    previous = None
    for t in tokens(text):
        if t.kind == "word" and t.text.upper() == "CSV" and previous is not None \
                and previous.kind == "word" and previous.text.upper() == "LOAD":
            return True
        previous = t
    return False
