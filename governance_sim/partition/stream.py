"""The cases table of a city run as districts, written district by district.

A city year has millions of cases (~7.4 M for Beijing).  Concatenating every district's
cases table in one process held the rows three times over (built in the workers, pickled
through the pipes, concatenated), so the table is streamed instead:

* each worker turns a district's finished cases table — ids already moved to the city's
  numbering (:func:`governance_sim.partition.merge.shift_cases`) and tagged with the
  run's identity columns — into compressed Parquet bytes (:func:`encode`) and drops the
  frame before it builds the next district's;
* the coordinator writes those parts one after the other, district by district, into
  one ``cases.parquet`` (:func:`write_cases`), holding one decoded district at a time;
* the summary, places and panel read back only the columns they need
  (:func:`read_for_summaries`: 19 of 34), once the workers have ended.

The file reads back exactly as the table concatenated in memory did: the same columns,
types, rows, values and order.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from governance_sim.metrics import BY_GROUP, CASE_COLUMNS, SUMMARISED


def encode(cases: pd.DataFrame) -> bytes:
    """One district's cases table as Parquet bytes (small enough to send whole)."""
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(cases, preserve_index=False), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def _decode(part: bytes) -> pa.Table:
    return pq.read_table(pa.BufferReader(part))


def write_cases(parts: Iterable[bytes], path: str | Path) -> int:
    """Write the districts' parts, in order, as one Parquet file; the number of rows.

    ``parts`` is consumed one at a time (pass a generator that lets each go).  A district
    without cases adds no rows; if no district has any, the first part is written as it is.
    """
    writer, first, rows = None, None, 0
    try:
        for part in parts:
            table = _decode(part)
            if first is None:
                first = table
            if table.num_rows == 0:
                continue
            if writer is None:
                writer = pq.ParquetWriter(str(path), table.schema)
            writer.write_table(table)
            rows += table.num_rows
            del table
        if writer is None:
            if first is None:
                raise ValueError("a city run as districts needs at least one district")
            pq.write_table(first, str(path))
    finally:
        if writer is not None:
            writer.close()
    return rows


def read_for_summaries(path: str | Path, groups: bool = False) -> pd.DataFrame:
    """The columns of the written cases table that the summary, places and panel read
    (:data:`~governance_sim.metrics.SUMMARISED`, and :data:`~governance_sim.metrics.BY_GROUP`
    with ``groups``)."""
    present = set(pq.read_schema(str(path)).names)
    wanted = set(SUMMARISED) | (set(BY_GROUP) if groups else set())
    return pd.read_parquet(path, columns=[c for c in CASE_COLUMNS if c in wanted and c in present])
