"""The model's ``DataCollector``: daily reporters, and on the last day the run's summary.

``mesa.batch_run`` reads ``datacollector.model_vars`` at the final step, so
with the summary there its rows carry response and resolution times,
三率, workload by role … at the end of each run — not only the daily
counters.  ``get_model_vars_dataframe()`` (the timeseries) leaves the
summary columns out.  A run cut short by ``max_steps`` before its ``days``
has no summary: give ``days`` as a batch parameter.
"""

from __future__ import annotations

import math

import mesa


class SummaryDataCollector(mesa.DataCollector):
    """A :class:`mesa.DataCollector` that adds the summary row when the run ends."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.summary_columns: list[str] = []

    def collect(self, model) -> None:
        super().collect(model)
        for name in self.summary_columns:  # a step after the end keeps every column the same length
            self.model_vars[name].append(math.nan)
        if not self.summary_columns and model.day >= model.days:
            self._add_summary(model)

    def _add_summary(self, model) -> None:
        from governance_sim.metrics import cases_frame, summary_row, workers_frame

        summary = summary_row(model, cases_frame(model), workers_frame(model))
        n = len(next(iter(self.model_vars.values()), []))
        for name, value in summary.items():
            if name in self.model_vars:
                continue
            self.model_vars[name] = [math.nan] * (n - 1) + [value]
            self.summary_columns.append(name)

    def get_model_vars_dataframe(self):
        """The daily reporters, one row per day (the summary columns left out)."""
        df = super().get_model_vars_dataframe()
        return df.drop(columns=self.summary_columns)
