"""``sweep()``: a design × replicates of a scenario, run on any executor into a result store.

Two steps: :func:`plan_sweep` checks everything (parameters, design, the
scenario with the design's values) without touching the disk; :func:`run_plan`
runs what is not yet in the store.  ``sweep()`` does both and returns the runs
as a DataFrame::

    from governance_sim import sweep
    df = sweep("scenarios/beijing_street.yaml",
               {"arrangement.p_buckpass": "0:0.6", "roles.grid_worker.detection_prob": "[0.1,0.3,0.5]"},
               design="grid", reps=3, days=90, out="results/buckpass")
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from governance_sim.experiments.designs import (
    MAX_RUNS,
    Param,
    SpecError,
    check_samples,
    design_points,
    parse_params,
)
from governance_sim.experiments.executors import Executor, make_executor
from governance_sim.experiments.progress import SweepProgress, make_progress
from governance_sim.experiments.seeds import run_seeds
from governance_sim.experiments.store import (
    DESIGN,
    MANIFEST,
    ResultStore,
    StoreError,
    in_use_message,
)
from governance_sim.experiments.tasks import RunOutcome, RunTask, error_outcome, execute_run
from governance_sim.outdir import check_out_dir
from governance_sim.scenario import Scenario, ScenarioError, load_scenario
from governance_sim.schema import check_seed


def _native(value: Any) -> Any:
    """numpy scalars → Python values (the scenario schema and JSON want plain types)."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass
class SweepPlan:
    """A checked sweep: the base scenario, the parameters, the points and every run's seed."""

    scenario: dict
    params: list[Param]
    points: list[dict[str, Any]]  # dotted path → value, one dict per design point
    runs: pd.DataFrame  # run_id, point, rep, seed, one column per parameter
    manifest: dict[str, Any]
    unit: np.ndarray | None = None  # the unit-cube sample of a sampled design

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    def __post_init__(self) -> None:
        self._records = self.runs.to_dict("records")  # per-column types kept (iloc would upcast)

    def task(self, run_id: int) -> RunTask:
        row = self._records[run_id]
        return RunTask(run_id=run_id, point=row["point"], rep=row["rep"], seed=row["seed"],
                       overrides=self.points[row["point"]], scenario=self.scenario,
                       days=self.manifest["days"], timeseries=self.manifest["timeseries"])

    def row(self, run_id: int) -> dict[str, Any]:
        return {k: _native(v) for k, v in self._records[run_id].items()}


def _value_at(raw: Any, path: str) -> Any:
    """The value at a dotted path of a scenario mapping (lists by index or item name), or None."""
    node = raw
    for key in path.split("."):
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list):
            names = [item.get("name") if isinstance(item, dict) else None for item in node]
            if key in names:
                node = node[names.index(key)]
            elif key.lstrip("-").isdigit() and -len(node) <= int(key) < len(node):
                node = node[int(key)]
            else:
                return None
        else:
            return None
    return node


def _check_values(base: dict, params: list[Param], points: list[dict[str, Any]]) -> None:
    """Load the scenario with each parameter's extreme or listed values, then with the first point,
    so a bad path or value is one clear error before anything runs."""
    for p in params:
        values = [pt[p.path] for pt in points]
        if p.kind == "list":
            check = list(dict.fromkeys(values))
        else:
            check = list(dict.fromkeys([min(values), max(values)]))
        for v in check:
            try:
                load_scenario(base, overrides={p.path: v})
            except ScenarioError as exc:
                where = "" if exc.field == p.path else f"{exc.field}: "
                value = "" if exc.message.startswith("unknown field") else f" — value {v!r} from '{p.spec}'"
                raise SpecError(p.path, f"{where}{exc.message}{value}") from None
    try:
        load_scenario(base, overrides=points[0])
    except ScenarioError as exc:
        raise SpecError(exc.field, f"{exc.message} — at the design point {points[0]}") from None


def plan_sweep(scenario: str | Path | dict | Scenario, params: Any, *, design: str = "grid",
               samples: int | None = None, reps: int = 1, days: int | None = None,
               variant: str | None = None, seed: int = 0, timeseries: bool = False,
               num_levels: int = 4, common_seeds: bool = False) -> SweepPlan:
    """Check a sweep and lay out its runs; raises :class:`ScenarioError` on any bad input.

    Seeds derive from ``seed`` and the run id; with ``common_seeds`` from ``seed`` and
    the replicate number instead (common random numbers: every point of replicate ``r``
    shares a seed, so differences between points come from the parameters alone).
    """
    params = parse_params(params)
    if int(reps) < 1:
        raise SpecError("--reps", f"must be at least 1 (got {reps})")
    check_seed(seed)
    if int(reps) > MAX_RUNS:
        raise SpecError("--reps", f"at most {MAX_RUNS:,} runs per sweep (got {reps} replicates)")
    sc = load_scenario(scenario, variant, days=days)
    base = sc.model_dump(mode="json")
    params = [p.as_integer() if isinstance(_value_at(base, p.path), int)
              and not isinstance(_value_at(base, p.path), bool) else p for p in params]
    frame, unit = design_points(params, design, samples, seed, num_levels)
    points = [{p.path: _native(v) for p, v in zip(params, row, strict=True)}
              for row in frame.itertuples(index=False)]
    _check_values(base, params, points)
    for col in frame.columns:  # a list mixing words and numbers is stored as text in the design table
        if frame[col].dtype == object and len({type(v) for v in frame[col]}) > 1:
            frame[col] = frame[col].astype(str)
    n_points = len(points)
    if n_points * int(reps) > MAX_RUNS:
        raise SpecError("--reps", f"{n_points:,} points × {reps} replicates exceeds {MAX_RUNS:,} runs per sweep")
    run_ids = np.arange(n_points * reps)
    runs = pd.DataFrame({"run_id": run_ids, "point": run_ids // reps, "rep": run_ids % reps,
                         "seed": run_seeds(seed, run_ids % reps if common_seeds else run_ids)})
    runs = pd.concat([runs, frame.iloc[runs["point"]].reset_index(drop=True)], axis=1)
    spec = {
        "scenario": sc.name, "scenario_hash": sc.scenario_hash, "variant": sc.variant,
        "params": [{"path": p.path, "column": p.column, "spec": p.spec, "kind": p.kind,
                    "integer": p.integer} for p in params],
        "design": design, "samples": check_samples(design, samples), "num_levels": num_levels,
        "reps": int(reps), "days": sc.days, "seed": int(seed), "timeseries": bool(timeseries),
        "common_seeds": bool(common_seeds),
    }
    fingerprint = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]
    from governance_sim import __version__

    manifest = {**spec, "n_points": n_points, "n_runs": len(runs), "fingerprint": fingerprint,
                "version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    return SweepPlan(scenario=base, params=params, points=points, runs=runs, manifest=manifest, unit=unit)


def prepare_store(plan: SweepPlan, out: str | Path, resume: bool) -> ResultStore | None:
    """Check ``out`` against the plan; returns the existing store when resuming, else None.

    Nothing is written here, so a refused folder stays as it was.  A store whose
    manifest is damaged or lost can only be resumed: :func:`run_plan` rebuilds it
    from the plan, which the same arguments reproduce exactly.
    """
    out = Path(out)
    check_out_dir(out)
    if ResultStore.in_use(out):
        raise StoreError(in_use_message(out))
    if ResultStore.is_store(out) or ResultStore.has_leftovers(out):
        if not resume:
            ResultStore.check_new(out)  # raises with the reason
        store = ResultStore(out)
        old = store._json_ok(MANIFEST)
        if isinstance(old, dict) and old.get("fingerprint") is not None \
                and old.get("fingerprint") != plan.manifest["fingerprint"]:
            keys = ("scenario", "scenario_hash", "variant", "params", "design", "samples", "num_levels",
                    "reps", "days", "seed", "timeseries", "common_seeds")
            diff = [k for k in keys if old.get(k) != plan.manifest.get(k)]
            raise StoreError(f"{out} holds a different sweep (differs in: {', '.join(diff)}); "
                             "resume it with the same arguments, or choose a new --out")
        return store
    ResultStore.check_new(out)
    return None


def repair_store(plan: SweepPlan, store: ResultStore) -> list[str]:
    """Under the write lock: rebuild a damaged manifest, design or scenario from the plan, then check
    every part against the plan (a part of another sweep is set aside).  Returns the files rebuilt."""
    old = store._json_ok(MANIFEST)
    trusted = isinstance(old, dict) and old.get("fingerprint") == plan.manifest["fingerprint"]
    if not trusted and (store.root / DESIGN).exists() and not store._design_ok(plan.runs):
        with contextlib.suppress(StoreError):
            store.design()  # readable but different: another sweep's folder, not damage
            raise StoreError(f"{store.root} has lost its {MANIFEST} and its {DESIGN} differs from this sweep's; "
                             "resume it with the same arguments, or choose a new --out")
    rebuilt = store.write_definition(plan.manifest, plan.scenario, plan.runs, only_damaged=True)
    found = store.check(repair=True)
    if not trusted:  # without a manifest to vouch for them, every part must read back as its planned run
        timeseries = bool(plan.manifest["timeseries"])
        for run_id in sorted(found.verified):
            if store._adoptable(run_id, plan.row(run_id), timeseries) is None:
                del found.verified[run_id]
                store._set_aside(found, run_id, repair=True)
        store.rewrite_records(found.verified)
    store.notes = [f"rebuilt {', '.join(rebuilt)} from the sweep's arguments"] if rebuilt else []
    store.notes += found.notes()
    return rebuilt
def _row(plan: SweepPlan, outcome: RunOutcome) -> dict[str, Any]:
    row = plan.row(outcome.run_id)
    if outcome.status == "ok":
        row["status"] = "ok"
        row.update({k: _native(v) for k, v in outcome.summary.items()})
    else:
        m = plan.manifest
        row.update(status="error", scenario=m["scenario"], scenario_hash=m["scenario_hash"],
                   variant=m["variant"], error=outcome.error, traceback=outcome.traceback)
    row["elapsed_s"], row["cpu_s"] = outcome.elapsed_s, outcome.cpu_s
    return row


def plan_workers(plan: SweepPlan, workers: int | None, scheduler: str | None) -> int | None:
    """``workers`` for the runs of ``plan``: as given, else no more at once than fit in memory
    (:func:`governance_sim.experiments.memory.capped_workers`)."""
    from governance_sim.experiments.memory import workers_for_tasks

    if workers is not None or scheduler:  # nothing to size
        return workers
    return workers_for_tasks(plan.task(r) for r in range(plan.n_runs))


def run_plan(plan: SweepPlan, out: str | Path, executor: Executor, *, resume: bool = False,
             progress: SweepProgress | None = None) -> ResultStore:
    """Run every run of ``plan`` not yet finished in ``out``.

    Failed runs are recorded (status ``error``) and retried by a later resume.
    On Ctrl-C pending runs are cancelled and ``KeyboardInterrupt`` propagates;
    the store holds exactly the runs that finished.
    """
    store = prepare_store(plan, out, resume)
    progress = progress or SweepProgress()
    new = store is None
    store = store or ResultStore(out)
    try:
        executor.start()  # before the lock and any progress thread: local workers are forked here
        store.lock()  # before anything is written: a second writer gets the same refusal
        store.remove_partial()
        if new:
            ResultStore.check_new(out)
            store.write_definition(plan.manifest, plan.scenario, plan.runs)
        else:
            repair_store(plan, store)
        done = {r for r, s in store.status().items() if s == "ok"}
        todo = [r for r in range(plan.n_runs) if r not in done]
        label = f"{plan.manifest['scenario']} · {plan.manifest['design']} · {executor.describe()}"
        progress.start(plan.n_runs, len(done), label)
        try:
            tasks: Iterator[RunTask] = (plan.task(r) for r in todo)
            for task, result in executor.map_unordered(execute_run, tasks):
                if isinstance(result, BaseException):
                    result = error_outcome(task, result)
                store.write_run(_row(plan, result), result.timeseries)
                progress.advance(result.status == "ok")
        finally:
            progress.stop()
    finally:
        executor.close()
        store.unlock()
    return store


def sweep(scenario: str | Path | dict | Scenario, params: Any, *, design: str = "grid",
          samples: int | None = None, reps: int = 1, days: int | None = None, variant: str | None = None,
          workers: int | None = None, scheduler: str | None = None, out: str | Path | None = None,
          resume: bool = False, seed: int = 0, timeseries: bool = False, common_seeds: bool = False,
          progress: bool | str | Callable[[int, int, int], None] | SweepProgress = True,
          executor: Executor | None = None) -> pd.DataFrame:
    """Run a parameter sweep and return one row per run (parameters, summary, status).

    Args:
        scenario: YAML path, mapping or :class:`Scenario`; ``variant`` applies a named variant.
        params: ``{"dotted.path": SPEC}`` or ``["dotted.path=SPEC", ...]``; SPEC is a range
            ``"lo:hi"``, a list ``[a, b]`` / ``"[a,b]"``, or a distribution ``"normal(mu,sd)"``.
        design: ``grid`` (full factorial), ``lhs`` (Latin hypercube), ``sobol`` or ``morris``.
        samples: points of a sampled design (grid: levels of a float range without ``:n``).
        reps: replicates per point, each with its own seed.
        days: run length (default: the scenario's).
        workers: local processes (default every core; 1 = in this process).
        scheduler: ``tcp://host:port`` of a Dask scheduler instead of local processes.
        out: result store folder (default: a temporary one, removed afterwards).
        resume: continue the sweep already in ``out``.
        seed: the sweep seed; run ``i`` gets a seed derived from it and ``i``.
        timeseries: also store each run's daily series.
        common_seeds: one seed per replicate shared by every point (common random numbers).
        progress: a rich progress bar (True), a notebook bar ("tqdm"), none (False), or
            ``fn(done, total, failed)``.
        executor: an :class:`Executor` to use instead of ``workers`` / ``scheduler``.
    """
    plan = plan_sweep(scenario, params, design=design, samples=samples, reps=reps, days=days,
                      variant=variant, seed=seed, timeseries=timeseries, common_seeds=common_seeds)
    if out is None:
        with tempfile.TemporaryDirectory(prefix="govsim-sweep-") as tmp:
            return _sweep_into(plan, Path(tmp) / "store", False, workers, scheduler, progress, executor)
    return _sweep_into(plan, out, resume, workers, scheduler, progress, executor)


def _sweep_into(plan, out, resume, workers, scheduler, progress, executor) -> pd.DataFrame:
    prepare_store(plan, out, resume)  # refuse a bad folder before starting workers
    executor = executor or make_executor(plan_workers(plan, workers, scheduler), scheduler)
    store = run_plan(plan, out, executor, resume=resume, progress=make_progress(progress))
    return store.runs
