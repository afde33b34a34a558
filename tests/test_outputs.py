"""How a run's tables are made: the same tables however often and however they are built,
no table kept twice, and the summaries' reads confined to the columns they declare."""

from __future__ import annotations

import pandas as pd
import pytest

from governance_sim import GovernanceModel, metrics
from governance_sim.runner import collect, identity

TABLES = ("summary", "cases", "workers", "timeseries", "places", "panel")


@pytest.fixture(scope="module")
def finished():
    from conftest import TINY

    def make():
        model = GovernanceModel(TINY, seed=5, days=75)
        model.run_model()
        return model

    return make


def test_collecting_twice_gives_the_same_tables(finished):
    model = finished()
    first, second = collect(model), collect(model)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name), check_exact=True)


def test_collect_takes_the_collectors_tables_over(finished):
    """The collector builds the end-of-run tables once (for ``batch_run``'s summary) and hands
    them to ``collect``: afterwards it holds no second cases table."""
    model = finished()
    built = model.datacollector.end_tables
    assert built is not None
    result = collect(model)
    assert model.datacollector.end_tables is None
    assert result.cases is built["cases"]  # tagged in place, not copied
    ident = list(identity(model.scenario))
    assert list(result.cases.columns[: len(ident)]) == ident
    # the summary stays in the collector's model variables (what mesa.batch_run reads)
    assert "response_rate" in dict(model.datacollector.model_vars.items())


def test_tables_equal_those_built_from_the_records(finished):
    """Whether ``collect`` reuses the collector's tables or builds them anew, they are equal."""
    model = finished()
    model.datacollector.take_end_tables()  # gone: collect builds from the case records
    rebuilt = collect(model)
    reused = collect(finished())
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(rebuilt, name), getattr(reused, name), check_exact=True)


def test_the_cases_table_columns_and_kinds(finished):
    cases = metrics.cases_frame(finished())
    assert list(cases.columns) == metrics.CASE_COLUMNS
    assert cases["case_id"].dtype == "int64" and cases["t_created"].dtype == "float64"
    assert cases["latent"].dtype == bool and cases["handoffs"].dtype == "int64"
    assert pd.api.types.is_string_dtype(cases["handoff_path"])


def test_counted_cases_are_after_the_warmup_with_the_summarised_columns(finished):
    model = finished()
    cases = metrics.cases_frame(model)
    counted = metrics.counted_cases(model, cases)
    assert (counted["t_created"] >= model.warmup_days * 24.0).all()
    assert len(counted) == int((cases["t_created"] >= model.warmup_days * 24.0).sum())
    assert set(counted.columns) == set(metrics.SUMMARISED) | set(metrics.BY_GROUP)
    # the summaries read nothing else: the same summary from the counted columns alone
    workers = metrics.workers_frame(model)
    pd.testing.assert_series_equal(pd.Series(metrics.summary_row(model, counted, workers)),
                                   pd.Series(metrics.summary_row(model, cases, workers)), check_exact=True)
