"""``govsim sensitivity`` — Sobol' or Morris indices of summary metrics, as a table and a plot."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from governance_sim.cli import options as opt
from governance_sim.cli.app import app, console, err_console, user_errors
from governance_sim.cli.sweep import interrupted
from governance_sim.experiments.executors import make_executor
from governance_sim.experiments.progress import RichProgress
from governance_sim.experiments.sensitivity import INDEX_COLUMNS, plan_sensitivity, write_indices
from governance_sim.experiments.sweep import plan_workers, prepare_store, run_plan


@app.command("sensitivity")
def sensitivity_command(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    param: list[str] = typer.Option(None, "--param", "-p",
                                    help="PATH=SPEC: a range lo:hi, a list \\[a,b,c] or (sobol) a distribution"),
    method: str = typer.Option("sobol", "--method", "-m", help="sobol | morris"),
    output: str = typer.Option(..., "--output", help="summary metric(s), comma-separated"),
    samples: int = typer.Option(None, "--samples", "-n",
                                help="sobol: base samples, a power of 2 (runs = n×(k+2)); morris: trajectories"),
    reps: int = opt.reps(1, "replicates per point (outputs are averaged)"),
    days: int = opt.days(),
    variant: str = opt.variant(),
    workers: int = opt.workers(),
    scheduler: str = opt.scheduler(),
    out: Path = opt.out("folder for the runs, the indices and the plot", required=True),
    resume: bool = typer.Option(False, "--resume", help="continue the runs already in --out"),
    seed: int = opt.seed(0, "seed of the sample and of the runs"),
    common_seeds: bool = typer.Option(True, "--common-seeds/--own-seeds",
                                      help="points of a replicate share a seed (default) or each run has its own"),
    lang: str = opt.lang(),
    quiet: bool = opt.quiet(),
) -> None:
    """Global sensitivity analysis (敏感性分析) through SALib.

    Example: govsim sensitivity scenarios/beijing_street.yaml -m morris -p arrangement.p_buckpass=0:0.6 -p arrangement.duty_clarity=0.3:0.9 --output resolution_rate -n 4 -d 60 -o results/sa
    """
    with user_errors():
        lang = opt.checked_lang(lang)
        plan, outputs = plan_sensitivity(scenario, param or [], method=method, outputs=output,
                                         samples=samples, reps=reps, days=days, variant=variant, seed=seed,
                                         common_seeds=common_seeds)
        prepare_store(plan, out, resume)
        executor = make_executor(plan_workers(plan, workers, scheduler), scheduler)
    try:
        store = run_plan(plan, out, executor, resume=resume,
                         progress=None if quiet else RichProgress(err_console))
    except KeyboardInterrupt:
        raise interrupted(out, plan.n_runs) from None
    with user_errors():
        indices = write_indices(plan, store, method, outputs, seed=seed, lang=lang)
    cols = INDEX_COLUMNS[method]
    table = Table(title=f"{method} indices · {plan.n_runs} runs · 95% confidence", header_style="bold")
    table.add_column("output", overflow="fold")
    table.add_column("parameter", overflow="fold")
    shown = [c for c in cols if not c.endswith("_conf")]
    for c in shown:
        table.add_column(c, justify="right")
    for _, row in indices.iterrows():
        cells = []
        for c in shown:
            conf = f"{c}_conf"
            cells.append(f"{row[c]:.3f} ± {row[conf]:.3f}" if conf in row else f"{row[c]:.3f}")
        table.add_row(row["output"], row["parameter"], *cells)
    console.print(table)
    if not quiet:
        console.print(f"wrote {out / 'sensitivity.parquet'} and {indices.attrs['plot']}", highlight=False)
