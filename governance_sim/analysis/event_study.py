"""Difference-in-differences on a street × month panel (分批推开的政策评估).

:func:`event_study` estimates a roll-out's effect from a ``panel`` table
(:mod:`governance_sim.panel`) with

* ``method="cs"`` — Callaway and Sant'Anna's group-time average treatment effects
  (``differences.ATTgt``), aggregated over the treated street-months ("simple") and by
  months since adoption ("event"); robust to staggered adoption with effects that change
  over time;
* ``method="twfe"`` — the naive two-way fixed-effects regression
  ``y ~ treated + street + month`` (``statsmodels``, standard errors clustered by street),
  which under staggered adoption compares late adopters with early ones already treated
  and, when effects grow, can be badly biased — even of the wrong sign (Goodman-Bacon 2021).

Both need the optional ``[panel]`` extra (``differences``, ``statsmodels``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from governance_sim.extras import require

METHODS = ("cs", "twfe")


@dataclass
class EventStudy:
    """One estimate: the average effect on the treated street-months, its interval and, for
    ``cs``, the effect by months since adoption (``by_event``: event_time, att, se, lower, upper)."""

    method: str
    outcome: str
    att: float
    se: float
    lower: float
    upper: float
    by_event: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_cells: int = 0

    def covers(self, value: float) -> bool:
        return bool(self.lower <= value <= self.upper)


def _prepared(panel: pd.DataFrame, outcome: str) -> pd.DataFrame:
    missing = {"street", "month", "cohort", "treated", outcome} - set(panel.columns)
    if missing:
        raise ValueError(f"the panel lacks the columns {sorted(missing)} (see governance_sim.panel)")
    if "seed" in panel.columns and panel["seed"].nunique() > 1:
        raise ValueError("one run's panel at a time: select one seed")
    df = panel[["street", "month", "cohort", "treated", outcome]].dropna(subset=[outcome]).copy()
    if df.empty:
        raise ValueError(f"no street-month has a value of {outcome!r}")
    if not df["treated"].any():
        raise ValueError("no street-month is treated: nothing to estimate")
    return df


def event_study(panel: pd.DataFrame, outcome: str = "resolution_rate", method: str = "cs", *,
                control: str = "never_treated", alpha: float = 0.05) -> EventStudy:
    """Estimate the effect of a staggered roll-out on ``outcome`` from one run's panel.

    Args:
        panel: the run's ``panel`` table (street, month, cohort — 0 = never treated —,
            treated and the outcome).
        outcome: a numeric column of the panel.
        method: ``"cs"`` (Callaway–Sant'Anna) or ``"twfe"`` (naive two-way fixed effects).
        control: for ``cs``, ``"never_treated"`` or ``"not_yet_treated"`` streets as controls.
        alpha: 1 − the intervals' confidence level.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS} (got {method!r})")
    df = _prepared(panel, outcome)
    if method == "twfe":
        return _twfe(df, outcome, alpha)
    return _cs(df, outcome, control, alpha)


def _twfe(df: pd.DataFrame, outcome: str, alpha: float) -> EventStudy:
    smf = require("statsmodels.formula.api", "panel", "the two-way fixed-effects estimate")
    data = df.rename(columns={outcome: "y"}).assign(d=lambda x: x["treated"].astype(float))
    fit = smf.ols("y ~ d + C(street) + C(month)", data=data).fit(
        cov_type="cluster", cov_kwds={"groups": data["street"].to_numpy()})
    lo, hi = fit.conf_int(alpha).loc["d"]
    return EventStudy("twfe", outcome, float(fit.params["d"]), float(fit.bse["d"]), float(lo), float(hi),
                      n_cells=len(data))


def _cs(df: pd.DataFrame, outcome: str, control: str, alpha: float) -> EventStudy:
    differences = require("differences", "panel", "the Callaway–Sant'Anna estimate")
    data = df.rename(columns={outcome: "y"})
    data["cohort"] = data["cohort"].where(data["cohort"] > 0, np.nan).astype(float)
    data = data.set_index(["street", "month"])[["y", "cohort"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the library's notes on small cohorts and pandas deprecations
        att = differences.ATTgt(data=data, cohort_column="cohort")
        att.fit(formula="y", control_group=control, alpha=alpha, progress_bar=False)
        simple = att.aggregate("simple", alpha=alpha)
        event = att.aggregate("event", alpha=alpha)
    row = simple.iloc[0]
    est, se = float(row.iloc[0]), float(row.iloc[1])
    lo, hi = float(row.iloc[2]), float(row.iloc[3])
    by_event = pd.DataFrame({
        "event_time": event.index.to_numpy(dtype=int),
        "att": event.iloc[:, 0].to_numpy(dtype=float), "se": event.iloc[:, 1].to_numpy(dtype=float),
        "lower": event.iloc[:, 2].to_numpy(dtype=float), "upper": event.iloc[:, 3].to_numpy(dtype=float)})
    if not math.isfinite(se):
        lo = hi = math.nan
    return EventStudy("cs", outcome, est, se, lo, hi, by_event, n_cells=len(data))
