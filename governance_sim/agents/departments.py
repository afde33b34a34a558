"""职能部门 — the 条: district functional departments with their own line work."""

from __future__ import annotations

from governance_sim.agents.base import UnitAgent


class Department(UnitAgent):
    """职能部门 — owns categories (权责清单), serves line-ministry work and local cases.

    Priority of a local case = ``local_priority`` + the street-specific weight
    its scorecard gives that street (``street_weight``) + for a latent hazard
    the weight of the hazard stream (``hazard_weight``) + for a petitioned case
    that of the petition stream (``petition_weight``) + any boost the case
    carries (an eruption, a petition).  Vertical tasks are queued at
    ``vertical_priority``.  Each month the scorecard (:mod:`governance_sim.appraisal`)
    re-weights these toward what the department's appraisers reward; with the
    default appraisal by the line ministry, vertical tasks come first.
    """

    role = "department"

    def __init__(self, model, index: int, spec, role_spec, n_streets: int):
        super().__init__(model, spec.name, spec.staff, {"paperwork": role_spec.paperwork_h})
        self.index = index
        self.label = spec.label or spec.name
        self.enforcement = spec.enforcement
        self.vertical_rate = spec.vertical_tasks_per_day
        self.vertical_effort = spec.vertical_effort_h
        self.vertical_priority = role_spec.vertical_priority
        self.local_priority = role_spec.local_priority
        self.p_fix = role_spec.p_fix
        self.street_weight = [0.0] * max(n_streets, 1)
        self.hazard_weight = 0.0
        self.petition_weight = 0.0
        self.ratings: list[tuple[int, float, float]] = []  # (street, time, rating)
        self.buckpass_count = 0
        self.vertical_deadline_h = role_spec.vertical_deadline_days * 24.0
        self.vertical_done = 0  # vertical tasks finished this month, and of them on time
        self.vertical_on_time = 0
        self.scorecard = None  # set by the model's Appraisal

    @property
    def department_index(self) -> int:
        """The department this unit acts for (itself)."""
        return self.index

    def priority_for(self, case) -> float:
        street = case.street if case.street >= 0 else 0
        p = self.local_priority + self.street_weight[street] + case.priority_boost
        if case.latent:
            p += self.hazard_weight
        if case.petition:
            p += self.petition_weight
        return p

    def receive_rating(self, street: int, t: float, rating: float) -> None:
        """A rating from the street (反向考核): a mark on that street's stream of work."""
        self.ratings.append((street, t, rating))
        self.scorecard.mark("reverse_assessment", ("local", street), rating)

    def mark_vertical_month(self) -> None:
        """The line ministry marks the month's vertical work: the share done on time
        (nothing done while work waits counts as none on time)."""
        if self.vertical_done:
            self.scorecard.mark("line_ministry", "vertical", self.vertical_on_time / self.vertical_done)
        elif self.backlog:
            self.scorecard.mark("line_ministry", "vertical", 0.0)
        self.vertical_done = self.vertical_on_time = 0

    def apply_priorities(self) -> None:
        """Take the scorecard's priorities as the department's own."""
        prio = self.scorecard.priority
        self.vertical_priority = prio["vertical"]
        self.hazard_weight = prio["hazard"]
        self.petition_weight = prio["petition"]
        for s in range(len(self.street_weight)):
            self.street_weight[s] = prio[("local", s)]

    def _vertical_finished(self, task) -> None:
        self.vertical_done += 1
        if self.model.events.now - task.t_submit <= self.vertical_deadline_h:
            self.vertical_on_time += 1

    def daily_line_work(self, rng, day_open: float) -> None:
        """Line-ministry tasks (条条任务) of the day, queued at the vertical priority."""
        n = rng.poisson(self.vertical_rate)
        for _ in range(n):
            effort = rng.exponential(self.vertical_effort)
            self.model.events.schedule(day_open, self.work_on, None, effort,
                                       self.vertical_priority, self._vertical_finished, "vertical", _noop)


def _noop(task, now):
    return None
