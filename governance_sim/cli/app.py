"""The Typer application and the helpers every command shares."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from governance_sim.scenario import ScenarioError

app = typer.Typer(
    name="govsim",
    help="governance_sim — simulate base-level governance reforms (基层治理体制机制创新).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


@contextmanager
def user_errors():
    """Turn a bad scenario or override into one clear line on stderr and exit status 2."""
    try:
        yield
    except ScenarioError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)


@app.callback()
def main() -> None:
    """governance_sim — simulate base-level governance reforms (基层治理体制机制创新)."""
