"""The simulator a calibration fits: parameters in, the targets' simulated values out.

It runs the scenario through :func:`governance_sim.runner.run` with the
parameters as dotted-path overrides (the same path as ``govsim run --set``),
``reps`` times with seeds derived from one seed (:mod:`experiments.seeds`),
and averages each target over the replicates.  It is a frozen dataclass of
plain data, so pyabc's samplers, the project's executors and Dask can ship it
to other processes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from governance_sim.calibration.priors import Prior
from governance_sim.calibration.targets import Target, target_values
from governance_sim.experiments.seeds import MAX_SEED, run_seed


@dataclass(frozen=True)
class Simulator:
    """One calibration's model: the scenario (variant applied), priors, targets, run length."""

    scenario: dict
    priors: tuple[Prior, ...]
    targets: tuple[Target, ...]
    days: int
    reps: int = 1

    @property
    def observed(self) -> dict[str, float]:
        return {t.metric: t.value for t in self.targets}

    def overrides(self, params: dict[str, Any]) -> dict[str, float]:
        """pyabc/optuna parameter names (``a__b``) → scenario overrides (``a.b``)."""
        return {p.path: float(params[p.column]) for p in self.priors}

    def __call__(self, params: dict[str, Any], seed: int | None = None) -> dict[str, float]:
        """Simulated target values, averaged over ``reps`` runs.

        Without ``seed`` the seed is drawn from numpy's global generator, which
        pyabc seeds in each of its sampler's workers.
        """
        if seed is None:
            seed = int(np.random.randint(0, MAX_SEED))
        rows = [self.run_once(self.overrides(params), run_seed(seed, r)) for r in range(self.reps)]
        return {t.metric: _nanmean([row[t.metric] for row in rows]) for t in self.targets}

    def run_once(self, overrides: dict[str, float], seed: int) -> dict[str, float]:
        from governance_sim.experiments.evaluate import numeric_metrics
        from governance_sim.runner import run

        # runs of a calibration's pool, sized to fit (calibration.fit): no refusal run by run
        result = run(self.scenario, seed=seed, days=self.days, overrides=overrides, check_memory=False)
        sc = result.scenario
        return target_values(list(self.targets), numeric_metrics(result.metrics),
                             sc.territory.population, sc.days)


def _nanmean(values: list[float]) -> float:
    finite = [v for v in values if v == v]
    return float(np.mean(finite)) if finite else math.nan


def weighted_distance(simulated: dict[str, float], targets: tuple[Target, ...] | list[Target]) -> float:
    """Euclidean distance in units of each target's sd — pyabc's ``PNormDistance(p=2)`` with
    weights ``1/sd``, used by the optimiser so both methods fit the same criterion."""
    total = 0.0
    for t in targets:
        x = simulated.get(t.metric, math.nan)
        if x != x:
            return math.inf
        total += ((x - t.value) / t.sd) ** 2
    return math.sqrt(total)


@dataclass(frozen=True)
class Draw:
    """One posterior-predictive run: particle ``particle`` simulated with ``seed``."""

    index: int
    particle: int
    params: dict
    seed: int


def run_draw(job: tuple[Simulator, Draw]) -> dict[str, float]:
    """Executor task: the target values of one draw (module level, so it pickles)."""
    sim, draw = job
    return sim(draw.params, seed=draw.seed)
