"""The ``panel`` table: one row per street × counted month, with a ``treated`` flag.

The shape a difference-in-differences study of a staggered roll-out needs (街道 × 月
面板).  Each case counts in the street where its problem arose (as in ``places``) and in
the month it was reported; month 1 is the first 30 counted days after the warm-up.  The
rates are those of the ``places`` table's monthly ranking: responded within the deadline,
resolved and rated *by the month's end*, so a month's outcome does not depend on how
long the run went on after it.

``treated`` is true from the first month that begins on or after the day the street's
first scheduled change took effect (``schedule:``, :mod:`governance_sim.schedule`);
``cohort`` is that month (0 = never treated in the run).  A change on a day inside a month
leaves that month untreated although partly exposed — put switches on month starts
(``warmup_days + 30·k``) to avoid it, as ``govsim rollout`` does.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from governance_sim.metrics import counted_days
from governance_sim.model import MONTH_DAYS
from governance_sim.places import _CaseArrays, layout_territory

PANEL_COLUMNS = [
    "street", "place_id", "name", "month", "treated", "cohort", "adopted_day",
    "cases_reported", "response_rate", "resolution_rate", "satisfaction_rate", "score",
    "resolution_time_mean_h", "handoffs_per_case", "buckpass_per_case", "whistled_share",
]
OUTCOMES = ("response_rate", "resolution_rate", "satisfaction_rate", "score", "resolution_time_mean_h",
            "handoffs_per_case", "buckpass_per_case", "whistled_share")


def cohort_month(adopted_day: int | None, warmup_days: int) -> int:
    """The first counted month that begins on or after ``adopted_day`` (0 = never adopted)."""
    if adopted_day is None:
        return 0
    return max(1, math.ceil((adopted_day - warmup_days) / MONTH_DAYS) + 1)


def panel_frame(model, cases: pd.DataFrame) -> pd.DataFrame:
    """Street × month outcomes of one run (see the module docstring)."""
    base = layout_territory(model)
    n = len(base.streets)
    n_months = counted_days(model) // MONTH_DAYS
    if n == 0 or n_months == 0:
        return pd.DataFrame(columns=PANEL_COLUMNS)
    warmup = min(model.day, model.warmup_days)
    timetable = getattr(model, "timetable", None)
    adopted = list(timetable.plan.adopted_day) if timetable is not None else [None] * n
    arr = _CaseArrays(base, cases, model.day * 24.0, model.scenario.metrics.response_deadline_h,
                      model.resident_spec.satisfied_threshold)
    handoffs = cases["handoffs"].to_numpy(dtype=float)
    buckpass = cases["buckpass"].to_numpy(dtype=float)
    whistled = cases["whistled"].to_numpy(dtype=bool)
    month_h = MONTH_DAYS * 24.0
    d = arr.deadline
    rows = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for month in range(1, n_months + 1):
            start = (warmup + (month - 1) * MONTH_DAYS) * 24.0
            end = start + month_h
            sub = arr.reported & (arr.t_reported >= start) & (arr.t_reported < end)
            due = sub & (arr.t_reported <= end - d)
            solved = sub & (arr.t_resolved <= end)
            rated = sub & arr.rated & (arr.t_closed <= end)

            def count(mask):
                return np.bincount(arr.street[mask], minlength=n).astype(float)

            def total(values, mask):
                return np.bincount(arr.street[mask], weights=values[mask], minlength=n)

            c_sub, c_due, c_solved, c_rated = count(sub), count(due), count(solved), count(rated)
            c_in_time = count(due & (arr.response_h <= d))
            c_happy = count(rated & (arr.satisfaction >= arr.sat))
            res_h = total(arr.resolution_h, solved)
            c_handoffs, c_buckpass = total(handoffs, sub), total(buckpass, sub)
            c_whistled = count(sub & whistled)
            for s in range(n):
                cohort = cohort_month(adopted[s], model.warmup_days)
                r = {"street": s, "place_id": base.street_ids[s], "name": base.streets[s], "month": month,
                     "treated": bool(cohort and month >= cohort), "cohort": cohort,
                     "adopted_day": adopted[s] if adopted[s] is not None else -1,
                     "cases_reported": int(c_sub[s]),
                     "response_rate": _ratio(c_in_time[s], c_due[s]),
                     "resolution_rate": _ratio(c_solved[s], c_sub[s]),
                     "satisfaction_rate": _ratio(c_happy[s], c_rated[s])}
                known = [r[k] for k in ("response_rate", "resolution_rate", "satisfaction_rate") if r[k] == r[k]]
                r["score"] = float(np.mean(known)) if known else math.nan
                r["resolution_time_mean_h"] = _ratio(res_h[s], c_solved[s])
                r["handoffs_per_case"] = _ratio(c_handoffs[s], c_sub[s])
                r["buckpass_per_case"] = _ratio(c_buckpass[s], c_sub[s])
                r["whistled_share"] = _ratio(c_whistled[s], c_sub[s])
                rows.append(r)
    return pd.DataFrame(rows, columns=PANEL_COLUMNS)


def _ratio(a, b) -> float:
    return float(a / b) if b else math.nan
