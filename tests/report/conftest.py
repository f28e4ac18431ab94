"""The report tests use the export tests' fixtures (bundled tables, hostile names) and a headless Chromium."""

from pathlib import Path

import pytest

from tests.exports.conftest import HOSTILE, bundled_tables, hostile_tables  # noqa: F401
from tests.viz.conftest import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for one test module; closed at its end, so that Playwright is never started twice
    at once (the page tests keep their own for the session)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (CI installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extra)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
