"""``govsim run`` — one scenario, one seed: a progress bar, then the summary table."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from governance_sim import eventlog
from governance_sim.cli import options as opt
from governance_sim.cli.app import app, console, err_console, user_errors
from governance_sim.cli.tables import summary_table
from governance_sim.outdir import check_out_dir
from governance_sim.partition import is_partitioned
from governance_sim.runner import one_model, run_to_end
from governance_sim.scenario import ScenarioError, load_scenario


@app.command("run")
def run_command(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    variant: str = opt.variant(),
    seed: int = opt.seed(None, "random seed (default: the scenario's)"),
    days: int = opt.days("days to simulate (default: the scenario's)"),
    warmup_days: int = typer.Option(None, "--warmup-days",
                                    help="days simulated before the counted ones (default: the scenario's warmup_days)"),
    set_: list[str] = opt.overrides(),
    out: Path = opt.out("folder for summary/timeseries/cases/workers/places/panel.parquet "
                        "(and maps when the territory has polygons)"),
    quiet: bool = opt.quiet(),
    event_log: bool = typer.Option(False, "--event-log",
                                   help="also write events.parquet and events.jsonocel (OCEL 2.0)"),
    workers: int = opt.workers("worker processes of a city run as districts (city.partition: districts); "
                               "default 1, results do not depend on it"),
    scheduler: str = opt.scheduler(),
) -> None:
    """Run one scenario and print its summary (三率, times, workload, coordination).

    Example: govsim run scenarios/beijing_street.yaml -v whistle -s 1 -o results/one
    """
    if event_log and out is None:
        err_console.print("[bold red]error:[/] --event-log writes files: give --out DIR", highlight=False)
        raise typer.Exit(2)
    with user_errors():
        check_out_dir(out)
        if warmup_days is not None:
            set_ = [*(set_ or []), f"warmup_days={warmup_days}"]
        sc = load_scenario(scenario, variant, set_ or None, seed=seed, days=days)
        if is_partitioned(sc):
            _run_districts(sc, workers, scheduler, out, quiet, event_log)
            return
        if workers not in (None, 1) or scheduler is not None:
            raise ScenarioError("--workers", "only a city run as districts (--set city.partition=districts) "
                                             "runs on several workers or on Dask")
        model = one_model(sc, event_log)
    if event_log:
        eventlog.record(model)
    shown = "as written (no --variant)" if sc.variant == "default" else f"variant {sc.variant}"
    label = f"{sc.name} · {shown} · seed {sc.seed}"
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("days"), TimeRemainingColumn(), console=console,
                  disable=quiet, transient=True) as bar:
        task = bar.add_task(label, total=model.days)  # the warm-up, then the counted days
        result = run_to_end(model, out, lambda day: bar.update(task, completed=day))
    console.print(summary_table(result.summary.iloc[0].to_dict(), title=label))
    if model.city is not None:  # several districts: one line per district
        from governance_sim.cli.tables import city_table

        console.print(city_table(result.places, f"{model.territory.district} · 各区 / districts"))
    _write_maps(result, out, quiet, event_log)


def _label(sc) -> str:
    shown = "as written (no --variant)" if sc.variant == "default" else f"variant {sc.variant}"
    return f"{sc.name} · {shown} · seed {sc.seed}"


def _run_districts(sc, workers, scheduler, out, quiet, event_log) -> None:
    """A city run as districts: progress at each month's synchronisation, then the tables."""
    from governance_sim.cli.tables import city_table
    from governance_sim.partition import check_workers
    from governance_sim.runner import run_partitioned

    if scheduler is not None and workers is not None:
        raise ScenarioError("--scheduler", "give either --workers (local) or --scheduler (Dask), not both")
    n = None if workers is None else check_workers(workers, "--workers")
    label = _label(sc)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("days"), TimeRemainingColumn(), console=console, disable=quiet, transient=True)
    task = bar.add_task(f"{label} · districts", total=sc.warmup_days + sc.days)

    def progress(day: int) -> None:
        # the bar's thread starts after the worker processes (forking a threaded process is unsafe)
        if not bar.live.is_started:
            bar.start()
        bar.update(task, completed=day)

    def stage(text: str) -> None:  # the last day is done: what the minute or two after it is spent on
        if not bar.live.is_started:
            bar.start()
        bar.update(task, description=f"{label} · districts · {text}")

    try:
        result = run_partitioned(sc, n, scheduler, out=out, event_log=event_log, progress=progress,
                                 stage=stage)
    finally:
        bar.stop()
    console.print(summary_table(result.summary.iloc[0].to_dict(), title=label))
    console.print(city_table(result.places, f"{sc.city.name or sc.name} · 各区 / districts"))
    _write_maps(result, out, quiet, event_log)


def _write_maps(result, out, quiet: bool, event_log: bool) -> None:
    """With ``--out``: the maps beside the tables, and what was written."""
    if out is None:
        return
    from governance_sim.analysis.maps import write_run_maps

    maps = write_run_maps(result, out)
    if not quiet:
        console.print(f"wrote summary, timeseries, cases, workers, places, panel → {out}/*.parquet")
        if maps:
            console.print(f"wrote maps → {', '.join(str(p) for p in maps)}")
        if event_log:
            refusal = result.event_log.ocel_refusal
            written = f"{out}/events.parquet" + ("" if refusal else f", {out}/events.jsonocel")
            console.print(f"wrote the event log → {written}")
            if refusal:
                console.print(refusal)
