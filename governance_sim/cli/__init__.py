"""``govsim`` — the command line.  Thin: parses, calls the library, prints.

Each command lives in its own module and registers itself on :data:`app`.
"""

from governance_sim.cli.app import app
from governance_sim.cli import run as _run  # noqa: F401  (registers `govsim run`)

__all__ = ["app"]
