"""``govsim run`` — one scenario, one seed: a progress bar, then the summary table."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from governance_sim.cli import options as opt
from governance_sim.cli.app import app, console, user_errors
from governance_sim.cli.tables import summary_table
from governance_sim.model import GovernanceModel
from governance_sim.runner import collect
from governance_sim.scenario import load_scenario


@app.command("run")
def run_command(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    variant: str = opt.variant(),
    seed: int = opt.seed(None, "random seed (default: the scenario's)"),
    days: int = opt.days("days to simulate (default: the scenario's)"),
    set_: list[str] = opt.overrides(),
    out: Path = opt.out("folder for summary/timeseries/cases/workers.parquet"),
    quiet: bool = opt.quiet(),
) -> None:
    """Run one scenario and print its summary (三率, times, workload, coordination).

    Example: govsim run scenarios/beijing_street.yaml -v whistle -s 1 -o results/one
    """
    with user_errors():
        sc = load_scenario(scenario, variant, set_ or None, seed=seed, days=days)
        model = GovernanceModel(sc)
    shown = "as written (no --variant)" if sc.variant == "default" else f"variant {sc.variant}"
    label = f"{sc.name} · {shown} · seed {sc.seed}"
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("days"), TimeRemainingColumn(), console=console,
                  disable=quiet, transient=True) as bar:
        task = bar.add_task(label, total=sc.days)
        model.run_model(lambda day: bar.update(task, completed=day))
    result = collect(model, out)
    console.print(summary_table(result.summary.iloc[0].to_dict(), title=label))
    if out is not None and not quiet:
        console.print(f"wrote summary, timeseries, cases, workers → {out}/*.parquet")
