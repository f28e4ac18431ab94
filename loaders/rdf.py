"""RDF (Turtle, JSON-LD, N-Triples, RDF/XML) in the jjjkg vocabulary → validated tables.

``read_rdf`` parses the file with rdflib, turns the organizations, relations, sectors and services
it describes into the same raw text tables a data folder gives, and runs them through the same
checks as ``read_folder`` — so an RDF file is held to the input contract, and a graph exported
with ``jjjkg export --format turtle`` (or ``jsonld``) loads back into the same graph.

How RDF maps to the tables is defined once, in ``graph.rdf`` (the vocabulary). List entries
(``sectors``, ``services``, ``needs``) come back in the order of their ``rdf:List``
(``jjj:sectorList`` …) when the file has one that agrees with the repeated property, else sorted.
Regions always come from the bundled region tree, as with a folder.

A file is read only up to ``MAX_RDF_BYTES`` and ``MAX_RDF_TRIPLES`` (about the export of 10,000
organizations, which rdflib holds in about a gigabyte): a larger one is refused before it is read
(its size; for N-Triples and N-Quads its lines) or as soon as the parser passes the cap, never after
it has filled the machine's memory.

Problems name the file and the subject IRI, e.g.
``data.ttl <https://w3id.org/jjjkg/id/org/x>, column 'province': expected 北京, 天津 or 河北 …``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from urllib.parse import unquote

import pandas as pd

from graph import schema
from graph.errors import InputError, Problem
from graph.tables import Tables

from .read import ROW, RawTable
from .untrusted import inline_jsonld, refuse_doctype

__all__ = ["read_rdf", "RDF_FORMATS", "guess_rdf_format", "MAX_RDF_BYTES", "MAX_RDF_TRIPLES"]

#: the largest RDF file read, in bytes
MAX_RDF_BYTES = 64 * 1024 * 1024
#: the most triples read from one file
MAX_RDF_TRIPLES = 600_000

#: file suffix → rdflib parser name
RDF_FORMATS = {".ttl": "turtle", ".turtle": "turtle", ".jsonld": "json-ld", ".json-ld": "json-ld",
               ".json": "json-ld", ".nt": "nt", ".n3": "n3", ".rdf": "xml", ".owl": "xml", ".xml": "xml",
               ".trig": "trig", ".nq": "nquads"}
_FORMAT_ALIASES = {"turtle": "turtle", "ttl": "turtle", "jsonld": "json-ld", "json-ld": "json-ld", "nt": "nt",
                   "ntriples": "nt", "n3": "n3", "xml": "xml", "rdfxml": "xml", "rdf/xml": "xml", "trig": "trig"}


def guess_rdf_format(path: str | Path) -> str | None:
    """The rdflib parser for a file suffix (``.ttl`` → ``turtle``), else None."""
    return RDF_FORMATS.get(Path(path).suffix.lower())


def _vocab():
    from graph import rdf  # rdflib is imported on first use only

    return rdf


def read_rdf(path: str | Path, format: str | None = None) -> Tables:
    """Read an RDF file in the jjjkg vocabulary into validated tables.

    Parameters
    ----------
    path : str or Path
        A Turtle, JSON-LD, N-Triples or RDF/XML file.
    format : str, optional
        ``turtle``, ``jsonld``, ``nt``, ``xml`` …; default: from the file suffix.

    Returns
    -------
    Tables

    Raises
    ------
    InputError
        The file is missing or not parseable (rdflib's message, with the file name), or its
        content breaks the input contract (every problem, each naming the subject IRI).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.rdf import write_turtle
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.ttl"
    >>> write_turtle(tiny_tables(), p)
    >>> read_rdf(p).organizations["id"].tolist()[:2]
    ['agency-1', 'alliance-1']
    """
    import rdflib

    p = Path(path)
    if not p.is_file():
        raise InputError(Problem(str(p), None, None, "no such RDF file: expected a .ttl, .jsonld, .nt or .rdf file"))
    fmt = _FORMAT_ALIASES.get((format or "").lower()) if format else guess_rdf_format(p)
    if fmt is None:
        raise InputError(Problem(p.name, None, None,
                                 f"cannot tell the RDF syntax of {p.name!r}"
                                 + (f" from format {format!r}" if format else "")
                                 + ": pass a format (turtle, jsonld, nt, xml) or use a .ttl/.jsonld suffix"))
    size = p.stat().st_size
    if size > MAX_RDF_BYTES:
        raise InputError(Problem(p.name, None, None, _too_big(f"{size:,} bytes, more than the "
                                                              f"{MAX_RDF_BYTES:,} read")))
    g = rdflib.Graph(store=_capped_store(p.name))
    # what the parser reads is the bytes checked here: no DTD, no context to fetch (loaders.untrusted)
    data = p.read_bytes()
    lines = data.count(b"\n") if fmt in ("nt", "nquads") else 0  # one statement a line: known before parsing
    if lines > MAX_RDF_TRIPLES:
        raise InputError(Problem(p.name, None, None, _too_big(f"{lines:,} lines, more than the "
                                                              f"{MAX_RDF_TRIPLES:,} triples read")))
    source: dict = {"source": p}
    if fmt == "xml":
        refuse_doctype(data, p.name)
        source = {"data": data, "publicID": p.resolve().as_uri()}
    elif fmt == "json-ld":
        source = {"data": inline_jsonld(data, p.name), "publicID": p.resolve().as_uri()}
    try:
        with warnings.catch_warnings():
            # rdflib 7's JSON-LD parser builds a ConjunctiveGraph internally and warns about itself
            warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
            g.parse(**source, format=fmt)
    except InputError:
        raise
    except Exception as err:  # rdflib raises many kinds (BadSyntax, JSON errors, SAX errors …)
        msg = " ".join(str(err).split()) or type(err).__name__
        raise InputError(Problem(p.name, None, None, f"not readable as {fmt}: {msg}")) from err
    raws, iris = _raw_tables(g, p.name)
    try:
        from . import validate_raw

        return validate_raw(raws, str(p))
    except InputError as err:
        raise InputError([_locate(pr, iris) for pr in err.problems]) from None


def _too_big(what: str) -> str:
    return (f"{what} (about the export of 10,000 organizations): refused; split the file, or give the data "
            "as a folder of CSV files (jjjkg export --format csv writes one)")


def _capped_store(file: str):
    """rdflib's in-memory store, refusing the triple past ``MAX_RDF_TRIPLES`` (the parser stops there)."""
    from rdflib.plugins.stores.memory import Memory

    class Capped(Memory):
        added = 0

        def add(self, triple, context, quoted=False):
            self.added += 1
            if self.added > MAX_RDF_TRIPLES:
                raise InputError(Problem(file, None, None, _too_big(f"more than {MAX_RDF_TRIPLES:,} triples")))
            super().add(triple, context, quoted)

    return Capped()


# ----------------------------------------------------------------------------- RDF → raw tables


def _text(lit) -> str:
    return str(lit)


def _ident(g, node, id_pred) -> str:
    """An id: the node's dcterms:identifier, else the last segment of its IRI, percent-decoded."""
    v = g.value(node, id_pred)
    if v is not None:
        return str(v)
    s = str(node)
    return unquote(s.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1])


def _cells(g, s, cols: dict, id_pred) -> dict[str, str]:
    """One row of text cells for subject ``s`` from a column mapping of ``graph.rdf``."""
    from rdflib import URIRef

    row: dict[str, str] = {}
    for col, (iri, kind) in cols.items():
        if kind == "type":
            continue
        values = list(g.objects(s, URIRef(iri)))
        if kind in ("name", "name_en"):
            want_en = kind == "name_en"
            values = [v for v in values
                      if (getattr(v, "language", None) or "").lower().startswith("en") == want_en]
        if not values:
            row[col] = ""
        elif kind.startswith("ref:"):
            ids = sorted(_ident(g, v, id_pred) for v in values)
            ordered = _ordered(g, s, col, id_pred)
            row[col] = ";".join(ordered if ordered is not None and sorted(ordered) == ids else ids)
        elif kind == "labels":
            row[col] = ";".join(sorted(str(v) for v in values))
        elif kind == "bool":
            row[col] = "true" if values[0].toPython() is True or str(values[0]).lower() == "true" else str(values[0])
        else:
            row[col] = _text(sorted(values)[0])
    return row


def _ordered(g, s, col: str, id_pred) -> list[str] | None:
    """The input order of a list column, from its rdf:List (``jjj:sectorList`` …), if the file has it."""
    from rdflib import URIRef
    from rdflib.collection import Collection

    iri = _vocab().LIST_ORDER.get(col)
    head = g.value(s, URIRef(iri)) if iri else None
    if head is None:
        return None
    return [_ident(g, v, id_pred) for v in Collection(g, head)]


def _frame(rows: list[dict], columns) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(columns)).fillna("").astype(str)
    df[ROW] = range(2, len(df) + 2)
    return df


def _raw_tables(g, file: str) -> tuple[dict[str, RawTable], dict[tuple[str, int], str]]:
    """The raw tables the graph describes, and (table file, row) → subject IRI for messages."""
    from rdflib import URIRef
    from rdflib.namespace import RDF

    V = _vocab()
    id_pred = URIRef(V.column_property("organizations", "id"))
    iris: dict[tuple[str, int], str] = {}
    raws: dict[str, RawTable] = {}

    def table(name: str, subjects: list, cols: dict, extra=None) -> None:
        subjects = sorted(set(subjects), key=lambda s: (_ident(g, s, id_pred), str(s)))
        rows = []
        for s in subjects:
            row = _cells(g, s, cols, id_pred)
            if extra:
                row.update(extra(s))
            rows.append(row)
        tfile = f"{file}[{name}]"
        raws[name] = RawTable(name, tfile, _frame(rows, schema.TABLES[name].names))
        for i, s in enumerate(subjects):
            iris[(tfile, i + 2)] = f"<{s}>"

    # organizations: subjects typed with one of our organization classes
    label_to_type = {t.label: t.key for t in schema.ORG_TYPES.values()}
    class_to_type = {URIRef(V.class_iri(lab)): key for lab, key in label_to_type.items()}
    org_types: dict = {}
    for cls, key in class_to_type.items():
        for s in g.subjects(RDF.type, cls):
            org_types.setdefault(s, set()).add(key)
    if not org_types:
        raise InputError(Problem(file, None, None,
                                 f"no organizations found: expected subjects typed with a class of {V.VOCAB} "
                                 f"({', '.join(sorted(label_to_type))}); is this a jjjkg export?"))

    def org_type(s) -> dict:
        keys = sorted(org_types[s])
        return {"type": keys[0] if len(keys) == 1 else ";".join(keys)}

    table("organizations", list(org_types), V.ORG_COLUMNS, org_type)

    # relations: direct triples between organizations, with year/weight/source from reifications
    rel_of = {URIRef(V.relation_property(r)): r for r in schema.INPUT_RELATIONS}
    props: dict[tuple, dict] = {}
    for st in g.subjects(RDF.type, RDF.Statement):
        key = (g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object))
        props[key] = _cells(g, st, V.RELATION_COLUMNS, id_pred)
    rel_rows, rel_iris = [], []
    for pred, rel in rel_of.items():
        for s, o in g.subject_objects(pred):
            row = {"from_id": _ident(g, s, id_pred), "relation": rel, "to_id": _ident(g, o, id_pred),
                   **props.get((s, pred, o), {})}
            rel_rows.append(row)
            rel_iris.append(f"<{s}> jjj:{pred.rsplit('#', 1)[-1]} <{o}>")
    order = sorted(range(len(rel_rows)), key=lambda i: (rel_rows[i]["from_id"], rel_rows[i]["relation"],
                                                        rel_rows[i]["to_id"]))
    tfile = f"{file}[relations]"
    raws["relations"] = RawTable("relations", tfile,
                                 _frame([rel_rows[i] for i in order], schema.RELATIONS_TABLE.names))
    for j, i in enumerate(order):
        iris[(tfile, j + 2)] = rel_iris[i]

    # the taxonomies, when the file brings them (else the bundled ones, as for a folder)
    for name, label, cols in (("sectors", schema.SECTOR, V.SECTOR_COLUMNS),
                              ("services", schema.SERVICE, V.SERVICE_COLUMNS)):
        subjects = list(g.subjects(RDF.type, URIRef(V.class_iri(label))))
        if subjects:
            table(name, subjects, cols)
    return raws, iris


def _locate(p: Problem, iris: dict[tuple[str, int], str]) -> Problem:
    """Name the subject (or triple) instead of a row number, which means nothing in an RDF file."""
    where = iris.get((p.file, p.row)) if p.row is not None else None
    if where is None:
        return p
    return Problem(f"{p.file.split('[', 1)[0]} {where}", None, p.column, p.message)


# ----------------------------------------------------------------------------- validation


