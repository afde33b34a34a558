"""The worker's side of a city run as districts: the district models one worker holds.

A :class:`DistrictHost` builds the models of its districts, advances them to a
synchronisation day, hands over the 三率 rows of the month just ended, takes back
the city-wide ranking, and at the end turns each model into its tables with ids
moved to the city's layout (the cases table as Parquet bytes, one district at a time).
At each synchronisation it moves the cases nothing refers to any more out of the models
as table rows (spill.py), so a worker holds ~0.1 KB, not ~1 KB, for each settled case.
The same object serves in this process (one worker), in a local worker process (pools.py)
and as a Dask actor.
"""

from __future__ import annotations

import gc
import re

import pandas as pd

from governance_sim import metrics
from governance_sim.gc_pause import cyclic_gc_paused
from governance_sim.model import MONTH_DAYS, GovernanceModel
from governance_sim.overlays.hotline import Hotline
from governance_sim.partition import stream
from governance_sim.partition.events import DistrictEvents
from governance_sim.partition.merge import shift_cases
from governance_sim.partition.spill import CaseSpill

_UNIT = re.compile(r"\b([a-z_]+):(\d+)")


def renumbered(paths: pd.Series, unit) -> pd.Series:
    """``paths`` with each unit label replaced by ``unit(match)``: once per distinct path (a
    city year has millions of cases but few distinct hand-off paths, ~5 %)."""
    codes, distinct = pd.factorize(paths, use_na_sentinel=False)
    renamed = pd.Series(distinct, dtype=paths.dtype).str.replace(_UNIT, unit, regex=True)
    return pd.Series(renamed.array.take(codes), index=paths.index, name=paths.name)


def ranked_hotline(model) -> Hotline | None:
    """The model's hotline, if it has one (its monthly ranking is the city's)."""
    return next((o for o in model.overlays if isinstance(o, Hotline)), None)


class DistrictHost:
    """The models of some districts of one city run (``scenarios``: district index → scenario)."""

    move_finished_cases = True  # at each synchronisation (spill.py); off only to check it changes nothing

    def __init__(self, scenarios: dict):
        self.models: dict[int, GovernanceModel] = {}
        self.daily: dict[int, list[tuple[int, int]]] = {}
        self.spills: dict[int, CaseSpill] = {}
        self.events: dict[int, DistrictEvents] = {}  # with an event log (record_events)
        with cyclic_gc_paused():
            for k in sorted(scenarios):
                model = GovernanceModel(scenarios[k])
                hotline = ranked_hotline(model)
                if hotline is not None:
                    hotline.ranked_elsewhere = True
                self.models[k] = model
                self.daily[k] = []
                self.spills[k] = CaseSpill(model)

    def unit_counts(self) -> dict[int, dict[str, int]]:
        """Units of each role in each district (the city numbers them district after district)."""
        out = {}
        for k, model in self.models.items():
            counts: dict[str, int] = {}
            for role, _ in model.units:
                counts[role] = counts.get(role, 0) + 1
            out[k] = counts
        return out

    def record_events(self, unit_offsets: dict[int, dict[str, int]],
                      place_offsets: dict[int, dict[str, int]]) -> dict:
        """Keep an event log (partition/events.py): each district's events are built as its
        cases are moved out, and at the end for the rest."""
        for k, model in self.models.items():
            self.events[k] = log = DistrictEvents(model, k, unit_offsets[k], place_offsets[k])
            self.spills[k].on_move = log.take
        return {}

    def take_events(self) -> dict[int, list[bytes]]:
        """The event parts each district built since the last call."""
        return {k: log.handed_over() for k, log in self.events.items()}

    def end_events(self) -> dict[int, list[bytes]]:
        """The event parts of the cases still held (call after the last ``advance``)."""
        for log in self.events.values():
            log.take_rest()
        return self.take_events()

    def case_counts(self) -> dict[int, int]:
        """Cases of each district so far (the city numbers them district after district)."""
        return {k: len(model.cases) for k, model in self.models.items()}

    def advance(self, day: int) -> dict[int, list[dict] | None]:
        """Run every district to the end of ``day``; the 三率 rows of a month that just ended."""
        out = {}
        with cyclic_gc_paused():  # the models make no reference cycles (see gc_pause)
            for k, model in self.models.items():
                while model.day < day and model.running:
                    model.step()
                    self.daily[k].append((model.counters["rated"], model.counters["satisfied"]))
                if self.move_finished_cases:
                    self.spills[k].take()
                hotline = ranked_hotline(model)
                ended = model.day % MONTH_DAYS == 0 and hotline is not None and hotline.appraisals
                out[k] = [dict(r) for r in hotline.appraisals[-hotline.n_units:]] if ended else None
        return out

    def take_ranking(self, ranked: dict[int, list[dict]]) -> None:
        """Rank and pressure of each district's streets, from the city-wide ranking."""
        for k, rows in ranked.items():
            if k not in self.models:  # another worker's district
                continue
            hotline = ranked_hotline(self.models[k])
            hotline.take_ranking(hotline.appraisals[-hotline.n_units:], rows)

    def finish(self, unit_offsets: dict[int, dict[str, int]], case_offsets: dict[int, int],
               place_offsets: dict[int, dict[str, int]], district_ids: dict[int, str],
               n_district_departments: int, identity: dict) -> dict[int, dict]:
        """Each district's tables and the parts of its summary (merge.py), ids moved to the city's.

        The cases table travels as Parquet bytes (stream.py), tagged with the run's ``identity``
        columns: a district's frame is gone before the next district's is built.  The moved
        rows and the cases still held are put together first (spill.py); what reads the case
        list of a finished model (the overlays' summary parts) reads those rows.
        """
        from governance_sim.runner import _tag, release

        out = {}
        for k in list(self.models):
            model = self.models.pop(k)  # freed, with the others, by the collector pass below
            shift = unit_offsets[k]

            def unit(match, shift=shift):
                return f"{match[1]}:{int(match[2]) + shift.get(match[1], 0)}"

            self.events.pop(k, None)
            cases = self.spills.pop(k).frame()
            model.cases = CaseSpill.records(cases, model.categories)  # what reads the case list now reads its rows
            workers = metrics.workers_frame(model)
            workers["unit"] = workers["unit"].str.replace(_UNIT, unit, regex=True)
            did = district_ids[k]
            named = workers["role"].isin(("department", "district_center", "municipal_center"))
            workers.loc[named, "name"] = workers.loc[named, "name"] + "@" + did
            ts = metrics.timeseries_frame(model)
            rated, satisfied = zip(*self.daily[k], strict=True) if self.daily[k] else ((), ())
            ts["_rated"], ts["_satisfied"] = list(rated), list(satisfied)
            out[k] = {
                "workers": workers, "timeseries": ts,
                "day": model.day, "n_households": model.n_households,
                "trust_sum": float(model.population.trust.sum()),
                "counters": metrics._counted(model),
                "summons": dict(model.appraisal.counters),
                "arrangement": model.arrangement.summary(model),
                "overlays": [(o.name, o.summary_parts(model)) for o in model.overlays],
                "grid_worker_grids": [list(w.grids) for w in model.grid_workers],
                "department_municipal": [d.index >= n_district_departments for d in model.departments],
            }
            if model.scenario.groups:  # the summary's and places' columns by group (groups.py)
                pop = model.population
                out[k]["groups"] = {"names": list(pop.group_names), "group": pop.group,
                                    "trust": pop.trust.copy()}
            model.cases = []
            release(model)
            del model
            cases["handoff_path"] = renumbered(cases["handoff_path"], unit)
            cases = shift_cases(cases, case_offsets[k], place_offsets[k])
            out[k]["cases"] = stream.encode(_tag(cases, identity, copy=False))
            del cases
        # a model and its agents refer to each other: one pass of the cyclic collector frees them
        # all (one pass per district walked every other district's objects again: ~1/3 of the time)
        gc.collect()
        return out
