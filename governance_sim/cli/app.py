"""The Typer application and the helpers every command shares.

Every command is registered through :class:`GuardedTyper`, so failures are
reported in one place (:func:`reported_failures`): a user's error (bad input,
a full disk, a missing permission, a limit reached) is one line on stderr and
exit status 2; a bug is one line asking for a report and exit status 1.  A
traceback is shown only with ``govsim --debug`` (or ``GOVSIM_DEBUG=1``).
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from governance_sim.scenario import ScenarioError

EXIT_USER_ERROR = 2
EXIT_BUG = 1
def _env_debug() -> bool:
    return os.environ.get("GOVSIM_DEBUG", "") not in ("", "0")


STATE = {"debug": _env_debug()}
_OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "the file system is read-only",
    errno.ENOENT: "no such file or folder",
    errno.EISDIR: "a folder is in the way",
    errno.ENOTDIR: "a file is in the way",
    errno.EEXIST: "already exists",
}


def _say(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


def _os_message(exc: OSError) -> str:
    reason = _OS_REASONS.get(exc.errno or -1, exc.strerror or str(exc).splitlines()[0])
    where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
    return f"{reason}{where} — nothing half-written was kept; free space or fix the path and run again"


def _cli_exceptions() -> tuple[type[BaseException], ...]:
    """The exceptions the CLI framework handles itself: typer's own (typer ≥ 0.26 carries its own
    click) and click's, where click is installed (older typer is built on it)."""
    found: list[type[BaseException]] = [typer.Exit, typer.Abort, SystemExit]
    if hasattr(typer, "TyperException"):
        found.append(typer.TyperException)
    try:
        import click
    except ImportError:
        return tuple(found)
    return (*found, click.exceptions.Exit, click.exceptions.Abort, click.ClickException)


_PASS_THROUGH = _cli_exceptions()


@contextmanager
def reported_failures():
    """One line and exit 2 for a user's error, exit 1 with a request to report for a bug."""
    try:
        yield
    except _PASS_THROUGH:
        raise
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]", highlight=False)
        sys.exit(130)
    except Exception as exc:
        if STATE["debug"]:
            raise
        if isinstance(exc, ScenarioError):
            _say(str(exc))
            sys.exit(EXIT_USER_ERROR)
        if isinstance(exc, OSError):
            _say(_os_message(exc))
            sys.exit(EXIT_USER_ERROR)
        if isinstance(exc, MemoryError):
            _say("out of memory — the scenario is too large for this machine; lower its size "
                 "(see limits: in docs/model.md)")
            sys.exit(EXIT_USER_ERROR)
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        _say(f"internal error ({type(exc).__name__}{': ' + text if text else ''}). This is a bug in "
             "governance_sim: please report it with the command you ran; govsim --debug shows the traceback")
        sys.exit(EXIT_BUG)


def guarded(command):
    """Wrap a command so that every failure goes through :func:`reported_failures`."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with reported_failures():
            return command(*args, **kwargs)

    return wrapper


class GuardedTyper(typer.Typer):
    """A Typer app whose commands all report failures the same way."""

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)

        def decorator(f):
            register(guarded(f))
            return f

        return decorator


app = GuardedTyper(
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
        if STATE["debug"]:
            raise
        _say(str(exc))
        sys.exit(EXIT_USER_ERROR)


def _print_version(value: bool) -> None:
    if value:
        from governance_sim import __version__

        console.print(f"govsim {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def main(debug: bool = typer.Option(False, "--debug", help="show the full traceback of a failure"),
         version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                      help="print the version and exit")) -> None:
    """governance_sim — simulate base-level governance reforms (基层治理体制机制创新).

    Example: govsim run scenarios/beijing_street.yaml
    """
    STATE["debug"] = debug or _env_debug()
