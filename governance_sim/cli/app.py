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
    help="governance_sim — simulate base-level governance reforms (基层治理体制机制创新).\n\n"
         "Example: govsim run scenarios/beijing_street.yaml (then: govsim COMMAND --help)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# piped or redirected output is not cut to 80 columns: tables keep every cell whole
console = Console(width=None if sys.stdout.isatty() else 10_000)
err_console = Console(stderr=True)


@contextmanager
def user_errors():
    """Turn a bad scenario or override into one clear line on stderr and exit status 2."""
    try:
        yield
    except ScenarioError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)


def _print_version(value: bool) -> None:
    if value:
        from governance_sim import __version__

        console.print(f"govsim {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                      help="print the version and exit")) -> None:
    """governance_sim — simulate base-level governance reforms (基层治理体制机制创新).

    Example: govsim run scenarios/beijing_street.yaml
    """
