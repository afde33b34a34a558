"""``whistle`` — 街乡吹哨、部门报到, with the 街巷长制 (MODEL.md §5).

Sources: seed 001 (Pinggu, the origin: the township "whistles" and district
departments must report on site within a deadline; 不变体制变机制), seed 000
(Beijing: 街巷长 daily patrols, 小微执法 for piled materials, illegal parking and
private parking locks; monthly two-way ratings), seed 004 (the three lists
问题/权责/效果清单 and the street's power to appraise departments).  Numbers are
assumptions unless a seed is named in the parameter's description.

Mechanisms:

* the street (or a 街巷长) whistles for cases that meet ``whistle_when``: every
  required department is summoned at once and acts jointly on site; they stay
  until the problem is really fixed (事不绝、人不撤);
* a summons carries no priority of its own: it has a deadline
  (``report_deadline_hours``), and whether a department is on site by then
  follows from its queue and the priority its scorecard gives the street.
  A miss is rated 0 and the street calls again; after
  ``summons_misses_to_supervision`` misses the district supervises (督办);
* after each department action the street rates it — full marks for being on
  site within the deadline, less when late — and rates a return 0; with
  ``reverse_assessment_weight`` > 0 those ratings are marks in the
  department's scorecard (:mod:`governance_sim.appraisal`), which moves its
  priority for that street month by month — weight 0 leaves priorities where
  the line ministry puts them;
* the three lists (``duty_lists``) make each category's duty as clear as its
  ``duty_holders`` say, and buck-passing follows;
* 街巷长 patrol lanes and settle micro-enforceable problems on the spot, and
  rate departments and are rated monthly;
* the power to summon lowers the cost of reporting a hazard: the street
  expects it fixed within the deadline, so it hides fewer.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from governance_sim.arrangements.base import CoverUp, Decision, Handle, Refer, Summon, Wait
from governance_sim.arrangements.baseline import Baseline, BaselineParams
from governance_sim.registry import register_arrangement
from governance_sim.schema import ParamModel

WhistleRule = Literal["cross_department", "enforcement", "severity", "latent", "any_department", "hotline"]


class WhistleStage(ParamModel):
    """A widening of the whistle's scope: from ``day`` on, ``add`` joins ``whistle_when``
    (seed 001: 执法哨 → 管理哨 → 发展哨)."""

    model_config = ConfigDict(extra="forbid")

    day: int = Field(ge=0, description="day of the run from which the rules apply")
    add: list[WhistleRule] = Field(min_length=1, description="rules added to whistle_when")


class WhistleParams(BaselineParams):
    whistle_when: list[WhistleRule] = Field(
        default_factory=lambda: ["cross_department", "latent"],
        description="cases the street whistles for: any rule that matches triggers the whistle; "
                    "'hotline' = every 12345 order that needs a department (接诉即办 as 吹哨报到's "
                    "extension: 北京青年报 2021-12-20, 「推进“吹哨报到”向“接诉即办”深化延伸」)",
    )
    whistle_stages: list[WhistleStage] = Field(
        default_factory=list,
        description="the scope widening over time: rules added from a day on (seed 001: 执法哨 → 管理哨 → "
                    "发展哨; days assumption); 'any_department' = every case that needs a department")
    whistle_min_severity: int = Field(default=3, ge=1, le=3, description="the 'severity' rule's threshold")
    report_deadline_hours: float = Field(default=24.0, gt=0, description="summoned departments must be on site within this (seed 001: a deadline; value assumption)")
    joint_effort_factor: float = Field(default=0.8, gt=0, description="effort of joint on-site action relative to acting alone")
    reverse_assessment_weight: float = Field(default=0.5, ge=0, le=5, description="weight of the street's ratings in departments' appraisal (反向考核; seed 001: 以此為依據年終考核部門工作; value assumption)")
    duty_lists: bool = Field(default=True, description="the three lists (三张清单) are published (seed 001)")
    summons_misses_to_supervision: int = Field(default=2, ge=0, description="missed deadlines on one summons after which the street asks the district to supervise (督办); 0 = never (assumption)")


@register_arrangement
class Whistle(Baseline):
    name = "whistle"
    label = "街乡吹哨、部门报到"
    Params = WhistleParams
    micro_enforcement = True
    summoning_power = True

    # ---------------------------------------------------------------- routing
    def rules_on(self, day: int) -> list[str]:
        """The whistle's rules on ``day``: ``whistle_when`` plus every stage begun by then."""
        rules = list(self.params.whistle_when)
        for stage in self.params.whistle_stages:
            if day >= stage.day:
                rules.extend(stage.add)
        return rules

    def should_whistle(self, case, model) -> bool:
        rules = self.rules_on(model.day) if self.params.whistle_stages else self.params.whistle_when
        if "any_department" in rules and case.departments:
            return True
        if "cross_department" in rules and len(case.departments) >= 2:
            return True
        if "latent" in rules and case.latent:
            return True
        # 接诉即办 as the whistle's extension: a resident's 12345 order is itself the whistle
        if "hotline" in rules and case.channel == "hotline" and case.departments:
            return True
        if "severity" in rules and case.severity >= self.params.whistle_min_severity and case.departments:
            return True
        if "enforcement" in rules and case.departments:
            return any(model.departments[d].enforcement for d in case.departments)
        return False

    def route(self, case, at, model) -> Decision:
        kind, _ = at
        if kind == "street_chief":
            cat = model.categories[case.category]
            if cat.micro_enforceable:
                return Handle(at, effort_factor=1.0)  # 小微执法 on the spot
            if self.should_whistle(case, model):  # a 街巷长 may blow the whistle too
                return self.whistle(case)
            return Refer(("street_office", case.street), 0.0, "report_up")
        if (kind == "street_office" and not model.categories[case.category].street_authority
                and self.should_whistle(case, model) and case.remaining_departments):
            if (case.latent and not case.eruption
                    and model.random.random() < self.coverup_probability(case, model)):
                return CoverUp()
            return self.whistle(case)
        return super().route(case, at, model)

    def whistle(self, case) -> Decision:
        waiting = tuple(d for d in case.remaining_departments if not case.is_pending(d))
        if not waiting:
            return Wait()
        p = self.params
        return Summon(waiting, p.report_deadline_hours, p.joint_effort_factor)

    def persist_until_fixed(self, case) -> bool:
        return case.whistled

    def expected_fix_days(self, case, model) -> float:
        """A street that can summon expects departments on site by the deadline, all at once."""
        return self.params.report_deadline_hours / 24.0

    # ---------------------------------------------------------------- assessment
    def on_action(self, case, department: int, model) -> None:
        """The street rates the department after each action on its territory."""
        if case.street < 0:
            return
        rating = self.rate_action(case, department)
        model.departments[department].receive_rating(case.street, model.now, rating)

    def rate_action(self, case, department: int) -> float:
        """1 for being on site within the deadline; falls linearly to 0 at four deadlines late."""
        deadline = self.params.report_deadline_hours
        # lateness counts from when the summons or referral reached the department, so the
        # street's own referral time is not held against it
        summoned = case.received_at(department, case.t_reported)
        arrived = case.arrived_at(department, summoned)
        late = max(0.0, arrived - summoned - deadline)
        return max(0.0, 1.0 - late / (4.0 * deadline))

    def on_return(self, case, department: int, model) -> None:
        """A case handed back is an unserved request: the street rates it 0."""
        if case.street >= 0:
            model.departments[department].receive_rating(case.street, model.now, 0.0)
