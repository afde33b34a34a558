"""A city run as districts (``city.partition: districts``): one model per district, in parallel.

The one-model city (:mod:`governance_sim.city`) holds every district in one Mesa
model, so it runs on one core.  Here each district is a model of its own — its
streets, communities, grids, residents, its departments and 区指挥中心 — built from
the city scenario with ``territory.select`` (plan.py), seeded from the run's seed
and the district's place in the territory file, never from where it runs.  The
districts advance side by side, on one worker, on local worker processes or as
Dask actors (pools.py), and meet once a month:

* **the synchronisation step is the month** (``MONTH_DAYS``), the period of the
  municipal 12345's appraisal.  At each month's end every district sends its
  streets' 三率 to the coordinator, which ranks **every street of the city** with
  the hotline's own rule (:func:`governance_sim.overlays.hotline.rank_units`) and
  sends each district its streets' ranks and pressures before the next day runs —
  what the one-model city does at the same moment, so the ranking loses nothing.
* **what the split changes**: the municipal 12345 seats and the municipal departments
  (``city.departments``) can no longer be one pool serving every district within a
  month.  Each district gets its share of the seats and of each municipal
  department's staff and line work in proportion to its population (rounded, at
  least 1): calls and municipal cases queue within their district's share.  The
  schematic lattice of a district is laid out on its own (its communities' neighbours
  at the district's edge differ from the city lattice's).  Results are therefore not
  those of the one-model city, which stays the default; they are the same for any
  number of workers, in this process, in local processes or on Dask.

Tables are merged by the rules in :mod:`governance_sim.partition.merge`; the cases table,
millions of rows for a city year, is written district by district without being held
whole (:mod:`governance_sim.partition.stream`), and the event log, if kept, is built as
cases leave the districts and written in the city's case order
(:mod:`governance_sim.partition.events`).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from governance_sim.model import MONTH_DAYS
from governance_sim.overlays.hotline import rank_units
from governance_sim.partition import events, stream
from governance_sim.partition.merge import case_offsets, merge, place_offsets, unit_offsets
from governance_sim.partition.plan import PartitionPlan, district_seed
from governance_sim.scenario import Scenario, ScenarioError

__all__ = ["CityRanking", "PartitionPlan", "district_seed", "is_partitioned", "run_partitioned", "sync_days"]


def is_partitioned(sc: Scenario) -> bool:
    """Whether the scenario asks for a city run as districts."""
    return sc.city is not None and sc.city.partition == "districts"


def sync_days(total_days: int) -> list[int]:
    """The days after which the districts meet: every month's end, and the last day."""
    days = list(range(MONTH_DAYS, total_days + 1, MONTH_DAYS))
    if not days or days[-1] != total_days:
        days.append(total_days)
    return days


class CityRanking:
    """The coordinator's side of the monthly 三率 ranking: every street of the city together."""

    def __init__(self, plan: PartitionPlan):
        self.offset = plan.layout.street
        self.params = plan.scenario.overlays.get("municipal_hotline")
        self.pressure = dict.fromkeys(range(len(plan.territory.streets)), 0.0)

    def rank(self, rows: dict[int, list[dict] | None]) -> dict[int, list[dict]] | None:
        """Rank and pressure for each district's rows (``None`` when no month ended)."""
        if self.params is None or not any(rows.values()):
            return None
        keys = sorted(k for k, r in rows.items() if r)
        city = [{**r, "unit": self.offset[k] + r["unit"]} for k in keys for r in rows[k]]
        rank_units(city, self.params, self.pressure)
        out, at = {}, 0
        for k in keys:
            n = len(rows[k])
            out[k] = [{"rank": r["rank"], "pressure": r["pressure"]} for r in city[at:at + n]]
            at += n
        return out


def make_pool(plan: PartitionPlan, workers: int | None, scheduler=None):
    """The districts in this process (1 worker), in local worker processes, or as Dask actors
    (``scheduler``; ``workers=None`` → one actor per Dask worker)."""
    from governance_sim.partition import pools

    def groups(n: int) -> list[dict]:
        return [{k: plan.scenario_of(k) for k in ks} for ks in plan.assign(n)]

    if scheduler is not None:
        client, owned = pools.dask_client(scheduler)
        try:
            n = check_workers(workers) if workers is not None else len(pools.dask_workers(client))
            return pools.DaskPool(groups(n), client, owned)
        except BaseException:
            if owned:
                client.close()
            raise
    n = 1 if workers is None else check_workers(workers)
    return pools.InlinePool(groups(1)) if n == 1 else pools.LocalPool(groups(n))


def check_workers(workers, field: str = "workers") -> int:
    """``workers`` if it is a whole number ≥ 1; else one :class:`ScenarioError` naming ``field``."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ScenarioError(field, f"must be a whole number ≥ 1 (got {workers!r})")
    return workers


def run_partitioned(sc: Scenario, workers: int | None = None, scheduler=None,
                    progress: Callable[[int], None] | None = None, *, cases_to: str | Path,
                    identity: dict | None = None, events_to: str | Path | None = None,
                    stage: Callable[[str], None] | None = None) -> dict:
    """Run a city scenario as districts; write its cases table, return its other tables.

    The cases table (tagged with ``identity``'s columns, in this order, first) is written to
    ``cases_to`` district by district (stream.py), never held whole; the other tables come
    back merged and untagged (merge.py).

    Args:
        sc: a loaded city scenario (``city.partition: districts``).
        workers: worker processes (``None`` or 1: every district in this process); with
            ``scheduler``, the Dask actors the districts are spread over (``None``: one per
            Dask worker).
        scheduler: a Dask scheduler address (``tcp://HOST:PORT``) or ``distributed.Client``.
        progress: called with the day number at each synchronisation (every month's end).
        cases_to: the Parquet file to write the city's cases table into.
        identity: the run's identity columns (name → value) that lead every row of the cases.
        events_to: the Parquet file to write the city's flat event log into (``None``: keep no
            log); built as cases leave the districts, written in city case id order
            (:mod:`governance_sim.partition.events`).
        stage: called with what the run does once its last day is simulated ("finishing the
            districts", "writing the cases table", "writing the event log", "merging the tables"):
            a year's end takes a minute or two with no day to count.
    """
    if workers is not None:
        check_workers(workers)
    plan = PartitionPlan(sc)
    total = sc.warmup_days + sc.days
    budget = sc.limits.max_wall_s
    started = time.perf_counter()
    spooled = None if events_to is None else tempfile.TemporaryDirectory(prefix=".events-",
                                                                          dir=Path(events_to).parent)
    written = [0]
    pool = make_pool(plan, workers, scheduler)
    try:
        offsets = unit_offsets(pool.call("unit_counts"))
        if spooled is not None:
            pool.call("record_events", offsets, place_offsets(plan))
        ranking = CityRanking(plan)
        for day in sync_days(total):
            ranked = ranking.rank(pool.call("advance", day))
            if ranked:
                pool.call("take_ranking", ranked)
            if spooled is not None:  # the events of the cases just moved out, one month's at a time
                events.spool(pool.call("take_events"), Path(spooled.name), written)
            if progress is not None:
                progress(day)
            if time.perf_counter() - started > budget:
                from governance_sim.errors import BudgetExceeded

                raise BudgetExceeded("limits.max_wall_s", f"the run was stopped on day {day} after "
                                     f"{budget:g} s (limits.max_wall_s); raise the limit deliberately "
                                     "with --set limits.max_wall_s=SECONDS")
        say = stage or _silent
        say("finishing the districts")
        ids = dict(enumerate(plan.territory.district_ids))
        firsts = case_offsets(pool.call("case_counts"))
        if spooled is not None:
            events.spool(pool.call("end_events"), Path(spooled.name), written)
        parts = pool.call("finish", offsets, firsts, place_offsets(plan), ids, plan.n_district_departments(),
                          identity or {})
    except BaseException:
        if spooled is not None:
            spooled.cleanup()
        raise
    finally:
        pool.close()  # the workers end (and give back their memory) before the city's tables are built
    say("writing the cases table")
    stream.write_cases((parts[k].pop("cases") for k in sorted(parts)), cases_to)
    if spooled is not None:
        say("writing the event log")
        with spooled:
            events.write_events(Path(spooled.name), firsts, events_to, identity or {}, sc.start_date)
    say("merging the tables")
    return merge(plan, parts, stream.read_for_summaries(cases_to, groups=bool(sc.groups)))


def _silent(_: str) -> None:
    """No one to tell what the run does."""
