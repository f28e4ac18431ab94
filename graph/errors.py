"""The exceptions jjjkg raises, under one base.

Read this module to know what a caller may catch::

    JjjkgError                      every failure the user can fix; the CLI prints it, exit 1
    ├── InputError                  a data folder, workbook or RDF file breaks the input contract
    │                               (.problems: every Problem found, not just the first)
    ├── StoreError                  no store, a damaged store, a store of another format version
    ├── QueryError                  an unknown analysis or parameter, or a Cypher query the engine refused
    ├── StoreUnavailable            a graph database (embedded or Neo4j) cannot be reached or started
    ├── OutputError                 a file cannot be written where asked (a link or a device there, a full disk)
    └── MissingDependency           an optional package is not installed

Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "JjjkgError",
    "InputError",
    "Problem",
    "StoreError",
    "QueryError",
    "StoreUnavailable",
    "OutputError",
    "MissingDependency",
]


class JjjkgError(Exception):
    """Base of every error a user can act on."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in an input file.

    ``row`` is the line as a spreadsheet shows it (the header is row 1), or ``None`` for a problem
    with the file as a whole; ``column`` is the column name as the file spells it, or ``None``.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts) + f": {self.message}"


class InputError(JjjkgError):
    """The input breaks the contract; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems = [p if isinstance(p, Problem) else Problem("input", None, None, p) for p in problems]
        n = len(self.problems)
        head = f"the input has {n} problem{'s' if n != 1 else ''}; nothing was written"
        super().__init__(head + "\n" + "\n".join(f"  {p}" for p in self.problems))


class StoreError(JjjkgError):
    """The store is missing, damaged or of another format version."""


class QueryError(JjjkgError):
    """An analysis, a parameter or a Cypher query is not acceptable."""


class StoreUnavailable(JjjkgError):
    """A graph database cannot be reached or started."""


class OutputError(JjjkgError):
    """A file cannot be written where asked; ``oserror`` is the system's reason when there is one."""

    def __init__(self, message: str, oserror: OSError | None = None):
        super().__init__(message)
        self.oserror = oserror


class MissingDependency(JjjkgError):
    """An optional package is needed for this command."""
