"""Global sensitivity analysis (敏感性分析) through SALib: Sobol' indices or Morris screening.

The SALib recipe — problem → sample → evaluate → analyse — with the sweep as
the "evaluate" step, so the runs are parallel, resumable and stored::

    from governance_sim import sensitivity
    idx = sensitivity("scenarios/beijing_street.yaml",
                      {"arrangement.p_buckpass": "0:0.6", "roles.grid_worker.detection_prob": "0.1:0.5"},
                      method="sobol", outputs=["resolution_rate"], samples=64, days=90, out="results/sa")

Inputs live in SALib's unit cube (each parameter maps it to its range, list
or distribution), so Morris ``mu_star`` is the output change over a parameter's
whole range and Sobol' indices are shares of the output variance.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from governance_sim.experiments.designs import salib_problem
from governance_sim.experiments.executors import Executor, make_executor
from governance_sim.experiments.progress import SweepProgress, make_progress
from governance_sim.experiments.store import ResultStore
from governance_sim.experiments.sweep import (
    SweepPlan,
    plan_sweep,
    plan_workers,
    prepare_store,
    run_plan,
)
from governance_sim.scenario import Scenario, ScenarioError

METHODS = ("sobol", "morris")
INDEX_COLUMNS = {
    "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
    "morris": ["mu", "mu_star", "mu_star_conf", "sigma"],
}
INDICES_FILE, PLOT_FILE = "sensitivity.parquet", "sensitivity.png"


class AnalysisError(ScenarioError):
    """An analysis that cannot be done: unknown output, failed runs, undefined values."""


def parse_outputs(outputs: str | list[str] | tuple[str, ...]) -> list[str]:
    if isinstance(outputs, str):
        outputs = outputs.split(",")
    names = [o.strip() for o in outputs if o and o.strip()]
    if not names:
        raise AnalysisError("--output", "name at least one summary metric, e.g. resolution_rate")
    return list(dict.fromkeys(names))


def check_outputs(plan: SweepPlan, outputs: list[str]) -> None:
    """Outputs must be numeric summary metrics of this scenario (checked on a one-day run)."""
    from governance_sim.experiments.evaluate import numeric_metrics
    from governance_sim.runner import run

    known = numeric_metrics(run(plan.scenario, seed=0, days=1, overrides=plan.points[0]).metrics)
    for name in outputs:
        if name not in known:
            raise AnalysisError("--output", f"unknown metric '{name}'; allowed: {', '.join(sorted(known))}")


def analyse(plan: SweepPlan, runs: pd.DataFrame, method: str, outputs: list[str],
            conf_level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """SALib indices from the stored runs of a Sobol' or Morris plan (means over replicates)."""
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        raise AnalysisError("--output", f"{len(failed)} of {len(runs)} runs failed (first: "
                                        f"{failed['error'].iloc[0]}); the indices need every run")
    problem = salib_problem(plan.params)
    rows = []
    for name in outputs:
        y = runs.groupby("point")[name].mean().reindex(range(len(plan.points))).to_numpy(dtype=float)
        if np.isnan(y).any():
            raise AnalysisError("--output", f"'{name}' is undefined (NaN) at {int(np.isnan(y).sum())} of "
                                            f"{len(y)} points; choose another metric or more days")
        if method == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=False, conf_level=conf_level, seed=seed)
        else:
            from SALib.analyze import morris

            res = morris.analyze(problem, plan.unit, y, conf_level=conf_level,
                                 num_levels=plan.manifest["num_levels"], seed=seed)
        for j, p in enumerate(plan.params):
            rows.append({"output": name, "parameter": p.path, "method": method,
                         **{c: float(res[c][j]) for c in INDEX_COLUMNS[method]}})
    return pd.DataFrame(rows)


def plot_indices(indices: pd.DataFrame, path: str | Path, lang: str | None = "en") -> Path:
    """One row of panels per output, readable parameter names: Sobol' S1 and ST with their
    intervals; Morris μ* (with its interval) and σ in separate panels, as they measure
    different things (overall influence; non-linearity and interactions)."""
    from matplotlib.figure import Figure

    from governance_sim.analysis.study_plots import metric_label, param_label
    from governance_sim.fonts import figure_lang

    lang = figure_lang(lang)
    zh = lang == "zh"
    outputs = list(dict.fromkeys(indices["output"]))
    method = indices["method"].iloc[0]
    n_params = indices["parameter"].nunique()
    columns = 1 if method == "sobol" else 2
    fig = Figure(figsize=(7 if columns == 1 else 11, 0.6 + (0.5 * n_params + 0.9) * len(outputs)),
                 layout="constrained")
    axes = fig.subplots(len(outputs), columns, squeeze=False)
    for row, name in zip(axes, outputs, strict=True):
        df = indices[indices["output"] == name]
        y = np.arange(len(df))
        names = [param_label(p, lang) for p in df["parameter"]]
        title = metric_label(name, lang)
        if method == "sobol":
            ax = row[0]
            h = 0.38
            ax.barh(y - h / 2, df["S1"], h, xerr=df["S1_conf"], capsize=3,
                    label="一阶指数 S1" if zh else "first order S1")
            ax.barh(y + h / 2, df["ST"], h, xerr=df["ST_conf"], capsize=3,
                    label="总效应指数 ST" if zh else "total ST")
            ax.set_xlabel("Sobol 指数 (方差占比)" if zh else "Sobol' index (share of variance)")
            ax.legend(loc="best", fontsize="small")
            panels = [(ax, title)]
        else:
            left, right = row
            left.barh(y, df["mu_star"], 0.6, xerr=df["mu_star_conf"], capsize=3, color="#1f77b4")
            left.set_xlabel("μ*：基本效应绝对值的均值" if zh else "μ*: mean |elementary effect| (influence)")
            right.barh(y, df["sigma"], 0.6, color="#ff7f0e")
            right.set_xlabel("σ：基本效应的标准差" if zh else "σ: sd of elementary effects (non-linearity, interaction)")
            panels = [(left, f"{title} · μ*"), (right, f"{title} · σ")]
        for ax, text in panels:
            ax.set_yticks(y, names)
            ax.invert_yaxis()
            ax.set_title(text)
            ax.set_ylabel("参数" if zh else "parameter")
            ax.axvline(0.0, color="grey", linewidth=0.8)
    path = Path(path)
    fig.savefig(path, dpi=120)
    return path


def sensitivity(scenario: str | Path | dict | Scenario, params: Any, *, method: str = "sobol",
                outputs: str | list[str] = ("resolution_rate",), samples: int | None = None,
                reps: int = 1, days: int | None = None, variant: str | None = None,
                workers: int | None = None, scheduler: str | None = None,
                out: str | Path | None = None, resume: bool = False, seed: int = 0,
                conf_level: float = 0.95, num_levels: int = 4, common_seeds: bool = True,
                progress: bool | str | Callable[[int, int, int], None] | SweepProgress = True,
                executor: Executor | None = None) -> pd.DataFrame:
    """Sensitivity indices of summary ``outputs`` to ``params``, with confidence intervals.

    Runs: Sobol' = ``samples × (k + 2)`` (``samples`` a power of 2), Morris =
    ``samples × (k + 1)`` (``samples`` trajectories), each × ``reps``.  With
    ``out``, the runs are a result store there (resumable) and the indices are
    also written as ``sensitivity.parquet`` with a plot ``sensitivity.png``.
    Returns one row per (output, parameter): Sobol' ``S1, S1_conf, ST, ST_conf``;
    Morris ``mu, mu_star, mu_star_conf, sigma``.

    By default every point of replicate ``r`` runs with the same seed (common random
    numbers), so the indices measure the parameters rather than seed-to-seed noise;
    ``common_seeds=False`` gives every run its own seed.
    """
    plan, names = plan_sensitivity(scenario, params, method=method, outputs=outputs, samples=samples,
                                   reps=reps, days=days, variant=variant, seed=seed, num_levels=num_levels,
                                   common_seeds=common_seeds)
    if out is None:
        with tempfile.TemporaryDirectory(prefix="govsim-sa-") as tmp:
            store = run_plan(plan, Path(tmp) / "store", executor or make_executor(plan_workers(plan, workers, scheduler), scheduler),
                             progress=make_progress(progress))
            return analyse(plan, store.runs, method, names, conf_level, seed)
    prepare_store(plan, out, resume)
    store = run_plan(plan, out, executor or make_executor(plan_workers(plan, workers, scheduler), scheduler), resume=resume,
                     progress=make_progress(progress))
    return write_indices(plan, store, method, names, conf_level, seed)


def plan_sensitivity(scenario: str | Path | dict | Scenario, params: Any, *, method: str = "sobol",
                     outputs: str | list[str] = ("resolution_rate",), samples: int | None = None,
                     reps: int = 1, days: int | None = None, variant: str | None = None, seed: int = 0,
                     num_levels: int = 4, common_seeds: bool = True) -> tuple[SweepPlan, list[str]]:
    """Check a sensitivity analysis and lay out its runs (nothing is run or written)."""
    if method not in METHODS:
        raise AnalysisError("--method", f"unknown method '{method}'; allowed: {', '.join(METHODS)}")
    names = parse_outputs(outputs)
    plan = plan_sweep(scenario, params, design=method, samples=samples, reps=reps, days=days,
                      variant=variant, seed=seed, num_levels=num_levels, common_seeds=common_seeds)
    check_outputs(plan, names)
    return plan, names


def write_indices(plan: SweepPlan, store: ResultStore, method: str, outputs: list[str],
                  conf_level: float = 0.95, seed: int = 0, lang: str | None = "en") -> pd.DataFrame:
    """Analyse the store's runs and write ``sensitivity.parquet`` and ``sensitivity.png`` beside them."""
    indices = analyse(plan, store.runs, method, outputs, conf_level, seed)
    indices.to_parquet(store.root / INDICES_FILE, index=False)
    indices.attrs["plot"] = str(plot_indices(indices, store.root / PLOT_FILE, lang))
    return indices
