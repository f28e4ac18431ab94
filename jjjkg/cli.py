"""The ``jjjkg`` command: a thin shell over graph, loaders, queries and viz.

Exit codes: 0 success; 1 a problem with the input, the store or a query (the message says what
to fix); 2 the command line itself is wrong; 3 a graph database could not be reached or started.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from graph.errors import InputError, JjjkgError, StoreUnavailable

#: input problems printed before "… and N more"
MAX_PROBLEMS = 100
#: what `jjjkg cypher --write` says on the embedded database
WRITE_NOTE = ("note: --write changes only the embedded database's copy of the graph, not the store; the next "
              "command reloads the store, so these changes will not be seen again. To keep a change, change the "
              "data and run jjjkg build")
#: rows `jjjkg cypher` returns unless --max-rows says otherwise
MAX_ROWS = 100_000

EXAMPLES = """\
examples:
  jjjkg build                                   # the bundled dataset → ./.jjjkg
  jjjkg build --data my_folder/                 # your folder (organizations.csv, relations.csv …)
  jjjkg query --list                            # the named analyses
  jjjkg query rd-scaleup-paths --param province=河北
  jjjkg query alliance-gaps --format json
  jjjkg query rd-scaleup-paths --engine cypher  # the same analysis, run as Cypher
  jjjkg cypher "MATCH (p:Platform {province:'北京'}) RETURN p.id, p.name LIMIT 5"
  jjjkg viz --sector CH_H2 --out h2.html
  jjjkg import 中试平台名单.xlsx                  # a published list: writes a plan; --apply adds it

The store is ./.jjjkg unless --store or JJJKG_STORE says otherwise; a command that needs the default
store and finds none builds it from the bundled dataset first; a store you name must exist.
exit codes: 0 ok · 1 input, store or query problem · 2 wrong command line · 3 database unreachable
"""


#: `jjjkg cypher --help` examples, quoted so that they work when pasted into bash ($id stays $id)
CYPHER_EXAMPLES = """\
examples:
  jjjkg cypher 'MATCH (p:Platform) RETURN p.province, count(*) AS n'
  jjjkg cypher 'MATCH (o:Organization {id: $id}) RETURN o.name AS 名称' --param id=PF_YZ_CELL
  jjjkg cypher 'EXPLAIN MATCH (p:Platform)-[:IN_SECTOR]->(s:Sector) RETURN s.name, count(p)'
  jjjkg cypher 'SHOW INDEXES'
  jjjkg cypher --file my_query.cypher --format csv
  NEO4J_PASSWORD=… jjjkg cypher --uri bolt://localhost:7687 'RETURN 1'

Single quotes keep $parameters from the shell; inside them write Cypher strings with double quotes
("北京") or use --param. Neo4j habits work on the embedded database: EXPLAIN and PROFILE print the plan,
SHOW INDEXES / SHOW CONSTRAINTS / CALL db.labels() / CALL db.schema.visualization() answer, non-ASCII
names are quoted for you, and EXISTS { … }, COUNT { … }, CALL (x) { … } and =~ are rewritten where that
is safe (a note on stderr says how); what FalkorDB lacks fails with a hint naming what to write instead.
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _say(msg: str) -> None:
    from viz.records_text import visible  # a message may echo a query or a name from someone else's store

    print(visible(msg, keep="\n"), file=sys.stderr, flush=True)


def _parse_params(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in pairs or []:
        if "=" not in p:
            raise JjjkgError(f"--param {p!r}: expected KEY=VALUE, e.g. --param province=河北")
        k, v = p.split("=", 1)
        out[k.strip()] = v
    return out


#: the integers a Cypher parameter can hold (64-bit, as in FalkorDB and Neo4j)
INT64 = (-(2**63), 2**63 - 1)


def _in_int64(params: dict[str, object]) -> dict[str, object]:
    """``params`` unchanged, or an error naming the first integer a database would silently clamp."""
    def check(key: str, v) -> None:
        if isinstance(v, bool):
            return
        if isinstance(v, int) and not INT64[0] <= v <= INT64[1]:
            raise JjjkgError(f"--param {key}: {v} is beyond the 64-bit integers Cypher holds "
                             f"({INT64[0]} … {INT64[1]}); pass a smaller number, or quote it to pass text")
        for x in (v.values() if isinstance(v, dict) else v if isinstance(v, list) else ()):
            check(key, x)

    for k, v in params.items():
        check(k, v)
    return params


def _seconds(text: str) -> float:
    """``--timeout``: a finite number of seconds above 0, at most a day (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value <= 86400:  # NaN fails this comparison too
        raise argparse.ArgumentTypeError(f"expected seconds above 0 and at most 86400 (a day), got {text!r}")
    return value


def _store_path(args) -> Path:
    from graph.store import default_store_path

    return Path(args.store) if getattr(args, "store", None) else default_store_path()


def _open_store(args):
    """Open the store. The default store is built from the bundled dataset first when there is none;
    a store the user named (--store, JJJKG_STORE) must exist: a typo never answers from other data."""
    from graph.errors import StoreError
    from graph.store import Store, open_or_build, store_exists, versions

    path = _store_path(args)
    named = "--store" if getattr(args, "store", None) else "JJJKG_STORE" if os.environ.get("JJJKG_STORE") else None
    if not named:
        def bundled():
            import loaders  # only when a build is needed

            return loaders.read_bundled()

        def tell(stage: str) -> None:
            _say(f"no store at {path}; building it from the bundled dataset first …" if stage == "start"
                 else f"built {path} from the bundled dataset")

        return open_or_build(path, bundled, on_build=tell)
    if not store_exists(path):
        versions.wait_for_writer(path)  # a build of this store under way: its result, not an error
    if not store_exists(path):
        raise StoreError(f"no store at {str(path)!r} (named by {named}): build it with "
                         f"`jjjkg build --store {path}`, or check the path")
    return Store(path)


def _name_lookup(G):
    from graph.keys import sector_node

    def name_of(i: str):
        if i in G and "type" in G.nodes[i]:
            return G.nodes[i].get("name")
        key = sector_node(i)
        if key in G:
            return G.nodes[key].get("name")
        return None

    return name_of


# ----------------------------------------------------------------------------- build


def cmd_build(args) -> int:
    import loaders
    from graph.store import save_store

    from .memory import return_freed_memory

    return_freed_memory()  # the frames of one step are given back before the next: a lower peak
    path = _store_path(args)
    t0 = time.perf_counter()
    if args.data:
        _say(f"reading {args.data} …")
        tables = loaders.read_folder(args.data)
    else:
        _say("reading the bundled dataset …")
        tables = loaders.read_bundled()
    t1 = time.perf_counter()
    _say(f"validated {len(tables.organizations)} organizations and {len(tables.relations)} relations "
         f"in {t1 - t0:.1f} s; writing {path} …")
    meta = save_store(tables, path)
    t3 = time.perf_counter()
    if tables.warnings:
        shown = tables.warnings[: args.max_warnings]
        _say(f"{len(tables.warnings)} warning{'s' if len(tables.warnings) != 1 else ''} (kept, but check):")
        for w in shown:
            _say(f"  {w}")
        if len(tables.warnings) > len(shown):
            _say(f"  … and {len(tables.warnings) - len(shown)} more (--max-warnings N shows more)")
    orgs = tables.organizations
    summary = orgs.groupby(["type", orgs["province"].fillna("—")]).size().unstack(fill_value=0)
    print(f"store: {path}  (fingerprint {meta['fingerprint'][:12]}, {t3 - t0:.1f} s)")
    print(f"organizations: {len(orgs)}  relations: {len(tables.relations)}  sectors: {len(tables.sectors)}  "
          f"services: {len(tables.services)}  nodes: {meta['nodes']}  edges: {meta['edges']}")
    print(summary.to_string())
    return 0


# ----------------------------------------------------------------------------- query


def cmd_query(args) -> int:
    import queries
    from viz.records_text import render
    from queries.saved import read_saved_queries, saved_queries_dir

    saved = read_saved_queries(saved_queries_dir(args.queries))
    clash = sorted(set(saved) & set(queries.QUERIES))
    if clash:
        raise JjjkgError(f"saved query {clash[0]!r} ({saved[clash[0]].path.name}) has the name of a built-in "
                         "analysis; rename it")
    if args.list:
        from viz.records_text import visible

        for name in sorted(queries.QUERIES):
            q = queries.QUERIES[name]
            params = ", ".join(q.params) or "no parameters"
            print(f"{name} — {q.summary}  [{params}]")
        for name, sq in sorted(saved.items()):
            params = ", ".join(sq.params) or "no parameters"
            print(visible(f"{name} — {sq.summary}  [{params}]  (saved: {sq.path})"))
        return 0
    if not args.name:
        raise JjjkgError("name an analysis, e.g. `jjjkg query rd-scaleup-paths`, or list them with --list")
    if args.name in saved:
        return _run_saved(saved[args.name], args)
    try:
        q = queries.get_query(args.name)
    except JjjkgError as err:
        if saved:
            raise JjjkgError(f"{err}; saved queries: {', '.join(sorted(saved))}") from None
        raise
    given = _in_int64(q.parse_params(_parse_params(args.param)))
    if args.show_cypher:
        for k, v in given.items():
            print(f"// :param {k} => {v!r}")
        print(q.cypher.rstrip())
        return 0
    store = _open_store(args)
    if args.engine == "cypher":
        # the engine holds the relations: parameters are read from the nodes alone, and only when a
        # parameter asks; the graph is read only when the embedded server must be loaded from it
        from graph.store.lookup import NodesOnDemand

        G = NodesOnDemand(store.nodes)
        runs = _each_sector(G, q, given)
        engine = _engine_for(args, None if args.uri else store)
        try:
            rows = _union([q.run_cypher(engine, G, **g) for g in runs])
        finally:
            engine.close()
        name_of = _answer_names(store, rows) if args.format == "table" else None
    else:
        G = store.graph()
        runs = _each_sector(G, q, given)
        rows = _union([q.func(G, **g) for g in runs])
        name_of = _name_lookup(G)
    render(rows, args.format, q.keys, name_of=name_of, raw=args.raw)
    return 0


def _answer_names(store, rows: list[dict]):
    """``name_of`` for the ids an answer prints: looked up together in the store's arrays (the graph's nodes
    when it is read already, or the store has no arrays)."""
    from viz.records_text import NAME_HEADERS

    if store.loaded_graph() is not None or not store.has_arrays():
        return _name_lookup(store.nodes())
    from graph.store.lookup import names_of

    names = names_of(store.arrays(), (r.get(k) for r in rows for k in NAME_HEADERS if k in r))
    return names.get


def _each_sector(G, q, given: dict) -> list[dict]:
    """The parameter sets to run: one, or one per sector when ``sector`` names several (``A;B``, ``A，B``)."""
    from queries.common import split_sectors

    sectors = split_sectors(G, given.get("sector")) if "sector" in q.params else None
    return [{**given, "sector": s} for s in sectors] if sectors else [given]


def _union(parts: list[list[dict]]) -> list[dict]:
    """The records of several runs, in turn, each once (a path in two of the sectors is one record)."""
    import json

    if len(parts) == 1:
        return parts[0]
    seen, out = set(), []
    for rows in parts:
        for r in rows:
            key = json.dumps(r, sort_keys=True, ensure_ascii=False, default=str)
            if key not in seen:
                seen.add(key)
                out.append(r)
    return out


def _engine_for(args, store, G=None):
    """Neo4j with --uri, else the store's embedded server (loaded from the store only if it must be)."""
    from graph.store.engines import open_engine

    if store is None:
        return open_engine(None, uri=args.uri, user=args.user, password=_password(args),
                           password_env=args.password_env, database=args.database, timeout=args.timeout)
    # the server of the version this command reads (kept while it runs), not of one a build switched to since
    return open_engine(store.root, G if G is not None else store.graph, fingerprint=store.fingerprint,
                       user=args.user, timeout=args.timeout)


def _run_saved(sq, args) -> int:
    from viz.records_text import visible
    from jjjkg.shell import render_result

    params = _in_int64(sq.parse_params(_parse_params(args.param)))
    if args.show_cypher:
        print(visible(sq.cypher.rstrip(), keep="\n\t"))
        return 0
    store = None if args.uri else _open_store(args)
    engine = _engine_for(args, store)
    try:
        from graph.cypher.habits import run_cypher

        rows = run_cypher(engine, sq.cypher, params, timeout=args.timeout, warn=_say,
                          write_hint=f"a saved query only reads; run its statement with `jjjkg cypher --file {sq.path} "
                                     "--write`")
    finally:
        engine.close()
    render_result(rows, args.format, raw=args.raw)
    return 0


def _password(args) -> str | None:
    var = getattr(args, "password_env", None)
    if var:
        if var not in os.environ:
            raise JjjkgError(f"--password-env {var}: that environment variable is not set")
        return os.environ[var]
    return None


# ----------------------------------------------------------------------------- cypher


def cmd_cypher(args) -> int:
    from jjjkg.shell import render_result

    text = args.query
    if args.file:
        from queries.saved import read_cypher_file

        text = read_cypher_file(Path(args.file))
    params = _in_int64(_typed_params(_parse_params(args.param)))
    store = None if args.uri else _open_store(args)
    engine = _engine_for(args, store)
    if args.write and store is not None:
        _say(WRITE_NOTE)
    try:
        if not text.strip():
            from jjjkg.shell import interactive

            return interactive(engine, params=params, fmt=args.format, write=args.write, timeout=args.timeout)
        if args.max_rows < 0:
            raise JjjkgError(f"--max-rows {args.max_rows}: expected a number of rows, or 0 for no limit")
        from graph.cypher.habits import run_cypher

        rows = run_cypher(engine, text, params, read_only=not args.write, timeout=args.timeout, warn=_say,
                          max_rows=args.max_rows or None, allow_load_csv=args.allow_load_csv)
    finally:
        engine.close()
    render_result(rows, args.format, raw=args.raw)
    if getattr(rows, "truncated", False):
        _say(f"note: only the first {args.max_rows:,} rows are shown; the query returned more. Add a LIMIT, "
             "or pass --max-rows N (0 for no limit)")
    return 0


def _add_raw(p) -> None:
    p.add_argument("--raw", action="store_true",
                   help="CSV exactly as stored, for programs: by default CSV is for Excel (a cell starting with "
                        "= + - @ gets a leading ', and a file written with > starts with a UTF-8 BOM)")


def _typed_params(pairs: dict[str, str]) -> dict[str, object]:
    """``--param`` values for raw Cypher: JSON when it parses (numbers, lists, true), else text."""
    import json

    out: dict[str, object] = {}
    for k, v in pairs.items():
        try:
            out[k] = json.loads(v)
        except ValueError:
            out[k] = v
        except RecursionError:
            raise JjjkgError(f"--param {k}: the value nests lists or maps too deeply to read") from None
    return out


# ----------------------------------------------------------------------------- stop


def cmd_stop(args) -> int:
    from graph.store.falkordb import stop

    path = _store_path(args)
    if (args.store or os.environ.get("JJJKG_STORE")) and not path.exists():
        raise JjjkgError(f"no store at {str(path)!r}: check the path (--store or JJJKG_STORE)")
    if stop(path):
        print(f"stopped the embedded database server of {path}")
    else:
        print(f"no embedded database server was running for {path}")
    return 0


# ----------------------------------------------------------------------------- the rest


def cmd_generate(args) -> int:
    from loaders.synthetic import check_size, generate, write_folder

    if args.orgs < 1:
        raise JjjkgError("--orgs: expected a positive number of organizations")
    check_size(args.orgs, args.relations_per_org)  # before a byte is allocated
    _say(f"generating {args.orgs} synthetic organizations (seed {args.seed}) …")
    tables = generate(args.orgs, seed=args.seed, relations_per_org=args.relations_per_org)
    out = write_folder(tables, args.out)
    print(f"wrote {out}: {len(tables['organizations'])} organizations, {len(tables['relations'])} relation rows "
          "(synthetic, labelled so in every source cell)")
    return 0


def cmd_neo4j_push(args) -> int:
    from graph.store.neo4j_engine import Neo4jEngine

    store = _open_store(args)
    G = store.graph()
    engine = Neo4jEngine(args.uri, user=args.user, password=_password(args), database=args.database,
                         timeout=args.timeout, password_env=args.password_env or "NEO4J_PASSWORD")
    try:
        counts = engine.push(G, batch_size=args.batch_size,
                             progress=lambda done, total: _say(f"  {done}/{total} batches"))
    finally:
        engine.close()
    print(f"pushed to {args.uri or os.environ.get('NEO4J_URI')}: {counts}")
    return 0


# ----------------------------------------------------------------------------- parser


def _add_store(p) -> None:
    p.add_argument("--store", metavar="DIR", help="the store folder (default ./.jjjkg or $JJJKG_STORE)")


def _add_neo4j(p, uri_help: str) -> None:
    p.add_argument("--uri", metavar="URI", help=uri_help)
    p.add_argument("--user", metavar="U", help="Neo4j user (default $NEO4J_USERNAME, else neo4j)")
    p.add_argument("--password-env", metavar="VAR",
                   help="name of the environment variable holding the Neo4j password (default NEO4J_PASSWORD)")
    p.add_argument("--database", metavar="DB", help="Neo4j database (default: the server's default)")


def build_parser() -> argparse.ArgumentParser:
    from jjjkg import __version__
    from viz.records_text import FORMATS

    parser = argparse.ArgumentParser(
        prog="jjjkg", formatter_class=_Formatter, epilog=EXAMPLES,
        description="京津冀中试生态知识图谱 · the Beijing–Tianjin–Hebei pilot-scale testing knowledge graph.\n"
                    "Load organizations and relations, ask where 北京研发中试、津冀量产放大 works and where it breaks.")
    parser.add_argument("--version", action="version", version=f"jjjkg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("build", help="load, validate and write the store", formatter_class=_Formatter,
                       description="Read a data folder (or .xlsx workbook), check every row, build the graph and "
                                   "write the store. A failed build leaves an existing store untouched.",
                       epilog="examples:\n  jjjkg build\n  jjjkg build --data ./my_data --store ./my_store\n"
                              "  jjjkg build --data 中试资源.xlsx")
    p.add_argument("--data", metavar="DIR_OR_XLSX", help="data folder or workbook (default: the bundled dataset)")
    _add_store(p)
    p.add_argument("--max-warnings", type=int, default=20, metavar="N", help="warnings to print (default 20)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("query", help="run a named analysis", formatter_class=_Formatter,
                       description="Run a named analysis on the store, in networkx (default) or as Cypher.",
                       epilog="examples:\n  jjjkg query --list\n  jjjkg query rd-scaleup-paths --param sector=CH_BIO\n"
                              "  jjjkg query alliance-gaps --format csv > gaps.csv\n"
                              "  jjjkg query rd-scaleup-paths --show-cypher")
    p.add_argument("name", nargs="?", help="the analysis (see --list)")
    p.add_argument("--list", action="store_true", help="list the named analyses, one line each")
    p.add_argument("--param", action="append", metavar="KEY=VALUE",
                   help="a parameter; repeat for more (sector=A;B runs the analysis for each sector in turn: "
                        "separate ids with ;)")
    p.add_argument("--engine", choices=("networkx", "cypher"), default="networkx",
                   help="networkx in memory (default) or the analysis's Cypher on the graph database")
    p.add_argument("--show-cypher", action="store_true", help="print the analysis's Cypher and stop")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    _add_raw(p)
    p.add_argument("--timeout", type=_seconds, default=30.0, metavar="S", help="Cypher timeout in seconds")
    p.add_argument("--queries", metavar="DIR", help="a folder of your own .cypher queries (default $JJJKG_QUERIES)")
    _add_store(p)
    _add_neo4j(p, "run the Cypher on this Neo4j instead of the embedded database (with --engine cypher)")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("cypher", help="run Cypher on the graph", formatter_class=_Formatter,
                       description="Run a Cypher query, read-only unless --write, on the embedded graph database "
                                   "(started on demand) or on Neo4j with --uri. With no query, open a shell.",
                       epilog=CYPHER_EXAMPLES)
    p.add_argument("query", nargs="?", default="", help="the Cypher text (omit for an interactive shell)")
    p.add_argument("--file", metavar="Q.cypher", help="read the query from a file")
    p.add_argument("--param", action="append", metavar="KEY=VALUE",
                   help="a $parameter; VALUE is read as JSON when it parses (42, [1,2], true), else as text")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default table)")
    _add_raw(p)
    p.add_argument("--write", action="store_true",
                   help="allow writes (queries are read-only by default); on the embedded database they change "
                        "its copy of the graph only, never the store, and the next command reloads the store")
    p.add_argument("--timeout", type=_seconds, default=30.0, metavar="S", help="query timeout in seconds (default 30)")
    p.add_argument("--max-rows", type=int, default=MAX_ROWS, metavar="N",
                   help=f"return at most N rows (default {MAX_ROWS:,}; 0 for no limit); a note on stderr says "
                        "when rows were left out")
    p.add_argument("--allow-load-csv", action="store_true",
                   help="let the query use LOAD CSV, which fetches web addresses and reads files (refused "
                        "by default, so a query from someone else cannot send the graph out)")
    _add_store(p)
    _add_neo4j(p, "a Neo4j server (bolt://… or neo4j://…; default: the embedded database)")
    p.set_defaults(func=cmd_cypher)

    p = sub.add_parser("stop", help="end the store's embedded database server", formatter_class=_Formatter,
                       description="End the embedded FalkorDB server of a store (it otherwise keeps running "
                                   "between commands, and ends by itself when its store folder is deleted). "
                                   "Exit 0 whether or not one was running; the output says which.",
                       epilog="examples:\n  jjjkg stop\n  jjjkg stop --store ./my_store")
    _add_store(p)
    p.set_defaults(func=cmd_stop)

    from jjjkg import cmd_exports, cmd_import, cmd_serve, cmd_viz

    cmd_viz.add_parser(sub, _Formatter, _add_store, _open_store)
    cmd_exports.add_parsers(sub, _Formatter, _add_store, _open_store)
    cmd_import.add_parser(sub, _Formatter, _add_store, _open_store)
    cmd_serve.add_parsers(sub, _Formatter, _add_store, _open_store)

    p = sub.add_parser("generate", help="write a synthetic data folder (for scale tests)", formatter_class=_Formatter,
                       description="Write a contract-format folder of synthetic data: realistic shape (hubs, the "
                                   "bundled province split and sectors, valid credit codes, planted gaps), labelled "
                                   "synthetic in every source cell. The same seed gives the same folder.",
                       epilog="examples:\n  jjjkg generate --orgs 10000 --out syn10k/\n"
                              "  jjjkg build --data syn10k/ --store syn10k_store/")
    p.add_argument("--orgs", type=int, required=True, metavar="N", help="number of organizations")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--relations-per-org", type=float, default=5.0, metavar="R",
                   help="relation rows per organization (default 5)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("neo4j", help="work with a Neo4j server", formatter_class=_Formatter,
                       description="Push the store's graph to Neo4j (idempotent: pushing twice changes nothing).")
    nsub = p.add_subparsers(dest="neo4j_command", metavar="SUBCOMMAND")
    pp = nsub.add_parser("push", help="merge the graph into Neo4j", formatter_class=_Formatter,
                         epilog="example:\n  NEO4J_PASSWORD=secret jjjkg neo4j push --uri bolt://localhost:7687")
    _add_neo4j(pp, "the Neo4j server (default $NEO4J_URI)")
    pp.add_argument("--batch-size", type=int, default=5000, metavar="N", help="rows per statement (default 5000)")
    pp.add_argument("--timeout", type=_seconds, default=300.0, metavar="S", help="per-statement timeout")
    _add_store(pp)
    pp.set_defaults(func=cmd_neo4j_push)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        if (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            try:
                stream.reconfigure(encoding="utf-8")
            except (AttributeError, ValueError):
                pass
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except StoreUnavailable as err:
        _say(f"Error: {err}")
        return 3
    except InputError as err:
        shown = err.problems[:MAX_PROBLEMS]
        n = len(err.problems)
        _say(f"Error: the input has {n} problem{'s' if n != 1 else ''}; nothing was written")
        for p in shown:
            _say(f"  {p}")
        if n > len(shown):
            _say(f"  … and {n - len(shown)} more")
        return 1
    except JjjkgError as err:
        _say(f"Error: {err}")
        return 1
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
