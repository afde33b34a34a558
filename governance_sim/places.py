"""Outputs by place: the ``places`` table (市, 区, 街道/乡镇 and 社区/村 rows of one run).

Which streets fell behind, and why?  Every case is counted in the place where
its problem arose (its grid's community and street *as the territory was
laid out*, before an arrangement reshaped it), so the same places appear under
every arrangement and variants can be compared place by place — also under
区直管社区, where the street offices are gone but the streets' residents are not.

Per place: cases (created, reported, resolved, closed on paper, open), the 三率
(响应率, 解决率, 满意率, defined as in the run's summary) and their mean as a
score, mean response and resolution times, the workload of the units that sit
in the place (street office, community offices, grid workers), and — for streets
— the monthly rank on the 三率 score among the district's streets.  A city of
several districts (:mod:`governance_sim.city`) has a ``city`` row, a ``district``
row per district (with the work of its departments and 区指挥中心 too), and its
streets ranked among all the city's streets; every level sums to the run's totals.

The monthly rank is an observer's ranking computed from the cases (equal
weights of the three rates, as the hotline overlay's score; assumption): for
each full month, the cases reported in it, responded within the deadline,
resolved and rated by its end.  It does not feed back into the simulation.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from governance_sim.cases import CLOSED_ON_PAPER, OPEN, RESOLVED
from governance_sim.metrics import counted_cases, counted_days
from governance_sim.model import MONTH_DAYS
from governance_sim.territory import Territory, build_territory

PLACE_COLUMNS = [
    "level", "place_id", "name", "parent_id", "population", "households",
    "cases_created", "cases_reported", "cases_resolved", "cases_closed_on_paper", "cases_open_end",
    "cases_in_process_end", "cases_per_1000",
    "response_rate", "resolution_rate", "satisfaction_rate", "score",
    "response_time_mean_h", "resolution_time_mean_h",
    "staff", "hours_worked", "workload_hours_per_week", "utilisation",
    "rank_mean", "rank_last", "months_ranked", "streets_ranked", "kind",
]
COUNT_COLUMNS = ["cases_created", "cases_reported", "cases_resolved", "cases_closed_on_paper",
                 "cases_open_end", "cases_in_process_end"]
MONTH_COLUMNS = ["month", "street", "place_id", "name", "due", "response_rate", "resolution_rate",
                 "satisfaction_rate", "score", "rank"]
LOCAL_ROLES = ("street_office", "community_office", "grid_worker")


def layout_territory(model) -> Territory:
    """The territory as laid out from the scenario, before the arrangement reshaped it.

    Arrangements keep the grids (and their order) when they merge or remove units,
    so grid indices are shared between the two.
    """
    base = build_territory(model.scenario)
    if len(base.grids) != len(model.territory.grids):
        return model.territory
    return base


class _CaseArrays:
    """The columns of the cases table the places table needs, as numpy arrays."""

    def __init__(self, base: Territory, cases: pd.DataFrame, end: float, deadline: float, sat: float):
        comm_of_grid = np.array([g.community for g in base.grids], dtype=np.int64)
        street_of_comm = np.array([c.street for c in base.communities], dtype=np.int64)
        self.community = comm_of_grid[cases["grid"].to_numpy(dtype=np.int64)]
        self.street = street_of_comm[self.community] if len(self.community) else self.community
        status = cases["status"].to_numpy()
        self.t_reported = cases["t_reported"].to_numpy(dtype=float)
        self.t_first = cases["t_first_response"].to_numpy(dtype=float)
        self.t_resolved = cases["t_resolved"].to_numpy(dtype=float)
        self.t_closed = cases["t_closed"].to_numpy(dtype=float)
        self.satisfaction = cases["satisfaction"].to_numpy(dtype=float)
        self.reported = ~np.isnan(self.t_reported)
        self.resolved = status == RESOLVED
        self.paper = status == CLOSED_ON_PAPER
        self.open = status == OPEN
        self.deadline, self.sat, self.end = deadline, sat, end
        with np.errstate(invalid="ignore"):
            self.response_h = self.t_first - self.t_reported
            self.resolution_h = self.t_resolved - self.t_reported
            self.due = self.reported & (self.t_reported <= end - deadline)
            self.in_time = self.due & (self.response_h <= deadline)
            self.rated = self.reported & ~np.isnan(self.satisfaction)
            self.satisfied = self.rated & (self.satisfaction >= sat)

    def sums(self, key: np.ndarray, n: int) -> dict[str, np.ndarray]:
        """Per-group sums (``key`` = group of each case, ``n`` groups)."""
        def count(mask):
            return np.bincount(key[mask], minlength=n).astype(np.int64)

        def total(values, mask):
            return np.bincount(key[mask], weights=values[mask], minlength=n)

        has_resp = self.reported & ~np.isnan(self.response_h)
        has_res = self.reported & ~np.isnan(self.resolution_h)
        return {
            "cases_created": np.bincount(key, minlength=n).astype(np.int64),
            "cases_reported": count(self.reported),
            "cases_resolved": count(self.resolved),
            "cases_closed_on_paper": count(self.paper),
            "cases_open_end": count(self.open),
            "cases_in_process_end": count(self.open & self.reported),
            "resolved_reported": count(self.resolved & self.reported),
            "due": count(self.due), "in_time": count(self.in_time),
            "rated": count(self.rated), "satisfied": count(self.satisfied),
            "n_resp": count(has_resp), "sum_resp": total(self.response_h, has_resp),
            "n_res": count(has_res), "sum_res": total(self.resolution_h, has_res),
        }


def _ratio(a, b) -> float:
    return float(a / b) if b else math.nan


def _rates(t: dict, i: int) -> dict[str, float]:
    """The 三率, their mean and the mean times of group ``i`` (definitions of the run's summary)."""
    out = {
        "response_rate": _ratio(t["in_time"][i], t["due"][i]),
        "resolution_rate": _ratio(t["resolved_reported"][i], t["cases_reported"][i]),
        "satisfaction_rate": _ratio(t["satisfied"][i], t["rated"][i]),
    }
    known = [v for v in out.values() if v == v]
    out["score"] = float(np.mean(known)) if known else math.nan
    out["response_time_mean_h"] = _ratio(t["sum_resp"][i], t["n_resp"][i])
    out["resolution_time_mean_h"] = _ratio(t["sum_res"][i], t["n_res"][i])
    return out


def place_months_frame(model, cases: pd.DataFrame) -> pd.DataFrame:
    """Each street's 三率 and rank for each full month counted after the warm-up (rank 1 = best score)."""
    base = layout_territory(model)
    cases = counted_cases(model, cases)
    arr = _CaseArrays(base, cases, model.day * 24.0, model.scenario.metrics.response_deadline_h,
                      model.resident_spec.satisfied_threshold)
    return _months(base, arr, counted_days(model) // MONTH_DAYS, min(model.day, model.warmup_days) * 24.0)


def _months(base: Territory, arr: _CaseArrays, n_months: int, offset_h: float = 0.0) -> pd.DataFrame:
    """The street ranking of each full month counted after the warm-up (``offset_h``)."""
    n = len(base.streets)
    if n == 0:  # no street layer to rank
        return pd.DataFrame(columns=MONTH_COLUMNS)
    month_h = MONTH_DAYS * 24.0
    d = arr.deadline
    rows = []
    with np.errstate(invalid="ignore"):
        for month in range(1, n_months + 1):
            start, end = offset_h + (month - 1) * month_h, offset_h + month * month_h
            sub = arr.reported & (arr.t_reported >= start) & (arr.t_reported < end)
            due = sub & (arr.t_reported <= end - d)
            in_time = due & (arr.response_h <= d)
            solved = sub & (arr.t_resolved <= end)
            rated = sub & arr.rated & (arr.t_closed <= end)
            happy = rated & (arr.satisfaction >= arr.sat)
            c = {k: np.bincount(arr.street[m], minlength=n) for k, m in
                 (("sub", sub), ("due", due), ("in_time", in_time), ("solved", solved), ("rated", rated),
                  ("happy", happy))}
            block = []
            for s in range(n):
                r = {"month": month, "street": s, "place_id": base.street_ids[s], "name": base.streets[s],
                     "due": int(c["due"][s]), "response_rate": _ratio(c["in_time"][s], c["due"][s]),
                     "resolution_rate": _ratio(c["solved"][s], c["sub"][s]),
                     "satisfaction_rate": _ratio(c["happy"][s], c["rated"][s])}
                known = [r[k] for k in ("response_rate", "resolution_rate", "satisfaction_rate") if r[k] == r[k]]
                r["score"] = float(np.mean(known)) if known else math.nan
                block.append(r)
            ranks = pd.Series([r["score"] for r in block], dtype=float).rank(ascending=False, method="min")
            for r, rank in zip(block, ranks, strict=True):
                r["rank"] = float(rank)
            rows.extend(block)
    return pd.DataFrame(rows, columns=MONTH_COLUMNS)


def places_frame(model, cases: pd.DataFrame, workers: pd.DataFrame) -> pd.DataFrame:
    """One row per district, street and community of the run: see the module docstring."""
    base = layout_territory(model)
    weeks = counted_days(model) / 7.0
    cases = counted_cases(model, cases)  # as the summary: cases of the counted days only
    arr = _CaseArrays(base, cases, model.day * 24.0, model.scenario.metrics.response_deadline_h,
                      model.resident_spec.satisfied_threshold)
    n_comm, n_street = len(base.communities), len(base.streets)
    by_comm = arr.sums(arr.community, n_comm)
    by_street = arr.sums(arr.street, n_street) if n_street else None
    everything = arr.sums(np.zeros(len(cases), dtype=np.int64), 1)
    months = _months(base, arr, counted_days(model) // MONTH_DAYS, min(model.day, model.warmup_days) * 24.0)

    staff_of, hours_of, avail_of = _local_workload(model, base, workers)
    comm_of_grid = [g.community for g in base.grids]
    comm_units = {ci: [("community_office", ci)] for ci in range(n_comm)}
    for key in staff_of:
        if len(key) == 2 and key[0] == "grid_worker":
            comm_units[comm_of_grid[model.grid_workers[key[1]].grids[0]]].append(key)

    def row(level, pid, name, parent, population, households, sums, i, units, rank_rows=None):
        staff = sum(staff_of.get(u, 0) for u in units)
        hours = sum(hours_of.get(u, 0.0) for u in units)
        avail = sum(avail_of.get(u, 0.0) for u in units)
        r = {"level": level, "place_id": pid, "name": name, "parent_id": parent,
             "population": population, "households": households}
        for col in COUNT_COLUMNS:
            r[col] = int(sums[col][i])
        r["cases_per_1000"] = r["cases_reported"] / population * 1000.0 if population else math.nan
        r.update(_rates(sums, i))
        r.update({
            "staff": staff, "hours_worked": hours,
            "workload_hours_per_week": hours / staff / weeks if staff and weeks else math.nan,
            "utilisation": hours / avail if avail else math.nan,
            "rank_mean": math.nan, "rank_last": math.nan, "months_ranked": 0, "streets_ranked": 0,
        })
        if rank_rows is not None and len(rank_rows):
            ranked = rank_rows.dropna(subset=["rank"])
            r["months_ranked"] = len(ranked)
            r["streets_ranked"] = n_street
            if len(ranked):
                r["rank_mean"] = float(ranked["rank"].mean())
                r["rank_last"] = float(ranked["rank"].iloc[-1])
        return r

    top = "city" if base.is_city else "district"
    rows = [row(top, base.district_id, base.district, None, base.population, base.households,
                everything, 0, list(staff_of))]
    street_parent = [base.district_id] * n_street
    if base.is_city:  # a city: a row per district between the city and its streets
        street_parent = [base.district_ids[k] for k in base.district_of_street]
        rows += _district_rows(model, base, arr, row, staff_of, comm_units)
    for s, (sid, name) in enumerate(zip(base.street_ids, base.streets, strict=True)):
        members = base.communities_of_street(s)
        units = [("street_office", s)] + [u for ci in members for u in comm_units[ci]]
        rows.append(row("street", sid, name, street_parent[s],
                        sum(base.communities[ci].population for ci in members),
                        sum(base.communities[ci].households for ci in members),
                        by_street, s, units, months[months["street"] == s]))
    for ci, c in enumerate(base.communities):
        parent = base.street_ids[c.street] if c.street >= 0 else base.district_id
        rows.append(row("community", c.place_id, c.name, parent, c.population, c.households,
                        by_comm, ci, comm_units[ci]))
    _add_kinds(rows, base)
    return pd.DataFrame(rows, columns=PLACE_COLUMNS)


def _add_kinds(rows: list[dict], base: Territory) -> None:
    """The file's own word for each place (街道, 镇, 乡, 社区, 村 …), so urban streets and rural
    townships stay apart; a community split from a township is a village; '' from counts."""
    places = base.places
    kind_of = {p.id: p.kind for p in places.places} if places is not None else {}
    rural = {sid for sid in base.street_ids
             if kind_of.get(sid, "").lower() in ("township", "town", "乡镇", "乡", "镇")}
    for r in rows:
        kind = kind_of.get(r["place_id"], "")
        if not kind and places is not None and r["level"] == "community":
            kind = "village" if r["parent_id"] in rural else "community"
        r["kind"] = kind


def _district_rows(model, base: Territory, arr: _CaseArrays, row, staff_of, comm_units) -> list[dict]:
    """One row per district of a city: its cases, and the work of its streets, communities,
    departments and 区指挥中心 (municipal units count at city level only)."""
    district_of_street = np.asarray(base.district_of_street, dtype=np.int64)
    n = len(base.districts)
    sums = arr.sums(district_of_street[arr.street] if len(arr.street) else arr.street, n)
    dept_district = model.city.department_district if model.city is not None else []
    out = []
    for k, (did, name) in enumerate(zip(base.district_ids, base.districts, strict=True)):
        streets = [s for s in range(len(base.streets)) if district_of_street[s] == k]
        members = [ci for s in streets for ci in base.communities_of_street(s)]
        units = [("street_office", s) for s in streets] + [u for ci in members for u in comm_units[ci]]
        units += [("department", d, "district") for d, dk in enumerate(dept_district) if dk == k]
        units.append(("district_center", k, "district"))
        out.append(row("district", did, name, base.district_id,
                       sum(base.communities[ci].population for ci in members),
                       sum(base.communities[ci].households for ci in members), sums, k, units))
    return out


def _local_workload(model, base: Territory, workers: pd.DataFrame):
    """Staff, hours worked and hours available per unit key.  Units are placed in the laid-out
    territory only when the model kept its layout (same streets and communities); otherwise
    (e.g. merged communities) they count at district level alone."""
    same = (len(model.territory.communities) == len(base.communities)
            and model.territory.street_layer == base.street_layer)
    staff, hours, avail = {}, {}, {}
    for rec in workers.itertuples(index=False):
        role, _, index = rec.unit.partition(":")
        key = (role, int(index))
        if role not in LOCAL_ROLES or (not same and role != "grid_worker"):  # grids never move
            key = (role, int(index), "district")  # counted at district level only
        staff[key] = rec.staff
        hours[key] = rec.hours_worked
        avail[key] = rec.hours_available
    return staff, hours, avail


def check_totals(places: pd.DataFrame, summary: dict) -> dict[str, int]:
    """Differences between each level's summed counts and the run's totals (all zero when consistent)."""
    out = {}
    for level in ("city", "district", "street", "community"):
        rows = places[places["level"] == level]
        if rows.empty:
            continue
        for col in COUNT_COLUMNS:
            out[f"{level}.{col}"] = int(rows[col].sum()) - int(summary[col])
    return out
