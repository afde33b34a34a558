"""What the township arrangements ``fixed_offices`` (三定) and ``zone_line`` (片线结合) share.

Seed 000 (褚明浩 2022, "片线结合", 溪镇) compares two ways of organising the same
township cadres.  Both keep the rest of the baseline: villages (村委会) settle
what they may and pass the rest up; the township leaders (the ``street_office``
unit: 党政领导) take every case in and either refer it to the district
departments it needs (the baseline's formal, one-at-a-time referral) or
assign it to a unit of township cadres, which does the work.  The two
arrangements differ only in the units (:meth:`TownshipArrangement.build_units`)
and in which unit a case goes to (:meth:`TownshipArrangement.unit_for`).

Both are driven by one parameter block, :class:`TownshipParams`, so that a
scenario switches between them by name at equal headcount: ``offices`` lists
the 三定 offices with their staff and the desk posts each keeps under
片线结合 (``retained``); ``zone_staff`` and ``lines`` say where the others go.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import ConfigDict, Field, model_validator

from governance_sim.agents.township_staff import Cadre, TownshipUnit
from governance_sim.arrangements.base import CoverUp, Decision, Handle, Refer, UnitKey
from governance_sim.arrangements.baseline import Baseline, BaselineParams
from governance_sim.arrangements.staff_matching import draw_cadres
from governance_sim.schema import ParamModel

TOWNSHIP_ROLES = ("township_office", "zone_team", "line_team")
CADRE_STREAM = 1_400  # salt of the cadre draw: every variant of a seed gets the same people


class _Block(ParamModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class OfficeDef(_Block):
    """A 三定 office (内设机构/站所) of the township."""

    name: str
    label: str = ""
    staff: int = Field(ge=0, description="cadres posted here under 三定")
    retained: int = Field(default=0, ge=0, description="desk posts it keeps under 片线结合 (行政机构)")
    village_share: float = Field(default=0.3, ge=0, le=1,
                                 description="share of its work that is village work (rest: desk)")

    @model_validator(mode="after")
    def _retained_le_staff(self) -> OfficeDef:
        if self.retained > self.staff:
            raise ValueError(f"office {self.name!r}: retained ({self.retained}) must be ≤ staff ({self.staff})")
        return self


class LineDef(_Block):
    """A 重点工作线 of 片线结合: a central task carried across the township."""

    name: str
    label: str = ""
    staff: int = Field(ge=0, description="cadres posted to this line")
    village_share: float = Field(default=0.6, ge=0, le=1)
    categories: list[str] = Field(default_factory=list, description="line-task categories it owns")


class TownshipParams(BaselineParams):
    """Parameters of ``fixed_offices`` and ``zone_line`` (assumptions unless a seed is cited)."""

    offices: list[OfficeDef] = Field(default_factory=list, description="the 三定 offices")
    zone_staff: int = Field(default=0, ge=0, description="cadres in 片 teams, split over the 片区")
    zone_village_share: float = Field(default=0.9, ge=0, le=1, description="片 work is village work")
    lines: list[LineDef] = Field(default_factory=list, description="the 线 teams")
    skill_effect: float = Field(default=0.3, ge=0, lt=1,
                                description="efficiency = 1 ± skill_effect from worst to best fit")
    assign_delay_h: float = Field(default=2.0, ge=0,
                                  description="working hours for the leaders to assign a case to a unit")
    paperwork_h: float = Field(default=1.0, ge=0, description="hours of ledgers per cadre per workday")
    admin_load_h: float = Field(default=2.0, ge=0,
                                description="hours per cadre per workday of tasks from above")
    # 片线结合
    selection: Literal["two_way", "random"] = Field(
        default="two_way", description="zone_line: posting by two-way selection or blind to skills")
    selection_noise: float = Field(default=0.2, ge=0,
                                   description="non-skill part of both sides' choices (ties, taste)")
    rebalance_every_days: int = Field(default=7, ge=0,
                                      description="zone_line: days between rebalancing of line staff (0 = never)")
    rebalance_moves: int = Field(default=3, ge=0, description="most line cadres moved per rebalancing")
    rebalance_threshold: float = Field(default=1.0, ge=0,
                                       description="move only if backlogs per head differ by more")
    min_line_staff: int = Field(default=1, ge=0, description="a line keeps at least this many cadres")
    # 三定: 临时抽调
    secondment_delay_days: float = Field(default=3.0, ge=0,
                                         description="working days from request to seconded staff at work")
    secondment_staff: int = Field(default=4, ge=0, description="cadres lent per request")
    secondment_max_share: float = Field(default=0.15, ge=0, le=1,
                                        description="most of the offices' staff on loan at once")
    secondment_trigger: float = Field(default=2.0, ge=0,
                                      description="backlog per head at which a task force asks for more")
    switching_cost: float = Field(default=0.3, ge=0, lt=1,
                                  description="efficiency lost by a seconded cadre (new work, old desk)")
    secondment_village_share: float = Field(default=0.5, ge=0, le=1,
                                            description="village share of a task force's work")
    min_office_staff: int = Field(default=1, ge=0, description="a lending office keeps at least this many")

    @model_validator(mode="after")
    def _unique_names(self) -> TownshipParams:
        for what, items in (("offices", self.offices), ("lines", self.lines)):
            names = [x.name for x in items]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"{what}: names must be unique, repeated: {dup}")
        return self

    # cross-checks against the scenario ------------------------------------------
    def check_scenario(self, sc) -> tuple[str, str] | None:
        """(field, message) for the first inconsistency with the scenario, or ``None``."""
        streets = sc.territory.streets
        n_streets = streets if isinstance(streets, int) else len(streets)
        if n_streets != 1:
            return "territory.streets", f"{self.name} models one 乡镇; got {n_streets} streets"
        offices = {o.name: o for o in self.offices}
        if not offices:
            return "arrangement.offices", f"{self.name} needs the township's 三定 offices"
        cats = sc.categories
        for cname, cat in cats.items():
            if cat.office is not None and cat.office not in offices:
                return f"categories.{cname}.office", f"unknown office {cat.office!r}; allowed: {sorted(offices)}"
        for line in self.lines:
            for cname in line.categories:
                if cname not in cats:
                    return f"arrangement.lines.{line.name}.categories", \
                        f"unknown category {cname!r}; allowed: {sorted(cats)}"
                if cats[cname].task_type != "line":
                    return f"categories.{cname}.task_type", \
                        f"line {line.name!r} owns it, so it must be 'line'; allowed: ['area', 'line', 'office']"
        if self.name == "zone_line":
            return self._check_zone_line(sc, offices)
        return self._check_fixed_offices(sc, offices)

    def _check_fixed_offices(self, sc, offices) -> tuple[str, str] | None:
        for cname, cat in sc.categories.items():
            if cat.office is not None and offices[cat.office].staff < 1:
                return f"arrangement.offices.{cat.office}.staff", \
                    f"must be ≥ 1: the office owns category {cname!r}"
        return None

    def _check_zone_line(self, sc, offices) -> tuple[str, str] | None:
        posts = sum(o.retained for o in offices.values()) + self.zone_staff + sum(x.staff for x in self.lines)
        staff = sum(o.staff for o in offices.values())
        if posts != staff:
            return "arrangement", (f"片线结合 re-posts the 三定 staff ({staff}): retained + zone_staff + "
                                   f"lines must equal it, got {posts}")
        types = {cat.task_type for cat in sc.categories.values()}
        if "area" in types:
            zones = min(sc.territory.zones_per_street, _community_count(sc))
            if zones < 1:
                return "territory.zones_per_street", "zone_line needs at least one 片区 for area tasks"
            if self.zone_staff < zones:
                return "arrangement.zone_staff", f"must be ≥ the number of 片区 ({zones})"
        if "line" in types and not any(x.staff for x in self.lines):
            return "arrangement.lines", "zone_line needs at least one line with staff for line tasks"
        for cname, cat in sc.categories.items():
            if cat.task_type != "office":
                continue
            if cat.office is None:
                return f"categories.{cname}.office", "an office task needs its owning office"
            if offices[cat.office].retained < 1:
                return f"arrangement.offices.{cat.office}.retained", \
                    f"must be ≥ 1: the office keeps office task {cname!r} under zone_line"
        return None


def _community_count(sc) -> int:
    t = sc.territory
    streets = t.streets if not isinstance(t.streets, int) else []
    if not streets:
        return t.communities_per_street
    c = streets[0].communities
    return c if isinstance(c, int) else len(c)


def split_by_weight(total: int, weights: list[float], floor: int = 0) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), each part ≥ ``floor``."""
    n = len(weights)
    if not n:
        return []
    base = [floor] * n
    rest = total - floor * n
    if rest < 0:
        raise ValueError(f"cannot give {n} parts at least {floor} from {total}")
    w = np.asarray(weights, dtype=float)
    w = w / w.sum() if w.sum() > 0 else np.full(n, 1.0 / n)
    exact = w * rest
    parts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - parts), kind="stable")[: rest - int(parts.sum())]:
        parts[i] += 1
    return [b + int(p) for b, p in zip(base, parts, strict=True)]


class TownshipArrangement(Baseline):
    """Common routing of the township arrangements (not registered itself)."""

    Params = TownshipParams

    def __init__(self, params: TownshipParams):
        super().__init__(params)
        self.township_units: list[TownshipUnit] = []
        self.transfers: list[tuple[float, str, str, int, str]] = []  # (t, from, to, cadre, why)

    # structure -----------------------------------------------------------------
    def setup(self, model) -> None:
        super().setup(model)  # whatever the baseline sets up (e.g. department staff sent down)
        sc = model.scenario
        self.category_specs = [sc.categories[c.name] for c in model.categories]
        self.office_index = {o.name: i for i, o in enumerate(self.params.offices)}
        rng = np.random.default_rng([sc.seed, CADRE_STREAM])
        cadres = draw_cadres(sum(o.staff for o in self.params.offices), rng)
        self.build_units(model, cadres, rng)
        for unit in self.township_units:
            model.add_unit(unit)

    def build_units(self, model, cadres: list[Cadre], rng: np.random.Generator) -> None:
        raise NotImplementedError

    def routine(self) -> dict[str, float]:
        return {"paperwork": self.params.paperwork_h, "admin": self.params.admin_load_h}

    def move(self, cadre: Cadre, src: TownshipUnit, dst: TownshipUnit, why: str, now: float) -> None:
        src.send(cadre, dst)
        self.transfers.append((now, f"{src.role}:{src.index}", f"{dst.role}:{dst.index}", cadre.id, why))

    # routing -------------------------------------------------------------------
    def route(self, case, at, model) -> Decision:
        kind = at[0]
        if kind in TOWNSHIP_ROLES:
            return Handle(at)
        if kind != "street_office":
            return super().route(case, at, model)
        cat = model.categories[case.category]
        if (case.latent and not case.eruption
                and model.random.random() < self.coverup_probability(case, model)):
            return CoverUp()
        if case.remaining_departments and not cat.street_authority:
            return self.refer_to_department(case, model)
        return Refer(self.unit_for(case, model), self.params.assign_delay_h, "assign")

    def unit_for(self, case, model) -> UnitKey:
        """The township unit that does the work of a case (the 人与事 rule of each arrangement)."""
        raise NotImplementedError

    # routines --------------------------------------------------------------------
    def on_day(self, model, day: int) -> None:
        if model.calendar.is_workday(day):
            for unit in self.township_units:
                unit.count_workday()
