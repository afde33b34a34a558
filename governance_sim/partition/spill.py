"""Finished cases moved out of a model as table rows while it runs: a district's in a city run
as districts, and a large one-model run's (:func:`governance_sim.runner.settled_cases_moved`).

A case record costs ~1 KB while a model runs (its slots, boxed times, hand-off tuples), and
a city year makes ~7.4 M of them, most long settled.  At each synchronisation a worker moves
every case that **nothing but the model's case list refers to** into rows of the cases
table (:func:`governance_sim.metrics.cases_frame`, the same code that builds the table at
the end), kept as compressed Parquet bytes (~0.1 KB a case), and leaves ``None`` in its
slot of ``model.cases`` (so ``len(model.cases)``, the next case's id, is unchanged).  A run
that keeps an event log builds the events of the cases about to be moved first, from their
records and trail steps (``on_move``; :mod:`governance_sim.partition.events`).

Why this changes no result: a case no queue, event, household, unit or overlay refers to
can no longer be reached by the simulation — the components a city run as districts allows
(``PARTITION_OVERLAYS``, ``CITY_ARRANGEMENTS``) never look a case up in ``model.cases`` by
its id while running; one that still needs a case holds the record, which keeps it in the
model — so its row is final.  At the end, :meth:`CaseSpill.frame` puts the
moved rows and the rows of the cases still held together in id order, and
:meth:`CaseSpill.records` lets code that reads the case list after the run (the overlays'
summary parts) read every case's fields from the rows, in order or by id.  A component that looked cases up by
id would break this rule; ``tests/test_partition.py`` runs the test city with and without
the move and requires identical tables, and ``tests/test_one_model_move.py`` does the same for
one-model runs, with every overlay the rule allows.
"""

from __future__ import annotations

import sys
from collections import namedtuple
from collections.abc import Iterator
from types import SimpleNamespace

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from governance_sim import metrics
from governance_sim.partition import stream

# the attributes a moved case keeps (each one column of the table, and its category's index, as
# a case record holds it); others raise AttributeError
CaseRow = namedtuple("CaseRow", [*(attr for _, attr in metrics._CASE_FIELDS), "category"])
_ROWS_AT_ONCE = 100_000
# what sys.getrefcount reports for an object held only by one list slot (the slot and the call)
_ONLY_IN_THE_LIST = 2


def _refcounts_read_as_expected() -> bool:
    """Whether this interpreter counts references as the rule needs (CPython does; an
    interpreter that does not, e.g. one with deferred counting, moves nothing)."""
    held = [object()]
    alone = sys.getrefcount(held[0])
    other = held[0]
    return alone == _ONLY_IN_THE_LIST and sys.getrefcount(held[0]) == _ONLY_IN_THE_LIST + 1 and other is held[0]


MOVES = _refcounts_read_as_expected()


class CaseSpill:
    """The cases of one district model moved out of it (see the module docstring)."""

    def __init__(self, model):
        self.model = model
        self.parts: list[bytes] = []  # rows of moved cases, oldest first
        self.held: list[int] = []  # ids of cases looked at and still referred to elsewhere
        self.looked = 0  # model.cases[:looked] have been looked at
        self.on_move = None  # called with the cases about to be moved (the event log builds theirs)

    def take(self) -> int:
        """Move every case nothing else refers to; how many were moved."""
        if not MOVES:
            return 0
        cases = self.model.cases
        ids = self.held + list(range(self.looked, len(cases)))
        self.looked = len(cases)
        refs = sys.getrefcount
        final = [i for i in ids if refs(cases[i]) == _ONLY_IN_THE_LIST]
        if not final:
            self.held = ids
            return 0
        done = set(final)
        self.held = [i for i in ids if i not in done]
        moved = [cases[i] for i in final]
        if self.on_move is not None:
            self.on_move(moved)
        for i in final:
            cases[i] = None
        self.parts.append(stream.encode(_frame_of(moved, self.model)))
        return len(final)

    def frame(self) -> pd.DataFrame:
        """The model's whole cases table: the moved rows and the held cases', in id order.

        Put together a column at a time in Arrow: each column of every part is taken into id
        order and then dropped from the parts, so the parts shrink as the table grows (about
        one table's worth at the peak, not the three of reading, concatenating and sorting)."""
        if not self.parts:
            return metrics.cases_frame(self.model)
        held = _frame_of([c for c in self.model.cases if c is not None], self.model)
        tables = [pq.read_table(pa.BufferReader(p)) for p in self.parts]
        self.parts = []
        tables.append(pa.Table.from_pandas(held, preserve_index=False))
        names = list(held.columns)
        del held
        tables = [t for t in tables if t.num_rows] or tables[-1:]
        ids = pa.chunked_array([t.column("case_id") for t in tables])
        order = pc.sort_indices(ids)  # stable; the ids are distinct
        columns = {}
        for name in names:
            columns[name] = pa.chunked_array([t.column(name) for t in tables]).take(order).to_pandas()
            tables = [t.drop_columns([name]) for t in tables]
        return pd.DataFrame(columns, copy=False)

    @staticmethod
    def records(table: pd.DataFrame, categories) -> _Records:
        """The rows of ``table`` (from :meth:`frame`) as read-only case records, in order
        (``categories``: the model's, whose index a record's ``category`` is)."""
        return _Records(table, categories)


def _frame_of(cases: list, model) -> pd.DataFrame:
    """:func:`~governance_sim.metrics.cases_frame` of some of the model's cases."""
    return metrics.cases_frame(SimpleNamespace(cases=cases, categories=model.categories))


class _Records:
    """A case list rebuilt from table rows: iterated (in id order), counted, and looked up by id
    (a case's id is its row) by what reads the list after the run (an overlay's summary)."""

    def __init__(self, table: pd.DataFrame, categories):
        self.table = table
        self._index = {c.name: c.index for c in categories}
        self._columns: list[list] | None = None

    def _of(self, block: pd.DataFrame) -> list[list]:
        return [*(block[col].tolist() for col, _ in metrics._CASE_FIELDS),
                [self._index[name] for name in block["category"].tolist()]]

    def __len__(self) -> int:
        return len(self.table)

    def __getitem__(self, case_id: int) -> CaseRow:
        if self._columns is None:  # column lists once, then each lookup is a few list reads
            self._columns = self._of(self.table)
        return CaseRow._make(column[case_id] for column in self._columns)

    def __iter__(self) -> Iterator[CaseRow]:
        for start in range(0, len(self.table), _ROWS_AT_ONCE):
            block = self.table.iloc[start:start + _ROWS_AT_ONCE]
            yield from map(CaseRow._make, zip(*self._of(block), strict=True))
