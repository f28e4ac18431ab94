"""The registry of named analyses: one definition each, found by name.

A named analysis is a function ``f(G, **params) -> list[dict]`` decorated with ``@named_query``,
which records beside it its Cypher text, its parameters with types and defaults, and the keys of
its records. ``jjjkg query --list``, the README's list and the report read this registry; the
tests loop over it, so a new analysis is tested for engine agreement from the day it is added.

To add one: write a module in ``queries/`` with the Cypher text, the networkx function (numpydoc
docstring whose first line is the summary) and the decorator, then import it in
``queries/__init__.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from graph.keys import no_gc
from graph.errors import QueryError

__all__ = ["Param", "NamedQuery", "QUERIES", "named_query", "get_query"]


@dataclass(frozen=True)
class Param:
    """A parameter of a named analysis."""

    name: str
    type: type = str
    default: object = None
    help: str = ""
    choices: tuple = ()

    def parse(self, text: str):
        """Convert a ``--param KEY=VALUE`` string to this parameter's type."""
        if self.type is bool:
            low = text.strip().lower()
            if low in ("true", "yes", "1", "是"):
                return True
            if low in ("false", "no", "0", "否"):
                return False
            raise QueryError(f"parameter {self.name!r}: expected true or false, got {text!r}")
        try:
            value = self.type(text)
        except ValueError:
            raise QueryError(f"parameter {self.name!r}: expected {self.type.__name__}, got {text!r}") from None
        if self.choices and value not in self.choices:
            raise QueryError(f"parameter {self.name!r}: expected one of {', '.join(map(str, self.choices))}, "
                             f"got {text!r}")
        return value


@dataclass
class NamedQuery:
    """One named analysis: doc, parameters, Cypher text, networkx implementation, record keys."""

    name: str
    func: Callable
    cypher: str
    params: dict[str, Param]
    keys: tuple[str, ...]
    #: turns the Cypher rows into the same records the networkx function returns
    from_cypher: Callable[[list[dict], dict], list[dict]] | None = None
    #: parameters resolved before either implementation runs (e.g. a sector name → its id)
    prepare: Callable | None = None
    doc: str = field(default="")

    def __str__(self) -> str:
        return self.name

    @property
    def summary(self) -> str:
        return (self.doc.strip().splitlines() or [""])[0]

    def bind(self, G, given: dict[str, object]) -> dict[str, object]:
        """Check parameter names and fill defaults (values already typed)."""
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            valid = ", ".join(self.params) or "none"
            raise QueryError(f"{self.name} has no parameter {unknown[0]!r}; its parameters: {valid}")
        bound = {n: given.get(n, p.default) for n, p in self.params.items()}
        if self.prepare is not None:
            bound = self.prepare(G, bound)
        return bound

    def parse_params(self, pairs: dict[str, str]) -> dict[str, object]:
        """Typed values for ``--param`` strings."""
        unknown = sorted(set(pairs) - set(self.params))
        if unknown:
            valid = ", ".join(self.params) or "none"
            raise QueryError(f"{self.name} has no parameter {unknown[0]!r}; its parameters: {valid}")
        return {k: self.params[k].parse(v) for k, v in pairs.items()}

    def run_networkx(self, G, **params) -> list[dict]:
        return self.func(G, **params)

    def run_cypher(self, engine, G, **params) -> list[dict]:
        """Run the Cypher text on an engine; records equal to the networkx ones."""
        bound = self.bind(G, params)
        # the rows and the records are many short-lived objects and no cycles (see ``named_query``)
        with no_gc():
            rows = engine.run(self.cypher, bound, read_only=True)
            if self.from_cypher is not None:
                rows = self.from_cypher(rows, bound)
        keys = list(self.keys)
        if all(list(r) == keys for r in rows):  # the records already (most analyses): not copied again
            return list(rows)
        return [{k: r.get(k) for k in self.keys} for r in rows]


QUERIES: dict[str, NamedQuery] = {}


def named_query(name: str, *, cypher: str, params: dict[str, Param] | tuple[Param, ...] = (),
                keys: tuple[str, ...], from_cypher=None, prepare=None):
    """Register ``func`` as the named analysis ``name``.

    The decorated function keeps working as a plain function of ``G``.
    """
    if isinstance(params, tuple):
        params = {p.name: p for p in params}

    def deco(func):
        if name in QUERIES:
            raise ValueError(f"a named query {name!r} is registered already (by "
                             f"{QUERIES[name].func.__module__}); fix by choosing a unique name")
        q = NamedQuery(name, None, cypher, params, keys, from_cypher, prepare, func.__doc__ or "")

        def run(G, **kwargs):
            # the analyses make many short-lived records and no cycles; the collector's passes over
            # a large graph's heap would otherwise cost more than the analysis
            with no_gc():
                return func(G, **q.bind(G, kwargs))

        run.__name__ = func.__name__
        run.__qualname__ = func.__qualname__
        run.__doc__ = func.__doc__
        run.__module__ = func.__module__
        run.__wrapped__ = func
        run.query = q
        q.func = run
        QUERIES[name] = q
        return run

    return deco


def get_query(name: str) -> NamedQuery:
    """The named analysis, or a QueryError listing the valid names."""
    try:
        return QUERIES[name]
    except KeyError:
        raise QueryError(f"no analysis named {name!r}; the analyses are: {', '.join(sorted(QUERIES))} "
                         "(jjjkg query --list)") from None
