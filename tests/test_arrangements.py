"""Reform variants, each mechanism in isolation: 吹哨报到, 街巷长, 下沉, 区直管社区, 片区."""

from __future__ import annotations

import copy

import pytest
from helpers import inject, quiet_model, run_days

from governance_sim import GovernanceModel, load_scenario, run
from governance_sim.arrangements.direct_district import merge_communities
from governance_sim.territory import build_territory

WHISTLE = {"arrangement.name": "whistle"}


def test_whistle_summons_every_required_department_at_once(tiny):
    m = quiet_model(tiny, **WHISTLE, **{"arrangement.p_buckpass": 0.0})
    case = inject(m, "construction", channel="street")
    run_days(m, 10)
    summons = [h for h in case.handoffs if h[3] == "whistle"]
    assert {h[1] for h in summons} == {"department:0", "department:1"}
    assert len({h[2] for h in summons}) == 1            # the same instant
    assert case.whistled and all(case.arrived_at(d, None) is not None for d in (0, 1))
    assert "street_office:0" not in [h[1] for h in case.handoffs]  # no trip back between departments
    assert case.status == "resolved"


def test_the_hotline_rule_whistles_for_a_residents_order_that_needs_one_department(tiny):
    """接诉即办 as the whistle's extension: a 12345 order is a whistle; other reports are not."""
    over = {**WHISTLE, "arrangement.p_buckpass": 0.0, "arrangement.whistle_when": ["hotline"]}
    m = quiet_model(tiny, **over)
    by_phone, in_person = inject(m, "parking", reported=False), inject(m, "parking", reported=False)
    by_phone.channel, in_person.channel = "hotline", "street"
    assert len(by_phone.departments) == 1
    assert m.arrangement.should_whistle(by_phone, m) and not m.arrangement.should_whistle(in_person, m)
    plain = quiet_model(tiny, **WHISTLE, **{"arrangement.p_buckpass": 0.0})
    assert not plain.arrangement.should_whistle(by_phone, plain)


def test_joint_action_is_faster_than_one_department_after_another(tiny):
    base = quiet_model(tiny, **{"arrangement.p_buckpass": 0.0, "roles.department.p_fix": 1.0})
    joint = quiet_model(tiny, **WHISTLE, **{"arrangement.p_buckpass": 0.0, "roles.department.p_fix": 1.0})
    a, b = inject(base, "construction", channel="street"), inject(joint, "construction", channel="street")
    run_days(base, 30)
    run_days(joint, 30)
    assert b.t_resolved - b.t_reported < a.t_resolved - a.t_reported


def test_departments_stay_until_fixed_under_the_whistle(tiny):
    tiny["categories"]["construction"]["rate"] = 60
    over = {"roles.department.p_fix": 0.5, "arrangement.p_buckpass": 0.0}
    seq = run(tiny, overrides=over).cases
    joint = run(tiny, overrides={**WHISTLE, **over}).cases
    multi_seq = seq[seq["n_departments"] >= 2]
    multi_joint = joint[joint["whistled"]]
    assert (multi_seq["status"] == "closed_on_paper").sum() > 0
    assert (multi_joint["status"] == "closed_on_paper").sum() == 0   # 事不绝、人不撤


def test_reverse_assessment_raises_department_priority_for_the_street(tiny):
    # departments busy with line work: whistled cases wait, ratings fall short
    busy = {**WHISTLE, "territory.departments.urban.vertical_tasks_per_day": 10,
            "territory.departments.housing.vertical_tasks_per_day": 10,
            "roles.department.supervision_weight": 0.0}  # only the street's ratings move priorities
    weights = {}
    for w in (0.0, 1.0):
        m = GovernanceModel(tiny, days=120, overrides={**busy, "arrangement.reverse_assessment_weight": w})
        m.run_model()
        weights[w] = [d.street_weight[0] for d in m.departments]
        probe = m.cases[0]
        probe.priority_boost = 0.0
        assert m.departments[0].priority_for(probe) == pytest.approx(0.4 + weights[w][0])
    assert weights[0.0] == [0.0, 0.0, 0.0]
    assert max(weights[1.0]) > 0.0
    assert len(m.departments[0].ratings) > 0


def test_street_chiefs_fix_micro_enforceable_problems_on_patrol(tiny):
    over = {**WHISTLE, "roles.street_chief.per_street": 2, "roles.street_chief.detection_prob": 0.9,
            "roles.grid_worker.detection_prob": 0.0}
    cases = run(tiny, overrides=over).cases
    by_chief = cases[cases["channel"] == "street_chief"]
    assert len(by_chief) > 0
    parking = by_chief[by_chief["category"] == "parking"]
    assert (parking["level"] == "street_chief").all() and len(parking) > 0
    # without the whistle arrangement chiefs have no 小微执法 power
    base = run(tiny, overrides={**over, "arrangement.name": "baseline"}).cases
    assert (base["level"] == "street_chief").sum() == 0


def test_staff_sent_down_act_only_within_their_powers(tiny):
    tiny["territory"]["departments"][1]["enforcement"] = False  # housing
    m = GovernanceModel(tiny, overrides={"arrangement.seconded_share": 0.67})
    pools = {k: u for k, u in m.units.items() if k[0] == "seconded_staff"}
    assert {k[1] for k in pools} == {0, 1, 2}
    assert m.departments[1].staff == 1 and pools[("seconded_staff", 1)].staff == 2
    arr = m.arrangement
    assert arr.acting_unit(None, 1, m) is pools[("seconded_staff", 1)]   # housing: no enforcement needed
    assert arr.acting_unit(None, 0, m) is m.departments[0]               # urban: enforcement stays home
    m2 = GovernanceModel(tiny, overrides={"arrangement.seconded_share": 0.67,
                                          "arrangement.seconded_enforcement": True})
    assert m2.arrangement.acting_unit(None, 0, m2).role == "seconded_staff"


# ------------------------------------------------------------------ 区直管社区

def _district(tiny, streets=2, per_street=6):
    tiny = copy.deepcopy(tiny)
    tiny["territory"].update(streets=streets, communities_per_street=per_street)
    tiny["roles"] = {"street_office": {"staff": 20, "admin_load_h": 2.0}}
    return tiny


def test_merging_yields_the_target_number_of_contiguous_communities(tiny):
    t = build_territory(load_scenario(_district(tiny, 3, 7)))
    groups = merge_communities(t, 8)
    assert len(groups) == 8
    assert sorted(i for g in groups for i in g) == list(range(21))
    assert all(t.is_contiguous(g) for g in groups)


def test_direct_district_removes_the_street_hop(tiny):
    d = _district(tiny)
    m = GovernanceModel(d, overrides={"arrangement.name": "direct_district",
                                      "arrangement.target_communities": 4})
    assert not m.has_street_layer and m.street_offices == []
    assert len(m.community_offices) == 4
    assert all(m.territory.is_contiguous([i]) for i in range(4))
    m.run_model()
    paths = [h[1] for c in m.cases for h in c.handoffs]
    assert not any(p.startswith("street_office") for p in paths)
    base = run(d).summary.iloc[0]
    direct = run(d, overrides={"arrangement.name": "direct_district",
                               "arrangement.target_communities": 4}).summary.iloc[0]
    assert direct["handoffs_per_case"] < base["handoffs_per_case"]


def test_district_office_coordinates_every_referral(tiny):
    d = _district(tiny)
    m = GovernanceModel(d, overrides={"arrangement.name": "direct_district",
                                      "arrangement.coordination_effort_h": 1.0})
    m.run_model()
    referrals = sum(1 for c in m.cases for h in c.handoffs if h[3] == "referral")
    hours = m.district_center.workforce.hours.get("coordination", 0.0)
    assert referrals > 0 and hours == pytest.approx(referrals * 1.0, rel=0.1)


def test_inherited_admin_load_lands_on_the_large_communities(tiny):
    d = _district(tiny)
    over = {"arrangement.name": "direct_district", "arrangement.target_communities": 4}
    plain = GovernanceModel(d, overrides=over)
    heavy = GovernanceModel(d, overrides={**over, "arrangement.inherit_admin_load": True})
    street_admin_h = 2 * 20 * 2.0          # two streets × 20 staff × 2 h a day
    extra = [h.community_offices[i].routine_h.get("admin", 0) * h.community_offices[i].staff
             - p.community_offices[i].routine_h.get("admin", 0) * p.community_offices[i].staff
             for i, (h, p) in enumerate(zip([heavy] * 4, [plain] * 4, strict=True))]
    assert sum(extra) == pytest.approx(street_admin_h)


def test_zone_platforms_take_seconded_staff_and_act_without_referral(tiny):
    d = _district(tiny)
    m = GovernanceModel(d, overrides={"arrangement.name": "direct_district", "arrangement.zones": 2,
                                      "arrangement.front_line_share": 0.34})
    platforms = [u for k, u in m.units.items() if k[0] == "zone_platform"]
    assert len(platforms) == 2
    assert [dep.staff for dep in m.departments] == [2, 2, 2]
    m.run_model()
    handled = [c for c in m.cases if c.level == "zone_platform"]
    zoned = [c for c in handled if c.handoffs and c.handoffs[0][3] == "zone_dispatch"]
    assert zoned and all(all(h[3] != "referral" for h in c.handoffs) for c in zoned)
    assert all(set(c.departments) <= {0, 1} for c in zoned)  # emergency sent nobody to the zones
    assert any(p.ratings for p in platforms)


def test_the_street_rates_lateness_from_when_the_department_received_the_case(tiny):
    m = quiet_model(tiny, **WHISTLE, **{"arrangement.whistle_when": ["severity"],
                                         "arrangement.p_buckpass": 0.0})
    case = inject(m, "parking", channel="street")   # severity 1: referred, not whistled
    run_days(m, 10)
    assert not case.whistled and case.received_at(0, None) is not None
    assert case.received_at(0, None) - case.handoffs[0][2] >= 2 * 8 - 1e-9   # the referral's own delay
    assert m.arrangement.rate_action(case, 0) == 1.0   # arrived at once on receipt: full marks
