"""``govsim validate`` — the stylised facts of MODEL.md §7, each with its statistical test."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from governance_sim.cli import options as opt
from governance_sim.cli.app import app, console, user_errors
from governance_sim.experiments.executors import make_executor
from governance_sim.experiments.memory import workers_for_tasks
from governance_sim.outdir import check_out_dir
from governance_sim.scenario import ScenarioError
from governance_sim.schema import check_seed
from governance_sim.validation.claims import claims_by_id
from governance_sim.validation.execute import plan
from governance_sim.validation.report import wide
from governance_sim.validation.validate import (
    check_options,
    open_journal,
    run_validation,
    summary_counts,
)

STYLE = {"PASS": "bold green", "FAIL": "bold red", "N/A": "yellow"}


def _styled(result: str) -> str:
    word, _, rest = result.partition(" ")
    return f"[{STYLE.get(word, '')}]{word}[/]" + (f" {rest}" if rest else "")


@app.command("validate")
def validate_command(
    reps: int = opt.reps(30, "replications per arm (same seeds in every arm)"),
    workers: int = opt.workers(),
    scheduler: str = opt.scheduler(),
    days: int = opt.days("days per run (default: each scenario's own)"),
    claims: str = typer.Option(None, "--claims", "-c", help="claims to test, e.g. 1,2,5c (default: all)"),
    counterfactual: bool = typer.Option(False, "--counterfactual", help="also run each claim with its behavioural parameter at the value that should overturn it; the claim should then FAIL"),
    scan: bool = typer.Option(False, "--scan", help="sweep each claim's behavioural parameter over its documented range and report where the verdict flips"),
    scan_points: int = typer.Option(5, "--scan-points", help="values per scan, both ends of the range included"),
    warmup_days: int = typer.Option(None, "--warmup-days", help="days simulated before the counted ones (default: each scenario's warmup_days)"),
    fresh: bool = typer.Option(False, "--fresh", help="ignore the journal of finished runs in --out "
                               "and start afresh (by default an interrupted validation resumes)"),
    seed: int = opt.seed(),
    out: Path = opt.out("folder for validation.parquet/.csv/.md, runs and figures"),
    lang: str = opt.lang(),
    quiet: bool = opt.quiet(),
) -> None:
    """Test each claim of MODEL.md §7: effect with 95 % CI, p and PASS/FAIL.

    Example: govsim validate -c 1,2 -r 10 -d 120 -o results/validation -l en
    """
    with user_errors():  # every bad option or override is one line and exit 2, before any run
        lang = opt.checked_lang(lang)
        points = scan_points if scan else 0
        if scan and scan_points < 2:
            raise ScenarioError("--scan-points", f"a scan needs at least 2 points (got {scan_points})")
        check_options(reps, days, points, warmup_days)
        check_out_dir(out)
        check_seed(seed)
        chosen = claims_by_id(claims)
        planned = plan(chosen, reps=reps, days=days, seed=seed, counterfactual=counterfactual,
                       scan_points=points, warmup_days=warmup_days)
        executor = make_executor(workers_for_tasks(planned.tasks(), workers, scheduler), scheduler)
        journal = open_journal(out, resume=not fresh) if out is not None else None
    if journal is not None and not quiet:
        if journal.done:
            console.print(f"resuming: {len(journal.done)} finished runs in {journal.path}")
        elif journal.set_aside:
            console.print(f"not resuming ({journal.set_aside}); the journal starts again")
    v = run_validation(reps, days=days, counterfactual=counterfactual, claims=chosen, seed=seed,
                       executor=executor, progress=not quiet, scan=points, warmup_days=warmup_days,
                       journal=journal)
    table = Table(title=f"Stylised facts (MODEL.md §7): {reps} replications per arm, common seeds",
                  caption="effect = the claim's estimand per seed, mean [95% CI]; PASS = the whole "
                          "interval lies on the expected side", header_style="bold")
    for col in ("claim", "scenario", "variants", "metric", "expected", "effect [95% CI]", "p", "result"):
        table.add_column(col, overflow="fold", justify="right" if col in ("effect [95% CI]", "p") else "left")
    has_cf = counterfactual and (v.table["condition"] == "counterfactual").any()
    if has_cf:
        table.add_column("counterfactual", overflow="fold")
    for _, r in wide(v.table).iterrows():
        cells = [r["claim"], r["scenario"], r["variants"].replace(" vs ", " · "), r["metric"], r["expected"],
                 r["effect [95% CI]"], r["p"], _styled(r["result"])]
        if has_cf:
            cells.append(_styled(r.get("counterfactual result", "") or ""))
        table.add_row(*[str(c) for c in cells])
    console.print(table)
    counts = summary_counts(v.table)
    line = f"{counts['PASS']} PASS, {counts['FAIL']} FAIL, {counts['N/A']} N/A"
    if "overturned" in counts:
        line += (f"; counterfactuals overturn {counts['overturned']} of the {counts['counterfactuals']} "
                 "claims that pass")
    console.print(line)
    flips = v.flips
    if not flips.empty:
        scan_table = Table(title="Scan of each claim's behavioural parameter", header_style="bold")
        for col in ("claim", "parameter", "range", "values", "results", "flips"):
            scan_table.add_column(col, overflow="fold")
        for _, r in flips.iterrows():
            scan_table.add_row(*[str(r[c]) for c in ("claim", "parameter", "range", "values", "results", "flips")])
        console.print(scan_table)
    if not v.failures.empty:
        console.print(f"[red]{len(v.failures)} runs failed[/]; first: {v.failures.iloc[0]['error']}")
    if out is not None:
        v.write(out, lang)
        if not quiet:
            console.print(f"wrote validation.parquet/.csv/.md, runs.parquet, contrasts.parquet, "
                          f"{'flips.parquet, ' if not flips.empty else ''}figures → {out}")
