"""``command_centre`` — 市域社会治理现代化指挥中心: stationed departments, graded command, tracking.

Source: seed 003 (a city's 市县乡三级联动指挥体系; 「建设“部门进驻、联席会议、分级指挥、应急响应、
跟踪问效”等闭环工作流程」; 「推行“部门+网格”工作模式,部署开展红蓝黄绿“四色网格”创建活动」).  The seed
names the practices; every number is an assumption.

Mechanisms:

* **部门进驻 and 分级指挥** — departments keep liaison staff at the district centre.  A case
  at the street (or the community where there is no street) that needs a department and is
  at least ``command_min_severity`` is commanded by the centre: its staff spend
  ``command_effort_h`` on it (a span-of-control queue), and the stationed liaison dispatches
  it to the department in ``dispatch_h`` instead of a formal referral.  Milder cases follow
  the arrangement's routing (the township's own level); cases the arrangement whistles for
  stay with the whistle;
* **跟踪问效** — a commanded case still open ``track_days`` after the centre took it up is
  supervised: every department still owing a part gets a 督办 mark (score 0) from the
  district in its scorecard, which moves its priority for that street as appraisal does;
* **四色网格** — each month grids are ranked by open reported cases per household; the worst
  ``red_share`` are red, and departments join the grid workers' patrols there (部门+网格):
  a red grid's worker notices problems as if ``red_patrol_factor`` patrols went round.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from governance_sim.arrangements.base import Coordinate, Refer
from governance_sim.cases import OPEN
from governance_sim.engine import HOURS_PER_DAY
from governance_sim.overlays.base import Overlay, OverlayParams
from governance_sim.registry import register_overlay


class CommandCentreParams(OverlayParams):
    """The centre's command, tracking and grid ratings (seed 003 names them; values assumptions)."""

    command_min_severity: int = Field(default=2, ge=1, le=3,
                                      description="least severe case the centre commands (分级指挥; assumption)")
    command_effort_h: float = Field(default=0.5, ge=0, le=8,
                                    description="centre staff-hours to take up and dispatch one case (assumption)")
    dispatch_h: float = Field(default=2.0, ge=0, le=80,
                              description="working hours for a stationed liaison to dispatch to its department "
                                          "(部门进驻; assumption)")
    track_days: float = Field(default=7.0, gt=0, le=365,
                              description="days after which a commanded case still open is supervised "
                                          "(跟踪问效; assumption)")
    red_share: float = Field(default=0.1, ge=0, le=1,
                             description="share of grids rated red each month (四色网格; assumption)")
    red_patrol_factor: float = Field(default=2.0, ge=1, le=10,
                                     description="patrols' worth of attention a red grid gets (部门+网格; "
                                                 "assumption)")


def red_grids(open_per_household: np.ndarray, share: float) -> np.ndarray:
    """Indices of the worst ``share`` of grids by open cases per household (ties by index)."""
    k = int(round(share * len(open_per_household)))
    if k <= 0:
        return np.array([], dtype=int)
    order = np.lexsort((np.arange(len(open_per_household)), -open_per_household))
    return np.sort(order[:k])


@register_overlay
class CommandCentre(Overlay):
    """指挥中心 — stationed departments, graded command, tracking, four-colour grids."""

    name = "command_centre"
    label = "市域社会治理指挥中心"
    Params = CommandCentreParams

    def setup(self, model) -> None:
        self.commanded: dict[int, float] = {}  # case id → when the centre took it up
        self.supervised: set[int] = set()
        self.base_detection = [(w.detection_prob, w.latent_detection_prob) for w in model.grid_workers]
        self.red: np.ndarray = np.array([], dtype=int)
        self.households = np.array([g.households for g in model.territory.grids], dtype=float)

    # ------------------------------------------------------------------ 分级指挥
    def route(self, case, at, model):
        p = self.params
        coordinator = ("street_office", case.street) if model.has_street_layer else ("community_office",
                                                                                    case.community)
        if at != coordinator or case.whistled or not case.remaining_departments:
            return None
        cat = model.categories[case.category]
        if cat.street_authority or case.severity < p.command_min_severity:
            return None
        arr = model.arrangement
        if arr.summoning_power and hasattr(arr, "should_whistle") and arr.should_whistle(case, model):
            return None  # the whistle commands it
        self.commanded.setdefault(case.id, model.now)
        d = arr.next_department(case)
        return Coordinate(("district_center", 0), p.command_effort_h,
                          Refer(("department", d), p.dispatch_h, "command"))

    # ------------------------------------------------------------------ 跟踪问效
    def on_day(self, model, day: int) -> None:
        limit = self.params.track_days * HOURS_PER_DAY
        now = model.now
        for cid, t in self.commanded.items():
            if cid in self.supervised or now - t < limit:
                continue
            case = model.cases[cid]
            if case.status != OPEN:
                continue
            self.supervised.add(cid)
            street = case.street if case.street >= 0 else 0
            for d in case.remaining_departments:
                model.departments[d].scorecard.mark("supervision", ("local", street), 0.0)

    # ------------------------------------------------------------------ 四色网格
    def on_month(self, model, month: int) -> None:
        open_cases = np.zeros(len(self.households))
        for case in model.cases:
            if case.status == OPEN and case.t_reported == case.t_reported:
                open_cases[case.grid] += 1
        self.red = red_grids(open_cases / np.maximum(self.households, 1.0), self.params.red_share)
        red = set(self.red.tolist())
        factor = self.params.red_patrol_factor
        for worker, (p, latent) in zip(model.grid_workers, self.base_detection, strict=True):
            if red.intersection(worker.grids):
                worker.detection_prob = 1.0 - (1.0 - p) ** factor
                worker.latent_detection_prob = 1.0 - (1.0 - latent) ** factor
            else:
                worker.detection_prob, worker.latent_detection_prob = p, latent

    def summary(self, model) -> dict[str, float]:
        return {"commanded_cases": len(self.commanded), "command_supervisions": len(self.supervised),
                "red_grids": len(self.red)}
