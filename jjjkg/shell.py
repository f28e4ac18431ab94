"""``jjjkg cypher`` with no query: an interactive Cypher shell.

Statements may span lines and end with ``;``. Commands start with ``:`` — ``:help``, ``:schema``,
``:format table|csv|json``, ``:param NAME VALUE``, ``:params``, ``:quit``. History is kept in
``~/.jjjkg_history`` when the terminal supports it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from graph import schema
from graph.errors import JjjkgError
from graph.cypher.cypher_text import split_statements
from graph.cypher.habits import run_cypher
from viz.records_text import visible

#: what a refused write tells the shell's user
SHELL_WRITE_HINT = "leave the shell and start it again with `jjjkg cypher --write` to allow writes"

HELP = """\
Type Cypher and end it with ';' (it may span lines). Queries are read-only unless the shell was
started with --write. Commands:
  :schema                 labels, relation types and property keys, with counts
  :format table|csv|json  how results print (now: {fmt})
  :param NAME VALUE       set $NAME (VALUE read as JSON when it parses, else as text;
                          Neo4j's `:param NAME => VALUE` works too)
  :params                 the parameters set so far
  :help                   this text
  :quit                   leave (or Ctrl-D)
Example:
  MATCH (p:Platform)-[:IN_SECTOR]->(s:Sector {{id: 'CH_H2'}})
  RETURN p.id, p.name;
"""

LABELS_QUERY = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label"
TYPES_QUERY = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type"


def _history() -> None:
    try:
        import readline
    except ImportError:  # not on every platform
        return
    path = Path.home() / ".jjjkg_history"
    try:
        readline.read_history_file(path)
    except OSError:
        pass
    import atexit

    atexit.register(lambda: _save_history(readline, path))


def _save_history(readline, path: Path) -> None:
    from graph.safe_write import replacing

    try:
        readline.set_history_length(2000)
        with replacing(path, private=True) as tmp:  # never through a link planted at ~/.jjjkg_history
            readline.write_history_file(tmp)
    except (OSError, JjjkgError):
        pass


def show_schema(engine, fmt: str, out) -> None:
    """Labels and relation types with counts, then every property key of the schema."""
    from viz.records_text import render

    render(engine.run(LABELS_QUERY, {}), fmt, stream=out)
    render(engine.run(TYPES_QUERY, {}), fmt, stream=out)
    out.write("property keys: " + ", ".join(schema.property_keys()) + "\n")


def render_result(rows, fmt: str, stream=None, *, raw: bool = False) -> None:
    """Print a statement's result: a plan as its lines (in a table), else rows with their columns."""
    from viz.records_text import render

    stream = stream or sys.stdout
    if fmt == "table" and hasattr(rows, "lines"):
        stream.write("\n".join(visible(line) for line in rows.lines) + "\n")
        return
    render(rows, fmt, stream=stream, raw=raw)  # render takes the rows' own columns


def interactive(engine, *, params=None, fmt: str = "table", write: bool = False, timeout: float = 30.0,
                stdin=None, out=None) -> int:
    """Read statements until end of input; returns the exit code (0)."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    params = dict(params or {})
    tty = stdin.isatty()
    if tty:
        _history()
        out.write("jjjkg Cypher shell — :help for help, :quit to leave\n")
    buffer: list[str] = []
    while True:
        prompt = ("jjjkg> " if not buffer else "   ...> ") if tty else ""
        try:
            line = input(prompt) if stdin is sys.stdin and tty else stdin.readline()
        except EOFError:
            break
        if line == "" and not tty:
            break
        line = line.rstrip("\n")
        stripped = line.strip()
        if not buffer and stripped.startswith(":"):
            cmd, _, rest = stripped.partition(" ")
            if cmd in (":quit", ":q", ":exit"):
                break
            if cmd == ":help":
                out.write(HELP.format(fmt=fmt))
            elif cmd == ":format" and rest.strip() in ("table", "csv", "json"):
                fmt = rest.strip()
                out.write(f"format: {fmt}\n")
            elif cmd == ":param" and rest.strip():
                name, _, value = rest.strip().partition(" ")
                value = value.strip()
                if value.startswith("=>"):  # cypher-shell's and Neo4j Browser's form, `:param name => value`
                    value = value[2:].strip()
                try:
                    params[name] = json.loads(value)
                except ValueError:
                    # a Cypher string in single quotes, as Neo4j Browser takes it: the text inside
                    quoted = len(value) >= 2 and value[0] == value[-1] == "'" and "'" not in value[1:-1]
                    params[name] = value[1:-1] if quoted else value
                except RecursionError:
                    out.write(visible(f"Error: :param {name}: the value nests lists or maps too deeply to read") + "\n")
            elif cmd == ":params":
                out.write(json.dumps(params, ensure_ascii=False) + "\n")
            elif cmd == ":schema":
                _guarded(lambda: show_schema(engine, fmt, out), out)
            else:
                out.write(f"unknown command {stripped!r}; :help lists the commands\n")
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            text = "\n".join(buffer)
            buffer = []
            try:
                statements = split_statements(text)
            except JjjkgError as err:
                out.write(visible(f"Error: {err}", keep="\n") + "\n")
                continue
            for statement in statements:  # several on one line run one after the other, as in cypher-shell
                _guarded(lambda: render_result(run_cypher(engine, statement, params, read_only=not write,
                                                          timeout=timeout,
                                                          warn=lambda m: out.write(visible(m, keep="\n") + "\n"),
                                                          write_hint=SHELL_WRITE_HINT), fmt, out), out)
    return 0


def _guarded(action, out) -> None:
    try:
        action()
    except JjjkgError as err:
        out.write(visible(f"Error: {err}", keep="\n") + "\n")
