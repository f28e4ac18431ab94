"""The workspace's saved queries: ``.cypher`` files in ``<state>/queries/``, one format both ways.

A saved query is a file in the format of ``jjjkg query --queries DIR`` (``queries.saved``) with two more
comment lines that the command line ignores: ``// roles:`` (who may see it) and ``// author:``. So the
folder runs as it is with ``jjjkg query NAME --queries <state>/queries``, and ``jjjkg queries add FILE|DIR``
brings an analyst's own ``.cypher`` files in (``add_files``), checked as 保存为查询 checks them.

Everything in the folder is untrusted: a file that does not parse, whose name is not a plain one, or that
repeats another's name is left out (``read_folder``), so one bad file never hides the others. What the
workspace writes can never smuggle a header line in: titles, names and default values are single lines
(every line break Python's ``str.splitlines`` knows is refused, as the command line splits on all of them).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path

from graph.errors import JjjkgError, QueryError

__all__ = ["FOLDER", "MAX_STATEMENT", "NAME", "check_name", "check_title", "check_statement", "check_default",
           "file_text", "write_query", "read_folder", "roles_of", "author_of", "add_files"]

#: the saved queries' folder under the state folder
FOLDER = "queries"
#: the longest statement accepted
MAX_STATEMENT = 100_000
#: a saved query's name: its file name and its address (/queries/NAME)
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_HEADER = re.compile(r"\s*//\s*(name|summary|param|roles|author)\s*:", re.IGNORECASE)
_ROLES = re.compile(r"\s*//\s*roles\s*:\s*(.*?)\s*", re.IGNORECASE)
_AUTHOR = re.compile(r"\s*//\s*author\s*:\s*(.*?)\s*", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PARAM = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_log = logging.getLogger("jjjkg.workspace")


def _one_line(text: str) -> bool:
    return len(text.splitlines()) <= 1 and not _CONTROL.search(text)


def check_name(name) -> str:
    """A saved query's name, checked; raises JjjkgError in Chinese.

    >>> check_name("platforms-of")
    'platforms-of'
    >>> check_name("x\\n")
    Traceback (most recent call last):
    graph.errors.JjjkgError: 名称应为小写字母、数字和连字符（最多 64 个），例如 platforms-by-sector
    """
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise JjjkgError("名称应为小写字母、数字和连字符（最多 64 个），例如 platforms-by-sector")
    return name


def check_title(title) -> str:
    if not isinstance(title, str) or not title.strip() or len(title) > 100 or not _one_line(title):
        raise JjjkgError("请填写一行中文标题（最多 100 个字符，不能换行）")
    return title.strip()


def check_statement(statement) -> str:
    if not isinstance(statement, str) or not statement.strip() or len(statement) > MAX_STATEMENT:
        raise JjjkgError("请输入要保存的 Cypher 语句")
    if any(_HEADER.match(line) for line in statement.splitlines()):
        raise JjjkgError("语句中不能有 // name: 、// summary: 、// param: 、// roles: 或 // author: 开头的注释行")
    return statement


def check_default(name: str, value) -> None:
    """A parameter's default value as a file keeps it: text on one line, or a number."""
    if isinstance(value, str) and not _one_line(value):
        raise JjjkgError(f"参数 {name}：默认值不能换行或含控制字符")


def file_text(name: str, title: str, author: str, roles: list[str], params: list[dict], statement: str) -> str:
    """A saved query in the format of ``jjjkg query --queries`` (``queries.saved``).

    ``params`` are the console's ``[{name, type, value}]`` with type ``text`` or ``number``.
    """
    lines = [f"// name: {name}", f"// summary: {title}", f"// roles: {', '.join(roles)}", f"// author: {author}"]
    for p in params:
        kind = "str" if p["type"] == "text" else "int" if isinstance(p["value"], int) else "float"
        lines.append(f"// param: {p['name']} {kind} {p['value']}".rstrip())
    return "\n".join(lines) + "\n" + statement.strip("\n") + "\n"


def write_query(folder: Path, name: str, text: str) -> Path:
    """Write ``<folder>/<name>.cypher`` whole (a temporary file renamed), never through a link."""
    check_name(name)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{name}.cypher"
    tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _header_value(pattern: re.Pattern, text: str) -> str | None:
    for line in text.splitlines():
        m = pattern.fullmatch(line)
        if m:
            return m.group(1)
    return None


def roles_of(text: str) -> set[str]:
    """The roles a saved query's ``// roles:`` line names (none: only admins see it)."""
    value = _header_value(_ROLES, text)
    return {r.strip() for r in value.split(",")} if value else set()


def author_of(text: str) -> str:
    return _header_value(_AUTHOR, text) or ""


def _problem(q) -> str | None:
    """Why a saved query cannot be offered as a form, or None."""
    if not NAME.fullmatch(q.name):
        return f"its name {q.name!r} is not a plain name (lowercase letters, digits and hyphens, at most 64)"
    if not _one_line(q.summary) or len(q.summary) > 200:
        return "its '// summary:' is not one line of at most 200 characters"
    bad = [p for p in q.params if not _PARAM.fullmatch(p)]
    if bad:
        return f"its parameter {bad[0]!r} is not a name (a letter or _, then letters, digits or _)"
    return None


def read_folder(folder: Path) -> dict:
    """The queries of the workspace's folder by name, leaving out (and logging) any that cannot be offered.

    A link is left out too: what the folder offers is what was written into it, not a file elsewhere.
    """
    from queries.saved import read_saved_query

    out: dict = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.cypher")):
        if path.is_symlink():
            _log.warning("saved query left out: %s is a link", path.name)
            continue
        try:
            q = read_saved_query(path)
        except QueryError as err:
            _log.warning("saved query left out: %s", err)
            continue
        problem = _problem(q) or (f"{q.name!r} is the name of {out[q.name].path.name} too" if q.name in out else None)
        if problem:
            _log.warning("saved query left out: %s: %s", path.name, problem)
            continue
        out[q.name] = q
    return out


def add_files(paths: list[Path], folder: Path, roles: list[str], author: str, *, replace: bool = False) -> list[str]:
    """Bring ``.cypher`` files (or every one in a folder) into the workspace; the names added.

    Each is read as ``jjjkg query --queries`` reads it, must have a plain name (its ``// name:`` or its
    file name), a one-line summary and no ``// roles:`` or ``// author:`` line of its own; it is written
    with ``roles`` and ``author``. Nothing is written unless every file passes. Raises JjjkgError naming the
    file and what was expected.
    """
    from queries.saved import read_saved_query

    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(p.glob("*.cypher"))
        elif p.suffix == ".cypher" or p.exists():
            files.append(p)
        else:
            raise JjjkgError(f"{p}: no such file or folder (expected a .cypher file or a folder of them)")
    if not files:
        raise JjjkgError(f"no .cypher file in {', '.join(map(str, paths))}")
    existing = read_folder(folder)
    ready: dict[str, str] = {}
    for path in files:
        q = read_saved_query(path)
        if not NAME.fullmatch(q.name):
            raise JjjkgError(f"{path}: the name {q.name!r} is not a plain name: expected lowercase letters, digits "
                             "and hyphens (at most 64), e.g. platforms-by-sector; set it with a '// name:' line")
        bad = [p for p in q.params if not _PARAM.fullmatch(p)]
        if bad:
            raise JjjkgError(f"{path}: the parameter {bad[0]!r} is not a name: expected a letter or _, then letters, "
                             "digits or _ (at most 64)")
        if q.name in ready:
            raise JjjkgError(f"{path}: a second query named {q.name!r}; rename one")
        if q.name in existing and not replace:
            raise JjjkgError(f"{path}: the workspace already has a query named {q.name!r} "
                             f"({existing[q.name].path.name}); pass --replace to replace it")
        body = q.cypher
        for line in body.splitlines():
            if _ROLES.fullmatch(line) or _AUTHOR.fullmatch(line):
                raise JjjkgError(f"{path}: has its own {line.strip()!r} line; who may see it is given with --roles")
        summary = q.summary if q.summary != "(no summary line)" else ""
        if not summary or not _one_line(summary) or len(summary) > 100:
            raise JjjkgError(f"{path}: expected a '// summary: TITLE' line of at most 100 characters (the title "
                             "planners read)")
        header = [f"// roles: {', '.join(roles)}", f"// author: {author}"]
        lines = body.splitlines()
        # the new lines go after the file's own header, so the file still reads as it did
        at = next((i for i, line in enumerate(lines) if not line.strip().startswith("//")), len(lines))
        ready[q.name] = "\n".join(lines[:at] + header + lines[at:]) + "\n"
    for name, text in ready.items():
        write_query(folder, name, text)
    return list(ready)
