"""Scenario files: the pydantic schema, YAML loading, named variants and ``key=value`` overrides.

A scenario is one territory + one arrangement (体制机制) + parameters.  Files are
YAML; every field has a documented default so a scenario only states what
differs.  Errors are collected into a single :class:`ScenarioError` that names
the dotted field and what is allowed, so the CLI can print one clear line.
"""

from __future__ import annotations

import contextvars
import copy
import hashlib
import json
import typing
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from governance_sim.demand import DEFAULT_START_DATE, DemandSpec, check_demand
from governance_sim.errors import ScenarioError
from governance_sim.groups import GroupSpec, check_groups
from governance_sim.registry import ARRANGEMENTS, OVERLAYS
from governance_sim.safe_yaml import MAX_DEPTH, load_file, load_value
from governance_sim.schedule import ScheduleEntry, check_schedule
from governance_sim.schema import SEED_LIMIT, ParamModel, Weights


class Strict(ParamModel):
    """Base for every scenario block: unknown keys are errors (catches typos), numbers finite
    and within range, ``true`` is not a number (see :mod:`governance_sim.schema`)."""


# --------------------------------------------------------------------------- territory


class CommunityDef(Strict):
    """An explicitly listed community (社区/村)."""

    name: str
    population: int = Field(gt=0)


class StreetDef(Strict):
    """An explicitly listed street or township (街道/乡镇)."""

    name: str
    communities: Annotated[int, Field(ge=1)] | Annotated[list[CommunityDef], Field(min_length=1)] = Field(
        default=20, description="count of communities (≥ 1), or an explicit list"
    )
    population: int | None = Field(
        default=None, gt=0, description="people; defaults to an equal share of the territory"
    )


class DepartmentDef(Strict):
    """A district functional department (职能部门, the 条)."""

    name: str = Field(description="short identifier used by categories, e.g. 'urban_mgmt'")
    label: str = Field(default="", description="Chinese name, e.g. 城管执法局")
    staff: int = Field(default=10, ge=1, le=100_000, description="staff serving this territory")
    vertical_tasks_per_day: float = Field(
        default=2.0, ge=0, le=10_000, description="line-ministry work items per workday (条条任务)"
    )
    vertical_effort_h: float = Field(default=3.0, gt=0, description="mean hours per vertical item")
    enforcement: bool = Field(default=True, description="holds enforcement power (执法权)")


class TerritorySpec(Strict):
    """区 → 街道/乡镇 → 社区/村 → 网格, with optional 片区 (zones) and 街巷 (lanes)."""

    district: str = "district"
    streets: Annotated[int, Field(ge=1)] | Annotated[list[StreetDef], Field(min_length=1)] = Field(
        default=1, description="count of streets (≥ 1) or explicit list")
    communities_per_street: int = Field(default=20, ge=1)
    population: int = Field(default=100_000, gt=0, description="people in the territory")
    household_size: float = Field(default=2.62, ge=1, le=20, description="people per household; 2020 census (seed 002)")
    households_per_grid: int = Field(default=400, ge=1, description="网格 size in households")
    zones_per_street: int = Field(default=0, ge=0, description="片区 per street (0 = none)")
    grids_per_lane: int = Field(default=0, ge=0, description="grids per 街巷 (0 = no lanes)")
    departments: list[DepartmentDef] = Field(default_factory=list)
    source: str | None = Field(
        default=None,
        description="file of places (CSV, or GeoJSON/GeoPackage/Shapefile with the geo extra), "
                    "relative to the scenario file; replaces streets and population",
    )
    select: str | int | None = Field(
        default=None, description="id of one district of a source file that lists several (a city)")
    adjacency: Literal["auto", "geometry", "column", "lattice"] = Field(
        default="auto",
        description="neighbouring communities of a source file: shared borders (geometry), the "
                    "'adjacent' column, or a schematic lattice; auto = the first the file has",
    )

    @model_validator(mode="after")
    def _unique_departments(self) -> TerritorySpec:
        names = [d.name for d in self.departments]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"department names must be unique, repeated: {sorted(dup)}")
        return self


class CitySpec(Strict):
    """The city level (市): what sits above the districts of a territory file with several.

    Used only when ``territory.source`` lists more than one district (and no
    ``territory.select``); see :mod:`governance_sim.city`.
    """

    name: str = Field(default="", description="name of the city (default: the file's city row)")
    departments: list[DepartmentDef] = Field(
        default_factory=list,
        description="municipal departments (市级职能部门), one set for the whole city beside each "
                    "district's own; categories may name them")
    reference_population: int | None = Field(
        default=None, gt=0,
        description="people that territory.departments' staff and vertical tasks are written for; each "
                    "district's departments get them in proportion to its population (None: every "
                    "district gets them as written)")
    partition: Literal["none", "districts"] = Field(
        default="none",
        description="'districts': run the city as one model per district, in parallel, coupled by the "
                    "municipal 12345's monthly city-wide ranking; municipal seats and departments are "
                    "shared out by population (governance_sim.partition); 'none': one model")
    municipal_center_staff: int = Field(default=0, ge=0, le=100_000,
                                        description="seats of the municipal 12345 centre (市民热线服务中心); "
                                                    "overlays.municipal_hotline.seats sets it")


# --------------------------------------------------------------------------- cases


class CategorySpec(Strict):
    """A case category (诉求/事件类别): how often it arises, who must act, how long it takes."""

    label: str = Field(default="", description="Chinese name, e.g. 环境卫生")
    rate: float = Field(ge=0, le=100_000, description="problems per 1,000 people per year")
    effort_h: float = Field(default=3.0, gt=0, le=10_000, description="median hours of work per department")
    effort_sigma: float = Field(default=0.5, ge=0, le=3,
                                description="lognormal sigma of effort (≤ 3: the top 0.1 % stays within about "
                                            "10,000 × the median)")
    departments: list[str] = Field(
        default_factory=list, description="departments whose action is required"
    )
    latent: bool = Field(default=False, description="seen by no resident until it erupts")
    erupt_days: float = Field(default=120.0, gt=0, le=36_500,
                              description="mean days until a latent problem erupts")
    micro_enforceable: bool = Field(default=False, description="小微执法 possible on the spot")
    patrol_visible: bool = Field(default=True, description="a patrol can notice it")
    community_authority: bool = Field(default=False, description="community may settle it alone")
    street_authority: bool = Field(default=False, description="street may settle it alone")
    mediation: bool = Field(default=False, description="settled by mediation (调解)")
    severity_weights: Annotated[tuple[float, float, float], Weights] = Field(
        default=(0.6, 0.3, 0.1), description="probabilities of severity 1, 2, 3"
    )
    start_day: int = Field(default=0, ge=0, description="first day it arises (a task shock starts later)")
    end_day: int | None = Field(default=None, ge=0, description="last day it arises (None = to the end)")
    task_type: Literal["area", "line", "office"] = Field(
        default="area",
        description="片线结合 (seed 000): place-based work of a 片 (area), a central task of a 线 (line), "
                    "or desk work kept in an office (office)",
    )
    office: str | None = Field(
        default=None, description="三定 office that owns it in a township (None = no office: a new task type)"
    )
    duty_holders: list[str] | None = Field(
        default=None,
        description="units the 权责清单 names responsible (department names, 'street', 'community'); two or "
                    "more = overlapping duties (职责交叉, seed 001); None = not on the list. Read only where "
                    "the arrangement has published the lists (arrangement.duty_lists)",
    )
    severity_growth_days: float = Field(
        default=60.0, gt=0, description="a latent hazard grows one severity step per this many days until "
                                         "found or erupted (assumption)")
    eruption_trust_loss: float = Field(
        default=0.05, ge=0, le=1, description="share of its trust each household of the community loses when "
                                              "a hazard erupts there (assumption)")


# --------------------------------------------------------------------------- roles


class CalendarSpec(Strict):
    """Working calendar: workdays, office hours and the daily overtime cap."""

    workday_start_h: float = Field(default=9.0, ge=0, lt=24)
    workday_hours: float = Field(default=8.0, gt=0, le=16)
    workdays_per_week: int = Field(default=5, ge=1, le=7)
    overtime_cap_h: float = Field(default=2.0, ge=0, le=8, description="extra hours a day at most")

    @model_validator(mode="after")
    def _fits_in_day(self) -> CalendarSpec:
        if self.workday_start_h + self.workday_hours + self.overtime_cap_h > 24:
            raise ValueError("workday_start_h + workday_hours + overtime_cap_h must be ≤ 24")
        return self


DEFAULT_CHANNEL_COSTS = {"hotline": 0.15, "grid_worker": 0.2, "community": 0.25, "street": 0.4,
                         "petition": 0.6}  # assumption: ordered by the effort a report takes


class ResidentSpec(Strict):
    """居民 (households): trust, patience, reporting and channel choice."""

    trust0: float = Field(default=0.5, ge=0, le=1, description="mean initial trust")
    trust_sd: float = Field(default=0.15, ge=0, le=1, description="spread of initial trust")
    trust_lr: float = Field(default=0.3, ge=0, le=1, description="step of trust toward a rating")
    patience_h: float = Field(default=120.0, gt=0, description="mean hours a household waits calmly")
    severity_value: tuple[float, float, float] = Field(
        default=(0.6, 0.9, 1.2),
        description="worth to a household of having a severity 1, 2, 3 problem dealt with, in units of "
                    "channel cost (assumption: at trust 0.5 through the community office it gives "
                    "P(report) 0.55 / 0.69 / 0.80, the model's earlier reporting shares)")
    channel_costs: dict[Literal["hotline", "grid_worker", "community", "street", "petition"], float] = Field(
        default_factory=lambda: dict(DEFAULT_CHANNEL_COSTS),
        description="cost to a household of reporting through each channel (assumption, ordered by "
                    "effort: a phone call < telling the grid worker < a visit to the community office "
                    "< a trip to the street office < a petition); channels not named keep their default")
    report_noise: float = Field(
        default=0.25, gt=0,
        description="spread (logistic scale) of households' own reporting costs: P(report) = "
                    "1 / (1 + exp(−(trust·value − cost) / report_noise)) (assumption)")
    report_delay_h: float = Field(default=24.0, ge=0, description="mean hours before a household reports")
    channels: Annotated[dict[Literal["hotline", "grid_worker", "community", "street", "petition"], float],
                        Weights] = Field(
        default_factory=lambda: {
            "hotline": 0.45, "grid_worker": 0.25, "community": 0.22, "street": 0.06, "petition": 0.02,
        },
        description="relative channel weights (each ≥ 0, sum > 0); hotline needs the hotline overlay",
    )
    p_rate: float = Field(default=0.8, ge=0, le=1, description="P(a reporting household rates)")

    @field_validator("channel_costs")
    @classmethod
    def _costs_complete(cls, costs: dict) -> dict:
        bad = {k: v for k, v in costs.items() if not v >= 0}
        if bad:
            raise ValueError(f"channel costs must be ≥ 0, got {bad}")
        return {**DEFAULT_CHANNEL_COSTS, **costs}

    @field_validator("severity_value")
    @classmethod
    def _values_nonnegative(cls, values: tuple) -> tuple:
        if not all(v >= 0 for v in values):
            raise ValueError(f"must be three values ≥ 0 (worth of severity 1, 2, 3), got {list(values)}")
        return values
    satisfied_threshold: float = Field(default=0.6, ge=0, le=1, description="rating ≥ this counts as 满意")
    p_repeat: float = Field(default=0.5, ge=0, le=1, description="P(re-report) when left unresolved")
    p_petition: float = Field(default=0.1, ge=0, le=1, description="P(petition 信访) when left unresolved")
    party_member_share: float = Field(default=0.06, ge=0, le=1, description="households with a party member")


class GridWorkerSpec(Strict):
    """网格员: patrols, on-the-spot handling, reporting up, paperwork."""

    grids_per_worker: int = Field(default=1, ge=1)
    hours_per_day: float = Field(default=8.0, gt=0, le=24)
    patrol_hours: float = Field(default=3.0, ge=0, description="hours of patrol per workday (≤ the working day)")
    detection_prob: float = Field(default=0.25, ge=0, le=1, description="P(a patrol notices a visible problem)")
    latent_detection_prob: float = Field(default=0.05, ge=0, le=1, description="P(a patrol notices a latent problem)")
    paperwork_h: float = Field(default=1.0, ge=0, description="hours of forms per workday")
    intake_delay_h: float = Field(default=2.0, ge=0, description="hours to log a report")


class OfficeSpec(Strict):
    """居委会/村委会, 街道办/乡镇政府 or 区指挥中心: staff and their time."""

    staff: int = Field(default=6, ge=0, le=100_000)
    paperwork_h: float = Field(default=1.5, ge=0, description="hours of ledgers per staff per workday (留痕) "
                               "that the inspections ask for; the office keeps them in full unless residents' "
                               "ratings weigh against them (docs/model.md, Appraisal)")
    intake_delay_h: float = Field(default=1.0, ge=0, description="working hours to accept a report")
    admin_load_h: float = Field(default=0.0, ge=0, description="hours/workday of tasks from above per staff")
    effort_factor: float = Field(default=1.0, gt=0, description="multiplies effort of tasks handled here")
    p_fix: float = Field(default=0.9, ge=0, le=1, description="P(handling here really fixes the problem)")
    veto_weight: float = Field(default=1.0, ge=0, le=5, description="weight of 一票否决 items (an eruption "
                               "traced to the office) in its appraisal; 0 = no veto, nothing to hide from (assumption: "
                               "a veto costs the whole year's appraisal)")
    fix_time_learning: float = Field(default=0.1, ge=0, le=1, description="step by which the office's expected "
                                     "time for departments to fix a case moves toward each case it sees fixed (assumption)")
    inspection_weight: float = Field(default=1.0, ge=0, le=5, description="weight of 检查评比 — the "
                                     "inspections that mark the office's ledgers against paperwork_h — in its "
                                     "appraisal (seed 000: 检查评比多、会议台账多; value assumption)")
    resident_rating_weight: float = Field(default=0.0, ge=0, le=5, description="weight of residents' ratings "
                                          "of the cases in the office's area in its appraisal (seed 002: 每月集体"
                                          "评议, 群众满意度测评); 0 = the office answers upward only, on the "
                                          "impression its ledgers make (seed 004: 印象政绩)")


class DepartmentRoleSpec(Strict):
    """Defaults for every 职能部门."""

    paperwork_h: float = Field(default=1.0, ge=0)
    vertical_priority: float = Field(default=1.0, description="priority of line-ministry tasks")
    local_priority: float = Field(default=0.4, description="priority of local referrals")
    p_fix: float = Field(default=0.95, ge=0, le=1, description="P(an action really fixes its part)")
    line_ministry_weight: float = Field(default=1.0, ge=0, le=5, description="weight of the line ministry's "
                                        "appraisal (vertical tasks done on time) in the scorecard (assumption; seed 004: "
                                        "考核 as 指挥棒)")
    supervision_weight: float = Field(default=0.3, ge=0, le=5, description="weight of district supervision "
                                      "(督办: summonses escalated after missed deadlines) (assumption)")
    veto_weight: float = Field(default=1.0, ge=0, le=5, description="weight of 一票否决 items (an eruption in the "
                               "department's field) (assumption)")
    vertical_deadline_days: float = Field(default=7.0, gt=0, description="days within which the line ministry "
                                          "counts a vertical task as on time (assumption: one week)")
    attention_sensitivity: float = Field(default=1.0, ge=0, le=10, description="priority per unit of weighted "
                                         "appraisal shortfall, for every appraised unit (assumption: a whole "
                                         "appraisal's shortfall is worth vertical_priority)")
    attention_inertia: float = Field(default=0.5, ge=0, le=1, description="share of last month's priority a "
                                     "unit keeps when it re-weights its work (assumption)")


class StreetChiefSpec(Strict):
    """街巷长: lane patrols and 小微执法 (seed 000, Beijing)."""

    per_street: int = Field(default=0, ge=0, description="街巷长 per street (0 = none)")
    patrol_hours: float = Field(default=2.0, ge=0)
    detection_prob: float = Field(default=0.3, ge=0, le=1)
    fix_effort_h: float = Field(default=0.5, gt=0)
    hours_per_day: float = Field(default=2.0, gt=0, le=24,
                                 description="hours a day spent as 街巷长 (a part-time post)")
    rating_weight: float = Field(default=1.0, ge=0, le=5, description="weight of the monthly rating by the "
                                 "street and residents in a chief's appraisal (seed 000: 每月对街巷长进行考核 … "
                                 "年终考核和提拔使用的重要依据; value assumption)")


class PartyBranchSpec(Strict):
    """党支部: volunteer mediation hours and member–household pairing."""

    volunteer_hours_per_week: float = Field(default=6.0, ge=0, le=168, description="per community branch")
    pairing_ratio: float = Field(default=0.0, ge=0, le=1000,
                                 description="households paired per party member (党员连心)")
    hidden_report_boost: float = Field(default=0.3, ge=0, le=1, description="P(a paired household surfaces a latent problem)")


class RolesSpec(Strict):
    resident: ResidentSpec = Field(default_factory=ResidentSpec)
    grid_worker: GridWorkerSpec = Field(default_factory=GridWorkerSpec)
    community_office: OfficeSpec = Field(default_factory=lambda: OfficeSpec(staff=8))
    street_office: OfficeSpec = Field(default_factory=lambda: OfficeSpec(staff=40))
    district_center: OfficeSpec = Field(default_factory=lambda: OfficeSpec(staff=10))
    department: DepartmentRoleSpec = Field(default_factory=DepartmentRoleSpec)
    street_chief: StreetChiefSpec = Field(default_factory=StreetChiefSpec)
    party_branch: PartyBranchSpec = Field(default_factory=PartyBranchSpec)


class MetricsSpec(Strict):
    """Deadlines used by the 三率 metrics."""

    response_deadline_h: float = Field(default=24.0, gt=0, description="响应率: first response within this")
    fast_response_h: float = Field(default=24.0, gt=0, description="first contact this fast pleases residents")


class LimitsSpec(Strict):
    """Upper bounds that keep one run within memory and time (not part of the scenario's hash).

    They guard against typos such as ``population: 1e12``.  To go beyond one on
    purpose, raise it in the scenario (``limits: {max_population: 20000000}``)
    or on the command line (``--set limits.max_population=20000000``).
    """

    max_population: int = Field(default=5_000_000, ge=1, le=10**12, description="people in the territory")
    max_communities: int = Field(default=20_000, ge=1, le=10**12, description="communities (社区/村) in the territory")
    max_grids: int = Field(default=50_000, ge=1, le=10**12, description="grids (网格): households / households_per_grid")
    max_expected_cases: int = Field(
        default=10_000_000, ge=1, le=10**15,
        description="problems expected over the run: Σ rate × population / 1,000 × days / 365",
    )
    max_events: int = Field(default=100_000_000, ge=1, le=10**15,
                            description="events one run may process before it is stopped")
    max_wall_s: float = Field(default=3600.0, gt=0, le=10**9, description="seconds one run may take before it is stopped")
    max_memory_gb: float | None = Field(
        default=None, gt=0, le=10**6,
        description="GB a run in one model may be estimated to need (households and expected problems, "
                    "governance_sim.experiments.memory.run_bytes) before it is refused; default (None): the "
                    "memory available when it starts")


# --------------------------------------------------------------------------- scenario


class Scenario(Strict):
    """One validated scenario.  ``arrangement`` and ``overlays`` hold the
    registered parameter models of the chosen 体制 and its overlays."""

    name: str
    description: str = ""
    days: int = Field(default=365, ge=1, le=3650, description="days counted after the warm-up")
    warmup_days: int = Field(
        default=30, ge=0, le=3650,
        description="days simulated before the counted ones (queues fill, trust moves); cases created "
                    "in them are left out of the summary (assumption: one monthly appraisal round)")
    seed: int = Field(default=0, ge=0, lt=SEED_LIMIT, description="random seed, 0 ≤ seed < 2**63")
    variant: str = Field(default="default", description="name of the applied variant")
    territory: TerritorySpec = Field(default_factory=TerritorySpec)
    categories: dict[str, CategorySpec]
    calendar: CalendarSpec = Field(default_factory=CalendarSpec)
    roles: RolesSpec = Field(default_factory=RolesSpec)
    metrics: MetricsSpec = Field(default_factory=MetricsSpec)
    start_date: date = Field(default=DEFAULT_START_DATE,
                             description="date of day 0 (a Monday): dates of events, months, holidays")
    demand: DemandSpec = Field(default_factory=DemandSpec,
                               description="seasons, days of the week, holidays, shocks (see demand.py)")
    limits: LimitsSpec = Field(default_factory=LimitsSpec)
    city: CitySpec | None = Field(default=None, description="the city level above several districts (市)")
    arrangement: Any
    overlays: dict[str, Any] = Field(default_factory=dict)
    variants: dict[str, dict[str, Any]] = Field(default_factory=dict)
    groups: dict[str, GroupSpec] = Field(default_factory=dict,
                                         description="household groups with their own trust, reporting, channels, "
                                                     "patience and problem rates (see groups.py); none = alike")
    schedule: list[ScheduleEntry] = Field(default_factory=list,
                                          description="changes at given days, for the whole territory or named "
                                                      "streets (a staggered roll-out; see schedule.py)")

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        known = {d.name for d in self.territory.departments}
        if self.city is not None:
            known |= {d.name for d in self.city.departments}
        for cname, cat in self.categories.items():
            for d in cat.departments:
                if d not in known:
                    raise _FieldError(
                        f"categories.{cname}.departments",
                        f"unknown department '{d}'; allowed: {sorted(known)}",
                    )
        if not self.categories:
            raise _FieldError("categories", "at least one case category is required")
        if self.territory.source is not None:
            from governance_sim.territory import check_source

            try:
                check_source(self.territory)
            except ScenarioError as exc:
                raise _FieldError(exc.field, exc.message) from None
        problem = check_demand(self)
        if problem:
            raise _FieldError(*problem)
        from governance_sim.city import check_city

        problem = check_city(self)
        if problem:
            raise _FieldError(*problem)
        _check_routine_hours(self)
        _check_limits(self)
        holders = known | {"street", "community"}
        for cname, cat in self.categories.items():
            for d in cat.duty_holders or ():
                if d not in holders:
                    raise _FieldError(f"categories.{cname}.duty_holders",
                                      f"unknown unit '{d}'; allowed: {sorted(holders)}")
        # an arrangement's parameters may cross-check the rest of the scenario: (field, message) or None
        check = getattr(self.arrangement, "check_scenario", None)
        problem = check(self) if check is not None else None
        if problem:
            raise _FieldError(*problem)
        problem = check_groups(self) or check_schedule(self)
        if problem:
            raise _FieldError(*problem)
        return self

    @property
    def scenario_hash(self) -> str:
        """Short content hash of everything that changes a run (not the variants table)."""
        payload = self.model_dump(mode="json", exclude={"variants", "variant", "description", "limits"})
        if self.territory.source is None:  # counts: the hash of scenarios from before territory files
            for key in ("source", "select", "adjacency"):
                payload["territory"].pop(key, None)
        else:  # the file's content, wherever it sits
            from governance_sim.places_data import load_places

            payload["territory"]["source"] = load_places(self.territory.source).digest
        # fields added later count only when set, so the hashes of older scenarios hold
        if self.start_date == DEFAULT_START_DATE:
            del payload["start_date"]
        if self.demand.is_default:
            del payload["demand"]
        _drop_late_defaults(payload["arrangement"], self.arrangement)
        for name, params in self.overlays.items():
            _drop_late_defaults(payload["overlays"][name], params)
        if not self.schedule:
            del payload["schedule"]
        if not self.groups:
            del payload["groups"]
        if self.city is None:
            del payload["city"]
        elif self.city.partition == "none":  # added later: the hashes of one-model cities hold
            del payload["city"]["partition"]
        order = ordered_keys(payload)
        if order:
            payload["order"] = order
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def with_overrides(self, overrides: dict[str, Any] | list[str] | None) -> Scenario:
        """A new scenario with dotted-path overrides applied and re-validated."""
        raw = self.model_dump(mode="json")
        raw = apply_overrides(raw, overrides or {})
        return validate_scenario(raw)


# mappings whose order changes a run: it numbers the categories and the household groups and
# sets the order overlays are asked in — JSON with sorted keys alone would lose it
ORDERED_MAPPINGS = ("categories", "overlays", "groups")


def ordered_keys(raw: dict) -> dict[str, list[str]]:
    """The key order of each of :data:`ORDERED_MAPPINGS` in a scenario mapping, where it is not
    already sorted (so that the hashes of scenarios written in sorted order are unchanged)."""
    out = {}
    for name in ORDERED_MAPPINGS:
        keys = list(raw.get(name) or {})
        if keys != sorted(keys):
            out[name] = keys
    return out


class _FieldError(ValueError):
    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(message)


def _check_routine_hours(sc: Scenario) -> None:
    """Routine duties per workday (paperwork, patrol, admin) must fit in the working day and its overtime."""
    day = sc.calendar.workday_hours + sc.calendar.overtime_cap_h
    roles = sc.roles
    routine = {
        "roles.grid_worker.patrol_hours + paperwork_h": roles.grid_worker.patrol_hours + roles.grid_worker.paperwork_h,
        "roles.department.paperwork_h": roles.department.paperwork_h,
        "roles.street_chief.hours_per_day": roles.street_chief.hours_per_day,
    }
    for office in ("community_office", "street_office", "district_center"):
        o = getattr(roles, office)
        routine[f"roles.{office}.paperwork_h + admin_load_h"] = o.paperwork_h + o.admin_load_h
    for field, hours in routine.items():
        if hours > day:
            raise _FieldError(field.split(" ")[0], f"{field} = {hours:g} h exceeds the working day and its "
                                                   f"overtime (calendar.workday_hours + overtime_cap_h = {day:g})")
    chief = roles.street_chief
    if chief.patrol_hours > chief.hours_per_day:
        raise _FieldError("roles.street_chief.patrol_hours",
                          f"{chief.patrol_hours:g} h exceeds the post's hours_per_day ({chief.hours_per_day:g})")


def territory_size(spec: TerritorySpec) -> tuple[int, int]:
    """(population, communities) a territory spec describes, before it is built."""
    if spec.source is not None:  # a territory file (checked before the limits): its own figures
        from governance_sim.places_data import load_places

        places = load_places(spec.source)
        if spec.select is not None and str(spec.select) in places.by_id:
            places = places.subtree(str(spec.select))
        roots = [p for p in places.places if p.parent is None]
        population = sum(places.population_of(p.id) for p in roots)
        communities = sum(len(places.children(s.id)) or s.communities or spec.communities_per_street
                          for s in places.streets)
        return population, communities
    if isinstance(spec.streets, int):
        return spec.population, spec.streets * spec.communities_per_street
    population, communities, unsized = 0, 0, 0
    for street in spec.streets:
        if isinstance(street.communities, int):
            communities += street.communities
        else:
            communities += len(street.communities)
        if street.population is not None:
            population += street.population
        elif isinstance(street.communities, list):
            population += sum(c.population for c in street.communities)
        else:
            unsized += 1
    return max(population, spec.population if unsized else 0), communities


def _check_limits(sc: Scenario) -> None:
    lim, t = sc.limits, sc.territory
    population, communities = territory_size(t)
    hint = "; raise it deliberately with limits.{0} (e.g. --set limits.{0}=N)"
    if population > lim.max_population:
        raise _FieldError("territory.population", f"{population:,} people exceeds limits.max_population = "
                                                  f"{lim.max_population:,}" + hint.format("max_population"))
    if communities > lim.max_communities:
        raise _FieldError("territory.streets", f"{communities:,} communities exceeds limits.max_communities = "
                                               f"{lim.max_communities:,}" + hint.format("max_communities"))
    grids = population / t.household_size / t.households_per_grid
    if grids > lim.max_grids:
        raise _FieldError("territory.households_per_grid",
                          f"about {grids:,.0f} grids exceeds limits.max_grids = {lim.max_grids:,}"
                          + hint.format("max_grids"))
    expected = sum(c.rate for c in sc.categories.values()) * population / 1000.0 * sc.days / 365.0
    if expected > lim.max_expected_cases:
        raise _FieldError("categories", f"about {expected:,.0f} problems expected over the run exceeds "
                                        f"limits.max_expected_cases = {lim.max_expected_cases:,}"
                                        + hint.format("max_expected_cases"))


# --------------------------------------------------------------------------- overrides


def parse_assignment(text: str) -> tuple[str, Any]:
    """``'a.b=3'`` → ``('a.b', 3)``; the value is read as YAML (numbers, lists, booleans)."""
    if "=" not in text:
        raise ScenarioError(text, "an override must look like dotted.path=value")
    path, _, value = text.partition("=")
    path = path.strip()
    if not path:
        raise ScenarioError(text, "an override needs a field path before '='")
    parsed = load_value(value) if value.strip() else ""
    return path, parsed


def apply_overrides(raw: dict, overrides: dict[str, Any] | list[str]) -> dict:
    """Apply dotted-path overrides to a raw scenario mapping (a deep copy is returned).

    List items are addressed by index or, for lists of named items
    (departments), by name: ``territory.departments.urban_mgmt.staff=20``.
    """
    raw = copy.deepcopy(raw)
    items = (
        [parse_assignment(o) for o in overrides] if isinstance(overrides, list) else overrides.items()
    )
    for path, value in items:
        _set_path(raw, path, value)
    return raw


def _set_path(root: Any, path: str, value: Any) -> None:
    if not isinstance(path, str) or not path:
        raise ScenarioError(str(path), "a field path must be dotted text, e.g. roles.resident.trust0")
    keys = path.split(".")
    if len(keys) > MAX_DEPTH or "" in keys:
        raise ScenarioError(path[:80], f"a field path has 1 to {MAX_DEPTH} non-empty parts separated by '.'")
    node = root
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        where = ".".join(keys[: i + 1])
        if isinstance(node, list):
            idx = _list_index(node, key, where)
            if last:
                node[idx] = value
                return
            node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[key] = value
                return
            if node.get(key) is None:
                node[key] = {}
            node = node[key]
        else:
            raise ScenarioError(where, f"cannot set a sub-field of a {type(node).__name__} value")


def _list_index(node: list, key: str, where: str) -> int:
    if key.lstrip("-").isdigit():
        idx = int(key)
        if -len(node) <= idx < len(node):
            return idx
        raise ScenarioError(where, f"index out of range (list has {len(node)} items)")
    names = [item.get("name") if isinstance(item, dict) else None for item in node]
    if key in names:
        return names.index(key)
    allowed = [n for n in names if n is not None]
    raise ScenarioError(where, f"no item named '{key}'; allowed: {allowed}")


# --------------------------------------------------------------------------- validation


def _is_tag(part: Any) -> bool:
    """Parts of a pydantic error location that name a union member, not a field."""
    return isinstance(part, str) and (part.startswith(("function-", "constrained-")) or "[" in part
                                      or part in ("int", "float", "str", "bool", "none"))


def _loc(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if not _is_tag(p))


def _models_in(ann: Any) -> list[type[BaseModel]]:
    """The models an annotation may hold directly: ``X``, ``X | None``, ``Annotated[X, ...]``."""
    origin = typing.get_origin(ann)
    if origin is Annotated:
        return _models_in(typing.get_args(ann)[0])
    if origin is not None and typing.get_args(ann) and origin not in (list, tuple, dict):
        return [m for a in typing.get_args(ann) for m in _models_in(a)]
    return [ann] if isinstance(ann, type) and issubclass(ann, BaseModel) else []


def _step(ann: Any, part: Any) -> list[Any]:
    """The annotations one location step below ``ann`` (a field, a list item or a mapping value)."""
    origin = typing.get_origin(ann)
    if origin is Annotated:
        return _step(typing.get_args(ann)[0], part)
    if origin in (list, tuple) and isinstance(part, int):
        return [a for a in typing.get_args(ann) if a is not Ellipsis][:1]
    if origin is dict:
        return typing.get_args(ann)[1:2]
    if origin is not None and typing.get_args(ann):  # a union
        return [s for a in typing.get_args(ann) for s in _step(a, part)]
    if isinstance(ann, type) and issubclass(ann, BaseModel) and part in ann.model_fields:
        return [ann.model_fields[part].annotation]
    return []


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model that holds the last key of an error location (for its list of allowed keys)."""
    anns: list[Any] = [model]
    for part in loc:
        if _is_tag(part):
            continue
        anns = [s for a in anns for s in _step(a, part)]
    models = [m for a in anns for m in _models_in(a)]
    return models[0] if models else None


def _describe(err: dict) -> str:
    msg = err.get("msg", "invalid value")
    msg = msg.removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        return "unknown field"
    if "input" in err and err.get("type") not in ("missing",):
        given = err["input"]
        if not isinstance(given, dict | list):
            msg += f" (got {given!r})"
    return msg


def _deepest(errors: list[dict]) -> dict:
    """The error that reaches furthest into the document (for a union, the member that matched best)."""
    return max(errors, key=lambda e: len([p for p in e["loc"] if not _is_tag(p)]))


def _validate_block(model: type[BaseModel], data: Any, prefix: str) -> BaseModel:
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        err = _deepest(exc.errors())
        field = ".".join(x for x in (prefix, _loc(err["loc"])) if x)
        message = _describe(err)
        if err.get("type") == "extra_forbidden":
            sub = _model_at(model, err["loc"][:-1]) or model
            message = f"unknown field; allowed: {sorted(sub.model_fields)}"
        raise ScenarioError(field, message) from None


def validate_scenario(raw: Any) -> Scenario:
    """Validate a raw mapping into a :class:`Scenario`, raising one :class:`ScenarioError`."""
    if not isinstance(raw, dict):
        raise ScenarioError("(top)", "a scenario must be a YAML mapping of fields")
    raw = dict(raw)
    arr_raw = raw.get("arrangement")
    if arr_raw is None:
        raise ScenarioError("arrangement", f"required; allowed names: {sorted(ARRANGEMENTS)}")
    if isinstance(arr_raw, str):
        arr_raw = {"name": arr_raw}
    if not isinstance(arr_raw, dict) or "name" not in arr_raw:
        raise ScenarioError("arrangement.name", f"required; allowed: {sorted(ARRANGEMENTS)}")
    arr_name = arr_raw["name"]
    if not isinstance(arr_name, str) or arr_name not in ARRANGEMENTS:
        raise ScenarioError(
            "arrangement.name", f"unknown arrangement {arr_name!r}; allowed: {sorted(ARRANGEMENTS)}"
        )
    raw["arrangement"] = _validate_block(ARRANGEMENTS[arr_name].Params, arr_raw, "arrangement")

    overlays_raw = raw.get("overlays") or {}
    if not isinstance(overlays_raw, dict):
        raise ScenarioError("overlays", f"must be a mapping of overlay name → parameters; allowed: {sorted(OVERLAYS)}")
    overlays = {}
    for oname, params in overlays_raw.items():
        if not isinstance(oname, str) or oname not in OVERLAYS:
            raise ScenarioError(f"overlays.{oname}", f"unknown overlay; allowed: {sorted(OVERLAYS)}")
        if params is False or params is None:
            continue  # `hotline: null` switches an overlay off in a variant
        overlays[oname] = _validate_block(
            OVERLAYS[oname].Params, {} if params is True else params, f"overlays.{oname}"
        )
        problem = OVERLAYS[oname].arrangement_problem(ARRANGEMENTS[arr_name])
        if problem:
            raise ScenarioError(f"overlays.{oname}", problem)
    raw["overlays"] = overlays
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        ctx_err = err.get("ctx", {}).get("error")
        if isinstance(ctx_err, _FieldError):
            raise ScenarioError(ctx_err.field, ctx_err.message) from None
        try:
            _validate_block(Scenario, raw, "")
        except ScenarioError:
            raise
        raise ScenarioError(_loc(err["loc"]), _describe(err)) from None
    _check_overlay_adjustments(scenario)
    return scenario


_ADJUSTING = contextvars.ContextVar("adjusting_overlays", default=False)


def _check_overlay_adjustments(scenario: Scenario) -> None:
    """Apply each overlay's changes to the scenario now, as the model will, so that an overlay
    that cannot apply to this scenario (an unknown category, too few seats) is refused when
    the file loads, not when it runs.  Overlays' own re-validations are not checked again."""
    if _ADJUSTING.get() or not scenario.overlays:
        return
    token = _ADJUSTING.set(True)
    try:
        for name, params in scenario.overlays.items():
            scenario = OVERLAYS[name](params).adjust_scenario(scenario)
    finally:
        _ADJUSTING.reset(token)


def _resolve_source(raw: dict, base: Path) -> dict:
    """A relative ``territory.source`` in a scenario file is relative to that file's folder."""
    territory = raw.get("territory")
    if isinstance(territory, dict) and isinstance(territory.get("source"), str):
        source = Path(territory["source"])
        if not source.is_absolute():
            raw = {**raw, "territory": {**territory, "source": str((base / source).resolve())}}
    return raw


def load_scenario(
    source: str | Path | dict | Scenario,
    variant: str | None = None,
    overrides: dict[str, Any] | list[str] | None = None,
    *,
    seed: int | None = None,
    days: int | None = None,
) -> Scenario:
    """Load a scenario from a YAML path (or a mapping), apply a named variant, then overrides.

    Order of precedence, lowest first: the file, ``variants[variant]``,
    ``overrides`` (``--set``), then explicit ``seed`` / ``days``.
    """
    label = None
    if isinstance(source, Scenario):
        raw = source.model_dump(mode="json")
    elif isinstance(source, dict):
        raw = copy.deepcopy(source)
    else:
        label = str(source)
        raw = load_file(source)
    if not isinstance(raw, dict):
        raise ScenarioError("(top)", "a scenario must be a YAML mapping of fields", label)
    try:
        if label is not None:
            check_variants(raw, Path(label).parent)
        if variant is not None and variant != raw.get("variant", "default"):
            variants = raw.get("variants") or {}
            if not isinstance(variants, dict) or variant not in variants:
                allowed = sorted(variants) if isinstance(variants, dict) else []
                raise ScenarioError("variant", f"unknown variant {variant!r}; allowed: {allowed}")
            raw = apply_overrides(raw, variants[variant] or {})
            raw["variant"] = variant
        if label:
            raw = _resolve_source(raw, Path(label).parent)
        if overrides:
            overrides = _checked_overrides(overrides)
            raw = apply_overrides(raw, overrides)
        if seed is not None:
            raw["seed"] = seed
        if days is not None:
            raw["days"] = days
        return validate_scenario(raw)
    except ScenarioError as exc:
        if label and exc.source is None:
            raise ScenarioError(exc.field, exc.message, label) from None
        raise


def _checked_overrides(overrides: dict[str, Any] | list[str]) -> dict[str, Any]:
    """Overrides as a mapping; ``variant`` is refused (it would relabel every output row)."""
    pairs = dict(parse_assignment(o) for o in overrides) if isinstance(overrides, list) else dict(overrides)
    if "variant" in pairs:
        raise ScenarioError("variant", "choose a variant with --variant NAME (variant= in code); "
                                       "overriding the label would not apply the variant's changes")
    return pairs


def check_variants(raw: dict, folder: Path | None = None) -> None:
    """Validate every named variant of a raw scenario now, not when it runs (``folder``: the
    scenario file's, against which a relative territory file is found)."""
    variants = raw.get("variants")
    if variants is None:
        return
    if not isinstance(variants, dict):
        raise ScenarioError("variants", "must be a mapping of variant name → {dotted.path: value}")
    # a schedule names variants: keep the table where one is given
    base = {k: v for k, v in raw.items() if k != "variants" or raw.get("schedule")}
    for name, changes in variants.items():
        if not isinstance(name, str):
            raise ScenarioError("variants", f"variant names must be text (got {name!r})")
        if changes is not None and not isinstance(changes, dict):
            raise ScenarioError(f"variants.{name}", "must be a mapping of dotted.path: value")
        try:
            if "variant" in (changes or {}):
                raise ScenarioError("variant", "a variant's label is its name; remove this key")
            changed = apply_overrides(base, changes or {})
            if folder is not None:
                changed = _resolve_source(changed, folder)
            validate_scenario({**changed, "variant": name})
        except ScenarioError as exc:
            raise ScenarioError(f"variants.{name} → {exc.field}", exc.message) from None


def _drop_late_defaults(dumped: dict, params) -> None:
    """Parameters marked ``json_schema_extra={"late": True}`` (added after scenarios were first
    hashed) count in the scenario hash only when set, so the hashes of older scenarios hold."""
    for name, field in type(params).model_fields.items():
        extra = field.json_schema_extra
        if (isinstance(extra, dict) and extra.get("late")
                and getattr(params, name) == field.get_default(call_default_factory=True)):
            dumped.pop(name, None)
