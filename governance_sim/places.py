"""Outputs by place: the ``places`` table (区, 街道/乡镇 and 社区/村 rows of one run).

Which streets fell behind, and why?  Every case is counted in the place where
its problem arose (its grid's community and street *as the territory was
laid out*, before an arrangement reshaped it), so the same places appear under
every arrangement and variants can be compared place by place — also under
区直管社区, where the street offices are gone but the streets' residents are not.

Per place: cases (created, reported, resolved, closed on paper, open), the 三率
(响应率, 解决率, 满意率, defined as in the run's summary) and their mean as a
score, mean response and resolution times, the workload of the units that sit
in the place (street office, community offices, grid workers), and — for streets
— the monthly rank on the 三率 score among the district's streets.

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
from governance_sim.model import MONTH_DAYS
from governance_sim.territory import Territory, build_territory

PLACE_COLUMNS = [
    "level", "place_id", "name", "parent_id", "population", "households",
    "cases_created", "cases_reported", "cases_resolved", "cases_closed_on_paper", "cases_open_end",
    "cases_in_process_end", "cases_per_1000",
    "response_rate", "resolution_rate", "satisfaction_rate", "score",
    "response_time_mean_h", "resolution_time_mean_h",
    "staff", "hours_worked", "workload_hours_per_week", "utilisation",
    "rank_mean", "rank_last", "months_ranked", "streets_ranked",
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


def _rates(reported: pd.DataFrame, end: float, deadline: float, sat: float) -> dict[str, float]:
    """The 三率 and mean times of a set of reported cases (definitions of the run's summary)."""
    out = {}
    due = reported[reported["t_reported"] <= end - deadline]
    resp = due["t_first_response"] - due["t_reported"]
    out["response_rate"] = float((resp <= deadline).mean()) if len(due) else math.nan
    out["resolution_rate"] = float((reported["status"] == RESOLVED).mean()) if len(reported) else math.nan
    rated = reported["satisfaction"].dropna()
    out["satisfaction_rate"] = float((rated >= sat).mean()) if len(rated) else math.nan
    known = [v for v in out.values() if v == v]
    out["score"] = float(np.mean(known)) if known else math.nan
    rt = (reported["t_first_response"] - reported["t_reported"]).dropna()
    st = (reported["t_resolved"] - reported["t_reported"]).dropna()
    out["response_time_mean_h"] = float(rt.mean()) if len(rt) else math.nan
    out["resolution_time_mean_h"] = float(st.mean()) if len(st) else math.nan
    return out


def place_months_frame(model, cases: pd.DataFrame) -> pd.DataFrame:
    """Each street's 三率 and rank for each full month of the run (rank 1 = best score)."""
    base = layout_territory(model)
    deadline = model.scenario.metrics.response_deadline_h
    sat = model.resident_spec.satisfied_threshold
    street = _street_of_cases(base, cases)
    month_h = MONTH_DAYS * 24.0
    rows = []
    for month in range(1, model.day // MONTH_DAYS + 1):
        start, end = (month - 1) * month_h, month * month_h
        in_month = cases[(cases["t_reported"] >= start) & (cases["t_reported"] < end)]
        s_of = street[in_month.index]
        block = []
        for s, sid in enumerate(base.street_ids):
            sub = in_month[s_of == s]
            due = sub[sub["t_reported"] <= end - deadline]
            resp = (due["t_first_response"] - due["t_reported"]) <= deadline
            solved = sub["t_resolved"] <= end
            rated = sub.loc[sub["t_closed"] <= end, "satisfaction"].dropna()
            r = {
                "month": month, "street": s, "place_id": sid, "name": base.streets[s], "due": len(due),
                "response_rate": float(resp.mean()) if len(due) else math.nan,
                "resolution_rate": float(solved.mean()) if len(sub) else math.nan,
                "satisfaction_rate": float((rated >= sat).mean()) if len(rated) else math.nan,
            }
            known = [r[k] for k in ("response_rate", "resolution_rate", "satisfaction_rate") if r[k] == r[k]]
            r["score"] = float(np.mean(known)) if known else math.nan
            block.append(r)
        scored = pd.Series([r["score"] for r in block], dtype=float)
        ranks = scored.rank(ascending=False, method="min")
        for r, rank in zip(block, ranks, strict=True):
            r["rank"] = float(rank)
        rows.extend(block)
    return pd.DataFrame(rows, columns=MONTH_COLUMNS)


def _street_of_cases(base: Territory, cases: pd.DataFrame) -> np.ndarray:
    comm_of_grid = np.array([g.community for g in base.grids], dtype=np.int64)
    street_of_comm = np.array([c.street for c in base.communities], dtype=np.int64)
    return street_of_comm[comm_of_grid[cases["grid"].to_numpy(dtype=np.int64)]]


def places_frame(model, cases: pd.DataFrame, workers: pd.DataFrame) -> pd.DataFrame:
    """One row per district, street and community of the run: see the module docstring."""
    base = layout_territory(model)
    end = model.day * 24.0
    deadline = model.scenario.metrics.response_deadline_h
    sat = model.resident_spec.satisfied_threshold
    weeks = model.day / 7.0
    grid = cases["grid"].to_numpy(dtype=np.int64)
    comm_of_grid = np.array([g.community for g in base.grids], dtype=np.int64)
    community = comm_of_grid[grid] if len(grid) else np.zeros(0, dtype=np.int64)
    street_of_comm = np.array([c.street for c in base.communities], dtype=np.int64)
    street = street_of_comm[community] if len(community) else community

    staff_of, hours_of, avail_of = _local_workload(model, base, workers)
    months = place_months_frame(model, cases)

    def row(level, pid, name, parent, population, households, mask, units, rank_rows=None):
        sub = cases[mask]
        reported = sub[sub["t_reported"].notna()]
        staff = sum(staff_of.get(u, 0) for u in units)
        hours = sum(hours_of.get(u, 0.0) for u in units)
        avail = sum(avail_of.get(u, 0.0) for u in units)
        r = {
            "level": level, "place_id": pid, "name": name, "parent_id": parent,
            "population": population, "households": households,
            "cases_created": len(sub), "cases_reported": len(reported),
            "cases_resolved": int((sub["status"] == RESOLVED).sum()),
            "cases_closed_on_paper": int((sub["status"] == CLOSED_ON_PAPER).sum()),
            "cases_open_end": int((sub["status"] == OPEN).sum()),
            "cases_in_process_end": int(((sub["status"] == OPEN) & sub["t_reported"].notna()).sum()),
            "cases_per_1000": len(reported) / population * 1000.0 if population else math.nan,
            **_rates(reported, end, deadline, sat),
            "staff": staff, "hours_worked": hours,
            "workload_hours_per_week": hours / staff / weeks if staff and weeks else math.nan,
            "utilisation": hours / avail if avail else math.nan,
            "rank_mean": math.nan, "rank_last": math.nan, "months_ranked": 0, "streets_ranked": 0,
        }
        if rank_rows is not None and len(rank_rows):
            ranked = rank_rows.dropna(subset=["rank"])
            r["months_ranked"] = len(ranked)
            r["streets_ranked"] = len(base.streets)
            if len(ranked):
                r["rank_mean"] = float(ranked["rank"].mean())
                r["rank_last"] = float(ranked["rank"].iloc[-1])
        return r

    everything = np.ones(len(cases), dtype=bool)
    rows = [row("district", base.district_id, base.district, None, base.population, base.households,
                everything, list(staff_of))]
    comm_units = {ci: [("community_office", ci)] for ci in range(len(base.communities))}
    for key in staff_of:
        if len(key) == 2 and key[0] == "grid_worker":
            comm_units[comm_of_grid[model.grid_workers[key[1]].grids[0]]].append(key)
    for s, (sid, name) in enumerate(zip(base.street_ids, base.streets, strict=True)):
        members = base.communities_of_street(s)
        units = [("street_office", s)] + [u for ci in members for u in comm_units[ci]]
        rows.append(row("street", sid, name, base.district_id,
                        sum(base.communities[ci].population for ci in members),
                        sum(base.communities[ci].households for ci in members),
                        street == s, units, months[months["street"] == s]))
    for ci, c in enumerate(base.communities):
        parent = base.street_ids[c.street] if c.street >= 0 else base.district_id
        rows.append(row("community", c.place_id, c.name, parent, c.population, c.households,
                        community == ci, comm_units[ci]))
    return pd.DataFrame(rows, columns=PLACE_COLUMNS)


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
    for level in ("district", "street", "community"):
        rows = places[places["level"] == level]
        if rows.empty:
            continue
        for col in COUNT_COLUMNS:
            out[f"{level}.{col}"] = int(rows[col].sum()) - int(summary[col])
    return out
