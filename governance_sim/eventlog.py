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
import pyarrow as pa
import pyarrow.compute as pc

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


def events_frame(model) -> pd.DataFrame:
    """One row per event, in case order and time order within a case (see ``docs/event_log.md``)."""
    trail = model.lifecycle.trail
    if trail is None:
        raise ValueError("the run kept no event trail: call eventlog.record(model) before running it")
    return dated(event_rows(model.cases, trail, model.categories), model.scenario.start_date)


def event_rows(cases, trail, categories) -> pd.DataFrame:
    """The events of ``cases`` (records of one model, in the order given) from their ``trail``
    rows, undated: the columns of :data:`DTYPES` (:func:`dated` adds ``level`` and ``timestamp``).

    Built column by column: each kind of event (created, erupted, discovered, reported,
    petitioned, a hand-off, a trail step) is a block of rows, and one stable sort puts them in
    the order of the cases given, then by time, then by :data:`ORDER` of the steps that share
    an instant, then as the case took them (hand-offs before trail steps, each in its order).
    """
    position = {c.id: p for p, c in enumerate(cases)}
    cats = [c.name for c in categories]
    hh_label = [f"household:{c.household}" for c in cases]
    blocks = _Blocks()

    # the case's own timestamps: created, erupted, discovered, reported, petitioned
    n = len(cases)
    blocks.add(range(n), [c.t_created for c in cases], "created", hh_label, "", "", 0)
    erupted = [p for p, c in enumerate(cases) if c.eruption]
    blocks.add(erupted, [cases[p].t_erupt for p in erupted], "erupted", "", "", "", 1)
    accepted_by: dict[int, object] = {}
    for row in trail:
        if row[2] == "accepted" and row[0] not in accepted_by:
            accepted_by[row[0]] = row[3]
    found = [p for p, c in enumerate(cases) if c.t_discovered == c.t_discovered]
    # the household, the patrol, or the unit an eruption reaches
    finder = [hh_label[p] if cases[p].found_by == FOUND_BY_RESIDENT
              else _unit(accepted_by.get(cases[p].id) or "") for p in found]
    blocks.add(found, [cases[p].t_discovered for p in found], "discovered", finder,
               [cases[p].found_by for p in found], "", 2)
    blocks.add(found, [cases[p].t_reported for p in found], "reported", finder,
               [cases[p].channel for p in found], "", 3)
    petitioned = [p for p in found if cases[p].petition]
    blocks.add(petitioned, [cases[p].t_reported for p in petitioned], "petitioned",
               [hh_label[p] for p in petitioned], "petition", "", 4)

    # hand-offs, in the case's order (after its own timestamps)
    hp, ht, ha, hsrc, hreason, hdst, hseq = [], [], [], [], [], [], []
    for p, c in enumerate(cases):
        log = c.handoff_log
        for k in range(0, len(log), 2):
            src, dst, reason = log[k]
            hp.append(p)
            ht.append(log[k + 1])
            ha.append(HANDOFF_ACTIVITY.get(reason, "referred"))
            hsrc.append(src if src != "-" else "")
            hreason.append(reason)
            hdst.append(dst)
            hseq.append(5 + (k >> 1))
    blocks.add(hp, ht, ha, hsrc, hreason, hdst, hseq, value=math.nan, handoff=True)

    # the trail's steps, in trail order (after the hand-offs)
    units: dict = {}
    tp, tt, tact, tres, treason, ttarget, tvalue, tseq = [], [], [], [], [], [], [], []
    seen: dict[int, int] = {}
    for cid, t, activity, key, detail in trail:
        p = position.get(cid)
        if p is None:
            continue
        resource = units.get(key)
        if resource is None:
            resource = units[key] = _unit(key)
        reason, target, value = "", "", math.nan
        if activity == "acted" or activity == "rated":
            value = float(detail)
        elif activity == "audited":
            reason = "caught" if detail else "clean"
        elif activity == "arrived_on_site":
            target = f"department:{detail}"
        else:  # accepted, work_started, reopened (by an eruption), resolved, closed_on_paper
            reason = detail or ""
        k = seen.get(cid, 0)
        seen[cid] = k + 1
        tp.append(p)
        tt.append(t)
        tact.append(activity)
        tres.append(resource)
        treason.append(reason)
        ttarget.append(target)
        tvalue.append(value)
        tseq.append(_TRAIL_SEQ + k)
    blocks.add(tp, tt, tact, tres, treason, ttarget, tseq, value=tvalue)

    return blocks.frame(cases, cats)


_TRAIL_SEQ = 1 << 40  # a trail step's place among its case's rows comes after every hand-off's
_ROW_DTYPES = {"value": np.float64, "handoff": bool}


class _Blocks:
    """Rows of :func:`event_rows`, gathered a kind of event at a time: each column of a block
    is a list (one value a row) or one value for all its rows."""

    _COLUMNS = ("activity", "resource", "reason", "target", "seq", "value", "handoff")

    def __init__(self):
        self.positions: list = []
        self.times: list = []
        self.columns: dict[str, list] = {name: [] for name in self._COLUMNS}

    def add(self, positions, times, activity, resource, reason, target, seq, value=math.nan,
            handoff=False) -> None:
        n = len(positions)
        self.positions.extend(positions)
        self.times.extend(times)
        for name, column in zip(self._COLUMNS, (activity, resource, reason, target, seq, value, handoff),
                                strict=True):
            self.columns[name].extend(column if isinstance(column, list) else [column] * n)

    def order(self, p: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Rows by case position ``p``, time ``t``, :data:`ORDER`, then the order the case took them."""
        order = np.fromiter((ORDER[a] for a in self.columns["activity"]), np.int64, len(p))
        seq = np.asarray(self.columns["seq"], dtype=np.int64)
        rows = np.lexsort((seq, order, t, p))
        undated = np.isnan(t[rows])
        if undated.any():
            # a step not yet timed (NaN): order its case's rows as Python's sort of
            # (time, ORDER, place) does, NaN's comparisons and all
            ps = p[rows]
            cases = np.unique(ps[undated])
            starts, ends = np.searchsorted(ps, cases, "left"), np.searchsorted(ps, cases, "right")
            times = self.times
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                block = sorted(rows[start:end].tolist(), key=seq.__getitem__)
                rows[start:end] = sorted(block, key=lambda r: (times[r], order[r], seq[r]))
        return rows

    def frame(self, cases: list, category_names: list[str]) -> pd.DataFrame:
        t = np.asarray(self.times, dtype=np.float64)
        p = np.asarray(self.positions, dtype=np.int64)
        rows = self.order(p, t)
        p = p[rows]
        per_case = {
            "case_id": [c.id for c in cases],
            "household": [c.household for c in cases],
            "street": [c.street for c in cases],
            "category": [category_names[c.category] for c in cases],
            "n_departments": [len(c.departments) for c in cases],
        }
        data = {}
        for name in DTYPES:
            if name == "t_h":
                data[name] = t[rows]
            elif name == "category":
                data[name] = _text(per_case[name], p)
            elif name in per_case:
                data[name] = np.asarray(per_case[name], dtype=np.int64)[p]
            elif name in _ROW_DTYPES:
                data[name] = np.asarray(self.columns[name], dtype=_ROW_DTYPES[name])[rows]
            else:
                data[name] = _text(self.columns[name], rows)
        return pd.DataFrame(data).astype(DTYPES)


def _text(values: list, rows: np.ndarray):
    """``values`` taken at ``rows`` as a text column: put in order in Arrow (3× faster than
    through a numpy object array); values that are not all text (or missing) go the slow way,
    as ``astype("str")`` converts them."""
    try:
        taken = pa.array(values, type=pa.large_string()).take(pa.array(rows))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return np.asarray(values, dtype=object)[rows]
    return pd.array(taken, dtype="str")


def dated(df: pd.DataFrame, start_date) -> pd.DataFrame:
    """Events of :func:`event_rows` with their ``level`` and wall-clock ``timestamp``, in
    :data:`EVENT_COLUMNS` order."""
    # "department:3" → "department", "household:7" → "resident", in Arrow
    role = pc.list_element(pc.split_pattern(pa.array(df["resource"]), ":", max_splits=1), 0)
    role = pc.if_else(pc.equal(role, "household"), "resident", role)
    df["level"] = pd.Series(role.to_pandas(), index=df.index).astype("str")
    start = pd.Timestamp(start_date).tz_localize(CHINA_STANDARD_TIME)
    df["timestamp"] = (start + pd.to_timedelta(df["t_h"].to_numpy(dtype=float), unit="h")).astype(
        pd.DatetimeTZDtype("us", CHINA_STANDARD_TIME))
    return df[EVENT_COLUMNS]


# --------------------------------------------------------------------------- OCEL 2.0


def _iso(ts: pd.Series) -> list[str]:
    return (ts.dt.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+08:00").tolist()


def _attr_types(values: dict) -> list[dict]:
    return [{"name": k, "type": t} for k, t in values.items()]


def _case_object(cid: int, category: str, severity: int, n_departments: int, latent: bool, status: str,
                 household: int, street: int, repeat_of: int, n_streets: int) -> dict:
    rel = [{"objectId": f"household:{household}", "qualifier": "household"}]
    if 0 <= street < n_streets:
        rel.append({"objectId": f"street:{street}", "qualifier": "located in"})
    if repeat_of >= 0:
        rel.append({"objectId": f"case:{repeat_of}", "qualifier": "repeat of"})
    return {"id": f"case:{cid}", "type": "case", "attributes": [
        {"name": "category", "time": STATIC_TIME, "value": category},
        {"name": "severity", "time": STATIC_TIME, "value": int(severity)},
        {"name": "n_departments", "time": STATIC_TIME, "value": int(n_departments)},
        {"name": "latent", "time": STATIC_TIME, "value": bool(latent)},
        {"name": "status", "time": STATIC_TIME, "value": status},
    ], "relationships": rel}


def _household_object(h: int, grid: int, community: int, street: int, n_streets: int) -> dict:
    rel = ([{"objectId": f"street:{street}", "qualifier": "lives in"}]
           if 0 <= street < n_streets else [])
    return {"id": f"household:{h}", "type": "household", "attributes": [
        {"name": "grid", "time": STATIC_TIME, "value": int(grid)},
        {"name": "community", "time": STATIC_TIME, "value": int(community)},
    ], "relationships": rel}


def _unit_object(unit: str, name: str) -> dict:
    return {"id": unit, "type": "unit", "attributes": [
        {"name": "role", "time": STATIC_TIME, "value": _role(unit)},
        {"name": "name", "time": STATIC_TIME, "value": name},
    ], "relationships": []}


def _street_object(s: int, name: str) -> dict:
    return {"id": f"street:{s}", "type": "street", "attributes": [
        {"name": "name", "time": STATIC_TIME, "value": name}], "relationships": []}


def _events_json(events: pd.DataFrame, first: int, n_streets: int):
    """The OCEL events of ``events`` (rows of the flat log), numbered from ``e<first>``."""
    times = _iso(events["timestamp"])
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
        if activity == "created" and 0 <= street < n_streets:
            rel.append({"objectId": f"street:{street}", "qualifier": "where"})
        attrs = [{"name": "level", "value": level}, {"name": "reason", "value": reason}]
        if value == value:
            attrs.append({"name": "value", "value": float(value)})
        yield {"id": f"e{first + k}", "type": activity, "time": times[k],
               "attributes": attrs, "relationships": rel}


def _ocel_types() -> tuple[list[dict], list[dict]]:
    """OCEL 2.0 ``objectTypes`` and ``eventTypes``."""
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
    return object_types, event_types


def _units_in(events: pd.DataFrame) -> set[str]:
    return {u for u in (set(events["resource"]) | set(events["target"])) - {"", None}
            if not u.startswith("household:")}


def ocel_document(model, events: pd.DataFrame) -> dict:
    """The OCEL 2.0 JSON document of a run: object types case, unit, household, street."""
    cases = model.cases
    cats = [c.name for c in model.categories]
    streets = list(model.territory.streets)
    n_streets = len(streets)
    unit_names = {f"{role}:{i}": getattr(u, "name", "") for (role, i), u in model.units.items()}
    for branch in getattr(model, "party_branches", []):
        community = model.community_offices[branch.community].name
        unit_names.setdefault(f"party_branch:{branch.community}", f"{community}党支部")

    objects: list[dict] = [
        _case_object(c.id, cats[c.category], c.severity, len(c.departments), c.latent, c.status,
                     c.household, c.street, c.repeat_of, n_streets) for c in cases]
    pop = model.population
    for h in sorted({c.household for c in cases}):
        grid = int(pop.grid[h])
        community = model.community_of_grid[grid]
        objects.append(_household_object(h, grid, community, model.street_of_community[community], n_streets))
    objects.extend(_unit_object(u, unit_names.get(u, u)) for u in sorted(_units_in(events)))
    objects.extend(_street_object(s, name) for s, name in enumerate(streets))
    object_types, event_types = _ocel_types()
    return {"objectTypes": object_types, "eventTypes": event_types, "objects": objects,
            "events": list(_events_json(events, 0, n_streets))}


# --------------------------------------------------------------------------- from written tables

OCEL_MAX_EVENTS = 2_000_000  # ~0.8 GB of OCEL JSON (~400 bytes an event); the flat log has no limit


def ocel_refusal(n_events: int) -> str | None:
    """Why ``events.jsonocel`` of a city run as districts is not written (``None``: it is)."""
    if n_events <= OCEL_MAX_EVENTS:
        return None
    return (f"events.jsonocel not written: {n_events:,} events are more than the OCEL limit of "
            f"{OCEL_MAX_EVENTS:,} (eventlog.OCEL_MAX_EVENTS); events.parquet holds every event")


def write_ocel(path: str | Path, events_path: str | Path, cases_path: str | Path,
               unit_names: dict[str, str], streets: list[str], batch_rows: int = 100_000) -> None:
    """``events.jsonocel`` from a written flat log and cases table, a batch of rows at a time:
    the document :func:`ocel_document` makes, without holding it (a city run as districts).
    ``unit_names``: unit label (``role:index``) → name; a 党支部 is named after its community office."""
    import pyarrow.parquet as pq

    n_streets = len(streets)
    events_file = pq.ParquetFile(str(events_path))
    units: set[str] = set()
    for batch in events_file.iter_batches(batch_rows, columns=["resource", "target"]):
        units |= _units_in(batch.to_pandas())
    households: dict[int, tuple[int, int, int]] = {}

    def dump(obj) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    object_types, event_types = _ocel_types()
    with open(path, "w", encoding="utf-8") as f:
        f.write(f'{{"objectTypes":{dump(object_types)},"eventTypes":{dump(event_types)},"objects":[')
        sep = ""
        case_columns = ["case_id", "category", "severity", "n_departments", "latent", "status", "household",
                        "street", "repeat_of", "grid", "community"]
        for batch in pq.ParquetFile(str(cases_path)).iter_batches(batch_rows, columns=case_columns):
            cols = batch.to_pydict()
            for cid, cat, sev, ndep, latent, status, h, street, rep, grid, community in zip(
                    *(cols[c] for c in case_columns), strict=True):
                f.write(sep + dump(_case_object(cid, cat, sev, ndep, latent, status, h, street, rep, n_streets)))
                sep = ","
                households.setdefault(h, (grid, community, street))
        for h in sorted(households):
            f.write(sep + dump(_household_object(h, *households[h], n_streets)))
            sep = ","
        for u in sorted(units):
            name = unit_names.get(u)
            if name is None and u.startswith("party_branch:"):
                office = unit_names.get("community_office:" + u.split(":", 1)[1])
                name = f"{office}党支部" if office is not None else None
            f.write(sep + dump(_unit_object(u, name if name is not None else u)))
            sep = ","
        for i, name in enumerate(streets):
            f.write(sep + dump(_street_object(i, name)))
            sep = ","
        f.write('],"events":[')
        sep, at = "", 0
        for batch in events_file.iter_batches(batch_rows):
            events = batch.to_pandas()
            for event in _events_json(events, at, n_streets):
                f.write(sep + dump(event))
                sep = ","
            at += len(events)
        f.write("]}")


# --------------------------------------------------------------------------- output


@dataclass
class EventLog:
    """A run's event log: ``events`` (flat, one row per event) and ``ocel`` (OCEL 2.0 JSON;
    ``None`` when a city run as districts made more events than :data:`OCEL_MAX_EVENTS`,
    ``ocel_refusal`` says so)."""

    events: pd.DataFrame
    ocel: dict | None
    start_date: date
    ocel_refusal: str | None = None

    def write(self, out: str | Path) -> Path:
        """Write ``events.parquet`` and ``events.jsonocel`` into ``out``; each appears whole or not at all."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
        try:
            names = ["events.parquet"]
            self.events.to_parquet(tmp / "events.parquet", index=False)
            if self.ocel is not None:
                text = json.dumps(self.ocel, ensure_ascii=False, separators=(",", ":"))  # one shot: fast
                (tmp / "events.jsonocel").write_text(text, encoding="utf-8")
                names.append("events.jsonocel")
            for name in names:
                os.replace(tmp / name, out / name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return out


class WrittenEventLog:
    """The event log of a city run as districts, written (``events.parquet`` and, unless
    ``ocel_refusal``, ``events.jsonocel`` in ``folder``): each file is read when first asked for."""

    def __init__(self, folder: str | Path, start_date: date, ocel_refusal: str | None = None):
        self.folder, self.start_date, self.ocel_refusal = Path(folder), start_date, ocel_refusal
        self._events: pd.DataFrame | None = None
        self._ocel: dict | None = None

    @property
    def events(self) -> pd.DataFrame:
        if self._events is None:
            self._events = pd.read_parquet(self.folder / "events.parquet")
        return self._events

    @property
    def ocel(self) -> dict | None:
        if self._ocel is None and self.ocel_refusal is None:
            self._ocel = json.loads((self.folder / "events.jsonocel").read_text(encoding="utf-8"))
        return self._ocel

    def write(self, out: str | Path) -> Path:
        """Copy the files into ``out`` (nothing to do if they are there already)."""
        out = Path(out)
        if out.resolve() == self.folder.resolve():
            return out
        out.mkdir(parents=True, exist_ok=True)
        for name in ("events.parquet", "events.jsonocel"):
            if (self.folder / name).exists():
                tmp = out / f".{name}.partial"
                shutil.copyfile(self.folder / name, tmp)
                os.replace(tmp, out / name)
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
