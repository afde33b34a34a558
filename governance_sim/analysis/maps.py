"""Choropleth maps of the ``places`` table: backlog, 三率, response time and workload per place.

Drawn only when the territory came from a file with polygons (GeoJSON,
GeoPackage, Shapefile — the geo extra); otherwise every function here returns
nothing and raises nothing.  Labels follow the ``lang="zh"|"en"`` convention of
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
           "street": "街道/乡镇", "community": "社区/村", "no_data": "无数据"},
    "en": {"cases_in_process_end": "backlog (cases in process at end)",
           "score": "三率 score (mean of the three rates)", "response_time_mean_h": "mean response time (h)",
           "workload_hours_per_week": "hours per person per week", "street": "streets and townships",
           "community": "communities and villages", "no_data": "no data"},
}
LEVELS = ("street", "community")


def scenario_places(scenario) -> PlaceData | None:
    """The scenario's territory file when it has polygons, else ``None``."""
    source = scenario.territory.source
    if source is None:
        return None
    data = load_places(source)
    return data if data.has_geometry else None


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
    """One 2×2 figure per level (street, community) with at least two places: the four metrics
    of one run."""
    _use_lang(lang)
    L = MAP_LABELS[lang]
    figures = {}
    for level in LEVELS:
        frame = _frame(data, places, level)
        if len(frame) < 2:  # one place has nothing to compare on a map
            continue
        fig, axes = plt.subplots(2, 2, figsize=(12, 10))
        for ax, metric in zip(axes.flat, METRICS, strict=True):
            _panel(ax, frame, metric, lang, names=level == "street")
            ax.set_title(L[metric])
        fig.suptitle(f"{title} · {L[level]}" if title else L[level], fontsize=13)
        fig.tight_layout()
        figures[level] = fig
    return figures


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
        fig.suptitle(f"{title} · {L[level]}" if title else L[level], fontsize=13)
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
        return []
    return save_figures(compare_map_figures(cmp.places, cmp.variants, data, cmp.scenario_name, lang), out)
