"""网格员 — patrol their grids, fix minor problems on the spot, report the rest, fill forms."""

from __future__ import annotations

from governance_sim.agents.base import UnitAgent, patrol_detection


class GridWorker(UnitAgent):
    """网格员 — covers ``grids``; patrols daily and carries residents' reports into the system."""

    role = "grid_worker"

    def __init__(self, model, index: int, grids: list[int], spec, extra_routine: dict | None = None):
        routine = {"patrol": spec.patrol_hours, "paperwork": spec.paperwork_h, **(extra_routine or {})}
        super().__init__(model, f"网格员{index + 1}", 1, routine, spec.hours_per_day)
        self.index = index
        self.grids = grids
        self.detection_prob = spec.detection_prob
        self.latent_detection_prob = spec.latent_detection_prob
        self.intake_delay_h = spec.intake_delay_h
        self.base_patrol_h = spec.patrol_hours
        self.base_detection = (spec.detection_prob, spec.latent_detection_prob)
        self.scorecard = None  # set when the worker's reports are appraised (overlays.grid)

    def set_patrol_hours(self, hours: float) -> None:
        """Patrol ``hours`` a day, at most the post's hours plus the overtime cap; each base
        patrol's worth of hours is another look at each problem with the base odds (as a
        街巷长's).  Patrol hours are taken from the day before case work."""
        hours = self.set_patrol_routine(hours)
        self.detection_prob, self.latent_detection_prob = (
            patrol_detection(p, hours, self.base_patrol_h) for p in self.base_detection)

    def patrol(self, rng, undiscovered: dict[int, list], until: float) -> list:
        """One day's patrol (ending at ``until``): each unnoticed problem in my grids is seen with
        the detection probability (lower for latent hazards).  Returns the problems found."""
        found = []
        for g in self.grids:
            pending = undiscovered.get(g)
            if not pending:
                continue
            keep = []
            for case in pending:
                if case.t_discovered == case.t_discovered:  # already discovered (not NaN)
                    continue
                if case.t_created > until:  # arises after today's patrol
                    keep.append(case)
                    continue
                p = self.latent_detection_prob if case.latent else self.detection_prob
                if rng.random() < p:
                    found.append(case)
                else:
                    keep.append(case)
            undiscovered[g] = keep
        return found
