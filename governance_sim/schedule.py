"""Reforms on a timetable: a scenario's ``schedule:`` of changes at given days (分批推开).

A reform need not hold from day 0.  Each entry of ``schedule`` names a day of the run
(counted as ``whistle_stages`` are, from the first warm-up day), the streets it applies to
(all of them when omitted) and the changes: a variant's overrides, single dotted
overrides, or both (the variant's first)::

    schedule:
      - {day: 120, streets: [街道1, 街道2], variant: whistle}       # the first cohort
      - {day: 210, streets: [街道3, 街道4], variant: whistle}       # the second
      - {day: 300, overrides: {arrangement.referral_delay_days: 1}}   # everywhere

What can change mid-run (anything else is refused when the file loads, naming the field):

* ``arrangement.*`` — the parameters of the arrangement, and its ``name`` among the
  arrangements that keep the territory as it is and set up no units of their own
  (:data:`SWITCHABLE`: ``baseline`` ↔ ``whistle``); per street or for the whole territory;
  ``seconded_share`` stays as at the start (its staff were sent down when the run began);
  ``return_delay_h`` and ``trace_prob`` may change only for the whole territory (they are
  read where no street is known);
* ``roles.street_chief.per_street`` — 街巷长 are appointed in the named streets (added,
  never removed; the territory needs lanes, ``territory.grids_per_lane`` > 0);
* ``overlays.hotline.*`` (all but ``seats``) — for the whole territory only, and only when the
  scenario has the hotline from the start (e.g. 接诉即办's ``direct_dispatch``).  Other overlays
  set up units or state from their parameters when the run begins and cannot switch mid-run;
  an overlay cannot be added or removed mid-run.

A change the variant makes to a field already at that value is no change and is allowed,
so a variant that also sets, say, an overlay to its present value can be scheduled.

How a switch works (docs/model.md, "Reforms on a timetable"): on its day, before anything
else happens, each named street gets its own arrangement object with the new parameters.
Every decision about a case — intake, routing, buck-passing, ratings — is asked of the
arrangement of the street the case arose in, *when the case next moves*: a case open at
the switch carries on under the new rule from its next step (a referral already on its way
arrives as sent).  Departments' scorecards weigh the streets' ratings (反向考核) with the
largest weight any street's arrangement gives them, and only streets that rate returns make
a return costly to a department; the district's supervision rule and the deadline a
街巷长 rates arrivals against come from the latest arrangement switched in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field

from governance_sim.errors import ScenarioError
from governance_sim.schema import ParamModel

ARRANGEMENT_PREFIX = "arrangement."
OVERLAY_PREFIX = "overlays."
# overlays whose parameters are read when they are used (not when the run is set up), less the
# fields read at set-up: these may change mid-run, for the whole territory
MIDRUN_OVERLAYS = {"hotline": ("seats",)}
CHIEFS_PATH = "roles.street_chief.per_street"
FIXED_AT_START = ("seconded_share",)  # set up once: staff sent down when the run begins
TERRITORY_WIDE = ("return_delay_h", "trace_prob")  # read where no street is known


class ScheduleEntry(ParamModel):
    """One change of a reform timetable (see :mod:`governance_sim.schedule`)."""

    day: int = Field(ge=0, description="day of the run (from the first warm-up day) the change takes "
                                       "effect, before anything else that day")
    streets: list[str] | None = Field(default=None, min_length=1,
                                      description="names or ids of the streets it applies to "
                                                  "(None = the whole territory)")
    variant: str | None = Field(default=None, description="a variant whose overrides are applied")
    overrides: dict[str, Any] = Field(default_factory=dict,
                                      description="dotted overrides applied (after the variant's)")


# ------------------------------------------------------------------ switchable arrangements


def switchable() -> list[str]:
    """Arrangements that may be switched to mid-run: they leave the territory, its units and the
    daily and monthly routines as the base arrangements have them."""
    from governance_sim.arrangements.base import Arrangement
    from governance_sim.arrangements.baseline import Baseline
    from governance_sim.registry import ARRANGEMENTS

    ok = []
    for name, cls in ARRANGEMENTS.items():
        if (cls.transform is Arrangement.transform and cls.setup in (Arrangement.setup, Baseline.setup)
                and cls.on_day is Arrangement.on_day and cls.on_month is Arrangement.on_month):
            ok.append(name)
    return sorted(ok)


# ------------------------------------------------------------------ the compiled plan


@dataclass
class Switch:
    """What happens on one day: new arrangement parameters and 街巷长 per street."""

    day: int
    entry: int  # index in the scenario's schedule
    streets: list[int]
    territory_wide: bool
    params: dict[int, Any] = field(default_factory=dict)  # street → arrangement Params
    overlays: dict[str, Any] = field(default_factory=dict)  # overlay name → its new Params
    chiefs: dict[int, int] = field(default_factory=dict)  # street → 街巷长 wanted


@dataclass
class Plan:
    switches: list[Switch]
    street_names: list[str]
    adopted_day: list[int | None]  # first day any change reached each street (None = never)


def street_names_of(scenario) -> tuple[list[str], list[str]]:
    """(names, ids) of the streets of the scenario's territory, as laid out."""
    from governance_sim.territory import build_territory

    t = build_territory(scenario)
    return list(t.streets), list(t.street_ids)


def compile_plan(scenario) -> Plan:
    """Check a scenario's ``schedule`` and turn it into the switches the model carries out.

    Raises :class:`ScenarioError` naming the entry's field and what is allowed."""
    from governance_sim.registry import ARRANGEMENTS, OVERLAYS

    entries = scenario.schedule
    names, ids = street_names_of(scenario)
    n = len(names)
    last_day = scenario.warmup_days + scenario.days
    allowed_arr = switchable()
    raw_now = [scenario.arrangement.model_dump(mode="json")] * n
    overlays_now = {k: v.model_dump(mode="json") for k, v in scenario.overlays.items()}
    chiefs_now = [scenario.roles.street_chief.per_street] * n
    base_dump = scenario.model_dump(mode="json")
    lanes = scenario.territory.grids_per_lane > 0
    adopted: list[int | None] = [None] * n
    switches = []
    order = sorted(range(len(entries)), key=lambda i: entries[i].day)
    for i in order:
        e = entries[i]
        where = f"schedule.{i}"
        if e.day >= last_day:
            raise ScenarioError(f"{where}.day", f"day {e.day} is beyond the run; allowed: 0 ≤ day < "
                                                f"warmup_days + days = {last_day}")
        streets = street_indices(e.streets, names, ids, f"{where}.streets")
        changes = changes_of(e, scenario, where)
        sw = Switch(e.day, i, streets, e.streets is None)
        arr_changes = {}
        overlay_changes: dict[str, dict] = {}
        for path, value in changes.items():
            if path.startswith(ARRANGEMENT_PREFIX):
                key = path[len(ARRANGEMENT_PREFIX):]
                if key.split(".")[0] in TERRITORY_WIDE and e.streets is not None:
                    raise ScenarioError(_field(where, e, path), f"'{path}' is read where no street is known: "
                                        "change it for the whole territory (omit streets)")
                arr_changes[key] = value
            elif path == CHIEFS_PATH:
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ScenarioError(_field(where, e, path), f"must be a whole number ≥ 0 (got {value!r})")
                for s in streets:
                    if value < chiefs_now[s]:
                        raise ScenarioError(_field(where, e, path), "街巷长 can be appointed mid-run, not "
                                            f"removed: {names[s]} has {chiefs_now[s]}, allowed: ≥ {chiefs_now[s]}")
                    if value > chiefs_now[s] and not lanes:
                        raise ScenarioError(_field(where, e, path), "街巷长 need lanes: set "
                                            "territory.grids_per_lane > 0 in the scenario")
                    sw.chiefs[s] = value
            elif path.startswith(OVERLAY_PREFIX) and _value_at(base_dump, path) != value:
                oname, _, key = path[len(OVERLAY_PREFIX):].partition(".")
                _check_overlay_change(scenario, oname, key, e, _field(where, e, path))
                overlay_changes.setdefault(oname, {})[key] = value
            elif _value_at(base_dump, path) != value:
                raise ScenarioError(_field(where, e, path), f"'{path}' cannot change mid-run; allowed: "
                                    f"arrangement.<field> (arrangements {allowed_arr}), {CHIEFS_PATH}, "
                                    + ", ".join(f"overlays.{o}.<field>" for o in MIDRUN_OVERLAYS))
        if arr_changes and scenario.arrangement.name not in allowed_arr:
            raise ScenarioError(_field(where, e, "arrangement"),
                                f"the scenario's arrangement {scenario.arrangement.name!r} reshapes the "
                                f"territory or its units and cannot be switched mid-run; allowed: {allowed_arr}")
        if arr_changes:
            for s in streets:
                raw = _apply(raw_now[s], arr_changes, _field(where, e, "arrangement"))
                name = raw.get("name")
                if name not in allowed_arr:
                    raise ScenarioError(_field(where, e, "arrangement.name"),
                                        f"cannot switch to {name!r} mid-run; allowed: {allowed_arr}")
                params = _validated(ARRANGEMENTS[name].Params, raw, _field(where, e, "arrangement"))
                for key in FIXED_AT_START:
                    if getattr(params, key, None) != getattr(scenario.arrangement, key, None):
                        raise ScenarioError(_field(where, e, f"arrangement.{key}"),
                                            f"fixed when the run starts; allowed: "
                                            f"{getattr(scenario.arrangement, key, None)!r}")
                for oname in scenario.overlays:
                    problem = OVERLAYS[oname].arrangement_problem(ARRANGEMENTS[name])
                    if problem:
                        raise ScenarioError(_field(where, e, "arrangement.name"), f"overlay {oname}: {problem}")
                raw_now[s] = params.model_dump(mode="json")
                sw.params[s] = params
        for oname, ochanges in overlay_changes.items():
            where_o = _field(where, e, f"overlays.{oname}")
            raw = _apply(overlays_now[oname], ochanges, where_o)
            params = _validated(OVERLAYS[oname].Params, raw, where_o)
            overlays_now[oname] = params.model_dump(mode="json")
            sw.overlays[oname] = params
        for s in streets:
            if (s in sw.params or s in sw.chiefs or sw.overlays) and adopted[s] is None:
                adopted[s] = e.day
            if s in sw.chiefs:
                chiefs_now[s] = sw.chiefs[s]
        switches.append(sw)
    return Plan(switches, names, adopted)


def _check_overlay_change(scenario, name: str, key: str, entry: ScheduleEntry, where: str) -> None:
    allowed = sorted(MIDRUN_OVERLAYS)
    if name not in MIDRUN_OVERLAYS:
        raise ScenarioError(where, f"overlay {name!r} sets itself up when the run begins and cannot change "
                                   f"mid-run; overlays whose parameters may change: {allowed}")
    if name not in scenario.overlays:
        raise ScenarioError(where, f"overlay {name!r} is not in the scenario: overlays are set up when the run "
                                   f"begins; present: {sorted(scenario.overlays)}")
    if key.split(".")[0] in MIDRUN_OVERLAYS[name]:
        raise ScenarioError(where, f"read when the run is set up; allowed: any field of overlays.{name} but "
                                   f"{list(MIDRUN_OVERLAYS[name])}")
    if entry.streets is not None:
        raise ScenarioError(where, "an overlay's parameters change for the whole territory: omit streets")


def _field(where: str, entry: ScheduleEntry, path: str) -> str:
    if path in entry.overrides or any(k.startswith(path + ".") for k in entry.overrides):
        return f"{where}.overrides.{path}"
    if entry.variant is not None:
        return f"{where}.variant ({entry.variant}) → {path}"
    return f"{where}.overrides.{path}"


def street_indices(streets: list[str] | None, names: list[str], ids: list[str], where: str) -> list[int]:
    """Indices of the streets an entry names (by name or id; all of them for ``None``)."""
    if streets is None:
        return list(range(len(names)))
    out = []
    for s in streets:
        if s in names:
            out.append(names.index(s))
        elif s in ids:
            out.append(ids.index(s))
        else:
            shown = names if len(names) <= 30 else [*names[:30], f"… ({len(names)} in all)"]
            raise ScenarioError(where, f"unknown street {s!r}; allowed: {shown}")
    return sorted(set(out))


def changes_of(entry: ScheduleEntry, scenario, where: str) -> dict[str, Any]:
    """The dotted changes an entry makes: its variant's overrides, then its own."""
    changes: dict[str, Any] = {}
    if entry.variant is not None:
        if entry.variant not in scenario.variants:
            raise ScenarioError(f"{where}.variant", f"unknown variant {entry.variant!r}; "
                                                    f"allowed: {sorted(scenario.variants)}")
        changes.update(scenario.variants[entry.variant] or {})
    changes.update(entry.overrides)
    if not changes:
        raise ScenarioError(where, "changes nothing: give a variant or overrides")
    return changes


def _value_at(root: Any, path: str) -> Any:
    node = root
    for key in path.split("."):
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list):
            match = [x for x in node if isinstance(x, dict) and x.get("name") == key]
            if key.lstrip("-").isdigit() and -len(node) <= int(key) < len(node):
                node = node[int(key)]
            elif match:
                node = match[0]
            else:
                return _MISSING
        else:
            return _MISSING
    return node


_MISSING = object()


def _apply(raw: dict, changes: dict[str, Any], where: str) -> dict:
    from governance_sim.scenario import apply_overrides

    try:
        return apply_overrides(raw, changes)
    except ScenarioError as exc:
        raise ScenarioError(f"{where}.{exc.field}", exc.message) from None


def _validated(model, raw: dict, where: str):
    from governance_sim.scenario import _validate_block

    return _validate_block(model, raw, where)


def check_schedule(scenario) -> tuple[str, str] | None:
    """``(field, message)`` of the first problem of a scenario's schedule, or ``None``."""
    if not scenario.schedule:
        return None
    try:
        compile_plan(scenario)
    except ScenarioError as exc:
        return exc.field, exc.message
    return None


def params_key(params) -> str:
    return json.dumps(params.model_dump(mode="json"), sort_keys=True)
