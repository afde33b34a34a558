"""Behaviour from incentives (考核), each mechanism in isolation: summons compliance, attention
re-weighting, buck-passing, cover-up, growing hazards, eruptions, 街巷长 two-way ratings."""

from __future__ import annotations

import math

import pytest
from helpers import inject, quiet_model, run_days

from governance_sim import GovernanceModel, metrics, run
from governance_sim.appraisal import (
    Scorecard,
    ambiguity_of,
    hide_probability,
    ledger_hours,
    return_probability,
)
from governance_sim.engine import HOURS_PER_DAY
from governance_sim.scenario import ScenarioError

WHISTLE = {"arrangement.name": "whistle"}
# departments whose day is full of line-ministry work (条条任务)
BUSY = {"territory.departments.urban.vertical_tasks_per_day": 10,
        "territory.departments.housing.vertical_tasks_per_day": 10,
        "territory.departments.emergency.vertical_tasks_per_day": 6}


def finished(tiny, days=120, **overrides) -> GovernanceModel:
    m = GovernanceModel(tiny, days=days, overrides=overrides)
    m.run_model()
    return m


# ------------------------------------------------------------------ the scorecard


def test_attention_moves_toward_what_the_scorecard_rewards_with_inertia():
    card = Scorecard({"line_ministry": 1.0, "reverse_assessment": 0.5}, {"vertical": 1.0, "local": 0.0}, 1.0)
    card.mark("reverse_assessment", "local", 0.0)          # the street gives zero marks
    card.reweight(inertia=0.5)
    assert card.priority == {"vertical": 1.0, "local": 0.25}   # half-way to 0.5
    card.mark("reverse_assessment", "local", 0.0)
    card.reweight(inertia=0.5)
    assert card.priority["local"] == pytest.approx(0.375)      # rises month by month
    card.reweight(inertia=0.5)                                 # nobody marks: it drifts back
    assert card.priority["local"] == pytest.approx(0.1875)


def test_an_appraiser_with_weight_zero_has_no_influence():
    card = Scorecard({"line_ministry": 1.0, "reverse_assessment": 0.0}, {"vertical": 1.0, "local": 0.0}, 1.0)
    card.mark("reverse_assessment", "local", 0.0)
    assert card.reweight(inertia=0.0) == {"vertical": 0.0, "local": 0.0}


# ------------------------------------------------------------------ 2. summons compliance


def test_a_summoned_department_can_miss_the_deadline_under_line_work_without_reverse_assessment(tiny):
    m = finished(tiny, **WHISTLE, **BUSY, **{"arrangement.reverse_assessment_weight": 0.0})
    c = m.appraisal.counters
    assert c["summons"] > 0
    assert c["summons_missed"] > 0 and c["summons_late"] > 0        # nothing guarantees compliance
    share = m.appraisal.summons_summary()["summons_on_time_share"]
    assert 0.0 < share < 1.0
    assert c["supervision_orders"] > 0                                 # repeated misses go to 督办


def test_with_reverse_assessment_priority_for_the_street_rises_month_by_month(tiny):
    over = {**WHISTLE, **BUSY, "roles.department.supervision_weight": 0.0}
    with_ra = finished(tiny, **over, **{"arrangement.reverse_assessment_weight": 1.0})
    without = finished(tiny, **over, **{"arrangement.reverse_assessment_weight": 0.0})
    urban = with_ra.departments[0].scorecard.history
    local = [p[("local", 0)] for _, p in urban]
    assert local[0] > 0 and local[1] > local[0] and local[2] > local[1]
    assert all(p[("local", 0)] == 0.0 for _, p in without.departments[0].scorecard.history)


def test_a_summons_is_on_time_when_the_department_is_free(tiny):
    m = quiet_model(tiny, **WHISTLE, **{"arrangement.p_buckpass": 0.0})
    inject(m, "construction", channel="street", t=24 * 7 + 10)  # a Monday morning
    run_days(m, 20)
    assert m.appraisal.counters["summons"] == 2
    assert m.appraisal.summons_summary() == {"summons_on_time_share": 1.0, "summons_no_shows": 0}


def test_repeated_misses_of_one_summons_go_to_district_supervision(tiny):
    m = quiet_model(tiny, **WHISTLE, **{"arrangement.p_buckpass": 0.0,
                                         "territory.departments.housing.staff": 1})
    housing = m.departments[1]
    # the whole department is out on line work for a week: it cannot answer the summons
    m.events.schedule(24 * 7 + 9, housing.work_on, None, 40.0, 10.0, None, "vertical")
    case = inject(m, "construction", channel="street", t=24 * 7 + 10)
    run_days(m, 20)
    c = m.appraisal.counters
    assert c["summons_missed"] == 2 and c["supervision_orders"] == 1   # two misses, then 督办
    assert housing.scorecard.shortfall("supervision", ("local", 0)) == 1.0
    assert any(r == 0.0 for _, _, r in housing.ratings)                 # each miss rated 0
    assert c["summons_late"] == 1 and case.status == "resolved"         # it came, late


def test_reverse_assessment_weight_and_appraisal_weights_change_outcomes(tiny):
    over = {**WHISTLE, **BUSY}
    keys = ["resolution_time_mean_h", "summons_on_time_share", "buckpass_events"]

    def outcome(**extra):
        s = run(tiny, days=120, overrides={**over, **extra}).summary.iloc[0]
        return [float(s[k]) for k in keys]
    assert outcome(**{"arrangement.reverse_assessment_weight": 0.0}) != \
        outcome(**{"arrangement.reverse_assessment_weight": 0.5})
    assert outcome(**{"roles.department.line_ministry_weight": 0.0}) != \
        outcome(**{"roles.department.line_ministry_weight": 1.0})


# ------------------------------------------------------------------ 3. buck-passing


def test_duty_ambiguity_follows_the_three_lists():
    assert ambiguity_of(["a"], ["a"], True) == 0.0
    assert ambiguity_of(["a", "b"], ["a", "b"], True) == 0.5
    assert ambiguity_of(["a", "b"], None, True) == pytest.approx(2 / 3)      # not on the list
    assert ambiguity_of(["a", "b"], ["a"], False) == pytest.approx(2 / 3)    # lists not published


class _Queue:
    def __init__(self, backlog, staff):
        self.backlog, self.staff = backlog, staff


def test_returns_rise_with_load_and_fall_with_the_appraisal_cost_of_a_return():
    light, heavy = _Queue(0, 4), _Queue(40, 4)
    assert return_probability(0.3, 0.5, light, 0.0) < return_probability(0.3, 0.5, heavy, 0.0)
    assert return_probability(0.3, 0.5, heavy, 0.4) < return_probability(0.3, 0.5, heavy, 0.0)
    assert return_probability(0.3, 0.0, heavy, 0.0) == 0.0


def test_returns_fall_as_duty_lists_get_clearer(tiny):
    tiny["categories"]["construction"]["rate"] = 60
    over = {**BUSY, "arrangement.duty_lists": True}
    events = []
    for holders in (None, ["urban", "housing"], ["urban"]):
        for cat in ("sanitation", "construction", "parking", "hazard"):
            tiny["categories"][cat]["duty_holders"] = holders
        events.append(run(tiny, days=90, overrides=over).summary.iloc[0]["buckpass_events"])
    assert events[0] > events[1] > events[2] == 0


def test_staff_sent_down_answer_to_whoever_appraises_them(tiny):
    tiny["territory"]["departments"][1]["enforcement"] = False  # housing may act down
    over = {"arrangement.seconded_share": 0.67}
    base = GovernanceModel(tiny, overrides=over)
    pool = base.arrangement.seconded[1]
    assert pool.return_cost == base.departments[1].return_cost == 0.0   # the street rates nobody
    whistle = GovernanceModel(tiny, overrides={**over, **WHISTLE})
    home = whistle.departments[1].return_cost
    assert 0.0 < home < whistle.arrangement.seconded[1].return_cost    # the street holds their appraisal


# ------------------------------------------------------------------ 4. cover-up


def test_cover_up_weighs_the_veto_for_reporting_against_the_veto_for_hiding():
    slow, fast = hide_probability(1.0, 30.0, 120.0, 0.5), hide_probability(1.0, 1.0, 120.0, 0.5)
    assert 0.0 < fast < slow < 1.0
    assert hide_probability(0.0, 30.0, 120.0, 0.5) == 0.0           # no veto, nothing to hide from
    assert hide_probability(1.0, 30.0, 120.0, 0.9) < slow          # likelier to be traced, hides less


def test_a_unit_with_summoning_power_hides_fewer_hazards(tiny):
    tiny["categories"]["hazard"]["rate"] = 40
    over = {"roles.grid_worker.latent_detection_prob": 0.3}
    base = finished(tiny, days=150, **over)
    whistle = finished(tiny, days=150, **over, **WHISTLE)
    probe = next(c for c in base.cases if c.latent)
    assert whistle.arrangement.coverup_probability(probe, whistle) < \
        base.arrangement.coverup_probability(probe, base)
    assert whistle.street_offices[0].coverups < base.street_offices[0].coverups


# ------------------------------------------------------------------ 8. hazards


def test_a_hazards_severity_grows_with_time(tiny):
    m = quiet_model(tiny)
    case = inject(m, "hazard", reported=False, severity=1)
    growth = m.categories[case.category].severity_growth_days * HOURS_PER_DAY
    seen = []
    for age in (0.5, 1.5, 2.5, 5.0):
        m.events.now = case.t_created + age * growth
        m.lifecycle.grow(case)
        seen.append(case.severity)
    assert seen == [1, 2, 3, 3]


def test_an_eruption_costs_the_community_trust_and_marks_vetoes(tiny):
    m = quiet_model(tiny)
    case = inject(m, "hazard", reported=False)
    first, last = m.appraisal.community_households[case.community]
    before = m.population.trust.copy()
    m.lifecycle.erupt(case)
    after = m.population.trust
    loss = m.categories[case.category].eruption_trust_loss
    assert after[first:last] == pytest.approx(before[first:last] * (1 - loss))
    assert (after[:first] == before[:first]).all() and (after[last:] == before[last:]).all()
    for d in case.departments:
        assert m.departments[d].scorecard.shortfall("veto", "hazard") == 1.0


def test_a_traced_cover_up_puts_the_veto_on_the_unit_that_hid_it(tiny):
    m = quiet_model(tiny, **{"arrangement.trace_prob": 1.0})
    case = inject(m, "hazard", reported=False)
    m.lifecycle.apply(case, ("street_office", 0), __import__(
        "governance_sim.arrangements.base", fromlist=["CoverUp"]).CoverUp())
    assert case.hidden_by == ("street_office", 0) and case.status == "closed_on_paper"
    m.lifecycle.erupt(case)
    assert m.street_offices[0].vetoes == 1 and m.appraisal.counters["coverups_traced"] == 1


def test_a_petition_is_a_veto_item_and_petitioned_cases_move_up(tiny):
    m = quiet_model(tiny)
    case = inject(m, "construction", channel="petition")
    run_days(m, 1)
    assert case.petition
    for d in case.departments:
        assert m.departments[d].scorecard.shortfall("veto", "petition") == 1.0
    assert m.street_offices[0].vetoes == 1
    run_days(m, 29)                                   # the month's appraisal
    urban = m.departments[0]
    assert urban.petition_weight > 0.0
    plain = inject(m, "construction", channel="street", t=m.now)
    assert urban.priority_for(case) - case.priority_boost > urban.priority_for(plain) - plain.priority_boost


# ------------------------------------------------------------------ 5. 街巷长


def test_chiefs_rate_departments_and_are_rated_and_their_patrol_follows(tiny):
    over = {**WHISTLE, **BUSY, "roles.street_chief.per_street": 2}
    m = finished(tiny, days=120, **over)
    chiefs = m.street_chiefs
    assert any(ch.ratings_given for ch in chiefs)
    month, d, rating = chiefs[0].ratings_given[0]
    assert month >= 1 and 0 <= d < len(m.departments) and 0.0 <= rating <= 1.0
    assert all(len(ch.ratings_received) == 4 for ch in chiefs)
    for ch in chiefs:  # rated below full marks → he patrols more than his base hours
        if ch.ratings_received[-1][1] < 1.0:
            assert ch.routine_h["patrol"] > ch.base_patrol_h
            assert ch.patrol_detection > ch.detection_prob


def test_a_chief_rated_low_patrols_more_and_sees_more(tiny):
    m = GovernanceModel(tiny, overrides={**WHISTLE, "roles.street_chief.per_street": 1})
    chief = m.street_chiefs[0]
    chief.scorecard.mark("street_rating", "patrol", 0.2)
    chief.scorecard.reweight(inertia=0.5)
    chief.set_patrol_hours(chief.scorecard.priority["patrol"])
    assert chief.base_patrol_h < chief.routine_h["patrol"] <= chief.hours_per_day + m.calendar.overtime
    assert chief.patrol_detection > chief.detection_prob
    assert not math.isnan(chief.patrol_detection)


# ------------------------------------------------------------------ offices: ledgers or residents' cases


RATED_BY_RESIDENTS = {"roles.community_office.resident_rating_weight": 2.0,
                      "roles.street_office.resident_rating_weight": 2.0}


def ledgers_by_month(office) -> list[float]:
    return [prio["ledger"] for _, prio in office.scorecard.history]


def test_an_office_keeps_what_the_inspections_ask_unless_residents_weigh_against_it():
    # only the inspections appraise it: the demand, exactly, month after month
    assert ledger_hours(1.5, 1.5, 0.0, 0.0, 1.0, 0.5) == 1.5
    # residents' shortfall outweighs the inspections': fewer ledger hours, with inertia
    assert ledger_hours(1.5, 1.5, 0.0, 0.4, 1.0, 0.5) == pytest.approx(1.5 - 0.5 * 0.6)
    # short of the demand with nobody else pressing: back toward it, never beyond
    assert 1.0 < ledger_hours(1.5, 1.0, 1.0 / 3.0, 0.0, 1.0, 0.5) <= 1.5
    assert ledger_hours(1.5, 1.5, 5.0, 0.0, 10.0, 0.0) == 1.5
    assert ledger_hours(1.5, 1.5, 0.0, 5.0, 10.0, 0.0) == 0.0   # never below zero
    assert ledger_hours(0.0, 0.0, 0.0, 1.0, 1.0, 0.5) == 0.0    # nothing asked, nothing kept


def test_with_no_say_for_residents_every_office_keeps_its_ledgers_in_full(tiny):
    m = finished(tiny, days=120)
    for office in (*m.street_offices, *m.community_offices, *m.district_centers):
        assert ledgers_by_month(office) == [office.ledger_demand_h] * 4
        assert office.routine_h.get("paperwork", 0.0) == office.ledger_demand_h


def test_offices_rated_by_residents_take_hours_from_ledgers_for_cases(tiny):
    m = finished(tiny, days=120, **RATED_BY_RESIDENTS)
    office = m.community_offices[0]
    kept = ledgers_by_month(office)
    assert all(h < office.ledger_demand_h for h in kept)                 # residents are never fully happy
    base = finished(tiny, days=120)
    rated, unrated = metrics.workers_frame(m).set_index("unit"), metrics.workers_frame(base).set_index("unit")
    assert rated.loc["community_office:0", "hours_paperwork"] < unrated.loc["community_office:0", "hours_paperwork"]
    # the ledger hours booked are each month's own: the sum over the months it kept them
    workdays = [m.calendar.workdays_between(30 * 24.0 * k, 30 * 24.0 * (k + 1)) for k in range(4)]
    held = [office.ledger_demand_h, *kept[:3]]
    expected = sum(h * d for h, d in zip(held, workdays, strict=True)) * office.staff
    assert rated.loc["community_office:0", "hours_paperwork"] == pytest.approx(expected)


def test_unhappier_residents_cut_ledgers_further():
    card = Scorecard({"inspection": 1.0, "residents": 1.0}, {}, 0.0)
    kept = {}
    for mean_rating in (0.9, 0.5):
        card.mark("residents", "cases", mean_rating)
        kept[mean_rating] = ledger_hours(1.5, 1.5, card.pressure("ledger"), card.pressure("cases"), 1.0, 0.5)
        card.reweight(0.5)
    assert kept[0.5] < kept[0.9] < 1.5


def test_a_hotline_ranking_presses_the_street_office_off_its_ledgers(tiny):
    m = finished(tiny, days=120, **{"overlays.hotline.appraisal_weight": 2.0})
    street = m.street_offices[0]
    assert street.scorecard.weights["hotline"] == 2.0
    kept = ledgers_by_month(street)
    hotline = next(o for o in m.overlays if o.name == "hotline")
    assert kept[0] == street.ledger_demand_h          # no ranking yet in the first month
    assert any(row["pressure"] > 0 for row in hotline.appraisals)
    assert min(kept[1:]) < street.ledger_demand_h


def test_the_monthly_review_of_three_governance_gives_residents_a_say(tiny):
    m = GovernanceModel(tiny, overrides={"overlays.three_governance.monthly_review_weight": 0.5})
    assert all(o.scorecard.weights["residents"] == 0.5 for o in m.community_offices)
    assert all(o.scorecard.weights["residents"] == 0.0 for o in m.street_offices)


def test_a_review_weight_that_overflows_the_offices_bound_is_refused_naming_it(tiny):
    with pytest.raises(ScenarioError) as err:
        GovernanceModel(tiny, overrides={"overlays.three_governance.monthly_review_weight": 3.0,
                                         "roles.community_office.resident_rating_weight": 4.0})
    assert err.value.field == "overlays.three_governance.monthly_review_weight"
    assert "at most 5" in str(err.value)

