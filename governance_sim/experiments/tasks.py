"""One run of a sweep as a plain, picklable task, and the function that executes it.

The task carries everything a worker needs (the scenario mapping, the point's
overrides, the seed), so a worker on another machine needs only the package.
The function never raises: a run that fails comes back as an ``error`` outcome
with its message, so one bad point cannot stop a sweep.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class RunTask:
    """运行任务 — one design point × one replicate."""

    run_id: int
    point: int
    rep: int
    seed: int
    overrides: dict[str, Any]
    scenario: dict = field(repr=False)
    days: int | None = None
    timeseries: bool = False
    places: bool = False  # bring back the run's places table (for maps)


@dataclass
class RunOutcome:
    """What came back from a run: its summary row (and timeseries) or its error."""

    run_id: int
    status: str  # "ok" | "error"
    summary: dict[str, Any] | None = None
    timeseries: pd.DataFrame | None = None
    places: pd.DataFrame | None = None
    error: str | None = None
    traceback: str | None = None
    elapsed_s: float = 0.0
    cpu_s: float = 0.0  # CPU time of the run; elapsed_s above it means the worker waited for a core


def error_outcome(task: RunTask, exc: BaseException, elapsed: float = 0.0, cpu: float = 0.0) -> RunOutcome:
    message = f"{type(exc).__name__}: {exc}".strip()
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return RunOutcome(task.run_id, "error", error=message, traceback=tb, elapsed_s=elapsed, cpu_s=cpu)


def execute_run(task: RunTask) -> RunOutcome:
    """Run one task to the end and return its outcome (errors included, never raised)."""
    from governance_sim.runner import run

    start, cpu = time.perf_counter(), time.thread_time()
    try:
        # the experiment sized its pool to fit (experiments.memory.capped_workers): no refusal here
        result = run(task.scenario, seed=task.seed, days=task.days, overrides=task.overrides or None,
                     check_memory=False)
        summary = result.summary.iloc[0].to_dict()
        ts = result.timeseries if task.timeseries else None
        places = result.places if task.places else None
        return RunOutcome(task.run_id, "ok", summary=summary, timeseries=ts, places=places,
                          elapsed_s=time.perf_counter() - start, cpu_s=time.thread_time() - cpu)
    except Exception as exc:  # a failed run is a result to record, not a crash of the sweep
        return error_outcome(task, exc, time.perf_counter() - start, time.thread_time() - cpu)


def run_tasks(tasks, executor, progress, label: str, fn=None):
    """Run ``tasks`` on ``executor`` behind a progress bar; yield ``(task, outcome)`` in completion
    order, with failures of the executor itself turned into error outcomes."""
    fn = fn or execute_run
    with executor:
        executor.start()
        progress.start(len(tasks), 0, label)
        try:
            for task, outcome in executor.map_unordered(fn, tasks):
                if isinstance(outcome, BaseException):
                    outcome = error_outcome(task, outcome)
                progress.advance(outcome.status == "ok")
                yield task, outcome
        finally:
            progress.stop()
