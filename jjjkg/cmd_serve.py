"""``jjjkg serve``, ``jjjkg users`` and ``jjjkg audit``: the workspace and its accounts.

These are the only commands that import the workspace (and so Django); the rest of the command line
never does.
"""

from __future__ import annotations

import getpass
import os
import re
import sys
from pathlib import Path

from graph.errors import JjjkgError, MissingDependency

SERVE_EPILOG = """\
examples:
  jjjkg users add wang --role admin             # asks for a password twice
  jjjkg serve                                   # http://127.0.0.1:8000/ , the default store
  jjjkg serve --store /data/jjjkg --host 0.0.0.0 --port 8080 --secure-cookies \\
      --trusted-header X-Remote-User --trusted-proxy 10.1.2.3   # behind the agency's gateway
  jjjkg serve --database postgresql://jjjkg@db.intranet/jjjkg   # accounts and audit in PostgreSQL

The workspace keeps its own data (accounts, audit, saved queries, dashboards) in --state (or
JJJKG_STATE; default ~/.local/state/jjjkg, mode 700), never in a store. It speaks plain HTTP: on an
intranet put it behind a proxy that ends TLS, and pass --secure-cookies. It ends cleanly on Ctrl+C
or SIGTERM.
"""

USERS_EPILOG = """\
roles:
  viewer   planners: search, organization pages, views, analyses and saved queries as forms,
           dashboards, the meeting pack
  analyst  + the Cypher console, saving queries and dashboard tiles, downloads of data
  editor   + importing lists and rebuilding the store
  admin    + accounts and the audit

examples:
  jjjkg users add li --role viewer              # asks for the password (at least 10 characters)
  printf '%s\\n' "$PASSWORD" | jjjkg users add zhao --role analyst --password-stdin
  jjjkg users set-role li editor
  jjjkg users unlock li                         # after five failed sign-ins
"""


def _need_django():
    try:
        import django  # noqa: F401
        import waitress  # noqa: F401
    except ImportError:
        raise MissingDependency("the workspace needs the [serve] extra: pip install -e '.[serve]' "
                                "(make demo installs it)") from None


def _config(args, **kw):
    _need_django()
    from workspace.config import WorkspaceConfig

    return WorkspaceConfig(state=args.state, database=getattr(args, "database", None), **kw)


def _setup(args, *, create_state: bool = True):
    from workspace.config import configure

    return configure(_config(args, create_state=create_state))


def add_parsers(sub, formatter, add_store, open_store) -> None:
    p = sub.add_parser("serve", help="serve the workspace (web pages for planners, analysts and admins)",
                       formatter_class=formatter, epilog=SERVE_EPILOG,
                       description="Run the alliance workspace on a production WSGI server: search, organization "
                                   "pages, live views, analyses as forms, the meeting pack, the audit.")
    add_store(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    _add_state(p)
    _add_database(p)
    p.add_argument("--trusted-header", metavar="NAME",
                   help="sign people in by this header (e.g. X-Remote-User), set by the agency's gateway")
    p.add_argument("--trusted-proxy", metavar="ADDRESS", action="append", default=[],
                   help="the gateway's address (repeatable); the header is ignored from any other address")
    p.add_argument("--allowed-host", metavar="NAME", action="append", default=[],
                   help="a host name the server answers to (repeatable; default this machine's loopback names)")
    p.add_argument("--secure-cookies", action="store_true",
                   help="send cookies only over HTTPS (use it behind a proxy that ends TLS)")

    def run_serve(args) -> int:
        if not 0 <= args.port <= 65535:
            raise JjjkgError(f"--port {args.port}: expected 0 to 65535")
        cfg = _config(args, host=args.host, trusted_header=args.trusted_header,
                      trusted_proxies=tuple(args.trusted_proxy), allowed_hosts=tuple(args.allowed_host),
                      secure_cookies=args.secure_cookies)
        path = open_store(args).path  # the default store is built first when there is none
        from workspace.server import serve

        return serve(cfg, store=path, port=args.port, say=_say)

    p.set_defaults(func=run_serve)

    u = sub.add_parser("users", help="manage the workspace's accounts and roles", formatter_class=formatter,
                       epilog=USERS_EPILOG, description="Add, list, remove accounts of the workspace and set "
                                                         "their role (viewer, analyst, editor, admin).")
    usub = u.add_subparsers(dest="users_command", metavar="ACTION")
    a = usub.add_parser("add", help="add an account", formatter_class=formatter)
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=("viewer", "analyst", "editor", "admin"))
    a.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    _add_state(a)
    _add_database(a)
    ls = usub.add_parser("list", help="list the accounts", formatter_class=formatter)
    _add_state(ls)
    _add_database(ls)
    rm = usub.add_parser("remove", help="remove an account", formatter_class=formatter)
    rm.add_argument("name")
    _add_state(rm)
    _add_database(rm)
    sr = usub.add_parser("set-role", help="change an account's role", formatter_class=formatter)
    sr.add_argument("name")
    sr.add_argument("role", choices=("viewer", "analyst", "editor", "admin"))
    _add_state(sr)
    _add_database(sr)
    un = usub.add_parser("unlock", help="unlock an account after failed sign-ins", formatter_class=formatter)
    un.add_argument("name")
    _add_state(un)
    _add_database(un)
    u.set_defaults(func=lambda args: _users(args, u))

    q = sub.add_parser("queries", help="bring .cypher files into the workspace's saved queries",
                       formatter_class=formatter, epilog=QUERIES_EPILOG,
                       description="The workspace's saved queries are .cypher files in <state>/queries/, in the "
                                   "format of `jjjkg query --queries DIR`: that folder runs as it is from the command "
                                   "line, and `jjjkg queries add` brings your own files into it.")
    qsub = q.add_subparsers(dest="queries_command", metavar="ACTION")
    qa = qsub.add_parser("add", help="add .cypher files (or every one in a folder) for the roles named",
                         formatter_class=formatter)
    qa.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", type=Path)
    qa.add_argument("--roles", required=True, metavar="ROLE[,ROLE]",
                    help="who may see and run them: viewer, analyst, editor, admin (comma-separated)")
    qa.add_argument("--author", help="the account named as their author (default: cli:YOUR_LOGIN)")
    qa.add_argument("--replace", action="store_true", help="replace saved queries of the same names")
    _add_state(qa)
    _add_database(qa)
    q.set_defaults(func=lambda args: _queries(args, q))

    au = sub.add_parser("audit", help="print the workspace's audit trail", formatter_class=formatter,
                        description="Every sign-in, run, download, import and role change, oldest first.")
    au.add_argument("--since", metavar="YYYY-MM-DD", help="only rows from this day on")
    au.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="output format (default jsonl)")
    _add_state(au)
    _add_database(au)
    au.set_defaults(func=_audit)


def _add_state(p) -> None:
    p.add_argument("--state", metavar="DIR", help="the workspace's own data (default $JJJKG_STATE or "
                                                   "~/.local/state/jjjkg)")


def _add_database(p) -> None:
    p.add_argument("--database", metavar="URL", help="postgresql://USER:PASSWORD@HOST:PORT/NAME instead of SQLite "
                                                     "in the state folder (default $JJJKG_DATABASE)")


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _password(args) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise JjjkgError("--password-stdin: no password on standard input")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise JjjkgError("no terminal to ask for the password: pass it on standard input with --password-stdin")
    first = getpass.getpass("密码 / password: ")
    if first != getpass.getpass("再输入一次 / again: "):
        raise JjjkgError("the two passwords differ; nothing was changed")
    return first


def _users(args, parser) -> int:
    if not args.users_command:
        parser.print_help()
        return 2
    _setup(args, create_state=args.users_command == "add")
    from workspace import accounts, audit

    if args.users_command == "add":
        accounts.add_user(args.name, args.role, _password(args))
        audit.record(None, "account_add", user=_operator(), account=args.name, role=args.role)
        print(f"added {args.name} ({args.role}) to the workspace in {args.state or os.environ.get('JJJKG_STATE') or '~/.local/state/jjjkg'}")
    elif args.users_command == "list":
        rows = accounts.list_users()
        if not rows:
            print("no accounts yet: jjjkg users add NAME --role admin")
        for r in rows:
            print(f"{r['name']}\t{r['role'] or '(no role)'}\t{'local' if r['local'] else 'gateway'}\t"
                  f"{'active' if r['active'] else 'inactive'}\t{r['last_login'] or 'never signed in'}")
    elif args.users_command == "remove":
        accounts.remove_user(args.name)
        audit.record(None, "account_remove", user=_operator(), account=args.name)
        print(f"removed {args.name}")
    elif args.users_command == "set-role":
        before = accounts.change_role(args.name, args.role)
        audit.record(None, "role", user=_operator(), account=args.name, before=before, after=args.role)
        print(f"{args.name}: {before or '(no role)'} → {args.role}")
    elif args.users_command == "unlock":
        accounts.unlock(args.name)
        audit.record(None, "role", user=_operator(), account=args.name, unlocked=True)
        print(f"unlocked {args.name}")
    return 0


QUERIES_EPILOG = """\
examples:
  jjjkg queries add my-queries/ --roles viewer,analyst     # each file: '// summary: 中文标题' and its '// param:' lines
  jjjkg query platforms-in --queries ~/.local/state/jjjkg/queries --param province=天津   # the other way
"""


def _queries(args, parser) -> int:
    if not args.queries_command:
        parser.print_help()
        return 2
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    known = ("viewer", "analyst", "editor", "admin")
    bad = [r for r in roles if r not in known]
    if bad or not roles:
        raise JjjkgError(f"--roles {args.roles!r}: expected one or more of {', '.join(known)}, comma-separated")
    author = args.author or _operator()
    if not re.fullmatch(r"[\w.@+:-]{1,150}", author):
        raise JjjkgError(f"--author {author!r}: expected an account name (letters, digits and . @ + - _ :)")
    cfg = _setup(args, create_state=False)
    from workspace import audit, saved_queries

    folder = Path(cfg.state) / saved_queries.FOLDER
    names = saved_queries.add_files(args.paths, folder, [r for r in known if r in roles], author,
                                    replace=args.replace)
    audit.record(None, "save_query", user=_operator(), names=names, roles=roles, via="cli")
    for name in names:
        print(f"added {name} → /queries/{name} (for {', '.join(roles)})")
    print(f"the folder runs as it is: jjjkg query NAME --queries {folder}")
    return 0


def _operator() -> str:
    """Who ran the command line (the audit's 'user' for changes made from the terminal)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"cli:uid{os.geteuid()}"


def _audit(args) -> int:
    from datetime import date

    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            raise JjjkgError(f"--since {args.since!r}: expected a date as YYYY-MM-DD") from None
    _setup(args, create_state=False)
    from workspace import audit

    qs = audit.events(since)
    n = qs.count()
    sys.stdout.write(audit.as_jsonl(qs) if args.format == "jsonl" else audit.as_csv(qs))
    audit.record(None, "audit_read", user=_operator(), since=str(since or ""), rows=n, via="cli")
    return 0
