"""The main job: every named analysis on the store, written to a folder, then the meeting pack with the
chain views of every chain. ``make demo`` runs it on the bundled dataset.

    python -m jjjkg.demo --out out [--store DIR]

writes ``out/analyses/<name>.json|csv``, ``out/pack/briefing.html``, ``out/pack/workbook.xlsx`` and
``out/pack/chains/*.html`` (interactive chain views that open offline).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def run(store, out: Path) -> list[Path]:
    """Write each analysis as ``<name>.json`` and ``.csv`` under ``out``; return the files written."""
    import queries
    from graph.safe_write import make_folder, open_replacing
    from viz.records_text import render

    make_folder(out)
    G = store.graph()
    written: list[Path] = []
    for name, q in sorted(queries.QUERIES.items()):
        rows = q.func(G)
        for fmt in ("json", "csv"):
            path = out / "analyses" / f"{name}.{fmt}"
            make_folder(path.parent)
            with open_replacing(path, "w", encoding="utf-8", newline="") as f:
                render(rows, fmt, q.keys, stream=f)
            written.append(path)
        print(f"{name}: {len(rows)} record{'s' if len(rows) != 1 else ''} → {out / 'analyses' / name}.json")
    return written


def main(argv=None) -> int:
    from graph.safe_write import write_text
    from graph.store import default_store_path, open_store

    p = argparse.ArgumentParser(prog="python -m jjjkg.demo", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="out", help="output folder (default out)")
    p.add_argument("--store", default=None, help="the store (default ./.jjjkg)")
    args = p.parse_args(argv)
    from viz.report import write_report

    store = open_store(args.store or default_store_path())
    out = Path(args.out)
    run(store, out)
    pack = write_report(store, out / "pack", warn=lambda line: print(f"warning: {line}", file=sys.stderr))
    chains = sorted((pack / "chains").glob("*.html")) if (pack / "chains").is_dir() else []
    print(f"meeting pack: {pack / 'briefing.html'} and {pack / 'workbook.xlsx'}")
    if chains:
        print(f"chain views ({len(chains)}): {pack / 'chains'}/ — open any .html in a browser, no internet needed")
    summary = {"store": str(store.path), "fingerprint": store.fingerprint, "built_at": store.meta["built_at"]}
    write_text(out / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"done: open {out.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
