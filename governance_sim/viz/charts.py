"""Matplotlib figures of the app: the territory network with its department band, and live charts.

Each function takes plain data (arrays, dicts) and a language and returns a
``matplotlib.figure.Figure`` (no pyplot: figures are built in server threads).
``to_png`` turns one into bytes for the page.
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from governance_sim.fonts import use_cjk_font
from governance_sim.viz.labels import tr
from governance_sim.viz.network import NetworkLayout

use_cjk_font()

INK = "#263238"
MUTED = "#90a4ae"
NAN_COLOUR = "#e0e0e0"
CMAPS = {"backlog": "YlOrRd", "satisfaction": "RdYlGn", "workload": "PuBu"}
TILE_COLOURS = ["#e3f2fd", "#fff3e0", "#e8f5e9", "#f3e5f5", "#fffde7", "#e0f7fa", "#fce4ec",
                "#f1f8e9", "#ede7f6", "#efebe9"]
SERIES = {"open_cases": "#c62828", "backlog_departments": "#6a1b9a", "backlog_street": "#1565c0",
          "backlog_community": "#2e7d32"}
RATES = {"response": "#1565c0", "resolution": "#2e7d32", "satisfaction": "#ef6c00"}
DEPARTMENT_COLUMNS = 8
ACTIVITY_COLOURS = {"case_work": "#1e88e5", "vertical": "#8e24aa", "paperwork": "#fb8c00",
                    "admin": "#e53935", "patrol": "#43a047"}


def to_png(fig: Figure, dpi: int = 110) -> bytes:
    """PNG bytes; figures set their own margins (a tight bounding box would draw them twice)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=8)
    ax.grid(True, color="#eceff1", linewidth=0.8)
    ax.set_axisbelow(True)


def _short(label: str) -> str:
    """``街道1·社区3`` → ``社区3``: the last part of a generated name."""
    return label.rsplit("·", 1)[-1]


def metric_scale(metric: str, values: np.ndarray) -> Normalize:
    """Colour scale: satisfaction is 0–1, the others run from 0 to their current maximum."""
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if len(finite) else 0.0
    if metric == "satisfaction":
        return Normalize(0.0, 1.0)
    if metric == "workload":
        return Normalize(0.0, max(1.0, top))
    return Normalize(0.0, max(1.0, top))


# --------------------------------------------------------------------------- territory


def territory_figure(layout: NetworkLayout, values: np.ndarray, metric: str, lang: str, *,
                     zone_of_community: list[int], street_of_community: list[int],
                     departments: list[tuple[str, int, int]],
                     street_queues: list[int] | None = None) -> Figure:
    """The network (tiles = streets or zones, nodes coloured by ``metric``) and the department band.

    ``departments`` holds (label, queue length, staff) per 职能部门.
    """
    n_dept = len(departments)
    cols = DEPARTMENT_COLUMNS
    rows = max(1, math.ceil(n_dept / cols))
    # the map keeps its aspect: size the figure to it (data span + tile and label margins)
    span = np.ptp(layout.xy, axis=0) + np.array([2.0, 1.3]) if len(layout.xy) else np.array([4.0, 3.0])
    width = 6.6
    net_h = float(np.clip(width * 0.85 * span[1] / span[0] + 0.4, 2.8, 6.6))
    band_h = 0.3 + 0.55 * rows
    fig = Figure(figsize=(width, net_h + band_h))
    gs = fig.add_gridspec(2, 1, height_ratios=[net_h, band_h], hspace=0.06, left=0.02,
                          right=0.87, top=0.95, bottom=0.01)
    ax = fig.add_subplot(gs[0])
    band = fig.add_subplot(gs[1])
    _draw_network(ax, layout, values, metric, lang, zone_of_community, street_of_community,
                  street_queues)
    _draw_departments(band, departments, lang, cols)
    return fig


def _draw_network(ax, layout, values, metric, lang, zone_of_community, street_of_community,
                  street_queues) -> None:
    xy = layout.xy
    comm_nodes = layout.community_node
    # background tiles: a block per street, shaded by zone (片区) when there are zones
    tiles, tile_colours = [], []
    use_zones = any(z >= 0 for z in zone_of_community)
    for ci, node in enumerate(comm_nodes):
        group = zone_of_community[ci] if use_zones else street_of_community[ci]
        x, y = xy[node]
        tiles.append(Rectangle((x - 0.5, y - 0.5), 1.0, 1.0))
        tile_colours.append(TILE_COLOURS[group % len(TILE_COLOURS)] if group >= 0 else "#f5f5f5")
    ax.add_collection(PatchCollection(tiles, facecolors=tile_colours, edgecolors="white",
                                      linewidths=1.0, zorder=0))
    if use_zones:
        for zi, members in enumerate(layout.zones):
            if members:  # label the zone's top-left tile
                x, y = min((tuple(xy[comm_nodes[c]]) for c in members), key=lambda p: (-p[1], p[0]))
                ax.text(x - 0.46, y + 0.46, f"{tr('zone', lang)}{zi + 1}", fontsize=6.5,
                        color="#607d8b", va="top", ha="left", zorder=1)

    # hierarchy: district → street → its block of communities; community → grids; neighbours
    segs, faint = [], []
    for a, b, kind in layout.edges:
        ka, kb = layout.kind[a], layout.kind[b]
        if kind == "adjacent":
            faint.append((xy[a], xy[b]))
        elif ka == "street" and kb == "community":
            continue  # drawn once per street, to the top of its block
        else:
            segs.append((xy[a], xy[b]))
    for s, node in enumerate(layout.street_node):
        members = [comm_nodes[ci] for ci, st in enumerate(street_of_community) if st == s]
        if members:
            segs.append((xy[node], _block_anchor(xy[members], xy[node])))
    if not layout.street_node:
        root = layout.nodes_of("district")
        if len(root) and comm_nodes:
            segs.append((xy[root[0]], _block_anchor(xy[comm_nodes], xy[root[0]])))
    borders = _street_borders(layout, street_of_community)
    if borders:
        ax.add_collection(LineCollection(borders, colors="#546e7a", linewidths=1.4, zorder=1))
    ax.add_collection(LineCollection(segs, colors="#78909c", linewidths=0.8, alpha=0.7, zorder=1))
    if faint:
        ax.add_collection(LineCollection(faint, colors="#b0bec5", linewidths=0.6,
                                         linestyles=(0, (2, 2)), zorder=1))

    cmap = colormaps[CMAPS[metric]]
    coloured = np.concatenate([layout.nodes_of("community"), layout.nodes_of("grid")])
    norm = metric_scale(metric, values[coloured] if len(coloured) else values)
    for kind, lw, z in (("grid", 0.3, 2), ("community", 0.7, 3)):
        nodes = layout.nodes_of(kind)
        if not len(nodes):
            continue
        colours = [cmap(norm(v)) if np.isfinite(v) else NAN_COLOUR for v in values[nodes]]
        ax.scatter(xy[nodes, 0], xy[nodes, 1], s=layout.size[nodes], c=colours,
                   edgecolors="#455a64", linewidths=lw, zorder=z)
    for kind, marker, colour in (("district", "s", INK), ("street", "D", "#546e7a")):
        nodes = layout.nodes_of(kind)
        if len(nodes):
            ax.scatter(xy[nodes, 0], xy[nodes, 1], s=layout.size[nodes] * 0.6, c=colour,
                       marker=marker, zorder=3)
    # labels beside nodes; above them when streets are stacked to the left of the map
    above = bool(layout.street_node) and xy[layout.street_node[0], 0] < xy[comm_nodes, 0].min() - 0.5
    offset = dict(xytext=(0, 9), ha="center", va="bottom") if above else dict(xytext=(10, 0), va="center")
    for node in layout.nodes_of("district"):
        ax.annotate(layout.label[node], xy[node], textcoords="offset points", fontsize=9,
                    color=INK, weight="bold", **offset)
    for s, node in enumerate(layout.street_node):
        text = layout.label[node]
        if street_queues is not None and s < len(street_queues):
            text += f"\n{tr('queue', lang)} {street_queues[s]}"
        ax.annotate(text, xy[node], textcoords="offset points", fontsize=7, color=INK,
                    linespacing=1.1, **offset)
    if len(comm_nodes) <= 48:
        for node in comm_nodes:
            x, y = xy[node]
            ax.text(x - 0.46, y - 0.46, _short(layout.label[node]), fontsize=6, color="#546e7a",
                    ha="left", va="bottom", zorder=4)
    ax.set_aspect("equal")
    ax.autoscale_view()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    ax.set_xlim(x0 - 0.1, x1 + 0.9)
    ax.set_ylim(y0 - 0.1, y1 + 0.2)
    ax.axis("off")
    title = f"{tr('territory', lang)} — {tr(metric, lang)}"
    if layout.aggregated:
        title += f"  ({tr('aggregated_note', lang)})"
    ax.set_title(title, fontsize=10.5, color=INK, loc="left")

    cax = ax.inset_axes([1.0, 0.08, 0.022, 0.55])
    cb = ax.figure.colorbar(_scalar_mappable(cmap, norm), cax=cax)
    cb.set_label(tr(f"{metric}_unit", lang), fontsize=7.5, color=INK)
    cb.ax.tick_params(labelsize=7)
    cb.outline.set_visible(False)


def _block_anchor(pts: np.ndarray, frm: np.ndarray) -> tuple[float, float]:
    """Where a parent's edge meets a block of community tiles: its top edge, or its left edge
    when the parent sits to the left."""
    if frm[0] < pts[:, 0].min() - 0.5:
        return float(pts[:, 0].min()) - 0.5, float(frm[1])
    return float(pts[:, 0].mean()), float(pts[:, 1].max()) + 0.5


def _street_borders(layout: NetworkLayout, street_of_community: list[int]) -> list:
    """Tile edges between neighbouring communities of different streets (街道 boundaries)."""
    node_of = {n: ci for ci, n in enumerate(layout.community_node)}
    out = []
    for a, b, kind in layout.edges:
        if kind != "adjacent" or street_of_community[node_of[a]] == street_of_community[node_of[b]]:
            continue
        (xa, ya), (xb, yb) = layout.xy[a], layout.xy[b]
        mx, my = (xa + xb) / 2, (ya + yb) / 2
        if abs(xa - xb) > abs(ya - yb):  # side by side: vertical border
            out.append(((mx, my - 0.5), (mx, my + 0.5)))
        else:
            out.append(((mx - 0.5, my), (mx + 0.5, my)))
    return out


def _scalar_mappable(cmap, norm):
    from matplotlib.cm import ScalarMappable

    sm = ScalarMappable(norm=norm, cmap=cmap)
    sm.set_array([])
    return sm


def _wrap(label: str, width: int) -> str:
    """Break a long department name over two lines (CJK by characters, English at _ or space)."""
    if len(label) <= width:
        return label
    if label.isascii():
        cut = max((i for i, ch in enumerate(label[: width + 1]) if ch in "_ "), default=width)
        return label[:cut] + "\n" + label[cut:].lstrip("_ ")
    half = math.ceil(len(label) / 2)
    return label[:half] + "\n" + label[half:]


def _draw_departments(ax, departments, lang: str, cols: int) -> None:
    ax.axis("off")
    ax.set_title(f"{tr('departments', lang)} — {tr('queue', lang)}", fontsize=9.5, color=INK,
                 loc="left", pad=2)
    if not departments:
        return
    top = max(1, max(q for _, q, _ in departments))
    cmap = colormaps["YlOrRd"]
    for i, (label, queue, _staff) in enumerate(departments):
        r, c = divmod(i, cols)
        x, y = c * 1.0, -r * 0.9
        share = queue / top
        ax.add_patch(FancyBboxPatch((x + 0.04, y + 0.04), 0.92, 0.78,
                                    boxstyle="round,pad=0,rounding_size=0.06",
                                    facecolor=cmap(0.05 + 0.85 * share), edgecolor="white"))
        ink = INK if share < 0.6 else "white"
        ax.text(x + 0.5, y + 0.58, _wrap(label, 6 if not label.isascii() else 12), ha="center",
                va="center", fontsize=6.5, color=ink, linespacing=1.0)
        ax.text(x + 0.5, y + 0.2, f"{queue}", ha="center", va="center", fontsize=10,
                color=ink, weight="bold")
    rows = math.ceil(len(departments) / cols)
    ax.set_xlim(0, cols)
    ax.set_ylim(-(rows - 1) * 0.9, 0.86)


# --------------------------------------------------------------------------- charts


def _empty(ax, lang: str) -> None:
    ax.text(0.5, 0.5, tr("no_data", lang), transform=ax.transAxes, ha="center", va="center",
            color=MUTED, fontsize=9)


def _small_figure(left: float = 0.12, bottom: float = 0.16) -> tuple[Figure, object]:
    fig = Figure(figsize=(4.8, 2.9))
    fig.subplots_adjust(left=left, right=0.97, top=0.88, bottom=bottom)
    ax = fig.subplots()
    _style(ax)
    return fig, ax


def open_cases_figure(series: dict[str, list[float]], lang: str) -> Figure:
    """Open cases and backlogs by level, one point per day (from the DataCollector's rows)."""
    fig, ax = _small_figure()
    days = series.get("day", [])
    if not days:
        _empty(ax, lang)
    marker = "o" if len(days) < 3 else None  # a lone day is a point, not a line
    for key, colour in SERIES.items():
        if key in series and days:
            ax.plot(days, series[key], color=colour, linewidth=2.0 if key == "open_cases" else 1.2,
                    label=tr(key, lang), marker=marker, markersize=3)
    if days:
        ax.legend(fontsize=7, frameon=False, loc="upper left")
        ax.set_ylim(bottom=0)
        ax.set_xlim(0, max(days[-1], 1))
    ax.set_title(tr("open_cases_chart", lang), fontsize=10, color=INK, loc="left")
    ax.set_xlabel(tr("day", lang), fontsize=8)
    ax.set_ylabel(tr("cases", lang), fontsize=8)
    return fig


def rates_figure(days: list[int], rates: dict[str, list[float]], lang: str) -> Figure:
    """三率 so far: response, resolution and satisfaction rates in per cent."""
    fig, ax = _small_figure()
    if not days:
        _empty(ax, lang)
    marker = "o" if len(days) < 3 else None
    for key, colour in RATES.items():
        v = np.asarray(rates.get(key, []), dtype=float) * 100
        if len(v) and np.isfinite(v).any():
            ax.plot(days, v, color=colour, linewidth=1.8, label=tr(f"{key}_rate", lang),
                    marker=marker, markersize=3)
    if days:
        ax.legend(fontsize=7, frameon=False, loc="lower left", ncol=3)
        ax.set_xlim(0, max(days[-1], 1))
    ax.set_ylim(0, 102)
    ax.set_title(tr("rates_chart", lang), fontsize=10, color=INK, loc="left")
    ax.set_xlabel(tr("day", lang), fontsize=8)
    ax.set_ylabel("%", fontsize=8)
    return fig


def response_histogram_figure(response_times: list[float], deadline_h: float, lang: str) -> Figure:
    """Distribution of hours from report to first response, with the deadline marked."""
    fig, ax = _small_figure()
    t = np.asarray(response_times, dtype=float)
    if len(t):
        top = max(float(np.quantile(t, 0.98)), deadline_h * 1.5)
        bins = np.linspace(0, top, 30)
        ax.hist(np.clip(t, 0, top), bins=bins, color="#42a5f5", edgecolor="white", linewidth=0.5)
        ax.axvline(deadline_h, color="#c62828", linewidth=1.2, linestyle="--")
        within = float((t <= deadline_h).mean()) * 100
        ax.text(deadline_h, ax.get_ylim()[1] * 0.95, f" {tr('deadline', lang)} {deadline_h:g} h · "
                f"{within:.0f}%", color="#c62828", fontsize=7.5, va="top")
    else:
        _empty(ax, lang)
    ax.set_title(tr("response_hist", lang), fontsize=10, color=INK, loc="left")
    ax.set_xlabel(tr("hours", lang), fontsize=8)
    ax.set_ylabel(tr("cases", lang), fontsize=8)
    return fig


def workload_figure(workload: dict[str, dict[str, float]], standard_week_h: float,
                    lang: str) -> Figure:
    """Hours per staff member per week by role, stacked by activity."""
    roles = list(workload)
    longest = max((len(tr(r, lang)) for r in roles), default=0)
    # room for the longest role name: English names ("community offices") run longer than Chinese
    fig, ax = _small_figure(left=min(0.4, max(0.2, 0.03 + 0.013 * longest * (2 if lang == "zh" else 1))),
                            bottom=0.3)
    ax.grid(True, axis="x", color="#eceff1")
    ax.grid(False, axis="y")
    if not roles:
        _empty(ax, lang)
    activities: list[str] = []
    for acts in workload.values():
        activities += [a for a in acts if a not in activities]
    left = np.zeros(len(roles))
    for act in activities:
        v = np.array([workload[r].get(act, 0.0) for r in roles])
        ax.barh(range(len(roles)), v, left=left, color=ACTIVITY_COLOURS.get(act, MUTED),
                label=tr(act, lang), height=0.62)
        left += v
    if roles:
        ax.set_yticks(range(len(roles)), [tr(r, lang) for r in roles], fontsize=7.5)
        ax.invert_yaxis()
        ax.axvline(standard_week_h, color=INK, linewidth=1.0, linestyle=":")
        ax.text(standard_week_h, -0.6, f"{tr('standard_week', lang)} ", fontsize=7, color=INK,
                va="bottom", ha="right")  # left of its line: the right edge would cut it
        ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  ncol=len(activities))
        ax.set_xlim(0, max(float(left.max()), standard_week_h) * 1.12)
    ax.set_title(tr("workload_chart", lang), fontsize=10, color=INK, loc="left")
    ax.set_xlabel(tr("hours_per_week", lang), fontsize=8)
    return fig
