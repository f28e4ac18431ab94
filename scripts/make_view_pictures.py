"""Remake the README's pictures of the views: docs/geo-view.png and docs/network-2000.png.

The geo view of the bundled dataset and the network view of 2,000 synthetic organizations
(``jjjkg generate --orgs 2000``, labelled synthetic) are written by ``jjjkg viz``, opened in headless
Chromium at 1366 × 768 and saved as screenshots, scaled down to 1000 pixels wide so the repository
stays small. Run from the repository root:

    python scripts/make_view_pictures.py [--out docs]

Needs Chromium at /usr/bin/chromium (or $JJJKG_CHROMIUM) and the playwright package.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("JJJKG_CHROMIUM", "/usr/bin/chromium")
WIDTH = 1000


def jjjkg(*argv: str) -> None:
    subprocess.run([sys.executable, "-m", "jjjkg", *argv], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})


def shoot(page_path: Path, out: Path) -> None:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": 1366, "height": 768})
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
        page = ctx.new_page()
        page.goto(page_path.resolve().as_uri())
        page.wait_for_function("() => !!(window.jjjkg && window.jjjkg.stable)", timeout=120_000)
        page.wait_for_timeout(300)
        page.screenshot(path=str(out))
        browser.close()
    img = Image.open(out).convert("RGB")
    img = img.resize((WIDTH, round(img.height * WIDTH / img.width)), Image.LANCZOS)
    img = img.quantize(colors=256, method=Image.Quantize.FASTOCTREE)  # a small PNG
    img.save(out, optimize=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs"), help="folder for the pictures (default docs/)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jjjkg-pictures-") as tmp:
        tmp = Path(tmp)
        jjjkg("build", "--store", str(tmp / "bundled"))
        jjjkg("viz", "--view", "geo", "--store", str(tmp / "bundled"), "--out", str(tmp / "geo.html"))
        shoot(tmp / "geo.html", out / "geo-view.png")
        jjjkg("generate", "--orgs", "2000", "--out", str(tmp / "syn2000"))
        jjjkg("build", "--data", str(tmp / "syn2000"), "--store", str(tmp / "syn"))
        jjjkg("viz", "--store", str(tmp / "syn"), "--out", str(tmp / "network.html"))
        shoot(tmp / "network.html", out / "network-2000.png")
    for f in ("geo-view.png", "network-2000.png"):
        print(f"wrote {out / f} ({(out / f).stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
