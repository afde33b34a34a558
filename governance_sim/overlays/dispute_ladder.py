"""``dispute_ladder`` — 矛盾纠纷多元化解: disputes climb 人民调解 → 行政调解 → 司法, or turn to 信访.

Source: seed 003 (「小事不出村、大事不出镇」; 人民调解、行政调解、司法调解 联动 (三调联动); one-stop
综治中心/矛调中心 at county, township and village; an unsettled dispute becomes a 信访 petition
that climbs to district and city, where leaders take charge of cases (包案) and 维稳 work
follows).  Numbers are assumptions unless a seed is named.

Mechanisms, for every category flagged ``mediation``:

* a dispute has a **gap** between the parties (exponential, mean ``gap_mean`` × severity);
  a mediation at a rung of strength ``s`` settles it with probability exp(−gap / s), so hard
  disputes climb and each rung sees harder ones than the rung below;
* **人民调解** at the community (village) office: its staff spend the dispute's effort;
  ``people_strength`` is the mediators' strength (committees, specialised ones such as
  物业 and 医患 raise it);
* **行政调解** at the street (township) — the 矛调中心 — after ``rung_delay_days``, with
  ``admin_strength`` and ``admin_effort_factor`` × the effort;
* unsettled there, the party **chooses**: litigation (诉讼/司法调解, settled after
  ``court_days``) or a petition (信访) — it petitions when ``petition_pull`` (what a petition
  is expected to win) beats its own cost of going to court (lognormal, median
  ``litigation_cost``);
* a petition reaches the district, where a 包案 leader mediates with ``baoan_strength``
  and the street spends ``weiwen_hours`` of stability work (维稳) on the petitioner; a
  petition the district does not settle goes on to the city after ``petition_delay_days``
  (counted as ``petitions_city``, closed unsettled);
* ``one_stop`` (矛调中心 一站式): 行政 and 司法 mediation sit in one centre, so the hand-offs
  between rungs take no time and court mediation there takes ``one_stop_court_factor`` of
  ``court_days``.

Outputs: the share of disputes settled at each rung, the days to settlement, petitions
reaching district and city, and 维稳 hours.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from governance_sim.arrangements.base import Wait
from governance_sim.cases import OPEN
from governance_sim.engine import HOURS_PER_DAY
from governance_sim.overlays.base import Overlay, OverlayParams
from governance_sim.registry import register_overlay

RUNGS = ("people", "admin", "court", "district", "city")
SETTLED_AT = ("people", "admin", "court", "district")  # the summary's shares of where disputes settle


class DisputeLadderParams(OverlayParams):
    """Strengths, delays and the choice between court and petition (assumptions unless cited)."""

    gap_mean: float = Field(default=1.0, gt=0, le=100,
                            description="mean gap between the parties per severity level (assumption)")
    people_strength: float = Field(default=1.0, gt=0, le=100,
                                   description="strength of 人民调解 at the community/village (seed 003 names "
                                               "the rung; value assumption)")
    admin_strength: float = Field(default=1.5, gt=0, le=100,
                                  description="strength of 行政调解 at the street/township 矛调中心 (assumption)")
    admin_effort_factor: float = Field(default=1.5, gt=0, le=10,
                                       description="effort of an administrative mediation relative to the "
                                                   "dispute's effort (assumption)")
    rung_delay_days: float = Field(default=2.0, ge=0, le=60,
                                   description="working days to pass a dispute up one rung (assumption)")
    court_days: float = Field(default=60.0, gt=0, le=720,
                              description="days from filing to a court's mediation or judgment (assumption)")
    one_stop: bool = Field(default=False,
                           description="a one-stop 矛调中心: no hand-off time between rungs, court mediation "
                                       "at the centre (seed 003: 一站式)")
    one_stop_court_factor: float = Field(default=0.5, gt=0, le=1,
                                         description="court time at a one-stop centre relative to court_days "
                                                     "(assumption)")
    litigation_cost: float = Field(default=2.0, gt=0, le=100,
                                   description="median of a party's cost of going to court (fees, time; "
                                               "assumption)")
    litigation_cost_sigma: float = Field(default=1.0, ge=0, le=3,
                                         description="spread (log scale) of parties' court costs (assumption)")
    petition_pull: float = Field(default=1.5, gt=0, le=100,
                                 description="what a party expects a petition to win, in the units of "
                                             "litigation_cost (assumption)")
    baoan_strength: float = Field(default=2.0, gt=0, le=100,
                                  description="strength of a 包案 leader's mediation of a petition at the "
                                              "district (seed 003 names 包案; value assumption)")
    petition_delay_days: float = Field(default=30.0, ge=0, le=365,
                                       description="days before a petition the district did not settle "
                                                   "reaches the city (assumption)")
    weiwen_hours: float = Field(default=8.0, ge=0, le=200,
                                description="street staff-hours of stability work (维稳) per petition "
                                            "(assumption)")


def settles(gap: float, strength: float, u: float) -> bool:
    """A mediation of strength ``strength`` settles a dispute of ``gap`` when ``u`` < exp(−gap/strength)."""
    return u < math.exp(-gap / strength)


def petitions(petition_pull: float, litigation_cost: float) -> bool:
    """The party's choice after 行政调解 fails: petition when it expects more from it than court costs."""
    return petition_pull > litigation_cost


@register_overlay
class DisputeLadder(Overlay):
    """矛盾纠纷多元化解 — the mediation ladder and 信访."""

    name = "dispute_ladder"
    label = "矛盾纠纷多元化解 (三调联动, 信访)"
    Params = DisputeLadderParams

    def setup(self, model) -> None:
        self.rng = self.make_rng(model)
        self.disputes: dict[int, dict] = {}  # case id → {"gap", "rung", "t0", "settled_at"}
        self.weiwen_h = 0.0

    # ------------------------------------------------------------------ routing
    def route(self, case, at, model):
        if not model.categories[case.category].mediation or case.status != OPEN:
            return None
        state = self.disputes.get(case.id)
        if state is not None:
            return Wait()  # on the ladder already: the overlay moves it
        p = self.params
        gap = float(self.rng.exponential(p.gap_mean * case.severity))
        state = {"gap": gap, "rung": "", "t0": model.now, "settled_at": ""}
        self.disputes[case.id] = state
        if case.petition:  # a petition filed directly goes to the district
            self._petition(case, model)
        else:
            self._mediate(case, model, "people")
        return Wait()

    def _mediate(self, case, model, rung: str) -> None:
        p = self.params
        state = self.disputes[case.id]
        state["rung"] = rung
        effort = model.lifecycle.effort(case)
        if rung == "people":
            unit, strength = model.unit(("community_office", case.community)), p.people_strength
        else:
            key = ("street_office", case.street) if model.has_street_layer else ("district_center", 0)
            unit, strength = model.unit(key), p.admin_strength
            effort *= p.admin_effort_factor
        case.level = unit.role
        case.holder = f"{unit.role}:{unit.index}"
        unit.work_on(case, effort, 1.0 + case.priority_boost,
                     lambda task, rung=rung, strength=strength: self._mediated(task, model, rung, strength))

    def _mediated(self, task, model, rung: str, strength: float) -> None:
        case = task.case
        case.staff_hours += task.effort
        if case.status != OPEN:
            return
        state = self.disputes[case.id]
        if settles(state["gap"], strength, self.rng.random()):
            self._settle(case, model, rung)
            return
        if rung == "people":
            self._after(case, model, self._hand_off_h(model), self._mediate, "admin")
            return
        cost = self.params.litigation_cost * math.exp(self.params.litigation_cost_sigma
                                                      * self.rng.standard_normal())
        if petitions(self.params.petition_pull, cost):
            self._petition(case, model)
        else:
            self._litigate(case, model)

    def _hand_off_h(self, model) -> float:
        return 0.0 if self.params.one_stop else self.params.rung_delay_days * model.calendar.hours

    def _after(self, case, model, working_h: float, fn, *args) -> None:
        t = model.calendar.add_working_hours(model.now, working_h) if working_h else model.now
        model.events.schedule(t, fn, case, model, *args)

    def _litigate(self, case, model) -> None:
        p = self.params
        self.disputes[case.id]["rung"] = "court"
        case.level = "court"
        days = p.court_days * (p.one_stop_court_factor if p.one_stop else 1.0)
        model.events.schedule(model.now + days * HOURS_PER_DAY, self._judged, case, model)

    def _judged(self, case, model) -> None:
        if case.status == OPEN:
            self._settle(case, model, "court")

    def _petition(self, case, model) -> None:
        """信访 at the district: the street's 维稳 work and a 包案 leader's mediation."""
        p = self.params
        state = self.disputes[case.id]
        state["rung"] = "district"
        case.petition = True
        case.level = "district"
        model.appraisal.petitioned(case)
        if p.weiwen_hours and model.has_street_layer:
            office = model.unit(("street_office", case.street))
            office.work_on(None, p.weiwen_hours, 1.0, None, activity="weiwen")
            self.weiwen_h += p.weiwen_hours
        if settles(state["gap"], p.baoan_strength, self.rng.random()):
            self._settle(case, model, "district")
            return
        model.events.schedule(model.now + p.petition_delay_days * HOURS_PER_DAY, self._to_city, case, model)

    def _to_city(self, case, model) -> None:
        if case.status != OPEN:
            return
        self.disputes[case.id]["rung"] = "city"
        case.level = "city"
        model.lifecycle.close(case, resolved=False)

    def _settle(self, case, model, rung: str) -> None:
        self.disputes[case.id]["settled_at"] = rung
        case.level = {"people": "community_office", "admin": "street_office"}.get(rung, rung)
        model.lifecycle.close(case, resolved=True)

    # ------------------------------------------------------------------ output
    def summary(self, model) -> dict[str, float]:
        return self.merge_summaries([self.summary_parts(model)])

    def summary_parts(self, model) -> dict:
        """The counted disputes' tallies (read at the end: a case is looked up by id only here)."""
        first = model.warmup_days * HOURS_PER_DAY
        counted = [(model.cases[cid], s) for cid, s in self.disputes.items()
                   if model.cases[cid].t_created >= first]
        return {"disputes": len(counted),
                "settled": {rung: sum(s["settled_at"] == rung for _, s in counted) for rung in SETTLED_AT},
                "petitions_district": sum(s["rung"] in ("district", "city") for _, s in counted),
                "petitions_city": sum(s["rung"] == "city" for _, s in counted),
                "settle_days": [(c.t_resolved - s["t0"]) / HOURS_PER_DAY for c, s in counted if s["settled_at"]],
                "weiwen_hours": self.weiwen_h}

    @classmethod
    def merge_summaries(cls, parts: list[dict]) -> dict[str, float]:
        """Disputes and petitions added up over the districts; shares of the sums; the mean
        settling time over every settled dispute."""
        n = sum(p["disputes"] for p in parts)
        out: dict[str, float] = {"disputes": n}
        for rung in SETTLED_AT:
            k = sum(p["settled"][rung] for p in parts)
            out[f"dispute_share_settled_{rung}"] = k / n if n else math.nan
        out["petitions_district"] = sum(p["petitions_district"] for p in parts)
        out["petitions_city"] = sum(p["petitions_city"] for p in parts)
        days = [d for p in parts for d in p["settle_days"]]
        out["dispute_settle_days_mean"] = float(np.mean(days)) if days else math.nan
        out["weiwen_hours"] = sum(p["weiwen_hours"] for p in parts)
        return out
