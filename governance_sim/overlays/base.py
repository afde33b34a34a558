"""The overlay interface: mechanisms combinable with any arrangement (MODEL.md §5).

An overlay may add channels and units, take over intake or routing of some
cases (returning ``None`` leaves the decision to the next overlay and then
to the arrangement), and run daily or monthly routines.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class OverlayParams(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Overlay:
    name: ClassVar[str] = "abstract"
    label: ClassVar[str] = ""
    Params: ClassVar[type[OverlayParams]] = OverlayParams
    channels: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: OverlayParams):
        self.params = params

    def adjust_scenario(self, scenario):
        """Return a scenario with changed role parameters (default: unchanged)."""
        return scenario

    def setup(self, model) -> None:
        """Add units or state after agents exist."""

    def intake(self, case, channel: str, model):
        """A unit key, or ``None`` to leave intake to the arrangement."""
        return None

    def route(self, case, at, model):
        """A decision, or ``None`` to leave routing to the arrangement."""
        return None

    def on_close(self, case, model) -> None:
        """A case was closed (resolved or on paper)."""

    def on_day(self, model, day: int) -> None:
        """Daily routine hook."""

    def on_month(self, model, month: int) -> None:
        """Monthly routine hook."""
