"""Residents who differ: group shares and group metrics add up; each group's values reach its
households; problem rates follow the groups; bad groups are refused; no groups, no change."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance_sim import GovernanceModel, run
from governance_sim.groups import OTHER
from governance_sim.scenario import ScenarioError, load_scenario

GROUPS = {
    "registered": {"label": "户籍居民", "share": 0.5},
    "floating": {"label": "流动人口", "share": 0.3, "trust0": 0.2, "trust_sd": 0.0, "channel_cost_factor": 2.0,
                 "channels": {"grid_worker": 1.0}},
    "enterprise": {"label": "企业", "share": 0.1, "category_rates": {"construction": 3, "sanitation": 0, "parking": 0,
                                                                   "dispute": 0, "hazard": 0}},
}


@pytest.fixture
def grouped(tiny):
    tiny["groups"] = GROUPS
    tiny["days"] = 45
    tiny["warmup_days"] = 5
    return tiny


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shares=st.lists(st.floats(0.01, 0.5), min_size=1, max_size=3), seed=st.integers(0, 1000))
def test_households_are_dealt_to_groups_in_their_shares(tiny, shares, seed):
    tiny["groups"] = {f"g{i}": {"share": s} for i, s in enumerate(shares)}
    tiny["seed"] = seed
    if sum(shares) > 1:
        with pytest.raises(ScenarioError, match="add up"):
            load_scenario(tiny)
        return
    m = GovernanceModel(tiny)
    pop = m.population
    counts = np.bincount(pop.group, minlength=len(pop.group_names))
    assert counts.sum() == m.n_households
    for i, s in enumerate(shares):
        assert abs(counts[i] - s * m.n_households) < 1
    assert (pop.group_names[-1] == OTHER) == (sum(shares) < 1 - 1e-9)


def test_group_metrics_add_up_to_the_runs_totals(grouped):
    res = run(grouped)
    s = res.summary.iloc[0]
    names = ["registered", "floating", "enterprise", OTHER]
    assert sum(s[f"group_{g}_households"] for g in names) == len(GovernanceModel(grouped).population.trust)
    assert sum(s[f"group_{g}_share"] for g in names) == pytest.approx(1.0)
    for col in ("cases_created", "cases_reported"):
        assert sum(s[f"group_{g}_{col}"] for g in names) == s[col], col
    places = res.places
    for level in ("district", "street", "community"):
        rows = places[places["level"] == level]
        for g in names:
            assert rows[f"{g}_cases_reported"].sum() == s[f"group_{g}_cases_reported"], (level, g)
    district = places[places["level"] == "district"].iloc[0]
    for g in names:
        for metric in ("self_report_share", "resolution_time_mean_h", "satisfaction_rate"):
            assert district[f"{g}_{metric}"] == pytest.approx(s[f"group_{g}_{metric}"], nan_ok=True), (g, metric)


def test_each_group_gets_its_own_values(grouped):
    m = GovernanceModel(grouped)
    pop = m.population
    floating = pop.group == pop.group_names.index("floating")
    assert np.allclose(pop.trust[floating], 0.2)
    assert pop.trust[~floating].mean() == pytest.approx(0.5, abs=0.02)
    k = pop.group_names.index("floating")
    assert np.allclose(pop.group_cost[k], 2.0 * pop.channel_cost)
    m.run_model()
    hh = np.array([c.household for c in m.cases], dtype=np.int64)
    from_floating = np.array([pop.group[h] == k for h in hh])
    channels = {c.channel for c, f in zip(m.cases, from_floating, strict=True)
                if f and c.found_by == "resident" and c.repeat_of < 0}
    assert channels <= {"grid_worker", "community"}  # its only channel (community: where none is open)


def test_problem_rates_follow_the_groups(grouped):
    m = GovernanceModel(grouped)
    m.run_model()
    pop = m.population
    ent = pop.group_names.index("enterprise")
    cats = [m.categories[c.category].name for c in m.cases if pop.group[c.household] == ent and c.repeat_of < 0]
    assert cats and set(cats) == {"construction"}
    # the draw behind it: households of a group in proportion to its size × its rate
    construction = next(c.index for c in m.categories if c.name == "construction")
    picker = m.lifecycle.pickers[construction]
    sizes = np.bincount(pop.group, minlength=len(pop.group_names))
    factors = np.array([3.0 if name == "enterprise" else 1.0 for name in pop.group_names])
    assert picker.mean_factor == pytest.approx((sizes * factors).sum() / sizes.sum())
    drawn = np.bincount(pop.group[picker.draw(np.random.default_rng(0), 40_000)], minlength=len(sizes))
    expected = sizes * factors / (sizes * factors).sum()
    assert np.allclose(drawn / drawn.sum(), expected, atol=0.01)
    sanitation = next(c.index for c in m.categories if c.name == "sanitation")
    got = pop.group[m.lifecycle.pickers[sanitation].draw(np.random.default_rng(1), 5000)]
    assert ent not in set(got.tolist())


def test_bad_groups_are_refused(tiny):
    for groups, field in [({"a": {"share": 0.7}, "b": {"share": 0.6}}, "groups"),
                          ({OTHER: {"share": 0.2}}, f"groups.{OTHER}"),
                          ({"a": {"share": 0.2, "category_rates": {"nothing": 2}}}, "groups.a.category_rates.nothing"),
                          ({"a": {"share": 0.2, "trust0": 2}}, "groups.a.trust0"),
                          ({"a": {"share": 0.2, "patience": 2}}, "groups.a.patience")]:
        tiny["groups"] = groups
        with pytest.raises(ScenarioError) as err:
            load_scenario(tiny)
        assert err.value.field == field, str(err.value)


def test_without_groups_households_are_alike(tiny):
    m = GovernanceModel(tiny)
    assert m.population.group is None and m.lifecycle.pickers is None
    assert not [c for c in run(tiny).summary.columns if c.startswith("group_")]


def test_with_the_hotline_a_group_keeps_its_channel_mix(grouped):
    grouped["overlays"] = {"hotline": {}}
    grouped["roles"] = {"resident": {"channels": {"hotline": 1.0}}}
    m = GovernanceModel(grouped)
    m.run_model()
    pop = m.population
    k = pop.group_names.index("floating")
    first = [c for c in m.cases if c.found_by == "resident" and c.repeat_of < 0]
    floating = {c.channel for c in first if pop.group[c.household] == k}
    others = {c.channel for c in first if pop.group[c.household] != k}
    assert floating == {"grid_worker"} and "hotline" in others
