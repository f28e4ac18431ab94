"""The report tests use the export tests' fixtures (bundled tables, hostile names) and a headless Chromium."""

import pytest

from tests.exports.conftest import HOSTILE, bundled_tables, hostile_tables  # noqa: F401
from tests.viz.conftest import launched_chromium


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for one test module; closed at its end, so that Playwright is never started twice
    at once (the page tests keep their own for the session)."""
    yield from launched_chromium()
