"""The territory as a map in the app, when there is geometry to draw it on.

A territory file with polygons (the geo extra), or a city of several districts
(drawn on its schematic layout, :func:`governance_sim.analysis.maps.scenario_places`),
is shown as a choropleth of its communities — or, for a city, of its streets and
townships — coloured by the app's metric, instead of the abstract network.
Without geometry (or without geopandas) :func:`map_shapes` gives ``None`` and the
app draws the network as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from governance_sim.engine import HOURS_PER_DAY
from governance_sim.viz.charts import (
    CMAPS,
    DEPARTMENT_COLUMNS,
    INK,
    NAN_COLOUR,
    _draw_departments,
    _scalar_mappable,
    metric_scale,
)
from governance_sim.viz.labels import department_label, tr
from governance_sim.viz.live import unit_utilisation
from governance_sim.viz.network import per_thousand


@dataclass
class MapShapes:
    """Polygons of the places the map colours: ``level`` is ``community`` or ``street``;
    ``frame`` a GeoDataFrame with a column ``index`` (the place's index in the model)."""

    level: str
    frame: object
    schematic: bool


def map_shapes(model) -> MapShapes | None:
    """The places of ``model`` to draw as a map, or ``None`` (no geometry, or no geo extra)."""
    try:
        from governance_sim.analysis.maps import scenario_places
        from governance_sim.geo import place_frame
    except ImportError:
        return None
    data = scenario_places(model.scenario)
    if data is None:
        return None
    t = model.territory
    schematic = getattr(data, "schematic", False)
    by_id = {c.place_id: i for i, c in enumerate(t.communities)}
    if not schematic:  # a file with polygons: its communities, if the model kept them
        frame = place_frame(data, "community")
        frame["index"] = frame["place_id"].map(by_id)
        frame = frame.dropna(subset=["index"])
        if len(frame) == len(t.communities):
            frame["index"] = frame["index"].astype(int)
            return MapShapes("community", frame, schematic)
    if not t.street_layer:
        return None
    frame = place_frame(data, "street")
    frame["index"] = frame["place_id"].map({sid: s for s, sid in enumerate(t.street_ids)})
    frame = frame.dropna(subset=["index"])
    if frame.empty:
        return None
    frame["index"] = frame["index"].astype(int)
    return MapShapes("street", frame, schematic)


def place_values(model, live, level: str, metric: str) -> np.ndarray:
    """The metric per community or street: backlog (open cases per 1,000 households),
    satisfaction (mean rating), workload (utilisation of the place's own office)."""
    t = model.territory
    if level == "community":
        key = np.asarray(model.community_of_grid, dtype=np.int64)
        n = len(t.communities)
    else:
        comm = np.asarray(model.street_of_community, dtype=np.int64)
        key = comm[np.asarray(model.community_of_grid, dtype=np.int64)]
        n = len(t.streets)
    households = np.bincount(key, weights=[g.households for g in t.grids], minlength=n)
    if metric == "backlog":
        return per_thousand(np.bincount(key, weights=live.open_by_grid, minlength=n), households)
    if metric == "satisfaction":
        s = np.bincount(key, weights=live.rating_sum_by_grid, minlength=n)
        c = np.bincount(key, weights=live.rating_count_by_grid, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(c > 0, s / np.where(c > 0, c, 1), np.nan)
    workdays = model.calendar.workdays_between(0.0, model.day * HOURS_PER_DAY)
    offices = model.community_offices if level == "community" else model.street_offices
    return np.array([unit_utilisation(o, workdays) for o in offices], dtype=float)


def department_tiles(model, lang: str) -> list[tuple[str, int, int]]:
    """(label, queue, staff) for the band under the map: each department, or — in a city —
    each district's departments together and each municipal department."""
    if model.city is None:
        return [(department_label(d.name, d.label, lang), d.backlog, d.staff) for d in model.departments]
    tiles: dict[str, list[int]] = {}
    for d, k in zip(model.departments, model.city.department_district, strict=True):
        label = model.territory.districts[k] if k >= 0 else department_label(d.name, d.label, lang)
        tile = tiles.setdefault(label, [0, 0])
        tile[0] += d.backlog
        tile[1] += d.staff
    return [(label, q, s) for label, (q, s) in tiles.items()]


def map_figure(shapes: MapShapes, values: np.ndarray, metric: str, lang: str,
               departments: list[tuple[str, int, int]]) -> Figure:
    """The choropleth (one colour per place) with the department band under it."""
    rows = max(1, -(-len(departments) // DEPARTMENT_COLUMNS))
    fig = Figure(figsize=(6.6, 5.4 + 0.55 * rows))
    gs = fig.add_gridspec(2, 1, height_ratios=[5.4, 0.3 + 0.55 * rows], hspace=0.06, left=0.02,
                          right=0.87, top=0.95, bottom=0.01)
    ax, band = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
    frame = shapes.frame.copy()
    frame["value"] = values[frame["index"].to_numpy()]
    norm = metric_scale(metric, values)
    cmap = colormaps[CMAPS[metric]]
    frame.plot(column="value", ax=ax, cmap=cmap, norm=norm, edgecolor="white", linewidth=0.3,
               missing_kwds={"color": NAN_COLOUR})
    ax.set_axis_off()
    ax.set_aspect("equal")
    title = f"{tr('territory_map', lang)} — {tr(metric, lang)} · {tr(shapes.level, lang)}"
    if shapes.schematic:
        title += f"  ({tr('schematic_layout', lang)})"
    ax.set_title(title, fontsize=10.5, color=INK, loc="left")
    cax = ax.inset_axes([1.0, 0.08, 0.022, 0.55])
    cb = fig.colorbar(_scalar_mappable(cmap, norm), cax=cax)
    cb.set_label(tr(f"{metric}_unit", lang), fontsize=7.5, color=INK)
    cb.ax.tick_params(labelsize=7)
    cb.outline.set_visible(False)
    _draw_departments(band, departments, lang, DEPARTMENT_COLUMNS)
    return fig
