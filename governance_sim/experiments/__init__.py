"""Experiments (批量试验): parameter sweeps, result stores, sensitivity analysis.

::

    from governance_sim import sweep, open_store, sensitivity, evaluate
    df = sweep("scenarios/beijing_street.yaml", {"arrangement.p_buckpass": "0:0.6"},
               design="lhs", samples=40, reps=2, days=90, out="results/bp")
    open_store("results/bp").query("SELECT avg(resolution_rate) FROM runs")

Modules: ``designs`` (grid, Latin hypercube, Sobol, Morris), ``seeds``,
``executors`` (sequential, local processes, Dask), ``store`` (Parquet parts +
DuckDB views), ``sweep``, ``sensitivity`` (SALib), ``evaluate`` (a plain
function for EMA Workbench and SALib).
"""

from governance_sim.experiments.designs import Param, SpecError, design_points, parse_params
from governance_sim.experiments.evaluate import evaluate
from governance_sim.experiments.executors import (
    DaskExecutor,
    Executor,
    LocalExecutor,
    SequentialExecutor,
    make_executor,
)
from governance_sim.experiments.sensitivity import sensitivity
from governance_sim.experiments.store import ResultStore, StoreError, open_store
from governance_sim.experiments.sweep import plan_sweep, run_plan, sweep

__all__ = [
    "DaskExecutor", "Executor", "LocalExecutor", "Param", "ResultStore", "SequentialExecutor",
    "SpecError", "StoreError", "design_points", "evaluate", "make_executor", "open_store",
    "parse_params", "plan_sweep", "run_plan", "sensitivity", "sweep",
]
