"""Printing the briefing to PDF with headless Chromium (no network, no user profile).

Readers: whoever changes how the pack is printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from graph.errors import JjjkgError, MissingDependency
from graph.safe_write import replacing

__all__ = ["print_pdf", "find_chromium", "chromium_command"]

_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The headless browser to print with: ``$JJJKG_CHROMIUM``, else chromium on the PATH, else None."""
    env = os.environ.get("JJJKG_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(browser: str, *args: str, profile: str) -> list[str]:
    """A headless Chromium command line that touches no network and no user profile."""
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-default-apps", "--mute-audio", f"--user-data-dir={profile}", *args]


def print_pdf(html_path: Path, pdf_path: Path, *, timeout: float = 120.0) -> Path:
    """Print an HTML file to PDF with headless Chromium.

    Raises
    ------
    MissingDependency
        No Chromium found (install Debian's ``chromium`` or set ``JJJKG_CHROMIUM``).
    JjjkgError
        Chromium ran but wrote no PDF.
    """
    browser = find_chromium()
    if browser is None:
        raise MissingDependency("--pdf needs headless Chromium: install it (Debian: apt-get install chromium) "
                                "or point JJJKG_CHROMIUM at the browser")
    pdf_path = Path(os.path.abspath(pdf_path))
    # Chromium writes the file by name: into our own fresh temporary file, renamed over the target
    with tempfile.TemporaryDirectory(prefix="jjjkg-chromium-") as profile, replacing(pdf_path) as tmp:
        cmd = chromium_command(browser, f"--print-to-pdf={tmp}", "--no-pdf-header-footer",
                               Path(html_path).resolve().as_uri(), profile=profile)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as err:
            raise JjjkgError(f"Chromium did not finish printing {html_path} within {timeout:.0f} s") from err
        if tmp.stat().st_size == 0:
            tail = (proc.stderr or "").strip().splitlines()[-3:]
            raise JjjkgError(f"Chromium wrote no PDF (exit {proc.returncode}): {' | '.join(tail) or 'no message'}")
    return pdf_path

