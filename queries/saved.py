"""An analyst's own saved Cypher queries: a folder of ``.cypher`` files with a comment header.

Point ``jjjkg query`` at the folder with ``--queries DIR`` or ``JJJKG_QUERIES``; its queries are listed
by ``jjjkg query --list`` and run by ``jjjkg query NAME`` beside the built-in analyses (on the Cypher
engine, since they have no networkx implementation). A file looks like::

    // name: platforms-in
    // summary: Platforms of one province, with their sectors
    // param: province str 北京
    // param: limit int 20
    MATCH (p:Platform) WHERE p.province = $province
    RETURN p.id AS id, p.name AS name, p.sectors AS sectors
    ORDER BY id LIMIT $limit

``name`` defaults to the file name; each ``param`` line gives a name, a type (str, int, float, bool) and
an optional default (the rest of the line). Values reach the query as ``$parameters`` only.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import QueryError

from .registry import Param

__all__ = ["SavedQuery", "read_saved_queries", "read_saved_query", "saved_queries_dir", "read_cypher_file"]

_TYPES = {"str": str, "int": int, "float": float, "bool": bool}
#: the largest saved-query file read; a query is a few kilobytes, and a folder from someone else is untrusted
MAX_FILE_BYTES = 1_000_000
_HEADER = re.compile(r"^\s*//\s*(name|summary|param)\s*:\s*(.*?)\s*$", re.IGNORECASE)


@dataclass
class SavedQuery:
    """A query from the analyst's folder."""

    name: str
    summary: str
    cypher: str
    path: Path
    params: dict[str, Param] = field(default_factory=dict)

    def parse_params(self, pairs: dict[str, str]) -> dict[str, object]:
        unknown = sorted(set(pairs) - set(self.params))
        if unknown:
            valid = ", ".join(self.params) or "none"
            raise QueryError(f"{self.name} ({self.path.name}) has no parameter {unknown[0]!r}; its parameters: {valid}")
        values = {n: p.default for n, p in self.params.items()}
        values.update({k: self.params[k].parse(v) for k, v in pairs.items()})
        return values


def saved_queries_dir(option: str | None) -> Path | None:
    """The folder named by ``--queries`` or ``$JJJKG_QUERIES``, if any."""
    value = option or os.environ.get("JJJKG_QUERIES")
    return Path(value) if value else None


def read_cypher_file(path: Path, label: str | None = None) -> str:
    """The text of a Cypher file: a regular file of at most ``MAX_FILE_BYTES``, in UTF-8.

    Opened without blocking and checked before reading, so a pipe, a device (a link to /dev/zero)
    or a huge file named ``x.cypher`` gets an error instead of a hang or an exhausted memory.
    ``label`` starts each message (default: the path).
    """
    label = label or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as err:
        raise QueryError(f"{label}: cannot read it: {err.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise QueryError(f"{label} is not a regular file (a pipe, device or folder); "
                             "a saved query is a .cypher text file")
        if st.st_size > MAX_FILE_BYTES:
            raise QueryError(f"{label} is {st.st_size:,} bytes; a saved query may be at most "
                             f"{MAX_FILE_BYTES:,} bytes")
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # grew while being read
        raise QueryError(f"{label} is over {MAX_FILE_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise QueryError(f"{label} is not UTF-8 text (byte {err.start}); save it as UTF-8") from None


def read_saved_query(path: Path) -> SavedQuery:
    """One saved query from its file; raises QueryError naming the file and line."""
    text = read_cypher_file(path, f"saved queries: {path.name}")
    name, summary, params = path.stem, "", {}
    for number, line in enumerate(text.splitlines(), start=1):
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2)
        if key == "name":
            name = value
        elif key == "summary":
            summary = value
        else:
            parts = value.split(None, 2)
            if len(parts) < 2 or parts[1] not in _TYPES:
                raise QueryError(f"{path.name}, line {number}: expected '// param: NAME TYPE [DEFAULT]' with TYPE one "
                                 f"of {', '.join(_TYPES)}; got {line.strip()!r}")
            p = Param(parts[0], _TYPES[parts[1]])
            default = p.parse(parts[2]) if len(parts) > 2 else None
            params[parts[0]] = Param(parts[0], _TYPES[parts[1]], default)
    return SavedQuery(name, summary or "(no summary line)", text, path, params)


def read_saved_queries(folder: Path | None) -> dict[str, SavedQuery]:
    """The queries of a folder, by name."""
    if folder is None:
        return {}
    if not folder.is_dir():
        raise QueryError(f"saved queries: {str(folder)!r} is not a folder (--queries or JJJKG_QUERIES)")
    out: dict[str, SavedQuery] = {}
    for path in sorted(folder.glob("*.cypher")):
        q = read_saved_query(path)
        if q.name in out:
            raise QueryError(f"saved queries: {path.name} and {out[q.name].path.name} are both named {q.name!r}; "
                             "rename one")
        out[q.name] = q
    return out
