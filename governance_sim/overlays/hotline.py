"""``hotline`` — 12345 市民热线 / 接诉即办 (MODEL.md §5).

Residents may call the hotline (the channel ``hotline``).  Seats at the
区指挥中心 answer each call, which takes seat time from the district centre's
staff; consultations (咨询) are answered on the call.  Every other call becomes
a work order (派单) dispatched either to the department responsible for the
problem (classic 12345) or straight to the street/township where it happened
(``direct_dispatch``, 直派街乡 — Beijing's 接诉即办).  Each order has a response
and a resolution deadline.  Every month the streets are appraised on the
三率 — 响应率 (responded in time), 解决率 (closed by the deadline, as the ledger
shows it) and 满意率 (residents satisfied) — and ranked.  The appraisal raises
the priority of hotline cases at the street's units (crowding out other work);
a low score or rank adds pressure, and under pressure hard cases still open at
the deadline are closed on paper.  Audits (回访核查) catch paper closings at
``audit_rate`` and send them back to be handled.  Trust makes the line a
channel people use: a household's weight on the hotline rises with its trust.

Sources: seed 000 (「12345市长热线」 became a township central task that competes
with other work); seed 002 (「“吹哨报到”、“接诉即办”」 named together).  The
seeds contain nothing on the 三率, rankings, 直派街乡, deadlines, consultation
shares or seats (docs/sources.md §4.3): every number here is an assumption.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import Field

from governance_sim.arrangements.base import Refer, Wait
from governance_sim.cases import CHANNELS, CLOSED_ON_PAPER, FOUND_BY_RESIDENT, OPEN
from governance_sim.engine import HOURS_PER_DAY
from governance_sim.overlays.base import Overlay, OverlayParams
from governance_sim.registry import register_overlay
from governance_sim.scenario import ScenarioError

CALL_PRIORITY = 100.0  # a ringing call is answered before any desk work at the centre
BLOCK_ROLES = frozenset({"street_office", "community_office", "grid_worker", "street_chief"})
TRUST_NEUTRAL = 0.5  # at this trust a household uses the configured channel weights


def _no_response(task, now) -> None:
    """Answering the call is not the first response to the problem (that is the handler's)."""


class HotlineParams(OverlayParams):
    """Parameters of the 12345 hotline (all assumptions: the seeds give no figures)."""

    direct_dispatch: bool = Field(
        default=False,
        description="直派街乡: send work orders to the street of the location (no street layer: "
                    "the community) instead of the responsible department")
    seats: int | None = Field(
        default=None, ge=1,
        description="call-takers at the 区指挥中心; sets roles.district_center.staff (None keeps it)")
    call_minutes: float = Field(default=8.0, gt=0, le=120,
                                description="seat time to take a call and write the work order")
    consultation_share: float = Field(
        default=0.3, ge=0, le=0.95,
        description="share of all calls that are consultations (咨询, ≤ 0.95), answered on the call; they "
                    "come on top of the problem reports and are not problems in the territory")
    consultation_minutes: float = Field(default=5.0, gt=0, le=120,
                                        description="seat time of a consultation")
    dispatch_delay_h: float = Field(default=2.0, ge=0,
                                    description="working hours from the call to the order reaching "
                                                "the receiving unit (派单)")
    contact_minutes: float = Field(
        default=10.0, ge=0, le=120,
        description="签收 → 联系诉求人: staff time of the receiving unit's call back to the resident "
                    "when it signs for an order, its first response (assumption: a call like the "
                    "seat's; 0 = no call back, the first work on the problem is the response)")
    response_deadline_h: float = Field(default=24.0, gt=0,
                                       description="响应: first response within this many hours")
    resolution_deadline_days: float = Field(default=7.0, gt=0,
                                            description="办结: closed within this many days")
    appraisal_weight: float = Field(
        default=1.0, ge=0, le=5,
        description="weight of the monthly 三率 in the streets' appraisal; 0 = no appraisal "
                    "(no priority, no pressure, no closing on paper)")
    target_score: float = Field(default=0.9, gt=0, le=1,
                                description="三率 score (mean of the three rates) the district expects")
    rank_weight: float = Field(default=0.5, ge=0, le=1,
                               description="pressure added to the last-ranked street (linear in rank)")
    priority_boost: float = Field(
        default=1.0, ge=0,
        description="priority of hotline cases at the street's units per unit of appraisal weight, "
                    "doubled at full pressure")
    paper_close_rate: float = Field(
        default=0.5, ge=0, le=1,
        description="P(a case still open at the deadline is closed on paper) at full pressure")
    audit_rate: float = Field(default=0.1, ge=0, le=1,
                              description="share of closed hotline cases audited (回访核查)")
    audit_delay_days: float = Field(default=5.0, ge=0, description="days from closing to the audit")
    trust_sensitivity: float = Field(
        default=1.0, ge=0, le=2,
        description="hotline weight × (1 + sensitivity × (trust − 0.5)): trust raises call volume")


@dataclass
class _Tally:
    """One appraised unit's hotline record for the month."""

    due: int = 0
    responded: int = 0
    closed: int = 0
    caught: int = 0
    rated: int = 0
    satisfied: int = 0


@register_overlay
class Hotline(Overlay):
    """12345 / 接诉即办: call seats, dispatch, deadlines, the monthly 三率 ranking, audits."""

    name = "hotline"
    label = "12345 接诉即办"
    Params = HotlineParams
    channels = ("hotline",)
    centre_key = ("district_center", 0)  # the unit whose seats take the calls

    def __init__(self, params: HotlineParams):
        super().__init__(params)
        self._awaiting_call: set[int] = set()
        self.calls = 0
        self.consultations = 0
        self.consultation_log: list[tuple[float, float]] = []  # (called, answered)
        self.paper_closings: list[tuple[int, float]] = []  # (case id, time) under 三率 pressure
        self.closings: list[tuple[int, float, bool, bool]] = []  # (case id, time, on paper, audited)
        self.audited = 0
        self.caught: list[tuple[int, float]] = []  # (case id, time) paper closings found out
        self.appraisals: list[dict] = []
        self.pressure: dict[int, float] = {}
        self._tally: dict[int, _Tally] = defaultdict(_Tally)
        self._totals = _Tally()
        # True when the monthly ranking is made across models (a city split into districts,
        # governance_sim.partition): on_month leaves rank and pressure to take_ranking
        self.ranked_elsewhere = False

    # ------------------------------------------------------------ structure
    def adjust_scenario(self, scenario):
        if self.params.seats is not None:
            scenario = scenario.with_overrides({"roles.district_center.staff": self.params.seats})
        if scenario.roles.district_center.staff < 1:
            raise ScenarioError("overlays.hotline.seats",
                                "the hotline needs seats: set seats ≥ 1 or roles.district_center.staff ≥ 1")
        return scenario

    def setup(self, model) -> None:
        self.rng = self.make_rng(model)
        pop = model.population
        self._weights = np.diff(np.concatenate([[0.0], pop.channel_cdf]))
        # households in groups (governance_sim.groups) start from their group's channel mix
        self._group_weights = (None if pop.group_cdf is None else
                               np.diff(pop.group_cdf, axis=1, prepend=0.0))
        self._hotline = CHANNELS.index("hotline")
        self.n_units = len(model.territory.streets) if model.has_street_layer else len(model.community_offices)
        self.pressure = dict.fromkeys(range(self.n_units), 0.0)

    def office_appraisal(self, model) -> tuple[str, float, dict[int, float]]:
        """The 三率 appraise the street offices (the community offices without streets): a
        ranking's pressure weighs on an office's ledger hours as on its hotline orders."""
        role = "street_office" if model.has_street_layer else "community_office"
        return role, self.params.appraisal_weight, self.pressure

    def appraised_unit(self, case, model) -> int:
        """The street (or, without streets, the community) answerable for the case's location."""
        return case.street if model.has_street_layer else case.community

    # ------------------------------------------------------------ channel choice
    def choose_channel(self, case, u: float, model) -> str | None:
        """Trust makes the hotline a channel people use (MODEL.md §5)."""
        trust = float(model.population.trust[case.household])
        groups = self._group_weights
        w = (self._weights if groups is None else groups[model.population.group[case.household]]).copy()
        w[self._hotline] *= max(0.0, 1.0 + self.params.trust_sensitivity * (trust - TRUST_NEUTRAL))
        total = w.sum()
        if total <= 0:
            return None
        k = int(np.searchsorted(np.cumsum(w), u * total, side="right"))
        return CHANNELS[min(k, len(CHANNELS) - 1)]

    def choose_channels(self, hids, u, model):
        """:meth:`choose_channel` for many households at once (indices into ``CHANNELS``)."""
        trust = model.population.trust[hids]
        groups = self._group_weights
        w = (np.broadcast_to(self._weights, (len(hids), len(self._weights))).copy() if groups is None
             else groups[model.population.group[hids]])
        w[:, self._hotline] *= np.maximum(0.0, 1.0 + self.params.trust_sensitivity * (trust - TRUST_NEUTRAL))
        cum = np.cumsum(w, axis=1)
        k = (cum <= (u * cum[:, -1])[:, None]).sum(axis=1)
        return np.minimum(k, len(CHANNELS) - 1)

    # ------------------------------------------------------------ the call
    def intake(self, case, channel: str, model):
        if channel != "hotline":
            return None
        self.calls += 1
        self._awaiting_call.add(case.id)
        share = self.params.consultation_share
        if share > 0:  # consultations come on top: share s of all calls → s/(1−s) per problem call
            per_call = share / (1.0 - share)
            demand = model.lifecycle.demand
            if demand is not None:  # a shock (an epidemic) brings more questions per call
                per_call *= demand.consultations(int(model.now // HOURS_PER_DAY))
            for _ in range(int(self.rng.poisson(per_call))):
                model.unit(self.centre_key).work_on(
                    None, self.params.consultation_minutes / 60.0, CALL_PRIORITY,
                    self._consultation_answered, "hotline_consultation", _no_response)
        return self.centre_key

    def _consultation_answered(self, task) -> None:
        """咨询: answered on the call and closed, resolved."""
        self.consultations += 1
        self.consultation_log.append((task.t_submit, task.unit.model.now))

    def route(self, case, at, model):
        if at != self.centre_key or case.id not in self._awaiting_call:
            return None
        self._awaiting_call.discard(case.id)
        model.unit(self.centre_key).work_on(case, self.params.call_minutes / 60.0, CALL_PRIORITY,
                                      self._call_taken, "hotline_call", _no_response)
        return Wait()

    def _call_taken(self, task) -> None:
        case = task.case
        model = task.unit.model
        case.staff_hours += task.effort
        self.dispatch(case, model, "hotline_dispatch")

    def dispatch_target(self, case, model):
        """Classic 12345: the first responsible department (the rest are coordinated as the
        arrangement does).  直派街乡: the street of the location, or its community."""
        if not self.params.direct_dispatch and case.remaining_departments:
            return ("department", model.arrangement.next_department(case))
        if model.has_street_layer:
            return ("street_office", case.street)
        return ("community_office", case.community)

    def dispatch(self, case, model, reason: str) -> None:
        model.lifecycle.apply(case, self.centre_key,
                              Refer(self.dispatch_target(case, model), self.params.dispatch_delay_h, reason))
        self._schedule_deadline(case, model)

    def on_arrival(self, case, unit_key, reason, model) -> None:
        """签收: the unit an order is dispatched to signs for it and calls the resident back
        (联系诉求人, its first response) — queued as a short task of its own, at the priority
        the unit gives the case, while the case goes on as the arrangement routes it."""
        if reason != "hotline_dispatch" or self.params.contact_minutes <= 0:
            return
        life = model.lifecycle
        if unit_key[0] == "department":
            dept = model.departments[unit_key[1]]
            unit = model.arrangement.acting_unit(case, unit_key[1], model)
            priority = dept.priority_for(case) + life.priority_bonus(case, unit_key)
        else:
            unit = model.unit(unit_key)
            priority = 1.0 + case.priority_boost + life.priority_bonus(case, unit_key)
        unit.work_on(case, self.params.contact_minutes / 60.0, priority, self._contacted, "hotline_contact")

    @staticmethod
    def _contacted(task) -> None:
        task.case.staff_hours += task.effort

    def _schedule_deadline(self, case, model) -> None:
        due = model.now + self.params.resolution_deadline_days * HOURS_PER_DAY
        model.events.schedule(due, self._deadline, case, model)

    # ------------------------------------------------------------ deadlines, pressure
    def _deadline(self, case, model) -> None:
        """The resolution deadline: tally the case for the month; under pressure, a case still
        open is closed on paper (a hard case the unit cannot finish in time)."""
        p = self.params
        unit = self.appraised_unit(case, model)
        if case.status == OPEN:
            prob = min(1.0, p.paper_close_rate * p.appraisal_weight * self.pressure.get(unit, 0.0))
            if prob > 0 and self.rng.random() < prob:
                self.paper_closings.append((case.id, model.now))
                model.lifecycle.close(case, resolved=False)
        responded = case.t_first_response - case.t_reported <= p.response_deadline_h
        for tally in (self._tally[unit], self._totals):
            tally.due += 1
            tally.responded += bool(responded)
            tally.closed += case.status != OPEN  # the ledger cannot tell paper from real

    def priority_bonus(self, case, unit_key, model) -> float:
        """The appraisal puts hotline cases first at the street's own units (块)."""
        if case.channel != "hotline" or unit_key[0] not in BLOCK_ROLES:
            return 0.0
        p = self.params
        return p.priority_boost * p.appraisal_weight * (1.0 + self.pressure.get(self.appraised_unit(case, model), 0.0))

    # ------------------------------------------------------------ closing, audits
    def on_close(self, case, model) -> None:
        if case.channel != "hotline":
            return
        audited = self.params.audit_rate > 0 and self.rng.random() < self.params.audit_rate
        self.closings.append((case.id, model.now, case.status == CLOSED_ON_PAPER, audited))
        if audited:
            model.events.schedule(model.now + self.params.audit_delay_days * HOURS_PER_DAY,
                                  self._audit, case, model)

    def on_rated(self, case, model) -> None:
        """满意率: every rating of a hotline request — on closing, or while it is still open
        past the caller's patience — counts in the month it is given."""
        if case.channel != "hotline":
            return
        ok = case.satisfaction >= model.resident_spec.satisfied_threshold
        for tally in (self._tally[self.appraised_unit(case, model)], self._totals):
            tally.rated += 1
            tally.satisfied += ok

    def _audit(self, case, model) -> None:
        """回访核查: a case closed on paper is found out, counted against the street, reopened."""
        self.audited += 1
        trail = model.lifecycle.trail
        if trail is not None:
            trail.append((case.id, model.now, "audited", self.centre_key,
                          case.status == CLOSED_ON_PAPER))
        if case.status != CLOSED_ON_PAPER:
            return
        self.caught.append((case.id, model.now))
        for tally in (self._tally[self.appraised_unit(case, model)], self._totals):
            tally.caught += 1
        if model.lifecycle.reopen(case, self.dispatch_target(case, model), "audit_reopen"):
            self._schedule_deadline(case, model)

    # ------------------------------------------------------------ monthly 三率 appraisal
    def on_month(self, model, month: int) -> None:
        rows = self.month_rows(month)
        if not self.ranked_elsewhere:
            rank_units(rows, self.params, self.pressure)
        self.appraisals.extend(rows)  # a city split into districts fills rank and pressure later
        self._tally.clear()

    def month_rows(self, month: int) -> list[dict]:
        """The month's 三率 of every appraised unit (one row each, not yet ranked)."""
        rows = []
        for unit in range(self.n_units):
            t = self._tally.get(unit, _Tally())
            rates = _rates(t)
            scored = [r for r in rates if r == r]
            score = float(np.mean(scored)) if scored else math.nan
            rows.append({"month": month, "unit": unit, "due": t.due, "response_rate": rates[0],
                         "solution_rate": rates[1], "satisfaction_rate": rates[2], "score": score})
        return rows

    def take_ranking(self, rows: list[dict], ranked: list[dict]) -> None:
        """Rank and pressure of this model's ``rows`` from a ranking made elsewhere (the city's)."""
        for row, other in zip(rows, ranked, strict=True):
            row["rank"], row["pressure"] = other["rank"], other["pressure"]
            self.pressure[row["unit"]] = other["pressure"]

    def appraisals_frame(self) -> pd.DataFrame:
        """The monthly 三率 appraisal: one row per month and appraised unit."""
        return pd.DataFrame(self.appraisals, columns=[
            "month", "unit", "due", "response_rate", "solution_rate", "satisfaction_rate", "score",
            "rank", "pressure"])

    def on_warmup_end(self, model) -> None:
        """Counts for the summary start after the warm-up (the monthly appraisals go on)."""
        self.calls = self.consultations = self.audited = 0
        self.paper_closings.clear()
        self.caught.clear()
        self._totals = _Tally()
        self._appraisals_from = len(self.appraisals)

    def summary(self, model) -> dict[str, float]:
        return hotline_summary([self.summary_parts(model)])

    @classmethod
    def merge_summaries(cls, parts: list[dict]) -> dict[str, float]:
        return hotline_summary(parts)

    def summary_parts(self, model) -> dict:
        """The counts and appraisal rows the summary is made of; :func:`hotline_summary` of
        several models' parts is the summary of their union (a city run as districts)."""
        start = model.warmup_days * HOURS_PER_DAY
        resident_reports = sum(1 for c in model.cases
                               if c.found_by == FOUND_BY_RESIDENT and c.t_created >= start)
        return {"calls": self.calls, "consultations": self.consultations, "resident_reports": resident_reports,
                "totals": self._totals, "appraisals": self.appraisals[getattr(self, "_appraisals_from", 0):],
                "paper_closings": len(self.paper_closings), "audited": self.audited,
                "caught": len(self.caught), "n_units": self.n_units}


def rank_units(rows: list[dict], params: HotlineParams, pressure: dict) -> None:
    """The monthly ranking: rank the scored rows (best score first, ties in row order), set each
    ranked unit's pressure in ``pressure`` from its shortfall and rank, and give every row its
    ``rank`` (NaN when unscored) and ``pressure`` (an unscored unit keeps the one it had)."""
    ranked = sorted((r for r in rows if r["score"] == r["score"]), key=lambda r: -r["score"])
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
        q = (rank - 1) / (len(ranked) - 1) if len(ranked) > 1 else 0.0
        shortfall = max(0.0, params.target_score - row["score"]) / params.target_score
        pressure[row["unit"]] = min(1.0, shortfall + params.rank_weight * q)
    for row in rows:
        row.setdefault("rank", math.nan)
        row["pressure"] = pressure[row["unit"]]


def hotline_summary(parts: list[dict]) -> dict[str, float]:
    """The hotline's summary columns from the :meth:`Hotline.summary_parts` of one or more
    models: counts add up, the 三率 are those of the summed tallies, the score and pressure
    means are over every appraisal row (one per unit and month)."""
    totals = _Tally()
    for part in parts:
        for name in ("due", "responded", "closed", "caught", "rated", "satisfied"):
            setattr(totals, name, getattr(totals, name) + getattr(part["totals"], name))
    calls = sum(p["calls"] for p in parts)
    resident_reports = sum(p["resident_reports"] for p in parts)
    rates = _rates(totals)
    appraisals = [r for p in parts for r in p["appraisals"]]
    scores = [r["score"] for r in appraisals if r["score"] == r["score"]]
    return {
        "hotline_calls": calls,
        "hotline_consultations": sum(p["consultations"] for p in parts),
        "hotline_share_of_reports": calls / resident_reports if resident_reports else math.nan,
        "hotline_response_rate": rates[0],
        "hotline_solution_rate": rates[1],
        "hotline_satisfaction_rate": rates[2],
        "hotline_score_mean": float(np.mean(scores)) if scores else math.nan,
        "hotline_pressure_mean": float(np.mean([r["pressure"] for r in appraisals]))
        if appraisals else math.nan,
        "cases_closed_on_paper_hotline": sum(p["paper_closings"] for p in parts),
        "audits": sum(p["audited"] for p in parts),
        "audits_caught": sum(p["caught"] for p in parts),
    }


def _rates(t: _Tally) -> tuple[float, float, float]:
    """响应率, 解决率 (closed by the deadline, minus paper closings caught), 满意率."""
    if not t.due:
        resp = solved = math.nan
    else:
        resp = t.responded / t.due
        solved = min(1.0, max(0.0, (t.closed - t.caught) / t.due))
    sat = t.satisfied / t.rated if t.rated else math.nan
    return resp, solved, sat
