"""The event log of a city run as districts, built as cases leave the district models.

A one-model run builds its log at the end from every case record and the lifecycle's
``trail`` (:mod:`governance_sim.eventlog`).  A city year run as districts makes tens of
millions of events and moves settled cases out of its models while it runs
(:mod:`governance_sim.partition.spill`), so the log is built in pieces instead:

* each district model records its trail (:func:`governance_sim.eventlog.record`);
* when cases are moved out at a synchronisation — and at the end for the cases still
  held — :class:`DistrictEvents` builds their events from the records about to go
  (:func:`governance_sim.eventlog.event_rows`, the one-model code), drops their rows from
  the trail (which so holds only the steps of cases still held), moves units, households and
  streets to the city's numbering, and keeps the events as compressed Parquet bytes;
* the coordinator takes those parts at every synchronisation and writes each as a file
  (:func:`spool`);
* at the end, once the city's case numbering is known, :func:`write_events` reads the parts
  back district after district, each district's in the order of its case ids (DuckDB's
  sort, which spills to disk beyond ``SORT_MEMORY``), and writes ``events.parquet`` a batch
  at a time, in city case ids, dated and tagged.

Which cases a worker moves at which synchronisation does not change the file: its rows are
ordered by city case id, then by their order within the case, as the one-model log orders
them; so the log is the same for any number of workers, and with or without the move.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from governance_sim import eventlog
from governance_sim.partition import stream

SORT_MEMORY = "1GB"  # DuckDB's memory for ordering the parts; beyond it the sort spills to disk
BATCH_ROWS = 200_000  # events dated, tagged and written at a time
WRITES_AHEAD = 2  # batches handed to the writing thread and not yet written (bounds the memory)
# columns of a part besides the log's own: the district, and an event's place within its case
ORDER_COLUMNS = ("district", "event_no")


class DistrictEvents:
    """One district's events, built from its cases as they leave the model.

    ``units``: where the district's units of each role start in the city's numbering
    (:func:`~governance_sim.partition.merge.unit_offsets`); ``places``: where its
    grids, communities, streets and households start
    (:func:`~governance_sim.partition.merge.place_offsets`).
    """

    def __init__(self, model, district: int, units: dict[str, int], places: dict[str, int]):
        eventlog.record(model)
        self.model, self.district, self.places = model, district, places
        # households and 党支部 are named by index, not numbered as units: their place offsets
        self.shift = {**units, "household": places["household"], "party_branch": places["community"]}
        self.parts: list[bytes] = []

    def take(self, cases: list) -> None:
        """Build the events of ``cases`` (records about to leave the model, in id order) and
        drop their steps from the trail."""
        if not cases:
            return
        trail = self.model.lifecycle.trail
        ids = {c.id for c in cases}
        theirs = [row for row in trail if row[0] in ids]
        trail[:] = [row for row in trail if row[0] not in ids]  # in place: the lifecycle holds it
        events = eventlog.event_rows(cases, theirs, self.model.categories)
        self.parts.append(stream.encode(self._in_city(events)))

    def take_rest(self) -> None:
        """Build the events of every case still held (the run is over)."""
        self.take([c for c in self.model.cases if c is not None])

    def handed_over(self) -> list[bytes]:
        """The parts built since the last call (the coordinator writes them)."""
        parts, self.parts = self.parts, []
        return parts

    def _in_city(self, events: pd.DataFrame) -> pd.DataFrame:
        from governance_sim.partition.host import renumbered

        shift = self.shift

        def unit(match):
            return f"{match[1]}:{int(match[2]) + shift.get(match[1], 0)}"

        for col in ("resource", "target"):
            events[col] = renumbered(events[col], unit)
        for col in ("household", "street"):
            events[col] = np.where(events[col] >= 0, events[col] + self.places[col], events[col])
        events.insert(0, "event_no", events.groupby("case_id", sort=False).cumcount().astype("int64"))
        events.insert(0, "district", np.int64(self.district))
        return events


def spool(parts: dict[int, list[bytes]], folder: Path, counter: list[int]) -> None:
    """Write each district's parts as files of ``folder`` (``counter``: files so far)."""
    for k in sorted(parts):
        for part in parts[k]:
            (folder / f"part-{k:04d}-{counter[0]:06d}.parquet").write_bytes(part)
            counter[0] += 1


def write_events(folder: Path, firsts: dict[int, int], path: str | Path, identity: dict,
                 start_date) -> int:
    """``events.parquet`` from the parts spooled in ``folder``, in city case id order: each
    district's case ids moved by ``firsts`` (the cases of the districts before), dated from
    ``start_date`` and tagged with the run's ``identity`` columns.  The number of events."""
    import duckdb

    from governance_sim.runner import _tag

    by_district: dict[int, list[str]] = {}
    for p in sorted(Path(folder).glob("part-*.parquet")):
        by_district.setdefault(int(p.name.split("-")[1]), []).append(str(p))
    empty = pd.DataFrame.from_records([], columns=list(eventlog.DTYPES)).astype(eventlog.DTYPES)
    schema = pa.Schema.from_pandas(_tag(eventlog.dated(empty, start_date), identity), preserve_index=False)
    rows = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        if not by_district:
            writer.write_table(schema.empty_table())
            return 0
        con = duckdb.connect(config={"memory_limit": SORT_MEMORY, "temp_directory": str(Path(folder) / "sort")})
        try:
            con.execute("SET enable_progress_bar = false")  # the run prints its own progress only
            with _InOrder(writer.write_table) as write:
                # district after district (the city's case ids run so): one district's parts sorted
                # at a time, so the sort's temporary files are at most one district's
                for k in sorted(by_district):
                    ordered = con.read_parquet(by_district[k]).order("case_id, event_no")
                    # DuckDB ≥ 1.4 names it to_arrow_reader (fetch_arrow_reader is deprecated there)
                    reader = getattr(ordered, "to_arrow_reader", None) or ordered.fetch_arrow_reader
                    for batch in reader(BATCH_ROWS):
                        df = batch.to_pandas().drop(columns=list(ORDER_COLUMNS))
                        df["case_id"] += firsts[k]
                        table = pa.Table.from_pandas(_tag(eventlog.dated(df.astype(eventlog.DTYPES), start_date),
                                                          identity, copy=False), schema=schema, preserve_index=False)
                        write(table)
                        rows += table.num_rows
        finally:
            con.close()
    return rows


class _InOrder:
    """Calls ``write`` on one background thread, in the order given, at most
    :data:`WRITES_AHEAD` calls behind: Parquet's encoding and compression release the GIL,
    so the next batch is dated and tagged on the other core meanwhile.  An error of the
    thread is raised in the caller at its next call, or on leaving."""

    def __init__(self, write):
        self.write, self.pending = write, deque()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="events-writer")

    def __enter__(self):
        return self

    def __call__(self, table) -> None:
        self.pending.append(self.pool.submit(self.write, table))
        while len(self.pending) > WRITES_AHEAD or (self.pending and self.pending[0].done()):
            self.pending.popleft().result()

    def __exit__(self, kind, error, tb) -> None:
        try:
            if kind is None:  # every batch written before the file is closed
                while self.pending:
                    self.pending.popleft().result()
        finally:
            for future in self.pending:
                future.cancel()
            self.pool.shutdown(wait=True)
