"""``extra_staff`` — 因事设岗: more people in named units, no change of mechanism (MODEL.md §5).

Adds staff to units after they are built; routing, authority, appraisal and
every other rule stay as the arrangement sets them.  Added grid workers patrol
too: a grid team of n workers notices a problem with 1 − (1 − p)^n a day.
Sources: seed 001 (「過去“因事設崗”的行政方式已不適應新的任務」; Pinggu's mine guards
grew 「從最初的十幾人不斷增加到50人,但盜挖行為卻愈演愈烈」) — claim 1 of MODEL.md §7.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from governance_sim.overlays.base import Overlay, OverlayParams
from governance_sim.registry import register_overlay
from governance_sim.scenario import ScenarioError

Added = Annotated[int, Field(ge=0, le=10_000)]


class ExtraStaffParams(OverlayParams):
    """Staff added to each unit of a kind (or to departments by name)."""

    departments: dict[str, Added] = Field(
        default_factory=dict, description="department name → staff added, e.g. {urban_mgmt: 14}")
    street_office: Added = Field(default=0, description="staff added to every street office")
    community_office: Added = Field(default=0, description="staff added to every community office")
    grid_worker: Added = Field(default=0, description="workers added to every grid team (they patrol too)")
    district_center: Added = Field(default=0, description="staff added to the 区指挥中心")


def add_staff(unit, n: int) -> None:
    """Give a unit ``n`` more servers; free at once, since no work has started yet."""
    unit.workforce.add_staff(n)


@register_overlay
class ExtraStaff(Overlay):
    """因事设岗 — more staff where named, nothing else changes."""

    name = "extra_staff"
    label = "因事设岗"
    Params = ExtraStaffParams

    def adjust_scenario(self, scenario):
        known = [d.name for d in scenario.territory.departments]
        for name in self.params.departments:
            if name not in known:
                raise ScenarioError(f"overlays.extra_staff.departments.{name}",
                                    f"unknown department; allowed: {known}")
        return scenario

    def setup(self, model) -> None:
        p = self.params
        index = {d.name: d for d in model.departments}
        for name, n in p.departments.items():
            add_staff(index[name], n)
        for units, n in ((model.street_offices, p.street_office),
                         (model.community_offices, p.community_office),
                         ([model.district_center], p.district_center)):
            for unit in units if n else ():
                add_staff(unit, n)
        if p.grid_worker:
            for worker in model.grid_workers:
                add_staff(worker, p.grid_worker)
                team = worker.staff
                worker.detection_prob = 1.0 - (1.0 - worker.detection_prob) ** team
                worker.latent_detection_prob = 1.0 - (1.0 - worker.latent_detection_prob) ** team

    def summary(self, model) -> dict[str, float]:
        p = self.params
        added = sum(p.departments.values())
        added += p.street_office * len(model.street_offices)
        added += p.community_office * len(model.community_offices)
        added += p.grid_worker * len(model.grid_workers) + p.district_center
        return {"extra_staff_added": added}
