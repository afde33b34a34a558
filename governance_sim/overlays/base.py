"""The overlay interface: mechanisms combinable with any arrangement (MODEL.md §5).

An overlay may add channels and units, take over intake or routing of some
cases (returning ``None`` leaves the decision to the next overlay and then
to the arrangement), and run daily or monthly routines.
"""

from __future__ import annotations

import zlib
from typing import ClassVar

import numpy as np
from pydantic import ConfigDict

from governance_sim.schema import ParamModel


class OverlayParams(ParamModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Overlay:
    name: ClassVar[str] = "abstract"
    label: ClassVar[str] = ""
    Params: ClassVar[type[OverlayParams]] = OverlayParams
    channels: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: OverlayParams):
        self.params = params

    @classmethod
    def arrangement_problem(cls, arrangement: type) -> str | None:
        """Why this overlay cannot run with the arrangement class ``arrangement`` (checked
        when a scenario loads), or ``None`` if it can."""
        return None

    def make_rng(self, model) -> np.random.Generator:
        """A generator of the overlay's own, seeded from the run's seed: its draws leave the
        model's streams (emergence, routing) as they are, which keeps comparisons paired."""
        return np.random.default_rng([model.scenario.seed, zlib.crc32(self.name.encode())])

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

    def on_arrival(self, case, unit_key, reason, model) -> None:
        """A case reached ``unit_key`` by a hand-off for ``reason`` (``None``: a report just
        accepted), before the unit decides what to do with it."""

    def handoff_arrival(self, case, decision, now: float, t: float, model) -> float:
        """When a hand-off (``Refer``) made at ``now`` reaches its destination; ``t`` is the
        formal channel's time (default: unchanged; e.g. a joint meeting that comes sooner)."""
        return t

    def on_close(self, case, model) -> None:
        """A case was closed (resolved or on paper)."""

    def on_day(self, model, day: int) -> None:
        """Daily routine hook."""

    def on_month(self, model, month: int) -> None:
        """Monthly routine hook."""

    def choose_channel(self, case, u: float, model) -> str | None:
        """The channel a household reports through, from the uniform draw ``u``
        (``None`` leaves the choice to the household's fixed channel weights)."""
        return None

    def choose_channels(self, hids: np.ndarray, u: np.ndarray, model) -> np.ndarray | None:
        """:meth:`choose_channel` for many households at once: indices into ``CHANNELS``
        (``None`` leaves the choice to the households' fixed channel weights)."""
        return None

    def summary_parts(self, model) -> dict:
        """What a city run as districts keeps of this overlay's summary, district by district
        (:meth:`merge_summaries` makes the city's columns of them)."""
        return self.summary(model)

    @classmethod
    def merge_summaries(cls, parts: list[dict]) -> dict[str, float] | None:
        """The overlay's summary columns for a city run as districts, from each district's
        :meth:`summary_parts` in district order; ``None``: no rule (the overlay is refused
        there, naming it)."""
        return None

    def office_appraisal(self, model) -> tuple[str, float, dict[int, float]] | None:
        """Offices this overlay appraises on residents' behalf (e.g. the 12345 三率): their role,
        the appraisal's weight, and the pressure each office (by index) is under; ``None`` if none."""
        return None

    def on_rated(self, case, model) -> None:
        """A household rated ``case`` (on closing, or while it is still open past its patience)."""

    def on_warmup_end(self, model) -> None:
        """The warm-up is over: counts kept for the summary start from here."""

    def priority_bonus(self, case, unit_key, model) -> float:
        """Priority added to work on ``case`` at ``unit_key`` (e.g. an appraised unit)."""
        return 0.0

    def summary(self, model) -> dict[str, float]:
        """Extra columns for the run's one-row summary."""
        return {}
