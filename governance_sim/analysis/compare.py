"""``compare()``: several variants of one scenario over the same seeds (common random numbers).

Four lines in a notebook::

    from governance_sim import compare
    cmp = compare("scenarios/beijing_street.yaml", variants=["baseline", "whistle"], reps=30)
    cmp.table            # tidy: metric × variant with mean, 95 % CI, difference to the first variant
    cmp.figure()         # distributions of times, 三率, workload by role
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from governance_sim.analysis.stats import difference, mean_ci
from governance_sim.experiments.executors import Executor, make_executor
from governance_sim.experiments.progress import make_progress
from governance_sim.experiments.seeds import run_seed
from governance_sim.experiments.tasks import RunTask, run_tasks
from governance_sim.scenario import Scenario, ScenarioError, load_scenario
from governance_sim.schema import check_seed

IDENTITY = ("scenario", "scenario_hash", "variant", "arrangement", "seed", "version")


@dataclass
class Comparison:
    """Result of :func:`compare`: per-run summaries and the tidy comparison table."""

    runs: pd.DataFrame
    table: pd.DataFrame
    variants: list[str]
    scenario_name: str
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)
    places: pd.DataFrame | None = None  # per run and place, when the territory has polygons
    places_source: str | None = None  # the territory file with the polygons
    map_scenario: Any = None  # a city without polygons: the scenario whose layout is drawn

    def metric(self, name: str) -> pd.DataFrame:
        """The rows of ``table`` for one metric."""
        return self.table[self.table["metric"] == name].reset_index(drop=True)

    def wide(self, name: str) -> pd.Series:
        """``variant → mean`` for one metric."""
        return self.metric(name).set_index("variant")["mean"]

    def figure(self, lang: str | None = None):
        """The comparison figure (see :func:`~governance_sim.analysis.plots.comparison_figure`);
        ``lang`` ``zh``/``en``, default from the locale."""
        from governance_sim.analysis.plots import comparison_figure

        return comparison_figure(self, lang=lang)

    def write(self, out: str | Path, lang: str | None = None) -> Path:
        from governance_sim.runner import write_tables

        out = Path(out)
        tables = {"runs": self.runs, "comparison": self.table}
        if self.places is not None:
            tables["places"] = self.places
        write_tables(tables, out)
        tmp = out / ".comparison.csv.partial"
        self.table.to_csv(tmp, index=False)
        os.replace(tmp, out / "comparison.csv")
        fig = self.figure(lang)
        tmp_png = out / ".comparison.partial.png"
        fig.savefig(tmp_png, dpi=120, bbox_inches="tight")
        os.replace(tmp_png, out / "comparison.png")
        import matplotlib.pyplot as plt

        plt.close(fig)
        if self.places_source is not None:
            from governance_sim.analysis.maps import write_compare_maps

            write_compare_maps(self, out)
        return out


def plan_compare(scenario: str | Path | dict | Scenario, variants: list[str] | str | None = None, *,
                 reps: int = 30, days: int | None = None, seed: int = 0,
                 overrides: dict[str, Any] | list[str] | None = None,
                 posterior: str | Path | pd.DataFrame | None = None) -> list[RunTask]:
    """Validate every variant and lay out the runs (variant × replicate) without running them.

    With ``posterior``, replicate ``r`` of every variant also runs with one particle drawn by
    weight (seeded) — its parameters become overrides of that replicate's tasks.
    """
    if reps < 1:
        raise ScenarioError("--reps", f"must be at least 1 (got {reps})")
    check_seed(seed)
    particles = _particles(scenario, posterior, reps, seed, overrides, days)
    base = load_scenario(scenario, overrides=overrides, days=days)
    available = list(base.variants)
    if isinstance(variants, str):
        variants = [v.strip() for v in variants.split(",") if v.strip()]
    variants = list(variants or available or [base.variant])
    if len(set(variants)) != len(variants):
        raise ScenarioError("--variants", f"a variant is listed twice: {variants}")
    tasks: list[RunTask] = []
    for vi, name in enumerate(variants):
        if name not in available and name != base.variant:
            raise ScenarioError("--variants", f"unknown variant {name!r}; allowed: {available}")
        sc = load_scenario(scenario, variant=name, overrides=overrides, days=days)
        raw = sc.model_dump(mode="json")
        maps = _has_polygons(sc)
        for rep in range(reps):
            # common random numbers: replicate r of every variant uses the same seed
            tasks.append(RunTask(run_id=vi * reps + rep, point=vi, rep=rep, seed=run_seed(seed, rep),
                                 overrides=particles[rep][1] if particles else {}, scenario=raw, days=days,
                                 places=maps))
    return tasks


def _particles(scenario, posterior, reps, seed, overrides, days) -> list[tuple[int, dict]] | None:
    """One posterior particle per replicate (shared by every variant), checked against the scenario."""
    if posterior is None:
        return None
    from governance_sim.calibration.posterior import draw_particles, read_posterior

    drawn = draw_particles(read_posterior(posterior), reps, seed)
    load_scenario(load_scenario(scenario, overrides=overrides, days=days), overrides=drawn[0][1])
    return drawn


def compare(scenario: str | Path | dict | Scenario, variants: list[str] | str | None = None, *,
            reps: int = 30, days: int | None = None, seed: int = 0, workers: int | None = None,
            scheduler: str | None = None, executor: Executor | None = None,
            overrides: dict[str, Any] | list[str] | None = None, out: str | Path | None = None,
            progress: bool | str | Callable | None = False, level: float = 0.95,
            lang: str | None = None,
            posterior: str | Path | pd.DataFrame | None = None) -> Comparison:
    """Run every variant over the same seeds and compare their summaries.

    Args:
        scenario: YAML path, mapping or loaded scenario.
        variants: names from the scenario's ``variants`` table (default: all); the first
            is the reference for differences.
        reps: replications per variant (seeds shared across variants).
        days: run length (default: the scenario's).
        seed: base seed; replicate ``r`` runs with a seed derived from (seed, r).
        workers / scheduler / executor: where runs go (local processes by default, Dask
            when ``scheduler`` is an address; see :mod:`governance_sim.experiments.executors`).
        overrides: dotted-path overrides applied to every variant.
        out: folder for ``runs.parquet``, ``comparison.parquet``/``.csv`` and ``comparison.png``.
        progress: ``True`` for a progress bar, ``"tqdm"`` for a notebook bar, or a callable
            ``fn(done, total, failed)``.
        lang: language of ``comparison.png`` (``zh``/``en``; default from the locale).
        posterior: a ``posterior.parquet`` from :func:`governance_sim.calibrate` (or its table):
            each replicate draws one particle by weight and runs every variant with it, so the
            intervals carry parameter as well as stochastic uncertainty (column ``uncertainty``).
    """
    tasks = plan_compare(scenario, variants, reps=reps, days=days, seed=seed, overrides=overrides,
                         posterior=posterior)
    names = list(dict.fromkeys(_variant_of(t) for t in tasks))
    if executor is None and workers is None and not scheduler:
        workers = workers_for_memory(tasks)  # a city's runs take gigabytes each
    executor = executor or make_executor(workers, scheduler)
    rows, failures, places = [], [], []
    label = f"compare {len(names)} variants × {reps}"
    for task, outcome in run_tasks(tasks, executor, make_progress(progress), label):
        if outcome.status == "ok":
            rows.append({**outcome.summary, "rep": task.rep, **task.overrides})
            if outcome.places is not None:
                places.append(outcome.places.assign(rep=task.rep))
        else:
            failures.append({"variant": _variant_of(task), "seed": task.seed, "error": outcome.error})
    if not rows:
        first = failures[0]["error"] if failures else "no runs"
        raise RuntimeError(f"every run failed; first error: {first}")
    runs = pd.DataFrame(rows)
    runs["variant"] = pd.Categorical(runs["variant"], categories=names, ordered=True)
    runs = runs.sort_values(["variant", "rep"]).reset_index(drop=True)
    runs["variant"] = runs["variant"].astype(str)
    table = comparison_table(runs.drop(columns=list(tasks[0].overrides)), names, level)
    table["uncertainty"] = "parameter + stochastic" if posterior is not None else "stochastic"
    result = Comparison(runs=runs, table=table, variants=names,
                        scenario_name=str(runs["scenario"].iloc[0]), failures=pd.DataFrame(failures))
    if places:
        result.places = pd.concat(places, ignore_index=True)
        result.places_source = tasks[0].scenario["territory"]["source"]
        result.map_scenario = tasks[0].scenario
    if out is not None:
        result.write(out, lang)
    return result


def workers_for_memory(tasks: list[RunTask]) -> int | None:
    """Fewer local processes than cores when the runs would not fit in memory together
    (:mod:`governance_sim.experiments.memory`); ``None`` (every core) when they fit."""
    from governance_sim.experiments.memory import workers_for_tasks

    return workers_for_tasks(tasks)


def _has_polygons(sc: Scenario) -> bool:
    """Whether runs bring back their places for maps: a territory file with polygons, or a city
    (drawn on its schematic layout)."""
    if sc.territory.source is None:
        return False
    from governance_sim.places_data import load_places

    data = load_places(sc.territory.source)
    return data.has_geometry or (len(data.districts) > 1 and sc.territory.select is None)  # a city


def _variant_of(task: RunTask) -> str:
    return task.scenario.get("variant", "default")


def numeric_metrics(runs: pd.DataFrame) -> list[str]:
    skip = set(IDENTITY) | {"rep"}
    return [c for c in runs.columns if c not in skip and pd.api.types.is_numeric_dtype(runs[c])]


def comparison_table(runs: pd.DataFrame, variants: list[str], level: float = 0.95) -> pd.DataFrame:
    """Tidy table: one row per metric × variant with mean, CI and the difference to the first."""
    rows = []
    by_variant = {v: runs[runs["variant"] == v].set_index("seed") for v in variants}
    ref = variants[0]
    for metric in numeric_metrics(runs):
        for v in variants:
            m, lo, hi, n = mean_ci(by_variant[v][metric], level)
            row = {"metric": metric, "variant": v, "n": n, "mean": m, "ci_low": lo, "ci_high": hi}
            if v != ref:
                row.update(difference(by_variant[ref][metric], by_variant[v][metric], level))
            rows.append(row)
    return pd.DataFrame(rows)
