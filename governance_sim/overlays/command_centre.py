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
  a red grid's worker notices problems as if ``red_patrol_factor`` patrols went round; the next
  ``yellow_share`` are yellow and the next ``blue_share`` blue, each with its own patrol factor
  (the township's cadres join in a yellow grid; a blue grid is watched); the rest are green.

At full depth (``township_centre``, ``city_centre``; 「市县乡三级联动指挥体系」,
「设立县、乡治理现代化指挥中心」):

* **three levels, graded** — the township (street) office runs a centre at which some
  departments keep staff (``township_stationed``, 部门进驻 at the township: 派出所, 执法队,
  市场监管所 …); a case below ``command_min_severity`` whose departments are all stationed there
  is commanded by the township (the street office's staff spend ``command_effort_h``, the
  stationed staff are dispatched in ``dispatch_h``); one it cannot dispatch is passed up to the
  district; cases at least ``command_min_severity`` go to the district as before; with
  ``city_centre`` the gravest (``city_min_severity``, and eruptions) go to the city's centre
  (``city_staff``).  The city is the line ministries' own government, so a department queues
  a case the city commands as line work: ``city_line_weight`` of the gap between its
  vertical and its local priority is added;
* **跟踪问效 up the levels** — a commanded case still open ``track_days`` after its level took it
  up passes to the next level (township → district → city, where those exist), whose 督办 marks
  every department still owing a part: the district's as ``supervision``, the city's as a mark
  of the ``line_ministry`` (the city appraises the lines); at the top level it is supervised once
  more and stays there;
* **1053 工作法** (``ten_household_units``; seed 003: 十户联防、五级联动、三村联控) — every ten
  households (``unit_households``) choose a unit chief (网格长, 监控员 and 宣传员) who passes on
  what he sees in his unit: a grid's patrol notices a problem with
  1 − (1 − p)(1 − ``unit_detection_prob``) a day (latent hazards: ``unit_latent_detection_prob``).
  The five linked levels (包镇市领导, 镇干部, 村两委, 网格长, 个户) are the city and township
  levels above, the community office, the unit chiefs and the households.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from governance_sim.agents.base import UnitAgent
from governance_sim.arrangements.base import Coordinate, Refer
from governance_sim.cases import OPEN
from governance_sim.engine import HOURS_PER_DAY
from governance_sim.errors import ScenarioError
from governance_sim.overlays.base import Overlay, OverlayParams
from governance_sim.registry import register_overlay

# counts in the scenario hash only when set (added after scenarios were first hashed)
LATE = {"late": True}

# command levels: 乡镇/街道, 县/区, 市 (seed 003: 市县乡三级联动指挥体系)
TOWNSHIP, DISTRICT, CITY = 0, 1, 2
LEVEL_REASON = {TOWNSHIP: "command_township", DISTRICT: "command", CITY: "command_city"}


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
    yellow_share: float = Field(default=0.0, ge=0, le=1,
                                description="share of grids rated yellow each month, after the red ones "
                                            "(四色网格; 0 = red and green only; assumption)", json_schema_extra=LATE)
    yellow_patrol_factor: float = Field(default=1.5, ge=1, le=10,
                                        description="patrols' worth of attention a yellow grid gets (the "
                                                    "township's cadres join; assumption)", json_schema_extra=LATE)
    blue_share: float = Field(default=0.0, ge=0, le=1,
                              description="share of grids rated blue each month, after the yellow ones "
                                          "(watched; assumption)", json_schema_extra=LATE)
    blue_patrol_factor: float = Field(default=1.0, ge=1, le=10,
                                      description="patrols' worth of attention a blue grid gets (assumption)", json_schema_extra=LATE)
    township_centre: bool = Field(default=False,
                                  description="the township (street) runs its own command centre (seed 003: "
                                              "设立县、乡治理现代化指挥中心)", json_schema_extra=LATE)
    township_stationed: list[str] = Field(default_factory=list,
                                          description="departments with staff stationed at the township centre "
                                                      "(部门进驻; which ones: assumption)", json_schema_extra=LATE)
    city_centre: bool = Field(default=False,
                              description="a city command level above the district (seed 003: 市县乡三级联动)", json_schema_extra=LATE)
    city_min_severity: int = Field(default=3, ge=1, le=3,
                                   description="least severe case the city commands, besides eruptions "
                                               "(分级指挥; assumption)", json_schema_extra=LATE)
    city_staff: int = Field(default=10, ge=1, le=500, description="staff of the city's command centre "
                                                                 "(assumption)", json_schema_extra=LATE)
    city_line_weight: float = Field(default=1.0, ge=0, le=1,
                                    description="share of the gap between a department's vertical and local "
                                                "priority that a city command closes (the city appraises the "
                                                "lines; assumption)", json_schema_extra=LATE)
    ten_household_units: bool = Field(default=False,
                                      description="the 1053 method: a unit chief for every ten households "
                                                  "(seed 003: 十户联防、五级联动、三村联控)", json_schema_extra=LATE)
    unit_households: int = Field(default=10, ge=2, le=100,
                                 description="households per unit (seed 003: 以十户为一个单元)", json_schema_extra=LATE)
    unit_detection_prob: float = Field(default=0.1, ge=0, le=1,
                                       description="daily chance a unit chief notices and passes on a visible "
                                                   "problem in his unit (assumption)", json_schema_extra=LATE)
    unit_latent_detection_prob: float = Field(default=0.02, ge=0, le=1,
                                              description="the same for a latent hazard (人防、物防; assumption)", json_schema_extra=LATE)

    @model_validator(mode="after")
    def _colours_fit(self):
        if self.red_share + self.yellow_share + self.blue_share > 1.0 + 1e-9:
            raise ValueError("red_share + yellow_share + blue_share must be at most 1")
        return self


def red_grids(open_per_household: np.ndarray, share: float) -> np.ndarray:
    """Indices of the worst ``share`` of grids by open cases per household (ties by index)."""
    k = int(round(share * len(open_per_household)))
    if k <= 0:
        return np.array([], dtype=int)
    order = np.lexsort((np.arange(len(open_per_household)), -open_per_household))
    return np.sort(order[:k])


def grid_colours(open_per_household: np.ndarray, shares: tuple[float, float, float]) -> np.ndarray:
    """四色网格: 0 red, 1 yellow, 2 blue, 3 green — the worst ``shares[0]`` of grids by open
    cases per household red, the next ``shares[1]`` yellow, the next ``shares[2]`` blue (ties by
    index), the rest green."""
    n = len(open_per_household)
    colours = np.full(n, 3, dtype=int)
    order = np.lexsort((np.arange(n), -open_per_household))
    start = 0
    for colour, share in enumerate(shares):
        k = min(int(round(share * n)), n - start)
        colours[order[start:start + k]] = colour
        start += k
    return colours


class CityCommand(UnitAgent):
    """市级指挥中心 — the city's command level (seed 003)."""

    role = "city_command"

    def __init__(self, model, staff: int):
        super().__init__(model, "市指挥中心", staff)
        self.index = 0


@register_overlay
class CommandCentre(Overlay):
    """指挥中心 — stationed departments, graded command, tracking, four-colour grids."""

    name = "command_centre"
    label = "市域社会治理指挥中心"
    Params = CommandCentreParams

    def adjust_scenario(self, scenario):
        names = [d.name for d in scenario.territory.departments]
        unknown = [n for n in self.params.township_stationed if n not in names]
        if unknown:
            raise ScenarioError("overlays.command_centre.township_stationed",
                                f"unknown department {unknown[0]!r}; allowed: {sorted(names)}")
        return scenario

    def setup(self, model) -> None:
        p = self.params
        self.commanded: dict[int, float] = {}  # case id → when its current level took it up
        self.supervised: set[int] = set()
        self.level: dict[int, int] = {}  # case id → the level commanding it (levelled centres only)
        self.escalated = 0
        self.levelled = p.township_centre or p.city_centre
        if p.ten_household_units:
            self._ten_household_units(model)
        self.base_detection = [(w.detection_prob, w.latent_detection_prob) for w in model.grid_workers]
        self.red: np.ndarray = np.array([], dtype=int)
        self.colours: np.ndarray = np.array([], dtype=int)
        self.households = np.array([g.households for g in model.territory.grids], dtype=float)
        names = {d.name: d.index for d in model.departments}
        self.stationed = frozenset(names[n] for n in p.township_stationed)
        self.township_on = p.township_centre and model.has_street_layer
        if p.city_centre:
            model.add_unit(CityCommand(model, p.city_staff))

    def _ten_household_units(self, model) -> None:
        """1053: a unit chief in every ten households passes on what he sees to the grid worker."""
        p = self.params
        self.unit_chiefs = int(sum(-(-g.households // p.unit_households) for g in model.territory.grids))
        for w in model.grid_workers:
            w.detection_prob = 1.0 - (1.0 - w.detection_prob) * (1.0 - p.unit_detection_prob)
            w.latent_detection_prob = 1.0 - (1.0 - w.latent_detection_prob) * (1.0 - p.unit_latent_detection_prob)

    # ------------------------------------------------------------------ 分级指挥
    def grade(self, case, model) -> int | None:
        """The level that commands ``case`` (None: the arrangement's own routing)."""
        p = self.params
        if case.id in self.level:
            return self.level[case.id]
        if p.city_centre and (case.severity >= p.city_min_severity or case.eruption):
            return CITY
        if case.severity >= p.command_min_severity:
            return DISTRICT
        if self.township_on:  # the township dispatches what is stationed with it, passes up the rest
            return TOWNSHIP if set(case.remaining_departments) <= self.stationed else DISTRICT
        return None

    def route(self, case, at, model):
        p = self.params
        coordinator = ("street_office", case.street) if model.has_street_layer else ("community_office",
                                                                                    case.community)
        if at != coordinator or case.whistled or not case.remaining_departments:
            return None
        cat = model.categories[case.category]
        if not self.levelled:
            if cat.street_authority or case.severity < p.command_min_severity:
                return None
        elif cat.street_authority:
            return None
        arr = model.arrangement
        if arr.summoning_power and hasattr(arr, "should_whistle") and arr.should_whistle(case, model):
            return None  # the whistle commands it
        if not self.levelled:
            self.commanded.setdefault(case.id, model.now)
            d = arr.next_department(case)
            return Coordinate(("district_center", 0), p.command_effort_h,
                              Refer(("department", d), p.dispatch_h, "command"))
        level = self.grade(case, model)
        if level is None:
            return None
        self.commanded.setdefault(case.id, model.now)
        self.level.setdefault(case.id, level)
        centre = {TOWNSHIP: ("street_office", case.street), DISTRICT: ("district_center", 0),
                  CITY: ("city_command", 0)}[level]
        d = arr.next_department(case)
        return Coordinate(centre, p.command_effort_h, Refer(("department", d), p.dispatch_h, LEVEL_REASON[level]))

    def priority_bonus(self, case, unit_key, model) -> float:
        """A department queues what the city commands as line work (the city appraises the lines)."""
        if unit_key[0] != "department" or self.level.get(case.id) != CITY:
            return 0.0
        dept = model.departments[unit_key[1]]
        street = case.street if case.street >= 0 else 0
        local = dept.local_priority + dept.street_weight[street]
        return self.params.city_line_weight * max(0.0, dept.vertical_priority - local)

    # ------------------------------------------------------------------ 跟踪问效
    def on_day(self, model, day: int) -> None:
        limit = self.params.track_days * HOURS_PER_DAY
        now = model.now
        top = CITY if self.params.city_centre else DISTRICT
        for cid, t in self.commanded.items():
            if cid in self.supervised or now - t < limit:
                continue
            case = model.cases[cid]
            if case.status != OPEN:
                continue
            street = case.street if case.street >= 0 else 0
            level = self.level.get(cid, DISTRICT)
            if self.levelled and level < top:  # passed up: the next level takes over and supervises
                level += 1
                self.level[cid] = level
                self.commanded[cid] = now  # the same key: the dict keeps its size
                self.escalated += 1
            else:
                self.supervised.add(cid)
            appraiser = "line_ministry" if level == CITY else "supervision"
            for d in case.remaining_departments:
                model.departments[d].scorecard.mark(appraiser, ("local", street), 0.0)

    # ------------------------------------------------------------------ 四色网格
    def on_month(self, model, month: int) -> None:
        open_cases = np.zeros(len(self.households))
        for case in model.cases:
            if case.status == OPEN and case.t_reported == case.t_reported:
                open_cases[case.grid] += 1
        p = self.params
        if p.yellow_share or p.blue_share:
            self._colour(open_cases / np.maximum(self.households, 1.0), model)
            return
        self.red = red_grids(open_cases / np.maximum(self.households, 1.0), self.params.red_share)
        red = set(self.red.tolist())
        factor = self.params.red_patrol_factor
        for worker, (p, latent) in zip(model.grid_workers, self.base_detection, strict=True):
            if red.intersection(worker.grids):
                worker.detection_prob = 1.0 - (1.0 - p) ** factor
                worker.latent_detection_prob = 1.0 - (1.0 - latent) ** factor
            else:
                worker.detection_prob, worker.latent_detection_prob = p, latent

    def _colour(self, open_per_household: np.ndarray, model) -> None:
        """Four colours: a worker's grids get the attention of the worst colour among them."""
        p = self.params
        self.colours = grid_colours(open_per_household, (p.red_share, p.yellow_share, p.blue_share))
        self.red = np.flatnonzero(self.colours == 0)
        factors = (p.red_patrol_factor, p.yellow_patrol_factor, p.blue_patrol_factor, 1.0)
        for worker, (det, latent) in zip(model.grid_workers, self.base_detection, strict=True):
            factor = factors[int(self.colours[worker.grids].min())]
            worker.detection_prob = 1.0 - (1.0 - det) ** factor
            worker.latent_detection_prob = 1.0 - (1.0 - latent) ** factor

    def summary(self, model) -> dict[str, float]:
        out = {"commanded_cases": len(self.commanded), "command_supervisions": len(self.supervised),
               "red_grids": len(self.red)}
        p = self.params
        if p.yellow_share or p.blue_share:
            for colour, name in enumerate(("yellow", "blue", "green"), start=1):
                out[f"{name}_grids"] = int((self.colours == colour).sum())
        if self.levelled:
            levels = list(self.level.values())
            out.update({"commanded_township": levels.count(TOWNSHIP) if self.township_on else 0,
                        "commanded_city": levels.count(CITY), "command_escalations": self.escalated})
        if p.ten_household_units:
            out["unit_chiefs"] = self.unit_chiefs
        return out
