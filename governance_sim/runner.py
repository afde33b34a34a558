"""``run()``: one scenario, one seed → five DataFrames, optionally written as Parquet."""

from __future__ import annotations

import gc
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from governance_sim import eventlog, metrics
from governance_sim.groups import place_columns
from governance_sim.model import GovernanceModel
from governance_sim.outdir import staged_dir
from governance_sim.panel import panel_frame
from governance_sim.places import places_frame
from governance_sim.scenario import Scenario, ScenarioError, load_scenario

TABLES = ("summary", "timeseries", "cases", "workers", "places", "panel")
FREE_AT_ONCE_HOUSEHOLDS = 1_000_000  # a run this large is freed as soon as it returns
MOVE_SETTLED_HOUSEHOLDS = 1_000_000  # … and, where it may, moves its settled cases out as it runs


def package_version() -> str:
    from governance_sim import __version__

    return __version__


@dataclass
class RunResult:
    """The outputs of one run (MODEL.md §6); every row carries the run's identity columns."""

    summary: pd.DataFrame
    timeseries: pd.DataFrame
    cases: pd.DataFrame
    workers: pd.DataFrame
    scenario: Scenario
    places: pd.DataFrame | None = None  # one row per district, street and community (places.py)
    event_log: eventlog.EventLog | None = None  # with ``run(..., event_log=True)``
    panel: pd.DataFrame | None = None  # one row per street × counted month (panel.py)

    def write(self, out: str | Path) -> Path:
        """Write the tables as ``<table>.parquet`` into ``out``, atomically per file,
        and the event log (``events.parquet``, ``events.jsonocel``) if the run kept one."""
        write_tables({t: getattr(self, t) for t in TABLES if getattr(self, t) is not None}, out)
        if self.event_log is not None:
            self.event_log.write(out)
        return Path(out)

    @property
    def metrics(self) -> dict[str, Any]:
        return self.summary.iloc[0].to_dict()


def identity(scenario: Scenario) -> dict[str, Any]:
    return {
        "scenario": scenario.name,
        "scenario_hash": scenario.scenario_hash,
        "variant": scenario.variant,
        "arrangement": scenario.arrangement.name,
        "seed": scenario.seed,
        "version": package_version(),
    }


def _tag(df: pd.DataFrame, ident: dict[str, Any], copy: bool = True) -> pd.DataFrame:
    """``df`` with the run's identity columns first (``copy=False``: inserted into ``df`` itself,
    for a frame no one else holds)."""
    if copy:
        df = df.copy()
    for i, (k, v) in enumerate(ident.items()):
        df.insert(i, k, v)
    return df


def run(scenario: str | Path | dict | Scenario, variant: str | None = None, *, seed: int | None = None,
        days: int | None = None, overrides: dict[str, Any] | list[str] | None = None,
        out: str | Path | None = None, progress: Callable[[int], None] | None = None,
        event_log: bool = False, workers: int | None = None, scheduler=None,
        check_memory: bool = True) -> RunResult:
    """Run one scenario and return (and optionally write) its tables.

    Args:
        scenario: YAML path, mapping or loaded :class:`Scenario`.
        variant: a name from the scenario's ``variants`` table.
        seed, days: override the scenario's values.
        overrides: dotted-path overrides (``{"arrangement.p_buckpass": 0.1}`` or ``["a.b=1"]``).
        out: folder to write ``summary/timeseries/cases/workers/places/panel.parquet`` into.
        progress: called with the day number after each simulated day (a city run as districts:
            at each month's end, when its districts meet).
        event_log: also keep every step of every case and return it as ``result.event_log``
            (written as ``events.parquet`` and the OCEL 2.0 ``events.jsonocel``; see
            ``docs/event_log.md``).  A city run as districts builds it as cases leave the
            districts and writes ``events.jsonocel`` only up to ``eventlog.OCEL_MAX_EVENTS``
            events (``result.event_log.ocel_refusal`` says when it did not).
        workers, scheduler: for a city run as districts (``city.partition: districts``), the
            worker processes (default 1), or a Dask scheduler address or client
            (:mod:`governance_sim.partition`); results do not depend on them.  Other runs take
            one process.
        check_memory: refuse, before anything is built, a run in one model whose estimated
            peak exceeds ``limits.max_memory_gb`` or else the memory available
            (:func:`~governance_sim.experiments.memory.check_fits`); ``False`` for the runs of an
            experiment, whose number at once is already sized to fit.
    """
    sc = load_scenario(scenario, variant, overrides, seed=seed, days=days)
    from governance_sim.partition import is_partitioned

    if is_partitioned(sc):
        return run_partitioned(sc, workers, scheduler, out=out, progress=progress, event_log=event_log)
    if workers not in (None, 1) or scheduler is not None:
        raise ScenarioError("workers", "only a city run as districts (city.partition: districts) runs on "
                                       f"several workers; this run takes one (got workers={workers!r})")
    model = one_model(sc, event_log) if check_memory else GovernanceModel(sc)
    if event_log:
        eventlog.record(model)
    try:
        return run_to_end(model, out, progress)
    finally:
        release(model)
        if model.n_households >= FREE_AT_ONCE_HOUSEHOLDS:
            # agents and model refer to each other: only the cyclic collector frees them, and a
            # city's gigabytes should be gone before the next run of a sequence is built
            del model
            gc.collect()


def run_to_end(model: GovernanceModel, out: str | Path | None = None,
               progress: Callable[[int], None] | None = None) -> RunResult:
    """Run ``model`` to its last day and :func:`collect` its tables, its settled cases moved out
    as it runs where it may (:func:`settled_cases_moved`: the tables are the same)."""
    spill = settled_cases_moved(model)
    if spill is None:
        model.run_model(progress)
        return collect(model, out)
    model.run_model(_moving_monthly(spill, progress))
    cases = spill.frame()
    model.cases = spill.records(cases, model.categories)  # what reads the case list now reads its rows
    return collect(model, out, cases=cases)


def moves_settled_cases(sc: Scenario, households: float, event_log: bool = False) -> bool:
    """Whether a run of ``sc`` in one model, of ``households`` households, moves its settled
    cases out as it runs: one of at least :data:`MOVE_SETTLED_HOUSEHOLDS` households whose
    components a city run as districts allows (they look no case up by id while running) and
    that keeps no event log (built from every case record at the end)."""
    from governance_sim.partition.plan import check_partition
    from governance_sim.partition.spill import MOVES

    return (MOVES and households >= MOVE_SETTLED_HOUSEHOLDS and not event_log
            and check_partition(sc) is None)


def settled_cases_moved(model: GovernanceModel):
    """A :class:`~governance_sim.partition.spill.CaseSpill` for a run that moves its settled
    cases out (:func:`moves_settled_cases`): they leave the model as compressed rows at every
    month's end, as in a city run as districts, and its tables are the same.  ``None`` for any
    other run."""
    from governance_sim.partition.spill import CaseSpill

    if not moves_settled_cases(model.scenario, model.n_households, eventlog.is_recording(model)):
        return None
    return CaseSpill(model)


def _moving_monthly(spill, progress: Callable[[int], None] | None) -> Callable[[int], None]:
    """``progress``, and at each month's end the settled cases moved out."""
    from governance_sim.model import MONTH_DAYS

    def after(day: int) -> None:
        if day % MONTH_DAYS == 0:
            spill.take()
        if progress is not None:
            progress(day)

    return after


def one_model(sc: Scenario, event_log: bool = False) -> GovernanceModel:
    """The model of a run in one process (keeping an event log or not), once its estimated
    memory is known to fit (:func:`~governance_sim.experiments.memory.check_fits`,
    ``limits.max_memory_gb``)."""
    from governance_sim.experiments.memory import check_fits

    check_fits(sc, event_log=event_log)
    return GovernanceModel(sc)


def run_partitioned(sc: Scenario, workers: int | None = None, scheduler=None, *, out: str | Path | None = None,
                    progress: Callable[[int], None] | None = None, event_log: bool = False,
                    stage: Callable[[str], None] | None = None) -> RunResult:
    """A city run as districts (:mod:`governance_sim.partition`) as a :class:`RunResult`.

    Its cases table is written district by district, never held whole: with ``out``, into
    ``out/cases.parquet``, and ``result.cases`` reads that file when first asked for; without,
    into a temporary folder, read back before it goes.  The event log (``event_log``) is
    written beside it the same way (``events.parquet``, ``events.jsonocel``).  ``stage`` is told
    what the run does after its last day (:func:`governance_sim.partition.run_partitioned`).
    """
    from governance_sim.partition import run_partitioned as run_districts

    ident = identity(sc)
    folder = staged_dir(out) if out is not None else tempfile.TemporaryDirectory(prefix="govsim-city-")
    with folder as tmp:
        tmp = Path(tmp)
        tables = run_districts(sc, workers, scheduler, progress, cases_to=tmp / "cases.parquet", identity=ident,
                               events_to=tmp / "events.parquet" if event_log else None, stage=stage)
        refusal = _write_ocel(sc, tmp, tables["workers"], stage) if event_log else None
        tables = {name: _tag(df, ident) for name, df in tables.items()}
        for name, df in tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
        if out is None:
            log = None
            if event_log:
                held = eventlog.WrittenEventLog(tmp, sc.start_date, refusal)
                log = eventlog.EventLog(held.events, held.ocel, sc.start_date, refusal)
            return RunResult(scenario=sc, cases=pd.read_parquet(tmp / "cases.parquet"), event_log=log, **tables)
    log = eventlog.WrittenEventLog(out, sc.start_date, refusal) if event_log else None
    return WrittenRunResult(scenario=sc, cases=Path(out) / "cases.parquet", event_log=log, **tables)


def _write_ocel(sc: Scenario, folder: Path, workers: pd.DataFrame,
                stage: Callable[[str], None] | None = None) -> str | None:
    """``events.jsonocel`` of a city run as districts, from its written log and cases table; or,
    above ``eventlog.OCEL_MAX_EVENTS`` events, why it is not written."""
    import pyarrow.parquet as pq

    from governance_sim.territory import build_territory

    refusal = eventlog.ocel_refusal(pq.ParquetFile(folder / "events.parquet").metadata.num_rows)
    if refusal is None:
        if stage is not None:
            stage("writing events.jsonocel")
        names = dict(zip(workers["unit"], workers["name"], strict=True))
        eventlog.write_ocel(folder / "events.jsonocel", folder / "events.parquet", folder / "cases.parquet",
                            names, list(build_territory(sc).streets))
    return refusal


class WrittenRunResult(RunResult):
    """A run whose cases table was written, not held (a city run as districts with ``out``):
    ``cases`` reads ``cases.parquet`` when first asked for — a city year has millions of rows."""

    @property
    def cases(self) -> pd.DataFrame:
        if not isinstance(self._cases, pd.DataFrame):
            self._cases = pd.read_parquet(self._cases)
        return self._cases

    @cases.setter
    def cases(self, value: pd.DataFrame | Path) -> None:
        self._cases = value


def release(model: GovernanceModel) -> None:
    """Let a finished model be freed.

    Mesa 3.3 keeps every model it has built as a key of ``mesa.Agent._ids`` (its
    per-model id counters), so a worker running hundreds of replications would
    otherwise keep every finished model, and all its agents, in memory.
    """
    import mesa

    mesa.Agent._ids.pop(model, None)


def collect(model: GovernanceModel, out: str | Path | None = None, cases: pd.DataFrame | None = None) -> RunResult:
    """Turn a finished (or paused) model into a :class:`RunResult` (``cases``: its cases table,
    when its settled cases were moved out as rows, :func:`settled_cases_moved`)."""
    ident = identity(model.scenario)
    take = getattr(model.datacollector, "take_end_tables", None)
    end = take() if take is not None and cases is None else None
    if end is not None and end["day"] == model.day:  # built on the last day (see collector.py)
        cases, workers, row = end["cases"], end["workers"], dict(end["summary"])
    else:
        cases = metrics.cases_frame(model) if cases is None else cases
        workers = metrics.workers_frame(model)
        row = metrics.summary_row(model, cases, workers)
    # every frame below is this call's own, so the identity columns go into it, not into a copy
    places = place_columns(model, cases, places_frame(model, cases, workers))
    panel = panel_frame(model, cases)
    log = eventlog.build(model) if eventlog.is_recording(model) else None
    if log is not None:
        log.events = _tag(log.events, ident, copy=False)
    result = RunResult(
        summary=_tag(pd.DataFrame([row]), ident, copy=False),
        timeseries=_tag(metrics.timeseries_frame(model), ident, copy=False),
        cases=_tag(cases, ident, copy=False),
        workers=_tag(workers, ident, copy=False),
        scenario=model.scenario,
        places=_tag(places, ident, copy=False),
        event_log=log,
        panel=_tag(panel, ident, copy=False),
    )
    if out is not None:
        result.write(out)
    return result


def write_tables(tables: dict[str, pd.DataFrame], out: str | Path) -> Path:
    """Write DataFrames as Parquet into ``out``: all of them, or (on an error) none."""
    out = Path(out)
    with staged_dir(out) as tmp:
        for name, df in tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
    return out
