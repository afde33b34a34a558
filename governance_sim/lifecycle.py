"""The life of a case (MODEL.md §4): emergence, discovery, intake, routing,
handling, closing and rating, plus latent problems that erupt.

:class:`CaseLifecycle` carries out the arrangement's decisions on the
model's event queue.  Each method is one step of the story and schedules
the next; the arrangement and overlays decide *where* a case goes, this
module decides *when* and records what happened.
"""

from __future__ import annotations

import math
from sys import intern

import numpy as np

from governance_sim.agents.residents import Resident, channel_indices, report_probabilities
from governance_sim.arrangements.base import Coordinate, CoverUp, Handle, Refer, Summon, Wait
from governance_sim.cases import (
    CHANNELS,
    CLOSED_ON_PAPER,
    FOUND_BY_ERUPTION,
    FOUND_BY_PATROL,
    FOUND_BY_RESIDENT,
    OPEN,
    RESOLVED,
    Case,
    untrack_record,
)
from governance_sim.demand import demand_profile
from governance_sim.engine import HOURS_PER_DAY
from governance_sim.overlays.base import Overlay

SEVERITY_EFFORT = (1.0, 1.6, 2.5)  # assumption: effort multiplier by severity 1–3


class CaseLifecycle:
    def __init__(self, model):
        self.model = model
        self.events = model.events
        self.rng = model.rng  # numpy: vector draws
        self.random = model.random  # stdlib: fast scalar draws (both seeded from the run seed)
        self.cal = model.calendar
        # seasons, weekdays, holidays, shocks: None when the scenario sets none (rates unchanged)
        self.demand = demand_profile(model.scenario, [c.name for c in model.categories])
        # steps the case record does not time, as (case id, t, activity, unit key, detail);
        # a list only when an event log is asked for (eventlog.record), else nothing is kept
        self.trail: list | None = None
        # overlays that act when a case reaches a unit (e.g. 12345's call back on signing an order)
        self.arrival_overlays = _overriding(model.overlays, "on_arrival")
        # overlays that take over intake or routing, add priority, or speed hand-offs up: asked in
        # their order; the others answer with the base class's neutral default, so they are skipped
        self.intake_overlays = _overriding(model.overlays, "intake")
        self.routing_overlays = _overriding(model.overlays, "route")
        self.priority_overlays = _overriding(model.overlays, "priority_bonus")
        self.handoff_overlays = _overriding(model.overlays, "handoff_arrival")
        self._labels: dict = {}  # unit key → its one interned label ("department:3")
        # each category's severity CDF as an array (searched each day; a tuple is converted each time)
        self._severity_cdf = [np.asarray(c.severity_cdf) for c in model.categories]
        # per category, who meets its problems when household groups differ (groups.py); else None
        self.pickers: list | None = None
        # the steps events call, bound once: a bound method made per event would be one more
        # object to allocate and free for each of a run's events
        self._arrive = self.arrive
        self._accept = self.accept
        self._resident_report = self.resident_report
        self._patience_runs_out = self.patience_runs_out
        self._patrol_sees_cb = self._patrol_sees
        # … and the steps finished work calls
        self.work_started = self.on_work_started
        self._handled_cb = self._handled
        self._department_done_cb = self._department_done_task
        self._department_arrives_cb = self._department_arrives

    # ------------------------------------------------------------ 1. emergence
    def emerge_day(self, day: int) -> None:
        """Draw the day's new problems by category (Poisson), place them in grids by
        population, and decide for each whether and when it is reported."""
        m = self.model
        rng = self.rng
        t0 = day * HOURS_PER_DAY
        factors = self.demand.rates(day) if self.demand is not None else None
        pickers = self.pickers
        for cat in m.categories:
            if not cat.active(day):
                continue
            mean = cat.rate_per_person_day * m.population_size
            if factors is not None:
                mean *= factors[cat.index]
            pick = pickers[cat.index] if pickers is not None else None
            if pick is not None:
                mean *= pick.mean_factor
            n = rng.poisson(mean)
            if not n:
                continue
            hids_a = rng.integers(0, m.n_households, n) if pick is None else pick.draw(rng, n)
            # the arrays' own methods: numpy's module-level wrappers cost a few µs a call, and a
            # category's day draws only a handful of problems
            times_a = rng.random(n)
            times_a.sort()
            times = (t0 + times_a * HOURS_PER_DAY).tolist()
            sev_a = np.minimum(self._severity_cdf[cat.index].searchsorted(rng.random(n), side="right") + 1, 3)
            hids, sev = hids_a.tolist(), sev_a.tolist()  # lists: plain ints and floats
            emerge = self.emerge_case
            if cat.latent:  # nobody sees it; only 党员连心 pairing may surface it
                for k in range(n):
                    emerge(cat, hids[k], times[k], sev[k])
                continue
            channels, reports = self.decide_reports(hids_a, sev_a)
            m.counters["tolerated"] += n - sum(reports)
            for k in range(n):
                emerge(cat, hids[k], times[k], sev[k], reports[k], channels[k])

    def decide_reports(self, hids: np.ndarray, severities: np.ndarray) -> tuple[list[str], list[bool]]:
        """Each household's channel and whether the problem is worth reporting through it
        (induced demand, :func:`~governance_sim.agents.residents.report_probabilities`)."""
        m = self.model
        pop = m.population
        u = self.rng.random(len(hids))
        channels = None
        for overlay in m.overlays:  # e.g. hotline use that follows trust
            channels = overlay.choose_channels(hids, u, m)
            if channels is not None:
                break
        if channels is None:
            channels = channel_indices(pop, u, hids)
        p = report_probabilities(pop, hids, severities, channels)
        reports = (self.rng.random(len(hids)) < p).tolist()
        return [CHANNELS[k] for k in channels.tolist()], reports

    def emerge(self, cat, hid: int, t: float, severity: int) -> Case:
        """A problem arises for household ``hid``; the household decides whether to report."""
        return self.emerge_case(cat, hid, t, severity, report=True)

    def emerge_case(self, cat, hid: int, t: float, severity: int, report: bool = True,
                    channel: str | None = None) -> Case:
        """Record a new problem.  ``report=False``: nobody reports it; ``channel`` given: the
        household has decided to report through it; otherwise the household decides now."""
        m = self.model
        grid = int(m.population.grid[hid])
        community = m.community_of_grid[grid]
        street = m.street_of_community[community]
        # positional, in the record's order (id, category, grid, community, street, household,
        # severity, departments, latent, t_created): the commonest record a run makes
        case = Case(
            len(m.cases), cat.index, grid, community, street, hid, severity,
            # a city: the departments of the case's own district (and municipal ones)
            cat.departments if m.city is None else m.city.departments_of(street, cat.index),
            cat.latent, t,
        )
        m.cases.append(case)
        if untrack_record is not None:
            untrack_record(case)
        rng = self.random
        if cat.latent:
            case.t_erupt = t + rng.expovariate(1.0 / cat.erupt_days) * HOURS_PER_DAY
            self.events.schedule(case.t_erupt, self.erupt, case)
        if report:
            if cat.latent:
                # only a household paired with a party member (党员连心) may surface a hidden hazard
                will_report = (m.population.paired[hid]
                               and rng.random() < m.scenario.roles.party_branch.hidden_report_boost)
            elif channel is not None:
                will_report = True
            else:
                channel = self._choose_channel(case, rng.random())
                will_report = rng.random() < Resident.report_probability(
                    m.population, hid, severity, channel)
                m.counters["tolerated"] += not will_report
            if will_report:
                self.events.schedule(t + self.report_delay(), self._resident_report, case, channel)
        if cat.patrol_visible or cat.latent:
            m.undiscovered.setdefault(grid, []).append(case)
        return case

    def _choose_channel(self, case: Case, u: float) -> str:
        m = self.model
        for overlay in m.overlays:  # e.g. hotline use that follows trust
            channel = overlay.choose_channel(case, u, m)
            if channel is not None:
                return channel
        return Resident.choose_channel(m.population, u, case.household)

    def report_delay(self) -> float:
        mean = self.model.resident_spec.report_delay_h
        return self.random.expovariate(1.0 / mean) if mean > 0 else 0.0

    # ------------------------------------------------------------ 2. discovery
    def resident_report(self, case: Case, channel: str | None) -> None:
        if case.t_discovered == case.t_discovered:  # someone found it first
            return
        m = self.model
        now = self.events.now
        case.t_discovered = case.t_reported = now
        case.found_by = FOUND_BY_RESIDENT
        if channel is None:  # a repeat report: the household has already decided
            channel = self._choose_channel(case, self.random.random())
        m.population.reports[case.household] += 1
        # a Python float: a numpy scalar in the queue would make every comparison it meets slow
        self.events.schedule(now + float(m.population.patience[case.household]), self._patience_runs_out, case)
        self.submit(case, channel)

    def patrol_found(self, case: Case, t: float, unit_key) -> None:
        """A patrol (网格员 or 街巷长) will notice the problem at ``t`` unless a report comes first."""
        self.events.schedule(t, self._patrol_sees_cb, case, unit_key)

    def _patrol_sees(self, case: Case, unit_key) -> None:
        if case.t_discovered == case.t_discovered:
            return
        t = self.events.now
        case.t_discovered = case.t_reported = case.t_accepted = t
        case.found_by = FOUND_BY_PATROL
        case.channel = unit_key[0]
        case.in_process = True
        self.model.counters["reported"] += 1
        if self.trail is not None:
            self.trail.append((case.id, t, "accepted", unit_key, "patrol"))
        if unit_key[0] == "street_chief":
            self.model.unit(unit_key).found += 1
        self.arrive(case, unit_key, "patrol")

    def erupt(self, case: Case) -> None:
        """A latent problem nobody fixed erupts (an incident, as 5.14 in seed 001)."""
        if case.status == RESOLVED:
            return
        m = self.model
        case.eruption = True
        case.severity = 3
        m.counters["eruptions"] += 1
        m.appraisal.on_eruption(case)
        if case.in_process:
            case.priority_boost += 1.0
            return
        now = self.events.now
        coordinator = m.arrangement.coordinator(case, m)
        trail = self.trail
        if case.t_discovered != case.t_discovered:
            case.t_discovered = case.t_reported = case.t_accepted = now
            case.found_by = FOUND_BY_ERUPTION
            m.counters["reported"] += 1
            if trail is not None:
                trail.append((case.id, now, "accepted", coordinator, "eruption"))
        if case.status == CLOSED_ON_PAPER:  # a covered-up hazard comes back
            m.counters["closed_on_paper"] -= 1
            if trail is not None:
                trail.append((case.id, now, "reopened", coordinator, "eruption"))
        case.status = "open"
        case.t_closed = math.nan
        case.priority_boost += 1.0
        case.in_process = True
        case.escalations += 1
        self.arrive(case, coordinator, "eruption")

    def grow(self, case: Case) -> None:
        """A latent hazard grows one severity step per ``severity_growth_days`` of its age (up to 3)."""
        if case.severity0 == 0:
            case.severity0 = case.severity
        cat = self.model.categories[case.category]
        steps = int((self.events.now - case.t_created) / (cat.severity_growth_days * HOURS_PER_DAY))
        case.severity = min(3, case.severity0 + steps)

    # ------------------------------------------------------------ 3. intake
    def submit(self, case: Case, channel: str) -> None:
        m = self.model
        if channel not in m.channels:
            channel = "community"
        case.channel = channel
        case.in_process = True
        m.counters["reported"] += 1
        if channel == "petition":
            case.petition = True
            case.escalations += 1
            case.priority_boost += 0.5
        unit_key = self._intake(case, channel) if self.intake_overlays else m.arrangement.intake(case, channel, m)
        unit = m.unit(unit_key)
        delay = getattr(unit, "intake_delay_h", 0.0)
        t = self.cal.add_working_hours(self.events.now, delay)
        self.events.schedule(t, self._accept, case, unit_key)

    def accept(self, case: Case, unit_key) -> None:
        case.t_accepted = self.events.now
        if self.trail is not None:
            self.trail.append((case.id, case.t_accepted, "accepted", unit_key, case.channel))
        self.arrive(case, unit_key, None)

    # ------------------------------------------------------------ 4. routing
    def arrive(self, case: Case, unit_key, reason) -> None:
        """The case reaches a unit, which decides (through the arrangement) what to do."""
        case.holder = self._labels.get(unit_key) or self.label(unit_key)  # one copy per unit
        m = self.model
        if case.latent and not case.eruption:
            self.grow(case)
        if reason is None:  # a report just accepted at intake
            if case.petition:
                m.appraisal.petitioned(case)
            if m.appraisal.chief_of_grid:
                m.appraisal.resident_reported(case)
        for overlay in self.arrival_overlays:
            overlay.on_arrival(case, unit_key, reason, m)
        if unit_key[0] == "department":
            self.department_receives(case, unit_key[1], joint=False)
            return
        decision = self._route(case, unit_key) if self.routing_overlays else m.arrangement.route(case, unit_key, m)
        self.apply(case, unit_key, decision)

    def _intake(self, case: Case, channel: str):
        """The unit that takes a report in."""
        return self._first_answer(self.intake_overlays, "intake", case, channel)

    def _route(self, case: Case, unit_key):
        """What ``unit_key`` does with the case."""
        return self._first_answer(self.routing_overlays, "route", case, unit_key)

    def _first_answer(self, overlays: list, hook: str, case: Case, arg):
        """The first non-``None`` answer of ``overlays`` to ``hook``, else the arrangement's:
        overlays take over the cases they concern, the arrangement does the rest."""
        m = self.model
        for overlay in overlays:
            answer = getattr(overlay, hook)(case, arg, m)
            if answer is not None:
                return answer
        return getattr(m.arrangement, hook)(case, arg, m)

    def label(self, unit_key) -> str:
        """The unit's label as hand-offs and holders record it ("department:3"), one copy each."""
        label = self._labels.get(unit_key)
        if label is None:
            label = self._labels[unit_key] = intern(f"{unit_key[0]}:{unit_key[1]}")
        return label

    def apply(self, case: Case, at, decision) -> None:
        m = self.model
        now = self.events.now
        if isinstance(decision, Handle):
            self.handle(case, decision.unit, decision.effort_factor)
        elif isinstance(decision, Refer):
            labels = self._labels
            src = (labels.get(at) or self.label(at)) if at else "-"
            case.handoff(src, labels.get(decision.to) or self.label(decision.to), now, decision.reason)
            if decision.to[0] == "department" and case.t_dispatched != case.t_dispatched:
                case.t_dispatched = now
            if decision.reason == "escalate":
                case.escalations += 1
            t = self.cal.add_working_hours(now, decision.delay_h * m.coordination_delay_factor)
            for overlay in self.handoff_overlays:  # e.g. a joint meeting (联席会议) that takes it up sooner
                t = overlay.handoff_arrival(case, decision, now, t, m)
            self.events.schedule(t, self._arrive, case, decision.to, decision.reason)
        elif isinstance(decision, Summon):
            self.summon(case, at, decision)
        elif isinstance(decision, Coordinate):
            unit = m.unit(decision.unit)
            unit.work_on(case, decision.effort_h, 1.0 + case.priority_boost,
                         lambda task, at=at, then=decision.then: self.apply(case, at, then),
                         activity="coordination", on_start=_no_response)
        elif isinstance(decision, CoverUp):
            case.level = at[0]
            case.hidden_by = at
            m.unit(at).coverups = getattr(m.unit(at), "coverups", 0) + 1
            self.close(case, resolved=False)
        elif isinstance(decision, Wait):
            pass
        else:  # pragma: no cover - arrangement bug
            raise TypeError(f"unknown decision {decision!r}")

    def summon(self, case: Case, at, decision: Summon) -> None:
        """吹哨: every listed department is called at once and must report on site."""
        now = self.events.now
        case.whistled = True
        if case.t_dispatched != case.t_dispatched:
            case.t_dispatched = now
        src = self.label(at)
        self.model.unit(at).whistles = getattr(self.model.unit(at), "whistles", 0) + 1
        for d in decision.departments:
            case.part_pending(d)
            case.handoff(src, self.label(("department", d)), now, decision.reason)
            self.model.appraisal.summoned(case, d, decision.deadline_h)
            self.events.schedule(now, self.department_receives, case, d, True,
                                 decision.effort_factor)

    # ------------------------------------------------------------ 5. handling
    def effort(self, case: Case) -> float:
        cat = self.model.categories[case.category]
        return self.random.lognormvariate(cat.effort_mu, cat.effort_sigma) * SEVERITY_EFFORT[case.severity - 1]

    def on_work_started(self, task, now: float) -> None:
        case = task.case
        if case is not None and case.t_first_response != case.t_first_response:
            case.t_first_response = now
        if self.trail is not None and case is not None:
            self.trail.append((case.id, now, "work_started", task.unit.key, None))

    def handle(self, case: Case, unit_key, effort_factor: float = 1.0) -> None:
        m = self.model
        unit = m.unit(unit_key)
        case.level = unit_key[0]
        cat = m.categories[case.category]
        effort = self.effort(case) * effort_factor * getattr(unit, "effort_factor", 1.0)
        if cat.mediation and unit_key[0] == "community_office":
            branch = m.party_branches[case.community] if m.party_branches else None
            if branch is not None and branch.can_mediate(effort):
                branch.mediate(effort)
                case.level = "party_branch"
                start = self.cal.next_start(self.events.now)
                self.events.schedule(start, self._volunteer_start, case, start + effort, effort)
                return
        priority = 1.0 + case.priority_boost
        if self.priority_overlays:
            priority += self.priority_bonus(case, unit_key)
        unit.work_on(case, effort, priority, self._handled_cb)

    def priority_bonus(self, case: Case, unit_key) -> float:
        """Priority overlays add to work on ``case`` at ``unit_key`` (0 without overlays)."""
        bonus = 0.0
        for overlay in self.priority_overlays:
            bonus += overlay.priority_bonus(case, unit_key, self.model)
        return bonus

    def _volunteer_start(self, case: Case, end: float, effort: float) -> None:
        if case.t_first_response != case.t_first_response:
            case.t_first_response = self.events.now
        if self.trail is not None:
            self.trail.append((case.id, self.events.now, "work_started", ("party_branch", case.community), None))
        self.events.schedule(end, self._volunteer_done, case, effort)

    def _volunteer_done(self, case: Case, effort: float) -> None:
        case.staff_hours += effort
        if self.trail is not None:
            self.trail.append((case.id, self.events.now, "acted", ("party_branch", case.community), effort))
        self.close(case, resolved=self.random.random() < self.model.office_p_fix)

    def _handled(self, task) -> None:
        case = task.case
        case.staff_hours += task.effort
        if self.trail is not None:
            self.trail.append((case.id, self.events.now, "acted", task.unit.key, task.effort))
        self.close(case, resolved=self.random.random() < self.model.office_p_fix)

    def department_receives(self, case: Case, d: int, joint: bool, effort_factor: float = 1.0,
                            may_return: bool = True) -> None:
        """A department gets a referral (or a whistle): it may return it (推诿) or act.
        ``may_return=False``: its part was settled face to face (社区约请), it acts."""
        m = self.model
        dept = m.departments[d]
        case.mark_received(d, self.events.now)
        if may_return and self.random.random() < m.arrangement.buckpass_probability(case, d, m):
            dept.buckpass_count += 1
            case.buckpass += 1
            case.last_refused = d
            m.counters["buckpass"] += 1
            case.part_not_pending(d)
            back = m.arrangement.coordinator(case, m)
            case.handoff(f"department:{d}", f"{back[0]}:{back[1]}", self.events.now, "buckpass")
            m.arrangement.on_return(case, d, m)
            t = self.cal.add_working_hours(self.events.now, m.arrangement.params.return_delay_h)
            self.events.schedule(t, self._arrive, case, back, "buckpass")
            return
        case.level = "department"
        effort = self.effort(case) * effort_factor
        priority = dept.priority_for(case)
        if self.priority_overlays:
            priority += self.priority_bonus(case, ("department", d))
        unit = m.arrangement.acting_unit(case, d, m)
        unit.work_on(case, effort, priority, self._department_done_cb, on_start=self._department_arrives_cb)
        case.part_pending(d)
        case.holder = self.label(("department", d))

    def _department_arrives(self, task, now: float) -> None:
        """The department's staff start on the case: on site (到场), the first response if first."""
        case = task.case
        d = task.unit.department_index
        case.mark_arrived(d, now)
        if case.t_first_response != case.t_first_response:
            case.t_first_response = now
        if self.trail is not None:
            self.trail.append((case.id, now, "arrived_on_site", task.unit.key, d))
        appraisal = self.model.appraisal
        if case.summons:
            appraisal.arrived(case, d, now)
        if appraisal.chief_of_grid:
            appraisal.department_served(case, d, now)

    def _department_done_task(self, task) -> None:
        case = task.case
        case.staff_hours += task.effort
        if self.trail is not None:
            self.trail.append((case.id, self.events.now, "acted", task.unit.key, task.effort))
        self.department_done(case, self.model.departments[task.unit.department_index])

    def department_done(self, case: Case, dept) -> None:
        m = self.model
        d = dept.index
        case.part_not_pending(d)
        if self.random.random() >= dept.p_fix:
            if m.arrangement.persist_until_fixed(case):  # 事不绝、人不撤: stay and try again
                effort = self.effort(case)
                dept.work_on(case, effort, dept.priority_for(case), self._department_done_cb,
                             on_start=self._department_arrives_cb)
                return
            case.parts_failed = True  # the department reports it done; it is not
        case.part_done(d)
        m.arrangement.on_action(case, d, m)
        if case.status != "open":
            return
        decision = m.arrangement.after_part(case, d, m)
        if isinstance(decision, Wait):
            if not case.pending_mask and not case.remaining_departments:
                self.close(case, resolved=not case.parts_failed)
            return
        self.apply(case, ("department", d), decision)

    # ------------------------------------------------------------ 6. closing
    def close(self, case: Case, resolved: bool) -> None:
        """Close the case — really resolved, or on paper — and let the resident react."""
        m = self.model
        now = self.events.now
        if case.status != "open":
            return
        case.t_closed = now
        case.in_process = False
        if resolved:
            case.status = RESOLVED
            case.t_resolved = now
            m.counters["resolved"] += 1
        else:
            case.status = CLOSED_ON_PAPER
            m.counters["closed_on_paper"] += 1
        trail = self.trail
        if trail is not None:
            trail.append((case.id, now, case.status, case.holder, case.level))
        for overlay in m.overlays:
            overlay.on_close(case, m)
        m.appraisal.on_close(case)
        if m.appraisal.chief_of_grid:
            m.appraisal.chief_closed(case)
        if case.found_by == FOUND_BY_RESIDENT:
            self.resident_reacts(case)

    def resident_reacts(self, case: Case) -> None:
        """The household sees its request closed: trust moves toward its rating; it rates the
        request unless it did so when its patience ran out; unresolved, it may follow up."""
        m = self.model
        pop = m.population
        rating = Resident.rate(pop, case.household, case, m.scenario.metrics.fast_response_h)
        Resident.update_trust(pop, case.household, rating)
        if case.t_overdue != case.t_overdue and case.satisfaction != case.satisfaction:
            self._record_rating(case, rating)  # at most one rating per request, even if reopened
        if case.status == RESOLVED:
            return
        self._follow_up(case)

    def patience_runs_out(self, case: Case) -> None:
        """满意率 as a hotline counts it: a request still open past the household's patience
        is rated now (as unresolved, by the time waited), and the household may follow up."""
        if case.status != OPEN or case.t_overdue == case.t_overdue:
            return
        m = self.model
        pop = m.population
        case.t_overdue = self.events.now
        m.counters["overdue"] += 1
        rating = Resident.rate(pop, case.household, case, m.scenario.metrics.fast_response_h,
                               now=self.events.now)
        Resident.update_trust(pop, case.household, rating)
        self._record_rating(case, rating)
        self._follow_up(case)

    def _record_rating(self, case: Case, rating: float) -> None:
        m = self.model
        spec = m.resident_spec
        if self.random.random() < spec.p_rate:
            case.satisfaction = rating
            m.counters["rated"] += 1
            m.counters["satisfied"] += rating >= spec.satisfied_threshold
            m.appraisal.rated(case, rating)
            if self.trail is not None:
                self.trail.append((case.id, self.events.now, "rated", ("household", case.household), rating))
            for overlay in m.overlays:
                overlay.on_rated(case, m)

    def _follow_up(self, case: Case) -> None:
        """Left unresolved (or waiting too long): petition (信访, a new case), or call again."""
        m = self.model
        spec = m.resident_spec
        u = self.random.random()
        if u < spec.p_petition:
            m.counters["petitions"] += 1
            self.repeat(case, "petition")
        elif u < spec.p_petition + spec.p_repeat:
            m.counters["repeat_reports"] += 1
            if case.status != OPEN:  # a request still open is chased (催办), not filed again
                self.repeat(case, None)

    def reopen(self, case: Case, unit_key, reason: str = "reopened") -> bool:
        """A case closed on paper is found out (e.g. by an audit): it is open again and
        goes back to ``unit_key`` to be handled for real.  Returns whether it was reopened."""
        if case.status != CLOSED_ON_PAPER:
            return False
        m = self.model
        now = self.events.now
        m.counters["closed_on_paper"] -= 1
        case.status = "open"
        case.t_closed = math.nan
        case.in_process = True
        case.pending_mask = 0
        case.handoff(case.holder or "-", f"{unit_key[0]}:{unit_key[1]}", now, reason)
        self.events.schedule(now, self._arrive, case, unit_key, reason)
        return True

    def repeat(self, case: Case, channel: str | None) -> None:
        """The unresolved problem is reported again (重复投诉) or petitioned (信访)."""
        m = self.model
        new = Case(
            id=len(m.cases), category=case.category, grid=case.grid, community=case.community,
            street=case.street, household=case.household, severity=case.severity,
            departments=case.departments, latent=False, t_created=self.events.now,
            repeat_of=case.id,
        )
        m.cases.append(new)
        if untrack_record is not None:
            untrack_record(new)
        self.events.schedule(self.events.now + self.report_delay(), self._resident_report, new, channel)


def _no_response(task, now: float) -> None:
    """Coordination work is not a response to the resident."""


def _overriding(overlays: list, hook: str) -> list:
    """The overlays whose class overrides ``hook`` of :class:`Overlay`, in their order."""
    return [o for o in overlays if getattr(type(o), hook) is not getattr(Overlay, hook)]
