"""``govsim`` — the command line.  Thin: parses, calls the library, prints.

Each command lives in its own module and registers itself on :data:`app`.
"""

from governance_sim.cli import calibrate as _calibrate  # noqa: F401  (registers `govsim calibrate`)
from governance_sim.cli import compare as _compare  # noqa: F401  (registers `govsim compare`)
from governance_sim.cli import query as _query  # noqa: F401  (registers `govsim query`)
from governance_sim.cli import rollout as _rollout  # noqa: F401  (registers `govsim rollout`)
from governance_sim.cli import run as _run  # noqa: F401  (registers `govsim run`)
from governance_sim.cli import sensitivity as _sensitivity  # noqa: F401  (registers `govsim sensitivity`)
from governance_sim.cli import sweep as _sweep  # noqa: F401  (registers `govsim sweep`)
from governance_sim.cli import validate as _validate  # noqa: F401  (registers `govsim validate`)
from governance_sim.cli import viz as _viz  # noqa: F401  (registers `govsim viz`)
from governance_sim.cli.app import app

__all__ = ["app"]
