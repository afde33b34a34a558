"""The places table: counts add up to the run's totals at every level; ranks and workload are sane."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance_sim import run
from governance_sim.places import COUNT_COLUMNS, check_totals, place_months_frame


@pytest.fixture
def three_streets(tiny):
    tiny["territory"].update(streets=3, communities_per_street=3, population=15000)
    tiny["days"] = 95
    return tiny


def test_counts_sum_to_the_runs_totals_at_every_level(three_streets, tmp_path):
    res = run(three_streets, out=tmp_path)
    places = res.places
    assert list(places.groupby("level", sort=False).size().items()) == [
        ("district", 1), ("street", 3), ("community", 9)]
    assert set(check_totals(places, res.summary.iloc[0]).values()) == {0}
    assert places["population"][places["level"] == "street"].sum() == 15000
    written = pd.read_parquet(tmp_path / "places.parquet")
    pd.testing.assert_frame_equal(written, places)
    assert {"scenario", "seed", "variant"} <= set(written.columns)


def test_the_district_row_repeats_the_summary(three_streets):
    res = run(three_streets)
    d = res.places[res.places["level"] == "district"].iloc[0]
    s = res.summary.iloc[0]
    for col in ("response_rate", "resolution_rate", "satisfaction_rate", "response_time_mean_h",
                "resolution_time_mean_h"):
        assert d[col] == pytest.approx(s[col], nan_ok=True), col
    assert d["staff"] == res.workers["staff"].sum()
    assert d["hours_worked"] == pytest.approx(res.workers["hours_worked"].sum())


def test_streets_are_ranked_each_full_month(three_streets):
    res = run(three_streets)
    streets = res.places[res.places["level"] == "street"]
    assert (streets["months_ranked"] == 3).all() and (streets["streets_ranked"] == 3).all()
    assert streets["rank_last"].between(1, 3).all()
    from governance_sim.model import GovernanceModel
    from governance_sim.runner import collect

    model = GovernanceModel(three_streets)
    model.run_model()
    months = place_months_frame(model, collect(model).cases)
    assert sorted(months["month"].unique()) == [1, 2, 3]
    for _, block in months.groupby("month"):
        best = block.loc[block["score"].idxmax()]
        assert best["rank"] == 1


@pytest.mark.parametrize(("name", "variant"), [("tongguanshan.yaml", "direct_district"),
                                               ("xi_town.yaml", "zone_line"),
                                               ("beijing_street.yaml", "hotline_direct")])
def test_places_add_up_under_arrangements_that_reshape_the_territory(name, variant):
    res = run(SCENARIOS / name, variant=variant, days=31)
    assert set(check_totals(res.places, res.summary.iloc[0]).values()) == {0}
    for col in COUNT_COLUMNS:
        assert (res.places[col] >= 0).all()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(streets=st.integers(1, 4), per_street=st.integers(1, 4), seed=st.integers(0, 10_000),
       arrangement=st.sampled_from(["baseline", "whistle", "direct_district"]))
def test_places_add_up_for_any_territory_and_seed(tiny, streets, per_street, seed, arrangement):
    sc = {**tiny, "days": 35, "seed": seed, "arrangement": {"name": arrangement}}
    sc["territory"] = {**tiny["territory"], "streets": streets, "communities_per_street": per_street}
    res = run(sc)
    assert set(check_totals(res.places, res.summary.iloc[0]).values()) == {0}
    assert (res.places["level"] == "community").sum() == streets * per_street
