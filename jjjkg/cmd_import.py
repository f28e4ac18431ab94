"""``jjjkg import``: a published list (platforms, tenants, members) into the store, after a plan."""

from __future__ import annotations

import sys
from pathlib import Path

EPILOG = """\
examples:
  jjjkg import 中试平台名单.xlsx                        # write 中试平台名单.plan.csv; change nothing
  jjjkg import 名单.csv --province 北京 --plan plan.csv  # every row in Beijing; the plan to plan.csv
  jjjkg import 名单.xlsx --plan plan.csv --apply         # apply the plan as you edited it
  jjjkg import 名单.xlsx --apply                         # apply match and new rows; ambiguous ones are listed

The plan (UTF-8 with BOM, opens in Excel) has the columns row,entity,name,action,id,candidates,score,note.
action is match (an existing id), new (the id to create) or ambiguous (candidates with their scores:
never applied until you write match or new, with an id, or skip). Importing the same list twice
changes nothing. Applying rewrites the store all at once, or not at all.
"""


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def add_parser(sub, formatter, add_store, open_store) -> None:
    p = sub.add_parser("import", help="bring a published list (xlsx/csv) into the store, after a plan",
                       formatter_class=formatter, epilog=EPILOG,
                       description="Read a list as published (title rows above the header, no ids: 序号, 平台名称,\n"
                                   "依托单位, 所属区, 重点领域, 级别 …), resolve each row and its operator (依托单位)\n"
                                   "against the store's organizations, and write the plan. With --apply, add the new\n"
                                   "organizations and OPERATES relations and rebuild the store.")
    p.add_argument("file", metavar="FILE", help="the list: .xlsx (any sheet) or .csv (UTF-8 or GB18030)")
    p.add_argument("--sheet", metavar="NAME", help="the workbook's sheet (default: the first with a header)")
    p.add_argument("--as", dest="as_", choices=("platforms", "organizations"), default="platforms",
                   help="what a row is: a pilot platform (default), or an organization typed by its 类型 "
                        "column or name")
    p.add_argument("--source", metavar="TEXT",
                   help="provenance for every row added (default: the list's title row), e.g. the notice's "
                        "title and date")
    p.add_argument("--province", metavar="P", help="the province of every row (北京, 天津, 河北); default: from the "
                                                   "district, address or credit code")
    add_store(p)
    p.add_argument("--new-store", action="store_true",
                   help="the store named by --store or JJJKG_STORE does not exist yet: start it from the bundled "
                        "dataset and this list (without it, a store that is not there is an error, so a mistyped "
                        "path never takes the rows)")
    p.add_argument("--plan", metavar="PLAN.csv",
                   help="where the plan is written (default FILE's name + .plan.csv); with --apply, the edited plan "
                        "to apply")
    p.add_argument("--apply", action="store_true", help="change the store (default: only write the plan)")

    def run(args) -> int:
        from graph.store import save_store
        from loaders.listimport import apply_plan, make_plan, read_plan, write_plan
        from loaders.published import read_published

        lst = read_published(args.file, args.sheet)
        _say(f"read {lst.where}: {len(lst.rows)} rows below the header in {lst.header_rows}"
             + (f"; title {lst.title!r}" if lst.title else ""))
        _say("  columns used: " + ", ".join(f"{h} → {f}" for h, f in lst.used.items()))
        if lst.ignored:
            _say("  columns ignored: " + ", ".join(lst.ignored))
        for w in lst.warnings:
            _say(f"  warning: {w}")
        if not args.source and not lst.title:
            _say("  no title row: provenance is the file and row only (pass --source to say which notice)")
        store, tables, fingerprint = _store_and_tables(args)
        plan = make_plan(lst, tables, as_=args.as_, province=args.province, source=args.source)
        for row, why in plan.skipped:
            _say(f"  row {row}: {why}; left out")
        if plan.unplaced:
            _say(f"  {len(plan.unplaced)} row{'s' if len(plan.unplaced) != 1 else ''} could not be placed in a "
                 f"province (pass --province): rows {', '.join(map(str, plan.unplaced))}")
        counts = plan.counts()
        summary = f"{counts['match']} match, {counts['new']} new, {counts['ambiguous']} ambiguous"
        if not args.apply:
            out = write_plan(plan, Path(args.plan) if args.plan else Path(Path(args.file).stem + ".plan.csv"))
            print(f"wrote the plan {out}: {summary}; the store is unchanged "
                  "(edit action/id there, then: --plan that file --apply)")
            return 0
        if args.plan:
            plan = read_plan(args.plan, plan, tables)
            for note in plan.notes:
                _say(f"  note: {note}")
        applied = apply_plan(plan, tables, lst.where)
        for line in applied.left_out:
            _say(f"  not applied: {line}")
        if applied.tables is None:
            print(f"nothing to change: {summary}; the store {store} is as it was")
            return 0
        meta = save_store(applied.tables, store, based_on=fingerprint)  # refused if the store changed meanwhile
        print(f"applied to {store}: {len(applied.organizations)} organizations and {len(applied.relations)} "
              f"OPERATES relations added; {len(applied.left_out)} plan lines left out "
              f"(fingerprint {meta['fingerprint'][:12]})")
        return 0

    p.set_defaults(func=run)


def _store_and_tables(args):
    """The store's path, tables and fingerprint; with no store there yet, the bundled dataset's (written only on
    --apply) and None.

    A store the user named (--store, JJJKG_STORE) must exist unless --new-store says to start one: a
    mistyped path would otherwise take the rows into a new store no one reads, with exit 0.
    """
    import os

    from graph.errors import StoreError
    from graph.store import Store, default_store_path, store_exists, versions

    path = Path(args.store) if args.store else default_store_path()
    named = "--store" if args.store else "JJJKG_STORE" if os.environ.get("JJJKG_STORE") else None
    if named and not store_exists(path):
        versions.wait_for_writer(path)  # a build of this store under way: its result, not an error
    if store_exists(path):
        store = Store(path)
        return path, store.tables, store.fingerprint
    if named and not args.new_store:
        raise StoreError(f"no store at {str(path)!r} (named by {named}): check the path, or pass --new-store "
                         "to start a new store there from the bundled dataset and this list")
    import loaders

    _say(f"no store at {path}: resolving against the bundled dataset"
         + (" (the store is written with the result)" if args.apply else ""))
    return path, loaders.read_bundled(), None
