"""街巷长 — a street cadre responsible for a set of lanes (seed 000, Beijing).

Daily lane patrol (日巡), 小微执法 on micro-enforceable problems where the
arrangement grants it, and monthly two-way ratings (月评): the chief rates the
departments that served his lanes, the street and residents rate him, and
his patrol effort follows his rating (:mod:`governance_sim.appraisal`).
"""

from __future__ import annotations

from governance_sim.agents.base import UnitAgent, patrol_detection


class StreetChief(UnitAgent):
    role = "street_chief"

    def __init__(self, model, index: int, street: int, lanes: list[int], spec):
        super().__init__(model, f"街巷长{index + 1}", 1, {"patrol": spec.patrol_hours},
                         spec.hours_per_day)
        self.index = index
        self.street = street
        self.lanes = lanes
        self.detection_prob = spec.detection_prob
        self.fix_effort_h = spec.fix_effort_h
        self.base_patrol_h = spec.patrol_hours
        self.patrol_detection = spec.detection_prob
        self.ratings_given: list[tuple[int, int, float]] = []  # (month, department, rating)
        self.ratings_received: list[tuple[int, float]] = []  # (month, rating by street and residents)
        self.served: list[tuple[int, float]] = []  # this month: (department, rating of its arrival)
        self.closed: list = []  # this month: cases closed in his lanes
        self.found = 0  # this month: problems his patrols saw first
        self.missed = 0  # this month: visible problems residents reported first
        self.scorecard = None  # set by the model's Appraisal

    def set_patrol_hours(self, hours: float) -> None:
        """Patrol ``hours`` a day — at most his hours as 街巷长 plus the overtime cap (a chief rated
        low patrols into his evenings); more patrol, more problems seen: each base patrol's
        worth of hours is another look with the base detection odds."""
        hours = self.set_patrol_routine(hours)
        self.patrol_detection = patrol_detection(self.detection_prob, hours, self.base_patrol_h)

    def grids(self, territory) -> list[int]:
        return [g for lane in self.lanes for g in territory.lanes[lane]]

    def patrol(self, rng, undiscovered: dict[int, list], territory, until: float) -> list:
        """Daily lane patrol: notices visible (non-latent) problems in the lanes."""
        found = []
        for g in self.grids(territory):
            pending = undiscovered.get(g)
            if not pending:
                continue
            keep = []
            for case in pending:
                if case.t_discovered == case.t_discovered:
                    continue
                if case.t_created > until:
                    keep.append(case)
                    continue
                if not case.latent and rng.random() < self.patrol_detection:
                    found.append(case)
                else:
                    keep.append(case)
            undiscovered[g] = keep
        return found
