"""The report tests use the export tests' fixtures (bundled tables, hostile names) and the run's Chromium."""

from tests.exports.conftest import HOSTILE, bundled_tables, hostile_tables  # noqa: F401
