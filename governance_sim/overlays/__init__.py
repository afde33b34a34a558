"""Overlays combinable with any arrangement; importing registers them."""

from governance_sim.overlays import (  # noqa: F401  (registry lines)
    command_centre,
    community_invitation,
    dispute_ladder,
    extra_staff,
    formalism,
    grid,
    hotline,
    mass_whistle,
    mine_guards,
    municipal_hotline,
    party_building,
    three_governance,
)
from governance_sim.overlays.base import Overlay, OverlayParams

__all__ = ["Overlay", "OverlayParams"]
