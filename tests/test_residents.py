"""Residents' behaviour from incentives (MODEL.md §8): reporting when it is worth the
channel's cost (induced demand), rating requests left open past patience, and the warm-up
before anything is counted.  Each mechanism in isolation."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers import inject, quiet_model, run_days
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance_sim import GovernanceModel, run
from governance_sim.agents.residents import Resident, report_probabilities
from governance_sim.cases import CHANNELS
from governance_sim.scenario import ScenarioError, load_scenario

NO_PATROLS = {"detection_prob": 0.0, "latent_detection_prob": 0.0}


def _visible_first_reports(cases):
    """Problems residents could report: visible ones, not repeats."""
    return cases[~cases["latent"] & (cases["repeat_of"] < 0)]


# ----------------------------------------------------------------------- induced demand


def test_the_decision_weighs_worth_times_trust_against_the_channel_cost(tiny):
    m = GovernanceModel(tiny)
    pop = m.population
    spec = m.resident_spec
    pop.trust[:2] = (0.2, 0.9)
    hids, sev = np.array([0, 1]), np.array([1, 1])
    community = np.full(2, CHANNELS.index("community"))
    low, high = report_probabilities(pop, hids, sev, community)
    assert low < high  # trust that reporting works raises it
    gain = 0.9 * spec.severity_value[0] - spec.channel_costs["community"]
    assert high == pytest.approx(1 / (1 + np.exp(-gain / spec.report_noise)))
    hotline = np.full(2, CHANNELS.index("hotline"))
    assert (report_probabilities(pop, hids, sev, hotline) > (low, high)).all()  # a cheaper channel
    by_severity = [Resident.report_probability(pop, 0, s) for s in (1, 2, 3)]
    assert by_severity == sorted(by_severity) and by_severity[0] < by_severity[2]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(trust=st.lists(st.floats(0, 1), min_size=2, max_size=2),
       costs=st.lists(st.floats(0, 5), min_size=5, max_size=5),
       noise=st.floats(0.01, 5), severity=st.integers(1, 3))
def test_report_probability_is_a_probability_rising_with_trust_falling_with_cost(tiny, trust, costs,
                                                                                  noise, severity):
    sc = load_scenario(tiny, overrides={"roles.resident.report_noise": noise,
                                        "roles.resident.channel_costs": dict(zip(CHANNELS, costs, strict=True))})
    m = GovernanceModel(sc)
    pop = m.population
    pop.trust[:2] = sorted(trust)
    for k in range(len(CHANNELS)):
        p = report_probabilities(pop, np.array([0, 1]), np.array([severity] * 2), np.array([k, k]))
        assert ((p >= 0) & (p <= 1)).all() and p[0] <= p[1]
    by_cost = np.argsort(costs, kind="stable")
    p = report_probabilities(pop, np.zeros(5, dtype=int), np.full(5, severity), by_cost)
    assert (np.diff(p) <= 1e-12).all()  # dearer channel, fewer reports


def test_bad_reporting_parameters_name_the_field(tiny):
    for override, field in (({"roles.resident.channel_costs.hotline": -1}, "channel_costs"),
                            ({"roles.resident.report_noise": 0}, "report_noise"),
                            ({"roles.resident.severity_value": [1, -2, 3]}, "severity_value")):
        with pytest.raises(ScenarioError, match=field):
            load_scenario(tiny, overrides=override)
    partial = load_scenario(tiny, overrides={"roles.resident.channel_costs": {"hotline": 0.05}})
    assert partial.roles.resident.channel_costs["community"] == 0.25  # the rest keep their defaults


def test_raising_trust_raises_the_reports_of_low_severity_problems(tiny):
    def severity_one(trust: float):
        tiny["roles"] = {"resident": {"trust0": trust, "trust_sd": 0.0}, "grid_worker": NO_PATROLS}
        res = run(tiny)
        visible = _visible_first_reports(res.cases)
        minor = visible[visible["severity"] == 1]
        return minor["t_reported"].notna().mean(), res.metrics["problems_tolerated"]
    (low, tolerated_low), (high, tolerated_high) = severity_one(0.2), severity_one(0.9)
    assert high > low + 0.15
    assert tolerated_high < tolerated_low


def test_a_cheaper_channel_surfaces_more_problems(tiny):
    def reported(community_cost: float):
        tiny["roles"] = {"resident": {"channels": {"community": 1.0},
                                      "channel_costs": {"community": community_cost}},
                         "grid_worker": NO_PATROLS}
        s = run(tiny).metrics
        return s["cases_reported"], s["problems_tolerated"]
    (cheap, tolerated_cheap), (dear, tolerated_dear) = reported(0.1), reported(0.5)
    assert cheap > dear * 1.2
    assert tolerated_cheap < tolerated_dear


def test_a_hotline_surfaces_problems_people_used_to_tolerate(tiny):
    tiny["roles"] = {"grid_worker": NO_PATROLS}
    without = run(tiny)
    with_line = run({**copy.deepcopy(tiny), "overlays": {"hotline": {}}})
    assert with_line.metrics["problems_tolerated"] < without.metrics["problems_tolerated"]
    shares = [_visible_first_reports(r.cases)["t_reported"].notna().mean() for r in (without, with_line)]
    assert shares[1] > shares[0] + 0.03


def test_hotline_consultations_grow_with_trust(tiny):
    counts = {}
    for trust in (0.2, 0.8):
        sc = {**copy.deepcopy(tiny), "overlays": {"hotline": {}}, "days": 90}
        sc["roles"] = {"resident": {"trust0": trust, "trust_sd": 0.0}}
        counts[trust] = run(sc).metrics["hotline_consultations"]
    assert counts[0.8] > counts[0.2] * 1.2


def test_reports_rise_and_fall_with_responsiveness(tiny):
    """Trust follows the service, and reporting follows trust: the same households report more
    where requests are answered (and really fixed) than where they are not.  No latent
    hazards (their eruptions move trust for other reasons) and four times the problems, so
    that most households have been served before the late window."""
    def late_reporting(staff: int, p_fix: float):
        sc = copy.deepcopy(tiny)
        sc["days"] = 200
        del sc["categories"]["hazard"]
        for cat in sc["categories"].values():
            cat["rate"] *= 4
        for d in sc["territory"]["departments"]:
            d["staff"] = staff
        sc["roles"] = {"resident": {"trust_lr": 1.0}, "grid_worker": NO_PATROLS,
                       "community_office": {"staff": staff}, "street_office": {"staff": staff},
                       "department": {"p_fix": p_fix}}
        res = run(sc)
        visible = _visible_first_reports(res.cases)
        late = visible[visible["t_created"] >= 120 * 24]
        return late["t_reported"].notna().mean(), res.metrics["mean_trust_end"]
    (answered, trust_answered), (ignored, trust_ignored) = late_reporting(20, 0.95), late_reporting(1, 0.3)
    assert trust_answered > trust_ignored + 0.03
    assert answered > ignored + 0.02


def test_vector_and_single_channel_choices_agree(tiny):
    sc = {**tiny, "overlays": {"hotline": {"trust_sensitivity": 1.5}}}
    m = GovernanceModel(sc)
    m.step()
    hot = next(o for o in m.overlays if o.name == "hotline")
    case = m.cases[0]
    u = np.linspace(0, 1, 401)[:-1]
    for trust in (0.05, 0.5, 0.95):
        m.population.trust[case.household] = trust
        vector = hot.choose_channels(np.full(len(u), case.household), u, m)
        single = [CHANNELS.index(hot.choose_channel(case, x, m)) for x in u]
        assert vector.tolist() == single


# ----------------------------------------------------------------------- satisfaction


def test_a_request_open_past_patience_is_rated_once_as_unresolved(tiny):
    m = quiet_model(tiny, **{"roles.resident.p_rate": 1.0, "roles.resident.p_repeat": 0.0,
                             "roles.resident.p_petition": 0.0})
    m.population.patience[0] = 6.0
    case = inject(m, "construction", t=10.0, household=0)  # two departments, referrals take days
    run_days(m, 1)
    assert case.status == "open" and case.t_overdue == pytest.approx(16.0)
    first = case.satisfaction
    assert first < m.resident_spec.satisfied_threshold  # unresolved, waited its whole patience
    assert m.counters["rated"] == 1 and m.counters["overdue"] == 1
    run_days(m, 40)
    assert case.status != "open"
    assert case.satisfaction == first and m.counters["rated"] == 1  # one rating per request


def test_a_backlog_lowers_satisfaction(tiny):
    def rates(staff: int):
        sc = copy.deepcopy(tiny)
        for d in sc["territory"]["departments"]:
            d["staff"] = staff
        sc["roles"] = {"community_office": {"staff": max(1, staff // 3)}, "street_office": {"staff": staff}}
        return run(sc).metrics
    normal, clogged = rates(12), rates(1)
    assert clogged["cases_open_end"] > normal["cases_open_end"]
    assert clogged["requests_overdue"] > normal["requests_overdue"]
    assert clogged["satisfaction_rate"] < normal["satisfaction_rate"] - 0.05
    # the old figure rated only what was closed, so the backlog hid behind it
    assert clogged["satisfaction_rate_closed_only"] > clogged["satisfaction_rate"]


# ----------------------------------------------------------------------- warm-up


def test_the_warm_up_runs_first_is_marked_and_is_not_counted(tiny):
    tiny.update(days=30, warmup_days=20)
    res = run(tiny)
    ts, cases, s = res.timeseries, res.cases, res.metrics
    assert list(ts["day"]) == list(range(1, 51))
    assert ts["warmup"].tolist() == [True] * 20 + [False] * 30
    early = cases["t_created"] < 20 * 24
    assert early.any()  # the cases table keeps every case ...
    assert s["cases_created"] == (~early).sum()  # ... the summary counts those after the warm-up
    assert s["cases_reported"] == cases.loc[~early, "t_reported"].notna().sum()
    workdays = 21  # days 20–49: Saturday 20 → Thursday 49
    w = res.workers.set_index("unit")
    office = w.loc["community_office:0"]
    assert office["hours_available"] == pytest.approx(office["staff"] * workdays * 8)
    assert (res.workers["hours_worked"] <= res.workers["hours_available"]
            + res.workers["overtime_cap_hours"] + 1e-6).all()


def test_no_warm_up_counts_everything(tiny):
    tiny.update(days=30, warmup_days=0)
    res = run(tiny)
    assert not res.timeseries["warmup"].any()
    assert res.metrics["cases_created"] == len(res.cases)
