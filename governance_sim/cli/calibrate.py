"""``govsim calibrate`` — fit parameters to observed figures (ABC-SMC or TPE), resumable."""

from __future__ import annotations

from pathlib import Path

import typer

from governance_sim.cli import options as opt
from governance_sim.cli.app import app, console, err_console, user_errors
from governance_sim.cli.sweep import EXIT_INTERRUPTED


@app.command("calibrate")
def calibrate_command(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    targets: Path = typer.Option(..., "--targets", help="targets YAML: targets: {METRIC: {value, sd, source}}"),
    param: list[str] = typer.Option(None, "--param", "-p",
                                    help="PATH=LO:HI (uniform prior) or PATH=log:LO:HI (log-uniform); repeatable"),
    variant: str = opt.variant(),
    method: str = typer.Option("abc", "--method", "-m", help="abc (ABC-SMC, pyabc) | optimize (TPE, optuna)"),
    budget: int = typer.Option(400, "--budget", help="simulations in all (abc) or trials (optimize)"),
    reps: int = opt.reps(1, "runs per simulation, averaged"),
    days: int = opt.days(),
    population: int = typer.Option(None, "--population", help="abc: particles per generation (default ≈ budget/5)"),
    draws: int = typer.Option(100, "--draws", help="posterior-predictive draws after the fit"),
    workers: int = opt.workers(),
    scheduler: str = opt.scheduler(),
    out: Path = opt.out("folder for the posterior, predictive draws, plot and report", required=True),
    resume: bool = typer.Option(False, "--resume", help="continue the calibration stored in --out"),
    seed: int = opt.seed(0, "seed of the fit and of the predictive draws"),
    check: bool = typer.Option(False, "--check",
                               help="only screen the parameters (Morris) and warn about ones the targets cannot identify"),
    lang: str = opt.lang(),
    quiet: bool = opt.quiet(),
) -> None:
    """Calibrate parameters to observed figures (校准): posterior, predictive check, report.

    Example: govsim calibrate scenarios/beijing_street.yaml -v hotline_classic --targets scenarios/targets/beijing_12345_pre2019.yaml -p arrangement.p_buckpass=0:0.8 -p roles.resident.trust0=0.2:0.8 --budget 400 -d 90 -o results/cal
    """
    from governance_sim.calibration import calibrate

    try:
        with user_errors():
            lang = opt.checked_lang(lang)
            result = calibrate(scenario, targets, param or [], variant=variant, method=method, budget=budget,
                               reps=reps, days=days, population=population, draws=draws, workers=workers,
                               scheduler=scheduler, out=out, resume=resume, seed=seed, check=check,
                               quiet=quiet, lang=lang)
    except KeyboardInterrupt:
        err_console.print(f"[yellow]stopped:[/] the fit so far is stored in {out}; run the same command "
                          "with --resume to go on", highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if check:
        table = result.check
        for _, r in table.iterrows():
            console.print(f"{r['parameter']:<36s} → {r['target']:<36s} effect over the range "
                          f"{r['effect_sd']:6.2f} sd", highlight=False)
        for w in result.warnings:
            err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
        if not result.warnings:
            console.print("every parameter moves at least one target", highlight=False)
        return
    console.print(result.report, highlight=False, markup=False)
    console.print(f"wrote posterior.parquet, predictive.parquet, calibration.png, report.txt → {out}",
                  highlight=False)
