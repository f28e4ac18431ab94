"""The network view's force layout, computed in Python before the page is written.

A page with thousands of nodes froze the browser while vis-network's physics ran (12 s blank at
2,000 organizations). Here the layout is done once, in numpy, and written into the page as fixed
positions with physics off, so the page paints at once.

The method is Fruchterman–Reingold with the repulsion of every node on every other computed on a
grid (particle–mesh): the nodes are binned into a 128 × 128 density grid, the grid is convolved with
the repulsion kernel by FFT, and each node reads the force of its cell. Springs pull along the
edges, a weak gravity keeps components together, and a last pass moves nodes apart so that no two
overlap. Cost per iteration: O(nodes + edges + grid log grid), about a second for 2,000
organizations in all; the same input gives the same positions.

Readers: anyone changing how the network view is arranged.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

__all__ = ["force_layout"]

_GRID = 128


@lru_cache(maxsize=4)
def _kernel(grid: int) -> tuple[np.ndarray, np.ndarray]:
    """FFTs of the x and y repulsion kernels (d / |d|², in cell units) on a zero-padded ``2 grid`` square.

    For cells of size ``h`` the force is this divided by ``h``, so the transforms are made once.
    """
    m = 2 * grid
    idx = np.fft.fftfreq(m, d=1.0 / m)  # 0, 1, … m/2-1, -m/2 … -1 (cell offsets, wrapped)
    dx, dy = np.meshgrid(idx, idx, indexing="ij")
    r2 = dx * dx + dy * dy
    r2[0, 0] = np.inf  # no force from one's own cell
    return np.fft.rfft2(dx / r2), np.fft.rfft2(dy / r2)


def force_layout(n: int, u: np.ndarray, v: np.ndarray, *, sizes: np.ndarray | None = None, iterations: int = 120,
                 seed: int = 7, spacing: float = 110.0, gravity: float = 1.0) -> np.ndarray:
    """Positions (``(n, 2)`` page pixels, centred on 0) for ``n`` nodes joined by edges ``u[i]``–``v[i]``.

    Parameters
    ----------
    n : int
        Number of nodes.
    u, v : array of int
        Edge ends, as node positions (an edge may repeat; self-loops are ignored).
    sizes : array of float, optional
        Node radii in pixels, kept apart in the final pass (default 12).
    iterations : int
        Force iterations (the temperature falls linearly to zero over them).
    seed : int
        The starting positions' seed.
    spacing : float
        About the distance between neighbours, in pixels.
    gravity : float
        Pull towards the centre: at 1.0 a node with no edge stays within about the graph's radius.

    Examples
    --------
    >>> pos = force_layout(4, np.array([0, 1, 2]), np.array([1, 2, 3]))
    >>> pos.shape, bool(np.isfinite(pos).all())
    ((4, 2), True)
    >>> d = lambda i, j: float(np.hypot(*(pos[i] - pos[j])))
    >>> d(0, 1) < d(0, 3)  # neighbours closer than the ends of the chain
    True
    """
    if n == 0:
        return np.zeros((0, 2))
    u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
    keep = u != v
    u, v = u[keep], v[keep]
    radii = np.full(n, 12.0) if sizes is None else np.asarray(sizes, dtype=float)
    linked = np.zeros(n, dtype=bool)
    linked[u] = linked[v] = True
    if not linked.all():
        # nodes without an edge go in tidy rows under the rest, not flung to the edge of the page
        out = np.zeros((n, 2))
        ids = np.flatnonzero(linked)
        renum = np.full(n, -1)
        renum[ids] = np.arange(len(ids))
        if len(ids):
            out[ids] = force_layout(len(ids), renum[u], renum[v], sizes=radii[ids], iterations=iterations,
                                    seed=seed, spacing=spacing, gravity=gravity)
        alone = np.flatnonzero(~linked)
        cols = max(1, int(math.ceil(math.sqrt(len(alone) * 3))))
        x0 = out[ids, 0].min() if len(ids) else 0.0
        y0 = (out[ids, 1].max() if len(ids) else 0.0) + 2 * spacing
        step = 2 * float(radii.max()) + spacing / 2
        for j, i in enumerate(alone.tolist()):
            out[i] = (x0 + (j % cols) * step, y0 + (j // cols) * step)
        return np.round(out, 1)
    rng = np.random.default_rng(seed)
    side = math.sqrt(n)
    pos = (rng.random((n, 2)) - 0.5) * side
    k = 1.0  # the ideal distance, in layout units
    temp = side / 10
    grid = _GRID if n > 500 else _GRID // 2  # a small graph needs no fine grid
    kx, ky = _kernel(grid)
    for it in range(iterations):
        lo = pos.min(axis=0) - 1e-6
        span = max(float((pos.max(axis=0) - lo).max()), 1e-3) * 1.0001
        h = span / grid
        cell = np.minimum(((pos - lo) / h).astype(np.int64), grid - 1)
        flat = cell[:, 0] * (2 * grid) + cell[:, 1]
        rho = np.bincount(flat, minlength=(2 * grid) ** 2).reshape(2 * grid, 2 * grid).astype(float)
        fr = np.fft.rfft2(rho)
        fx = np.fft.irfft2(fr * kx, s=rho.shape).ravel()[flat]
        fy = np.fft.irfft2(fr * ky, s=rho.shape).ravel()[flat]
        disp = np.column_stack((fx, fy)) * (k * k / h)
        # within one cell the grid sees no distance: a small exact push between such neighbours
        disp += (rng.random((n, 2)) - 0.5) * (k * 0.05)
        if len(u):
            d = pos[u] - pos[v]
            dist = np.sqrt((d * d).sum(axis=1)) + 1e-9
            f = d * (1.0 / k)  # linear springs: dense parts do not collapse into a ball
            for axis in (0, 1):  # bincount with weights: the fast np.add.at
                disp[:, axis] += np.bincount(v, f[:, axis], minlength=n) - np.bincount(u, f[:, axis], minlength=n)
        disp -= pos * (gravity * k)  # gravity: unconnected parts stay in sight
        length = np.sqrt((disp * disp).sum(axis=1)) + 1e-12
        pos += disp / length[:, None] * np.minimum(length, temp)[:, None]
        temp = max(side / 10 * (1 - (it + 1) / iterations), 0.01)
    pos -= pos.mean(axis=0)
    pos *= spacing / k
    return _separate(pos, radii)


def _separate(pos: np.ndarray, radii: np.ndarray, gap: float = 6.0, rounds: int = 6) -> np.ndarray:
    """Push overlapping discs apart (pairs found through a grid), a few rounds."""
    cell = 2 * float(radii.max()) + gap
    for _ in range(rounds):
        keys = np.floor(pos / cell).astype(np.int64)
        buckets: dict[tuple[int, int], list[int]] = {}
        for i, (a, b) in enumerate(keys.tolist()):
            buckets.setdefault((a, b), []).append(i)
        moved = False
        for (a, b), members in buckets.items():
            near = [j for da in (-1, 0, 1) for db in (-1, 0, 1) for j in buckets.get((a + da, b + db), ())]
            if len(near) < 2:
                continue
            idx = np.array(near)
            mine = np.array(members)
            d = pos[mine][:, None, :] - pos[idx][None, :, :]
            dist = np.sqrt((d * d).sum(-1))
            need = radii[mine][:, None] + radii[idx][None, :] + gap
            over = (dist < need) & (mine[:, None] != idx[None, :])
            if not over.any():
                continue
            moved = True
            dist = np.where(dist == 0, 1e-3, dist)
            push = (d / dist[..., None]) * ((need - dist) / 2 * over)[..., None]
            pos[mine] += push.sum(axis=1)
        if not moved:
            break
    return np.round(pos, 1)
