"""``three_governance`` — 三治融合: 自治, 法治 and 德治 as three parts with parameters of their own.

Source: seed 002 (三治融合: self-governance through resident councils 议事会 and village
compacts 村规民约, rule of law through 一村一法律顾问, rule of virtue through moral evaluation
道德评议; 网格员代办, the grid worker as a mobile service window).  The seed names the
practices; every number is an assumption.

Mechanisms:

* **自治** — a council (议事会) meets every ``council_every_days``; each household takes part
  with ``council_participation`` × its trust, and a household that took part is bound by the
  village compact (村规民约) until it lapses (``compact_lapse`` a month).  A bound household
  has disputes less often by ``compact_effect``;
* **德治** — each month ``moral_evaluated_share`` of households is evaluated in public
  (道德评议); for ``moral_memory_months`` an evaluated household has disputes less often by
  ``moral_effect``;
* the rates of the categories flagged ``mediation`` follow the households: each day the
  rate is the shipped rate × the mean over households of (1 − compact) × (1 − moral) —
  how far disputes fall follows from trust, participation and coverage;
* **法治** — with ``legal_adviser`` (一村一法律顾问) the adviser sits in on people's
  mediation (``adviser_strength`` added to the ``dispute_ladder``'s ``people_strength``) and
  tells parties what a petition can win (``petition_pull`` cut by ``adviser_petition_cut``);
  without the ladder, the households' chance of petitioning an unsettled problem is cut by
  the same share — escalation falls, disputes do not;
* **评议** — residents review the committee's work every month (每月集体评议): the
  community office's scorecard gives their ratings ``monthly_review_weight``, so a committee
  whose residents are unhappy keeps fewer ledger hours (:func:`governance_sim.appraisal.ledger_hours`);
* **网格员代办** — with ``grid_proxy`` a service matter (a street-authority category) that
  reaches a grid worker or community office is carried by the grid worker to the street
  office at once, at ``proxy_hours`` of the worker's time, instead of climbing level by level.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from governance_sim.arrangements.base import Coordinate, Refer
from governance_sim.overlays.base import Overlay, OverlayParams
from governance_sim.registry import register_overlay
from governance_sim.scenario import OfficeSpec, ScenarioError

# the bound of roles.<office>.resident_rating_weight, which the monthly review adds to
RESIDENT_WEIGHT_MAX = next(m.le for m in OfficeSpec.model_fields["resident_rating_weight"].metadata
                           if getattr(m, "le", None) is not None)


class ThreeGovernanceParams(OverlayParams):
    """自治, 法治, 德治 and 网格员代办 (seed 002 names them; values assumptions)."""

    council_every_days: int = Field(default=30, ge=1, le=365,
                                    description="days between council meetings (议事会; assumption: monthly)")
    council_participation: float = Field(default=0.2, ge=0, le=1,
                                         description="chance a fully trusting household takes part in a "
                                                     "meeting (× its trust; assumption)")
    compact_effect: float = Field(default=0.3, ge=0, le=1,
                                  description="how much less often a household bound by the village compact "
                                              "(村规民约) has a dispute (assumption)")
    compact_lapse: float = Field(default=0.05, ge=0, le=1,
                                 description="monthly chance a bound household stops keeping the compact "
                                             "(assumption)")
    moral_evaluated_share: float = Field(default=0.05, ge=0, le=1,
                                         description="share of households evaluated in public each month "
                                                     "(道德评议; assumption)")
    moral_effect: float = Field(default=0.2, ge=0, le=1,
                                description="how much less often an evaluated household has a dispute "
                                            "(assumption)")
    moral_memory_months: int = Field(default=12, ge=1, le=120,
                                     description="months an evaluation stays with a household (assumption)")
    legal_adviser: bool = Field(default=True, description="一村一法律顾问 (seed 002)")
    adviser_strength: float = Field(default=0.5, ge=0, le=100,
                                    description="strength the adviser adds to people's mediation (assumption)")
    adviser_petition_cut: float = Field(default=0.3, ge=0, le=1,
                                        description="share by which legal advice cuts what parties expect from "
                                                    "a petition, or their chance of petitioning (assumption)")
    monthly_review_weight: float = Field(
        default=0.5, ge=0, le=5,
        description="weight residents' monthly review of the committee's work (每月集体评议村级日常工作, "
                    "seed 002) adds to the community office's resident_rating_weight (value assumption: "
                    "half the inspections' weight)")
    grid_proxy: bool = Field(default=True, description="网格员代办: grid workers carry service matters (seed 002)")
    proxy_hours: float = Field(default=0.5, ge=0, le=8,
                               description="grid worker's hours per matter carried to the street (assumption)")


@register_overlay
class ThreeGovernance(Overlay):
    """三治融合 — councils and compacts, legal advisers, moral evaluation; 网格员代办."""

    name = "three_governance"
    label = "三治融合 (自治·法治·德治)"
    Params = ThreeGovernanceParams

    def adjust_scenario(self, scenario):
        p = self.params
        changes = {}
        if p.legal_adviser and p.adviser_petition_cut and "dispute_ladder" not in scenario.overlays:
            changes["roles.resident.p_petition"] = scenario.roles.resident.p_petition * (1.0 - p.adviser_petition_cut)
        if p.monthly_review_weight:  # 自治: residents review the committee, a say in its appraisal
            weight = scenario.roles.community_office.resident_rating_weight + p.monthly_review_weight
            if weight > RESIDENT_WEIGHT_MAX:
                raise ScenarioError("overlays.three_governance.monthly_review_weight",
                                    f"added to roles.community_office.resident_rating_weight it gives "
                                    f"{weight:g}; the two together may be at most {RESIDENT_WEIGHT_MAX:g}")
            changes["roles.community_office.resident_rating_weight"] = weight
        return scenario.with_overrides(changes) if changes else scenario

    def setup(self, model) -> None:
        p = self.params
        self.rng = self.make_rng(model)
        n = model.n_households
        self.bound = np.zeros(n, dtype=bool)
        self.esteem_until = np.full(n, -1, dtype=np.int64)
        self.month = 0
        self.disputes = [c for c in model.categories if c.mediation]
        self.base_rates = {c.index: c.rate_per_person_day for c in self.disputes}
        self.proxied = 0
        ladder = next((o for o in model.overlays if o.name == "dispute_ladder"), None)
        if ladder is not None and p.legal_adviser:
            lp = ladder.params
            ladder.params = lp.model_copy(update={
                "people_strength": lp.people_strength + p.adviser_strength,
                "petition_pull": lp.petition_pull * (1.0 - p.adviser_petition_cut)})

    # ------------------------------------------------------------------ 自治, 德治
    def household_factors(self) -> np.ndarray:
        """Each household's dispute propensity under the compact and evaluation."""
        p = self.params
        compact = 1.0 - p.compact_effect * self.bound
        moral = 1.0 - p.moral_effect * (self.esteem_until >= self.month)
        return compact * moral

    def dispute_factor(self) -> float:
        """Mean over households of their dispute propensity under the compact and evaluation."""
        return float(self.household_factors().mean())

    def on_day(self, model, day: int) -> None:
        p = self.params
        if day % p.council_every_days == 0:
            trust = model.population.trust
            self.bound |= self.rng.random(len(trust)) < p.council_participation * trust
        factor = self.dispute_factor()
        for cat in self.disputes:
            cat.rate_per_person_day = self.base_rates[cat.index] * factor

    def on_month(self, model, month: int) -> None:
        p = self.params
        self.month = month
        n = len(self.bound)
        self.bound &= self.rng.random(n) >= p.compact_lapse
        evaluated = self.rng.random(n) < p.moral_evaluated_share
        self.esteem_until[evaluated] = month + p.moral_memory_months

    # ------------------------------------------------------------------ 网格员代办
    def route(self, case, at, model):
        if not self.params.grid_proxy or not model.has_street_layer:
            return None
        cat = model.categories[case.category]
        if not cat.street_authority or cat.community_authority or at[0] not in ("grid_worker", "community_office"):
            return None
        worker = ("grid_worker", model.grid_worker_of_grid[case.grid])
        self.proxied += 1
        return Coordinate(worker, self.params.proxy_hours, Refer(("street_office", case.street), 0.0, "proxy"))

    def summary(self, model) -> dict[str, float]:
        return self.merge_summaries([self.summary_parts(model)])

    def summary_parts(self, model) -> dict:
        return {"households": len(self.bound), "bound": int(self.bound.sum()),
                "evaluated": int((self.esteem_until >= self.month).sum()),
                "factor_sum": float(self.household_factors().sum()),
                "proxied": self.proxied}

    @classmethod
    def merge_summaries(cls, parts: list[dict]) -> dict[str, float]:
        """Shares and the dispute factor over every household of the districts; matters added up."""
        n = sum(p["households"] for p in parts)

        def share(key):
            return sum(p[key] for p in parts) / n if n else math.nan

        return {"compact_bound_share": share("bound"), "moral_evaluated_active_share": share("evaluated"),
                "dispute_rate_factor": share("factor_sum"), "grid_proxy_matters": sum(p["proxied"] for p in parts)}
