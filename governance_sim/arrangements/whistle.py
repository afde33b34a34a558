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
* after each department action the street rates it — full marks for reporting
  on site within ``report_deadline_hours`` and fixing its part, less when
  late;
* with ``reverse_assessment_weight`` > 0 those ratings enter the department's
  appraisal, and each month a department whose ratings from a street fall
  short of ``rating_target`` raises the priority it gives that street's cases
  (and lets it drift back when they are good) — weight 0 leaves priorities
  where the line ministry puts them;
* the three lists give ``duty_clarity`` that scales buck-passing down;
* 街巷长 patrol lanes and settle micro-enforceable problems on the spot;
* empowered streets cover up less (``coverup_factor``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from governance_sim.arrangements.base import CoverUp, Decision, Handle, Refer, Summon, Wait
from governance_sim.arrangements.baseline import Baseline, BaselineParams
from governance_sim.registry import register_arrangement

WhistleRule = Literal["cross_department", "enforcement", "severity", "latent"]


class WhistleParams(BaselineParams):
    whistle_when: list[WhistleRule] = Field(
        default_factory=lambda: ["cross_department", "latent"],
        description="cases the street whistles for: any rule that matches triggers the whistle",
    )
    whistle_min_severity: int = Field(default=3, ge=1, le=3, description="the 'severity' rule's threshold")
    report_deadline_hours: float = Field(default=24.0, gt=0, description="summoned departments must be on site within this (seed 001)")
    whistle_priority_boost: float = Field(default=0.3, description="priority a formal summons carries by itself")
    joint_effort_factor: float = Field(default=0.8, gt=0, description="effort of joint on-site action relative to acting alone")
    reverse_assessment_weight: float = Field(default=0.5, ge=0, le=1, description="weight of the street's ratings in department appraisal (考核)")
    rating_target: float = Field(default=0.8, ge=0, le=1, description="rating a department aims for from each street")
    priority_step: float = Field(default=0.5, ge=0, description="monthly priority change per unit of rating shortfall at weight 1")
    duty_clarity: float = Field(default=0.6, ge=0, le=1, description="clarity from the three lists (seed 004); scales buck-passing")
    coverup_factor: float = Field(default=0.3, ge=0, le=1, description="empowered streets cover up this share of the baseline odds")


@register_arrangement
class Whistle(Baseline):
    name = "whistle"
    label = "街乡吹哨、部门报到"
    Params = WhistleParams
    micro_enforcement = True
    summoning_power = True

    def setup(self, model) -> None:
        super().setup(model)
        self.open_whistles: list = []  # whistled cases, for the monthly no-show ratings

    # ---------------------------------------------------------------- routing
    def should_whistle(self, case, model) -> bool:
        rules = self.params.whistle_when
        if "cross_department" in rules and len(case.departments) >= 2:
            return True
        if "latent" in rules and case.latent:
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
        waiting = tuple(d for d in case.remaining_departments if d not in case.parts_pending)
        if not waiting:
            return Wait()
        self.open_whistles.append(case)
        p = self.params
        return Summon(waiting, p.report_deadline_hours, p.whistle_priority_boost, p.joint_effort_factor)

    def persist_until_fixed(self, case) -> bool:
        return case.whistled

    def coverup_probability(self, case, model) -> float:
        return self.params.p_coverup * self.params.coverup_factor

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
        summoned = case.received.get(department, case.t_reported)
        arrived = case.arrivals.get(department, summoned)
        late = max(0.0, arrived - summoned - deadline)
        return max(0.0, 1.0 - late / (4.0 * deadline))

    def rate_no_shows(self, model) -> None:
        """A summoned department still not on site past its deadline gets a zero for the month."""
        deadline = self.params.report_deadline_hours
        still_open = []
        for case in self.open_whistles:
            if case.status != "open":
                continue
            still_open.append(case)
            for d in case.parts_pending:
                summoned = case.received.get(d)
                if d not in case.arrivals and summoned is not None and model.now - summoned > deadline:
                    model.departments[d].receive_rating(case.street, model.now, 0.0)
        self.open_whistles = still_open

    def on_month(self, model, month: int) -> None:
        """Monthly appraisal: departments move their priority for each street toward its ratings."""
        self.rate_no_shows(model)
        w = self.params.reverse_assessment_weight
        since = model.now - 30 * 24.0
        for dept in model.departments:
            recent: dict[int, list[float]] = {}
            for street, t, rating in dept.ratings:
                if t >= since:
                    recent.setdefault(street, []).append(rating)
            for street, ratings in recent.items():
                mean = sum(ratings) / len(ratings)
                shortfall = self.params.rating_target - mean
                weight = dept.street_weight[street] + w * self.params.priority_step * shortfall
                dept.street_weight[street] = max(0.0, weight)
            if recent:
                all_ratings = [r for rs in recent.values() for r in rs]
                dept.appraisal = (1 - w) * dept.appraisal + w * sum(all_ratings) / len(all_ratings)
