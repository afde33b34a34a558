"""Known-truth policy evaluation: a staggered roll-out run with and without the reform.

Each replication runs the same seed twice — with the scenario's ``schedule`` and with none —
so the *true* effect on every street-month is known: the difference of the two panels
(:mod:`governance_sim.panel`).  The roll-out's panel alone is handed to the estimators of
:func:`governance_sim.analysis.event_study.event_study`, as a researcher would have it, and
each estimate is set against the truth it tries to recover: the mean true effect over the
treated street-months.

The two runs share their random streams until the first switch and part ways after it, so a
street-month's true effect holds that divergence too; over replications it averages out.
Streets share the district's departments, so a roll-out also moves the streets that have
not adopted (``spillover``: their mean true effect) — a breach of the no-interference
assumption every difference-in-differences design rests on, measured here, not assumed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from governance_sim.analysis.event_study import METHODS, event_study
from governance_sim.errors import ScenarioError
from governance_sim.experiments.executors import Executor, make_executor
from governance_sim.experiments.seeds import run_seed
from governance_sim.extras import require
from governance_sim.model import MONTH_DAYS
from governance_sim.panel import OUTCOMES
from governance_sim.scenario import Scenario, load_scenario, parse_assignment


@dataclass
class RolloutStudy:
    """The replications' estimates against the truth.

    ``estimates``: one row per replication and method (estimate, se, lower, upper, truth,
    error, covered); ``truth``: one row per replication × street × month (treated flag,
    with, without, effect); ``report``: per method the mean estimate and truth, bias, RMSE
    and interval coverage; ``spillover``: per replication the mean true effect on street-months
    not (yet) treated after the first switch; ``panels``: each replication's roll-out panel
    (what a researcher would have).
    """

    outcome: str
    estimates: pd.DataFrame
    truth: pd.DataFrame
    report: pd.DataFrame
    spillover: pd.DataFrame
    schedule: list[dict]
    panels: dict[int, pd.DataFrame] = field(default_factory=dict)  # replication → its roll-out's panel

    def by_event(self) -> pd.DataFrame:
        """Mean true effect by months since adoption (treated streets), over replications."""
        t = self.truth[self.truth["cohort"] > 0].copy()
        t["event_time"] = t["month"] - t["cohort"]
        return t.groupby("event_time")["effect"].agg(["mean", "count"]).reset_index()

    def write(self, out: str | Path) -> Path:
        from governance_sim.runner import write_tables

        return write_tables({"rollout_estimates": self.estimates, "rollout_truth": self.truth,
                             "rollout_report": self.report}, out)


REQUIRES = {"cs": ("differences", "panel", "the Callaway–Sant'Anna estimate"),
            "twfe": ("statsmodels", "panel", "the two-way fixed-effects estimate")}


def parse_schedule(specs: list[str], folder: Path | None = None) -> list[dict]:
    """Schedule entries from the command line: ``VARIANT@DAY`` (everywhere),
    ``VARIANT@DAY:STREET,STREET``, or a YAML file holding a list of entries (or a mapping
    with ``schedule:``)."""
    from governance_sim.safe_yaml import load_file

    entries: list[dict] = []
    for spec in specs:
        path = Path(spec)
        if spec.endswith((".yaml", ".yml")):
            raw = load_file(path)
            raw = raw.get("schedule") if isinstance(raw, dict) else raw
            if not isinstance(raw, list):
                raise ScenarioError("--schedule", f"{spec} must hold a list of entries or a mapping with "
                                                  "schedule:")
            entries.extend(raw)
            continue
        head, _, streets = spec.partition(":")
        variant, at, day = head.partition("@")
        if not at or not variant or not day.strip().isdigit():
            raise ScenarioError("--schedule", f"{spec!r}: write VARIANT@DAY[:STREET,STREET] (e.g. "
                                              "whistle@120:街道1,街道2) or give a .yaml file")
        entry: dict[str, Any] = {"day": int(day), "variant": variant.strip()}
        if streets.strip():
            entry["streets"] = [s.strip() for s in streets.split(",") if s.strip()]
        entries.append(entry)
    return entries


def staggered_schedule(scenario: str | Path | dict | Scenario, variant: str, *, cohorts: int = 2,
                       first_month: int = 3, every_months: int = 3, never_share: float = 1 / 3,
                       overrides: dict | list | None = None, days: int | None = None) -> list[dict]:
    """An even staggered design: the streets in order, a ``never_share`` of them never adopting,
    the rest in ``cohorts`` equal groups adopting ``variant`` at the start of counted month
    ``first_month``, ``first_month + every_months``, …"""
    from governance_sim.schedule import street_names_of

    sc = load_scenario(scenario, None, _as_dict(overrides), days=days)
    names, _ = street_names_of(sc)
    n_never = int(round(len(names) * never_share))
    adopters = names[: len(names) - n_never]
    if not adopters or cohorts < 1:
        raise ScenarioError("--cohorts", f"needs streets to adopt: {len(names)} streets, "
                                         f"{n_never} never adopting, {cohorts} cohorts")
    groups = np.array_split(np.arange(len(adopters)), min(cohorts, len(adopters)))
    out = []
    for k, members in enumerate(groups):
        month = first_month + k * every_months
        day = sc.warmup_days + (month - 1) * MONTH_DAYS
        out.append({"day": day, "streets": [adopters[i] for i in members], "variant": variant})
    return out


def _as_dict(overrides) -> dict:
    if not overrides:
        return {}
    if isinstance(overrides, list):
        return dict(parse_assignment(o) for o in overrides)
    return dict(overrides)


def _run_panel(item) -> pd.DataFrame:
    """One run's panel (a module-level function: it travels to worker processes)."""
    from governance_sim.runner import run

    scenario, variant, overrides, seed, days, _ = item
    return run(scenario, variant, seed=seed, days=days, overrides=overrides, check_memory=False).panel


def rollout(scenario: str | Path | dict | Scenario, schedule: list[dict] | None = None, *,
            variant: str | None = None, reps: int = 10, seed: int = 0, days: int | None = None,
            overrides: dict | list | None = None, outcome: str = "resolution_rate",
            methods: tuple[str, ...] = METHODS, control: str = "never_treated", alpha: float = 0.05,
            workers: int | None = 1, executor: Executor | None = None,
            progress: Callable[[int, int], None] | None = None) -> RolloutStudy:
    """Run a roll-out ``reps`` times with and without its schedule and score the estimators.

    Args:
        scenario, variant, days, overrides: what to run (as :func:`governance_sim.run`).
        schedule: the roll-out (entries of a scenario's ``schedule:``); ``None`` = the
            scenario's own.
        reps, seed: replications; replication ``r`` runs with ``run_seed(seed, r)`` both times.
        outcome: a panel column (:data:`governance_sim.panel.OUTCOMES`).
        methods: estimators of :func:`~governance_sim.analysis.event_study.event_study`.
        workers / executor: where runs go (1 = in this process).
        progress: called with (runs done, runs in all).
    """
    if outcome not in OUTCOMES:
        raise ScenarioError("--outcome", f"unknown outcome {outcome!r}; allowed: {list(OUTCOMES)}")
    if reps < 1:
        raise ScenarioError("--reps", f"must be at least 1 (got {reps})")
    for m in methods:
        if m not in METHODS:
            raise ScenarioError("--method", f"unknown method {m!r}; allowed: {list(METHODS)}")
    for m in methods:  # before any run: a missing extra is one line, not a lost hour
        require(*REQUIRES[m])
    base = _as_dict(overrides)
    treated = dict(base)
    if schedule is not None:
        treated["schedule"] = schedule
    sc = load_scenario(scenario, variant, treated or None, days=days)  # refuses a bad schedule now
    if not sc.schedule:
        raise ScenarioError("--schedule", "nothing is rolled out: give --schedule or a scenario with schedule:")
    plain = {**base, "schedule": []}
    seeds = [run_seed(seed, r) for r in range(reps)]
    items = [(scenario, variant, ov, s, days, with_) for s in seeds
             for ov, with_ in ((treated, True), (plain, False))]
    items = [(str(i[0]) if isinstance(i[0], Path) else i[0], *i[1:]) for i in items]
    executor = executor or make_executor(workers)
    panels: dict[tuple[int, bool], pd.DataFrame] = {}
    with executor:
        for done, (item, result) in enumerate(executor.map_unordered(_run_panel, items), start=1):
            if isinstance(result, BaseException):
                raise result
            panels[(item[3], item[5])] = result
            if progress is not None:
                progress(done, len(items))
    est_rows, truth_rows, spill_rows = [], [], []
    for r, s in enumerate(seeds):
        with_, without = panels[(s, True)], panels[(s, False)]
        cells = _truth(with_, without, outcome)
        cells.insert(0, "rep", r)
        cells.insert(1, "seed", s)
        truth_rows.append(cells)
        target = cells.loc[cells["treated"], "effect"].mean()
        first = cells.loc[cells["cohort"] > 0, "cohort"].min()
        after = cells[~cells["treated"] & (cells["month"] >= first)]
        spill_rows.append({"rep": r, "seed": s, "spillover": after["effect"].mean(), "cells": len(after)})
        for m in methods:
            try:
                e = event_study(with_, outcome, m, control=control, alpha=alpha)
                est, se, lo, hi = e.att, e.se, e.lower, e.upper
            except ValueError:
                est = se = lo = hi = math.nan
            est_rows.append({"rep": r, "seed": s, "method": m, "estimate": est, "se": se, "lower": lo,
                             "upper": hi, "truth": target, "error": est - target,
                             "covered": bool(lo <= target <= hi)})
    estimates = pd.DataFrame(est_rows)
    return RolloutStudy(outcome, estimates, pd.concat(truth_rows, ignore_index=True),
                        _report(estimates), pd.DataFrame(spill_rows), list(sc.model_dump(mode="json")["schedule"]),
                        {r: panels[(s, True)] for r, s in enumerate(seeds)})


def _truth(with_: pd.DataFrame, without: pd.DataFrame, outcome: str) -> pd.DataFrame:
    keys = ["street", "month"]
    a = with_[[*keys, "name", "treated", "cohort", outcome]].rename(columns={outcome: "with"})
    b = without[[*keys, outcome]].rename(columns={outcome: "without"})
    cells = a.merge(b, on=keys, how="inner")
    cells["effect"] = cells["with"] - cells["without"]
    return cells


def _report(estimates: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for m, g in estimates.groupby("method", sort=False):
        ok = g.dropna(subset=["estimate"])
        err = ok["error"]
        rows.append({"method": m, "reps": len(ok), "estimate": ok["estimate"].mean(), "truth": ok["truth"].mean(),
                     "bias": err.mean(), "bias_se": err.std(ddof=1) / math.sqrt(len(err)) if len(err) > 1 else math.nan,
                     "rmse": math.sqrt((err ** 2).mean()) if len(err) else math.nan,
                     "coverage": ok["covered"].mean() if len(ok) else math.nan,
                     "interval_width": (ok["upper"] - ok["lower"]).mean()})
    return pd.DataFrame(rows)
