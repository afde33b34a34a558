"""``govsim rollout`` — a staggered roll-out with and without the reform: estimates against the truth."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from governance_sim.cli import options as opt
from governance_sim.cli.app import app, console, user_errors
from governance_sim.outdir import check_out_dir
from governance_sim.panel import OUTCOMES

CONTROLS = ("never_treated", "not_yet_treated")
METHOD_LABELS = {"cs": "Callaway–Sant'Anna", "twfe": "two-way FE (naive)"}


def _f(v: float) -> str:
    return "–" if v != v else f"{v:+.4f}" if abs(v) < 10 else f"{v:+,.1f}"


@app.command("rollout")
def rollout_command(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    schedule: list[str] = typer.Option(None, "--schedule",
                                       help="VARIANT@DAY[:STREET,STREET] (repeatable) or a YAML file of entries "
                                            "(default: the scenario's schedule:)"),
    stagger: str = typer.Option(None, "--stagger",
                                help="instead of --schedule: roll VARIANT out in even cohorts, a third of the "
                                     "streets never adopting"),
    cohorts: int = typer.Option(2, "--cohorts", help="with --stagger: groups of streets adopting in turn"),
    every: int = typer.Option(3, "--every", help="with --stagger: months between cohorts (the first adopts "
                                                 "at counted month 1 + EVERY)"),
    outcome: str = typer.Option("resolution_rate", "--outcome", help=f"panel column: {', '.join(OUTCOMES)}"),
    control: str = typer.Option("never_treated", "--control",
                                help="Callaway–Sant'Anna's controls: never_treated | not_yet_treated"),
    variant: str = opt.variant("named variant the roll-out starts from (default: the scenario as written)"),
    reps: int = opt.reps(10, "replications; each runs one seed with and without the roll-out"),
    seed: int = opt.seed(),
    days: int = opt.days(),
    set_: list[str] = opt.overrides(),
    workers: int = opt.workers(),
    out: Path = opt.out("folder for rollout_estimates/rollout_truth/rollout_report.parquet"),
    quiet: bool = opt.quiet(),
) -> None:
    """Run a staggered roll-out with and without the reform on the same seeds, so the true effect on
    every street-month is known, and score difference-in-differences estimators against it.

    Example: govsim rollout scenarios/beijing_street.yaml --stagger whistle --set territory.streets=9 -r 5
    """
    from governance_sim.experiments.rollout import parse_schedule, rollout, staggered_schedule

    with user_errors():
        check_out_dir(out)
        if control not in CONTROLS:
            from governance_sim.scenario import ScenarioError

            raise ScenarioError("--control", f"must be one of {list(CONTROLS)} (got {control!r})")
        if schedule and stagger:
            from governance_sim.scenario import ScenarioError

            raise ScenarioError("--stagger", "give either --schedule or --stagger, not both")
        entries = None
        if stagger:
            entries = staggered_schedule(scenario, stagger, cohorts=cohorts, first_month=1 + every,
                                         every_months=every, overrides=set_, days=days)
        elif schedule:
            entries = parse_schedule(schedule)
        with Progress(TextColumn("rollout"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
                      TimeRemainingColumn(), console=console, disable=quiet, transient=True) as bar:
            task = bar.add_task("runs", total=2 * reps)
            study = rollout(scenario, entries, variant=variant, reps=reps, seed=seed or 0, days=days,
                            overrides=set_, outcome=outcome, control=control, workers=workers,
                            progress=lambda done, total: bar.update(task, completed=done, total=total))
    table = Table(title=f"{outcome}: estimate against the truth over {reps} replications "
                        f"(truth = mean effect on the treated street-months)")
    for col in ("estimator", "estimate", "truth", "bias", "RMSE", "95 % interval covers truth", "interval width"):
        table.add_column(col, justify="left" if col == "estimator" else "right")
    for r in study.report.itertuples(index=False):
        bias = _f(r.bias) + (f" ± {1.96 * r.bias_se:.4f}" if r.bias_se == r.bias_se else "")
        table.add_row(METHOD_LABELS.get(r.method, r.method), _f(r.estimate), _f(r.truth), bias,
                      f"{r.rmse:.4f}", f"{r.coverage:.0%}", f"{r.interval_width:.4f}")
    console.print(table)
    if not quiet:
        spill = study.spillover["spillover"].mean()
        console.print(f"schedule: {study.schedule}", highlight=False, soft_wrap=True)
        console.print(f"spillover: the true effect on streets not (yet) treated averages {_f(spill)} "
                      "(shared departments; controls are not untouched)", highlight=False)
        by = study.by_event()
        by = by[by["event_time"] >= 0]
        console.print("true effect by months since adoption: " + ", ".join(
            f"{int(r.event_time)}: {_f(r.mean)}" for r in by.itertuples(index=False)), highlight=False,
            soft_wrap=True)
    if out is not None:
        study.write(out)
        if not quiet:
            console.print(f"wrote rollout_estimates, rollout_truth, rollout_report → {out}/*.parquet")
