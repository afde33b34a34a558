"""The options every command spells the same way: one long name, one short letter, one meaning.

========  ===============  =============================================
short     long             meaning
========  ===============  =============================================
``-v``    ``--variant``    one named variant of the scenario
``-r``    ``--reps``       replications (seeds) per variant or point
``-d``    ``--days``       days per run
``-s``    ``--seed``       (base) seed
``-w``    ``--workers``    local worker processes
``-o``    ``--out``        output folder
``-p``    ``--param``      a parameter to vary, PATH=SPEC
``-n``    ``--samples``    points of a design
``-m``    ``--method``     sensitivity method
``-c``    ``--claims``     claims to test
``-l``    ``--lang``       language of figures: zh | en
``-q``    ``--quiet``      no progress bar, no notes
``-a``    ``--all``        every metric, not just the headline set
========  ===============  =============================================

``tests/test_cli_grammar.py`` walks every command and holds them to this table.
"""

from __future__ import annotations

import typer

from governance_sim.fonts import LANGS, check_lang, figure_lang
from governance_sim.scenario import ScenarioError

SHORT = {"--variant": "-v", "--reps": "-r", "--days": "-d", "--seed": "-s", "--workers": "-w",
         "--out": "-o", "--param": "-p", "--samples": "-n", "--method": "-m", "--claims": "-c", "--lang": "-l",
         "--quiet": "-q", "--all": "-a"}


def variant(help: str = "named variant of the scenario"):
    return typer.Option(None, "--variant", "-v", help=help)


def reps(default: int, help: str = "replications per variant (same seeds for every variant)"):
    return typer.Option(default, "--reps", "-r", help=help)


def days(help: str = "days per run (default: the scenario's)"):
    return typer.Option(None, "--days", "-d", help=help)


def seed(default: int | None = 0, help: str = "base seed of the replications"):
    return typer.Option(default, "--seed", "-s", help=help)


def workers(help: str = "local worker processes (default: every core, or as many runs as fit in memory)"):
    return typer.Option(None, "--workers", "-w", help=help)


def scheduler():
    return typer.Option(None, "--scheduler", help="Dask scheduler address tcp://HOST:PORT (needs the [dask] extra)")


def out(help: str, required: bool = False):
    return typer.Option(... if required else None, "--out", "-o", help=help)


def overrides(help: str = "override a field: dotted.path=value (repeatable)"):
    return typer.Option(None, "--set", help=help)


def lang():
    return typer.Option(None, "--lang", "-l", help=f"language of figures: {' | '.join(LANGS)} "
                                                   "(default: $GOVSIM_LANG, else the locale)")


def quiet(help: str = "no progress bar and no notes, only the results"):
    return typer.Option(False, "--quiet", "-q", help=help)


def checked_lang(value: str | None) -> str:
    """``--lang`` checked (one line, exit 2, when wrong) and turned into what figures can show."""
    try:
        return figure_lang(check_lang(value))
    except ValueError:
        raise ScenarioError("--lang", f"must be {' or '.join(LANGS)} (got {value!r})") from None
