"""Identifiability check (可识别性): a quick Morris screen before spending the budget.

It runs :func:`governance_sim.experiments.sensitivity.sensitivity` (SALib's
Morris method) over the priors' ranges on the summary metrics behind the
targets, and expresses each elementary effect ``mu_star`` in units of the
target's sd.  A parameter whose effect over its whole range stays below
:data:`MIN_EFFECT_SD` sd on every target cannot be told apart by these
targets: its posterior will look like its prior.
"""

from __future__ import annotations

import pandas as pd

from governance_sim.calibration.simulate import Simulator
from governance_sim.calibration.targets import DAYS_PER_YEAR, base_metric
from governance_sim.experiments.executors import Executor

MIN_EFFECT_SD = 0.5  # assumption: an effect under half a target's sd over the whole range is lost in it
TRAJECTORIES = 4


def morris_check(sim: Simulator, executor: Executor, *, trajectories: int = TRAJECTORIES,
                 seed: int = 0) -> pd.DataFrame:
    """One row per (target, parameter): ``mu_star`` in metric units and in target sds, and
    ``identifiable`` (the parameter moves some target by at least :data:`MIN_EFFECT_SD` sd)."""
    from governance_sim.experiments.sensitivity import sensitivity

    bases = list(dict.fromkeys(base_metric(t.metric)[0] for t in sim.targets))
    params = {p.path: f"{p.low}:{p.high}" for p in sim.priors}
    idx = sensitivity(sim.scenario, params, method="morris", outputs=bases, samples=trajectories,
                      reps=sim.reps, days=sim.days, seed=seed, progress=False, executor=executor)
    population = float(sim.scenario["territory"]["population"])
    rows = []
    for t in sim.targets:
        base, derived = base_metric(t.metric)
        scale = 1000.0 * DAYS_PER_YEAR / (population * sim.days) if derived else 1.0
        for _, r in idx[idx["output"] == base].iterrows():
            effect = float(r["mu_star"]) * scale
            rows.append({"target": t.metric, "parameter": r["parameter"], "mu_star": effect,
                         "effect_sd": effect / t.sd})
    df = pd.DataFrame(rows)
    best = df.groupby("parameter")["effect_sd"].max()
    df["identifiable"] = df["parameter"].map(best >= MIN_EFFECT_SD)
    return df


def warnings_for(check: pd.DataFrame) -> list[str]:
    """One warning per parameter that barely moves any target."""
    out = []
    for param, rows in check.groupby("parameter", sort=False):
        if not rows["identifiable"].iloc[0]:
            top = rows.loc[rows["effect_sd"].idxmax()]
            out.append(f"{param} barely moves any target (largest effect over its range: "
                       f"{top['effect_sd']:.2f} sd of {top['target']}); its posterior will stay "
                       "close to its prior")
    return out
