"""``govsim compare`` — variants of one scenario over the same seeds, with 95 % intervals."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from governance_sim.analysis.compare import compare, plan_compare, workers_for_memory
from governance_sim.analysis.stats import format_p
from governance_sim.cli import options as opt
from governance_sim.cli.app import app, console, user_errors
from governance_sim.cli.tables import headline_metrics, metric_label
from governance_sim.experiments.executors import make_executor
from governance_sim.outdir import check_out_dir


def _fmt(v: float) -> str:
    if v != v:
        return "–"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def _cell(mean, lo, hi) -> str:
    if lo != lo:
        return _fmt(mean)
    return f"{_fmt(mean)} [{_fmt(lo)}, {_fmt(hi)}]"


@app.command("compare")
def compare_command(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    variants: str = typer.Option(None, "--variants",
                                 help="comma-separated variant names (default: all); the first is the reference"),
    reps: int = opt.reps(30),
    days: int = opt.days(),
    workers: int = opt.workers(),
    scheduler: str = opt.scheduler(),
    seed: int = opt.seed(),
    warmup_days: int = typer.Option(None, "--warmup-days",
                                    help="days simulated before the counted ones (default: the scenario's warmup_days)"),
    set_: list[str] = opt.overrides("override a field in every variant: dotted.path=value (repeatable)"),
    out: Path = opt.out("folder for runs.parquet, comparison.parquet/.csv, comparison.png"),
    lang: str = opt.lang(),
    all_metrics: bool = typer.Option(False, "--all", "-a", help="every summary metric, not just the headline set"),
    quiet: bool = opt.quiet(),
    posterior: Path = typer.Option(None, "--posterior",
                                   help="posterior.parquet from govsim calibrate: each replication draws a particle"),
) -> None:
    """Compare variants: mean and 95 % CI per variant, and the paired difference to the first.

    Example: govsim compare scenarios/beijing_street.yaml --variants baseline,whistle -r 10 -d 90 -o results/cmp
    """
    if warmup_days is not None:
        set_ = [*(set_ or []), f"warmup_days={warmup_days}"]
    with user_errors():
        lang = opt.checked_lang(lang)
        check_out_dir(out)
        tasks = plan_compare(scenario, variants, reps=reps, days=days, seed=seed, overrides=set_ or None,
                             posterior=posterior)
        if workers is None and not scheduler:  # no more runs at once than fit in memory (a city)
            workers = workers_for_memory(tasks)
        executor = make_executor(workers, scheduler)
    result = compare(scenario, variants, reps=reps, days=days, seed=seed, executor=executor,
                     overrides=set_ or None, out=out, progress=not quiet, lang=lang, posterior=posterior)
    ref = result.variants[0]
    table = Table(title=f"{result.scenario_name}: {reps} replications per variant, common seeds",
                  caption=f"mean [95% CI]; Δ = difference to {ref}, paired over seeds; counts and rates: "
                          f"bootstrap intervals; intervals carry {result.table['uncertainty'].iloc[0]} uncertainty",
                  header_style="bold")
    table.add_column("指标 / metric", no_wrap=True)
    table.add_column("variant", no_wrap=True)
    table.add_column("mean [95% CI]", justify="right", no_wrap=True)
    table.add_column(f"Δ vs {ref} [95% CI]", justify="right", no_wrap=True)
    table.add_column("p", justify="right", no_wrap=True)
    present = [m for m in dict.fromkeys(result.table["metric"])
               if not result.table.loc[result.table["metric"] == m, "mean"].isna().all()]
    shown = present if all_metrics else headline_metrics(present)
    for metric in shown:
        rows = result.metric(metric)
        for i, (_, r) in enumerate(rows.iterrows()):
            diff = p = ""
            if i:
                star = "*" if r["diff_low"] > 0 or r["diff_high"] < 0 else ""
                diff = _cell(r["diff"], r["diff_low"], r["diff_high"]) + star
                p = format_p(r["p_value"], bool(r.get("degenerate", False)))
            table.add_row(metric_label(metric) if i == 0 else "", r["variant"],
                          _cell(r["mean"], r["ci_low"], r["ci_high"]), diff, p,
                          end_section=i == len(rows) - 1)
    console.print(table)
    if not quiet:
        hidden = len(present) - len(shown)
        console.print("* the difference's 95 % interval excludes zero" +
                      (f"; {hidden} more metrics with --all" if hidden else ""), highlight=False)
    if not result.failures.empty:
        console.print(f"[red]{len(result.failures)} runs failed[/]; first: {result.failures.iloc[0]['error']}")
    if out is not None and not quiet:
        console.print(f"wrote runs.parquet, comparison.parquet, comparison.csv, comparison.png → {out}")
        if result.places_source is not None:
            maps = sorted(p.name for p in Path(out).glob("map_*.png"))
            console.print(f"wrote places.parquet{''.join(', ' + m for m in maps)} (per variant) → {out}")
