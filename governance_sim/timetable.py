"""The model's side of a reform timetable: switches carried out on their day.

:class:`Timetable` is built only for a scenario with a ``schedule`` (the plan comes from
:func:`governance_sim.schedule.compile_plan`); on each switch's day it puts a
:class:`StreetArrangements` in place of the model's arrangement — one arrangement object
per street, asked about each case by the street the case arose in — re-weights the
departments' appraisal and appoints 街巷长.  A scenario without a schedule never builds
either, so its runs are unchanged.
"""

from __future__ import annotations

from governance_sim.agents.street_chiefs import StreetChief
from governance_sim.appraisal import Scorecard, ambiguity_of, return_probability
from governance_sim.registry import ARRANGEMENTS
from governance_sim.schedule import Plan, compile_plan, params_key


class StreetArrangements:
    """The arrangement interface answered street by street (分街道推开).

    Each case is handed to the arrangement of its street (``case.street``); routines run
    once for every distinct arrangement object.  Territory-wide readings (``params``) come
    from the arrangement the whole territory last switched to, else the initial one.
    """

    def __init__(self, initial, n_streets: int, model):
        self.initial = initial
        self.name, self.label = initial.name, initial.label
        self.by_street = [initial] * max(n_streets, 1)
        self.common = initial
        self.seconded = getattr(initial, "seconded", {})
        self._instances = {params_key(initial.params): initial}
        cats = model.scenario.categories
        self._category_specs = [(c.departments, c.duty_holders) for c in cats.values()]
        self._ambiguity: dict[int, list[float]] = {}
        self._summoning, self._micro = initial.summoning_power, initial.micro_enforcement

    # -------------------------------------------------------------- switching
    def instance(self, params):
        """The arrangement object for ``params`` (one per distinct parameter set)."""
        key = params_key(params)
        arr = self._instances.get(key)
        if arr is None:
            arr = ARRANGEMENTS[params.name](params)
            arr.seconded = self.seconded  # share the staff sent down at the start
            self._instances[key] = arr
        return arr

    def set_street(self, street: int, params) -> None:
        self.by_street[street] = self.instance(params)
        forces = self.in_force()
        self._summoning = any(a.summoning_power for a in forces)
        self._micro = any(a.micro_enforcement for a in forces)

    def in_force(self) -> list:
        seen, out = set(), []
        for arr in self.by_street:
            if id(arr) not in seen:
                seen.add(id(arr))
                out.append(arr)
        return out

    def of(self, case):
        s = case.street
        return self.by_street[s] if 0 <= s < len(self.by_street) else self.common

    # -------------------------------------------------------------- territory-wide readings
    @property
    def params(self):
        return self.common.params

    @property
    def summoning_power(self) -> bool:
        """Whether any street's arrangement may summon (overlays then ask per case: should_whistle)."""
        return self._summoning

    @property
    def micro_enforcement(self) -> bool:
        return self._micro

    # -------------------------------------------------------------- asked per case
    def intake(self, case, channel, model):
        return self.of(case).intake(case, channel, model)

    def route(self, case, at, model):
        return self.of(case).route(case, at, model)

    def after_part(self, case, department, model):
        return self.of(case).after_part(case, department, model)

    def coordinator(self, case, model):
        return self.of(case).coordinator(case, model)

    def next_department(self, case):
        return self.of(case).next_department(case)

    def acting_unit(self, case, department, model):
        return self.of(case).acting_unit(case, department, model)

    def persist_until_fixed(self, case):
        return self.of(case).persist_until_fixed(case)

    def coverup_probability(self, case, model):
        return self.of(case).coverup_probability(case, model)

    def expected_fix_days(self, case, model):
        return self.of(case).expected_fix_days(case, model)

    def on_return(self, case, department, model):
        return self.of(case).on_return(case, department, model)

    def on_action(self, case, department, model):
        return self.of(case).on_action(case, department, model)

    def should_whistle(self, case, model) -> bool:
        arr = self.of(case)
        return bool(arr.summoning_power and hasattr(arr, "should_whistle") and arr.should_whistle(case, model))

    def buckpass_probability(self, case, department, model) -> float:
        """推诿 with the case's street's parameters: its p_buckpass, the duty's ambiguity as its
        lists publish it, and a return cost only where the street rates returns (反向考核)."""
        arr = self.of(case)
        p = arr.params
        amb = self._ambiguity.get(id(arr))
        if amb is None:
            amb = [ambiguity_of(d, h, p.duty_lists) for d, h in self._category_specs]
            self._ambiguity[id(arr)] = amb
        unit = arr.acting_unit(case, department, model)
        cost = unit.return_cost if p.reverse_assessment_weight > 0 else 0.0
        return return_probability(p.p_buckpass, amb[case.category], unit.workforce, cost)

    # -------------------------------------------------------------- routines
    def on_day(self, model, day: int) -> None:
        for arr in self.in_force():
            arr.on_day(model, day)

    def on_month(self, model, month: int) -> None:
        for arr in self.in_force():
            arr.on_month(model, month)

    def summary(self, model) -> dict[str, float]:
        return self.initial.summary(model)


class AppointedStreetChief(StreetChief):
    """A 街巷长 appointed mid-run: routine hours count from the day of appointment."""

    def __init__(self, model, index, street, lanes, spec):
        super().__init__(model, index, street, lanes, spec)
        self.workdays_before = model.calendar.workdays_between(0.0, model.day * 24.0)
        self._routine_booked_days = self.workdays_before  # no routine before the appointment


class Timetable:
    """Carries out a scenario's schedule on the model (see :mod:`governance_sim.schedule`)."""

    def __init__(self, model):
        self.plan: Plan = compile_plan(model.scenario)
        self.pending = sorted(self.plan.switches, key=lambda s: (s.day, s.entry))
        self.log: list[tuple[int, int, list[int]]] = []  # (day, entry, streets) as carried out

    def on_day(self, model, day: int) -> None:
        while self.pending and self.pending[0].day <= day:
            self.carry_out(model, self.pending.pop(0))

    def carry_out(self, model, switch) -> None:
        if switch.params:
            arr = model.arrangement
            if not isinstance(arr, StreetArrangements):
                arr = StreetArrangements(arr, len(model.territory.streets), model)
                model.arrangement = arr
            for s, params in switch.params.items():
                arr.set_street(s, params)
            if switch.territory_wide:
                arr.common = arr.by_street[0]
            self._reweigh_appraisal(model, arr, next(iter(switch.params.values())))
        for s, wanted in switch.chiefs.items():
            self._appoint_chiefs(model, s, wanted)
        for overlay in model.overlays:  # read when used: the new values hold from now on
            if overlay.name in switch.overlays:
                overlay.params = switch.overlays[overlay.name]
        self.log.append((model.day, switch.entry, list(switch.streets)))

    @staticmethod
    def _reweigh_appraisal(model, arr: StreetArrangements, latest) -> None:
        """Departments weigh the streets' ratings by the largest weight any street gives them;
        supervision and the chiefs' deadline follow the arrangement just switched in."""
        w_rev = max(a.params.reverse_assessment_weight for a in arr.in_force())
        for dept in model.departments:
            dept.scorecard.weights["reverse_assessment"] = float(w_rev)
            dept.return_cost = dept.scorecard.share("reverse_assessment")
        appraisal = model.appraisal
        appraisal.misses_to_supervision = getattr(latest, "summons_misses_to_supervision",
                                                  appraisal.misses_to_supervision)
        appraisal.arrival_deadline_h = getattr(latest, "report_deadline_hours", appraisal.arrival_deadline_h)

    @staticmethod
    def _appoint_chiefs(model, street: int, wanted: int) -> None:
        """街巷长 for ``street`` up to ``wanted``, the street's lanes dealt among them as at the start."""
        have = [c for c in model.street_chiefs if c.street == street]
        lanes = [li for li, st in enumerate(model.territory.lane_street) if st == street]
        n = min(wanted, len(lanes))
        if n <= len(have):
            return
        spec = model.scenario.roles.street_chief.model_copy(update={"per_street": wanted})
        taken = {li for c in have for li in c.lanes}
        free = [li for li in lanes if li not in taken]
        appraisal = model.appraisal
        for k in range(n - len(have)):
            chief = AppointedStreetChief(model, len(model.street_chiefs), street,
                                         free[k::n - len(have)], spec)
            model.street_chiefs.append(chief)
            model.add_unit(chief)
            for g in chief.grids(model.territory):
                appraisal.chief_of_grid.setdefault(g, chief)
            chief.scorecard = Scorecard({"street_rating": spec.rating_weight},
                                        {"patrol": chief.base_patrol_h},
                                        {"patrol": chief.base_patrol_h * appraisal.sensitivity})
