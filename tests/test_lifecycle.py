"""Each step of a case's life (MODEL.md §4) and each baseline rule (§5), in isolation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import inject, quiet_model, run_days

from governance_sim import GovernanceModel, run
from governance_sim.agents.residents import Resident


def test_emergence_follows_the_category_rates(tiny):
    tiny["days"] = 120
    cases = run(tiny).cases
    first = cases[cases["repeat_of"] < 0]
    people = tiny["territory"]["population"]
    for name, cat in tiny["categories"].items():
        expected = cat["rate"] / 1000 * people * 120 / 365
        got = (first["category"] == name).sum()
        assert abs(got - expected) < 4 * math.sqrt(expected) + 1, name


def test_reporting_rises_with_trust(tiny):
    def reported_share(trust):
        tiny["roles"] = {"resident": {"trust0": trust, "trust_sd": 0.0},
                         "grid_worker": {"detection_prob": 0.0, "latent_detection_prob": 0.0}}
        c = run(tiny).cases
        visible = c[~c["latent"] & (c["repeat_of"] < 0)]
        return visible["t_reported"].notna().mean()
    assert reported_share(0.9) > reported_share(0.1) + 0.2


def test_report_probability_rises_with_severity(tiny):
    m = GovernanceModel(tiny)
    p = [Resident.report_probability(m.population, 0, s) for s in (1, 2, 3)]
    assert p[0] < p[1] < p[2]


def test_patrols_find_problems_nobody_reported(tiny):
    costly = dict.fromkeys(("hotline", "grid_worker", "community", "street", "petition"), 50.0)
    tiny["roles"] = {"resident": {"channel_costs": costly}}  # nobody reports
    none = run(tiny, overrides={"roles.grid_worker.detection_prob": 0.0,
                                "roles.grid_worker.latent_detection_prob": 0.0}).summary.iloc[0]
    some = run(tiny, overrides={"roles.grid_worker.detection_prob": 0.8}).summary.iloc[0]
    assert none["share_found_by_patrol"] != none["share_found_by_patrol"] or none["cases_reported"] == none["eruptions"]
    assert some["share_found_by_patrol"] > 0.9


def test_intake_waits_for_office_hours(tiny):
    m = quiet_model(tiny)
    case = inject(m, "sanitation", t=20.0, channel="community")  # Monday 20:00
    run_days(m, 3)
    assert case.t_reported == 20.0
    assert case.t_accepted >= 24 + 9  # accepted on Tuesday morning
    assert case.t_first_response >= case.t_accepted


def test_community_settles_what_it_has_authority_over(tiny):
    m = quiet_model(tiny)
    case = inject(m, "sanitation")
    run_days(m, 5)
    assert case.status == "resolved" or case.status == "closed_on_paper"
    assert case.level == "community_office"
    assert not any(h[1].startswith("department") for h in case.handoffs)


def test_without_authority_the_case_climbs_to_the_street_then_a_department(tiny):
    m = quiet_model(tiny, **{"arrangement.p_buckpass": 0.0})
    case = inject(m, "parking", channel="community")
    run_days(m, 10)
    path = [h[1] for h in case.handoffs]
    assert path == ["street_office:0", "department:0"]
    assert case.level == "department"
    # formal referral costs referral_delay_days working days
    referral = case.handoffs[1][2]
    assert case.t_first_response - referral >= 2 * 8 - 1e-9


def test_cross_department_case_visits_departments_one_at_a_time(tiny):
    m = quiet_model(tiny, **{"arrangement.p_buckpass": 0.0, "roles.department.p_fix": 1.0})
    case = inject(m, "construction", channel="street")
    run_days(m, 30)
    path = [h[1] for h in case.handoffs]
    assert path == ["department:0", "street_office:0", "department:1"]
    assert [h[3] for h in case.handoffs] == ["referral", "part_done", "referral"]
    assert case.status == "resolved"
    assert case.parts_done == {0, 1}


def test_buckpassing_returns_the_case_and_the_street_re_refers(tiny):
    m = quiet_model(tiny, **{"arrangement.p_buckpass": 1.0, "territory.departments.urban.staff": 1,
                             "territory.departments.housing.staff": 1})
    case = inject(m, "construction", channel="street")
    run_days(m, 40)
    reasons = [h[3] for h in case.handoffs]
    assert "buckpass" in reasons
    i = reasons.index("buckpass")
    assert case.handoffs[i][1] == "street_office:0"
    assert reasons[i + 1] == "referral"           # the street refers again


def test_departments_serve_vertical_work_first(tiny):
    def local_wait(local_priority):
        c = run(tiny, days=90, overrides={
            "roles.department.local_priority": local_priority,
            "territory.departments.urban.vertical_tasks_per_day": 6}).cases
        d = c[c["level"] == "department"]
        return float((d["t_first_response"] - d["t_dispatched"]).mean())
    assert local_wait(0.4) > local_wait(2.0)


def test_coverup_sits_on_latent_hazards_until_they_erupt(tiny):
    tiny["days"] = 150
    tiny["categories"]["hazard"]["rate"] = 40
    grid = {"roles.grid_worker.latent_detection_prob": 0.3}
    # never traced: a street with a veto to fear hides every hazard; without a veto it hides none
    hidden = run(tiny, overrides={**grid, "arrangement.trace_prob": 0.0}).cases
    open_ = run(tiny, overrides={**grid, "roles.street_office.veto_weight": 0.0}).cases
    h, o = hidden[hidden["latent"]], open_[open_["latent"]]
    assert h["eruption"].sum() > o["eruption"].sum()
    # hazards found by patrol and then sat on come back as eruptions
    assert ((h["found_by"] == "patrol") & h["eruption"]).sum() > ((o["found_by"] == "patrol") & o["eruption"]).sum()


def test_rating_rewards_real_resolution_and_trust_moves_toward_it(tiny):
    m = quiet_model(tiny)
    good = inject(m, "sanitation", household=1)
    run_days(m, 10)
    assert good.status == "resolved"
    pop = m.population
    bad = inject(m, "construction", household=2, t=m.now + 1, channel="street")
    bad.status = "closed_on_paper"
    bad.t_closed = bad.t_reported + 500
    before = pop.trust[2]
    rating_bad = Resident.rate(pop, 2, bad, 24.0)
    assert Resident.rate(pop, 1, good, 24.0) > rating_bad
    Resident.update_trust(pop, 2, rating_bad)
    assert abs(pop.trust[2] - rating_bad) < abs(before - rating_bad)


def test_unresolved_cases_come_back_as_repeats_or_petitions(tiny):
    res = run(tiny, days=120, overrides={"roles.department.p_fix": 0.0, "roles.resident.p_repeat": 1.0,
                                         "roles.resident.p_petition": 0.0})
    c = res.cases
    assert (c["repeat_of"] >= 0).sum() > 0
    originals = c.set_index("case_id")
    for _, r in c[c["repeat_of"] >= 0].iterrows():
        orig = originals.loc[r["repeat_of"]]
        assert orig["status"] == "closed_on_paper"
        assert r["t_created"] >= orig["t_closed"]


def test_petitions_enter_at_the_street(tiny):
    m = quiet_model(tiny)
    case = inject(m, "sanitation", channel="petition")
    run_days(m, 5)
    assert case.petition and case.escalations >= 1
    assert case.handoffs[0][0] == "street_office:0"  # accepted by the street, not the community


def test_party_branch_mediates_disputes_with_volunteer_hours(tiny):
    m = quiet_model(tiny, **{"roles.party_branch.volunteer_hours_per_week": 50})
    case = inject(m, "dispute")
    run_days(m, 5)
    assert case.level == "party_branch"
    m2 = quiet_model(tiny, **{"roles.party_branch.volunteer_hours_per_week": 0})
    case2 = inject(m2, "dispute")
    run_days(m2, 5)
    assert case2.level == "community_office"


@pytest.mark.parametrize("severity", [1, 3])
def test_effort_grows_with_severity(tiny, severity):
    m = quiet_model(tiny)
    case = inject(m, "sanitation", severity=severity)
    efforts = [m.lifecycle.effort(case) for _ in range(2000)]
    assert np.median(efforts) == pytest.approx(1.5 * (1.0 if severity == 1 else 2.5), rel=0.1)
