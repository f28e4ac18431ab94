"""The graph as RDF: our small vocabulary, its SHACL shapes, and the Turtle / JSON-LD writers.

Read this module to know how the knowledge graph of contract section 2 looks as RDF. Everything
here is derived from ``graph.schema``; nothing spells a label or a relation type by hand.

The vocabulary (prefix ``jjj:``, namespace ``VOCAB``) has one class per node label and one
property per column or relation type, each with a Chinese and an English ``rdfs:label``, and is
aligned where a standard term fits:

=========================  =====================================================================
ours                       aligned with
=========================  =====================================================================
``jjj:Organization``       ``schema:Organization``, ``org:Organization`` (W3C ORG)
``jjj:University`` …       ``schema:CollegeOrUniversity``, ``schema:ResearchOrganization``,
                           ``schema:GovernmentOrganization``, ``schema:FinancialService``
``jjj:Region``             ``schema:AdministrativeArea`` (a ``schema:Place``)
``jjj:Sector``             ``skos:Concept`` in the concept scheme ``jjj:sectorScheme``;
                           ``parent`` is ``skos:broader``
``jjj:Service``            ``skos:Concept`` in ``jjj:serviceScheme``
``jjj:memberOf``           ``org:memberOf``;  ``jjj:partnersWith`` ⊑ ``org:linkedTo``
``jjj:locatedIn``          ``schema:location``; ``jjj:partOf`` ⊑ ``schema:containedInPlace``
``jjj:creditCode``         ``schema:taxID``
=========================  =====================================================================

Standard properties are used directly where they mean exactly the column: ``dcterms:identifier``
(``id``), ``schema:name`` (``name`` tagged ``@zh``, ``name_en`` tagged ``@en``; ``skos:prefLabel``
for sectors and services), ``schema:latitude``/``schema:longitude`` (``xsd:decimal``, every digit of the float) and
``dcterms:source``.

Instances get IRIs under ``DATA``: ``…/org/{id}``, ``…/sector/{id}``, ``…/service/{id}``,
``…/region/{id}``, with the id percent-encoded. An input relation is one direct triple
(``<a> jjj:transfersTo <b>``); when it has a ``year``, ``weight`` or ``source`` these hang on a
standard RDF reification (``rdf:Statement``) at ``…/relation/{from}/{TYPE}/{to}``.

List columns (``sectors``, ``services``, ``needs``) are repeated properties (``jjj:inSector``,
``jjj:offers``, ``jjj:needs``), which RDF holds as sets; when a list has more than one entry its
input order is also given as an ``rdf:List`` (``jjj:sectorList``, ``jjj:serviceList``,
``jjj:needList``), so ``loaders.rdf`` reads the lists back in the same order (sorted, for RDF
written by others without them).

Readers: whoever maps the graph to another vocabulary, or reads our Turtle in another tool.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from graph import schema
from graph.safe_write import write_bytes, write_text

__all__ = [
    "VOCAB", "DATA", "PREFIXES", "class_iri", "column_property", "relation_property", "node_iri",
    "vocabulary_graph", "shapes_graph", "to_rdf", "write_turtle", "write_jsonld", "write_vocabulary",
    "write_shapes", "jsonld_context", "LIST_ORDER", "ORG_COLUMNS", "SECTOR_COLUMNS", "SERVICE_COLUMNS", "REGION_COLUMNS",
]

#: our vocabulary's namespace (classes and properties)
VOCAB = "https://w3id.org/jjjkg/vocab#"
#: where instance IRIs live
DATA = "https://w3id.org/jjjkg/id/"

PREFIXES = {
    "jjj": VOCAB,
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "sh": "http://www.w3.org/ns/shacl#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

_SCHEMA, _ORG, _SKOS, _DCT = (PREFIXES[p] for p in ("schema", "org", "skos", "dcterms"))

#: the node families and the path segment of their IRIs
_SEGMENT = {schema.ORGANIZATION: "org", schema.SECTOR: "sector", schema.SERVICE: "service", schema.REGION: "region"}

#: standard classes an organization type is also a subclass of
_CLASS_ALIGNMENT = {
    schema.ORGANIZATION: (_SCHEMA + "Organization", _ORG + "Organization"),
    "University": (_SCHEMA + "CollegeOrUniversity",),
    "Institute": (_SCHEMA + "ResearchOrganization",),
    "Agency": (_SCHEMA + "GovernmentOrganization",),
    "Financial": (_SCHEMA + "FinancialService",),
    schema.REGION: (_SCHEMA + "AdministrativeArea",),
    schema.SECTOR: (_SKOS + "Concept",),
    schema.SERVICE: (_SKOS + "Concept",),
}

#: standard properties an input or derived relation is a subproperty of
_RELATION_ALIGNMENT = {
    "MEMBER_OF": _ORG + "memberOf",
    "PARTNERS_WITH": _ORG + "linkedTo",
    "LOCATED_IN": _SCHEMA + "location",
    "PART_OF": _SCHEMA + "containedInPlace",
}


def _camel(name: str) -> str:
    """``'platform_kind'`` → ``'platformKind'``, ``'TRANSFERS_TO'`` → ``'transfersTo'``."""
    first, *rest = name.lower().split("_")
    return first + "".join(w.capitalize() for w in rest)


def class_iri(label: str) -> str:
    """IRI of the class for a node label: ``class_iri('Platform') == VOCAB + 'Platform'``."""
    return VOCAB + label


def relation_property(rel: str) -> str:
    """IRI of the property for a relation type: ``TRANSFERS_TO`` → ``jjj:transfersTo``."""
    return VOCAB + _camel(rel)


# How each column of a node family becomes RDF: column → (property IRI, kind). Kinds: "id", "name"
# (the @zh literal), "name_en" (the @en literal on the same property), "labels" (a @zh literal per list
# entry), "str", "bool", "int", "float",
# "ref:<Label>" (an IRI of another node), "type" (rdf:type of the organization's class).
def _org_columns() -> dict[str, tuple[str, str]]:
    special = {
        "id": (_DCT + "identifier", "id"),
        "name": (_SCHEMA + "name", "name"),
        "name_en": (_SCHEMA + "name", "name_en"),
        "type": ("", "type"),
        "sectors": (relation_property("IN_SECTOR"), "ref:" + schema.SECTOR),
        "services": (relation_property("OFFERS"), "ref:" + schema.SERVICE),
        "needs": (relation_property("NEEDS"), "ref:" + schema.SERVICE),
        "lat": (_SCHEMA + "latitude", "float"),
        "lon": (_SCHEMA + "longitude", "float"),
        "source": (_DCT + "source", "str"),
        "aliases": (_SKOS + "altLabel", "labels"),  # one @zh literal per other name
    }
    out = {}
    for c in schema.ORGANIZATIONS.columns:
        out[c.name] = special.get(c.name, (VOCAB + _camel(c.name), c.kind))
    return out


ORG_COLUMNS = _org_columns()
SECTOR_COLUMNS = {
    "id": (_DCT + "identifier", "id"),
    "name": (_SKOS + "prefLabel", "name"),
    "name_en": (_SKOS + "prefLabel", "name_en"),
    "kind": (VOCAB + "sectorKind", "str"),
    "parent": (_SKOS + "broader", "ref:" + schema.SECTOR),
    "tier": (VOCAB + "tier", "str"),
    "source": (_DCT + "source", "str"),
}
SERVICE_COLUMNS = {
    "id": (_DCT + "identifier", "id"),
    "name": (_SKOS + "prefLabel", "name"),
    "name_en": (_SKOS + "prefLabel", "name_en"),
    "measure": (VOCAB + "measure", "str"),
    "source": (_DCT + "source", "str"),
}
REGION_COLUMNS = {
    "id": (_DCT + "identifier", "id"),
    "name": (_SCHEMA + "name", "name"),
    "name_en": (_SCHEMA + "name", "name_en"),
    "level": (VOCAB + "regionLevel", "str"),
    "lat": (_SCHEMA + "latitude", "float"),
    "lon": (_SCHEMA + "longitude", "float"),
}
RELATION_COLUMNS = {"year": (VOCAB + "year", "int"), "weight": (VOCAB + "weight", "float"),
                    "source": (_DCT + "source", "str")}

#: list columns whose input order is kept as an rdf:List beside the repeated property
LIST_ORDER = {"sectors": VOCAB + "sectorList", "services": VOCAB + "serviceList", "needs": VOCAB + "needList"}

SECTOR_SCHEME = VOCAB + "sectorScheme"
SERVICE_SCHEME = VOCAB + "serviceScheme"


def column_property(table: str, column: str) -> str:
    """The property IRI a column of ``organizations``, ``sectors``, ``services`` or ``regions`` maps to."""
    cols = {"organizations": ORG_COLUMNS, "sectors": SECTOR_COLUMNS, "services": SERVICE_COLUMNS,
            "regions": REGION_COLUMNS, "relations": RELATION_COLUMNS}[table]
    return cols[column][0]


def node_iri(label_family: str, ident: str) -> str:
    """IRI of a node: ``node_iri('Organization', 'bj-pf-1') == DATA + 'org/bj-pf-1'``."""
    return DATA + _SEGMENT[label_family] + "/" + quote(str(ident), safe="")


def _key_iri(G, key) -> str:
    if isinstance(key, tuple):
        return node_iri(key[0], key[1])
    return node_iri(schema.ORGANIZATION, key)


def statement_iri(u: str, rel: str, v: str) -> str:
    """IRI of the reification of an input relation (where its year, weight and source hang)."""
    return DATA + "relation/" + quote(u, safe="") + "/" + rel + "/" + quote(v, safe="")


# ----------------------------------------------------------------------------- vocabulary


def _bind(g) -> None:
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True)


def vocabulary_graph():
    """The vocabulary as an ``rdflib.Graph``: classes and properties with zh/en labels and alignments.

    Examples
    --------
    >>> from rdflib import URIRef, Literal
    >>> from rdflib.namespace import RDFS
    >>> V = vocabulary_graph()
    >>> (URIRef(VOCAB + "Platform"), RDFS.label, Literal("中试平台", lang="zh")) in V
    True
    """
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import OWL, RDF, RDFS

    g = Graph()
    _bind(g)
    onto = URIRef(VOCAB.rstrip("#"))
    g.add((onto, RDF.type, OWL.Ontology))
    g.add((onto, RDFS.label, Literal("京津冀中试生态知识图谱词汇", lang="zh")))
    g.add((onto, RDFS.label, Literal("Jing-Jin-Ji pilot-scale testing knowledge graph vocabulary", lang="en")))

    def labels(s, zh, en):
        g.add((s, RDFS.label, Literal(zh, lang="zh")))
        g.add((s, RDFS.label, Literal(en, lang="en")))

    for label, nl in schema.NODE_LABELS.items():
        c = URIRef(class_iri(label))
        g.add((c, RDF.type, OWL.Class))
        labels(c, nl.zh, nl.en)
        if label in {t.label for t in schema.ORG_TYPES.values()}:
            g.add((c, RDFS.subClassOf, URIRef(class_iri(schema.ORGANIZATION))))
        for sup in _CLASS_ALIGNMENT.get(label, ()):
            g.add((c, RDFS.subClassOf, URIRef(sup)))
    for rel, r in schema.RELATIONS.items():
        p = URIRef(relation_property(rel))
        g.add((p, RDF.type, OWL.ObjectProperty))
        labels(p, r.zh, r.en)
        dom = r.sources if len(r.sources) == 1 else (schema.ORGANIZATION,)
        g.add((p, RDFS.domain, URIRef(class_iri(dom[0]))))
        if len(r.targets) == 1:
            g.add((p, RDFS.range, URIRef(class_iri(r.targets[0]))))
        if rel in _RELATION_ALIGNMENT:
            g.add((p, RDFS.subPropertyOf, URIRef(_RELATION_ALIGNMENT[rel])))
        if not r.directed:
            g.add((p, RDF.type, OWL.SymmetricProperty))
    # datatype properties of our own namespace, labelled from the schema's column names
    described = set()
    for table, cols in (("organizations", ORG_COLUMNS), ("sectors", SECTOR_COLUMNS), ("services", SERVICE_COLUMNS),
                        ("regions", REGION_COLUMNS), ("relations", RELATION_COLUMNS)):
        for col, (iri, kind) in cols.items():
            if not iri.startswith(VOCAB) or kind.startswith("ref:") or iri in described:
                continue
            described.add(iri)
            p = URIRef(iri)
            c = schema.TABLES[table].column(col)
            g.add((p, RDF.type, OWL.DatatypeProperty))
            labels(p, c.zh, c.en or col.replace("_", " "))
    g.add((URIRef(VOCAB + "creditCode"), RDFS.subPropertyOf, URIRef(_SCHEMA + "taxID")))
    for col, iri in LIST_ORDER.items():
        c = schema.ORGANIZATIONS.column(col)
        g.add((URIRef(iri), RDF.type, OWL.ObjectProperty))
        g.add((URIRef(iri), RDFS.range, RDF.List))
        labels(URIRef(iri), c.zh + "（顺序）", f"{col} (in input order)")
    g.add((URIRef(VOCAB + "regionLevel"), RDFS.label, Literal("行政级别", lang="zh")))
    for scheme, zh, en in ((SECTOR_SCHEME, "产业领域分类", "Sector taxonomy"),
                           (SERVICE_SCHEME, "中试服务目录", "Pilot-service catalogue")):
        s = URIRef(scheme)
        g.add((s, RDF.type, URIRef(_SKOS + "ConceptScheme")))
        labels(s, zh, en)
    return g


# ----------------------------------------------------------------------------- SHACL shapes

#: 统一社会信用代码 (GB 32100): 18 characters from the code's alphabet
CREDIT_CODE_PATTERN = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"


def shapes_graph():
    """SHACL shapes for the data, generated from the schema.

    What the loader rejects is a ``sh:Violation``; what it keeps with a warning (a relation whose
    ends are of an unexpected type) is a ``sh:Warning``, so validate with ``allow_warnings=True``
    to match the loader.
    """
    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import RDF, XSD

    SH = PREFIXES["sh"]
    g = Graph()
    _bind(g)

    def sh(x):
        return URIRef(SH + x)

    def node_shape(name, target_pred, target):
        s = URIRef(VOCAB + name + "Shape")
        g.add((s, RDF.type, sh("NodeShape")))
        g.add((s, sh(target_pred), URIRef(target)))
        return s

    def prop(shape, path, **kw):
        b = BNode()
        g.add((shape, sh("property"), b))
        g.add((b, sh("path"), URIRef(path)))
        for k, v in kw.items():
            if k in ("in_", "in_iris"):
                lst = BNode()
                Collection(g, lst, [URIRef(x) if k == "in_iris" else Literal(x) for x in v])
                g.add((b, sh("in"), lst))
            elif k == "or_classes":
                items = []
                for c in v:
                    alt = BNode()
                    g.add((alt, sh("class"), URIRef(class_iri(c))))
                    items.append(alt)
                lst = BNode()
                Collection(g, lst, items)
                g.add((b, sh("or"), lst))
            elif k in ("class_", "datatype", "hasValue", "severity"):
                g.add((b, sh(k.rstrip("_")), URIRef(v)))
            elif k in ("pattern", "message"):
                g.add((b, sh(k), Literal(v)))
            else:
                g.add((b, sh(k), v if isinstance(v, Literal) else Literal(v)))
        return b

    string, decimal, boolean, integer = (str(XSD.string), str(XSD.decimal), str(XSD.boolean), str(XSD.integer))

    org = node_shape("Organization", "targetClass", class_iri(schema.ORGANIZATION))
    prop(org, _DCT + "identifier", minCount=1, maxCount=1, datatype=string)
    prop(org, _SCHEMA + "name", minCount=1, maxCount=2)
    prop(org, VOCAB + "province", maxCount=1, in_=list(schema.PROVINCES))
    prop(org, VOCAB + "city", maxCount=1, datatype=string)
    prop(org, VOCAB + "district", maxCount=1, datatype=string)
    prop(org, VOCAB + "level", maxCount=1, in_=list(schema.LEVELS))
    prop(org, VOCAB + "platformKind", maxCount=1, in_=list(schema.PLATFORM_KINDS))
    prop(org, VOCAB + "independentLegalEntity", maxCount=1, datatype=boolean)
    prop(org, VOCAB + "creditCode", maxCount=1, datatype=string, pattern=CREDIT_CODE_PATTERN)
    for axis, path in (("lat", _SCHEMA + "latitude"), ("lon", _SCHEMA + "longitude")):
        lo, hi = schema.JJJ_BOX[axis]
        prop(org, path, maxCount=1, datatype=decimal, minInclusive=Literal(str(lo), datatype=XSD.decimal),
             maxInclusive=Literal(str(hi), datatype=XSD.decimal))
    prop(org, relation_property("IN_SECTOR"), class_=class_iri(schema.SECTOR))
    prop(org, relation_property("OFFERS"), class_=class_iri(schema.SERVICE))
    prop(org, relation_property("NEEDS"), class_=class_iri(schema.SERVICE))
    prop(org, relation_property("LOCATED_IN"), maxCount=1, class_=class_iri(schema.REGION))
    prop(org, _DCT + "source", maxCount=1, datatype=string)
    for t in schema.ORG_TYPES.values():
        if t.province_required:
            s = node_shape(t.label, "targetClass", class_iri(t.label))
            prop(s, VOCAB + "province", minCount=1,
                 message=f"a {t.key} needs a province: 北京, 天津 or 河北")

    # the input relations: both ends organizations; unexpected end types are warnings, as in the loader
    for rel in schema.INPUT_RELATIONS:
        r = schema.RELATIONS[rel]
        s = node_shape(_camel(rel)[0].upper() + _camel(rel)[1:], "targetSubjectsOf", relation_property(rel))
        g.add((s, sh("class"), URIRef(class_iri(schema.ORGANIZATION))))
        prop(s, relation_property(rel), class_=class_iri(schema.ORGANIZATION))
        if schema.ORGANIZATION not in r.sources:
            w = node_shape(_camel(rel)[0].upper() + _camel(rel)[1:] + "Source", "targetSubjectsOf",
                           relation_property(rel))
            g.add((w, sh("severity"), sh("Warning")))
            items = []
            for c in r.sources:
                alt = BNode()
                g.add((alt, sh("class"), URIRef(class_iri(c))))
                items.append(alt)
            lst = BNode()
            Collection(g, lst, items)
            g.add((w, sh("or"), lst))
        if schema.ORGANIZATION not in r.targets:
            pw = prop(s, relation_property(rel), or_classes=r.targets)
            g.add((pw, sh("severity"), sh("Warning")))

    stmt = node_shape("RelationRecord", "targetClass", str(RDF.Statement))
    prop(stmt, str(RDF.subject), minCount=1, maxCount=1, class_=class_iri(schema.ORGANIZATION))
    prop(stmt, str(RDF.predicate), minCount=1, maxCount=1,
         in_iris=[relation_property(r) for r in schema.INPUT_RELATIONS])
    prop(stmt, str(RDF.object), minCount=1, maxCount=1, class_=class_iri(schema.ORGANIZATION))
    prop(stmt, VOCAB + "year", maxCount=1, datatype=integer, minInclusive=1900, maxInclusive=2100)
    prop(stmt, VOCAB + "weight", maxCount=1, datatype=decimal)
    prop(stmt, _DCT + "source", maxCount=1, datatype=string)

    sec = node_shape("Sector", "targetClass", class_iri(schema.SECTOR))
    prop(sec, _DCT + "identifier", minCount=1, maxCount=1, datatype=string)
    prop(sec, _SKOS + "prefLabel", minCount=1, maxCount=2)
    prop(sec, VOCAB + "sectorKind", minCount=1, maxCount=1, in_=list(schema.SECTOR_KINDS))
    prop(sec, _SKOS + "broader", maxCount=1, class_=class_iri(schema.SECTOR))
    prop(sec, _SKOS + "inScheme", hasValue=SECTOR_SCHEME)
    svc = node_shape("Service", "targetClass", class_iri(schema.SERVICE))
    prop(svc, _DCT + "identifier", minCount=1, maxCount=1, datatype=string)
    prop(svc, _SKOS + "prefLabel", minCount=1, maxCount=2)
    prop(svc, _SKOS + "inScheme", hasValue=SERVICE_SCHEME)
    reg = node_shape("Region", "targetClass", class_iri(schema.REGION))
    prop(reg, _DCT + "identifier", minCount=1, maxCount=1, datatype=string)
    prop(reg, _SCHEMA + "name", minCount=1, maxCount=2)
    prop(reg, VOCAB + "regionLevel", minCount=1, maxCount=1, in_=list(schema.REGION_LEVELS))
    prop(reg, relation_property("PART_OF"), maxCount=1, class_=class_iri(schema.REGION))
    return g


# ----------------------------------------------------------------------------- data


def _lit(value, kind: str, lang: str | None = None):
    from rdflib import Literal
    from rdflib.namespace import XSD

    if kind == "bool":
        return Literal(bool(value), datatype=XSD.boolean)
    if kind == "int":
        return Literal(int(value), datatype=XSD.integer)
    if kind == "float":
        # xsd:decimal in fixed notation from the float's repr: every digit kept, so the float reads
        # back exactly (rdflib writes xsd:double in Turtle with only 7 significant digits)
        return Literal(format(Decimal(repr(float(value))), "f"), datatype=XSD.decimal)
    if lang:
        return Literal(str(value), lang=lang)
    return Literal(str(value))


def _present(v) -> bool:
    if v is None:
        return False
    if isinstance(v, float) and v != v:
        return False
    try:
        import pandas as pd

        if v is pd.NA:
            return False
    except ImportError:  # pragma: no cover
        pass
    return not (isinstance(v, (list, tuple)) and len(v) == 0)


def to_rdf(tables, G):
    """The graph as an ``rdflib.Graph`` in our vocabulary (data only: no vocabulary, no shapes).

    Parameters
    ----------
    tables : graph.Tables
        The validated tables (for the columns the graph does not carry: a sector's source, a
        service's measure and source).
    G : KnowledgeGraph
        The graph built from ``tables``.

    Examples
    --------
    >>> from rdflib import URIRef
    >>> R = to_rdf(tiny_tables(), tiny_graph())
    >>> (URIRef(DATA + "org/bj-uni-1"), URIRef(VOCAB + "transfersTo"), URIRef(DATA + "org/bj-pf-1")) in R
    True
    """
    from rdflib import BNode, Graph, URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import RDF

    from graph.tables import records

    g = Graph()
    _bind(g)
    g.bind("o", DATA + "org/")
    g.bind("sec", DATA + "sector/")
    g.bind("svc", DATA + "service/")
    g.bind("reg", DATA + "region/")
    add = g.add

    def add_row(s, row: dict, cols: dict, family: str | None = None):
        for col, (iri, kind) in cols.items():
            v = row.get(col)
            if not _present(v) or kind == "type":
                continue
            p = URIRef(iri)
            if kind.startswith("ref:"):
                fam = kind[4:]
                items = v if isinstance(v, list) else [v]
                for x in items:
                    add((s, p, URIRef(node_iri(fam, x))))
                if isinstance(v, list) and len(items) > 1 and col in LIST_ORDER:
                    # the repeated property is a set; the rdf:List keeps the input order
                    head = BNode()
                    Collection(g, head, [URIRef(node_iri(fam, x)) for x in items])
                    add((s, URIRef(LIST_ORDER[col]), head))
            elif kind == "labels":
                for x in v:
                    add((s, p, _lit(x, "str", "zh")))
            elif kind in ("id", "str"):
                add((s, p, _lit(v, "str")))
            elif kind == "name":
                add((s, p, _lit(v, "str", "zh")))
            elif kind == "name_en":
                add((s, p, _lit(v, "str", "en")))
            else:
                add((s, p, _lit(v, kind)))

    # organizations: the graph's node properties, plus their region
    for n, d in G.nodes(data=True):
        if "type" not in d:
            continue
        s = URIRef(node_iri(schema.ORGANIZATION, n))
        add((s, RDF.type, URIRef(class_iri(d["label"]))))
        add((s, RDF.type, URIRef(class_iri(schema.ORGANIZATION))))
        add_row(s, d, ORG_COLUMNS)
        for r in G.out_relations(n, "LOCATED_IN"):
            add((s, URIRef(relation_property("LOCATED_IN")), URIRef(_key_iri(G, r))))
    # the taxonomies: from the tables, which keep what the graph drops (source, measure)
    for fam, df, cols, scheme in ((schema.SECTOR, tables.sectors, SECTOR_COLUMNS, SECTOR_SCHEME),
                                  (schema.SERVICE, tables.services, SERVICE_COLUMNS, SERVICE_SCHEME)):
        for row in records(df):
            s = URIRef(node_iri(fam, row["id"]))
            add((s, RDF.type, URIRef(class_iri(fam))))
            add((s, RDF.type, URIRef(_SKOS + "Concept")))
            add((s, URIRef(_SKOS + "inScheme"), URIRef(scheme)))
            if not _present(row.get("parent")):
                add((s, URIRef(_SKOS + "topConceptOf"), URIRef(scheme)))
            add_row(s, row, cols)
    for n, d in G.nodes(data=True):
        if d.get("label") != schema.REGION:
            continue
        s = URIRef(_key_iri(G, n))
        add((s, RDF.type, URIRef(class_iri(schema.REGION))))
        add_row(s, d, REGION_COLUMNS)
        for p in G.out_relations(n, "PART_OF"):
            add((s, URIRef(relation_property("PART_OF")), URIRef(_key_iri(G, p))))
    # input relations: a direct triple, and a reification carrying year, weight and source
    for u, v, rel, d in G.edges(keys=True, data=True):
        if rel not in schema.INPUT_RELATIONS:
            continue
        su, sv, p = URIRef(_key_iri(G, u)), URIRef(_key_iri(G, v)), URIRef(relation_property(rel))
        add((su, p, sv))
        if any(_present(d.get(k)) for k in RELATION_COLUMNS):
            st = URIRef(statement_iri(u, rel, v))
            add((st, RDF.type, RDF.Statement))
            add((st, RDF.subject, su))
            add((st, RDF.predicate, p))
            add((st, RDF.object, sv))
            add_row(st, d, RELATION_COLUMNS)
    return g


def jsonld_context() -> dict:
    """The JSON-LD ``@context`` of our exports: the prefixes, inline (no remote context is fetched)."""
    return dict(PREFIXES)


def _source_parts(source):
    """``(tables, G)`` of a Store, of Tables, or of anything with ``.tables`` and ``.graph()``."""
    from graph.build import build_graph
    from graph.tables import Tables

    if isinstance(source, Tables):
        return source, build_graph(source)
    return source.tables, source.graph()


def write_turtle(source, path: str | Path) -> None:
    """Write the graph of ``source`` (a Store or Tables) as Turtle, UTF-8."""
    tables, G = _source_parts(source)
    write_bytes(path, to_rdf(tables, G).serialize(format="turtle", encoding="utf-8"))


def write_jsonld(source, path: str | Path) -> None:
    """Write the graph of ``source`` as JSON-LD (compacted with an inline context), UTF-8."""
    tables, G = _source_parts(source)
    text = to_rdf(tables, G).serialize(format="json-ld", context=jsonld_context(), auto_compact=True,
                                       ensure_ascii=False, indent=1)
    write_text(path, text)


def write_vocabulary(source, path: str | Path) -> None:
    """Write the vocabulary (Turtle). ``source`` is ignored: the vocabulary comes from the schema."""
    write_bytes(path, vocabulary_graph().serialize(format="turtle", encoding="utf-8"))


def write_shapes(source, path: str | Path) -> None:
    """Write the SHACL shapes (Turtle). ``source`` is ignored: the shapes come from the schema."""
    write_bytes(path, shapes_graph().serialize(format="turtle", encoding="utf-8"))

