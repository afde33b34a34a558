"""Demand over time (``demand.py``): seasons, days of the week, holidays and shocks change the
daily arrivals as specified, and the defaults change nothing."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from governance_sim import GovernanceModel, run
from governance_sim.holidays import CALENDARS
from governance_sim.scenario import ScenarioError, load_scenario

START = date(2024, 1, 1)


def _busy(tiny: dict, demand: dict | None = None, **extra) -> dict:
    """The tiny scenario with many problems a day, so that daily counts are informative."""
    sc = dict(tiny, **extra)
    sc["territory"] = dict(tiny["territory"], population=40_000)
    if demand is not None:
        sc["demand"] = demand
    return sc


def _arrivals(scenario: dict, days: range) -> pd.DataFrame:
    """Problems created per day and category, drawing each day's emergence only (no events run)."""
    model = GovernanceModel(scenario)
    names = [c.name for c in model.categories]
    rows = []
    for day in days:
        before = len(model.cases)
        model.lifecycle.emerge_day(day)
        counts = np.bincount([c.category for c in model.cases[before:]], minlength=len(names))
        rows.append({"day": day, "date": START + timedelta(days=day), **dict(zip(names, counts, strict=True))})
    return pd.DataFrame(rows)


def _ratio_consistent(a: int, exposure_a: float, b: int, exposure_b: float, ratio: float) -> float:
    """p-value that counts a, b come from Poisson rates in ``ratio`` (a's over b's), given exposure."""
    p = ratio * exposure_a / (ratio * exposure_a + exposure_b)
    return stats.binomtest(a, a + b, p).pvalue


# --------------------------------------------------------------------------- defaults


def test_defaults_leave_runs_identical(tiny):
    plain = run(tiny, days=30)
    for demand in ({}, {"holidays": "cn"}, {"day_of_week": [1] * 7, "seasonal": {"sanitation": [1] * 12}}):
        other = run(dict(tiny, demand=demand), days=30)
        pd.testing.assert_frame_equal(plain.cases.drop(columns=["scenario_hash"]),
                                      other.cases.drop(columns=["scenario_hash"]))
        pd.testing.assert_frame_equal(plain.timeseries.drop(columns=["scenario_hash"]),
                                      other.timeseries.drop(columns=["scenario_hash"]))


def test_default_block_keeps_the_scenario_hash(tiny):
    assert load_scenario(tiny).scenario_hash == load_scenario(dict(tiny, demand={})).scenario_hash
    assert load_scenario(dict(tiny, start_date="2024-01-01")).scenario_hash == load_scenario(tiny).scenario_hash
    assert load_scenario(dict(tiny, demand={"holidays": "cn"})).scenario_hash != load_scenario(tiny).scenario_hash


# --------------------------------------------------------------------------- mechanisms


def test_seasonal_profile_multiplies_a_month(tiny):
    profile = [1.0] * 12
    profile[6] = 3.0  # July
    sc = _busy(tiny, {"seasonal": {"sanitation": profile}}, days=366)
    df = _arrivals(sc, range(0, 213))
    jan, jul = df[df.date.map(lambda d: d.month) == 1], df[df.date.map(lambda d: d.month) == 7]
    # the profiled category triples in July; another category does not move
    assert _ratio_consistent(jul.sanitation.sum(), len(jul), jan.sanitation.sum(), len(jan), 3.0) > 0.01
    assert _ratio_consistent(jul.sanitation.sum(), len(jul), jan.sanitation.sum(), len(jan), 1.0) < 1e-6
    assert _ratio_consistent(jul.parking.sum(), len(jul), jan.parking.sum(), len(jan), 1.0) > 0.01


def test_day_of_week_multipliers(tiny):
    sc = _busy(tiny, {"day_of_week": [1, 1, 1, 1, 2, 0, 0]}, days=120)
    df = _arrivals(sc, range(0, 84))
    cats = ["sanitation", "construction", "parking", "dispute", "hazard"]
    df["n"] = df[cats].sum(axis=1)
    weekday = df.date.map(lambda d: d.weekday())
    assert (df.n[weekday >= 5] == 0).all()  # nothing arises at weekends
    fri, mon_thu = df.n[weekday == 4], df.n[weekday < 4]
    assert _ratio_consistent(fri.sum(), len(fri), mon_thu.sum(), len(mon_thu), 2.0) > 0.01
    assert _ratio_consistent(fri.sum(), len(fri), mon_thu.sum(), len(mon_thu), 1.0) < 1e-6


def test_holidays_and_makeup_workdays(tiny):
    demand = {"holidays": "cn", "holiday_multiplier": 0.0, "day_of_week": [1, 1, 1, 1, 1, 0, 0]}
    sc = _busy(tiny, demand, days=60)
    df = _arrivals(sc, range(0, 60)).set_index("date")
    cats = ["sanitation", "construction", "parking", "dispute", "hazard"]
    n = df[cats].sum(axis=1)
    spring_festival = [date(2024, 2, 10) + timedelta(days=k) for k in range(8)]  # 国办发明电〔2023〕7号
    assert (n.loc[spring_festival] == 0).all()
    assert n.loc[date(2024, 1, 1)] == 0  # 元旦
    # Sundays 4 and 18 February are worked (调休上班): problems arise as on a weekday
    assert n.loc[date(2024, 2, 4)] > 0 and n.loc[date(2024, 2, 18)] > 0
    assert n.loc[date(2024, 2, 3)] == 0  # an ordinary Saturday


def test_shock_multiplies_named_categories_in_its_window(tiny):
    shock = {"label": "疫情", "start": "2024-02-01", "end": 59, "categories": ["dispute"], "multiplier": 4.0}
    sc = _busy(tiny, {"shocks": [shock]}, days=90)
    df = _arrivals(sc, range(0, 90))
    inside = df[(df.day >= 31) & (df.day <= 59)]
    outside = df[(df.day < 31) | (df.day > 59)]
    assert _ratio_consistent(inside.dispute.sum(), len(inside), outside.dispute.sum(), len(outside), 4.0) > 0.01
    assert _ratio_consistent(inside.dispute.sum(), len(inside), outside.dispute.sum(), len(outside), 1.0) < 1e-6
    assert _ratio_consistent(inside.sanitation.sum(), len(inside), outside.sanitation.sum(), len(outside), 1.0) > 0.01


def test_shock_multiplies_hotline_consultations_per_call(tiny):
    shock = {"start": 0, "end": 29, "categories": [], "hotline_consultations": 4.0}
    sc = _busy(tiny, {"shocks": [shock]}, days=60, overlays={"hotline": {"consultation_share": 0.3}})
    model = GovernanceModel(sc)
    model.run_model()
    hotline = next(o for o in model.overlays if o.name == "hotline")
    called = np.array([t for t, _ in hotline.consultation_log]) // 24
    calls = np.array([c.t_reported for c in model.cases if c.channel == "hotline"]) // 24
    per_call_in = (called < 30).sum() / (calls < 30).sum()
    per_call_out = ((called >= 30) & (called < 55)).sum() / ((calls >= 30) & (calls < 55)).sum()
    base = 0.3 / 0.7
    assert per_call_in == pytest.approx(4 * base, rel=0.2)
    assert per_call_out == pytest.approx(base, rel=0.2)


# --------------------------------------------------------------------------- inputs


def test_shipped_holiday_calendar_is_consistent():
    for year, (off, makeup) in CALENDARS["cn"].items():
        assert not off & makeup
        assert all(d.year == year for d in off | makeup)
        assert all(d.weekday() >= 5 for d in makeup)  # 调休: only weekend days are worked
    off_2024, _ = CALENDARS["cn"][2024]
    assert len(off_2024) == 1 + 8 + 3 + 5 + 1 + 3 + 7


@pytest.mark.parametrize("override, field", [
    ({"start_date": "2024-01-03"}, "start_date"),
    ({"demand.holidays": "us"}, "demand.holidays"),
    ({"demand.seasonal.nope": [1] * 12}, "demand.seasonal.nope"),
    ({"demand.seasonal.sanitation": [1] * 11}, "demand.seasonal.sanitation"),
    ({"demand.shocks": [{"start": 3, "categories": ["nope"]}]}, "demand.shocks.0.categories"),
    ({"demand.shocks": [{"start": "2023-12-01"}]}, "demand.shocks.0.start"),
    ({"demand.holidays": "cn", "days": 800}, "demand.holidays"),
])
def test_bad_demand_names_the_field(tiny, override, field):
    with pytest.raises(ScenarioError) as err:
        load_scenario(tiny, overrides=override)
    assert err.value.field == field


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(min_value=-5, max_value=20, allow_nan=False), min_size=7, max_size=7))
def test_day_of_week_bounds(values):
    from conftest import TINY

    ok = all(0 <= v <= 10 for v in values)
    try:
        load_scenario(dict(TINY, demand={"day_of_week": values}))
        assert ok
    except ScenarioError as err:
        assert not ok and err.field.startswith("demand.day_of_week")


def test_demand_survives_a_round_trip_through_json(tiny):
    shock = {"start": "2024-02-01", "end": 40, "categories": ["dispute"], "multiplier": 2.0}
    sc = load_scenario(dict(tiny, demand={"shocks": [shock], "holidays": "cn"}))
    again = load_scenario(sc.model_dump(mode="json"))
    assert again == sc and again.scenario_hash == sc.scenario_hash


def test_cli_bad_demand_exits_2_and_writes_nothing(tiny, tmp_path):
    import subprocess
    import sys

    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(tiny, allow_unicode=True))
    proc = subprocess.run([sys.executable, "-m", "governance_sim.cli", "run", str(path), "--set",
                           "demand.holidays=us", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "demand.holidays" in proc.stderr and "['cn']" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


_mult = st.floats(min_value=0, max_value=10, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(season=st.lists(_mult, min_size=12, max_size=12), week=st.lists(_mult, min_size=7, max_size=7),
       holiday=_mult, shock=st.floats(min_value=0, max_value=50), first=st.integers(0, 400),
       length=st.integers(0, 60), day=st.integers(0, 700))
def test_one_multiplier_per_category_per_day(season, week, holiday, shock, first, length, day):
    from governance_sim.demand import DemandProfile, DemandSpec

    spec = DemandSpec(seasonal={"b": season}, day_of_week=week, holidays="cn",
                      holiday_multiplier=holiday,
                      shocks=[{"start": first, "end": first + length, "categories": ["a"],
                               "multiplier": shock}])
    start = date(2020, 1, 6)
    rates = DemandProfile(spec, start, ["a", "b"]).rates(day)
    d = start + timedelta(days=day)
    off, makeup = CALENDARS["cn"].get(d.year, (frozenset(), frozenset()))
    factor = holiday if d in off else float(np.mean(week[:5])) if d in makeup else week[d.weekday()]
    in_shock = first <= day <= first + length
    assert rates[0] == pytest.approx(factor * (shock if in_shock else 1.0))
    assert rates[1] == pytest.approx(season[d.month - 1] * factor)
