"""Run outputs → the tables and metrics of MODEL.md §6.

``cases`` (one row per case), ``workers`` (one row per organisational unit,
hours by activity), ``timeseries`` (daily, from the DataCollector) and
``summary`` (one row).  Rates are 0–1, times are hours.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from governance_sim.cases import CLOSED_ON_PAPER, FOUND_BY_PATROL, OPEN, RESOLVED

CASE_COLUMNS = [
    "case_id", "category", "grid", "community", "street", "household", "severity", "n_departments",
    "latent", "channel", "found_by", "status", "level", "t_created", "t_discovered", "t_reported",
    "t_accepted", "t_dispatched", "t_first_response", "t_resolved", "t_closed", "t_erupt",
    "handoffs", "handoff_path", "handoff_reasons", "buckpass", "escalations", "whistled", "eruption",
    "repeat_of", "petition", "satisfaction", "staff_hours", "t_overdue",
]
ROLE_ORDER = ["grid_worker", "community_office", "street_office", "street_chief", "department",
              "district_center"]
ROLE_ORDER += ["township_office", "zone_team", "line_team"]  # 乡镇科室, 片区工作组, 重点工作线
ROLE_ORDER += ["zone_platform", "seconded_staff"]  # 片区平台, 下沉人员
ROLE_ORDER += ["city_command", "large_grid"]  # 市指挥中心, 大网格团队
ROLE_ORDER += ["municipal_center"]  # 市12345热线服务中心 (governance_sim.city)
ACTIVITIES = ["case_work", "vertical", "paperwork", "admin", "patrol"]

# the columns of the cases table that the summary, the places table and the panel read
# (one they read and this leaves out raises KeyError in tests/test_partition.py) …
SUMMARISED = ("t_created", "t_discovered", "t_reported", "t_first_response", "t_resolved", "t_closed",
              "t_overdue", "grid", "status", "level", "channel", "found_by", "latent", "n_departments",
              "handoffs", "buckpass", "whistled", "eruption", "satisfaction")
# … and what the metrics by household group read (groups.py), when the run has groups
BY_GROUP = ("household", "petition")

# the cases table's columns, each read straight from the case records (attribute or function)
_CASE_FIELDS = [
    ("case_id", "id"), ("grid", "grid"), ("community", "community"), ("street", "street"),
    ("household", "household"), ("severity", "severity"), ("latent", "latent"), ("channel", "channel"),
    ("found_by", "found_by"), ("status", "status"), ("level", "level"), ("t_created", "t_created"),
    ("t_discovered", "t_discovered"), ("t_reported", "t_reported"), ("t_accepted", "t_accepted"),
    ("t_dispatched", "t_dispatched"), ("t_first_response", "t_first_response"),
    ("t_resolved", "t_resolved"), ("t_closed", "t_closed"), ("t_erupt", "t_erupt"),
    ("buckpass", "buckpass"), ("escalations", "escalations"), ("whistled", "whistled"),
    ("eruption", "eruption"), ("repeat_of", "repeat_of"), ("petition", "petition"),
    ("satisfaction", "satisfaction"), ("staff_hours", "staff_hours"), ("t_overdue", "t_overdue"),
]


def cases_frame(model) -> pd.DataFrame:
    """One row per case, built column by column (no row tuples: a city year has millions).

    Each column's list of values is made into its array before the next is read, and the
    frame takes the arrays as they are: at most one column is ever held twice."""
    cases = model.cases
    if not cases:
        return pd.DataFrame.from_records([], columns=CASE_COLUMNS)
    cats = [c.name for c in model.categories]
    fields = dict(_CASE_FIELDS)
    derived = {
        "category": lambda: [cats[c.category] for c in cases],
        "n_departments": lambda: [len(c.departments) for c in cases],
        "handoffs": lambda: [len(c.handoff_log) >> 1 for c in cases],
        "handoff_path": lambda: [">".join(c.handoff_units) for c in cases],
        "handoff_reasons": lambda: [">".join(c.handoff_reasons) for c in cases],
    }
    columns = {}
    for name in CASE_COLUMNS:
        values = derived[name]() if name in derived else [getattr(c, fields[name]) for c in cases]
        columns[name] = pd.Series(values, copy=False)
    return pd.DataFrame(columns, copy=False)


def counted_cases(model, cases: pd.DataFrame) -> pd.DataFrame:
    """The cases the summaries count (created after the warm-up), with only the columns they
    read (:data:`SUMMARISED`, :data:`BY_GROUP`): a filtered copy of every column would briefly
    cost as much again as the table."""
    return cases.loc[cases["t_created"] >= model.warmup_days * 24.0,
                     [c for c in cases.columns if c in SUMMARISED or c in BY_GROUP]]


def counted_days(model) -> int:
    """Days simulated after the warm-up (those the summary counts)."""
    return max(0, model.day - model.warmup_days)


def workers_frame(model) -> pd.DataFrame:
    """One row per organisational unit (not households): staff, hours by activity, utilisation,
    counted from the end of the warm-up (work done in the warm-up is left out)."""
    start = min(model.day, model.warmup_days) * 24.0
    workdays = model.calendar.workdays_between(start, model.day * 24.0)
    all_workdays = model.calendar.workdays_between(0.0, model.day * 24.0)
    cal = model.calendar
    before = model.at_warmup_end.get("units", {})
    rows = []
    for (role, index), unit in model.units.items():
        hours = unit.hours_by_activity(all_workdays)  # the whole run, less the warm-up's
        hours0, overtime0, completed0 = before.get((role, index), ({}, 0.0, 0))
        for activity, h in hours0.items():
            hours[activity] = hours.get(activity, 0.0) - h
        available = unit.staff * workdays * unit.hours_per_day
        worked = sum(hours.values())
        row = {
            "unit": f"{role}:{index}", "role": role, "name": unit.name, "staff": unit.staff,
            "hours_available": available,
            "overtime_cap_hours": unit.staff * workdays * cal.overtime,
            "hours_worked": worked, "overtime_hours": unit.workforce.overtime_h - overtime0,
            "backlog_end": unit.backlog, "tasks_completed": unit.workforce.completed - completed0,
        }
        for a in ACTIVITIES:
            row[f"hours_{a}"] = hours.get(a, 0.0)
        for a, h in hours.items():
            if a not in ACTIVITIES:
                row[f"hours_{a}"] = h
        row["utilisation"] = worked / available if available else math.nan
        rows.append(row)
    df = pd.DataFrame(rows)
    return df.fillna({c: 0.0 for c in df.columns if c.startswith("hours_")})


def timeseries_frame(model) -> pd.DataFrame:
    return model.datacollector.get_model_vars_dataframe().reset_index(drop=True)


def _stats(values: np.ndarray, prefix: str) -> dict[str, float]:
    values = values[~np.isnan(values)]
    if not len(values):
        return {f"{prefix}_mean_h": math.nan, f"{prefix}_p50_h": math.nan, f"{prefix}_p90_h": math.nan}
    return {
        f"{prefix}_mean_h": float(values.mean()),
        f"{prefix}_p50_h": float(np.median(values)),
        f"{prefix}_p90_h": float(np.quantile(values, 0.9)),
    }


def _mean(values) -> float:
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else math.nan


def summary_row(model, cases: pd.DataFrame, workers: pd.DataFrame) -> dict[str, float]:
    """The one-row summary of a run (column names are stable API).

    Only cases created after the warm-up count (``t_created ≥ warmup_days · 24``); counts of
    events (repeat reports, petitions, tolerated problems) start at the end of the warm-up.
    """
    end = model.day * 24.0
    cases = counted_cases(model, cases)
    counters = _counted(model)
    deadline = model.scenario.metrics.response_deadline_h
    reported = cases[cases["t_reported"].notna()]
    resolved = cases["status"] == RESOLVED
    resp = (reported["t_first_response"] - reported["t_reported"]).to_numpy(dtype=float)
    res = (reported["t_resolved"] - reported["t_reported"]).to_numpy(dtype=float)
    multi = (reported["n_departments"] >= 2).to_numpy()
    dept_cases = (reported["n_departments"] >= 1).to_numpy()
    due = (reported["t_reported"] <= end - deadline).to_numpy()
    responded_in_time = ((reported["t_first_response"] - reported["t_reported"]).to_numpy()[due] <= deadline)
    latent_found = (cases["latent"] & cases["t_discovered"].notna()).to_numpy()
    rated = reported["satisfaction"].notna()
    rated_closed = rated & reported["t_overdue"].isna()
    s: dict[str, float] = {
        "cases_created": len(cases),
        "cases_reported": len(reported),
        "cases_resolved": int(resolved.sum()),
        "cases_closed_on_paper": int((cases["status"] == CLOSED_ON_PAPER).sum()),
        "cases_open_end": int((cases["status"] == OPEN).sum()),
        "cases_in_process_end": int(((cases["status"] == OPEN) & cases["t_reported"].notna()).sum()),
    }
    s.update(_stats(resp, "response_time"))
    s.update(_stats(res, "resolution_time"))
    s["resolution_time_single_dept_mean_h"] = _mean(res[dept_cases & ~multi])
    s["resolution_time_multi_dept_mean_h"] = _mean(res[multi])
    # raised in the community: reported at the community office or found by its grid workers
    raised = reported["channel"].isin(("community", "grid_worker")).to_numpy()
    s["resolution_time_multi_dept_community_mean_h"] = _mean(res[multi & raised])
    s["resolution_time_no_dept_mean_h"] = _mean(res[~dept_cases])
    s["response_rate"] = float(responded_in_time.mean()) if due.any() else math.nan
    s["resolution_rate"] = float((reported["status"] == RESOLVED).mean()) if len(reported) else math.nan
    sat = model.resident_spec.satisfied_threshold
    s["satisfaction_rate"] = float((reported.loc[rated, "satisfaction"] >= sat).mean()) if rated.any() else math.nan
    s["satisfaction_rate_closed_only"] = (
        float((reported.loc[rated_closed, "satisfaction"] >= sat).mean()) if rated_closed.any() else math.nan)
    s["satisfaction_mean"] = float(reported.loc[rated, "satisfaction"].mean()) if rated.any() else math.nan
    s["requests_overdue"] = int(reported["t_overdue"].notna().sum())
    s["handoffs_per_case"] = float(reported["handoffs"].mean()) if len(reported) else math.nan
    s["buckpass_events"] = int(cases["buckpass"].sum())
    s["whistles"] = int(cases["whistled"].sum())
    s.update(model.appraisal.summons_summary())
    s["share_found_by_patrol"] = float((reported["found_by"] == FOUND_BY_PATROL).mean()) if len(reported) else math.nan
    s["discovery_time_latent_mean_h"] = _mean((cases["t_discovered"] - cases["t_created"]).to_numpy()[latent_found])
    s["eruptions"] = int(cases["eruption"].sum())
    s["repeat_reports"] = int(counters["repeat_reports"])
    s["petitions"] = int(counters["petitions"])
    s["problems_tolerated"] = int(counters["tolerated"])
    s["mean_trust_end"] = model.mean_trust()
    for level in ("grid_worker", "community_office", "party_branch", "street_office", "department"):
        s[f"share_handled_{level}"] = float((reported["level"] == level).mean()) if len(reported) else math.nan
    non_vertical = workers["hours_worked"].sum() - workers["hours_vertical"].sum()
    n_resolved = int(resolved.sum())
    s["staff_hours_per_resolved_case"] = float(non_vertical / n_resolved) if n_resolved else math.nan
    weeks = counted_days(model) / 7.0
    for role in ROLE_ORDER:
        rows = workers[workers["role"] == role]
        if rows.empty:
            continue
        staff = rows["staff"].sum()
        worked = rows["hours_worked"].sum()
        s[f"workload_hours_per_week_{role}"] = float(worked / staff / weeks) if staff and weeks else math.nan
        avail = rows["hours_available"].sum()
        s[f"utilisation_{role}"] = float(worked / avail) if avail else math.nan
        s[f"paperwork_share_{role}"] = float(rows["hours_paperwork"].sum() / worked) if worked else math.nan
        s[f"overtime_hours_per_week_{role}"] = float(rows["overtime_hours"].sum() / staff / weeks) if staff and weeks else math.nan
    s.update(model.arrangement.summary(model))  # e.g. the share settled inside 片区
    if model.scenario.groups:  # residents who differ: metrics by group (groups.py)
        from governance_sim.groups import summary_columns

        s.update(summary_columns(model, cases))
    for overlay in model.overlays:  # e.g. hotline calls, padded reports, audits
        s.update(overlay.summary(model))
    return s


def _counted(model) -> dict[str, int]:
    """The model's event counters since the end of the warm-up."""
    before = model.at_warmup_end.get("counters", {})
    return {k: v - before.get(k, 0) for k, v in model.counters.items()}
