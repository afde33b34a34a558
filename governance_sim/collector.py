"""The model's ``DataCollector``: daily reporters, and after the last day the run's summary.

``mesa.batch_run`` reads ``datacollector.model_vars.items()`` after a run, so
with the summary there its rows carry response and resolution times, 三率,
workload by role … at the end of each run — not only the daily counters.
The summary is built when first asked for (by ``batch_run``, or by
:func:`governance_sim.runner.collect`, which reuses it), so a run's own time
does not include it and no table is built twice.  ``get_model_vars_dataframe()``
(the timeseries) leaves the summary columns out.  A run cut short by
``max_steps`` before its ``days`` has no summary: give ``days`` as a batch
parameter.
"""

from __future__ import annotations

import math

import mesa


class _ModelVars(dict):
    """``model_vars`` whose ``items()`` (what ``mesa.batch_run`` reads) first adds the summary."""

    def __init__(self, collector: SummaryDataCollector, data: dict):
        super().__init__(data)
        self._collector = collector

    def items(self):
        self._collector.end_tables  # noqa: B018 - builds the summary of a finished run
        return super().items()


class SummaryDataCollector(mesa.DataCollector):
    """A :class:`mesa.DataCollector` that adds the summary row of a finished run."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.model_vars = _ModelVars(self, self.model_vars)
        self.summary_columns: list[str] = []
        self._finished = None  # the model, from its last day until the summary is built
        self._end_tables: dict | None = None

    def collect(self, model) -> None:
        super().collect(model)
        for name in self.summary_columns:  # a step after the end keeps every column the same length
            self.model_vars[name].append(math.nan)
        if self._end_tables is None and model.day >= model.days:
            self._finished = model

    @property
    def end_tables(self) -> dict | None:
        """``{"day", "cases", "workers", "summary"}`` of the finished run (``None`` while it runs)."""
        if self._end_tables is None and self._finished is not None:
            model, self._finished = self._finished, None
            self._add_summary(model)
        return self._end_tables

    def take_end_tables(self) -> dict | None:
        """:attr:`end_tables`, handed over: the collector keeps the summary in ``model_vars``
        but no longer holds the tables (the caller owns them; one copy of a city's cases
        table is enough)."""
        end, self._end_tables = self.end_tables, None
        return end

    def _add_summary(self, model) -> None:
        from governance_sim.metrics import cases_frame, summary_row, workers_frame

        cases, workers = cases_frame(model), workers_frame(model)
        summary = summary_row(model, cases, workers)
        self._end_tables = {"day": model.day, "cases": cases, "workers": workers, "summary": summary}
        n = len(next(iter(self.model_vars.values()), []))
        for name, value in summary.items():
            if name in self.model_vars:
                continue
            self.model_vars[name] = [math.nan] * (n - 1) + [value]
            self.summary_columns.append(name)

    def get_model_vars_dataframe(self):
        """The daily reporters, one row per day (the summary columns left out)."""
        df = super().get_model_vars_dataframe()
        return df.drop(columns=[c for c in self.summary_columns if c in df.columns])
