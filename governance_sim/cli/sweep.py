"""``govsim sweep`` — a parameter sweep into a resumable result store."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from governance_sim.cli import options as opt
from governance_sim.cli.app import app, console, err_console, user_errors
from governance_sim.cli.query import suggested_query
from governance_sim.experiments.designs import SpecError
from governance_sim.experiments.executors import make_executor
from governance_sim.experiments.progress import RichProgress
from governance_sim.experiments.store import ResultStore, StoreError
from governance_sim.experiments.sweep import plan_sweep, plan_workers, prepare_store, run_plan

SWEEP_DESIGNS = ("grid", "lhs", "sobol")
EXIT_INTERRUPTED = 130


def interrupted(out: Path, total: int) -> typer.Exit:
    """After Ctrl-C: say what is stored and how to go on."""
    try:
        done = len(ResultStore(out).part_ids()) if ResultStore.is_store(out) else 0
    except StoreError:  # stopped before the store was complete
        done = 0
    err_console.print(f"[yellow]stopped:[/] {done} of {total} runs are stored in {out}; "
                      "run the same command with --resume to finish", highlight=False)
    return typer.Exit(EXIT_INTERRUPTED)


@app.command("sweep")
def sweep_command(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    param: list[str] = typer.Option(None, "--param", "-p",
                                    help="PATH=SPEC: a range lo:hi[:n], a list \\[a,b,c] or normal(mu,sd), "
                                         "uniform(lo,hi), … (repeatable)"),
    design: str = typer.Option("grid", "--design", help="grid (full factorial) | lhs | sobol"),
    samples: int = typer.Option(None, "--samples", "-n",
                                help="points of lhs/sobol (sobol: a power of 2); grid: levels of a range"),
    reps: int = opt.reps(1, "replicates per point, each with its own seed"),
    days: int = opt.days(),
    variant: str = opt.variant(),
    workers: int = opt.workers(),
    scheduler: str = opt.scheduler(),
    out: Path = opt.out("result store folder", required=True),
    resume: bool = typer.Option(False, "--resume", help="continue the sweep in --out"),
    seed: int = opt.seed(0, "sweep seed; each run's seed derives from it"),
    timeseries: bool = typer.Option(False, "--timeseries", help="also store each run's daily series"),
    common_seeds: bool = typer.Option(False, "--common-seeds",
                                      help="one seed per replicate shared by every point (common random numbers)"),
    quiet: bool = opt.quiet(),
) -> None:
    """Run a scenario over a design of parameter values × replicates (批量试验).

    Example: govsim sweep scenarios/beijing_street.yaml -p arrangement.p_buckpass=0:0.6:4 -r 3 -d 90 -o results/sweep
    """
    with user_errors():
        if design not in SWEEP_DESIGNS:
            raise SpecError("--design", f"unknown design '{design}'; allowed: {', '.join(SWEEP_DESIGNS)}")
        plan = plan_sweep(scenario, param or [], design=design, samples=samples, reps=reps, days=days,
                          variant=variant, seed=seed, timeseries=timeseries, common_seeds=common_seeds)
        prepare_store(plan, out, resume)
        executor = make_executor(plan_workers(plan, workers, scheduler), scheduler)
    start = time.perf_counter()
    try:
        store = run_plan(plan, out, executor, resume=resume,
                         progress=None if quiet else RichProgress(err_console))
    except KeyboardInterrupt:
        raise interrupted(out, plan.n_runs) from None
    elapsed = time.perf_counter() - start
    for note in store.notes:  # what a resume found damaged and repaired
        err_console.print(f"[yellow]store:[/] {note}", highlight=False, soft_wrap=True)
    status = store.status()
    failed = sorted(r for r, s in status.items() if s != "ok")
    console.print(f"{len(status) - len(failed)} runs ok, {len(failed)} failed of {plan.n_runs} "
                  f"({plan.manifest['n_points']} points × {plan.manifest['reps']} reps) "
                  f"in {elapsed:.1f} s → {out}", highlight=False)
    if failed:
        table = Table(title="failed runs (see the failures view)", header_style="bold")
        for col in ("run_id", "error"):
            table.add_column(col)
        for _, row in store.query("SELECT run_id, error FROM failures LIMIT 5").iterrows():
            table.add_row(str(row["run_id"]), str(row["error"]))
        console.print(table)
    if not quiet:
        console.print(f"query it: govsim query {out} '{suggested_query(plan)}'   (tables and columns: --schema)",
                      highlight=False, soft_wrap=True)
