"""Every export format writes a non-empty file and round-trips (or validates) as its docstring says."""

from __future__ import annotations

import csv
import json
import warnings

import networkx as nx
import pytest

from graph import build_graph, schema
from graph.build import KnowledgeGraph
from graph.errors import JjjkgError
from viz import exports
from viz.exports import EXPORTERS, export, from_flat_graph, to_flat_graph

from .conftest import HOSTILE


def same_graph(G: KnowledgeGraph, H: KnowledgeGraph) -> bool:
    """Equal nodes, attributes and keyed edges (graph-level attributes such as ``source`` aside)."""
    return (dict(G.nodes(data=True)) == dict(H.nodes(data=True))
            and sorted(G.edges(keys=True, data=True), key=repr) == sorted(H.edges(keys=True, data=True), key=repr))


def _out(tmp_path, fmt):
    e = EXPORTERS[fmt]
    return tmp_path / (fmt if e.folder else f"graph{(e.suffixes or ('.out',))[0]}")


# ----------------------------------------------------------------------------- every format


@pytest.mark.parametrize("fmt", list(EXPORTERS), ids=str)
def test_every_exporter_writes_something(fmt, any_tables, tmp_path):
    out = export(any_tables, fmt, _out(tmp_path, fmt))
    if EXPORTERS[fmt].folder:
        files = list(out.iterdir())
        assert files and all(f.stat().st_size > 0 for f in files)
    else:
        assert out.stat().st_size > 0


@pytest.mark.parametrize("fmt", list(EXPORTERS), ids=str)
def test_every_exporter_has_a_summary_and_a_round_trip_test(fmt):
    # a new format must come with its round-trip (or validation) test below
    tested = {"turtle", "jsonld", "rdf-vocab", "shacl", "graphml", "gexf", "neo4j-csv", "csv"}
    assert EXPORTERS[fmt].summary
    assert fmt in tested, f"add a round-trip test for the export format {fmt!r}"


def test_format_lookup_by_alias_and_suffix():
    assert exports.get_exporter("ttl").name == "turtle"
    assert exports.get_exporter(".graphml").name == "graphml"
    assert exports.get_exporter("json-ld").name == "jsonld"
    assert exports.get_exporter("neo4j").name == "neo4j-csv"
    assert exports.guess_format("x/y.gexf") == "gexf"
    assert exports.guess_format("x/y.txt") is None


def test_unknown_format_lists_the_known_ones(tiny_tables, tmp_path):
    with pytest.raises(JjjkgError) as err:
        export(tiny_tables, "pdf", tmp_path / "x.pdf")
    assert str(err.value) == ("no export format 'pdf'; the formats are: turtle, jsonld, rdf-vocab, shacl, graphml, "
                              "gexf, neo4j-csv, csv")


def test_format_guessed_from_suffix_or_asked_for(tiny_tables, tmp_path):
    assert export(tiny_tables, None, tmp_path / "g.ttl").stat().st_size > 0
    with pytest.raises(JjjkgError) as err:
        export(tiny_tables, None, tmp_path / "g.dat")
    assert str(err.value).startswith(f"cannot tell the export format from {str(tmp_path / 'g.dat')!r}: pass --format")


def test_file_format_refuses_a_folder_and_the_reverse(tiny_tables, tmp_path):
    (tmp_path / "dir").mkdir()
    with pytest.raises(JjjkgError, match="is a folder; the graphml export writes one file"):
        export(tiny_tables, "graphml", tmp_path / "dir")
    (tmp_path / "file").write_text("x")
    with pytest.raises(JjjkgError, match="is a file; the csv export writes a folder"):
        export(tiny_tables, "csv", tmp_path / "file")


def test_registering_a_name_twice_says_how_to_fix():
    with pytest.raises(ValueError, match="export format 'ttl' is registered already \\(by 'turtle'\\); fix by"):
        exports.register("my-turtle", lambda s, p: None, "x", aliases=("ttl",))


# ----------------------------------------------------------------------------- RDF


@pytest.mark.parametrize("fmt", ["turtle", "jsonld"])
def test_rdf_parses_and_loads_back_into_the_same_graph(fmt, any_tables, tmp_path):
    import rdflib

    from loaders.rdf import read_rdf

    out = export(any_tables, fmt, _out(tmp_path, fmt))
    with warnings.catch_warnings():  # rdflib's own JSON-LD parser warns about its internals
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        parsed = rdflib.Graph().parse(out, format="json-ld" if fmt == "jsonld" else fmt)
    assert len(parsed) > 0
    back = read_rdf(out)
    assert same_graph(build_graph(any_tables), build_graph(back))
    # the tables too, up to row order
    for name in ("organizations", "sectors", "services", "regions"):
        a = getattr(any_tables, name).sort_values("id").reset_index(drop=True)
        b = getattr(back, name).sort_values("id").reset_index(drop=True)
        assert a.equals(b), name
    key = ["from_id", "relation", "to_id"]
    assert any_tables.relations.sort_values(key).reset_index(drop=True).equals(
        back.relations.sort_values(key).reset_index(drop=True))


def test_jsonld_context_is_inline(tiny_tables, tmp_path):
    doc = json.loads(export(tiny_tables, "jsonld", tmp_path / "g.jsonld").read_text(encoding="utf-8"))
    assert isinstance(doc["@context"], dict)  # nothing to fetch
    assert "样例氢能中试平台" in json.dumps(doc, ensure_ascii=False)


def test_floats_keep_every_digit_in_rdf(tiny_tables, tmp_path):
    from loaders.rdf import read_rdf

    tiny_tables.organizations.loc[0, "lat"] = 39.123456789012345
    back = read_rdf(export(tiny_tables, "turtle", tmp_path / "g.ttl"))
    assert back.organizations.set_index("id").loc[tiny_tables.organizations.loc[0, "id"], "lat"] == 39.123456789012345


def _shacl(data, **kw):
    import pyshacl

    from graph import rdf

    return pyshacl.validate(data, shacl_graph=rdf.shapes_graph(), ont_graph=rdf.vocabulary_graph(),
                            inference="rdfs", **kw)


def test_export_conforms_to_the_shacl_shapes(any_tables):
    from graph import rdf

    G = build_graph(any_tables)
    conforms, _, text = _shacl(rdf.to_rdf(any_tables, G), allow_warnings=True)
    assert conforms, text
    assert "sh:Violation" not in text


def test_shapes_reject_what_the_loader_rejects(tiny_tables):
    from rdflib import Literal, URIRef

    from graph import rdf

    data = rdf.to_rdf(tiny_tables, build_graph(tiny_tables))
    pf = URIRef(rdf.node_iri("Organization", "bj-pf-1"))
    data.set((pf, URIRef(rdf.VOCAB + "province"), Literal("上海")))
    data.set((pf, URIRef(rdf.VOCAB + "level"), Literal("galactic")))
    conforms, _, text = _shacl(data, allow_warnings=True)
    assert not conforms
    assert "InConstraintComponent" in text and "上海" in text and "galactic" in text


def test_unexpected_relation_ends_are_warnings_as_in_the_loader(tiny_tables):
    from rdflib import URIRef

    from graph import rdf

    data = rdf.to_rdf(tiny_tables, build_graph(tiny_tables))
    # an agency "transfers" to a site: the loader keeps it with a warning
    data.add((URIRef(rdf.node_iri("Organization", "agency-1")), URIRef(rdf.relation_property("TRANSFERS_TO")),
              URIRef(rdf.node_iri("Organization", "tj-site-1"))))
    assert _shacl(data, allow_warnings=True)[0]
    conforms, _, text = _shacl(data)
    assert not conforms and "sh:Warning" in text


def test_vocabulary_labels_every_term_in_chinese_and_english(tiny_tables):
    from rdflib import URIRef
    from rdflib.namespace import RDF, RDFS

    from graph import rdf

    V = rdf.vocabulary_graph()
    data = rdf.to_rdf(tiny_tables, build_graph(tiny_tables))
    used = {p for p in data.predicates() if str(p).startswith(rdf.VOCAB)}
    used |= {o for o in data.objects(None, RDF.type) if str(o).startswith(rdf.VOCAB)}
    assert used
    for term in used:
        langs = {lit.language for lit in V.objects(term, RDFS.label)}
        assert {"zh", "en"} <= langs, term
    for label in schema.NODE_LABELS:
        assert (URIRef(rdf.class_iri(label)), RDFS.label, None) in V
    assert (URIRef(rdf.class_iri("Organization")), RDFS.subClassOf, URIRef("https://schema.org/Organization")) in V
    assert (URIRef(rdf.class_iri("Sector")), RDFS.subClassOf,
            URIRef("http://www.w3.org/2004/02/skos/core#Concept")) in V


def test_rdf_loader_names_the_file_on_a_syntax_error(tmp_path):
    from graph.errors import InputError
    from loaders.rdf import read_rdf

    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b \n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_rdf(bad)
    p = err.value.problems[0]
    assert p.file == "broken.ttl" and p.message.startswith("not readable as turtle: ")


def test_rdf_loader_names_the_subject_of_a_bad_value(tiny_tables, tmp_path):
    from rdflib import Literal, URIRef

    from graph.errors import InputError
    from loaders.rdf import read_rdf
    from graph import rdf

    data = rdf.to_rdf(tiny_tables, build_graph(tiny_tables))
    pf = rdf.node_iri("Organization", "bj-pf-1")
    data.set((URIRef(pf), URIRef(rdf.VOCAB + "province"), Literal("上海")))
    path = tmp_path / "bad.ttl"
    data.serialize(path, format="turtle")
    with pytest.raises(InputError) as err:
        read_rdf(path)
    assert [str(p) for p in err.value.problems] == [
        f"bad.ttl <{pf}>, column 'province': expected 北京, 天津 or 河北 (or 北京市, Beijing …), got '上海'"]


def test_rdf_loader_without_organizations(tmp_path):
    from graph.errors import InputError
    from loaders.rdf import read_rdf

    path = tmp_path / "empty.ttl"
    path.write_text("<http://x/a> <http://x/b> <http://x/c> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty.ttl: no organizations found: expected subjects typed with a class"):
        read_rdf(path)


# ----------------------------------------------------------------------------- GraphML and GEXF


def _flat_equal(F: nx.MultiDiGraph, H: nx.MultiDiGraph) -> bool:
    # readers add an edge 'id' (GEXF) and default dicts (GraphML); the rest must be identical
    def edges(X):
        return sorted(((u, v, k, {a: b for a, b in d.items() if a != "id"}) for u, v, k, d in
                       X.edges(keys=True, data=True)), key=repr)

    return dict(F.nodes(data=True)) == dict(H.nodes(data=True)) and edges(F) == edges(H)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_networkx_reads_graphml_and_gexf_back_identically(fmt, any_tables, tmp_path):
    G = build_graph(any_tables)
    out = export(any_tables, fmt, _out(tmp_path, fmt))
    H = nx.read_graphml(out, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(out)
    assert _flat_equal(to_flat_graph(G), H)
    assert same_graph(G, from_flat_graph(H))


def test_graphml_attributes_are_typed(tiny_tables, tmp_path):
    text = export(tiny_tables, "graphml", tmp_path / "g.graphml").read_text(encoding="utf-8")
    for name, typ in (("lat", "double"), ("year", "long"), ("independent_legal_entity", "boolean"),
                      ("degree", "long"), ("sectors", "string"), ("weight", "double")):
        assert f'attr.name="{name}" attr.type="{typ}"' in text, name


def test_flat_graph_ids_and_lists(tiny_graph):
    F = to_flat_graph(tiny_graph)
    assert F.nodes["Sector:S_H2"]["category"] == "Sector"
    assert F.nodes["tj-site-1"]["sectors"] == "S_H2;S_IC"
    assert F.nodes["bj-pf-1"]["label"] == "样例氢能中试平台"
    assert len({k for _, _, k in F.edges(keys=True)}) == F.number_of_edges()  # unique edge ids for Gephi


# ----------------------------------------------------------------------------- neo4j-admin CSV


def _read_neo4j(folder) -> KnowledgeGraph:
    """A graph from the import files, reading each header's type as neo4j-admin would."""
    G = KnowledgeGraph()

    def conv(value: str, typ: str | None):
        if value == "":
            return None
        if typ == "long":
            return int(value)
        if typ == "double":
            return float(value)
        if typ == "boolean":
            return value == "true"
        if typ == "string[]":
            return value.split(";")
        return value

    def parse_header(h):
        name, _, typ = h.partition(":")
        return name, typ or None

    for path in sorted(folder.glob("nodes_*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header = rows[0]
        assert header[0].startswith("id:ID(") and header[1] == ":LABEL"
        space = header[0][len("id:ID("):-1]
        props = [parse_header(h) for h in header[2:]]
        for r in rows[1:]:
            labels = r[1].split(";")
            attrs = {n: conv(v, t) for (n, t), v in zip(props, r[2:])}
            attrs = {k: v for k, v in attrs.items() if v is not None}
            attrs["id"] = r[0]
            attrs["label"] = labels[-1]
            G.add_node(r[0] if space == "Organization" else (space, r[0]), **attrs)
    for path in sorted(folder.glob("rels_*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header = rows[0]
        s_space = header[0][len(":START_ID("):-1]
        e_space = header[1][len(":END_ID("):-1]
        assert header[2] == ":TYPE"
        props = [parse_header(h) for h in header[3:]]
        for r in rows[1:]:
            u = r[0] if s_space == "Organization" else (s_space, r[0])
            v = r[1] if e_space == "Organization" else (e_space, r[1])
            attrs = {n: conv(x, t) for (n, t), x in zip(props, r[3:])}
            G.add_edge(u, v, key=r[2], **{k: x for k, x in attrs.items() if x is not None})
    return G


def test_neo4j_csv_round_trips_with_typed_headers(any_tables, tmp_path):
    out = export(any_tables, "neo4j-csv", tmp_path / "neo4j")
    G = build_graph(any_tables)
    H = _read_neo4j(out)
    # neo4j keeps the node order of the files; compare as graphs
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(G.edges(keys=True, data=True), key=repr) == sorted(H.edges(keys=True, data=True), key=repr)
    header = (out / "nodes_organizations.csv").read_text(encoding="utf-8").splitlines()[0]
    for h in ("id:ID(Organization)", ":LABEL", "sectors:string[]", "lat:double", "independent_legal_entity:boolean",
              "degree:long"):
        assert h in header.split(","), h
    assert (out / "rels_TRANSFERS_TO.csv").read_text(encoding="utf-8").splitlines()[0] == \
        ":START_ID(Organization),:END_ID(Organization),:TYPE,year:long,weight:double,source"


def test_neo4j_readme_gives_the_import_command_for_every_file(tiny_tables, tmp_path):
    out = export(tiny_tables, "neo4j-csv", tmp_path / "neo4j")
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "neo4j-admin database import full" in readme
    for f in out.glob("*.csv"):
        kind = "--nodes=" if f.name.startswith("nodes_") else "--relationships="
        assert f"{kind}{f.name}" in readme
    assert '--array-delimiter=";"' in readme


# ----------------------------------------------------------------------------- contract CSV


def test_csv_export_is_a_valid_input_folder(any_tables, tmp_path):
    import loaders

    out = export(any_tables, "csv", tmp_path / "csv")
    assert sorted(p.name for p in out.iterdir()) == ["organizations.csv", "relations.csv", "sectors.csv",
                                                     "services.csv"]
    back = loaders.read_folder(out)
    assert any_tables.equals(back)
    assert same_graph(build_graph(any_tables), build_graph(back))


def test_csv_export_opens_in_excel_with_chinese(tiny_tables, tmp_path):
    out = export(tiny_tables, "csv", tmp_path / "csv")
    raw = (out / "organizations.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM makes Excel read UTF-8
    assert "样例氢能中试平台".encode() in raw


# ----------------------------------------------------------------------------- hostile strings


def test_hostile_names_survive_every_export_unchanged(hostile_tables, tmp_path):
    import loaders
    from loaders.rdf import read_rdf

    G = build_graph(hostile_tables)
    for fmt in ("turtle", "jsonld"):
        assert same_graph(G, build_graph(read_rdf(export(hostile_tables, fmt, _out(tmp_path, fmt)))))
    H = nx.read_graphml(export(hostile_tables, "graphml", tmp_path / "g.graphml"), force_multigraph=True)
    assert H.nodes["bj-pf-1"]["name"] == HOSTILE["bj-pf-1"]
    K = nx.read_gexf(export(hostile_tables, "gexf", tmp_path / "g.gexf"))
    assert K.nodes["bj-uni-1"]["name"] == HOSTILE["bj-uni-1"]
    assert loaders.read_folder(export(hostile_tables, "csv", tmp_path / "csv", raw=True)).equals(hostile_tables)
    neo = _read_neo4j(export(hostile_tables, "neo4j-csv", tmp_path / "neo4j"))
    assert {neo.nodes[i]["name"] for i in HOSTILE} == set(HOSTILE.values())


def test_hostile_names_are_escaped_in_xml(hostile_tables, tmp_path):
    text = export(hostile_tables, "graphml", tmp_path / "g.graphml").read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


# ----------------------------------------------------------------------------- the command


def test_cli_export_from_a_store(cli, tmp_path):
    import loaders

    store = tmp_path / "store"
    code, _, err = cli("build", "--data", "tests/data/tiny", "--store", store)
    assert code == 0, err
    code, out, err = cli("export", "--format", "csv", "--out", tmp_path / "out", "--store", store)
    assert code == 0, err
    assert out.strip() == f"wrote {tmp_path / 'out'}"
    assert loaders.read_folder(tmp_path / "out").equals(loaders.read_folder("tests/data/tiny"))
    code, out, err = cli("export", "--out", tmp_path / "g.ttl", "--store", store)
    assert code == 0 and (tmp_path / "g.ttl").stat().st_size > 0
    code, _, err = cli("export", "--format", "xls", "--out", tmp_path / "x", "--store", store)
    assert code == 1 and err.startswith("Error: no export format 'xls'; the formats are: turtle")


@pytest.mark.parametrize("fmt, suffix", [("turtle", ".ttl"), ("jsonld", ".jsonld"), ("graphml", ".graphml"),
                                         ("shacl", ".ttl")])
def test_a_file_name_without_extension_gets_the_formats_and_builds_back(cli, fmt, suffix, tmp_path):
    store = tmp_path / "store"
    code, _, err = cli("build", "--data", "tests/data/tiny", "--store", store)
    assert code == 0, err
    code, out, err = cli("export", "--format", fmt, "--out", tmp_path / "X", "--store", store)
    assert code == 0, err
    assert out.strip() == f"wrote {tmp_path / ('X' + suffix)}"
    assert not (tmp_path / "X").exists() and (tmp_path / ("X" + suffix)).stat().st_size > 0
    if fmt == "turtle":
        code, _, err = cli("build", "--data", tmp_path / "X.ttl", "--store", tmp_path / "again")
        assert code == 0, err
