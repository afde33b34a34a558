"""``baseline`` — 两级政府、三级管理, 条块分割 (MODEL.md §5).

grid → community → street → district departments.  Communities settle only
the categories they have authority over; the street has responsibility
without enforcement power (有责无权) and must send a formal referral to each
department, one at a time.  Departments are appraised by their own line
ministry, so local referrals queue behind vertical work.  A department with
unclear duty returns a case as "not ours" (推诿) and the street re-refers.
Streets follow the 不出事 logic and may sit on latent hazards they expect not to
get fixed in time (:func:`governance_sim.appraisal.hide_probability`).
Sources: seed 001 (Pinggu: 看得见的管不着、管得着的看不见), seed 000 (条块分割).
"""

from __future__ import annotations

from pydantic import Field

from governance_sim.agents.seconded_staff import SecondedStaff
from governance_sim.arrangements.base import (
    Arrangement,
    ArrangementParams,
    CoverUp,
    Decision,
    Handle,
    Refer,
)
from governance_sim.engine import HOURS_PER_DAY
from governance_sim.registry import register_arrangement


class BaselineParams(ArrangementParams):
    seconded_share: float = Field(default=0.0, ge=0, le=1, description="share of each department's staff sent down to the street (下沉), with no summoning power")
    seconded_enforcement: bool = Field(default=False, description="whether sent-down staff may enforce (执法权) away from their department")
    seconded_referral_h: float = Field(default=2.0, ge=0, description="working hours for the street to hand a case to sent-down staff")


_NO_POOLS: dict = {}  # before setup, or for a subclass that sends no staff down (never filled)


@register_arrangement
class Baseline(Arrangement):
    name = "baseline"
    label = "条块分割"
    Params = BaselineParams

    def route(self, case, at, model) -> Decision:
        kind, _ = at
        cat = model.categories[case.category]
        p = self.params
        if kind == "grid_worker":
            return self.route_at_grid(case, at, model)
        if kind == "street_chief":
            if self.micro_enforcement and cat.micro_enforceable:
                return Handle(at)
            return Refer(("street_office", case.street), 0.0, "report_up")
        if kind == "community_office":
            if cat.community_authority or not model.has_street_layer and not case.departments:
                return Handle(at)
            return Refer(self.coordinator(case, model), p.escalation_delay_h, "escalate")
        if kind in ("street_office", "district_center"):
            if kind == "district_center" and model.has_street_layer:
                return Refer(("street_office", case.street), p.escalation_delay_h, "dispatch")
            if (case.latent and not case.eruption
                    and model.random.random() < self.coverup_probability(case, model)):
                return CoverUp()
            if cat.street_authority or not case.remaining_departments:
                return Handle(at)
            return self.refer_to_department(case, model)
        raise ValueError(f"baseline cannot route a case held by {kind}")

    def route_at_grid(self, case, at, model) -> Decision:
        """网格员: fixes minor problems of community scope on the spot, reports the rest up."""
        cat = model.categories[case.category]
        if cat.community_authority and not cat.mediation and case.severity == 1:
            return Handle(at, effort_factor=0.5)
        return Refer(("community_office", case.community), 0.0, "report_up")

    def refer_to_department(self, case, model) -> Decision:
        """One formal referral to one department at a time (sequential 条块 coordination).
        Staff sent down to the street take a case without the formal referral, but only
        for what they may do away from their department."""
        d = self.next_department(case)
        if self.can_act_down(d, model):
            return Refer(("department", d), self.params.seconded_referral_h, "referral")
        delay = self.params.referral_delay_days * model.calendar.hours
        return Refer(("department", d), delay, "referral")

    # ---------------------------------------------------------------- 下沉
    def setup(self, model) -> None:
        self.seconded: dict[int, SecondedStaff] = {}
        share = self.params.seconded_share
        if share <= 0 or not model.has_street_layer:
            return
        for dept in model.departments:
            n = int(dept.staff * share)
            if n <= 0:
                continue
            dept.workforce.add_staff(-n)
            pool = SecondedStaff(model, dept, n)
            self.seconded[dept.index] = pool
            model.add_unit(pool)

    def can_act_down(self, department: int, model) -> bool:
        pool = getattr(self, "seconded", _NO_POOLS).get(department)
        if pool is None:
            return False
        return self.params.seconded_enforcement or not model.departments[department].enforcement

    def acting_unit(self, case, department: int, model):
        if self.can_act_down(department, model):
            return self.seconded[department]
        return model.departments[department]


__all__ = ["Baseline", "HOURS_PER_DAY"]
