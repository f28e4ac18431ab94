"""The aggregated view: a sector × province matrix, for a selection larger than ``--max-nodes``.

Each row is a sector, each column a province (and a column for organizations with none). A cell
holds the number of organizations, by type (the page sums the types left ticked in its filter), is
coloured by the ``alliance-gaps`` that fall in it, and carries the command that draws that cell's
organizations (``jjjkg viz --sector … --province …``), which the page shows when the cell is clicked.

Where a gap falls: 北京无研发主体 and 北京无中试平台 in the 北京 cell; 津冀无量产承接 in the 天津 and
河北 cells; 无完整链路 in the row's three province cells; a gap naming an organization (平台无津冀放大 …)
in that organization's province cell.

Readers: anyone changing what the large-selection page shows.
"""

from __future__ import annotations

import re
import shlex
from collections import defaultdict

from graph import schema

from . import styles

__all__ = ["sector_province_matrix"]

_PLACE = {"NO_BEIJING_RND": (schema.BEIJING,), "NO_PILOT_PLATFORM": (schema.BEIJING,),
          "NO_SCALEUP_SITE": (schema.TIANJIN, schema.HEBEI),
          "NO_COMPLETE_PATH": (schema.BEIJING, schema.TIANJIN, schema.HEBEI)}
#: cell colours: no gap, a gap naming organizations, a gap of the whole sector
GAP_COLORS = {"none": "#e8f4ea", "entity": "#fde9c8", "sector": "#f9c9c4"}


def _arg(x: str) -> str:
    """A shell word: as is when plain (Chinese included), else quoted."""
    return x if re.fullmatch(r"[\w.:/=-]+", x) else shlex.quote(x)


def sector_province_matrix(G, orgs: list, max_nodes: int, narrowing: str, sector_name, gap_rows: list[dict]) -> dict:
    """The matrix as page data (see the module docstring).

    Parameters
    ----------
    G : KnowledgeGraph
    orgs : list
        The organizations selected (more than ``max_nodes``).
    max_nodes : int
        The page limit, to say whether a cell's command draws organizations or counts again.
    narrowing : str
        The ``--province``/``--type`` options the selection was made with (kept in the commands).
    sector_name : callable
        ``sector id → display name``.
    gap_rows : list of dict
        ``alliance-gaps`` records (``sector``, ``gap``, ``entity_id``).

    Returns
    -------
    dict
        ``sectors``, ``provinces``, ``types`` (with colours), ``cells`` and ``gapColors``.
    """
    from queries.alliance_gaps import GAP_ZH

    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for n in orgs:
        d = G.nodes[n]
        p = d.get("province") if d.get("province") in styles.PROVINCE_STYLES else ""
        for s in d.get("sectors") or ["—"]:
            counts[(s, p)][d.get("type", "")] += 1
    sectors = sorted({s for s, _ in counts}, key=lambda s: (s == "—", -sum(sum(counts[(s, p)].values())
                                                                             for p in [*styles.PROVINCE_STYLES, ""]), s))
    provinces = [p for p in [*styles.PROVINCE_STYLES, ""] if p or any(q == "" for _, q in counts)]
    gaps: dict[tuple[str, str], list[str]] = defaultdict(list)
    sector_gaps: dict[str, list[str]] = defaultdict(list)
    for r in gap_rows:
        if r["entity_id"] is None:
            sector_gaps[r["sector"]].append(r["gap"])
            for p in _PLACE.get(r["gap"], ()):
                gaps[(r["sector"], p)].append(r["gap"])
        elif r["entity_id"] in G:
            p = G.nodes[r["entity_id"]].get("province")
            gaps[(r["sector"], p if p in styles.PROVINCE_STYLES else "")].append(r["gap"])
    types = sorted({t for c in counts.values() for t in c if t}, key=list(schema.ORG_TYPES).index)
    cells = []
    for s in sectors:
        for p in provinces:
            by_type = dict(counts.get((s, p), {}))
            total = sum(by_type.values())
            found = gaps.get((s, p), [])
            level = ("sector" if any(g in _PLACE for g in found) else "entity" if found else "none")
            cmd = ["jjjkg", "viz"] + (["--sector", s] if s != "—" else []) + (["--province", p] if p else [])
            command = " ".join(_arg(x) for x in cmd) + narrowing
            if total > max_nodes:
                command += f" --max-nodes {total}"
            tally: dict[str, int] = defaultdict(int)
            for g in found:
                tally[g] += 1
            cells.append({"s": s, "p": p, "n": total, "byType": by_type, "level": level,
                          "gaps": [[g, GAP_ZH.get(g, g), c] for g, c in tally.items()], "cmd": command})
    return {
        "sectors": [{"key": s, "zh": "未分类" if s == "—" else sector_name(s),
                     "gaps": [[g, GAP_ZH.get(g, g)] for g in sector_gaps.get(s, [])]} for s in sectors],
        "provinces": [{"key": p, "zh": styles.province_style(p).zh, "en": styles.province_style(p).en} for p in provinces],
        "types": [{"key": t, "zh": schema.ORG_TYPES[t].zh, "en": schema.ORG_TYPES[t].en,
                   "color": schema.ORG_TYPES[t].color} for t in types],
        "cells": cells,
        "gapColors": GAP_COLORS,
    }
