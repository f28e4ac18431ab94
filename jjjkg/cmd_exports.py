"""``jjjkg export`` and ``jjjkg report``: machine exports and the meeting pack."""

from __future__ import annotations

from pathlib import Path


def add_parsers(sub, formatter, add_store, open_store) -> None:
    p = sub.add_parser("export", help="write the graph in another format", formatter_class=formatter,
                       description="Export the graph for other tools.",
                       epilog="examples:\n  jjjkg export --format graphml --out jjj.graphml\n"
                              "  jjjkg export --format csv --out exported/")
    p.add_argument("--format", required=True, metavar="FORMAT", help="the export format")
    p.add_argument("--out", required=True, metavar="PATH", help="output file or folder")
    add_store(p)

    def run_export(args) -> int:
        from viz.exports import export

        out = export(open_store(args), args.format, Path(args.out))
        print(f"wrote {out}")
        return 0

    p.set_defaults(func=run_export)

    p = sub.add_parser("report", help="write the meeting pack", formatter_class=formatter,
                       description="Write the meeting pack (briefing and workbook) into a folder.",
                       epilog="example:\n  jjjkg report --out pack/")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    add_store(p)

    def run_report(args) -> int:
        from viz.report import write_report

        out = write_report(open_store(args), Path(args.out))
        print(f"wrote {out}")
        return 0

    p.set_defaults(func=run_report)
