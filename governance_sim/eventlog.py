"""Process-mining event logs of a run: ``events.jsonocel`` (OCEL 2.0) and ``events.parquet``.

Every step of every case becomes an event with its date and time and the unit
that took it (the schema is in ``docs/event_log.md``).  Most events are read
back from what the case record already holds — its timestamps, its hand-offs
``(src, dst, t, reason)`` and the departments' arrival times; the few steps the
record does not time (which unit accepted it, each start and end of work, each
closing, rating, audit and reopening) are kept in the lifecycle's ``trail``,
which exists only when :func:`record` is called before the run.  Without it a
run keeps nothing extra and its outputs are unchanged.

Writing needs no process-mining library; ``pm4py.read_ocel2_json`` reads the
OCEL file and ``pm4py.format_dataframe`` the flat one.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from governance_sim.cases import FOUND_BY_RESIDENT
from governance_sim.gc_pause import cyclic_gc_paused

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")  # model time is Beijing wall-clock time
STATIC_TIME = "1970-01-01T00:00:00Z"  # OCEL 2.0: an attribute value that holds from the start

# hand-off reason → activity; any other reason (referral, dispatch, report_up, ...) is "referred"
HANDOFF_ACTIVITY = {"buckpass": "returned", "whistle": "summoned", "escalate": "escalated",
                    "audit_reopen": "reopened", "reopened": "reopened"}
# the order of events that share a timestamp (the order in which the lifecycle takes them)
ORDER = {"created": 0, "erupted": 1, "discovered": 2, "reported": 3, "petitioned": 4,
         "accepted": 5, "audited": 6, "reopened": 7, "acted": 8, "referred": 9, "summoned": 9,
         "returned": 9, "escalated": 9, "work_started": 10, "arrived_on_site": 10,
         "resolved": 11, "closed_on_paper": 11, "rated": 12}
ACTIVITIES = tuple(ORDER)
DTYPES = {"case_id": "int64", "activity": "str", "t_h": "float64", "resource": "str",
          "reason": "str", "target": "str", "value": "float64", "handoff": "bool",
          "household": "int64", "street": "int64", "category": "str", "n_departments": "int64"}
EVENT_COLUMNS = ["case_id", "activity", "timestamp", "t_h", "resource", "level", "reason", "target",
                 "value", "handoff", "household", "street", "category", "n_departments"]


def record(model) -> None:
    """Keep the steps an event log needs during ``model``'s run (call before running it)."""
    if model.lifecycle.trail is None:
        model.lifecycle.trail = []


def is_recording(model) -> bool:
    return model.lifecycle.trail is not None


def _unit(key) -> str:
    return key if isinstance(key, str) else f"{key[0]}:{key[1]}"


def _role(unit: str) -> str:
    return unit.split(":", 1)[0] if unit else ""


def _case_rows(case, trail_rows, category: str) -> list[tuple]:
    """The events of one case, in time order, as rows of :func:`events_frame`."""
    hh = f"household:{case.household}"
    rows: list[tuple] = [(case.t_created, "created", hh, "", "", math.nan, False)]
    if case.eruption:
        rows.append((case.t_erupt, "erupted", "", "", "", math.nan, False))
    accepted_by = next((r[3] for r in trail_rows if r[2] == "accepted"), None)
    if case.t_discovered == case.t_discovered:
        # the household, the patrol, or the unit an eruption reaches
        finder = hh if case.found_by == FOUND_BY_RESIDENT else _unit(accepted_by or "")
        rows.append((case.t_discovered, "discovered", finder, case.found_by, "", math.nan, False))
        rows.append((case.t_reported, "reported", finder, case.channel, "", math.nan, False))
        if case.petition:
            rows.append((case.t_reported, "petitioned", hh, "petition", "", math.nan, False))
    for src, dst, t, reason in case.handoffs:
        rows.append((t, HANDOFF_ACTIVITY.get(reason, "referred"), src if src != "-" else "", reason,
                     dst, math.nan, True))
    for _, t, activity, key, detail in trail_rows:
        resource = _unit(key)
        if activity in ("acted", "rated"):
            rows.append((t, activity, resource, "", "", float(detail), False))
        elif activity == "audited":
            rows.append((t, "audited", resource, "caught" if detail else "clean", "", math.nan, False))
        elif activity == "arrived_on_site":
            rows.append((t, activity, resource, "", f"department:{detail}", math.nan, False))
        else:  # accepted, work_started, reopened (by an eruption), resolved, closed_on_paper
            rows.append((t, activity, resource, detail or "", "", math.nan, False))
    # time first; at the same instant, the order in which the lifecycle takes the steps
    keyed = sorted(((r[0], ORDER[r[1]], i, *r[1:]) for i, r in enumerate(rows)),
                   key=lambda r: r[:3])
    return [(case.id, a, t, res, reason, target, value, handoff, case.household, case.street,
             category, len(case.departments))
            for t, _, _, a, res, reason, target, value, handoff in keyed]


def events_frame(model) -> pd.DataFrame:
    """One row per event, in case order and time order within a case (see ``docs/event_log.md``)."""
    trail = model.lifecycle.trail
    if trail is None:
        raise ValueError("the run kept no event trail: call eventlog.record(model) before running it")
    by_case: dict[int, list] = {}
    for row in trail:
        by_case.setdefault(row[0], []).append(row)
    cats = [c.name for c in model.categories]
    rows = []
    for case in model.cases:
        rows.extend(_case_rows(case, by_case.get(case.id, ()), cats[case.category]))
    df = pd.DataFrame.from_records(rows, columns=list(DTYPES)).astype(DTYPES)
    role = df["resource"].str.split(":", n=1).str[0]
    df["level"] = role.where(role != "household", "resident").astype("str")
    start = pd.Timestamp(model.scenario.start_date).tz_localize(CHINA_STANDARD_TIME)
    df["timestamp"] = (start + pd.to_timedelta(df["t_h"].to_numpy(dtype=float), unit="h")).astype(
        pd.DatetimeTZDtype("us", CHINA_STANDARD_TIME))
    return df[EVENT_COLUMNS]


# --------------------------------------------------------------------------- OCEL 2.0


def _iso(ts: pd.Series) -> list[str]:
    return (ts.dt.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+08:00").tolist()


def _attr_types(values: dict) -> list[dict]:
    return [{"name": k, "type": t} for k, t in values.items()]


def ocel_document(model, events: pd.DataFrame) -> dict:
    """The OCEL 2.0 JSON document of a run: object types case, unit, household, street."""
    cases = model.cases
    cats = [c.name for c in model.categories]
    streets = list(model.territory.streets)
    unit_names = {f"{role}:{i}": getattr(u, "name", "") for (role, i), u in model.units.items()}
    for branch in getattr(model, "party_branches", []):
        community = model.community_offices[branch.community].name
        unit_names.setdefault(f"party_branch:{branch.community}", f"{community}党支部")
    units = sorted((set(events["resource"]) | set(events["target"])) - {"", None})
    units = [u for u in units if not u.startswith("household:")]

    objects: list[dict] = []
    for c in cases:
        rel = [{"objectId": f"household:{c.household}", "qualifier": "household"}]
        if 0 <= c.street < len(streets):
            rel.append({"objectId": f"street:{c.street}", "qualifier": "located in"})
        if c.repeat_of >= 0:
            rel.append({"objectId": f"case:{c.repeat_of}", "qualifier": "repeat of"})
        objects.append({"id": f"case:{c.id}", "type": "case", "attributes": [
            {"name": "category", "time": STATIC_TIME, "value": cats[c.category]},
            {"name": "severity", "time": STATIC_TIME, "value": int(c.severity)},
            {"name": "n_departments", "time": STATIC_TIME, "value": len(c.departments)},
            {"name": "latent", "time": STATIC_TIME, "value": bool(c.latent)},
            {"name": "status", "time": STATIC_TIME, "value": c.status},
        ], "relationships": rel})
    households = sorted({c.household for c in cases})
    pop = model.population
    for h in households:
        grid = int(pop.grid[h])
        community = model.community_of_grid[grid]
        street = model.street_of_community[community]
        rel = ([{"objectId": f"street:{street}", "qualifier": "lives in"}]
               if 0 <= street < len(streets) else [])
        objects.append({"id": f"household:{h}", "type": "household", "attributes": [
            {"name": "grid", "time": STATIC_TIME, "value": grid},
            {"name": "community", "time": STATIC_TIME, "value": int(community)},
        ], "relationships": rel})
    for u in units:
        objects.append({"id": u, "type": "unit", "attributes": [
            {"name": "role", "time": STATIC_TIME, "value": _role(u)},
            {"name": "name", "time": STATIC_TIME, "value": unit_names.get(u, u)},
        ], "relationships": []})
    for s, name in enumerate(streets):
        objects.append({"id": f"street:{s}", "type": "street", "attributes": [
            {"name": "name", "time": STATIC_TIME, "value": name}], "relationships": []})

    times = _iso(events["timestamp"])
    doc_events = []
    cols = zip(events["case_id"].tolist(), events["activity"].tolist(), events["resource"].tolist(),
               events["level"].tolist(), events["reason"].tolist(), events["target"].tolist(),
               events["value"].tolist(), events["street"].tolist(), strict=True)
    for k, (cid, activity, resource, level, reason, target, value, street) in enumerate(cols):
        rel = [{"objectId": f"case:{cid}", "qualifier": "case"}]
        if resource:
            rel.append({"objectId": resource,
                        "qualifier": "household" if level == "resident" else "actor"})
        if target:
            rel.append({"objectId": target, "qualifier": "to"})
        if activity == "created" and 0 <= street < len(streets):
            rel.append({"objectId": f"street:{street}", "qualifier": "where"})
        attrs = [{"name": "level", "value": level}, {"name": "reason", "value": reason}]
        if value == value:
            attrs.append({"name": "value", "value": float(value)})
        doc_events.append({"id": f"e{k}", "type": activity, "time": times[k],
                           "attributes": attrs, "relationships": rel})
    event_types = [{"name": a, "attributes": _attr_types(
        {"level": "string", "reason": "string", **({"value": "float"} if a in ("acted", "rated") else {})})}
        for a in ACTIVITIES]
    object_types = [
        {"name": "case", "attributes": _attr_types({"category": "string", "severity": "integer",
                                                     "n_departments": "integer", "latent": "boolean",
                                                     "status": "string"})},
        {"name": "unit", "attributes": _attr_types({"role": "string", "name": "string"})},
        {"name": "household", "attributes": _attr_types({"grid": "integer", "community": "integer"})},
        {"name": "street", "attributes": _attr_types({"name": "string"})},
    ]
    return {"objectTypes": object_types, "eventTypes": event_types, "objects": objects,
            "events": doc_events}


# --------------------------------------------------------------------------- output


@dataclass
class EventLog:
    """A run's event log: ``events`` (flat, one row per event) and ``ocel`` (OCEL 2.0 JSON)."""

    events: pd.DataFrame
    ocel: dict
    start_date: date

    def write(self, out: str | Path) -> Path:
        """Write ``events.parquet`` and ``events.jsonocel`` into ``out``; each appears whole or not at all."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
        try:
            self.events.to_parquet(tmp / "events.parquet", index=False)
            text = json.dumps(self.ocel, ensure_ascii=False, separators=(",", ":"))  # one shot: fast
            (tmp / "events.jsonocel").write_text(text, encoding="utf-8")
            for name in ("events.parquet", "events.jsonocel"):
                os.replace(tmp / name, out / name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return out


def build(model) -> EventLog:
    """The event log of a run recorded with :func:`record`."""
    with cyclic_gc_paused():  # hundreds of thousands of small dicts and tuples, no cycles
        events = events_frame(model)
        return EventLog(events=events, ocel=ocel_document(model, events),
                        start_date=model.scenario.start_date)


def variants(events: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The most frequent paths (sequences of activities) with their share and median throughput
    time (hours from creation to the case's last event)."""
    g = events.groupby("case_id", sort=False)  # events are in time order within a case
    paths = g["activity"].agg(" → ".join)
    through = g["t_h"].agg(lambda t: t.iloc[-1] - t.iloc[0])
    df = pd.DataFrame({"path": paths, "throughput_h": through})
    out = df.groupby("path").agg(cases=("throughput_h", "size"),
                                 throughput_median_h=("throughput_h", "median"))
    out["share"] = out["cases"] / len(df) if len(df) else np.nan
    return out.sort_values("cases", ascending=False).head(top).reset_index()
