"""The territory as a drawable network: node positions, edges, and the values that colour nodes.

Levels follow MODEL.md §2: 区 → 街道 → 社区 → 网格, with 片区 (zones) as
groupings.  Communities sit at their lattice position (``Community.pos``),
grids on a small ring around their community, streets and the district in
rows above.  When a territory has more than ``max_grid_nodes`` grids the
grids are not drawn and their values are summed (or pooled) into their
community, so a 1,000-grid district stays readable and fast to draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

MAX_GRID_NODES = 300
METRICS = ("backlog", "satisfaction", "workload")


@dataclass
class NetworkLayout:
    """Nodes (parallel lists) and edges of the drawing; ``index`` is the node's index in its level."""

    aggregated: bool
    kind: list[str] = field(default_factory=list)  # district / street / community / grid
    index: list[int] = field(default_factory=list)
    label: list[str] = field(default_factory=list)
    xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    size: np.ndarray = field(default_factory=lambda: np.zeros(0))
    edges: list[tuple[int, int, str]] = field(default_factory=list)  # (node, node, kind)
    zones: list[list[int]] = field(default_factory=list)  # community indices per zone
    community_node: list[int] = field(default_factory=list)  # node id of community i
    grid_node: list[int] = field(default_factory=list)  # node id of grid i (empty if aggregated)
    street_node: list[int] = field(default_factory=list)

    def nodes_of(self, kind: str) -> np.ndarray:
        return np.array([i for i, k in enumerate(self.kind) if k == kind], dtype=np.int64)


def build_layout(territory, max_grid_nodes: int = MAX_GRID_NODES) -> NetworkLayout:
    """Positions and edges for ``territory``; grids are folded into communities above the limit."""
    comms = territory.communities
    aggregated = len(territory.grids) > max_grid_nodes
    lay = NetworkLayout(aggregated=aggregated, zones=[list(z) for z in territory.zones])
    xy: list[tuple[float, float]] = []
    sizes: list[float] = []

    def add(kind: str, index: int, label: str, pos: tuple[float, float], size: float) -> int:
        lay.kind.append(kind)
        lay.index.append(index)
        lay.label.append(label)
        xy.append(pos)
        sizes.append(size)
        return len(lay.kind) - 1

    cpos = np.array([c.pos for c in comms], dtype=float) if comms else np.zeros((0, 2))
    top = float(cpos[:, 1].max()) if len(cpos) else 0.0
    mid = float(cpos[:, 0].mean()) if len(cpos) else 0.0
    pops = np.array([c.population for c in comms], dtype=float)
    scale = math.sqrt(pops.max()) if len(pops) and pops.max() > 0 else 1.0

    streets = territory.streets if territory.street_layer else []
    centres = []
    for s in range(len(streets)):
        members = [i for i, c in enumerate(comms) if c.street == s]
        centres.append(cpos[members].mean(axis=0) if members else np.array([mid, top]))
    centres = np.array(centres).reshape(-1, 2)
    # streets stacked in bands (row-major blocks) sit left of their band, else above the map
    stacked = len(centres) > 1 and np.ptp(centres[:, 1]) > np.ptp(centres[:, 0])
    if stacked:
        left = float(cpos[:, 0].min())
        ys = _spread(list(centres[:, 1]), min_gap=1.0)
        street_pos = [(left - 1.3, y) for y in ys]
        root_pos = (left - 2.7, float(np.mean(ys)))
    else:
        xs = _spread(list(centres[:, 0]), min_gap=1.4) if len(centres) else []
        street_pos = [(x, top + 1.05) for x in xs]
        root_pos = (mid, top + (1.75 if streets else 1.2))
    root = add("district", 0, territory.district, root_pos, 420.0)
    for s, name in enumerate(streets):
        node = add("street", s, name, street_pos[s], 260.0)
        lay.street_node.append(node)
        lay.edges.append((root, node, "parent"))
    for ci, c in enumerate(comms):
        size = 50.0 + 170.0 * math.sqrt(max(c.population, 0)) / scale
        node = add("community", ci, c.name, (float(cpos[ci, 0]), float(cpos[ci, 1])), size)
        lay.community_node.append(node)
        parent = lay.street_node[c.street] if territory.street_layer and c.street >= 0 else root
        lay.edges.append((parent, node, "parent"))
    for a, b in sorted(territory.adjacency):
        lay.edges.append((lay.community_node[a], lay.community_node[b], "adjacent"))
    if not aggregated:
        lay.grid_node = [-1] * len(territory.grids)
        for ci, c in enumerate(comms):
            n = len(c.grids)
            radius = 0.3 if n > 1 else 0.0
            for k, gi in enumerate(c.grids):
                angle = 2 * math.pi * k / max(n, 1) + math.pi / 4
                pos = (cpos[ci, 0] + radius * math.cos(angle), cpos[ci, 1] + radius * math.sin(angle))
                node = add("grid", gi, territory.grids[gi].name, pos, 24.0)
                lay.grid_node[gi] = node
                lay.edges.append((lay.community_node[ci], node, "parent"))
    lay.xy = np.array(xy, dtype=float).reshape(-1, 2)
    lay.size = np.array(sizes, dtype=float)
    return lay


def _spread(xs: list[float], min_gap: float) -> list[float]:
    """Nudge sorted x positions apart so that labels of neighbouring streets do not collide."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = list(xs)
    for prev, cur in zip(order, order[1:], strict=False):
        if out[cur] - out[prev] < min_gap:
            out[cur] = out[prev] + min_gap
    if order:
        shift = (max(out) + min(out)) / 2 - (max(xs) + min(xs)) / 2
        out = [x - shift for x in out]
    return out


def sum_by_community(values_by_grid: np.ndarray, community_of_grid, n_communities: int) -> np.ndarray:
    """Add grid values up to their community (e.g. open cases)."""
    return np.bincount(np.asarray(community_of_grid, dtype=np.int64),
                       weights=np.asarray(values_by_grid, dtype=float), minlength=n_communities)


def per_thousand(counts, households) -> np.ndarray:
    """Counts per 1,000 households (0 where there are no households)."""
    hh = np.asarray(households, dtype=float)
    return np.asarray(counts, dtype=float) * 1000.0 / np.where(hh > 0, hh, np.inf)


def pooled_mean_by_community(sums_by_grid: np.ndarray, counts_by_grid: np.ndarray,
                             community_of_grid, n_communities: int) -> np.ndarray:
    """Mean over every observation in a community (not the mean of grid means); NaN if none."""
    s = sum_by_community(sums_by_grid, community_of_grid, n_communities)
    n = sum_by_community(counts_by_grid, community_of_grid, n_communities)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, s / np.where(n > 0, n, 1), np.nan)


def node_values(layout: NetworkLayout, metric: str, *, open_by_grid, households_by_grid,
                rating_sum_by_grid, rating_count_by_grid, community_of_grid, grid_utilisation,
                community_utilisation) -> np.ndarray:
    """The colour value of each node for ``metric`` (NaN for district and street nodes).

    backlog — open cases per 1,000 households in the grid / community (a
    density, so grids and communities share one colour scale); satisfaction
    — mean rating of closed cases there; workload — utilisation of the
    grid's 网格员 and of the community office (居委会).
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; allowed: {METRICS}")
    n_comm = len(layout.community_node)
    out = np.full(len(layout.kind), np.nan)
    if metric == "backlog":
        grid_v = per_thousand(open_by_grid, households_by_grid)
        comm_v = per_thousand(sum_by_community(open_by_grid, community_of_grid, n_comm),
                              sum_by_community(households_by_grid, community_of_grid, n_comm))
    elif metric == "satisfaction":
        with np.errstate(invalid="ignore", divide="ignore"):
            counts = np.asarray(rating_count_by_grid, dtype=float)
            grid_v = np.where(counts > 0, np.asarray(rating_sum_by_grid) / np.where(counts > 0, counts, 1), np.nan)
        comm_v = pooled_mean_by_community(rating_sum_by_grid, rating_count_by_grid,
                                          community_of_grid, n_comm)
    else:
        grid_v = np.asarray(grid_utilisation, dtype=float)
        comm_v = np.asarray(community_utilisation, dtype=float)
    out[layout.community_node] = comm_v
    if layout.grid_node:
        out[layout.grid_node] = grid_v
    return out
