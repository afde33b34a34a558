"""街巷长 — a street cadre responsible for a set of lanes (seed 000, Beijing).

Daily lane patrol (日巡), 小微执法 on micro-enforceable problems where the
arrangement grants it, and monthly two-way ratings with departments.
"""

from __future__ import annotations

from governance_sim.agents.base import UnitAgent


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
        self.ratings_given: list[tuple[int, float]] = []

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
                if not case.latent and rng.random() < self.detection_prob:
                    found.append(case)
                else:
                    keep.append(case)
            undiscovered[g] = keep
        return found
