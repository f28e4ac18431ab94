"""The console's limits as ``JJJKG_CONSOLE_TIMEOUT`` sets them (``workspace.engine.role_timeout``)."""

from __future__ import annotations

import pytest

from graph.errors import JjjkgError
from workspace.engine import DEFAULT_TIMEOUT, role_timeout


@pytest.mark.parametrize("text, role, seconds", [
    ("", "analyst", DEFAULT_TIMEOUT),             # nothing set: 30 s for everyone
    ("12", "admin", 12.0),                        # one number: every role
    ("analyst=2,admin=60", "analyst", 2.0),
    ("analyst=2,admin=60", "admin", 60.0),
    ("analyst=2,admin=60", "editor", DEFAULT_TIMEOUT),  # a role not named keeps the default
    ("45, analyst=2", "editor", 45.0),            # … or the number given for all
    (" analyst = 2.5 ", "analyst", 2.5),
])
def test_role_timeout(text, role, seconds):
    assert role_timeout(role, text) == seconds


@pytest.mark.parametrize("text, message", [
    ("analyst=soon", "JJJKG_CONSOLE_TIMEOUT: 'analyst=soon' is not a number of seconds (write 30, or analyst=20,admin=60)"),
    ("analyst=0", "JJJKG_CONSOLE_TIMEOUT: 'analyst=0': expected seconds above 0 and at most 86400"),
    ("nan", "JJJKG_CONSOLE_TIMEOUT: 'nan': expected seconds above 0 and at most 86400"),
])
def test_bad_timeout_is_one_line(text, message):
    with pytest.raises(JjjkgError) as err:
        role_timeout("analyst", text)
    assert str(err.value) == message
