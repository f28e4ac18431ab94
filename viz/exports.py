"""Machine exports: the graph for other tools, by format name.

A registry maps a format name (and its aliases and file suffixes) to a writer
``write(source, path) -> None``; ``export(source, fmt, path)`` looks the format up and runs it.
``source`` is a ``graph.store.Store``, a ``graph.Tables``, or anything with ``.tables`` and
``.graph()``.

=============  ================================================================================
format         what it writes
=============  ================================================================================
``turtle``     RDF in our vocabulary (``graph.rdf``); ``loaders.rdf.read_rdf`` reads it back
``jsonld``     the same RDF as JSON-LD with an inline ``@context``
``rdf-vocab``  the vocabulary itself (classes and properties, zh/en labels, alignments), Turtle
``shacl``      the SHACL shapes of the data, Turtle
``graphml``    GraphML for Gephi/yEd, typed attributes (see *flat graph* below)
``gexf``       GEXF 1.2 for Gephi, typed attributes (see *flat graph* below)
``neo4j-csv``  a folder of node and relationship CSVs with ``neo4j-admin database import`` headers
               and a README giving the import command
``csv``        a folder in the contract's input format (``organizations.csv``, ``relations.csv``,
               ``sectors.csv``, ``services.csv``): ``loaders.read_folder`` reads it back
=============  ================================================================================

``csv`` is the one format written for people as well as programs: colleagues open it in Excel to
edit their data. It is UTF-8 with a BOM, and a text cell that a spreadsheet would run as a formula
(``=``, ``+``, ``-``, ``@``, tab, CR first) gets a leading ``'`` (``viz.excel_safe``); with
``raw=True`` (``jjjkg export --raw``) every value is kept exactly, for an exact rebuild. The other
formats are machine exports: they keep every value exactly as stored, always.

The *flat graph* (GraphML, GEXF) is what ``to_flat_graph`` makes of the knowledge graph, and what
networkx's ``read_graphml``/``read_gexf`` give back; ``from_flat_graph`` inverts it:

* node ids are strings: an organization's id as it is, other nodes ``"Sector:CH_H2"``,
  ``"Service:…"``, ``"Region:110000"``; the ``id`` property is not repeated as an attribute (GEXF
  would take it for the node id), ``from_flat_graph`` reads it from the node id;
* ``label`` is the display name (Gephi shows it); the Cypher label (``Platform``, ``Sector`` …)
  is in ``category``;
* list properties (``sectors``, ``services``, ``needs``) are ``;``-joined strings
  (``"CH_H2;CH_BIO"``): ids never hold ``;`` because the input splits lists on it;
* each edge has a unique id (``e0``, ``e1`` … in the graph's edge order), its relation type in
  ``relation`` and the relation's Chinese name in ``label``;
* ``year`` is an integer, ``weight``, ``lat`` and ``lon`` doubles, ``degree`` an integer,
  ``independent_legal_entity`` a boolean; an unknown value is absent, as in the graph.

Readers: whoever adds a format (write a function, ``register`` it, add it to the round-trip tests).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pandas as pd

from graph import schema
from graph.build import KnowledgeGraph, node_id
from graph.errors import JjjkgError
from graph.safe_write import make_folder, open_replacing, replacing, write_text

__all__ = ["Exporter", "EXPORTERS", "register", "get_exporter", "guess_format", "export", "formats",
           "to_flat_graph", "from_flat_graph", "write_graphml", "write_gexf", "write_neo4j_csv", "write_csv",
           "LIST_SEPARATOR"]

#: how list properties are joined in GraphML, GEXF and the contract's CSV
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Exporter:
    """One export format: its writer, aliases, suffixes and whether it writes a folder."""

    name: str
    write: Callable[[object, Path], None]
    summary: str
    aliases: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    folder: bool = False
    #: written for people too: the writer takes ``raw`` (keep values exact instead of Excel-safe)
    for_people: bool = False
    #: the extension added to an output path that has none (default: the first suffix)
    extension: str = ""

    @property
    def default_suffix(self) -> str:
        return self.extension or (self.suffixes[0] if self.suffixes else "")


EXPORTERS: dict[str, Exporter] = {}


def register(name: str, write: Callable, summary: str, *, aliases: tuple[str, ...] = (),
             suffixes: tuple[str, ...] = (), folder: bool = False, for_people: bool = False,
             extension: str = "") -> Exporter:
    """Register an export format; a name or alias may be registered once."""
    taken = {a: e.name for e in EXPORTERS.values() for a in (e.name, *e.aliases)}
    for a in (name, *aliases):
        if a in taken:
            raise ValueError(f"export format {a!r} is registered already (by {taken[a]!r}); "
                             "fix by choosing a unique name or alias")
    e = Exporter(name, write, summary, tuple(aliases), tuple(suffixes), folder, for_people, extension)
    EXPORTERS[name] = e
    return e


def formats() -> list[str]:
    """The format names, in registration order."""
    return list(EXPORTERS)


def get_exporter(fmt: str) -> Exporter:
    """The exporter for a format name, alias or suffix (``'ttl'``, ``'.graphml'``); else a clear error."""
    key = fmt.strip().lower()
    for e in EXPORTERS.values():
        if key in (e.name, *e.aliases) or (key.startswith(".") and key in e.suffixes) or "." + key in e.suffixes:
            return e
    raise JjjkgError(f"no export format {fmt!r}; the formats are: {', '.join(EXPORTERS)}")


def guess_format(path: str | Path) -> str | None:
    """The format a file suffix suggests (``x.ttl`` → ``turtle``), else None."""
    suffix = Path(path).suffix.lower()
    for e in EXPORTERS.values():
        if suffix and suffix in e.suffixes:
            return e.name
    return None


def export(source, fmt: str | None, out_path: str | Path, *, raw: bool = False) -> Path:
    """Write ``source`` in format ``fmt`` to ``out_path``; returns the path written.

    Parameters
    ----------
    source : Store or Tables
        What to export (a ``graph.store.Store``, a ``graph.Tables``, or anything with ``.tables``
        and ``.graph()``).
    fmt : str or None
        A format name or alias (see ``formats()``); None guesses it from the suffix of ``out_path``.
    out_path : str or Path
        A file, or for ``csv`` and ``neo4j-csv`` a folder (created; files in it are overwritten). A file
        name with no extension gets the format's (``jjj`` → ``jjj.ttl``), so that ``jjjkg build --data``
        knows it again.
    raw : bool
        For a format written for people (``csv``): keep every value exactly instead of neutralising
        formula-like text. Machine formats are always exact.

    Returns
    -------
    Path

    Raises
    ------
    JjjkgError
        An unknown format, or an output path that is a folder where a file is expected (or the reverse).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = export(tiny_tables(), "graphml", pathlib.Path(tempfile.mkdtemp()) / "g.graphml")
    >>> out.name, out.stat().st_size > 0
    ('g.graphml', True)
    """
    out = Path(out_path)
    if fmt is None:
        fmt = guess_format(out)
        if fmt is None:
            raise JjjkgError(f"cannot tell the export format from {str(out)!r}: pass --format "
                             f"({', '.join(EXPORTERS)})")
    e = get_exporter(fmt)
    if e.folder:
        if out.exists() and not out.is_dir():
            raise JjjkgError(f"{str(out)!r} is a file; the {e.name} export writes a folder: pass a folder path")
        make_folder(out)
    else:
        if not out.suffix and e.default_suffix and not out.is_dir():
            out = out.with_name(out.name + e.default_suffix)
        if out.is_dir():
            raise JjjkgError(f"{str(out)!r} is a folder; the {e.name} export writes one file: "
                             f"pass a file path such as {str(out / ('graph' + (e.suffixes or ('.out',))[0]))!r}")
        make_folder(out.parent)
    if e.for_people:
        e.write(source, out, raw=raw)
    else:
        e.write(source, out)
    return out


# ----------------------------------------------------------------------------- sources


def _graph(source) -> KnowledgeGraph:
    from graph.build import build_graph
    from graph.tables import Tables

    if isinstance(source, Tables):
        return build_graph(source)
    if isinstance(source, nx.Graph):
        return source
    return source.graph()


def _tables(source):
    from graph.tables import Tables

    if isinstance(source, Tables):
        return source
    return source.tables


# ----------------------------------------------------------------------------- the flat graph

_FAMILIES = (schema.SECTOR, schema.SERVICE, schema.REGION)
_LIST_KEYS = frozenset(c.name for t in schema.TABLES.values() for c in t.columns if c.kind == "list")


def _flat_id(key) -> str:
    return f"{key[0]}:{key[1]}" if isinstance(key, tuple) else key


def to_flat_graph(G: KnowledgeGraph) -> nx.MultiDiGraph:
    """The knowledge graph with string node ids and scalar attributes, as GraphML and GEXF hold it.

    See the module docstring for the conventions; ``from_flat_graph`` inverts it.

    Examples
    --------
    >>> F = to_flat_graph(tiny_graph())
    >>> F.nodes["Sector:S_H2"]["category"], F.nodes["tj-site-1"]["sectors"]
    ('Sector', 'S_H2;S_IC')
    """
    F = nx.MultiDiGraph()
    F.graph.update({k: v for k, v in G.graph.items() if isinstance(v, (str, int, float, bool))})
    ids: dict = {}
    for n, d in G.nodes(data=True):
        fid = _flat_id(n)
        if fid in F:
            raise JjjkgError(f"organization id {fid!r} collides with the export id of "
                             f"{d.get('label')} {node_id(n)!r}; rename the organization")
        ids[n] = fid
        attrs = {}
        for k, v in d.items():
            if k == "id":
                continue
            if k == "label":
                attrs["category"] = v
            elif isinstance(v, (list, tuple)):
                attrs[k] = LIST_SEPARATOR.join(map(str, v))
            else:
                attrs[k] = v
        attrs["label"] = str(d.get("name", node_id(n)))
        F.add_node(fid, **attrs)
    for i, (u, v, rel, d) in enumerate(G.edges(keys=True, data=True)):
        F.add_edge(ids[u], ids[v], key=f"e{i}", relation=rel, label=schema.RELATIONS[rel].zh
                   if rel in schema.RELATIONS else rel, **d)
    return F


def from_flat_graph(F: nx.Graph) -> KnowledgeGraph:
    """The knowledge graph back from a flat graph (as read by ``nx.read_graphml``/``nx.read_gexf``).

    Attributes a reader adds (GEXF's edge ``id``, GraphML's ``node_default``) are dropped.
    """
    G = KnowledgeGraph()
    G.graph.update({k: v for k, v in F.graph.items() if k not in ("node_default", "edge_default", "mode")})
    keys = {}
    for n, d in F.nodes(data=True):
        cat = d["category"]
        ident = n[len(cat) + 1:] if cat in _FAMILIES else n
        key = (cat, ident) if cat in _FAMILIES else ident
        keys[n] = key
        attrs = {"id": ident, "label": cat}
        for k, v in d.items():
            if k in ("category", "label"):
                continue
            attrs[k] = v.split(LIST_SEPARATOR) if k in _LIST_KEYS and isinstance(v, str) else v
        G.add_node(key, **attrs)
    for u, v, d in F.edges(data=True):
        rel = d["relation"]
        attrs = {k: x for k, x in d.items() if k not in ("relation", "label", "id")}
        G.add_edge(keys[u], keys[v], key=rel, **attrs)
    return G


def write_graphml(source, path: Path) -> None:
    """GraphML (UTF-8) of the flat graph: typed keys (string, long, double, boolean)."""
    F = to_flat_graph(_graph(source))
    with replacing(path) as tmp:
        nx.write_graphml(F, tmp, encoding="utf-8", named_key_ids=False)


def write_gexf(source, path: Path) -> None:
    """GEXF 1.2 (UTF-8) of the flat graph: typed attributes; the graph keeps its name only."""
    F = to_flat_graph(_graph(source))
    F.graph = {"name": str(F.graph.get("name", "jjjkg"))}
    with replacing(path) as tmp:
        nx.write_gexf(F, tmp, encoding="utf-8")


# ----------------------------------------------------------------------------- neo4j-admin CSV

#: neo4j-admin types of the properties that are not strings
_NEO4J_TYPES = {"int": "long", "float": "double", "bool": "boolean", "list": "string[]"}
_NODE_FILES = {schema.ORGANIZATION: "organizations", schema.SECTOR: "sectors", schema.SERVICE: "services",
               schema.REGION: "regions"}


def _neo4j_kinds() -> dict[str, dict[str, str]]:
    """Property → column kind for each node family, from the schema's tables."""
    table_of = {schema.ORGANIZATION: "organizations", schema.SECTOR: "sectors", schema.SERVICE: "services",
                schema.REGION: "regions"}
    out = {}
    for fam, props in schema.NODE_PROPERTIES.items():
        cols = {c.name: c.kind for c in schema.TABLES[table_of[fam]].columns}
        out[fam] = {p: ("int" if p == "degree" else "float" if p in ("map_lat", "map_lon") else cols.get(p, "str"))
                    for p in props}
    return out


def _neo4j_header(prop: str, kind: str) -> str:
    t = _NEO4J_TYPES.get(kind)
    return f"{prop}:{t}" if t else prop


NEO4J_README = """\
# jjjkg graph for `neo4j-admin database import`

Written by `jjjkg export --format neo4j-csv` from the store with fingerprint {fingerprint}.
Node files carry `id:ID(<space>)` (the id is also stored as the property `id`) and `:LABEL`
(`Organization;Platform` …); relationship files carry `:START_ID(<space>)`, `:END_ID(<space>)` and
`:TYPE`. Id spaces (Organization, Sector, Service, Region) keep an organization id from colliding
with a sector id. Typed properties: `year:long`, `weight:double`, `lat:double`, `lon:double`,
`degree:long`, `independent_legal_entity:boolean`, and lists as `sectors:string[]`,
`services:string[]`, `needs:string[]` with `;` between the entries. An empty cell is an absent
property. Files are UTF-8 without BOM, comma-separated, fields quoted with `"` (a `"` inside is doubled).
Values are raw, exactly as stored: this is a machine export, not made safe for opening in a spreadsheet
(a name starting with `=` stays as it is); open `jjjkg export --format csv` in Excel instead.

Import into an empty database (Neo4j 5; stop the database first, or import as a new database name):

```
neo4j-admin database import full \\
{nodes}{relationships}  --delimiter="," --array-delimiter=";" --quote='"' --multiline-fields=true \\
  --overwrite-destination neo4j
```

Then, in Cypher, create the uniqueness constraints the graph is queried by:

```
{constraints}
```

Counts: {counts}
"""


def write_neo4j_csv(source, folder: Path) -> None:
    """A folder of node and relationship CSVs for ``neo4j-admin database import``, with a README."""
    G = _graph(source)
    kinds = _neo4j_kinds()
    files: dict[str, Path] = {}
    counts: dict[str, int] = {}
    families: dict[str, list] = {fam: [] for fam in _NODE_FILES}
    for n, d in G.nodes(data=True):
        families[schema.ORGANIZATION if "type" in d else d["label"]].append(n)
    for fam, nodes in families.items():
        props = [p for p in kinds[fam] if p != "id"]
        path = folder / f"nodes_{_NODE_FILES[fam]}.csv"
        with open_replacing(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            w.writerow([f"id:ID({fam})", ":LABEL", *(_neo4j_header(p, kinds[fam][p]) for p in props)])
            for n in sorted(nodes, key=node_id):
                d = G.nodes[n]
                w.writerow([node_id(n), ";".join(G.labels_of(n)),
                            *(_cell(d.get(p), kinds[fam][p]) for p in props)])
        files[f"nodes_{fam}"] = path
        counts[fam] = len(nodes)
    by_rel: dict[str, list] = {}
    for u, v, rel, d in G.edges(keys=True, data=True):
        by_rel.setdefault(rel, []).append((u, v, d))

    def space(n) -> str:
        return n[0] if isinstance(n, tuple) else schema.ORGANIZATION

    rel_kinds = {c.name: c.kind for c in schema.RELATIONS_TABLE.columns}
    for rel in schema.RELATIONS:
        edges = by_rel.get(rel, [])
        if not edges:
            continue
        start, end = space(edges[0][0]), space(edges[0][1])
        props = list(schema.RELATION_PROPERTIES) if rel in schema.INPUT_RELATIONS else []
        path = folder / f"rels_{rel}.csv"
        with open_replacing(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            w.writerow([f":START_ID({start})", f":END_ID({end})", ":TYPE",
                        *(_neo4j_header(p, rel_kinds[p]) for p in props)])
            for u, v, d in sorted(edges, key=lambda e: (node_id(e[0]), node_id(e[1]))):
                w.writerow([node_id(u), node_id(v), rel, *(_cell(d.get(p), rel_kinds[p]) for p in props)])
        files[f"rels_{rel}"] = path
        counts[rel] = len(edges)
    nodes_arg = "".join(f"  --nodes={p.name} \\\n" for k, p in files.items() if k.startswith("nodes_"))
    rels_arg = "".join(f"  --relationships={p.name} \\\n" for k, p in files.items() if k.startswith("rels_"))
    constraints = "\n".join(f"CREATE CONSTRAINT {lab.lower()}_id IF NOT EXISTS FOR (n:{lab}) REQUIRE n.id IS UNIQUE;"
                            for lab in _NODE_FILES)
    readme = NEO4J_README.format(fingerprint=G.graph.get("fingerprint", "(not from a store)"),
                                 nodes=nodes_arg, relationships=rels_arg, constraints=constraints,
                                 counts=json.dumps(counts, ensure_ascii=False))
    write_text(folder / "README.md", readme)


# ----------------------------------------------------------------------------- contract CSV

INPUT_TABLES = ("organizations", "relations", "sectors", "services")


def _cell(v, kind: str) -> str:
    """A property as text in a CSV cell: lists joined, booleans true/false, floats exact."""
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    if kind == "list":
        return LIST_SEPARATOR.join(map(str, v))
    if kind == "bool":
        return "true" if v else "false"
    if kind == "float":
        return repr(float(v))
    if kind == "int":
        return str(int(v))
    return str(v)


def write_csv(source, folder: Path, *, raw: bool = False) -> None:
    """The contract's input folder: ``organizations.csv``, ``relations.csv``, ``sectors.csv``, ``services.csv``.

    UTF-8 with a BOM (so Excel shows the Chinese), English headers from the schema, lists joined
    with ``;``, booleans ``true``/``false``, floats with every digit. Text that a spreadsheet would
    run as a formula gets a leading ``'`` unless ``raw``. ``loaders.read_folder`` reads the folder
    back into equal tables (with ``raw``, or whenever no text starts with ``=``, ``+``, ``-``, ``@``).
    """
    from graph.tables import records

    from .excel_safe import neutralise, open_csv_for_people

    def text(v, kind: str) -> str:
        s = _cell(v, kind)
        return s if raw or kind not in ("str", "list") else neutralise(s)

    tables = _tables(source)
    for name in INPUT_TABLES:
        table = schema.TABLES[name]
        df = getattr(tables, name)
        with open_csv_for_people(folder / table.filename) as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(table.names)
            for row in records(df):
                w.writerow([text(row.get(c.name), c.kind) for c in table.columns])


# ----------------------------------------------------------------------------- the registry


def _rdf_writer(name: str):
    def write(source, path):
        from graph import rdf

        getattr(rdf, name)(source, path)

    write.__name__ = name
    return write


register("turtle", _rdf_writer("write_turtle"), "RDF (Turtle) in the jjjkg vocabulary",
         aliases=("ttl",), suffixes=(".ttl",))
register("jsonld", _rdf_writer("write_jsonld"), "RDF (JSON-LD, inline @context)",
         aliases=("json-ld",), suffixes=(".jsonld",))
register("rdf-vocab", _rdf_writer("write_vocabulary"), "the RDF vocabulary (classes, properties, zh/en labels)",
         aliases=("vocab", "vocabulary"), extension=".ttl")
register("shacl", _rdf_writer("write_shapes"), "SHACL shapes of the RDF export", aliases=("shapes",),
         extension=".ttl")
register("graphml", write_graphml, "GraphML for Gephi/yEd, typed attributes", suffixes=(".graphml",))
register("gexf", write_gexf, "GEXF 1.2 for Gephi, typed attributes", suffixes=(".gexf",))
register("neo4j-csv", write_neo4j_csv, "a folder of neo4j-admin import CSVs with a README",
         aliases=("neo4j", "neo4j-admin"), folder=True)
register("csv", write_csv, "a folder in the contract's input format (read back by jjjkg build --data)",
         aliases=("contract-csv",), folder=True, for_people=True)
