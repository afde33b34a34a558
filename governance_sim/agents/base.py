"""Common base of the organisational units (offices, departments, grid workers, 街巷长)."""

from __future__ import annotations

import mesa

from governance_sim.agents.workforce import Task, Workforce


def patrol_detection(base_prob: float, hours: float, base_hours: float) -> float:
    """Daily detection odds of a patrol of ``hours``: each ``base_hours`` is another look at
    each problem with the odds ``base_prob`` (no base patrol, no looks)."""
    return (1.0 - (1.0 - base_prob) ** (hours / base_hours)) if base_hours > 0 else 0.0


class UnitAgent(mesa.Agent):
    """A unit with staff who work a priority queue (see :class:`Workforce`).

    ``routine_h`` maps routine activities (paperwork, patrol, admin) to hours
    per staff per workday; they are taken at the start of each workday.
    """

    role = "unit"
    # appraisal (governance_sim.appraisal): what a return costs the unit, its weight of 一票否决,
    # and the fix time it expects of departments (None until it has seen one)
    return_cost = 0.0
    veto_weight = 0.0
    fix_time_learning = 0.0
    fix_days: float | None = None
    # routine hours booked for the workdays before the routine last changed (patrol or ledgers
    # re-weighted by an appraisal): hours_by_activity adds the current routine for the rest
    _routine_booked: dict[str, float] | None = None
    _routine_booked_days = 0

    def __init__(self, model, name: str, staff: int, routine_h: dict[str, float] | None = None,
                 hours_per_day: float | None = None):
        super().__init__(model)
        self.name = name
        self.routine_h = {k: v for k, v in (routine_h or {}).items() if v > 0}
        day = hours_per_day if hours_per_day is not None else model.calendar.hours
        self.hours_per_day = day
        self.workforce = Workforce(model.events, model.calendar, staff, 0.0)
        self.reserve_routine()

    def reserve_routine(self) -> None:
        """Hold each workday's routine hours — and, for a part-time post (a 街巷长's
        ``hours_per_day`` below the office day), the hours spent away from it — so that the
        post's queue is served only in what remains of its hours, then in overtime."""
        cal = self.model.calendar
        away = max(0.0, cal.hours - self.hours_per_day)
        self.workforce.reserved_h = min(sum(self.routine_h.values()) + away, cal.hours + cal.overtime)

    def set_patrol_routine(self, hours: float) -> float:
        """Hold ``hours`` of each workday for patrol — at most the post's hours plus the
        overtime cap (a unit pressed by its appraisal patrols into its evenings) — and return
        the hours held."""
        hours = min(max(hours, 0.0), self.hours_per_day + self.model.calendar.overtime)
        self.set_routine("patrol", hours)
        return hours

    def set_routine(self, activity: str, hours: float) -> None:
        """Hold ``hours`` of each workday from now on for ``activity``; the hours held so far
        stay booked at the old figure."""
        if self.routine_h.get(activity, 0.0) == hours:
            return
        cal = self.model.calendar
        workdays = cal.workdays_between(0.0, self.model.events.now)
        if workdays > self._routine_booked_days:
            self._routine_booked = self.hours_by_activity(workdays, routine_only=True)
            self._routine_booked_days = workdays
        self.routine_h[activity] = hours
        self.reserve_routine()

    @property
    def key(self) -> tuple[str, int]:
        return (self.role, self.index)

    @property
    def staff(self) -> int:
        return self.workforce.staff

    @property
    def backlog(self) -> int:
        return self.workforce.backlog

    def work_on(self, case, effort: float, priority: float, on_done, activity: str = "case_work",
                on_start=None) -> None:
        """Queue work on ``case``; the first start of any work on it is its first response."""
        task = Task(case, effort, priority, activity, on_done,
                    on_start or self.model.lifecycle.work_started)
        task.unit = self
        self.workforce.submit(task)

    def hours_by_activity(self, workdays: int, routine_only: bool = False) -> dict[str, float]:
        """Hours worked by activity over a run with ``workdays`` workdays: the tasks done,
        and each workday's routine as it stood that day."""
        hours = {} if routine_only else dict(self.workforce.hours)
        booked = self._routine_booked
        if booked:
            for activity, h in booked.items():
                hours[activity] = hours.get(activity, 0.0) + h
        scale = max(0, workdays - self._routine_booked_days) * self.staff
        budget = self.hours_per_day + self.model.calendar.overtime
        for activity, h in self.routine_h.items():
            take = min(h, budget)
            budget -= take
            hours[activity] = hours.get(activity, 0.0) + take * scale
        return hours
