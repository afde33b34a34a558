"""``calibrate()``: fit scenario parameters to observed figures, then check the fit.

::

    from governance_sim import calibrate
    cal = calibrate("scenarios/beijing_street.yaml", "scenarios/targets/beijing_12345_2018.yaml",
                    ["arrangement.p_buckpass=0:0.8", "roles.resident.trust0=0.2:0.8"],
                    variant="hotline_classic", method="abc", budget=400, days=90, out="results/cal")
    cal.posterior        # one row per particle: parameters, weight, distance, generation
    cal.summary          # per parameter: median, 50 % and 90 % intervals
    cal.predictive       # posterior-predictive draws of every target
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from governance_sim.calibration import report as rep
from governance_sim.calibration.errors import CalibrationError, require
from governance_sim.calibration.priors import Prior, parse_priors
from governance_sim.calibration.simulate import Draw, Simulator, run_draw
from governance_sim.calibration.targets import Target, check_metrics, read_targets
from governance_sim.experiments.executors import make_executor
from governance_sim.experiments.seeds import run_seed
from governance_sim.scenario import Scenario, load_scenario

METHODS = ("abc", "optimize")
PREDICTIVE_SEEDS = 1_000_000  # predictive draws take seeds from run ids past any fit's
CHECK_FILE = "check.parquet"


@dataclass
class Calibration:
    """What :func:`calibrate` returns (and wrote into ``out``)."""

    posterior: pd.DataFrame
    predictive: pd.DataFrame
    summary: pd.DataFrame
    report: str
    priors: list[Prior]
    targets: list[Target]
    out: Path | None = None
    generations: pd.DataFrame | None = None
    trials: pd.DataFrame | None = None
    profile: pd.DataFrame | None = None
    check: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    scenario: str = ""

    def figure(self, lang: str = "zh"):
        """Marginals against the priors, pairs, and the predictive check (``lang="zh"|"en"``)."""
        from governance_sim.calibration.plot import calibration_figure

        return calibration_figure(self.posterior, self.predictive, self.priors, self.targets,
                                  self.scenario, lang=lang)


def prepare(scenario: str | Path | dict | Scenario, targets: str | Path | dict, params: Any, *,
            variant: str | None = None, method: str = "abc", budget: int = 400, reps: int = 1,
            days: int | None = None) -> Simulator:
    """Check every input and build the simulator (nothing is written; one one-day run)."""
    if method not in METHODS:
        raise CalibrationError("--method", f"unknown method '{method}'; allowed: {', '.join(METHODS)}")
    if budget < 10:
        raise CalibrationError("--budget", f"must be at least 10 simulations (got {budget})")
    if reps < 1:
        raise CalibrationError("--reps", f"must be at least 1 (got {reps})")
    priors = parse_priors(params)
    goals = read_targets(targets)
    sc = load_scenario(scenario, variant, days=days)
    middle = {p.path: p.from_unit(0.5) for p in priors}
    from governance_sim.runner import run

    probe = run(sc, seed=0, days=1, overrides=middle)  # checks the paths and lists the metrics
    check_metrics(goals, probe.metrics)
    return Simulator(sc.model_dump(mode="json"), tuple(priors), tuple(goals), int(sc.days), int(reps))


def fingerprint(sim: Simulator, method: str) -> str:
    """What a resumed calibration must share with the stored one."""
    key = {"scenario": sim.scenario, "priors": [p.__dict__ for p in sim.priors],
           "targets": [t.__dict__ for t in sim.targets], "days": sim.days, "reps": sim.reps, "method": method}
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]


def calibrate(scenario: str | Path | dict | Scenario, targets: str | Path | dict, params: Any, *,
              variant: str | None = None, method: str = "abc", budget: int = 400, reps: int = 1,
              days: int | None = None, population: int | None = None, draws: int = 100,
              workers: int | None = None, scheduler: str | None = None,
              out: str | Path | None = None, resume: bool = False, seed: int = 0,
              check: bool = False, quiet: bool = True, lang: str = "zh") -> Calibration:
    """Fit ``params`` (dotted scenario paths with prior ranges) to ``targets``.

    Args:
        scenario: YAML path, mapping or loaded scenario; ``variant`` picks a named variant.
        targets: a targets YAML file or mapping ``{"targets": {METRIC: {value, sd, source}}}``.
        params: ``["path=lo:hi", "path=log:lo:hi"]`` or ``{"path": "lo:hi"}`` — the priors.
        method: ``"abc"`` (ABC-SMC, pyabc) or ``"optimize"`` (TPE point estimate, optuna).
        budget: simulations in all (ABC: total over generations; optimize: trials).
        reps: runs per simulation, averaged (less noise per simulation, ``reps`` × the cost).
        days: run length (default: the scenario's).
        population: ABC particles per generation (default: about ``budget / 5``).
        draws: posterior-predictive draws of the targets after the fit.
        workers / scheduler: local processes, or a Dask scheduler ``tcp://HOST:PORT``.
        out: folder for ``posterior.parquet``, ``predictive.parquet``, ``calibration.png``,
            ``report.txt`` and the resumable database (default: a temporary folder).
        resume: go on with the calibration stored in ``out`` (same inputs; the budget may grow).
        check: only run a quick Morris screen of the parameters on the targets and return it
            (``Calibration.check`` and ``.warnings``); nothing else is run.
    """
    if lang not in ("zh", "en"):
        raise CalibrationError("--lang", f"unknown language '{lang}'; allowed: zh, en")
    if workers is not None and scheduler:
        raise CalibrationError("--scheduler", "give either --workers (local) or --scheduler (Dask), not both")
    if workers is not None and workers < 1:
        raise CalibrationError("--workers", f"must be at least 1 (got {workers})")
    if method in METHODS:
        require("pyabc" if method == "abc" else "optuna")
    from governance_sim.outdir import check_out_dir

    check_out_dir(out)  # a folder that cannot be written fails before any run
    sim = prepare(scenario, targets, params, variant=variant, method=method, budget=budget,
                  reps=reps, days=days)
    name = scenario.name if isinstance(scenario, Scenario) else Path(str(scenario)).stem \
        if not isinstance(scenario, dict) else str(scenario.get("name", "scenario"))
    if out is None:
        with tempfile.TemporaryDirectory(prefix="govsim-cal-") as tmp:
            return _calibrate(sim, Path(tmp), name, variant, method, budget, population, draws, workers,
                              scheduler, False, seed, check, quiet, lang, keep=False)
    return _calibrate(sim, Path(out), name, variant, method, budget, population, draws, workers,
                      scheduler, resume, seed, check, quiet, lang, keep=True)


def _calibrate(sim, out, name, variant, method, budget, population, draws, workers, scheduler,
               resume, seed, check, quiet, lang, keep) -> Calibration:
    from governance_sim.calibration.check import morris_check, warnings_for
    from governance_sim.experiments.memory import capped_workers

    if workers is None and not scheduler:  # no more runs at once than fit in memory (a city)
        workers = capped_workers([load_scenario(sim.scenario, days=sim.days)])

    if check:
        out.mkdir(parents=True, exist_ok=True)
        table = morris_check(sim, make_executor(workers, scheduler), seed=seed)
        rep.write_frame(table, out / CHECK_FILE)
        empty = pd.DataFrame()
        return Calibration(empty, empty, empty, "", list(sim.priors), list(sim.targets),
                           out if keep else None, check=table, warnings=warnings_for(table), scenario=name)
    manifest = _open_out(out, sim, name, variant, method, budget, seed, resume)
    start = time.perf_counter()
    generations = trials = profile = None
    if method == "abc":
        from governance_sim.calibration.abc_backend import run_abc

        fit = run_abc(sim, out, budget=budget, population=population, workers=workers,
                      scheduler=scheduler, resume=resume, seed=seed, quiet=quiet)
        generations, simulations = fit.generations, fit.simulations
    else:
        from governance_sim.calibration.optuna_backend import run_optimize

        executor = make_executor(workers, scheduler)
        fit = run_optimize(sim, out, executor, budget=budget, batch=max(1, getattr(executor, "workers", 1) or 1),
                           resume=resume, seed=seed, quiet=quiet)
        trials, profile, simulations = fit.trials, fit.profile, len(fit.trials)
        rep.write_frame(trials, out / "trials.parquet")
        rep.write_frame(profile, out / "profile.parquet")
    posterior = fit.posterior
    predictive = posterior_predictive(sim, posterior, draws, seed, make_executor(workers, scheduler))
    wall = time.perf_counter() - start
    manifest.update(simulations=int(simulations), wall_time_s=manifest.get("wall_time_s", 0.0) + wall,
                    finished=True)
    text = rep.report_text(manifest, list(sim.priors), list(sim.targets), posterior, predictive,
                           generations, wall, [])
    rep.write_frame(posterior, out / rep.POSTERIOR)
    rep.write_frame(predictive, out / rep.PREDICTIVE)
    rep.write_text(text, out / rep.REPORT)
    result = Calibration(posterior, predictive, rep.summary_table(posterior, list(sim.priors)), text,
                         list(sim.priors), list(sim.targets), out if keep else None, generations,
                         trials, profile, scenario=name)
    from governance_sim.calibration.plot import calibration_figure, write_figure

    write_figure(calibration_figure(posterior, predictive, list(sim.priors), list(sim.targets), name, lang),
                 out / rep.PLOT)
    rep.write_manifest(out, manifest)
    return result


def _open_out(out: Path, sim: Simulator, name: str, variant, method: str, budget: int, seed: int,
              resume: bool) -> dict:
    stored = rep.read_manifest(out)
    fp = fingerprint(sim, method)
    if resume:
        if stored is None:
            raise CalibrationError("--resume", f"{out} holds no calibration to resume (no {rep.MANIFEST})")
        if stored["fingerprint"] != fp:
            raise CalibrationError("--resume", f"{out} holds a calibration with other inputs (scenario, "
                                               "priors, targets, days, reps or method); use another --out")
        stored["budget"] = budget
        return stored
    if stored is not None or (out.exists() and any(f.name != CHECK_FILE for f in out.iterdir())):
        raise CalibrationError("--out", f"{out} is not empty; add --resume to continue the calibration "
                                        "there, or choose a new folder")
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"scenario": name, "variant": variant, "method": method, "budget": budget, "seed": seed,
                "days": sim.days, "reps": sim.reps, "priors": [p.spec() for p in sim.priors],
                "parameters": [p.path for p in sim.priors], "targets": [t.__dict__ for t in sim.targets],
                "fingerprint": fp, "finished": False}
    rep.write_manifest(out, manifest)
    return manifest


def posterior_predictive(sim: Simulator, posterior: pd.DataFrame, draws: int, seed: int,
                         executor) -> pd.DataFrame:
    """``draws`` runs, each at a particle drawn by weight (seeded), with its own seed."""
    if draws < 1:
        return pd.DataFrame(columns=["draw", "particle", *[p.path for p in sim.priors],
                                     *[t.metric for t in sim.targets]])
    rng = np.random.default_rng(seed)
    w = posterior["weight"].to_numpy(float)
    picks = rng.choice(len(posterior), size=draws, p=w / w.sum())
    jobs = []
    for i, k in enumerate(picks):
        params = {p.column: float(posterior[p.path].iloc[k]) for p in sim.priors}
        jobs.append((sim, Draw(i, int(k), params, run_seed(seed, PREDICTIVE_SEEDS + i))))
    rows = []
    with executor:
        executor.start()
        for (_, d), values in executor.map_unordered(run_draw, jobs):
            if isinstance(values, BaseException):
                values = {t.metric: np.nan for t in sim.targets}
            rows.append({"draw": d.index, "particle": d.particle,
                         **{p.path: d.params[p.column] for p in sim.priors}, **values})
    return pd.DataFrame(rows).sort_values("draw").reset_index(drop=True)
