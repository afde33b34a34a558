"""Overlays combinable with any arrangement; importing registers them."""

from governance_sim.overlays.base import Overlay, OverlayParams

__all__ = ["Overlay", "OverlayParams"]
