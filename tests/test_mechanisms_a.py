"""社区约请, 群众吹哨, 联席会议 as meetings, and padding as a choice: each rule on its own."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_sim import GovernanceModel, ScenarioError
from governance_sim.appraisal import padding_probability
from governance_sim.arrangements.base import Refer
from governance_sim.cases import Case
from governance_sim.engine import HOURS_PER_DAY
from governance_sim.overlays.community_invitation import reply_delay_days
from governance_sim.runner import collect
from tests.test_overlays import finished, overlay, scenario

COMMUNITY_ONLY = {"community": 1.0}


# ----------------------------------------------------------------------- 社区约请


def invitation_run(tiny, days=120, **params):
    sc = scenario(tiny, {"community_invitation": params}, days=days,
                  roles__resident__channels=COMMUNITY_ONLY)
    return finished(sc)


def test_reply_delay_grows_with_load_and_never_passes_the_deadline():
    class Load:
        def __init__(self, backlog, staff):
            self.backlog, self.staff = backlog, staff

    assert reply_delay_days(10, Load(0, 3)) == 0.0
    delays = [reply_delay_days(10, Load(b, 3)) for b in (1, 3, 30, 3000)]
    assert delays == sorted(delays) and all(0 < d < 10 for d in delays)
    assert reply_delay_days(10, Load(5, 0)) == pytest.approx(10.0)


def test_invitation_gathers_only_cross_department_cases_and_settles_them_at_a_meeting(tiny):
    model = invitation_run(tiny)
    inv = overlay(model, "community_invitation")
    assert inv.meetings > 3
    settled = [model.cases[i] for i in inv.settled]
    assert settled and all(len(c.departments) >= 2 for c in settled)
    cats = model.categories
    for case in settled:
        assert not cats[case.category].community_authority
        reasons = [h[3] for h in case.handoffs]
        # the community invites every department the case needs, each once, none refers it up
        assert sorted(h[1] for h in case.handoffs if h[3] == "invitation") == \
            sorted(f"department:{d}" for d in case.departments)
        assert "escalate" not in reasons and "referral" not in reasons
        assert case.buckpass == 0  # settled face to face: no return after the meeting
    single = [c for c in model.cases if len(c.departments) == 1 and c.t_reported == c.t_reported]
    assert all(c.id not in set(inv.settled) for c in single)


def test_meetings_keep_the_ten_working_day_deadline_and_the_room(tiny):
    params = {"reply_days": 10, "meeting_lead_days": 2, "cases_per_meeting": 3}
    model = invitation_run(tiny, **params)
    inv = overlay(model, "community_invitation")
    cal = model.calendar
    assert inv.letters
    for _, sent, meeting, n_cases, n_depts in inv.letters:
        assert 1 <= n_cases <= 3 and n_depts >= 2
        # the last reply within 10 working days, the meeting 2 working days after it
        assert meeting <= cal.next_start(cal.add_working_days(sent, 12.0)) + 1e-9
        assert meeting >= sent


def test_invitation_meetings_cost_the_chair_and_each_department(tiny):
    model = invitation_run(tiny, days=90, meeting_hours=3.0)
    inv = overlay(model, "community_invitation")
    held = [row for row in inv.letters if row[2] <= model.now - HOURS_PER_DAY]
    workers = collect(model).workers
    office_h = workers.loc[workers["role"] == "community_office", "hours_meeting"].sum()
    dept_h = workers.loc[workers["role"] == "department", "hours_meeting"].sum()
    assert office_h >= 3.0 * len(held) - 1e-6
    assert dept_h >= 3.0 * sum(r[4] for r in held) - 1e-6
    s = collect(model).metrics
    assert s["invitation_meetings"] == inv.meetings
    assert s["invitation_cases_per_meeting"] == pytest.approx(
        sum(r[3] for r in inv.letters) / len(inv.letters))


# ----------------------------------------------------------------------- 群众吹哨


def whistle_run(tiny, days=90, **params):
    sc = scenario(tiny, {"mass_whistle": {"app_share": 1.0, **params}}, days=days,
                  arrangement={"name": "whistle", "p_buckpass": 0.3},
                  roles__resident__channels=COMMUNITY_ONLY)
    return finished(sc)


def test_mass_whistle_needs_an_arrangement_that_can_summon(tiny):
    with pytest.raises(ScenarioError) as err:
        GovernanceModel(scenario(tiny, {"mass_whistle": {}}))
    assert err.value.field == "overlays.mass_whistle"
    assert "whistle" in err.value.message and "\n" not in str(err.value)


def test_app_whistles_are_triaged_then_summon_every_department_at_once(tiny):
    model = whistle_run(tiny, triage_minutes=30, dispatch_delay_h=2.0)
    mw = overlay(model, "mass_whistle")
    assert mw.whistles > 50
    summoned = [c for c in model.cases if any(h[3] == "mass_whistle" for h in c.handoffs)]
    assert summoned
    for case in summoned:
        first = [h for h in case.handoffs if h[3] == "mass_whistle"]
        if not case.departments:
            assert [h[1] for h in first] == [f"community_office:{case.community}"]
            continue
        t = first[0][2]
        # all needed departments at the same moment, after triage and the dispatch delay
        assert {h[1] for h in first} == {f"department:{d}" for d in case.departments}
        assert all(h[2] == t for h in first)
        assert t - case.t_reported >= 0.5 + 2.0 - 1e-9
        assert case.whistled


def test_trivial_whistles_cost_triage_and_what_triage_misses_costs_departments(tiny):
    caught_all = whistle_run(tiny, trivial_share=0.3, triage_miss=0.0)
    mw = overlay(caught_all, "mass_whistle")
    assert mw.trivial > 0 and mw.trivial_dispatched == 0
    share = mw.trivial / (mw.trivial + mw.whistles)
    assert share == pytest.approx(0.3, abs=0.06)
    w = collect(caught_all).workers
    assert "hours_trivial_whistle" not in w.columns
    missed = whistle_run(tiny, trivial_share=0.3, triage_miss=1.0, trivial_visit_h=1.5)
    mw2 = overlay(missed, "mass_whistle")
    assert mw2.trivial_dispatched == mw2.trivial > 0
    w2 = collect(missed).workers
    assert 0 < w2["hours_trivial_whistle"].sum() <= 1.5 * mw2.trivial_dispatched + 1e-6
    # trivial whistles are not problems: the cases table has only real problems
    assert len(collect(missed).cases) == len(missed.cases)


# ----------------------------------------------------------------------- 联席会议


def refer_and_time(tiny, party: dict, delay_h: float, n: int = 1) -> tuple[list[float], GovernanceModel]:
    """Arrival times (hours after the referral) of ``n`` referrals made on day 1 at 09:00."""
    model = GovernanceModel(scenario(tiny, {"party_building": party}, days=60))
    model.step()
    t0 = model.calendar.next_start(model.now)
    model.events.run_until(t0)
    cases = []
    for _ in range(n):
        case = Case(id=len(model.cases), category=1, grid=0, community=0, street=0, household=0,
                    severity=1, departments=(0, 1), latent=False, t_created=model.now)
        model.cases.append(case)
        model.lifecycle.apply(case, ("street_office", 0), Refer(("department", 0), delay_h, "referral"))
        cases.append(case)
    arrived = [math.nan] * n
    t = t0
    while any(a != a for a in arrived) and t < t0 + 40 * HOURS_PER_DAY:
        t += 0.25
        model.events.run_until(t)
        for i, c in enumerate(cases):
            if arrived[i] != arrived[i] and c.received_at(0, None) is not None:
                arrived[i] = c.received_at(0, None) - t0
    return arrived, model


def test_a_referral_is_taken_up_at_a_joint_meeting_that_comes_sooner(tiny):
    formal, _ = refer_and_time(dict(tiny), {"joint_meetings_per_month": 0}, 15 * 8.0)
    met, model = refer_and_time(dict(tiny), {"joint_meetings_per_month": 1}, 15 * 8.0)
    pb = overlay(model, "party_building")
    meeting = model.calendar.next_start(15 * HOURS_PER_DAY)
    t0 = model.calendar.next_start(HOURS_PER_DAY)
    assert met[0] == pytest.approx(meeting - t0)
    assert met[0] < formal[0]
    assert pb.taken_up == 1


def test_a_referral_due_before_the_meeting_keeps_the_formal_channel(tiny):
    formal, _ = refer_and_time(dict(tiny), {"joint_meetings_per_month": 0}, 16.0)
    met, model = refer_and_time(dict(tiny), {"joint_meetings_per_month": 1}, 16.0)
    assert met == formal
    assert overlay(model, "party_building").taken_up == 0


def test_a_meeting_takes_up_only_as_many_cases_as_it_has_room_for(tiny):
    # 2 hours at 40 minutes a case: room for 3
    times, model = refer_and_time(dict(tiny), {"joint_meetings_per_month": 1, "meeting_hours": 2.0,
                                               "minutes_per_case": 40.0}, 15 * 8.0, n=5)
    meeting = model.calendar.next_start(15 * HOURS_PER_DAY) - model.calendar.next_start(HOURS_PER_DAY)
    assert sum(t == pytest.approx(meeting) for t in times) == 3
    assert overlay(model, "party_building").taken_up == 3


# ----------------------------------------------------------------------- padding as a choice


@settings(max_examples=200, deadline=None)
@given(w=st.floats(0.01, 5), s=st.floats(0.5, 50), q=st.floats(1, 50), a=st.floats(0.001, 0.5),
       pen=st.floats(0.1, 10))
def test_padding_probability_is_a_probability_that_falls_with_audits(w, s, q, a, pen):
    p = padding_probability(w, s, q, a, pen)
    assert 0.0 <= p <= 1.0
    assert padding_probability(w, s, q, min(1.0, 2 * a), pen) <= p + 1e-12
    assert padding_probability(w, s, q, a, 2 * pen) <= p + 1e-12
    assert padding_probability(2 * w, s, q, a, pen) >= p - 1e-12


def test_no_quota_no_shortfall_no_weight_no_padding():
    assert padding_probability(1.0, 5, 0, 0.05, 2) == 0.0
    assert padding_probability(1.0, 0, 20, 0.05, 2) == 0.0
    assert padding_probability(0.0, 5, 20, 0.05, 2) == 0.0
    # no audits, or a penalty smaller than the mark at stake: always pad
    assert padding_probability(1.0, 5, 20, 0.0, 2) == 1.0
    assert padding_probability(1.0, 20, 20, 0.05, 0.5) == 1.0


def test_workers_pad_the_whole_shortfall_or_nothing(tiny):
    quota = 12
    model = finished(scenario(tiny, {"grid": {"report_quota": quota, "audit_rate": 0.05}}))
    grid = overlay(model, "grid")
    assert 0 < len(grid.padding_log) < grid.decisions  # some short workers pad, some do not
    assert all(0 < n <= quota for _, _, n in grid.padding_log)
    s = collect(model).metrics
    assert s["grid_padding_choices"] == grid.decisions
    assert s["grid_padding_caught"] == grid.caught <= grid.padded


def test_a_quota_outside_the_appraisal_is_not_padded(tiny):
    model = finished(scenario(tiny, {"grid": {"report_quota": 12, "quota_weight": 0.0}}))
    grid = overlay(model, "grid")
    assert grid.decisions > 0 and grid.padded == 0


def test_stricter_audits_mean_less_padding(tiny):
    padded = {}
    for rate in (0.02, 0.5):
        model = finished(scenario(dict(tiny), {"grid": {"report_quota": 12, "audit_rate": rate}}))
        grid = overlay(model, "grid")
        padded[rate] = len(grid.padding_log) / grid.decisions
    assert padded[0.5] < padded[0.02]


def test_a_quota_moves_a_short_workers_patrol_effort_and_what_it_finds(tiny):
    """The report quota is a scorecard: workers short of it patrol longer next month (more
    looks, more finds, less time left for their queue); without weight it moves nothing."""
    runs = {}
    for weight in (0.0, 1.0):
        grid = {"report_quota": 40, "quota_weight": weight, "audit_rate": 0.5}
        runs[weight] = finished(scenario(dict(tiny), {"grid": grid}, days=120))
    still, moved = runs[0.0], runs[1.0]
    base = still.grid_workers[0].base_patrol_h
    assert all(w.routine_h["patrol"] == base for w in still.grid_workers)
    hours = [w.routine_h["patrol"] for w in moved.grid_workers]
    assert min(hours) > base  # every worker was short of 40 reports a month
    history = [h[1]["patrol"] for h in moved.grid_workers[0].scorecard.history]
    assert history == sorted(history) and len(history) == 4  # rising month by month, with inertia
    cap = moved.grid_workers[0].hours_per_day + moved.calendar.overtime
    assert max(hours) <= cap
    worker = moved.grid_workers[0]
    assert worker.detection_prob > still.grid_workers[0].detection_prob
    found = {k: sum(1 for c in m.cases if c.found_by == "patrol") for k, m in runs.items()}
    assert found[1.0] > found[0.0]


def test_same_seed_same_outputs_with_the_new_mechanisms(tiny):
    every = {"mass_whistle": {"app_share": 0.5}, "community_invitation": {},
             "party_building": {"joint_meetings_per_month": 2},
             "grid": {"report_quota": 10}}

    def once():
        return collect(finished(scenario(dict(tiny), every, days=60,
                                         arrangement={"name": "whistle", "p_buckpass": 0.3})))

    a, b = once(), once()
    pd.testing.assert_frame_equal(a.cases, b.cases)
    pd.testing.assert_frame_equal(a.summary, b.summary)
