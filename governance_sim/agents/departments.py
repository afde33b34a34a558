"""职能部门 — the 条: district functional departments with their own line work."""

from __future__ import annotations

from governance_sim.agents.base import UnitAgent


class Department(UnitAgent):
    """职能部门 — owns categories (权责清单), serves line-ministry work and local cases.

    Priority of a local case = ``local_priority`` + the street-specific weight
    learned from whoever appraises the department (``street_weight``) + any
    boost the case carries (a whistle, a hotline deadline).  With the
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
        self.ratings: list[tuple[int, float, float]] = []  # (street, time, rating)
        self.appraisal = 0.5
        self.buckpass_count = 0

    @property
    def department_index(self) -> int:
        """The department this unit acts for (itself)."""
        return self.index

    def priority_for(self, case) -> float:
        street = case.street if case.street >= 0 else 0
        return self.local_priority + self.street_weight[street] + case.priority_boost

    def receive_rating(self, street: int, t: float, rating: float) -> None:
        self.ratings.append((street, t, rating))

    def daily_line_work(self, rng, day_open: float) -> None:
        """Line-ministry tasks (条条任务) of the day, queued at the vertical priority."""
        n = rng.poisson(self.vertical_rate)
        for _ in range(n):
            effort = rng.exponential(self.vertical_effort)
            self.model.events.schedule(day_open, self.work_on, None, effort,
                                       self.vertical_priority, None, "vertical", _noop)


def _noop(task, now):
    return None
