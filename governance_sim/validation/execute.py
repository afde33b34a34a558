"""Running the claims: every arm × replicate as one run, shared seeds, duplicates run once.

All claims are laid out first (:func:`plan`), so a bad override fails before
anything runs; runs that several claims share (the Beijing baseline serves
most of them) are computed once; then every run goes to one executor —
local processes, Dask, or this process — and the per-run metric values come
back as one table (:func:`execute`).
"""

from __future__ import annotations

import gc
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from governance_sim.experiments.executors import Executor, make_executor
from governance_sim.experiments.memory import workers_for_tasks
from governance_sim.experiments.progress import make_progress
from governance_sim.experiments.seeds import run_seed
from governance_sim.experiments.tasks import RunTask, execute_run, run_tasks
from governance_sim.scenario import load_scenario
from governance_sim.validation.claims import metric
from governance_sim.validation.journal import RunJournal, config_key
from governance_sim.validation.spec import Claim

SCENARIOS = Path(__file__).resolve().parent.parent.parent / "scenarios"
SHIPPED, COUNTERFACTUAL, SCAN = "shipped", "counterfactual", "scan"


def scan_condition(value: float) -> str:
    """The condition label of one scan point, e.g. ``scan@0.25``."""
    return f"{SCAN}@{value:g}"


def scan_value(condition: str) -> float | None:
    """The parameter value of a scan condition (``None`` for other conditions)."""
    return float(condition.split("@", 1)[1]) if condition.startswith(f"{SCAN}@") else None


def scenario_source(claim: Claim, scenarios_dir: str | Path | None = None):
    """The claim's scenario: a mapping as given, or ``<scenarios_dir>/<name>.yaml``."""
    if not isinstance(claim.scenario, str):
        return dict(claim.scenario)
    return Path(scenarios_dir or SCENARIOS) / f"{claim.scenario}.yaml"


@dataclass
class Plan:
    """Which distinct run configurations exist, and which (claim, condition, arm) uses which."""

    configs: list[dict] = field(default_factory=list)  # scenario mappings, one per distinct arm
    keys: list[str] = field(default_factory=list)  # each configuration's hash (see journal.config_key)
    timeseries: list[bool] = field(default_factory=list)
    metrics: list[set[str]] = field(default_factory=list)  # metric names needed per config
    use: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (claim, condition, arm) → config
    days_of: dict[str, int] = field(default_factory=dict)  # claim → days its runs last
    reps: int = 30
    seed: int = 0
    days: int | None = None
    _index: dict[str, int] = field(default_factory=dict)

    def add(self, raw: dict, needs: set[str], timeseries: bool) -> int:
        key = config_key(raw)
        i = self._index.get(key)
        if i is None:
            i = self._index[key] = len(self.configs)
            self.configs.append(raw)
            self.keys.append(key)
            self.timeseries.append(False)
            self.metrics.append(set())
        self.timeseries[i] |= timeseries
        self.metrics[i] |= needs
        return i

    def tasks(self) -> list[RunTask]:
        """Every distinct configuration × replicate; replicate ``r`` has the same seed in all."""
        out = []
        for i, raw in enumerate(self.configs):
            for rep in range(self.reps):
                out.append(RunTask(run_id=i * self.reps + rep, point=i, rep=rep,
                                   seed=run_seed(self.seed, rep), overrides={}, scenario=raw,
                                   timeseries=self.timeseries[i]))  # days: the mapping's own
        return out

    @property
    def n_runs(self) -> int:
        return len(self.configs) * self.reps


def conditions_of(claim: Claim, counterfactual: bool, scan_points: int) -> list[tuple[str, float | None]]:
    """The conditions a claim is tested under: as shipped, its counterfactual, its scan points
    (each with the value of the claim's behavioural parameter, ``None`` = as shipped)."""
    out: list[tuple[str, float | None]] = [(SHIPPED, None)]
    cf = claim.counterfactual
    if cf is None:
        return out
    if counterfactual:
        out.append((COUNTERFACTUAL, cf.value))
    if scan_points:
        out += [(scan_condition(v), v) for v in cf.grid(scan_points)]
    return out


def plan(claims: list[Claim], *, reps: int = 30, days: int | None = None, seed: int = 0,
         counterfactual: bool = False, scenarios_dir: str | Path | None = None,
         scan_points: int = 0, warmup_days: int | None = None) -> Plan:
    """Load every arm's scenario (raising :class:`ScenarioError` on a bad one) and lay out the runs.

    ``scan_points`` > 0 adds, for every claim, its behavioural parameter at that many values
    over the declared range; ``warmup_days`` replaces each scenario's warm-up.
    """
    p = Plan(reps=reps, seed=seed, days=days)
    for claim in claims:
        source = scenario_source(claim, scenarios_dir)
        needed = [metric(m) for m in claim.contrast.metrics(claim.metric)]
        names = {m.name for m in needed}
        ts = any(m.timeseries for m in needed)
        for cond, value in conditions_of(claim, counterfactual, scan_points):
            for arm in claim.arms:
                overrides = dict(arm.overrides)
                if value is not None:
                    overrides.update(claim.counterfactual.for_arm(arm.label, value))
                if warmup_days is not None:
                    overrides["warmup_days"] = warmup_days
                sc = load_scenario(source, variant=arm.variant, overrides=overrides or None, days=days)
                if claim.min_days and sc.days < claim.min_days:  # e.g. a shock window must be reached
                    sc = load_scenario(source, variant=arm.variant, overrides=overrides or None,
                                       days=claim.min_days)
                p.days_of[claim.id] = sc.days
                raw = sc.model_dump(mode="json")
                raw["variants"] = {}  # a run needs only its own parameters
                raw["variant"] = arm.label
                p.use[(claim.id, cond, arm.label)] = p.add(raw, names, ts)
    return p


def run_task(task: RunTask):
    """:func:`execute_run`, then a full collection so the finished model (its agents and it
    refer to each other) is freed at once rather than whenever the collector next runs."""
    try:
        return execute_run(task)
    finally:
        gc.collect()


def _values(outcome, names: set[str]) -> dict[str, float]:
    summary = outcome.summary
    row = {k: float(v) for k, v in summary.items()
           if isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)}
    for name in names:
        row[name] = metric(name).value(summary, outcome.timeseries)
    return row


def execute(p: Plan, *, workers: int | None = None, scheduler: str | None = None,
            executor: Executor | None = None, progress=False,
            journal: RunJournal | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the plan; returns (one row per run: ``config``, ``rep``, ``seed`` and metrics; failures).

    With a ``journal``, runs it already holds are taken from it and each finished run is
    appended to it, so an interrupted validation resumes where it stopped.
    """
    tasks = p.tasks()
    executor = executor or make_executor(workers_for_tasks(tasks, workers, scheduler), scheduler)
    rows: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    if journal is not None:
        todo = []
        for task in tasks:
            values = journal.get(p.keys[task.point], task.rep, task.seed)
            if values is None or not p.metrics[task.point] <= values.keys():
                todo.append(task)
            else:
                rows.append(_row(task, values))
        tasks = todo
        journal.open()
    label = f"validate · {len(p.configs)} arms × {p.reps} · {executor.describe()}"
    if rows:
        label += f" · {len(rows)} runs from the journal"
    try:
        for task, outcome in run_tasks(tasks, executor, make_progress(progress), label, run_task):
            if outcome.status == "ok":
                values = _values(outcome, p.metrics[task.point])
                if journal is not None:
                    journal.record(p.keys[task.point], task.rep, task.seed, values)
                rows.append(_row(task, values))
            else:
                failures.append({"config": task.point, "seed": task.seed,
                                 "arm": task.scenario["variant"], "error": outcome.error})
    finally:
        if journal is not None:
            journal.close()
    runs = pd.DataFrame(rows)
    if not runs.empty:
        runs = runs.sort_values(["config", "rep"]).reset_index(drop=True)
    return runs, pd.DataFrame(failures, columns=["config", "seed", "arm", "error"])


def _row(task: RunTask, values: dict[str, float]) -> dict[str, Any]:
    return {"config": task.point, "rep": task.rep, "seed": task.seed,
            "scenario": task.scenario["name"], "arm": task.scenario["variant"], **values}
