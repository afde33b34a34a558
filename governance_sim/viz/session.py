"""One live run behind the page: the model, its live metrics and its drawing, stepped on demand.

:class:`LiveRun` is what the Solara page holds.  It is plain Python (no
Solara), so tests and notebooks can drive it directly.  A lock keeps a
step in the play thread and a render in the page thread from interleaving.
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from governance_sim.cases import OPEN, RESOLVED
from governance_sim.engine import HOURS_PER_DAY
from governance_sim.model import DEFAULT_SCENARIO, GovernanceModel
from governance_sim.scenario import Scenario, load_scenario
from governance_sim.viz import charts
from governance_sim.viz.labels import department_label, reason_label, tr
from governance_sim.viz.live import LiveMetrics, role_workload, unit_utilisation
from governance_sim.viz.network import MAX_GRID_NODES, build_layout, node_values

SCENARIO_ENV = "GOVSIM_VIZ_SCENARIO"
VARIANT_ENV = "GOVSIM_VIZ_VARIANT"
SERIES_KEYS = ("day", "open_cases", "backlog_departments", "backlog_street", "backlog_community")


def scenario_source() -> str:
    """The scenario the app opens: ``$GOVSIM_VIZ_SCENARIO`` or the shipped Beijing street."""
    return os.environ.get(SCENARIO_ENV) or str(DEFAULT_SCENARIO)


def initial_variant() -> str | None:
    return os.environ.get(VARIANT_ENV) or None


def variant_names(source: str | Path | dict) -> list[str]:
    """The base scenario's own variant name first, then the scenario's ``variants`` table."""
    base = load_scenario(source)
    names = [base.variant]
    names += [v for v in base.variants if v not in names]
    return names


def model_node_values(model, live: LiveMetrics, layout, metric: str) -> np.ndarray:
    """Colour values of the drawing's nodes for ``metric``, from the model and its live metrics."""
    grid_util = comm_util = None
    if metric == "workload":
        wd = model.calendar.workdays_between(0.0, model.day * HOURS_PER_DAY)
        util = [unit_utilisation(w, wd) for w in model.grid_workers]
        grid_util = np.array([util[w] for w in model.grid_worker_of_grid], dtype=float)
        comm_util = np.array([unit_utilisation(o, wd) for o in model.community_offices], dtype=float)
    return node_values(
        layout, metric, open_by_grid=live.open_by_grid,
        households_by_grid=np.array([g.households for g in model.territory.grids]),
        rating_sum_by_grid=live.rating_sum_by_grid,
        rating_count_by_grid=live.rating_count_by_grid,
        community_of_grid=model.community_of_grid, grid_utilisation=grid_util,
        community_utilisation=comm_util,
    )


def territory_png(model, live: LiveMetrics, layout, metric: str, lang: str, shapes=None) -> bytes:
    """The network with its department band as PNG bytes — or, given ``shapes``
    (:func:`~governance_sim.viz.territory_map.map_shapes`), the territory as a map."""
    if shapes is not None:
        from governance_sim.viz import territory_map

        values = territory_map.place_values(model, live, shapes.level, metric)
        return charts.to_png(territory_map.map_figure(shapes, values, metric, lang,
                                                      territory_map.department_tiles(model, lang)))
    t = model.territory
    fig = charts.territory_figure(
        layout, model_node_values(model, live, layout, metric), metric, lang,
        zone_of_community=[c.zone for c in t.communities],
        street_of_community=[c.street for c in t.communities],
        departments=[(department_label(d.name, d.label, lang), d.backlog, d.staff) for d in model.departments],
        street_queues=[s.backlog for s in model.street_offices])
    return charts.to_png(fig)


class LiveRun:
    """A model built from (scenario, variant, seed, overrides) with incremental metrics."""

    def __init__(self, source: str | Path | dict | Scenario, variant: str | None = None,
                 seed: int | None = None, overrides: dict[str, Any] | None = None,
                 max_grid_nodes: int = MAX_GRID_NODES):
        self.scenario = load_scenario(source, variant, overrides or None, seed=seed)
        self.overrides = dict(overrides or {})
        self.model = GovernanceModel(self.scenario)
        self.live = LiveMetrics(self.model)
        self.layout = build_layout(self.model.territory, max_grid_nodes)
        from governance_sim.viz.territory_map import map_shapes

        self.map = map_shapes(self.model)  # None: no geometry, the network is drawn
        self.lock = threading.Lock()

    # ------------------------------------------------------------------ running
    @property
    def running(self) -> bool:
        return bool(self.model.running)

    @property
    def day(self) -> int:
        return self.model.day

    def step(self, days: int = 1) -> int:
        """Advance up to ``days`` days (stops at the end of the run); return the days advanced."""
        done = 0
        with self.lock:
            while done < days and self.model.running:
                self.model.step()
                self.live.update()
                done += 1
        return done

    # ------------------------------------------------------------------ figures for the page
    def kpis(self) -> dict[str, float]:
        m, live = self.model, self.live
        return {
            "day": m.day, "days": m.days, "open_cases": live.open_cases,
            "reported": m.counters["reported"], "resolved": m.counters["resolved"],
            "response_rate": live.response_rate, "resolution_rate": live.resolution_rate,
            "satisfaction_rate": live.satisfaction_rate, "buckpass": m.counters["buckpass"],
        }

    def series(self) -> dict[str, list[float]]:
        """Daily DataCollector rows for the open-case chart (lists, no DataFrame)."""
        mv = self.model.datacollector.model_vars
        return {k: list(mv[k]) for k in SERIES_KEYS if k in mv}

    def workdays(self) -> int:
        return self.model.calendar.workdays_between(0.0, self.model.day * HOURS_PER_DAY)

    def node_values(self, metric: str) -> np.ndarray:
        return model_node_values(self.model, self.live, self.layout, metric)

    def department_queues(self, lang: str) -> list[tuple[str, int, int]]:
        return [(department_label(d.name, d.label, lang), d.backlog, d.staff) for d in self.model.departments]

    def street_queues(self) -> list[int]:
        return [s.backlog for s in self.model.street_offices]

    def workload(self) -> dict[str, dict[str, float]]:
        return role_workload(self.model)

    @property
    def standard_week_h(self) -> float:
        cal = self.scenario.calendar
        return cal.workday_hours * cal.workdays_per_week

    # ------------------------------------------------------------------ case table
    def unit_label(self, key: str, lang: str) -> str:
        """``department:3`` → 城管执法局 / urban_mgmt; ``grid_worker:12`` → 网格员13 / grid worker 13."""
        role, _, idx = key.partition(":")
        if not idx.lstrip("-").isdigit():
            return key
        i = int(idx)
        m = self.model
        if role == "department" and 0 <= i < len(m.departments):
            d = m.departments[i]
            return department_label(d.name, d.label, lang)
        unit = m.units.get((role, i))
        if role in ("community_office", "street_office") and unit is not None:
            return unit.name.rsplit("·", 1)[-1]
        if role == "grid_worker":
            return f"网格员{i + 1}" if lang == "zh" else f"grid worker {i + 1}"
        if role == "district_center":
            return unit.name if m.city is not None and unit is not None and lang == "zh" \
                else tr("district_center", lang)
        if role == "municipal_center":
            return tr("municipal_center", lang)
        label = tr(role, lang)
        return f"{label}{i + 1}" if lang == "zh" else f"{label} {i + 1}"

    def handoff_path(self, case, lang: str) -> str:
        """The route of a case: units joined by → with the reason of unusual hops (退回, 吹哨)."""
        if not case.handoffs:
            if case.holder:
                return self.unit_label(case.holder, lang)
            channel = {"grid_worker": "grid_worker", "community": "community",
                       "street": "street"}.get(case.channel, case.channel)
            return f"{tr(channel, lang)} · {tr('awaiting_intake', lang)}" if channel else "—"
        parts = [self.unit_label(case.handoffs[0][0], lang)] if case.handoffs[0][0] != "-" else []
        for _, dst, _, reason in case.handoffs:
            hop = self.unit_label(dst, lang)
            if reason in ("buckpass", "whistle", "escalate", "eruption", "petition"):
                hop += f"（{reason_label(reason, lang)}）" if lang == "zh" else f" ({reason_label(reason, lang)})"
            parts.append(hop)
        return " → ".join(parts)

    def last_cases(self, n: int, lang: str) -> list[dict[str, str]]:
        """The ``n`` most recently closed cases, newest first, as display strings: their
        whole route from intake to the unit that closed them."""
        m = self.model
        rows = []
        with self.lock:
            for c in reversed(self.live.recently_closed):
                cat = m.categories[c.category]
                status = {OPEN: tr("open", lang), RESOLVED: tr("resolved", lang)}.get(
                    c.status, tr("closed_on_paper", lang))
                wait = c.t_first_response - c.t_reported
                comm = m.territory.communities[c.community].name.rsplit("·", 1)[-1]
                rows.append({
                    "case_id": str(c.id),
                    "category": cat.label if lang == "zh" else cat.name,
                    "where": comm,
                    "status": status,
                    "closed_day": "—" if math.isnan(c.t_closed) else str(int(c.t_closed // 24) + 1),
                    "response_h": "—" if math.isnan(wait) else f"{wait:.1f}",
                    "rating": "—" if math.isnan(c.satisfaction) else f"{c.satisfaction:.2f}",
                    "path": self.handoff_path(c, lang),
                })
                if len(rows) >= n:
                    break
        return rows
