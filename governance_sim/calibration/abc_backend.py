"""ABC-SMC (近似贝叶斯计算) through pyabc.

Priors come from the ``--param`` ranges, the distance is pyabc's
``PNormDistance(p=2)`` weighted by ``1/sd`` of each target, and the
population sampler is pyabc's own: one core (reproducible), its multicore
sampler, or its Dask sampler on a ``distributed`` cluster.  The run history
lives in ``abc.db`` (SQLite) in the output folder, so an interrupted
calibration goes on with ``ABCSMC.load`` where it stopped.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from governance_sim.calibration.errors import require
from governance_sim.calibration.simulate import Simulator

DB_FILE = "abc.db"


@dataclass
class AbcResult:
    posterior: pd.DataFrame  # last generation: a column per dotted path, weight, distance, generation
    generations: pd.DataFrame  # per generation: epsilon, particles, samples, acceptance rate, ESS
    simulations: int = 0  # in all, over every generation and resumption


def population_size(budget: int) -> int:
    """Particles per generation for a budget of simulations: about a fifth of it (so a few
    generations fit), at least 20 and at most 500."""
    return int(min(500, max(20, budget // 5)))


def make_sampler(workers: int | None, scheduler: str | None):
    pyabc = require("pyabc")
    if scheduler:  # the sweep's Dask executor checks the address and holds the client
        from governance_sim.experiments.executors import DaskExecutor

        return pyabc.sampler.DaskDistributedSampler(dask_client=DaskExecutor(scheduler).client)
    n = workers or os.cpu_count() or 1
    if n <= 1:
        return pyabc.sampler.SingleCoreSampler()
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=n)


def run_abc(sim: Simulator, out: Path, *, budget: int, population: int | None = None,
            workers: int | None = None, scheduler: str | None = None, resume: bool = False,
            seed: int = 0, quiet: bool = False) -> AbcResult:
    """Run (or continue) ABC-SMC until ``budget`` simulations in all; return the posterior."""
    pyabc = require("pyabc")
    if quiet:
        for name in ("ABC", "Sampler", "Epsilon", "Distance", "Acceptor", "ABC.History"):
            logging.getLogger(name).setLevel(logging.WARNING)
    prior = pyabc.Distribution(**{p.column: p.rv() for p in sim.priors})
    distance = pyabc.PNormDistance(p=2, fixed_weights={t.metric: 1.0 / t.sd for t in sim.targets})
    sampler = make_sampler(workers, scheduler)
    try:
        abc = pyabc.ABCSMC(sim, prior, distance, population_size=population or population_size(budget),
                           sampler=sampler)
        db = f"sqlite:///{(out / DB_FILE).resolve()}"
        np.random.seed(seed % 2**32)  # the single-core sampler draws from numpy's global generator
        if resume:
            abc.load(db, abc_id=1)
        else:
            abc.new(db, sim.observed)
        history = abc.run(max_total_nr_simulations=budget)
    finally:
        if scheduler:
            sampler.client.close()
    return AbcResult(posterior_frame(history, sim), generations_frame(history),
                     int(history.total_nr_simulations))


def posterior_frame(history, sim: Simulator) -> pd.DataFrame:
    """The last generation as one row per particle."""
    t = history.max_t
    pop = history.get_population_extended(m=0, t=t)  # parameters, weight and distance per particle
    df = pd.DataFrame({p.path: pop[f"par_{p.column}"].to_numpy(dtype=float) for p in sim.priors})
    w = pop["w"].to_numpy(dtype=float)
    df["weight"] = w / w.sum()
    df["distance"] = pop["distance"].to_numpy(dtype=float)
    df["generation"] = int(t)
    return df


def generations_frame(history) -> pd.DataFrame:
    from pyabc.weighted_statistics import effective_sample_size

    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].reset_index(drop=True)
    rows = []
    for _, row in pops.iterrows():
        _, w = history.get_distribution(m=0, t=int(row["t"]))
        rows.append({"generation": int(row["t"]), "epsilon": float(row["epsilon"]),
                     "particles": int(row["particles"]), "samples": int(row["samples"]),
                     "acceptance_rate": float(row["particles"]) / float(row["samples"]),
                     "ess": float(effective_sample_size(np.asarray(w, dtype=float)))})
    return pd.DataFrame(rows)
