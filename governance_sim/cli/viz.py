"""``govsim viz`` — open a scenario in the interactive exploration app (Solara)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import typer

from governance_sim.cli import options as opt
from governance_sim.cli.app import app, console, user_errors
from governance_sim.extras import require
from governance_sim.fonts import LANG_ENV
from governance_sim.scenario import load_scenario

APP = "governance_sim.viz.app:Page"


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line that serves the app."""
    return [sys.executable, "-m", "solara", "run", APP, "--host", host, "--port", str(port),
            "--production", "--no-open", "--log-level", "warning"]


@app.command("viz")
def viz_command(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    variant: str = opt.variant("variant to open first"),
    port: int = typer.Option(8765, "--port", help="port to serve on"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    lang: str = opt.lang(),
    quiet: bool = opt.quiet("no notes; the server logs errors only"),
) -> None:
    """Serve the interactive app: territory network, live 三率 and workload, run controls.

    Example: govsim viz scenarios/beijing_street.yaml -v whistle -l en --port 8800
    """
    with user_errors():
        require("solara", "viz", "govsim viz")
    from governance_sim.viz.assets import ensure_frontend_assets  # matplotlib, Solara: only here
    from governance_sim.viz.session import SCENARIO_ENV, VARIANT_ENV

    with user_errors():
        lang = opt.checked_lang(lang)
        load_scenario(scenario, variant)  # a bad file or variant stops here, with one line
    try:  # machines without a CDN get Solara's front-end packages from the npm registry
        ensure_frontend_assets()
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        if not quiet:
            console.print(f"[yellow]note:[/] Solara's front-end packages will come from its CDN ({exc})")
    env = {**os.environ, SCENARIO_ENV: str(scenario.resolve()), VARIANT_ENV: variant or "", LANG_ENV: lang}
    if not quiet:
        console.print(f"govsim viz: {scenario} → http://{host}:{port}  (Ctrl+C stops)")
    proc = subprocess.Popen(server_command(host, port), env=env)

    def stop(signum, frame):  # a terminated `govsim viz` takes its server down with it
        proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        code = proc.wait()
    raise typer.Exit(code)
