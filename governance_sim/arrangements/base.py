"""The arrangement interface: a reform variant (体制机制) as a policy object.

The model asks an arrangement four kinds of question and never lets it
reach into internals beyond the documented model API:

* **structure** — :meth:`Arrangement.transform` reshapes the territory
  (e.g. remove the street layer) and :meth:`setup` may add units;
* **intake** — :meth:`intake` says which unit accepts a report from a channel;
* **routing** — :meth:`route` says what a unit does with a case it holds,
  as a :class:`Decision` (handle here, refer on, summon departments, cover
  up); :meth:`after_part` says what happens when one department's part is
  done; :meth:`buckpass_probability` and :meth:`coverup_probability` give the
  odds of 推诿 and 不出事 behaviour, which follow from duty clarity, load and
  each unit's appraisal (:mod:`governance_sim.appraisal`);
* **assessment** — :meth:`on_action` (a department acted on a case) and
  :meth:`on_month` (monthly ratings) decide who rates whom and how
  priorities move.

A new arrangement subclasses :class:`Arrangement`, declares its ``Params``
and registers itself; nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pydantic import ConfigDict, Field

from governance_sim.appraisal import hide_probability, return_probability
from governance_sim.schema import ParamModel

# ------------------------------------------------------------------ decisions

UnitKey = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Handle:
    """Settle the case at ``unit`` (its staff work on it)."""

    unit: UnitKey
    effort_factor: float = 1.0


@dataclass(frozen=True, slots=True)
class Refer:
    """Pass the case to ``to`` after ``delay_h`` working hours (a hand-off)."""

    to: UnitKey
    delay_h: float
    reason: str = "referral"


@dataclass(frozen=True, slots=True)
class Summon:
    """Call every listed department to the site at once (吹哨); they act jointly."""

    departments: tuple[int, ...]
    deadline_h: float
    effort_factor: float = 1.0
    reason: str = "whistle"


@dataclass(frozen=True, slots=True)
class CoverUp:
    """Close the case on paper without acting (不出事 logic)."""

    reason: str = "coverup"


@dataclass(frozen=True, slots=True)
class Coordinate:
    """``unit`` spends ``effort_h`` of staff time coordinating (e.g. approving a dispatch),
    then ``then`` is carried out.  Models a coordinator's span-of-control queue."""

    unit: UnitKey
    effort_h: float
    then: Refer | Summon | Handle


@dataclass(frozen=True, slots=True)
class Wait:
    """Nothing to do now (e.g. other departments still working jointly)."""


Decision = Handle | Refer | Summon | Coordinate | CoverUp | Wait


# ------------------------------------------------------------------ parameters


class ArrangementParams(ParamModel):
    """Parameters every arrangement shares (assumptions unless a seed is cited)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: str
    p_buckpass: float = Field(default=0.3, ge=0, le=1,
                              description="P(a department returns a case as 'not ours') at full ambiguity, "
                                          "a saturated queue and no appraisal cost of a return")
    duty_lists: bool = Field(default=False,
                             description="the three lists (三张清单) are published: categories' duty_holders "
                                         "set how clear each duty is (seed 001)")
    reverse_assessment_weight: float = Field(default=0.0, ge=0, le=5,
                                             description="weight of the street's ratings in departments' "
                                                         "appraisal (反向考核); 0 = the street rates nobody")
    referral_delay_days: float = Field(default=2.0, ge=0,
                                       description="working days per formal referral to a department")
    escalation_delay_h: float = Field(default=8.0, ge=0,
                                      description="working hours to pass a case up one level")
    return_delay_h: float = Field(default=8.0, ge=0,
                                  description="working hours for a department to hand a case back")
    trace_prob: float = Field(default=0.5, ge=0, le=1,
                              description="mean chance that an inquiry after an eruption traces a hidden hazard "
                                          "to the unit that hid it (assumption: as likely as not)")


# ------------------------------------------------------------------ policy


class Arrangement:
    """Base policy: the shared defaults; subclasses override what differs."""

    name: ClassVar[str] = "abstract"
    label: ClassVar[str] = ""
    Params: ClassVar[type[ArrangementParams]] = ArrangementParams
    micro_enforcement: ClassVar[bool] = False
    # whether the coordinator can summon departments and command staff sent down to it
    summoning_power: ClassVar[bool] = False

    def __init__(self, params: ArrangementParams):
        self.params = params

    # structure ---------------------------------------------------------------
    def transform(self, territory, scenario):
        """Reshape the territory before agents are created (default: unchanged)."""
        return territory

    def setup(self, model) -> None:
        """Add arrangement-specific units or state after agents exist."""

    # intake ------------------------------------------------------------------
    def intake(self, case, channel: str, model) -> UnitKey:
        """Which unit accepts a report arriving through ``channel``."""
        street = model.has_street_layer
        if channel == "hotline":
            return ("district_center", 0)
        if channel == "grid_worker":
            return ("grid_worker", model.grid_worker_of_grid[case.grid])
        if channel == "community" or not street:
            return ("community_office", case.community)
        return ("street_office", case.street)

    # routing -----------------------------------------------------------------
    def route(self, case, at: UnitKey, model) -> Decision:
        raise NotImplementedError

    def after_part(self, case, department: int, model) -> Decision:
        """A department finished its part; by default the case goes back to the street."""
        if case.whistled:
            return Wait()
        if case.remaining_departments:
            return Refer(self.coordinator(case, model), self.params.return_delay_h, "part_done")
        return Wait()

    def coordinator(self, case, model) -> UnitKey:
        """The unit that coordinates departments for this case (the street by default)."""
        if model.has_street_layer:
            return ("street_office", case.street)
        return ("district_center", 0)

    def next_department(self, case) -> int:
        """The next department to refer to: one that has not just refused, if any."""
        remaining = case.remaining_departments
        refused = case.last_refused
        for d in remaining:
            if d != refused:
                return d
        return remaining[0]

    def acting_unit(self, case, department: int, model):
        """The unit whose staff act for ``department`` on this case (the department itself,
        unless some of its staff have been sent down)."""
        return model.departments[department]

    def persist_until_fixed(self, case) -> bool:
        """Whether departments keep working a case until it is really fixed (事不绝、人不撤)."""
        return False

    def buckpass_probability(self, case, department: int, model) -> float:
        """推诿 as a choice: rises with the duty's ambiguity and the acting unit's load, falls
        with the share of its appraisal held by someone who rates returns
        (:func:`governance_sim.appraisal.return_probability`)."""
        unit = self.acting_unit(case, department, model)
        return return_probability(self.params.p_buckpass, model.categories[case.category].ambiguity,
                                  unit.workforce, unit.return_cost)

    def coverup_probability(self, case, model) -> float:
        """不出事: the chance the coordinator hides a latent hazard it learns of
        (:func:`governance_sim.appraisal.hide_probability`)."""
        unit = model.unit(self.coordinator(case, model))
        fix_days = unit.fix_days if unit.fix_days is not None else self.expected_fix_days(case, model)
        return hide_probability(unit.veto_weight, fix_days, model.categories[case.category].erupt_days,
                                self.params.trace_prob)

    def expected_fix_days(self, case, model) -> float:
        """What a coordinator expects, before any experience, a department fix to take:
        one formal referral per department, in calendar days."""
        per = self.params.referral_delay_days + self.params.return_delay_h / model.calendar.hours
        return max(1, len(case.departments)) * per * 7.0 / model.calendar.workdays

    def on_return(self, case, department: int, model) -> None:
        """A department handed a case back (hook for the street's rating of returns)."""

    # assessment --------------------------------------------------------------
    def on_action(self, case, department: int, model) -> None:
        """A department finished an action on a case (hook for per-action ratings)."""

    def on_day(self, model, day: int) -> None:
        """Daily routine hook."""

    def on_month(self, model, month: int) -> None:
        """Monthly appraisal hook."""
