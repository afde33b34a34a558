"""One city's tables from its districts' (a city run as districts).

Rules, so that the merged tables read as one run of the whole city:

* **ids** — cases are numbered district after district (``case_id`` and ``repeat_of``
  shifted by the cases of the districts before); grid, community, street and
  household indices are the city layout's (as the one-model city numbers them);
  each worker shifts its districts' cases (:func:`shift_cases`), and they are written
  district by district into one file (:mod:`governance_sim.partition.stream`);
  units are numbered role by role, district after district (``department:12``,
  ``district_center:3``), in ``workers.unit`` and in the cases' ``handoff_path``;
  departments, 区指挥中心 and municipal seats carry ``@<district id>`` in their names.
* **timeseries** — counts and backlogs add up day by day; ``mean_trust`` is the mean
  over every household (districts weighted by households); ``satisfaction_rate`` is
  the city's satisfied ratings over its ratings.
* **summary** — :func:`governance_sim.metrics.summary_row` over the written cases and the
  merged workers, with what it reads from a model taken from the districts: event counters
  and summons counts summed, trust averaged over every household, each overlay's columns
  by its own rule (``Overlay.merge_summaries``: the hotline's from the summed tallies and
  every appraisal row, streets ranked summed; counts added up and shares of the sums for
  the others).
  The written cases are read back with only the columns these read (``metrics.SUMMARISED``).
* **places** and **panel** — built from the written cases and the merged workers on the
  city's layout, as for the one-model city (municipal seat shares and municipal department
  shares count at city level, like the municipal units they share out).
* **groups** (``groups:``) — every district's households' group and end trust, joined in
  the city's household order, feed the summary's and places' columns by group.
* **panel** ``treated`` / ``cohort`` — from the city's reform timetable (``schedule:``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from governance_sim import metrics
from governance_sim.appraisal import summons_summary_of
from governance_sim.groups import place_columns
from governance_sim.panel import panel_frame
from governance_sim.places import places_frame
from governance_sim.schedule import compile_plan

SUMMED_BY_DAY_EXCEPT = ("day", "warmup", "mean_trust", "satisfaction_rate", "_rated", "_satisfied")
CASE_PLACE_COLUMNS = ("grid", "community", "street", "household")


def unit_offsets(counts: dict[int, dict[str, int]]) -> dict[int, dict[str, int]]:
    """Where each district's units of each role start in the city's numbering."""
    at: dict[str, int] = {}
    out = {}
    for k in sorted(counts):
        out[k] = {role: at.get(role, 0) for role in counts[k]}
        for role, n in counts[k].items():
            at[role] = at.get(role, 0) + n
    return out


def case_offsets(counts: dict[int, int]) -> dict[int, int]:
    """Where each district's cases start in the city's numbering (district after district)."""
    out, first = {}, 0
    for k in sorted(counts):
        out[k] = first
        first += counts[k]
    return out


def shift_cases(cases: pd.DataFrame, first: int, places: dict[str, int]) -> pd.DataFrame:
    """One district's cases table with the city's ids: ``case_id`` and ``repeat_of`` moved by
    ``first`` (the cases of the districts before), each place column by the district's start
    in the city layout (``places``: column → offset); ``-1`` (none) stays."""
    cases["case_id"] = cases["case_id"] + first
    cases["repeat_of"] = np.where(cases["repeat_of"] >= 0, cases["repeat_of"] + first, cases["repeat_of"])
    for col in CASE_PLACE_COLUMNS:
        cases[col] = np.where(cases[col] >= 0, cases[col] + places[col], cases[col])
    return cases


def place_offsets(plan) -> dict[int, dict[str, int]]:
    """Each district's start in the city layout, by case place column."""
    layout = {"grid": plan.layout.grid, "community": plan.layout.community,
              "street": plan.layout.street, "household": plan.layout.household}
    return {k: {col: layout[col][k] for col in CASE_PLACE_COLUMNS} for k in range(len(plan.layout.grid))}


def merge_timeseries(parts: dict[int, dict]) -> pd.DataFrame:
    keys = sorted(parts)
    frames = [parts[k]["timeseries"].reset_index(drop=True) for k in keys]
    out = frames[0][["day", "warmup"]].copy()
    for col in frames[0].columns:
        if col not in SUMMED_BY_DAY_EXCEPT:
            out[col] = sum(f[col] for f in frames)
    households = sum(parts[k]["n_households"] for k in keys)
    out["mean_trust"] = sum(f["mean_trust"] * parts[k]["n_households"] for f, k in zip(frames, keys, strict=True)) / households
    rated = sum(f["_rated"] for f in frames)
    satisfied = sum(f["_satisfied"] for f in frames)
    out["satisfaction_rate"] = (satisfied / rated.where(rated > 0)).astype(float)
    return out[[c for c in frames[0].columns if c not in ("_rated", "_satisfied")]]


class _Summons:
    def __init__(self, counters: dict[str, int]):
        self.counters = counters

    def summons_summary(self) -> dict[str, float]:
        return summons_summary_of(self.counters)


class _Arrangement:
    def __init__(self, summaries: list[dict]):
        if any(summaries):  # check_partition lets in only arrangements without summary columns
            raise NotImplementedError("no rule to merge the arrangement's summary columns")

    def summary(self, model) -> dict[str, float]:
        return {}


class _MergedOverlay:
    """An overlay's summary columns over the districts: its own rule
    (:meth:`~governance_sim.overlays.base.Overlay.merge_summaries`) on their parts."""

    def __init__(self, name: str, parts: list[dict]):
        from governance_sim.registry import OVERLAYS

        self.name = name
        self.columns = OVERLAYS[name].merge_summaries(parts)
        if self.columns is None:  # check_partition lets in only overlays with a rule
            raise NotImplementedError(f"no rule to merge the summary columns of overlay {name!r}")

    def summary(self, model) -> dict[str, float]:
        return self.columns


class _GridWorker:
    def __init__(self, grids: list[int]):
        self.grids = grids


class _CityDepartments:
    def __init__(self, department_district: list[int]):
        self.department_district = department_district


class _Timetable:
    def __init__(self, plan):
        self.plan = plan


class _Population:
    """Households' groups and end trust over the city, district after district (as the city's
    household indices run), for the metrics by group (groups.py)."""

    def __init__(self, parts: list[dict]):
        self.group_names = parts[0]["names"]
        self.group = np.concatenate([p["group"] for p in parts])
        self.trust = np.concatenate([p["trust"] for p in parts])


class CityView:
    """What :func:`~governance_sim.metrics.summary_row`, :func:`~governance_sim.places.places_frame`
    and :func:`~governance_sim.panel.panel_frame` read from a model, for a city run as districts."""

    def __init__(self, plan, parts: dict[int, dict]):
        keys = sorted(parts)
        sc = plan.scenario
        self.scenario = sc
        self.population = _Population([parts[k]["groups"] for k in keys]) if sc.groups else None
        # the panel's treated / cohort: the city's timetable, as the one-model city reads it
        self.timetable = _Timetable(compile_plan(sc)) if sc.schedule else None
        self.territory = plan.territory
        self.resident_spec = sc.roles.resident
        self.warmup_days = sc.warmup_days
        self.days = sc.warmup_days + sc.days
        self.day = parts[keys[0]]["day"]
        self.counters = _sum_dicts([parts[k]["counters"] for k in keys])
        self.at_warmup_end: dict = {}
        self.appraisal = _Summons(_sum_dicts([parts[k]["summons"] for k in keys]))
        self.arrangement = _Arrangement([parts[k]["arrangement"] for k in keys])
        # in the models' order, as the one-model summary takes them
        self.overlays = [_MergedOverlay(name, [dict(parts[k]["overlays"])[name] for k in keys])
                         for name, _ in parts[keys[0]]["overlays"]]
        self._trust = (sum(parts[k]["trust_sum"] for k in keys), sum(parts[k]["n_households"] for k in keys))
        self.grid_workers = [_GridWorker([g + plan.layout.grid[k] for g in grids])
                             for k in keys for grids in parts[k]["grid_worker_grids"]]
        self.city = _CityDepartments([-1 if municipal else k for k in keys
                                      for municipal in parts[k]["department_municipal"]])

    def mean_trust(self) -> float:
        total, households = self._trust
        return total / households


def _sum_dicts(dicts: list[dict]) -> dict:
    out: dict = {}
    for d in dicts:
        for key, value in d.items():
            out[key] = out.get(key, 0) + value
    return out


def merge(plan, parts: dict[int, dict], cases: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The run's tables but the cases (untagged): summary (one row), timeseries, workers, places,
    panel.  ``cases`` is the city's cases table as written (:mod:`governance_sim.partition.stream`),
    its free-text columns left out."""
    workers = pd.concat([parts[k]["workers"] for k in sorted(parts)], ignore_index=True)
    workers = workers.fillna({c: 0.0 for c in workers.columns if c.startswith("hours_")})
    view = CityView(plan, parts)
    summary = pd.DataFrame([metrics.summary_row(view, cases, workers)])
    return {"summary": summary, "timeseries": merge_timeseries(parts), "workers": workers,
            "places": place_columns(view, cases, places_frame(view, cases, workers)),
            "panel": panel_frame(view, cases)}
