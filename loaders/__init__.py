"""Files → validated tables, ready for ``graph.build_graph``.

``read_folder`` reads a data folder or ``.xlsx`` workbook in the contract's format, checks every
rule, and returns ``graph.Tables`` — or raises one ``InputError`` listing every problem with file,
row and column. It never builds a graph and never writes anything.
"""

from __future__ import annotations

from pathlib import Path

from graph import data as bundled
from graph import schema
from graph.errors import InputError
from graph.tables import Tables, empty_table

from .cells import check_cells
from .organizations import validate_organizations
from .read import RawTable, read_csv, read_source
from .relations import validate_relations
from .resolve import NameIndex, RegionIndex
from .taxonomy import validate_regions, validate_sectors, validate_services

__all__ = ["read_folder", "read_bundled", "read_taxonomy", "validate_raw"]


def read_taxonomy(path: Path, table: str):
    """Read and validate one bundled taxonomy CSV (``sectors``, ``services`` or ``regions``)."""
    raw = read_csv(path, schema.TABLES[table])
    validate = {"sectors": validate_sectors, "services": validate_services, "regions": validate_regions}[table]
    return validate(raw)


def read_folder(path: str | Path) -> Tables:
    """Read, normalize and validate a data folder, an ``.xlsx`` workbook or an RDF file.

    Parameters
    ----------
    path : str or Path
        A folder holding ``organizations.csv`` (and optionally ``relations.csv``, ``sectors.csv``,
        ``services.csv``), a workbook with sheets of those names, or Turtle / JSON-LD in the
        vocabulary of ``graph.rdf`` (``.ttl``, ``.jsonld``).

    Returns
    -------
    Tables
        Validated tables; ``tables.warnings`` lists what was kept but looks wrong.

    Raises
    ------
    InputError
        Every problem found, each with file, row, column and what was expected.

    Examples
    --------
    >>> t = read_folder(TINY)
    >>> sorted(t.organizations["type"].unique())[:3]
    ['agency', 'alliance', 'enterprise']
    """
    from .rdf import guess_rdf_format, read_rdf

    if guess_rdf_format(path):
        return read_rdf(path)
    raws, source = read_source(path)
    return validate_raw(raws, source)


def validate_raw(raws: dict[str, RawTable], source: str) -> Tables:
    """Validate raw tables (as read from a folder, a workbook or RDF) into ``Tables``.

    Raises ``InputError`` with every problem of every table at once.
    """
    problems = []
    warnings = []
    # what any cell may hold, for every table at once (reported with the tables' own problems)
    cell_problems = []
    for raw in raws.values():
        found, warned = check_cells(raw)
        cell_problems.extend(found)
        warnings.extend(warned)

    def attempt(fn, *args):
        try:
            df, warn = fn(*args)
        except InputError as err:
            problems.extend(err.problems)
            return None
        warnings.extend(warn)
        return df

    sectors = attempt(validate_sectors, raws["sectors"]) if "sectors" in raws else attempt(
        read_taxonomy, bundled.SECTORS_CSV, "sectors")
    services = attempt(validate_services, raws["services"]) if "services" in raws else attempt(
        read_taxonomy, bundled.SERVICES_CSV, "services")
    regions = attempt(read_taxonomy, bundled.REGIONS_CSV, "regions")
    if problems:  # the organizations cannot be checked against a broken taxonomy
        raise InputError(problems + cell_problems)
    orgs = attempt(validate_organizations, raws["organizations"],
                   NameIndex(sectors, "sector", raws["sectors"].file if "sectors" in raws else "the bundled sectors"),
                   NameIndex(services, "service",
                             raws["services"].file if "services" in raws else "the bundled services"),
                   RegionIndex(regions))
    relations = None
    if "relations" in raws:
        # check relations against every id that was read, so both files' problems come at once
        raw_orgs = raws["organizations"].df
        types = {} if orgs is None else dict(zip(orgs["id"], orgs["type"]))
        if orgs is None:
            for i, t in zip(raw_orgs["id"], raw_orgs["type"]):
                ot = schema.org_type(t) if t else None
                types[i] = ot.key if ot else "enterprise"
        relations = attempt(validate_relations, raws["relations"], types)
    if problems or cell_problems:
        raise InputError(problems + cell_problems)
    return Tables(orgs, relations if relations is not None else empty_table("relations"),
                  sectors, services, regions, warnings=warnings, source=source)


def read_bundled() -> Tables:
    """The bundled real dataset with the bundled taxonomy.

    Examples
    --------
    >>> t = read_bundled()
    >>> bool(t.organizations["source"].notna().all())
    True
    """
    tables = read_folder(bundled.DATASET_DIR)
    tables.source = "bundled"
    return tables
