"""Lint Cypher with Neo4j's own front-end, for any test that wants to know Neo4j would accept a statement.

Neo4j cannot run on our machines, so what we send it is checked statement by statement by the
npm package ``@neo4j-cypher/language-support`` (pinned in ``tests/cypher_lint/package.json``): its
ANTLR grammar plus Neo4j's semantic analysis, compiled to JavaScript. One ``node`` process
(``tests/cypher_lint/lint.mjs``) serves the whole test session; its database schema is ours:
``graph.schema``'s labels, relationship types and property keys, so a misspelt label or property
is reported too. Each statement is checked as ``CYPHER 5`` and as ``CYPHER 25``.

Use the session fixture, which skips (saying how to install) when node or the package is missing::

    from tests.lint_cypher import cypher_linter  # noqa: F401  (a pytest fixture)

    def test_my_cypher(cypher_linter):
        assert cypher_linter.lint([MY_QUERY], parameters={"sector": "s1"}) == {MY_QUERY: []}

or the module function ``lint(statements, parameters=...)`` outside pytest. Parameters are
declared per call (name → a sample value); a ``$name`` not declared is an error, as it would be
for Neo4j when the caller forgets to send it.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph import schema

__all__ = ["Diagnostic", "CypherLinter", "lint", "db_schema", "unavailable_reason", "cypher_linter",
           "LINT_DIR", "PACKAGE", "PINNED_VERSION", "INSTALL_COMMAND"]

LINT_DIR = Path(__file__).resolve().parent / "cypher_lint"
PACKAGE = "@neo4j-cypher/language-support"
PINNED_VERSION: str = json.loads((LINT_DIR / "package.json").read_text("utf-8"))["dependencies"][PACKAGE]
INSTALL_COMMAND = "npm install --prefix tests/cypher_lint"
#: seconds to wait for one answer (the first query also loads the 5 MB semantic analyser)
ANSWER_TIMEOUT = 120.0


@dataclass(frozen=True)
class Diagnostic:
    """One problem the linter found in a statement; ``line`` and ``column`` count from 1."""

    severity: str  # "error" or "warning"
    message: str
    line: int
    column: int
    cypher_version: str  # "CYPHER 5" or "CYPHER 25"

    def __str__(self) -> str:
        return f"{self.severity} at line {self.line}, column {self.column} ({self.cypher_version}): {self.message}"


def db_schema() -> dict:
    """The linter's database schema, from ``graph.schema``."""
    return {"labels": schema.all_labels(), "relationshipTypes": list(schema.RELATIONS),
            "propertyKeys": schema.property_keys()}


def unavailable_reason() -> str | None:
    """Why the linter cannot run here (no node, package not installed or another version), else None."""
    if shutil.which("node") is None:
        return f"node is not installed: apt-get install nodejs npm, then {INSTALL_COMMAND}"
    installed = LINT_DIR / "node_modules" / PACKAGE / "package.json"
    if not installed.exists():
        return f"{PACKAGE} is not installed: run {INSTALL_COMMAND}"
    version = json.loads(installed.read_text("utf-8"))["version"]
    if version != PINNED_VERSION:
        return f"{PACKAGE} {version} is installed, the tests pin {PINNED_VERSION}: run {INSTALL_COMMAND}"
    return None


class CypherLinter:
    """A running ``lint.mjs``: send statements, get their diagnostics.

    Raises
    ------
    RuntimeError
        If the node process cannot start, dies, or answers out of protocol; the message carries
        what it printed on stderr.
    """

    def __init__(self, schema_: Mapping | None = None):
        reason = unavailable_reason()
        if reason:
            raise RuntimeError(f"cannot lint Cypher: {reason}")
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(["node", str(LINT_DIR / "lint.mjs")], cwd=LINT_DIR, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=self._stderr, encoding="utf-8", bufsize=1)
        # a reader thread, so a hung node process fails the test after ANSWER_TIMEOUT instead of hanging it
        self._answers: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        ready = self._ask({"schema": dict(schema_ or db_schema())})
        if not ready.get("ready"):
            raise RuntimeError(f"lint.mjs did not start: {ready}")
        self.version: str = ready["version"]
        self.cypher_versions: list[str] = ready["cypherVersions"]

    def _read(self) -> None:
        for line in self._proc.stdout:
            self._answers.put(line)
        self._answers.put(None)

    def _stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-4000:]

    def _ask(self, request: dict) -> dict:
        try:
            self._proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            self._proc.stdin.flush()
            line = self._answers.get(timeout=ANSWER_TIMEOUT)
        except (BrokenPipeError, queue.Empty) as err:
            raise RuntimeError(f"lint.mjs did not answer: {self._stderr_text()}") from err
        if line is None:
            raise RuntimeError(f"lint.mjs exited with {self._proc.wait()}: {self._stderr_text()}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"lint.mjs refused the request: {answer['error']}")
        return answer

    def lint(self, statements: Iterable[str], parameters: Mapping[str, object] | None = None
             ) -> dict[str, list[Diagnostic]]:
        """Diagnostics (errors and warnings) for each statement; an empty list means Neo4j accepts it.

        Parameters
        ----------
        statements : iterable of str
        parameters : mapping, optional
            The ``$parameters`` the statements may use, with sample values (any JSON value).
        """
        result: dict[str, list[Diagnostic]] = {}
        for text in statements:
            if text in result:
                continue
            answer = self._ask({"query": text, "parameters": dict(parameters or {})})
            result[text] = [Diagnostic(d["severity"], d["message"], d["line"], d["column"], d["cypherVersion"])
                            for d in answer["diagnostics"]]
        return result

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def close(self) -> None:
        """Stop the node process."""
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._reader.join(timeout=10)
        self._proc.stdout.close()
        self._stderr.close()


_shared: CypherLinter | None = None


def _linter() -> CypherLinter:
    global _shared
    if _shared is None or not _shared.alive:
        _shared = CypherLinter()
    return _shared


def lint(statements: Iterable[str], parameters: Mapping[str, object] | None = None) -> dict[str, list[Diagnostic]]:
    """Lint with the shared linter (started on first use, against ``graph.schema``).

    Returns ``{statement: [Diagnostic, ...]}``; see ``CypherLinter.lint``.
    """
    return _linter().lint(statements, parameters)


@pytest.fixture(scope="session")
def cypher_linter():
    """The shared ``CypherLinter`` for the session; skips with the install command when unavailable."""
    global _shared
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    linter = _linter()
    yield linter
    linter.close()
    _shared = None
