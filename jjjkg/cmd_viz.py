"""``jjjkg viz``: the interactive network pages."""

from __future__ import annotations

from pathlib import Path


def add_parser(sub, formatter, add_store, open_store) -> None:
    p = sub.add_parser("viz", help="write an interactive network page", formatter_class=formatter,
                       description="Write one self-contained HTML page (opens offline) of the graph.",
                       epilog="examples:\n  jjjkg viz --out graph.html\n  jjjkg viz --sector CH_H2 --out h2.html")
    p.add_argument("--sector", metavar="ID", help="show one sector's chain")
    p.add_argument("--out", metavar="FILE.html", default="graph.html", help="output file (default graph.html)")
    add_store(p)

    def run(args) -> int:
        from viz import write_view

        store = open_store(args)
        out = write_view(store.graph(), Path(args.out), sector=args.sector)
        print(f"wrote {out} — open it in a browser (works offline)")
        return 0

    p.set_defaults(func=run)
