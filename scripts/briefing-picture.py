"""Remake docs/briefing-page1.png, the picture of the briefing's first page that the README shows.

    PYTHONPATH=. .venv/bin/python scripts/briefing-picture.py [--out docs/briefing-page1.png] [--dpi 100]

Builds the bundled dataset into a temporary store, writes the meeting pack with its PDF (headless
Chromium), renders page 1 with pdftoppm (poppler-utils) and stores it as a 256-colour PNG.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="docs/briefing-page1.png", help="the PNG to write (default docs/briefing-page1.png)")
    p.add_argument("--dpi", type=int, default=100, help="resolution of the page picture (default 100)")
    args = p.parse_args(argv)
    if shutil.which("pdftoppm") is None:
        print("briefing-picture: pdftoppm not found: apt-get install poppler-utils", file=sys.stderr)
        return 1
    from PIL import Image

    import loaders
    from graph.store import save_store
    from viz.report import write_report

    with tempfile.TemporaryDirectory(prefix="jjjkg-picture-") as tmp:
        tmp = Path(tmp)
        save_store(loaders.read_bundled(), tmp / "store")
        from graph.store import Store

        pack = write_report(Store(tmp / "store"), tmp / "pack", pdf=True)
        subprocess.run(["pdftoppm", "-png", "-r", str(args.dpi), "-f", "1", "-l", "1", "-singlefile",
                        str(pack / "briefing.pdf"), str(tmp / "page1")], check=True)
        img = Image.open(tmp / "page1.png").convert("RGB")
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB, {img.width}×{img.height})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
