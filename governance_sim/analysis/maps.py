"""Choropleth maps of the ``places`` table: backlog, 三率, response time and workload per place.

Drawn when the territory came from a file with polygons (GeoJSON,
GeoPackage, Shapefile — the geo extra), and for a city of several districts
(:mod:`governance_sim.city`) from a file without them: its streets and districts
are then drawn on the schematic layout the model uses (each community a cell of
the lattice), with the districts' real borders from ``cnmaps`` when that package
is installed.  Maps never enter the simulation.  Without the geo extra, or
without anything to draw, every function here returns nothing and raises
nothing.  Labels follow the ``lang="zh"|"en"`` convention of
:mod:`governance_sim.analysis.plots`.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from governance_sim.analysis.plots import labels as _use_lang  # noqa: E402
from governance_sim.places_data import PlaceData, load_places  # noqa: E402

METRICS = ("cases_in_process_end", "score", "response_time_mean_h", "workload_hours_per_week")
CMAPS = {"cases_in_process_end": "OrRd", "score": "RdYlGn", "response_time_mean_h": "YlOrRd",
         "workload_hours_per_week": "PuBu"}
MAP_LABELS = {
    "zh": {"cases_in_process_end": "积压 (期末在办案件)", "score": "三率得分 (三率均值)",
           "response_time_mean_h": "平均响应时间 (小时)", "workload_hours_per_week": "人均周工作时长 (小时)",
           "district": "区", "street": "街道/乡镇", "community": "社区/村", "no_data": "无数据",
           "schematic": "示意布局 (非真实边界)"},
    "en": {"cases_in_process_end": "backlog (cases in process at end)",
           "score": "三率 score (mean of the three rates)", "response_time_mean_h": "mean response time (h)",
           "workload_hours_per_week": "hours per person per week", "district": "districts",
           "street": "streets and townships", "community": "communities and villages", "no_data": "no data",
           "schematic": "schematic layout (not real borders)"},
}
LEVELS = ("district", "street", "community")


def scenario_places(scenario) -> PlaceData | None:
    """What to draw the scenario's places on: its territory file when it has polygons; for a
    city without them, the schematic layout (:func:`schematic_places`); else ``None``."""
    source = scenario.territory.source
    if source is None:
        return None
    data = load_places(source)
    if data.has_geometry:
        return data
    if len(data.districts) > 1 and scenario.territory.select is None:
        return schematic_places(scenario, data)
    return None


def schematic_places(scenario, data: PlaceData) -> PlaceData | None:
    """A copy of a city file with polygons for its streets and districts: the cells of the
    model's lattice layout (one per community), with real district borders from ``cnmaps``
    where installed.  ``None`` without shapely (the geo extra)."""
    try:
        import shapely
        from shapely.geometry import box
    except ImportError:
        return None
    from governance_sim.territory import build_territory

    t = build_territory(scenario)
    cells: dict[int, list] = {}
    for c in t.communities:
        x, y = c.pos
        cells.setdefault(c.street, []).append(box(x - 0.5, y - 0.5, x + 0.5, y + 0.5))
    geometry = {t.street_ids[s]: shapely.union_all(parts) for s, parts in cells.items()}
    for k, did in enumerate(t.district_ids):
        geometry[did] = shapely.union_all([geometry[t.street_ids[s]] for s, dk in
                                           enumerate(t.district_of_street) if dk == k])
    real = cnmaps_districts(data)
    geometry.update(real)
    out = PlaceData(data.path, data.places, geometry=geometry, digest=data.digest)
    out.schematic, out.real_borders = True, set(real)
    return out


def cnmaps_districts(data: PlaceData) -> dict:
    """Real district borders from the optional ``cnmaps`` package, by the file's district names
    (``{}`` when it is not installed or knows none of them)."""
    try:
        from cnmaps import get_adm_maps
    except ImportError:
        return {}
    cities = data.at_level("city")
    out = {}
    for d in data.districts:
        try:
            found = get_adm_maps(city=cities[0].name if cities else None, district=d.name, level="区县",
                                 only_polygon=True, record="first")
        except Exception:  # noqa: BLE001  (an unknown name or a data package problem: keep the schematic)
            continue
        if found is not None and not found.is_empty:
            out[d.id] = found
    return out


def _frame(data: PlaceData, places: pd.DataFrame, level: str):
    from governance_sim.geo import place_frame

    shapes = place_frame(data, level)
    values = places[places["level"] == level]
    # only the places of the run (a city file with one district selected has others)
    return shapes.merge(values.drop(columns=["name"], errors="ignore"), on="place_id", how="inner")


def _panel(ax, frame, metric: str, lang: str, vmin=None, vmax=None, names=False) -> None:
    L = MAP_LABELS[lang]
    frame.plot(column=metric, ax=ax, cmap=CMAPS[metric], legend=True, vmin=vmin, vmax=vmax,
               edgecolor="white", linewidth=0.4,
               missing_kwds={"color": "lightgrey", "label": L["no_data"]},
               legend_kwds={"shrink": 0.7})
    if names and len(frame) <= 40:
        for _, r in frame.iterrows():
            pt = r.geometry.representative_point()
            ax.annotate(str(r["name"]), (pt.x, pt.y), ha="center", va="center", fontsize=7)
    ax.set_axis_off()
    ax.set_aspect("equal")


def run_map_figures(places: pd.DataFrame, data: PlaceData, title: str = "", lang: str = "zh") -> dict:
    """One 2×2 figure per level (district, street, community) with at least two places: the four
    metrics of one run."""
    _use_lang(lang)
    L = MAP_LABELS[lang]
    figures = {}
    for level in LEVELS:
        frame = _frame(data, places, level)
        if len(frame) < 2:  # one place has nothing to compare on a map
            continue
        fig, axes = plt.subplots(2, 2, figsize=(12, 10))
        for ax, metric in zip(axes.flat, METRICS, strict=True):
            _panel(ax, frame, metric, lang, names=level in ("district", "street"))
            ax.set_title(L[metric])
        fig.suptitle(_heading(title, L, level, data), fontsize=13)
        fig.tight_layout()
        figures[level] = fig
    return figures


def _heading(title: str, L: dict, level: str, data: PlaceData) -> str:
    """The figure's title; a schematic layout says so (districts with real borders do not)."""
    head = f"{title} · {L[level]}" if title else L[level]
    real = getattr(data, "real_borders", set())
    schematic = getattr(data, "schematic", False) and not (
        level == "district" and all(d.id in real for d in data.districts))
    return f"{head} · {L['schematic']}" if schematic else head


def compare_map_figures(places: pd.DataFrame, variants: list[str], data: PlaceData, title: str = "",
                        lang: str = "zh") -> dict:
    """One figure per level: a row per metric, a column per variant (mean over replications),
    with one colour scale per metric so that the variants can be read against each other."""
    _use_lang(lang)
    L = MAP_LABELS[lang]
    numeric = [m for m in METRICS if m in places.columns]
    means = places.groupby(["variant", "level", "place_id"], sort=False)[numeric].mean().reset_index()
    figures = {}
    for level in LEVELS:
        frames = {v: _frame(data, means[means["variant"] == v], level) for v in variants}
        if all(len(f) < 2 for f in frames.values()):
            continue
        fig, axes = plt.subplots(len(METRICS), len(variants), squeeze=False,
                                 figsize=(4.2 * len(variants) + 1, 3.6 * len(METRICS)))
        for i, metric in enumerate(METRICS):
            both = pd.concat([f[metric] for f in frames.values()])
            vmin, vmax = (both.min(), both.max()) if both.notna().any() else (None, None)
            for j, v in enumerate(variants):
                ax = axes[i, j]
                _panel(ax, frames[v], metric, lang, vmin, vmax)
                ax.set_title(f"{v}\n{L[metric]}" if i == 0 else L[metric], fontsize=9)
        fig.suptitle(_heading(title, L, level, data), fontsize=13)
        fig.tight_layout()
        figures[level] = fig
    return figures


def save_figures(figures: dict, out: str | Path, prefix: str = "map") -> list[Path]:
    """Write ``<prefix>_<level>.png`` files, each whole or not at all; close the figures."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for level, fig in figures.items():
        target = out / f"{prefix}_{level}.png"
        tmp = out / f".{prefix}_{level}.partial.png"
        fig.savefig(tmp, dpi=110, bbox_inches="tight")
        os.replace(tmp, target)
        plt.close(fig)
        written.append(target)
    return written


def write_run_maps(result, out: str | Path, lang: str = "zh") -> list[Path]:
    """Maps of one run (:class:`~governance_sim.runner.RunResult`) into ``out``; none without polygons."""
    data = scenario_places(result.scenario)
    if data is None or result.places is None:
        return []
    sc = result.scenario
    return save_figures(run_map_figures(result.places, data, f"{sc.name} · {sc.variant}", lang), out)


def write_compare_maps(cmp, out: str | Path, lang: str = "zh") -> list[Path]:
    """Maps of a :class:`~governance_sim.analysis.compare.Comparison` (per variant, mean over
    replications); none without polygons."""
    if cmp.places_source is None or cmp.places is None or cmp.places.empty:
        return []
    data = load_places(cmp.places_source)
    if not data.has_geometry:
        raw = getattr(cmp, "map_scenario", None)
        if raw is None:
            return []
        from governance_sim.scenario import load_scenario

        data = scenario_places(load_scenario(raw))
        if data is None:
            return []
    return save_figures(compare_map_figures(cmp.places, cmp.variants, data, cmp.scenario_name, lang), out)
