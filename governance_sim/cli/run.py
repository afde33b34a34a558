"""``govsim run`` — one scenario, one seed: a progress bar, then the summary table."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from governance_sim.cli.app import app, console, user_errors
from governance_sim.cli.tables import summary_table
from governance_sim.model import GovernanceModel
from governance_sim.outdir import check_out_dir
from governance_sim.runner import collect
from governance_sim.scenario import load_scenario


@app.command("run")
def run_command(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    variant: str = typer.Option(None, "--variant", "-v", help="named variant of the scenario"),
    seed: int = typer.Option(None, "--seed", help="random seed (default: the scenario's)"),
    days: int = typer.Option(None, "--days", help="days to simulate (default: the scenario's)"),
    set_: list[str] = typer.Option(None, "--set", help="override a field: dotted.path=value (repeatable)"),
    out: Path = typer.Option(None, "--out", "-o", help="folder for summary/timeseries/cases/workers.parquet"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Run one scenario and print its summary (三率, times, workload, coordination)."""
    with user_errors():
        check_out_dir(out)
        sc = load_scenario(scenario, variant, set_ or None, seed=seed, days=days)
        model = GovernanceModel(sc)
    label = f"{sc.name} · {sc.variant} · seed {sc.seed}"
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("days"), TimeRemainingColumn(), console=console,
                  disable=quiet, transient=True) as bar:
        task = bar.add_task(label, total=sc.days)
        model.run_model(lambda day: bar.update(task, completed=day))
    result = collect(model, out)
    console.print(summary_table(result.summary.iloc[0].to_dict(), title=label))
    if out is not None:
        console.print(f"wrote summary, timeseries, cases, workers → {out}/*.parquet")
