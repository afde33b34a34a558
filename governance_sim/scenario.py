"""Scenario files: the pydantic schema, YAML loading, named variants and ``key=value`` overrides.

A scenario is one territory + one arrangement (体制机制) + parameters.  Files are
YAML; every field has a documented default so a scenario only states what
differs.  Errors are collected into a single :class:`ScenarioError` that names
the dotted field and what is allowed, so the CLI can print one clear line.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from governance_sim.demand import DEFAULT_START_DATE, DemandSpec, check_demand
from governance_sim.registry import ARRANGEMENTS, OVERLAYS


class ScenarioError(ValueError):
    """A scenario file, variant or override that does not validate.

    ``field`` is the dotted path of the offending field and ``message`` says
    what is allowed.  ``str(err)`` is one line fit for a terminal.
    """

    def __init__(self, field: str, message: str, source: str | None = None):
        self.field = field
        self.message = message
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}field '{field}': {message}")


class Strict(BaseModel):
    """Base for every scenario block: unknown keys are errors (catches typos)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# --------------------------------------------------------------------------- territory


class CommunityDef(Strict):
    """An explicitly listed community (社区/村)."""

    name: str
    population: int = Field(gt=0)


class StreetDef(Strict):
    """An explicitly listed street or township (街道/乡镇)."""

    name: str
    communities: int | list[CommunityDef] = Field(
        default=20, description="count of communities, or an explicit list"
    )
    population: int | None = Field(
        default=None, gt=0, description="people; defaults to an equal share of the territory"
    )


class DepartmentDef(Strict):
    """A district functional department (职能部门, the 条)."""

    name: str = Field(description="short identifier used by categories, e.g. 'urban_mgmt'")
    label: str = Field(default="", description="Chinese name, e.g. 城管执法局")
    staff: int = Field(default=10, ge=1, description="staff serving this territory")
    vertical_tasks_per_day: float = Field(
        default=2.0, ge=0, description="line-ministry work items per workday (条条任务)"
    )
    vertical_effort_h: float = Field(default=3.0, gt=0, description="mean hours per vertical item")
    enforcement: bool = Field(default=True, description="holds enforcement power (执法权)")


class TerritorySpec(Strict):
    """区 → 街道/乡镇 → 社区/村 → 网格, with optional 片区 (zones) and 街巷 (lanes)."""

    district: str = "district"
    streets: int | list[StreetDef] = Field(default=1, description="count of streets or explicit list")
    communities_per_street: int = Field(default=20, ge=1)
    population: int = Field(default=100_000, gt=0, description="people in the territory")
    household_size: float = Field(default=2.62, gt=0, description="2020 census (seed 002)")
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


# --------------------------------------------------------------------------- cases


class CategorySpec(Strict):
    """A case category (诉求/事件类别): how often it arises, who must act, how long it takes."""

    label: str = Field(default="", description="Chinese name, e.g. 环境卫生")
    rate: float = Field(ge=0, description="problems per 1,000 people per year")
    effort_h: float = Field(default=3.0, gt=0, description="median hours of work per department")
    effort_sigma: float = Field(default=0.5, ge=0, description="lognormal sigma of effort")
    departments: list[str] = Field(
        default_factory=list, description="departments whose action is required"
    )
    latent: bool = Field(default=False, description="seen by no resident until it erupts")
    erupt_days: float = Field(default=120.0, gt=0, description="mean days until a latent problem erupts")
    micro_enforceable: bool = Field(default=False, description="小微执法 possible on the spot")
    patrol_visible: bool = Field(default=True, description="a patrol can notice it")
    community_authority: bool = Field(default=False, description="community may settle it alone")
    street_authority: bool = Field(default=False, description="street may settle it alone")
    mediation: bool = Field(default=False, description="settled by mediation (调解)")
    severity_weights: tuple[float, float, float] = Field(
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
    trust_sd: float = Field(default=0.15, ge=0, description="spread of initial trust")
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
    channels: dict[Literal["hotline", "grid_worker", "community", "street", "petition"], float] = Field(
        default_factory=lambda: {
            "hotline": 0.45, "grid_worker": 0.25, "community": 0.22, "street": 0.06, "petition": 0.02,
        },
        description="relative channel weights; hotline needs the hotline overlay",
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
    hours_per_day: float = Field(default=8.0, gt=0)
    patrol_hours: float = Field(default=3.0, ge=0, description="hours of patrol per workday")
    detection_prob: float = Field(default=0.25, ge=0, le=1, description="P(a patrol notices a visible problem)")
    latent_detection_prob: float = Field(default=0.05, ge=0, le=1, description="P(a patrol notices a latent problem)")
    paperwork_h: float = Field(default=1.0, ge=0, description="hours of forms per workday")
    intake_delay_h: float = Field(default=2.0, ge=0, description="hours to log a report")


class OfficeSpec(Strict):
    """居委会/村委会, 街道办/乡镇政府 or 区指挥中心: staff and their time."""

    staff: int = Field(default=6, ge=0)
    paperwork_h: float = Field(default=1.5, ge=0, description="hours of ledgers per staff per workday (留痕)")
    intake_delay_h: float = Field(default=1.0, ge=0, description="working hours to accept a report")
    admin_load_h: float = Field(default=0.0, ge=0, description="hours/workday of tasks from above per staff")
    effort_factor: float = Field(default=1.0, gt=0, description="multiplies effort of tasks handled here")
    p_fix: float = Field(default=0.9, ge=0, le=1, description="P(handling here really fixes the problem)")


class DepartmentRoleSpec(Strict):
    """Defaults for every 职能部门."""

    paperwork_h: float = Field(default=1.0, ge=0)
    vertical_priority: float = Field(default=1.0, description="priority of line-ministry tasks")
    local_priority: float = Field(default=0.4, description="priority of local referrals")
    p_fix: float = Field(default=0.95, ge=0, le=1, description="P(an action really fixes its part)")


class StreetChiefSpec(Strict):
    """街巷长: lane patrols and 小微执法 (seed 000, Beijing)."""

    per_street: int = Field(default=0, ge=0, description="街巷长 per street (0 = none)")
    patrol_hours: float = Field(default=2.0, ge=0)
    detection_prob: float = Field(default=0.3, ge=0, le=1)
    fix_effort_h: float = Field(default=0.5, gt=0)
    hours_per_day: float = Field(default=2.0, gt=0, description="hours a day spent as 街巷长 (a part-time post)")


class PartyBranchSpec(Strict):
    """党支部: volunteer mediation hours and member–household pairing."""

    volunteer_hours_per_week: float = Field(default=6.0, ge=0, description="per community branch")
    pairing_ratio: float = Field(default=0.0, ge=0, description="households paired per party member (党员连心)")
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
    seed: int = Field(default=0, ge=0)
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
    arrangement: Any
    overlays: dict[str, Any] = Field(default_factory=dict)
    variants: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        known = {d.name for d in self.territory.departments}
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
        # an arrangement's parameters may cross-check the rest of the scenario: (field, message) or None
        check = getattr(self.arrangement, "check_scenario", None)
        problem = check(self) if check is not None else None
        if problem:
            raise _FieldError(*problem)
        return self

    @property
    def scenario_hash(self) -> str:
        """Short content hash of everything that changes a run (not the variants table)."""
        payload = self.model_dump(mode="json", exclude={"variants", "variant", "description"})
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
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def with_overrides(self, overrides: dict[str, Any] | list[str] | None) -> Scenario:
        """A new scenario with dotted-path overrides applied and re-validated."""
        raw = self.model_dump(mode="json")
        raw = apply_overrides(raw, overrides or {})
        return validate_scenario(raw)


class _FieldError(ValueError):
    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(message)


# --------------------------------------------------------------------------- overrides


def parse_assignment(text: str) -> tuple[str, Any]:
    """``'a.b=3'`` → ``('a.b', 3)``; the value is read as YAML (numbers, lists, booleans)."""
    if "=" not in text:
        raise ScenarioError(text, "an override must look like dotted.path=value")
    path, _, value = text.partition("=")
    path = path.strip()
    if not path:
        raise ScenarioError(text, "an override needs a field path before '='")
    try:
        parsed = yaml.safe_load(value) if value.strip() else ""
    except yaml.YAMLError:
        parsed = value
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
    keys = path.split(".")
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


def _loc(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if not (isinstance(p, str) and p.startswith("function-")))


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


def _validate_block(model: type[BaseModel], data: Any, prefix: str) -> BaseModel:
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(x for x in (prefix, _loc(err["loc"])) if x)
        message = _describe(err)
        if err.get("type") == "extra_forbidden":
            allowed = sorted(model.model_fields)
            sub = model
            for part in err["loc"][:-1]:
                ann = getattr(sub, "model_fields", {}).get(part)
                if ann is None or not isinstance(ann.annotation, type):
                    sub = None
                    break
                sub = ann.annotation
            if sub is not None and hasattr(sub, "model_fields"):
                allowed = sorted(sub.model_fields)
            message = f"unknown field; allowed: {allowed}"
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
    if arr_name not in ARRANGEMENTS:
        raise ScenarioError(
            "arrangement.name", f"unknown arrangement {arr_name!r}; allowed: {sorted(ARRANGEMENTS)}"
        )
    raw["arrangement"] = _validate_block(ARRANGEMENTS[arr_name].Params, arr_raw, "arrangement")

    overlays_raw = raw.get("overlays") or {}
    if not isinstance(overlays_raw, dict):
        raise ScenarioError("overlays", f"must be a mapping of overlay name → parameters; allowed: {sorted(OVERLAYS)}")
    overlays = {}
    for oname, params in overlays_raw.items():
        if oname not in OVERLAYS:
            raise ScenarioError(f"overlays.{oname}", f"unknown overlay; allowed: {sorted(OVERLAYS)}")
        if params is False or params is None:
            continue  # `hotline: null` switches an overlay off in a variant
        overlays[oname] = _validate_block(
            OVERLAYS[oname].Params, {} if params is True else params, f"overlays.{oname}"
        )
    raw["overlays"] = overlays
    try:
        return Scenario.model_validate(raw)
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
        path = Path(source)
        label = str(path)
        if not path.exists():
            raise ScenarioError("(file)", f"scenario file not found: {path}")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise ScenarioError("(file)", f"not valid YAML{where}", label) from None
    if not isinstance(raw, dict):
        raise ScenarioError("(top)", "a scenario must be a YAML mapping of fields", label)
    try:
        if variant is not None and variant != raw.get("variant", "default"):
            variants = raw.get("variants") or {}
            if variant not in variants:
                raise ScenarioError("variant", f"unknown variant {variant!r}; allowed: {sorted(variants)}")
            raw = apply_overrides(raw, variants[variant] or {})
            raw["variant"] = variant
        if label:
            raw = _resolve_source(raw, Path(label).parent)
        if overrides:
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
