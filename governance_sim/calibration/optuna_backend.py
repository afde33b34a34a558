"""Point estimate (点估计) through optuna's TPE sampler, with a profile of each parameter.

Each trial runs the simulator at the parameters optuna asks for and reports
the same distance ABC uses (Euclidean in units of each target's sd).  Trials
are asked and told in batches so they can run on the project's executors
(local processes or Dask).  The study lives in ``optuna.db`` (SQLite) in the
output folder; a resumed study goes on to the same total number of trials.
The profile of a parameter is the best distance reached in each tenth of its
prior range (on the log scale for a log prior) over all trials.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from governance_sim.calibration.errors import require
from governance_sim.calibration.simulate import Draw, Simulator, run_draw, weighted_distance
from governance_sim.experiments.executors import Executor
from governance_sim.experiments.seeds import run_seed

DB_FILE = "optuna.db"
STUDY = "calibration"
PROFILE_BINS = 10


@dataclass
class OptimizeResult:
    posterior: pd.DataFrame  # one row: the best point (weight 1)
    trials: pd.DataFrame  # every finished trial: parameters, target values, distance
    profile: pd.DataFrame  # parameter, bin centre, best distance in the bin, trials in the bin


def run_optimize(sim: Simulator, out: Path, executor: Executor, *, budget: int, batch: int = 1,
                 resume: bool = False, seed: int = 0, quiet: bool = False) -> OptimizeResult:
    """Run (or continue) a TPE study to ``budget`` trials in all."""
    optuna = require("optuna")
    if quiet:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", study_name=STUDY, load_if_exists=resume,
                                storage=f"sqlite:///{(out / DB_FILE).resolve()}",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    done = len(study.get_trials(deepcopy=False))
    with executor:
        executor.start()
        while done < budget:
            asked = [study.ask() for _ in range(min(batch, budget - done))]
            jobs = []
            for trial in asked:
                params = {p.column: trial.suggest_float(p.column, p.low, p.high, log=p.log) for p in sim.priors}
                jobs.append((sim, Draw(trial.number, trial.number, params, run_seed(seed, trial.number))))
            for (_, draw), values in executor.map_unordered(run_draw, jobs):
                trial = next(t for t in asked if t.number == draw.index)
                if isinstance(values, BaseException):
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    continue
                for name, v in values.items():
                    trial.set_user_attr(name, v)
                d = weighted_distance(values, sim.targets)
                if math.isfinite(d):
                    study.tell(trial, d)
                else:
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
            done += len(asked)
    return collect(study, sim)


def collect(study, sim: Simulator) -> OptimizeResult:
    rows = []
    for t in study.get_trials(deepcopy=False):
        if t.value is None:
            continue
        rows.append({"trial": t.number, **{p.path: t.params[p.column] for p in sim.priors},
                     **t.user_attrs, "distance": float(t.value)})
    trials = pd.DataFrame(rows)
    if trials.empty:
        from governance_sim.calibration.errors import CalibrationError

        raise CalibrationError("--method", "every trial failed (undefined target values); "
                                           "try more --days or other targets")
    best = trials.loc[trials["distance"].idxmin()]
    posterior = pd.DataFrame([{**{p.path: float(best[p.path]) for p in sim.priors},
                               "weight": 1.0, "distance": float(best["distance"]), "generation": 0}])
    return OptimizeResult(posterior, trials, profile(trials, sim))


def profile(trials: pd.DataFrame, sim: Simulator) -> pd.DataFrame:
    rows = []
    for p in sim.priors:
        x = trials[p.path].to_numpy(dtype=float)
        lo, hi = (math.log(p.low), math.log(p.high)) if p.log else (p.low, p.high)
        u = ((np.log(x) if p.log else x) - lo) / (hi - lo)
        k = np.minimum((u * PROFILE_BINS).astype(int), PROFILE_BINS - 1)
        for b in range(PROFILE_BINS):
            inside = trials["distance"].to_numpy()[k == b]
            centre = lo + (b + 0.5) * (hi - lo) / PROFILE_BINS
            rows.append({"parameter": p.path, "value": math.exp(centre) if p.log else centre,
                         "best_distance": float(inside.min()) if len(inside) else math.nan,
                         "trials": int(len(inside))})
    return pd.DataFrame(rows)
