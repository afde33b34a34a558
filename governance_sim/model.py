"""GovernanceModel — the Mesa model that wires territory, agents, arrangement and collectors."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from governance_sim.agents import (
    CommunityOffice,
    Department,
    DistrictCenter,
    GridWorker,
    PartyBranch,
    Resident,
    ResidentPopulation,
    StreetChief,
    StreetOffice,
)
from governance_sim.appraisal import Appraisal, ambiguity_of
from governance_sim.cases import Case, Category
from governance_sim.collector import SummaryDataCollector
from governance_sim.engine import HOURS_PER_DAY, Calendar, EventQueue
from governance_sim.gc_pause import cyclic_gc_paused
from governance_sim.lifecycle import CaseLifecycle
from governance_sim.registry import ARRANGEMENTS, OVERLAYS
from governance_sim.scenario import Scenario, ScenarioError, load_scenario
from governance_sim.territory import build_territory

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "beijing_street.yaml"
BASE_CHANNELS = ("grid_worker", "community", "street", "petition")
MONTH_DAYS = 30


def _kwargs_to_overrides(params: dict[str, Any]) -> dict[str, Any]:
    """``arrangement__p_buckpass=0.5`` or ``{"arrangement.p_buckpass": 0.5}`` → dotted overrides."""
    return {k.replace("__", "."): v for k, v in params.items()}


class GovernanceModel(mesa.Model):
    """基层治理 simulation: one territory, one arrangement, its overlays, one seed.

    Args:
        scenario: path to a scenario YAML, a mapping, or a loaded :class:`Scenario`
            (default: ``scenarios/beijing_street.yaml``).
        variant: name of a variant in the scenario's ``variants`` table.
        seed: random seed (overrides the scenario's ``seed``).
        days: counted days (overrides ``days``); the scenario's ``warmup_days`` run first,
            so the model runs ``warmup_days + days`` steps; ``step()`` advances one day.
        overrides: dotted-path overrides, e.g. ``{"arrangement.p_buckpass": 0.1}``.
        **kwargs: more overrides as keywords; ``__`` stands for ``.``
            (``arrangement__p_buckpass=0.1``), so ``mesa.batch_run`` can sweep them.

    Model reporters of the ``DataCollector`` (one row per day) are listed in
    :data:`MODEL_REPORTERS`.
    """

    def __init__(self, scenario: str | Path | dict | Scenario = DEFAULT_SCENARIO,
                 variant: str | None = None, seed: int | None = None, days: int | None = None,
                 overrides: dict[str, Any] | list[str] | None = None, **kwargs: Any):
        # named **kwargs so that Mesa's SolaraViz parameter check accepts dotted overrides
        extra = _kwargs_to_overrides(kwargs)
        if isinstance(overrides, list):
            from governance_sim.scenario import parse_assignment
            overrides = dict(parse_assignment(o) for o in overrides)
        merged = {**(overrides or {}), **extra}
        sc = load_scenario(scenario, variant, merged or None, seed=seed, days=days)
        if sc.city is not None and sc.city.partition == "districts":  # several models, not one
            raise ScenarioError("city.partition", "'districts' runs one model per district: use "
                                "governance_sim.run or govsim run; one GovernanceModel is the whole city "
                                "as one model (city.partition: none)")
        super().__init__(rng=sc.seed)
        self.arrangement = ARRANGEMENTS[sc.arrangement.name](sc.arrangement)
        self.overlays = [OVERLAYS[name](params) for name, params in sc.overlays.items()]
        for overlay in self.overlays:
            sc = overlay.adjust_scenario(sc)
        self.scenario = sc
        self.warmup_days = sc.warmup_days
        self.days = sc.warmup_days + sc.days  # the warm-up runs first, then the counted days
        self.day = 0
        self.events = EventQueue(sc.limits.max_events)
        self.calendar = _calendar_of(sc)
        self.resident_spec = sc.roles.resident
        self.territory = self.arrangement.transform(build_territory(sc), sc)
        self.categories = _compile_categories(sc, self.territory)
        self.counters = dict.fromkeys(
            ("reported", "resolved", "closed_on_paper", "buckpass", "eruptions", "rated",
             "satisfied", "repeat_reports", "petitions", "tolerated", "overdue"), 0)
        self.cases: list[Case] = []
        # multiplies every hand-off delay; overlays such as joint meetings (联席会议) lower it
        self.coordination_delay_factor = 1.0
        self.undiscovered: dict[int, list[Case]] = {}
        self.lifecycle = CaseLifecycle(self)
        with cyclic_gc_paused():  # hundreds of thousands of households, no cycles
            self._build_lookups()
            if sc.groups:  # residents who differ (groups.py); none: every household alike
                from governance_sim.groups import assign

                assign(self)
            self._build_agents()
        self.arrangement.setup(self)
        for overlay in self.overlays:
            overlay.setup(self)
        self.appraisal = Appraisal(self)  # scorecards of the units built above (考核)
        self.timetable = _timetable_of(self)  # reforms switched on their day (schedule.py); None without
        self.datacollector = SummaryDataCollector(model_reporters=MODEL_REPORTERS)  # + summary at the end
        self.running = True
        self.at_warmup_end: dict[str, Any] = {}
        if not self.warmup_days:
            self._end_warmup()

    city = None  # the city level (governance_sim.city.CityLevel) when the territory has several districts

    # ------------------------------------------------------------------ build
    @property
    def has_street_layer(self) -> bool:
        return self.territory.street_layer

    def _build_lookups(self) -> None:
        t = self.territory
        self.community_of_grid = [g.community for g in t.grids]
        self.street_of_community = [c.street for c in t.communities]
        households = np.array([g.households for g in t.grids], dtype=np.int64)
        self.grid_first_household = np.concatenate([[0], np.cumsum(households)[:-1]])
        self.n_households = int(households.sum())
        self.population_size = t.population
        channels = set(BASE_CHANNELS)
        for overlay in self.overlays:
            channels.update(overlay.channels)
        self.channels = channels
        grid_of_household = np.repeat(np.arange(len(t.grids), dtype=np.int32), households)
        self.population = ResidentPopulation(self.resident_spec, grid_of_household, self.rng,
                                             sorted(channels))

    def _build_agents(self) -> None:
        sc, t, roles = self.scenario, self.territory, self.scenario.roles
        self.units: dict[tuple[str, int], Any] = {}
        self.residents = Resident.create_households(self, self.n_households)
        self.city = None
        if t.is_city:  # several districts: each its own departments and centre (governance_sim.city)
            from governance_sim.city import CityLevel

            self.city = CityLevel(self)
            self.departments = self.city.build_departments(self, roles.department)
        else:
            self.departments = [Department(self, i, d, roles.department, len(t.streets))
                                for i, d in enumerate(sc.territory.departments)]
        self.street_offices = (
            [StreetOffice(self, s, name, roles.street_office) for s, name in enumerate(t.streets)]
            if t.street_layer else []
        )
        self.community_offices = [
            CommunityOffice(self, i, c.name, c.street, roles.community_office,
                            staff=getattr(c, "staff", None))
            for i, c in enumerate(t.communities)
        ]
        if self.city is not None:
            self.district_centers = self.city.build_district_centres(self, roles.district_center)
            self.district_center = self.district_centers[0]
        else:
            self.district_center = DistrictCenter(self, roles.district_center)
            self.district_centers = [self.district_center]
        per = roles.grid_worker.grids_per_worker
        self.grid_workers, self.grid_worker_of_grid = [], [0] * len(t.grids)
        for comm in t.communities:
            for k in range(0, len(comm.grids), per):
                w = GridWorker(self, len(self.grid_workers), comm.grids[k : k + per], roles.grid_worker)
                for g in w.grids:
                    self.grid_worker_of_grid[g] = w.index
                self.grid_workers.append(w)
        self.street_chiefs = []
        if roles.street_chief.per_street and t.lanes and t.street_layer:
            for s in range(len(t.streets)):
                lanes = [li for li, st in enumerate(t.lane_street) if st == s]
                n = min(roles.street_chief.per_street, len(lanes))
                for k in range(n):
                    self.street_chiefs.append(
                        StreetChief(self, len(self.street_chiefs), s, lanes[k::n], roles.street_chief))
        self.party_branches = []
        pb = roles.party_branch
        for ci, comm in enumerate(t.communities):
            first = int(self.grid_first_household[comm.grids[0]])
            last = int(self.grid_first_household[comm.grids[-1]] + t.grids[comm.grids[-1]].households)
            members = int(self.population.party_member[first:last].sum())
            self.party_branches.append(PartyBranch(self, ci, members, pb))
            n_paired = min(last - first, int(round(members * pb.pairing_ratio)))
            if n_paired:
                self.population.paired[first + self.rng.choice(last - first, n_paired, replace=False)] = True
        for unit in (*self.departments, *self.street_offices, *self.community_offices,
                     *self.district_centers, *self.grid_workers, *self.street_chiefs):
            self.units[(unit.role, unit.index)] = unit
        self.office_p_fix = roles.community_office.p_fix

    def unit(self, key: tuple[str, int]):
        """The unit agent for a key such as ``("street_office", 0)``."""
        return self.units[key]

    def add_unit(self, unit) -> None:
        """Register a unit added by an arrangement or overlay."""
        self.units[(unit.role, unit.index)] = unit

    # ------------------------------------------------------------------ run
    @property
    def now(self) -> float:
        return self.events.now

    def step(self) -> None:
        """Advance one day: daily routines, then every event of the day."""
        # paused here too, not only in run_model: Mesa's batch_run, the app and notebooks step
        # the model themselves (a step-by-step city ran 1.5× slower with the collector on)
        with cyclic_gc_paused():
            self._simulate_day()

    def _simulate_day(self) -> None:
        day = self.day
        cal = self.calendar
        if self.timetable is not None:
            self.timetable.on_day(self, day)
        self.lifecycle.emerge_day(day)
        if cal.is_workday(day):
            opening = cal.office_open(day)
            for dept in self.departments:
                dept.daily_line_work(self.rng, opening)
            self._patrols(day)
        if day % 7 == 0:
            for branch in self.party_branches:
                branch.new_week()
        self.arrangement.on_day(self, day)
        for overlay in self.overlays:
            overlay.on_day(self, day)
        self.events.run_until((day + 1) * HOURS_PER_DAY)
        if (day + 1) % MONTH_DAYS == 0:
            month = (day + 1) // MONTH_DAYS
            self.appraisal.on_month(month)
            self.arrangement.on_month(self, month)
            for overlay in self.overlays:
                overlay.on_month(self, month)
        self.day = day + 1
        if self.day == self.warmup_days:
            self._end_warmup()
        self.datacollector.collect(self)
        if self.day >= self.days:
            self.running = False

    def _patrols(self, day: int) -> None:
        """Daily patrols (日巡) of grid workers and 街巷长, spread over their patrol hours."""
        rng = self.random
        start = day * HOURS_PER_DAY + self.calendar.start
        for worker in self.grid_workers:
            span = worker.routine_h.get("patrol", 0.0)
            if span <= 0:
                continue
            for case in worker.patrol(rng, self.undiscovered, start + span):
                seen_at = max(case.t_created, start + rng.random() * span)
                self.lifecycle.patrol_found(case, seen_at, worker.key)
        for chief in self.street_chiefs:
            span = chief.routine_h.get("patrol", 0.0)
            for case in chief.patrol(rng, self.undiscovered, self.territory, start + span):
                seen_at = max(case.t_created, start + rng.random() * span)
                self.lifecycle.patrol_found(case, seen_at, chief.key)

    def _end_warmup(self) -> None:
        """Note the counters and every unit's hours where the warm-up ends: the summary counts
        from here (``metrics.summary_row``, ``metrics.workers_frame``)."""
        workdays = self.calendar.workdays_between(0.0, self.day * HOURS_PER_DAY)
        units = {key: (u.hours_by_activity(workdays), u.workforce.overtime_h, u.workforce.completed)
                 for key, u in self.units.items()}
        # work is booked when a task is done: a task under way now started in the warm-up and
        # is booked to it, so that the counted period holds only work started in it (summed in
        # the order the tasks were scheduled: the sum must not depend on the queue's layout);
        # a unit's finishing step is the one bound method its workforce schedules
        key_of = {id(u.workforce._on_finish): key for key, u in self.units.items()}
        for _, _, callback, args in self.events.pending():
            key = key_of.get(id(callback))
            if key is not None:
                hours, overtime, completed = units[key]
                task = args[0]
                hours[task.activity] = hours.get(task.activity, 0.0) + task.effort
                units[key] = (hours, overtime + task.overtime, completed + 1)
        self.at_warmup_end = {"counters": dict(self.counters), "units": units}
        for overlay in self.overlays:
            overlay.on_warmup_end(self)

    @property
    def in_warmup(self) -> bool:
        """Whether the day just simulated belongs to the warm-up."""
        return self.day <= self.warmup_days and self.warmup_days > 0

    def run_model(self, progress=None) -> None:
        """Run every remaining day; ``progress(day)`` is called after each day.

        A run that goes past ``limits.max_wall_s`` seconds or ``limits.max_events`` events
        stops with :class:`~governance_sim.errors.BudgetExceeded`."""
        budget = self.scenario.limits.max_wall_s
        self.events.deadline = (time.perf_counter() + budget, budget)
        try:
            with cyclic_gc_paused():  # the run makes no reference cycles (see gc_pause)
                while self.running:
                    self.step()
                    if progress is not None:
                        progress(self.day)
                    if time.perf_counter() > self.events.deadline[0]:
                        self.events.check_budget()
        finally:
            self.events.deadline = None

    # ------------------------------------------------------------------ reporters
    def open_cases(self) -> int:
        return self.counters["reported"] - self.counters["resolved"] - self.counters["closed_on_paper"]

    def mean_trust(self) -> float:
        return float(self.population.trust.mean())

    def satisfaction_so_far(self) -> float:
        rated = self.counters["rated"]
        return self.counters["satisfied"] / rated if rated else math.nan

    def backlog(self, role: str) -> int:
        return sum(u.backlog for key, u in self.units.items() if key[0] == role)


MODEL_REPORTERS = {
    "day": lambda m: m.day,
    "warmup": lambda m: m.in_warmup,
    "cases_created": lambda m: len(m.cases),
    "cases_reported": lambda m: m.counters["reported"],
    "cases_resolved": lambda m: m.counters["resolved"],
    "cases_closed_on_paper": lambda m: m.counters["closed_on_paper"],
    "open_cases": GovernanceModel.open_cases,
    "backlog_departments": lambda m: m.backlog("department"),
    "backlog_street": lambda m: m.backlog("street_office"),
    "backlog_community": lambda m: m.backlog("community_office"),
    "buckpass_events": lambda m: m.counters["buckpass"],
    "eruptions": lambda m: m.counters["eruptions"],
    "petitions": lambda m: m.counters["petitions"],
    "mean_trust": GovernanceModel.mean_trust,
    "satisfaction_rate": GovernanceModel.satisfaction_so_far,
}


def _timetable_of(model: GovernanceModel):
    if not model.scenario.schedule:
        return None
    from governance_sim.timetable import Timetable

    return Timetable(model)


def _calendar_of(sc: Scenario) -> Calendar:
    c = sc.calendar
    return Calendar(c.workday_start_h, c.workday_hours, c.workdays_per_week, c.overtime_cap_h)


def _compile_categories(sc: Scenario, territory) -> list[Category]:
    dept_index = {name: i for i, name in enumerate(territory.departments)}
    if territory.is_city:  # district 0's departments, then the municipal ones (governance_sim.city)
        first = len(territory.districts) * len(territory.departments)
        dept_index.update({d.name: first + j for j, d in enumerate(sc.city.departments if sc.city else [])})
    lists = sc.arrangement.duty_lists
    out = []
    for i, (name, c) in enumerate(sc.categories.items()):
        w = np.asarray(c.severity_weights, dtype=float)
        cdf = tuple(np.cumsum(w / w.sum()).tolist())
        out.append(Category(
            index=i, name=name, label=c.label or name,
            rate_per_person_day=c.rate / 1000.0 / 365.0,
            effort_mu=math.log(c.effort_h), effort_sigma=c.effort_sigma,
            departments=tuple(dept_index[d] for d in c.departments),
            latent=c.latent, erupt_days=c.erupt_days, micro_enforceable=c.micro_enforceable,
            patrol_visible=c.patrol_visible, community_authority=c.community_authority,
            street_authority=c.street_authority, mediation=c.mediation, severity_cdf=cdf,
            start_day=c.start_day, end_day=c.end_day,
            ambiguity=ambiguity_of(c.departments, c.duty_holders, lists),
            severity_growth_days=c.severity_growth_days, eruption_trust_loss=c.eruption_trust_loss,
        ))
    return out
