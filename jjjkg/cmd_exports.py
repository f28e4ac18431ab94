"""``jjjkg export``, ``jjjkg report`` and ``jjjkg diff``: machine exports, the meeting pack, what changed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

FORMATS_HELP = """\
formats:
  turtle (ttl)       RDF in the jjjkg vocabulary; jsonld: the same as JSON-LD
  rdf-vocab, shacl   the vocabulary and the SHACL shapes of the RDF export
  graphml, gexf      for Gephi/yEd, typed attributes, lists ';'-joined
  neo4j-csv          a folder of neo4j-admin import CSVs, with a README giving the command
  csv                a folder in the input format (jjjkg build --data reads it back)

csv is for people too: UTF-8 with BOM for Excel, and a text starting with = + - @ gets a leading '
so that it cannot run as a formula; --raw keeps every value exact. The other formats are machine
exports: always raw, values exactly as stored (do not open their CSVs in a spreadsheet).
"""


def add_parsers(sub, formatter, add_store, open_store) -> None:
    p = sub.add_parser("export", help="write the graph in another format", formatter_class=formatter,
                       description="Export the graph for other tools. Without --format, the suffix of --out "
                                   "decides (.ttl, .jsonld, .graphml, .gexf); a file name with no extension gets "
                                   "the format's.",
                       epilog=FORMATS_HELP + "\nexamples:\n  jjjkg export --format graphml --out jjj.graphml\n"
                              "  jjjkg export --format turtle --out jjj.ttl\n"
                              "  jjjkg export --format neo4j-csv --out neo4j_import/\n"
                              "  jjjkg export --format csv --out exported/")
    p.add_argument("--format", metavar="FORMAT", help="the export format (see below)")
    p.add_argument("--out", required=True, metavar="PATH", help="output file (or folder for csv, neo4j-csv)")
    p.add_argument("--raw", action="store_true",
                   help="csv: keep values exactly as stored (for programs) instead of Excel-safe")
    add_store(p)

    def run_export(args) -> int:
        from viz.exports import export

        out = export(open_store(args), args.format, Path(args.out), raw=args.raw)
        print(f"wrote {out}")
        return 0

    p.set_defaults(func=run_export)

    p = sub.add_parser("report", help="write the meeting pack", formatter_class=formatter,
                       description="Write the meeting pack into a folder: briefing.html (self-contained, Chinese, "
                                   "laid out for A4), workbook.xlsx (Chinese sheets, Excel-safe), the chain views, "
                                   "and with --pdf briefing.pdf. The chain figures need a CJK font "
                                   "(fonts-noto-cjk or $JJJKG_CJK_FONT).",
                       epilog="examples:\n  jjjkg report --out out/pack\n"
                              "  jjjkg report --out out/pack --since last_meeting_store/ --pdf")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--since", metavar="OLD_STORE",
                   help="the store of the last meeting: add what changed since then")
    p.add_argument("--pdf", action="store_true", help="also print briefing.pdf with headless Chromium")
    add_store(p)

    def run_report(args) -> int:
        from graph.store import Store
        from viz.report import write_report

        since = Store(args.since) if args.since else None
        out = write_report(open_store(args), Path(args.out), since=since, pdf=args.pdf,
                           warn=lambda line: print(f"warning: {line}", file=sys.stderr))
        files = ", ".join(sorted(p.name for p in out.iterdir() if p.is_file()))
        print(f"wrote {out}: {files} — open briefing.html in a browser (works offline)")
        return 0

    p.set_defaults(func=run_report)

    p = sub.add_parser("diff", help="what changed between two stores", formatter_class=formatter,
                       description="Compare two stores: organizations added, removed or changed, relations added "
                                   "or removed, paths gained and lost, gaps opened and closed.",
                       epilog="examples:\n  jjjkg diff old_store/ .jjjkg\n  jjjkg diff old_store/ new_store/ --format json")
    p.add_argument("old", metavar="OLD", help="the older store")
    p.add_argument("new", metavar="NEW", help="the newer store")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")

    def run_diff(args) -> int:
        from graph.store import Store
        from viz.report import diff_stores

        d = diff_stores(Store(args.old), Store(args.new))
        if args.format == "json":
            json.dump(d, sys.stdout, ensure_ascii=False, indent=2, default=str)
            sys.stdout.write("\n")
            return 0
        print(f"{args.old} ({d['old_fingerprint'][:12]}) → {args.new} ({d['new_fingerprint'][:12]})")
        for key, title in (("orgs_added", "organizations added"), ("orgs_removed", "organizations removed"),
                           ("orgs_changed", "organizations changed"), ("relations_added", "relations added"),
                           ("relations_removed", "relations removed"), ("relations_changed", "relations changed"),
                           ("paths_gained", "paths gained"), ("paths_lost", "paths lost"),
                           ("gaps_opened", "gaps opened"), ("gaps_closed", "gaps closed")):
            items = d[key]
            print(f"{title}: {len(items)}")
            for it in items:
                if isinstance(it, dict):
                    what = it.get("id") or " ".join(map(str, it.get("relation", ())))
                    print(f"  {what}: {', '.join(it['fields'])}")
                elif isinstance(it, tuple):
                    print("  " + " ".join("—" if x is None else str(x) for x in it))
                else:
                    print(f"  {it}")
        return 0

    p.set_defaults(func=run_diff)
