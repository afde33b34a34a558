"""Reform variants (体制机制), one module each; importing registers them."""

from governance_sim.arrangements import (
    baseline,  # noqa: F401  (registry line)
    direct_district,  # noqa: F401  (registry line)
    fixed_offices,  # noqa: F401  (registry line)
    whistle,  # noqa: F401  (registry line)
    zone_line,  # noqa: F401  (registry line)
)
from governance_sim.arrangements.base import (
    Arrangement,
    ArrangementParams,
    Coordinate,
    CoverUp,
    Decision,
    Handle,
    Refer,
    Summon,
    Wait,
)

__all__ = [
    "Arrangement", "ArrangementParams", "Coordinate", "CoverUp", "Decision", "Handle", "Refer", "Summon", "Wait",
]
