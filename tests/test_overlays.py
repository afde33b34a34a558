"""Overlays (MODEL.md §5): each mechanism on its own, on the tiny scenario."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from governance_sim import GovernanceModel, ScenarioError, load_scenario
from governance_sim.cases import CLOSED_ON_PAPER, RESOLVED
from governance_sim.engine import HOURS_PER_DAY
from governance_sim.registry import OVERLAYS
from governance_sim.runner import collect

ALL_OVERLAYS = {"command_centre", "community_invitation", "dispute_ladder", "extra_staff", "formalism", "grid",
                "hotline", "mass_whistle", "mine_guards", "municipal_hotline", "party_building", "three_governance"}


def set_path(sc: dict, path: str, value) -> dict:
    node = sc
    keys = path.split(".")
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value
    return sc


def scenario(tiny: dict, overlays: dict | None = None, days: int = 120, seed: int = 7, **fields) -> dict:
    """The tiny scenario with overlays and dotted-path fields (``roles.resident.trust0`` …)."""
    tiny["overlays"] = overlays or {}
    tiny["days"] = days
    tiny["seed"] = seed
    for path, value in fields.items():
        set_path(tiny, path.replace("__", "."), value)
    return tiny


def finished(sc: dict) -> GovernanceModel:
    model = GovernanceModel(sc)
    model.run_model()
    return model


def overlay(model: GovernanceModel, name: str):
    return next(o for o in model.overlays if o.name == name)


def hotline_only(tiny: dict, hotline: dict, days: int = 120, **fields) -> dict:
    """Most reports come through the hotline, so hotline mechanisms have cases to act on."""
    return scenario(tiny, {"hotline": hotline}, days=days,
                    roles__resident__channels={"hotline": 1.0, "community": 0.1}, **fields)


def dispatches(model: GovernanceModel) -> list[tuple]:
    """(case, destination) of every hotline work order."""
    return [(c, h[1]) for c in model.cases for h in c.handoffs if h[3] == "hotline_dispatch"]


# ----------------------------------------------------------------------- registry, input


def test_every_overlay_is_registered():
    assert set(OVERLAYS) == ALL_OVERLAYS
    for cls in OVERLAYS.values():
        for name, field in cls.Params.model_fields.items():
            assert field.description, f"{cls.name}.{name} has no description"


def test_unknown_overlay_names_the_field_and_the_allowed_ones(tiny):
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario(tiny, {"hotlines": {}}))
    assert err.value.field == "overlays.hotlines"
    for name in ALL_OVERLAYS:
        assert name in err.value.message


@pytest.mark.parametrize(("override", "field", "hint"), [
    ("overlays.hotline.audit_rate=1.5", "overlays.hotline.audit_rate", "less than or equal to 1"),
    ("overlays.hotline.audit_rat=0.5", "overlays.hotline.audit_rat", "audit_rate"),
    ("overlays.grid.networks=0", "overlays.grid.networks", "greater than or equal to 1"),
    ("overlays.formalism.street_office=-1", "overlays.formalism.street_office", "greater than or equal to 0"),
    ("overlays.party_building.minutes_per_case=0", "overlays.party_building.minutes_per_case",
     "greater than 0"),
    ("overlays.extra_staff.departments.urban=-2", "overlays.extra_staff.departments.urban",
     "greater than or equal to 0"),
])
def test_bad_overlay_parameter_is_one_clear_error(tiny, override, field, hint):
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario(tiny), overrides=[override])
    assert err.value.field == field
    assert hint in err.value.message
    assert "\n" not in str(err.value)


def test_extra_staff_for_an_unknown_department_is_a_scenario_error(tiny):
    sc = scenario(tiny, {"extra_staff": {"departments": {"police": 5}}})
    with pytest.raises(ScenarioError) as err:
        GovernanceModel(sc)
    assert err.value.field == "overlays.extra_staff.departments.police"
    assert "urban" in err.value.message


def test_variants_switch_overlays_on_and_off(tiny):
    tiny["overlays"] = {"hotline": {}}
    tiny["variants"] = {"direct": {"overlays.hotline.direct_dispatch": True},
                        "no_hotline": {"overlays.hotline": None}}
    assert load_scenario(tiny).overlays["hotline"].direct_dispatch is False
    assert load_scenario(tiny, "direct").overlays["hotline"].direct_dispatch is True
    assert "hotline" not in load_scenario(tiny, "no_hotline").overlays


@pytest.mark.parametrize("neutral", [{"grid": {}}, {"formalism": {}}, {"extra_staff": {}}])
def test_neutral_overlays_leave_the_run_unchanged(tiny, neutral):
    base = collect(finished(scenario(dict(tiny), days=60)))
    with_overlay = collect(finished(scenario(tiny, neutral, days=60)))
    pd.testing.assert_frame_equal(base.cases.drop(columns=["scenario_hash"]),
                                  with_overlay.cases.drop(columns=["scenario_hash"]))


def test_same_seed_same_outputs_with_every_overlay(tiny):
    every = {"hotline": {"direct_dispatch": True}, "grid": {"report_quota": 5, "merge_networks": False},
             "party_building": {}, "formalism": {"community_office": 1}, "extra_staff": {"community_office": 1},
             "community_invitation": {}}
    a = collect(finished(scenario(dict(tiny), every, days=60)))
    b = collect(finished(scenario(tiny, every, days=60)))
    pd.testing.assert_frame_equal(a.cases, b.cases)
    pd.testing.assert_frame_equal(a.summary, b.summary)


# ----------------------------------------------------------------------- hotline


def test_direct_dispatch_goes_to_the_street_of_the_location(tiny):
    sc = hotline_only(tiny, {"direct_dispatch": True}, days=60, territory__streets=2)
    model = finished(sc)
    orders = dispatches(model)
    assert len(orders) > 30
    assert {c.street for c, _ in orders} == {0, 1}
    assert all(dst == f"street_office:{c.street}" for c, dst in orders)


def test_direct_dispatch_without_streets_goes_to_the_community(tiny):
    model = GovernanceModel(hotline_only(tiny, {"direct_dispatch": True}, days=10))
    model.run_model()
    hot = overlay(model, "hotline")
    case = model.cases[0]
    assert hot.dispatch_target(case, model) == ("street_office", case.street)
    model.territory.street_layer = False
    assert hot.dispatch_target(case, model) == ("community_office", case.community)


@pytest.mark.parametrize("direct", [True, False])
def test_the_receiving_unit_calls_back_first_and_that_is_the_response(tiny, direct):
    """签收 → 联系诉求人: the unit an order reaches calls the resident back; that call is the
    case's first response, and it takes ``contact_minutes`` of that unit's staff."""
    model = finished(hotline_only(tiny, {"direct_dispatch": direct, "contact_minutes": 12}, days=60))
    orders = dispatches(model)
    assert len(orders) > 30
    for case, _ in orders:
        arrived = next(h[2] for h in case.handoffs if h[3] == "hotline_dispatch")
        assert case.t_first_response >= arrived  # no earlier: nobody had the order before
    calls = {key: u.workforce.hours.get("hotline_contact", 0.0) / (12 / 60) for key, u in model.units.items()}
    total = sum(calls.values())
    assert total == pytest.approx(round(total)) and total >= len(orders) * 0.9  # whole calls, one an order
    # the calls are made where the orders went: the street (直派街乡) or the department (classic)
    callers = {key[0] for key, n in calls.items() if n}
    assert callers == ({"street_office"} if direct else {"department", "street_office"})
    if not direct:
        to_departments = sum(1 for _, dst in orders if dst.startswith("department"))
        made = sum(n for key, n in calls.items() if key[0] == "department")
        assert to_departments * 0.9 <= made <= to_departments


def test_without_a_call_back_the_first_work_on_the_problem_is_the_response(tiny):
    calls = finished(hotline_only(dict(tiny), {"direct_dispatch": True, "contact_minutes": 10}, days=60))
    none = finished(hotline_only(tiny, {"direct_dispatch": True, "contact_minutes": 0}, days=60))
    assert not any(u.workforce.hours.get("hotline_contact") for u in none.units.values())
    rates = [overlay(m, "hotline").summary(m)["hotline_response_rate"] for m in (calls, none)]
    assert rates[0] > rates[1]  # a call back comes sooner than the work itself


def test_classic_dispatch_goes_to_the_first_responsible_department(tiny):
    model = finished(hotline_only(tiny, {"direct_dispatch": False}, days=60))
    orders = dispatches(model)
    with_dept = [(c, dst) for c, dst in orders if c.departments]
    assert len(with_dept) > 30
    assert all(dst == f"department:{c.departments[0]}" for c, dst in with_dept)
    # a problem no department owns goes to the street of its location
    assert all(dst == f"street_office:{c.street}" for c, dst in orders if not c.departments)


def test_the_call_takes_seat_time_and_is_not_the_first_response(tiny):
    model = finished(hotline_only(tiny, {"call_minutes": 12, "consultation_share": 0}, days=60))
    hot = overlay(model, "hotline")
    orders = dispatches(model)
    hours = model.district_center.workforce.hours
    assert hours["hotline_call"] == pytest.approx(len(orders) * 12 / 60)
    for case, _ in orders:
        dispatched_at = next(h[2] for h in case.handoffs if h[3] == "hotline_dispatch")
        if case.t_first_response == case.t_first_response:
            assert case.t_first_response >= dispatched_at - 1e-6
    assert hot.consultations == 0 and "hotline_consultation" not in hours


def test_consultations_are_answered_and_closed_on_the_call(tiny):
    share = 0.4
    model = finished(hotline_only(tiny, {"consultation_share": share, "consultation_minutes": 6}))
    hot = overlay(model, "hotline")
    n, calls = hot.consultations, hot.calls
    expected = calls * share / (1 - share)  # a Poisson count per problem call
    assert abs(n - expected) < 4 * math.sqrt(expected)
    assert model.district_center.workforce.hours["hotline_consultation"] == pytest.approx(n * 6 / 60)
    assert all(answered >= called for called, answered in hot.consultation_log)
    # consultations are not problems: no case record for them
    assert sum(1 for c in model.cases if c.channel == "hotline") == calls


def test_trust_raises_the_share_of_households_choosing_the_hotline(tiny):
    model = GovernanceModel(scenario(tiny, {"hotline": {"trust_sensitivity": 1.0}}, days=1))
    hot = overlay(model, "hotline")
    model.step()
    case = model.cases[0]
    u = np.linspace(0, 1, 2001)[:-1]

    def hotline_share(trust: float) -> float:
        model.population.trust[case.household] = trust
        return float(np.mean([hot.choose_channel(case, x, model) == "hotline" for x in u]))

    low, mid, high = hotline_share(0.1), hotline_share(0.5), hotline_share(0.9)
    assert low < mid < high
    configured = model.scenario.roles.resident.channels
    assert mid == pytest.approx(configured["hotline"] / sum(configured.values()), abs=0.002)
    hot.params.trust_sensitivity = 0.0
    assert hotline_share(0.1) == pytest.approx(hotline_share(0.9))


def test_trusting_residents_call_the_hotline_more(tiny):
    shares = {}
    for trust in (0.2, 0.8):
        model = finished(scenario(dict(tiny), {"hotline": {}}, days=60, roles__resident__trust0=trust,
                                  roles__resident__trust_sd=0.0, territory__population=30000))
        shares[trust] = collect(model).metrics["hotline_share_of_reports"]
    assert shares[0.8] > shares[0.2] + 0.05


def test_appraisal_puts_hotline_cases_first_at_the_streets_units_only(tiny):
    model = finished(hotline_only(tiny, {"priority_boost": 1.0, "appraisal_weight": 1.0}, days=60))
    hot = overlay(model, "hotline")
    call = next(c for c in model.cases if c.channel == "hotline")
    other = next(c for c in model.cases if c.channel not in ("hotline", ""))
    bonus = model.lifecycle.priority_bonus
    assert bonus(call, ("street_office", 0)) >= 1.0
    assert bonus(call, ("community_office", call.community)) >= 1.0
    assert bonus(call, ("department", 0)) == 0.0
    assert bonus(other, ("street_office", 0)) == 0.0
    hot.params.appraisal_weight = 0.0
    assert bonus(call, ("street_office", 0)) == 0.0


def test_monthly_appraisal_ranks_streets_and_sets_pressure(tiny):
    model = finished(hotline_only(tiny, {"direct_dispatch": True}, days=90, territory__streets=3))
    frame = overlay(model, "hotline").appraisals_frame()
    assert list(frame["month"].unique()) == [1, 2, 3]
    for _, month in frame.groupby("month"):
        scored = month.dropna(subset=["score"]).sort_values("rank")
        assert list(scored["rank"]) == list(range(1, len(scored) + 1))
        assert scored["score"].is_monotonic_decreasing
        # with rank_weight > 0 the last-ranked street is under at least as much pressure as the first
        assert scored["pressure"].iloc[-1] >= scored["pressure"].iloc[0]
        assert ((month["pressure"] >= 0) & (month["pressure"] <= 1)).all()


PRESSURE = {"appraisal_weight": 1.0, "target_score": 1.0, "rank_weight": 0.0, "paper_close_rate": 1.0,
            "resolution_deadline_days": 3, "audit_delay_days": 2}


def test_pressure_breeds_closing_on_paper_and_audits_catch_it_at_their_rate(tiny):
    audit_rate = 0.3
    sc = hotline_only(tiny, {**PRESSURE, "audit_rate": audit_rate}, days=240,
                      territory__population=30000)
    model = finished(sc)
    hot = overlay(model, "hotline")
    assert len(hot.paper_closings) > 50
    end = model.days * HOURS_PER_DAY - PRESSURE["audit_delay_days"] * HOURS_PER_DAY
    on_paper = [c for c in hot.closings if c[2] and c[1] < end]
    caught = {cid for cid, _ in hot.caught}
    n_caught = sum(1 for cid, t, _, audited in on_paper if audited and cid in caught)
    assert binomtest(n_caught, len(on_paper), audit_rate).pvalue > 0.001
    # every catch is counted, reopened and handled again
    by_id = {c.id: c for c in model.cases}
    for cid, _ in hot.caught:
        assert "audit_reopen" in [h[3] for h in by_id[cid].handoffs]
    assert collect(model).metrics["audits_caught"] == len(hot.caught)


def test_without_appraisal_there_is_no_closing_on_paper_under_pressure(tiny):
    sc = hotline_only(tiny, {**PRESSURE, "appraisal_weight": 0.0}, days=120)
    hot = overlay(finished(sc), "hotline")
    assert hot.paper_closings == []


def test_no_audits_catch_nothing_and_reopen_nothing(tiny):
    model = finished(hotline_only(tiny, {**PRESSURE, "audit_rate": 0.0}, days=120))
    hot = overlay(model, "hotline")
    assert len(hot.paper_closings) > 0
    assert hot.caught == [] and hot.audited == 0
    assert all(c.status == CLOSED_ON_PAPER for c in model.cases
               if c.id in {cid for cid, _ in hot.paper_closings} and not c.eruption)


def test_reopen_only_touches_cases_closed_on_paper(tiny):
    model = GovernanceModel(scenario(tiny, days=30))
    model.run_model()
    resolved = next(c for c in model.cases if c.status == RESOLVED)
    assert model.lifecycle.reopen(resolved, ("street_office", 0)) is False
    paper = next((c for c in model.cases if c.status == CLOSED_ON_PAPER), None)
    if paper is not None:
        before = model.counters["closed_on_paper"]
        assert model.lifecycle.reopen(paper, ("street_office", 0), "audit_reopen") is True
        assert paper.status == "open" and model.counters["closed_on_paper"] == before - 1


# ----------------------------------------------------------------------- grid


def test_merge_networks_raises_detection_and_lowers_paperwork(tiny):
    merged = finished(scenario(dict(tiny), {"grid": {"merge_networks": True, "networks": 4}}))
    split = finished(scenario(tiny, {"grid": {"merge_networks": False, "networks": 4,
                                              "network_paperwork_h": 0.5}}))
    gw_m, gw_s = merged.scenario.roles.grid_worker, split.scenario.roles.grid_worker
    assert gw_s.detection_prob == pytest.approx(gw_m.detection_prob / 4)
    assert gw_s.latent_detection_prob == pytest.approx(gw_m.latent_detection_prob / 4)
    assert gw_s.paperwork_h == pytest.approx(gw_m.paperwork_h + 3 * 0.5)
    sm, ss = collect(merged).metrics, collect(split).metrics
    assert sm["share_found_by_patrol"] > ss["share_found_by_patrol"] + 0.04
    assert sm["paperwork_share_grid_worker"] < ss["paperwork_share_grid_worker"]


def test_households_per_worker_sets_coverage(tiny):
    wide = GovernanceModel(scenario(dict(tiny), {"grid": {"households_per_worker": 800}}, days=1))
    fine = GovernanceModel(scenario(tiny, {"grid": {"households_per_worker": 200}}, days=1))
    assert all(len(w.grids) <= 2 for w in wide.grid_workers)
    assert len(wide.grid_workers) < len(fine.grid_workers)
    assert fine.scenario.territory.households_per_grid == 200
    assert len(fine.territory.grids) == len(fine.grid_workers)


def test_report_quota_pads_with_trivial_reports_that_cost_community_time(tiny):
    quota, pad_h, review_h = 12, 0.25, 0.5
    none = finished(scenario(dict(tiny), {"grid": {"report_quota": 0}}))
    model = finished(scenario(tiny, {"grid": {"report_quota": quota, "padding_h": pad_h,
                                              "padding_review_h": review_h}}))
    grid = overlay(model, "grid")
    assert overlay(none, "grid").padded == 0
    assert grid.padded > 0
    # only workers short of the quota pad, and no more than the shortfall
    assert all(0 < n <= quota for _, _, n in grid.padding_log)
    s = collect(model).metrics
    assert s["cases_padded"] == grid.padded
    assert s["grid_reports_appraised"] == s["grid_reports_genuine"] + grid.padded
    # padded reports are not problems: they never enter the cases table
    assert len(model.cases) == len(collect(model).cases)
    # the last month's padding is filed as the run ends; the rest cost worker and office time
    done = sum(n for month, _, n in grid.padding_log if month < model.days // 30)
    workers = collect(model).workers
    assert done > 0
    assert workers["hours_padding"].sum() == pytest.approx(done * pad_h)
    office = workers[workers["role"] == "community_office"]
    assert office["hours_padding_review"].sum() == pytest.approx(done * review_h)
    assert "hours_padding_review" not in collect(none).workers.columns


# ----------------------------------------------------------------------- party building


def test_joint_meetings_cost_staff_time(tiny):
    m1 = finished(scenario(dict(tiny), {"party_building": {"joint_meetings_per_month": 2,
                                                           "meeting_hours": 2}}, days=90))
    m0 = finished(scenario(tiny, {"party_building": {"joint_meetings_per_month": 0}}, days=90))
    assert overlay(m1, "party_building").meetings == 6
    w1 = collect(m1).workers
    assert w1.loc[w1["role"] == "street_office", "hours_meeting"].sum() == pytest.approx(6 * 2)
    assert list(w1.loc[w1["role"] == "department", "hours_meeting"]) == pytest.approx([6 * 2] * 3)
    assert overlay(m0, "party_building").meetings == 0


def test_pairing_surfaces_hidden_hazards_and_raises_trust(tiny):
    def hidden_reported(model):
        return sum(1 for c in model.cases if c.latent and c.found_by == "resident")

    on = finished(scenario(dict(tiny), {"party_building": {
        "pairing_ratio": 3.0, "party_member_share": 0.2, "hidden_report_boost": 0.8,
        "contact_trust": 0.9}}, territory__population=30000))
    off = finished(scenario(tiny, {"party_building": {"pairing_ratio": 0.0, "contact_trust": None}},
                            territory__population=30000))
    assert on.population.paired.sum() > 0 and off.population.paired.sum() == 0
    assert hidden_reported(on) > 15 and hidden_reported(off) == 0
    paired = on.population.paired
    assert on.population.trust[paired].mean() > on.population.trust[~paired].mean() + 0.1


def test_volunteer_hours_scale_mediation_capacity(tiny):
    mediated = {}
    for hours in (0.0, 3.0):
        model = finished(scenario(dict(tiny), {"party_building": {
            "volunteer_hours_per_member_month": hours, "party_member_share": 0.1}}))
        branches = model.party_branches
        for b in branches:
            assert b.weekly_hours == pytest.approx(b.members * hours * 12 / 52)
        mediated[hours] = sum(b.mediated for b in branches)
    assert mediated[0.0] == 0 and mediated[3.0] > 10


# ----------------------------------------------------------------------- formalism


def test_formalism_raises_paperwork_share_and_slows_response(tiny):
    heavy = {"formalism": {"community_office": 4, "street_office": 4, "department": 4, "grid_worker": 3}}
    plain, formal = [], []
    for seed in (1, 2):
        plain.append(collect(finished(scenario(dict(tiny), {}, seed=seed))).metrics)
        formal.append(collect(finished(scenario(dict(tiny), heavy, seed=seed))).metrics)
    for role in ("department", "street_office", "grid_worker"):  # the street does little else: means
        key = f"paperwork_share_{role}"
        assert np.mean([f[key] for f in formal]) > np.mean([p[key] for p in plain])
    assert np.mean([f["response_time_mean_h"] for f in formal]) > np.mean([p["response_time_mean_h"] for p in plain]) + 3
    sc = load_scenario(scenario(tiny, heavy))
    assert GovernanceModel(sc).scenario.roles.department.paperwork_h == pytest.approx(
        sc.roles.department.paperwork_h + 4)


# ----------------------------------------------------------------------- extra staff


def _units(workers: pd.DataFrame) -> pd.DataFrame:
    return workers.set_index("unit")


def test_extra_staff_at_an_idle_unit_changes_nothing_else(tiny):
    base = collect(finished(scenario(dict(tiny), days=60)))
    more = collect(finished(scenario(tiny, {"extra_staff": {"district_center": 5}}, days=60)))
    pd.testing.assert_frame_equal(base.cases.drop(columns=["scenario_hash"]),
                                  more.cases.drop(columns=["scenario_hash"]))
    a, b = _units(base.workers), _units(more.workers)
    assert b.loc["district_center:0", "staff"] == a.loc["district_center:0", "staff"] + 5
    others = a.index != "district_center:0"
    cols = ["staff", "hours_available", "hours_worked", "hours_case_work", "hours_paperwork"]
    pd.testing.assert_frame_equal(a.loc[others, cols], b.loc[others, cols])


def test_extra_staff_add_capacity_only_where_added(tiny):
    base = finished(scenario(dict(tiny)))
    more = finished(scenario(tiny, {"extra_staff": {"departments": {"urban": 3}, "community_office": 2}}))
    a, b = _units(collect(base).workers), _units(collect(more).workers)
    urban = "department:0"
    assert b.loc[urban, "staff"] == a.loc[urban, "staff"] + 3
    assert b.loc[urban, "hours_available"] > a.loc[urban, "hours_available"]
    comm = [u for u in a.index if u.startswith("community_office")]
    assert (b.loc[comm, "staff"] == a.loc[comm, "staff"] + 2).all()
    untouched = [u for u in a.index if u != urban and u not in comm]
    pd.testing.assert_frame_equal(a.loc[untouched, ["staff", "hours_available", "hours_paperwork"]],
                                  b.loc[untouched, ["staff", "hours_available", "hours_paperwork"]])
    # no mechanism changes: the same arrangement, routing parameters and categories
    assert more.scenario.arrangement == base.scenario.arrangement
    assert more.scenario.categories == base.scenario.categories


def test_extra_grid_workers_patrol_too(tiny):
    model = GovernanceModel(scenario(tiny, {"extra_staff": {"grid_worker": 1}}, days=1))
    p = model.scenario.roles.grid_worker.detection_prob
    assert all(w.staff == 2 for w in model.grid_workers)
    assert all(w.detection_prob == pytest.approx(1 - (1 - p) ** 2) for w in model.grid_workers)
