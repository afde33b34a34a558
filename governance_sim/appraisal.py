"""考核 — appraisal as the engine of attention (考核指挥棒).

Every appraised unit keeps a :class:`Scorecard`: named appraisers with
weights from the scenario, the marks they give during the month, and the
priority the unit gives each stream of its work.  At the end of each month
the unit re-weights its streams toward what its scorecard rewards, with
inertia (docs/model.md, "Appraisal"):

    pressure(k) = Σ_a  w_a · (1 − mean mark of appraiser a on stream k this month)
    target(k)   = base(k) + scale(k) · pressure(k)
    priority(k) ← inertia · priority(k) + (1 − inertia) · target(k)

An appraiser with weight 0 adds nothing; a stream nobody marked drifts back
to its base.  The appraisers:

* ``line_ministry`` — the department's own ministry: vertical tasks done on time;
* ``reverse_assessment`` — the street rates each action, return and no-show
  (反向考核, seed 001), and 街巷长 rate the departments serving their lanes (seed 000);
* ``supervision`` — district 督办 of a summons missed ``summons_misses_to_supervision`` times;
* ``veto`` — 一票否决: an eruption in the unit's field, or a petition (信访) about a
  case it was needed for;
* ``street_rating`` — the street's and residents' monthly rating of a 街巷长 (seed 000);
* ``inspection`` — 检查评比: the district's inspections mark an office's ledgers (留痕)
  against the hours they ask for (seed 000: 检查评比多、会议台账多);
* ``residents`` — residents' ratings of the cases in an office's area (seed 002: 每月集体评议,
  群众满意度测评), weight 0 unless the scenario gives residents a say;
* ``hotline`` — the 12345 三率 ranking of the street (``overlays.hotline.appraisal_weight``,
  docs/overlays.md): its pressure also raises the priority of hotline orders.

An office has two streams, its ledgers and its residents' cases, and one choice:
how many of each workday's hours it keeps for ledgers (:func:`ledger_hours`).

The same scorecards set the odds of two choices: a department's return of a
case (推诿, :func:`return_probability`) and an office's cover-up of a hazard
(不出事, :func:`hide_probability`); a grid worker's padding of a report quota
(:func:`padding_probability`) weighs an appraisal against an audit the same way.
"""

from __future__ import annotations

import math

from governance_sim.engine import HOURS_PER_DAY

APPRAISAL_YEAR_DAYS = 365.0  # the year-end appraisal (年终考核, seed 001) is the horizon of a veto
MONTH_H = 30 * HOURS_PER_DAY
RATING_SPAN = 4.0  # a rating falls to 0 at this many deadlines late (as the street's rating of an action)


class Scorecard:
    """The appraisal of one unit: appraisers' weights, this month's marks, priority per stream."""

    __slots__ = ("weights", "base", "scale", "priority", "_marks", "history")

    def __init__(self, weights: dict[str, float], base: dict, scale: float | dict):
        self.weights = {a: float(w) for a, w in weights.items()}
        self.base = dict(base)
        self.scale = scale if isinstance(scale, dict) else dict.fromkeys(base, float(scale))
        self.priority = dict(base)
        self._marks: dict[tuple, list[float]] = {}
        self.history: list[tuple[int, dict]] = []  # (month, priorities after the re-weighting)

    def mark(self, appraiser: str, stream, score: float) -> None:
        """Appraiser ``appraiser`` gives ``score`` in [0, 1] on ``stream`` (1 = full marks)."""
        cell = self._marks.get((appraiser, stream))
        if cell is None:
            self._marks[(appraiser, stream)] = [score, 1.0]
        else:
            cell[0] += score
            cell[1] += 1.0

    def shortfall(self, appraiser: str, stream) -> float:
        """1 − the mean mark this month (0 when the appraiser gave no mark)."""
        cell = self._marks.get((appraiser, stream))
        return 1.0 - cell[0] / cell[1] if cell else 0.0

    def pressure(self, stream) -> float:
        return sum(w * self.shortfall(a, stream) for a, w in self.weights.items() if w > 0)

    def share(self, appraiser: str) -> float:
        """``appraiser``'s share of the total weight (0 with no weights)."""
        total = sum(self.weights.values())
        return self.weights.get(appraiser, 0.0) / total if total > 0 else 0.0

    def reweight(self, inertia: float, month: int = 0) -> dict:
        """Move every stream's priority toward its target; clear the marks; return the changes."""
        deltas = {}
        for stream, base in self.base.items():
            target = base + self.scale[stream] * self.pressure(stream)
            old = self.priority[stream]
            new = inertia * old + (1.0 - inertia) * target
            self.priority[stream] = new
            deltas[stream] = new - old
        self._marks.clear()
        self.history.append((month, dict(self.priority)))
        return deltas


# ------------------------------------------------------------------ choices


def return_probability(p_max: float, ambiguity: float, workforce, return_cost: float) -> float:
    """P(a unit returns a case as "not ours", 推诿).

    ``p_max × ambiguity × load × (1 − return_cost)``: ``ambiguity`` of the duty (三张清单),
    ``load = q / (q + 1)`` with ``q`` the tasks waiting or in hand per staff member, this
    case included, and
    ``return_cost`` the share of the unit's appraisal held by appraisers who rate returns.
    """
    if ambiguity <= 0.0 or p_max <= 0.0:
        return 0.0
    staff = workforce.staff
    q = (workforce.backlog + 1) / staff if staff > 0 else 1e9
    return p_max * ambiguity * (q / (q + 1.0)) * (1.0 - return_cost)


def hide_probability(veto_weight: float, fix_days: float, erupt_days: float, trace_prob: float) -> float:
    """P(an office hides a latent hazard it learns of, 不出事).

    Reporting makes the hazard the office's problem: a veto if it erupts before it is
    fixed, ``p_wrong = 1 − exp(−fix_days / erupt_days)`` with the fix time the office
    expects.  Hiding risks a veto only if it erupts within the appraisal year
    (``p_erupt``) *and* is traced back; each cadre's sense of that chance is uniform on
    ``[0, 2·trace_prob]``.  So the office hides when ``p_wrong > p_erupt × traced``:
    with probability ``min(1, p_wrong / (2 · p_erupt · trace_prob))``.  Without a veto
    (weight 0) there is nothing to hide from.
    """
    if veto_weight <= 0.0:
        return 0.0
    p_wrong = 1.0 - math.exp(-fix_days / erupt_days)
    p_erupt = 1.0 - math.exp(-APPRAISAL_YEAR_DAYS / erupt_days)
    if trace_prob <= 0.0 or p_erupt <= 0.0:
        return 1.0 if p_wrong > 0.0 else 0.0
    return min(1.0, p_wrong / (2.0 * p_erupt * trace_prob))


def padding_probability(quota_weight: float, shortfall: float, quota: float, audit_rate: float,
                        audit_penalty: float) -> float:
    """P(a grid worker short of its report quota pads the shortfall with trivial reports, 凑数).

    Not padding loses the quota's mark on the appraisal: ``quota_weight × shortfall / quota``.
    Padding ``n`` reports risks being caught by an audit (核查) that checks each report with
    probability ``a``: an expected ``audit_penalty × (1 − (1 − a)^n)``.  The gain is linear in
    ``n`` and the risk concave, so a worker pads the whole shortfall or nothing; it pads when
    ``a < a* = 1 − (1 − quota_weight·shortfall / (quota·audit_penalty))^(1/shortfall)``.  Each
    worker's sense of ``a`` is uniform on ``[0, 2·audit_rate]`` (as a cadre's sense of tracing
    in :func:`hide_probability`), so the worker pads with probability ``min(1, a* / (2·audit_rate))``.
    Without a quota, a shortfall or a weight there is nothing to pad for.
    """
    if quota <= 0.0 or shortfall <= 0.0 or quota_weight <= 0.0:
        return 0.0
    stake = quota_weight * min(shortfall, quota) / quota
    if audit_penalty <= 0.0 or stake >= audit_penalty or audit_rate <= 0.0:
        return 1.0
    n = max(shortfall, 1.0)
    a_star = 1.0 - (1.0 - stake / audit_penalty) ** (1.0 / n)
    return min(1.0, a_star / (2.0 * audit_rate))


def ledger_hours(demand_h: float, kept_h: float, ledger_pressure: float, case_pressure: float,
                 sensitivity: float, inertia: float) -> float:
    """Hours of ledgers (台账, 留痕) per staff member per workday an office keeps next month.

    The inspections ask for ``demand_h``; the office moves toward keeping them in full, less
    what its residents' and the hotline's shortfall (``case_pressure``) outweighs the
    inspections' (``ledger_pressure``)::

        target = demand_h · clip(1 + sensitivity · (ledger_pressure − case_pressure), 0, 1)
        kept  ← kept + (1 − inertia) · (target − kept)

    Ledgers beyond the demand earn no marks, so the target never exceeds it; an office nobody
    but the inspections appraises keeps exactly ``demand_h``.
    """
    if demand_h <= 0.0:
        return 0.0
    target = demand_h * min(1.0, max(0.0, 1.0 + sensitivity * (ledger_pressure - case_pressure)))
    return kept_h + (1.0 - inertia) * (target - kept_h)


def ambiguity_of(departments: list[str], duty_holders: list[str] | None, lists_published: bool) -> float:
    """How unclear a category's duty is: ``1 − 1/n`` for ``n`` units that could hold it.

    With the three lists published and the category on them, ``n`` is the number of
    units the list names (one → 0, two overlapping → 0.5).  Otherwise every required
    department and the street (属地, which holds what nobody else does) may be said to hold
    it: ``n`` = departments + 1.
    """
    n = len(set(duty_holders)) if lists_published and duty_holders else len(departments) + 1
    return 1.0 - 1.0 / n


# ------------------------------------------------------------------ the district's appraisal


class Appraisal:
    """Scorecards of the model's units and the records they are marked on.

    Built after the arrangement and overlays have set up their units.  The lifecycle
    calls :meth:`summoned`, :meth:`arrived`, :meth:`on_close`, :meth:`on_eruption`;
    the model calls :meth:`on_month` at the end of every 30 days.
    """

    def __init__(self, model):
        self.model = model
        sc = model.scenario
        dept_spec = sc.roles.department
        self.inertia = dept_spec.attention_inertia
        self.sensitivity = dept_spec.attention_sensitivity
        self.misses_to_supervision = getattr(sc.arrangement, "summons_misses_to_supervision", 0)
        # the deadline a chief rates departments' arrivals against (the street's, where it has one)
        self.arrival_deadline_h = getattr(sc.arrangement, "report_deadline_hours", 24.0)
        self.counters = dict.fromkeys(
            ("summons", "summons_on_time", "summons_late", "summons_missed", "supervision_orders",
             "vetoes", "coverups_traced"), 0)
        w_rev = sc.arrangement.reverse_assessment_weight
        weights = {"line_ministry": dept_spec.line_ministry_weight, "reverse_assessment": w_rev,
                   "supervision": dept_spec.supervision_weight, "veto": dept_spec.veto_weight}
        n_streets = max(len(model.territory.streets), 1)
        for dept in model.departments:
            base = {"vertical": dept.vertical_priority, "hazard": 0.0, "petition": 0.0}
            base.update({("local", s): 0.0 for s in range(n_streets)})
            dept.scorecard = Scorecard(weights, base, self.sensitivity)
            dept.return_cost = dept.scorecard.share("reverse_assessment")
        # staff sent down (下沉) answer to their home department's appraisal, unless the street
        # can command them: then the street holds their appraisal (seed 004: 区党工委拥有对下沉干部的
        # 年度考核定档) and the line ministry's weight passes to it
        commanded = model.arrangement.summoning_power
        for pool in getattr(model.arrangement, "seconded", {}).values():
            if commanded:
                pool.scorecard = Scorecard({**weights, "line_ministry": 0.0,
                                            "reverse_assessment": w_rev + weights["line_ministry"]}, {}, 0.0)
            else:
                pool.scorecard = pool.home.scorecard
            pool.return_cost = pool.scorecard.share("reverse_assessment")
        # 街巷长: who covers which grid, and their own scorecards (patrol effort)
        self.chief_of_grid: dict[int, object] = {}
        chief_spec = sc.roles.street_chief
        for chief in model.street_chiefs:
            for g in chief.grids(model.territory):
                self.chief_of_grid.setdefault(g, chief)
            chief.scorecard = Scorecard({"street_rating": chief_spec.rating_weight},
                                        {"patrol": chief.base_patrol_h},
                                        {"patrol": chief.base_patrol_h * self.sensitivity})
        self._office_scorecards(model)
        t = model.territory
        self.community_households = []
        for comm in t.communities:
            first = int(model.grid_first_household[comm.grids[0]])
            last = int(model.grid_first_household[comm.grids[-1]] + t.grids[comm.grids[-1]].households)
            self.community_households.append((first, last))

    def _office_scorecards(self, model) -> None:
        """Offices' scorecards: the inspections' weight on their ledgers, the residents' and any
        overlay's (the 12345 三率) on their cases; the ledger hours they keep start at the demand."""
        self.office_appraisers = [a for a in (o.office_appraisal(model) for o in model.overlays) if a]
        self.offices = [*model.street_offices, *model.community_offices, *model.district_centers]
        for office in self.offices:
            weights = {"inspection": office.inspection_weight, "residents": office.resident_rating_weight}
            for role, weight, _ in self.office_appraisers:
                if office.role == role:
                    weights["hotline"] = weights.get("hotline", 0.0) + weight
            office.scorecard = Scorecard(weights, {}, 0.0)
            office.scorecard.priority["ledger"] = office.routine_h.get("paperwork", 0.0)
        self.rated_by_residents = {
            role: any(o.resident_rating_weight > 0 for o in offices)
            for role, offices in (("community_office", model.community_offices),
                                  ("street_office", model.street_offices))}

    def rated(self, case, rating: float) -> None:
        """A resident's rating marks the offices of the case's community and street, where
        residents have a say in their appraisal."""
        m = self.model
        if self.rated_by_residents["community_office"] and case.community >= 0:
            m.community_offices[case.community].scorecard.mark("residents", "cases", float(rating))
        if self.rated_by_residents["street_office"] and case.street >= 0:
            m.street_offices[case.street].scorecard.mark("residents", "cases", float(rating))

    def _reweight_offices(self, month: int) -> None:
        """Each office marks its month on its streams and sets next month's ledger hours."""
        m = self.model
        for role, _, pressure in self.office_appraisers:
            for index, p in pressure.items():
                office = m.units.get((role, index))
                if office is not None:
                    office.scorecard.mark("hotline", "cases", 1.0 - p)
        for office in self.offices:
            card = office.scorecard
            kept = card.priority["ledger"]
            demand = office.ledger_demand_h
            if demand > 0.0:
                card.mark("inspection", "ledger", min(1.0, kept / demand))
            new = ledger_hours(demand, kept, card.pressure("ledger"), card.pressure("cases"),
                               self.sensitivity, self.inertia)
            card.priority["ledger"] = new
            card.reweight(self.inertia, month)  # no base streams: clears the marks, keeps the history
            office.set_routine("paperwork", new)

    # -------------------------------------------------------------- summonses (吹哨报到)
    def summoned(self, case, department: int, deadline_h: float) -> None:
        """A formal summons reaches ``department``: it must be on site within ``deadline_h``."""
        now = self.model.events.now
        if case.summons is None:
            case.summons = {}
        case.summons[department] = (now, deadline_h, 0)
        self.counters["summons"] += 1
        self.model.events.schedule(now + deadline_h, self._deadline_passes, case, department, now)

    def arrived(self, case, department: int, now: float) -> None:
        """The department's staff are on site: on time or late."""
        record = case.summons.pop(department, None)
        if record is None:
            return
        summoned, deadline, _ = record
        self.counters["summons_on_time" if now - summoned <= deadline else "summons_late"] += 1

    def _deadline_passes(self, case, department: int, summoned: float) -> None:
        """Not on site by the deadline: a miss the street rates 0; the street calls again,
        and after ``summons_misses_to_supervision`` misses it asks the district for 督办."""
        record = case.summons.get(department) if case.summons else None
        if record is None or record[0] != summoned or case.status != "open":
            return
        m = self.model
        _, deadline, misses = record
        misses += 1
        case.summons[department] = (summoned, deadline, misses)
        self.counters["summons_missed"] += 1
        dept = m.departments[department]
        street = case.street if case.street >= 0 else 0
        dept.receive_rating(street, m.events.now, 0.0)
        if 0 < self.misses_to_supervision <= misses:
            self.counters["supervision_orders"] += 1
            dept.scorecard.mark("supervision", ("local", street), 0.0)
            return
        m.events.schedule(m.events.now + deadline, self._deadline_passes, case, department, summoned)

    def summons_summary(self) -> dict[str, float]:
        return summons_summary_of(self.counters)

    # -------------------------------------------------------------- cases closing, hazards erupting
    def on_close(self, case) -> None:
        """The coordinator learns how long departments take to really fix what it sends them."""
        if case.t_dispatched != case.t_dispatched or not case.departments or case.hidden_by:
            return
        m = self.model
        unit = m.units[m.arrangement.coordinator(case, m)]
        rate = unit.fix_time_learning
        if rate <= 0.0:
            return
        days = ((case.t_closed - case.t_dispatched) / HOURS_PER_DAY if case.status == "resolved"
                else APPRAISAL_YEAR_DAYS)  # closed but not fixed: a reported hazard would still erupt
        if unit.fix_days is None:
            unit.fix_days = m.arrangement.expected_fix_days(case, m)
        unit.fix_days += rate * (days - unit.fix_days)

    def on_eruption(self, case) -> None:
        """An eruption costs the community trust and puts a veto on the units answerable for it:
        the departments of its field, the office that had it on its books, and — if traced —
        the office that hid it."""
        m = self.model
        cat = m.categories[case.category]
        if cat.eruption_trust_loss > 0:
            first, last = self.community_households[case.community]
            m.population.trust[first:last] *= 1.0 - cat.eruption_trust_loss
        for d in case.departments:
            m.departments[d].scorecard.mark("veto", "hazard", 0.0)
            self.counters["vetoes"] += 1
        answerable = None
        if case.hidden_by is not None:
            if m.random.random() < m.arrangement.params.trace_prob:
                answerable = case.hidden_by
                self.counters["coverups_traced"] += 1
        elif case.in_process:
            answerable = m.arrangement.coordinator(case, m)
        if answerable is not None:
            unit = m.unit(answerable)
            unit.vetoes = getattr(unit, "vetoes", 0) + 1
            self.counters["vetoes"] += 1

    def petitioned(self, case) -> None:
        """A petition (信访) goes over the street's head: a veto item for the departments the
        case needs (their petition priority rises) and for the office coordinating it."""
        m = self.model
        for d in case.departments:
            m.departments[d].scorecard.mark("veto", "petition", 0.0)
            self.counters["vetoes"] += 1
        unit = m.unit(m.arrangement.coordinator(case, m))
        unit.vetoes = getattr(unit, "vetoes", 0) + 1
        self.counters["vetoes"] += 1

    # -------------------------------------------------------------- 街巷长
    def chief_saw(self, case, chief) -> None:
        chief.found += 1

    def resident_reported(self, case) -> None:
        """A resident reported a visible problem in a chief's lanes before any patrol saw it."""
        chief = self.chief_of_grid.get(case.grid)
        if chief is not None and not case.latent and self.model.categories[case.category].patrol_visible:
            chief.missed += 1

    def department_served(self, case, department: int, now: float) -> None:
        chief = self.chief_of_grid.get(case.grid)
        if chief is None:
            return
        deadline = self.arrival_deadline_h
        late = now - case.received_at(department, now) - deadline
        chief.served.append((department, 1.0 if late <= 0.0 else max(0.0, 1.0 - late / (RATING_SPAN * deadline))))

    def chief_closed(self, case) -> None:
        chief = self.chief_of_grid.get(case.grid)
        if chief is not None:
            chief.closed.append(case)

    def _rate_chiefs(self, month: int) -> None:
        """月评 (seed 000): each chief rates the departments that served his lanes, and the street
        (problems his patrols found before residents had to report them) and residents (their
        ratings of cases in his lanes) rate him; his patrol effort follows his rating."""
        m = self.model
        now = m.events.now
        for chief in m.street_chiefs:
            by_dept: dict[int, list[float]] = {}
            for d, rating in chief.served:
                by_dept.setdefault(d, []).append(rating)
            for d, ratings in sorted(by_dept.items()):
                rating = sum(ratings) / len(ratings)
                chief.ratings_given.append((month, d, rating))
                m.departments[d].receive_rating(chief.street, now, rating)
            seen = chief.found + chief.missed
            if seen:
                chief.scorecard.mark("street_rating", "patrol", chief.found / seen)
            rated = [c.satisfaction for c in chief.closed if c.satisfaction == c.satisfaction]
            if rated:
                chief.scorecard.mark("street_rating", "patrol", sum(rated) / len(rated))
            chief.ratings_received.append((month, 1.0 - chief.scorecard.shortfall("street_rating", "patrol")))
            chief.scorecard.reweight(self.inertia, month)
            chief.set_patrol_hours(chief.scorecard.priority["patrol"])
            chief.served.clear()
            chief.closed.clear()
            chief.found = chief.missed = 0

    # -------------------------------------------------------------- the month
    def on_month(self, month: int) -> None:
        """Re-weight every unit's priorities; waiting work moves with them."""
        m = self.model
        self._rate_chiefs(month)  # chiefs' ratings of departments count in this month's appraisal
        self._reweight_offices(month)
        for dept in m.departments:
            dept.mark_vertical_month()
            deltas = dept.scorecard.reweight(self.inertia, month)
            dept.apply_priorities()
            units = [dept]
            pool = getattr(m.arrangement, "seconded", {}).get(dept.index)
            if pool is not None:
                units.append(pool)
            for unit in units:
                unit.workforce.shift_priorities(_shift_of(deltas))


def _shift_of(deltas: dict):
    """The change of a waiting task's priority, given the streams' changes."""
    vertical = deltas.get("vertical", 0.0)
    hazard = deltas.get("hazard", 0.0)
    petition = deltas.get("petition", 0.0)

    def shift(task) -> float:
        case = task.case
        if case is None:
            return vertical if task.activity == "vertical" else 0.0
        street = case.street if case.street >= 0 else 0
        return (deltas.get(("local", street), 0.0) + (hazard if case.latent else 0.0)
                + (petition if case.petition else 0.0))
    return shift


def summons_summary_of(counters: dict[str, int]) -> dict[str, float]:
    """The summons columns of the summary from the appraisal's counters (or their sums)."""
    n = counters["summons"]
    return {"summons_on_time_share": counters["summons_on_time"] / n if n else math.nan,
            "summons_no_shows": n - counters["summons_on_time"] - counters["summons_late"]}
