"""Mechanisms of issue 16, part B, each rule on its own: Pinggu's mine guards (护矿队) and the
whistle's widening scope (seed 001)."""

from __future__ import annotations

import copy
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance_sim import GovernanceModel, ScenarioError, load_scenario
from governance_sim.overlays.mine_guards import beats, caught_probability, colludes
from tests.helpers import run_days


def mining_scenario(tiny: dict, arrangement: dict | None = None, days: int = 60, **guards) -> dict:
    """The tiny scenario with only latent illegal mining (no other problems) and the guard team."""
    sc = copy.deepcopy(tiny)
    for cat in sc["categories"].values():
        cat["rate"] = 0
    for dept in sc["territory"]["departments"]:
        dept["vertical_tasks_per_day"] = 0
    sc["categories"]["mining"] = {"rate": 40, "effort_h": 4, "departments": ["urban", "emergency"],
                                  "latent": True, "erupt_days": 400}
    # grid workers do not see mining here, so every find is the guards' (or a sweep's)
    sc.setdefault("roles", {})["grid_worker"] = {"latent_detection_prob": 0.0001}
    sc["arrangement"] = arrangement or {"name": "baseline"}
    sc["overlays"] = {"mine_guards": {"category": "mining", **guards}}
    sc["days"] = days
    return sc


def guards_of(model):
    return next(o for o in model.overlays if o.name == "mine_guards")


# ------------------------------------------------------------------ rules as functions


@given(st.integers(1, 200), st.integers(1, 200))
def test_beats_cover_every_grid_and_give_each_guard_one(n_grids, n_guards):
    split = beats(n_grids, n_guards)
    assert len(split) == n_guards
    assert all(split_beat for split_beat in split)
    assert {g for beat in split for g in beat} == set(range(n_grids))


@given(st.floats(0, 0.99), st.floats(0.01, 20), st.floats(0.01, 1))
def test_joint_enforcement_only_raises_the_chance_of_being_caught(audit, sweeps, sweep_find):
    alone = caught_probability(audit, False, sweeps, sweep_find)
    joint = caught_probability(audit, True, sweeps, sweep_find)
    assert alone == pytest.approx(audit)
    assert alone <= joint <= 1.0


def test_a_guard_colludes_only_when_the_bribe_beats_expected_cost_and_integrity():
    assert colludes(bribe=2.0, p_caught=0.05, penalty=24, integrity=0.5)  # 2 > 1.2 + 0.5
    assert not colludes(bribe=2.0, p_caught=0.05, penalty=24, integrity=1.0)  # 2 < 1.2 + 1.0
    assert not colludes(bribe=2.0, p_caught=0.9, penalty=24, integrity=0.0)


# ------------------------------------------------------------------ in a model


def test_when_collusion_pays_no_guard_reports_a_site_however_many_guards(tiny):
    for n in (2, 20):
        m = GovernanceModel(mining_scenario(tiny, guards=n, bribe=100, integrity_median=0.01))
        run_days(m, 60)
        s = guards_of(m).summary(m)
        assert s["guard_sightings"] > 0
        assert s["guard_collusions"] == s["guard_sightings"]
        mining = [c for c in m.cases if c.category == guards_of(m).category]
        assert all(c.found_by != "patrol" for c in mining)


def test_honest_guards_report_and_more_of_them_find_sites_sooner(tiny):
    days = {}
    for n in (2, 20):
        m = GovernanceModel(mining_scenario(tiny, guards=n, bribe=0.01))
        run_days(m, 60)
        s = guards_of(m).summary(m)
        assert s["guard_collusions"] == 0 and s["guard_sightings"] > 0
        days[n] = s["mining_days_mean"]
    assert days[20] < days[2]


def test_under_joint_enforcement_collusion_stops_paying_and_sweeps_find_sites(tiny):
    whistle = {"name": "whistle", "whistle_when": ["enforcement"]}
    alone = GovernanceModel(mining_scenario(tiny, guards=4))
    joint = GovernanceModel(mining_scenario(tiny, whistle, guards=4))
    case = next(c for c in joint.categories if c.name == "mining")
    probe = type("Probe", (), {"departments": case.departments, "latent": True, "severity": 1,
                               "community": 0, "category": case.index})()
    g_alone, g_joint = guards_of(alone), guards_of(joint)
    assert not g_alone.joint_enforcement(probe, alone)
    assert g_joint.joint_enforcement(probe, joint)
    assert g_joint.p_caught(probe, joint) > g_alone.p_caught(probe, alone)
    run_days(joint, 60)
    assert g_joint.summary(joint)["mining_found_by_sweep"] > 0


def test_a_guard_exposed_by_a_sweep_is_replaced(tiny):
    whistle = {"name": "whistle", "whistle_when": ["enforcement"]}
    # collusion pays even under joint enforcement: sweeps then expose the colluders
    m = GovernanceModel(mining_scenario(tiny, whistle, guards=4, bribe=100, integrity_median=0.01,
                                        sweep_every_days=5, sweep_find_prob=0.9))
    before = list(guards_of(m).guards)
    run_days(m, 60)
    g = guards_of(m)
    assert g.counts["caught"] > 0
    assert sum(a is not b for a, b in zip(before, g.guards, strict=True)) > 0
    assert len(g.guards) == 4


def test_the_guards_category_must_exist(tiny):
    sc = mining_scenario(tiny)
    sc["overlays"]["mine_guards"]["category"] = "gold"
    with pytest.raises(ScenarioError) as err:
        GovernanceModel(sc)
    assert err.value.field == "overlays.mine_guards.category"
    assert "mining" in err.value.message


def test_mine_guards_are_deterministic(tiny):
    runs = []
    for _ in range(2):
        m = GovernanceModel(mining_scenario(tiny, guards=6))
        run_days(m, 30)
        runs.append(guards_of(m).summary(m))
    assert runs[0] == runs[1] or all(
        (math.isnan(a) and math.isnan(b)) or a == b for a, b in zip(runs[0].values(), runs[1].values(), strict=True))


# ------------------------------------------------------------------ the whistle's widening scope


def test_the_whistle_adds_rules_from_each_stage_day(tiny):
    sc = copy.deepcopy(tiny)
    sc["arrangement"] = {"name": "whistle", "whistle_when": ["enforcement"],
                         "whistle_stages": [{"day": 10, "add": ["cross_department", "latent"]},
                                            {"day": 20, "add": ["any_department"]}]}
    m = GovernanceModel(sc)
    arr = m.arrangement
    assert arr.rules_on(0) == ["enforcement"]
    assert arr.rules_on(10) == ["enforcement", "cross_department", "latent"]
    assert "any_department" in arr.rules_on(25)
    one_dept = type("Case", (), {"departments": (1,), "latent": False, "severity": 1})()  # housing: enforcement
    m.departments[1].enforcement = False
    m.day = 5
    assert not arr.should_whistle(one_dept, m)
    m.day = 20
    assert arr.should_whistle(one_dept, m)


def test_a_whistle_stage_with_an_unknown_rule_names_the_field(tiny):
    sc = copy.deepcopy(tiny)
    sc["arrangement"] = {"name": "whistle", "whistle_stages": [{"day": 1, "add": ["development"]}]}
    with pytest.raises(ScenarioError) as err:
        load_scenario(sc)
    assert "whistle_stages" in err.value.field
    assert "any_department" in err.value.message


# ------------------------------------------------------------------ 片区 from their figures (seed 004)


def zoned(tiny: dict, **arrangement) -> dict:
    """Two unequal former streets made two 片区 under 市管社区、分片服务."""
    sc = copy.deepcopy(tiny)
    sc["territory"]["streets"] = [{"name": "甲", "communities": 2, "population": 2000},
                                  {"name": "乙", "communities": 4, "population": 6000}]
    sc["territory"]["departments"][0]["staff"] = 12
    sc["arrangement"] = {"name": "direct_district", "zones": 2, "zone_layout": "streets",
                         "front_line_share": 0.5, **arrangement}
    return sc


def test_zones_follow_former_streets_and_staff_follow_people(tiny):
    m = GovernanceModel(zoned(tiny))
    zones = m.territory.zones
    assert [len(z) for z in zones] == [2, 4]
    small, large = m.arrangement.platforms
    assert large.staff > small.staff >= 1
    equal = GovernanceModel(zoned(tiny, zone_layout="equal"))
    assert [len(z) for z in equal.territory.zones] == [3, 3]


def test_a_grave_case_leaves_the_zone_for_the_city(tiny):
    from tests.helpers import inject
    m = GovernanceModel(zoned(tiny, zone_max_severity=2))
    mild = inject(m, "construction", t=10.0, severity=1)
    grave = inject(m, "construction", t=10.0, severity=3)
    run_days(m, 20)
    assert any(dst.startswith("zone_platform") for _, dst, _, _ in mild.handoffs)
    assert not any(dst.startswith("zone_platform") for _, dst, _, _ in grave.handoffs)
    s = m.arrangement.summary(m)
    assert 0.0 <= s["share_settled_in_zone"] <= 1.0


def test_busy_departments_recall_idle_cadres_down_to_the_floor(tiny):
    sc = zoned(tiny, recall_backlog_ratio=0.01, recall_floor_share=0.5)
    for dept in sc["territory"]["departments"]:
        dept["vertical_tasks_per_day"] = 40  # the departments drown in line work
    m = GovernanceModel(sc)
    arr = m.arrangement
    before = {d.index: d.staff for d in m.departments}
    plat_before = sum(p.staff for p in arr.platforms)
    run_days(m, 90)
    recalled = arr.summary(m)["seconded_recalled"]
    assert recalled > 0
    assert sum(d.staff for d in m.departments) - sum(before.values()) == recalled
    assert plat_before - sum(p.staff for p in arr.platforms) == recalled
    for dept, lent in arr.initial_lent.items():
        still = sum(arr.lent[p.index].get(dept, 0) for p in arr.platforms)
        assert still >= math.floor(0.5 * lent)


def test_no_recall_when_the_ratio_is_zero(tiny):
    sc = zoned(tiny)
    for dept in sc["territory"]["departments"]:
        dept["vertical_tasks_per_day"] = 40
    m = GovernanceModel(sc)
    run_days(m, 60)
    assert m.arrangement.summary(m)["seconded_recalled"] == 0


def test_longgang_and_tongguanshan_are_built_from_the_sources_figures():
    from tests.conftest import SCENARIOS
    lg = GovernanceModel(SCENARIOS / "longgang.yaml", variant="direct_district_zones", days=1)
    zones = lg.territory.zones
    sizes = [len(z) for z in zones]
    people = [sum(lg.territory.communities[c].population for c in z) for z in zones]
    assert len(zones) == 9 and min(sizes) == 7 and max(sizes) == 21
    assert min(people) >= 20_000 and max(people) <= 130_000
    tg = GovernanceModel(SCENARIOS / "tongguanshan.yaml", days=1)
    assert len(tg.territory.communities) == 49
    tg_dd = GovernanceModel(SCENARIOS / "tongguanshan.yaml", variant="direct_district", days=1)
    assert len(tg_dd.territory.communities) == 18


# ------------------------------------------------------------------ the dispute ladder (seed 003)

from governance_sim.overlays.dispute_ladder import petitions, settles  # noqa: E402


def ladder(tiny: dict, days: int = 60, **params) -> GovernanceModel:
    """The tiny scenario with only disputes arising, on the ladder."""
    sc = copy.deepcopy(tiny)
    for name, cat in sc["categories"].items():
        cat["rate"] = 200 if name == "dispute" else 0
    for dept in sc["territory"]["departments"]:
        dept["vertical_tasks_per_day"] = 0
    sc["overlays"] = {"dispute_ladder": params}
    sc["days"] = days
    sc.setdefault("roles", {})["resident"] = {"p_petition": 0.0, "p_repeat": 0.0}
    return GovernanceModel(sc)


def ladder_of(model):
    return next(o for o in model.overlays if o.name == "dispute_ladder")


@given(st.floats(0.01, 10), st.floats(0.01, 10), st.floats(0, 1))
def test_a_stronger_mediator_settles_whatever_a_weaker_one_does(gap, strength, u):
    if settles(gap, strength, u):
        assert settles(gap, strength * 2, u)
    if settles(gap * 2, strength, u):
        assert settles(gap, strength, u)


def test_a_party_petitions_only_when_the_petition_pays_more_than_court():
    assert petitions(1.5, 1.0) and not petitions(1.5, 2.0)


def test_every_dispute_starts_at_people_mediation_and_climbs_only_when_unsettled(tiny):
    m = ladder(tiny)
    run_days(m, 60)
    o = ladder_of(m)
    states = list(o.disputes.values())
    assert states
    for s in states:
        if s["settled_at"] == "people":
            assert s["rung"] == "people"
        if s["rung"] in ("admin", "court", "district", "city"):
            assert s["settled_at"] != "people"
    s = o.summary(m)
    assert s["dispute_share_settled_people"] > 0
    assert s["petitions_city"] <= s["petitions_district"]


def test_stronger_village_mediation_sends_fewer_petitions_up(tiny):
    weak = ladder(tiny, people_strength=0.3)
    strong = ladder(tiny, people_strength=10.0)
    run_days(weak, 60)
    run_days(strong, 60)
    w, s = ladder_of(weak).summary(weak), ladder_of(strong).summary(strong)
    assert s["dispute_share_settled_people"] > w["dispute_share_settled_people"]
    assert s["petitions_district"] < w["petitions_district"]
    assert s["weiwen_hours"] < w["weiwen_hours"]


def test_without_a_petition_pull_unsettled_disputes_go_to_court(tiny):
    m = ladder(tiny, people_strength=0.1, admin_strength=0.1, petition_pull=0.0001, court_days=5)
    run_days(m, 60)
    o = ladder_of(m)
    climbed = [cid for cid, st_ in o.disputes.items() if st_["rung"] in ("district", "city")]
    assert all(m.cases[cid].channel == "petition" for cid in climbed)  # only petitions filed as such
    assert o.summary(m)["dispute_share_settled_court"] > 0


def test_a_one_stop_centre_settles_sooner(tiny):
    apart = ladder(tiny, people_strength=0.3, rung_delay_days=5)
    together = ladder(tiny, people_strength=0.3, rung_delay_days=5, one_stop=True)
    run_days(apart, 60)
    run_days(together, 60)
    assert (ladder_of(together).summary(together)["dispute_settle_days_mean"]
            < ladder_of(apart).summary(apart)["dispute_settle_days_mean"])


# ------------------------------------------------------------------ 三治融合 (seed 002)


def three(tiny: dict, trust0: float = 0.5, ladder_on: bool = False, **params) -> GovernanceModel:
    sc = copy.deepcopy(tiny)
    sc["categories"]["service"] = {"rate": 0, "effort_h": 1, "departments": [], "street_authority": True,
                                   "patrol_visible": False}
    sc["overlays"] = {"three_governance": params}
    if ladder_on:
        sc["overlays"]["dispute_ladder"] = {}
    sc.setdefault("roles", {})["resident"] = {"trust0": trust0, "trust_sd": 0.0}
    return GovernanceModel(sc)


def three_of(model):
    return next(o for o in model.overlays if o.name == "three_governance")


def test_trusting_households_join_the_compact_and_have_fewer_disputes(tiny):
    low, high = three(tiny, trust0=0.1), three(tiny, trust0=0.9)
    run_days(low, 65)
    run_days(high, 65)
    tl, th = three_of(low), three_of(high)
    assert th.bound.mean() > tl.bound.mean()
    assert th.dispute_factor() < tl.dispute_factor() <= 1.0
    dispute = next(c for c in high.categories if c.name == "dispute")
    assert dispute.rate_per_person_day == pytest.approx(th.base_rates[dispute.index] * th.dispute_factor())


def test_each_part_acts_only_through_its_own_parameters(tiny):
    off = three(tiny, compact_effect=0.0, moral_effect=0.0)
    run_days(off, 65)
    assert three_of(off).dispute_factor() == 1.0
    moral_only = three(tiny, compact_effect=0.0, moral_effect=0.5, moral_evaluated_share=1.0)
    run_days(moral_only, 35)
    assert three_of(moral_only).dispute_factor() == pytest.approx(0.5)


def test_the_legal_adviser_strengthens_mediation_and_cools_petitions(tiny):
    with_ladder = three(tiny, ladder_on=True, adviser_strength=0.5, adviser_petition_cut=0.3)
    ladder_params = ladder_of(with_ladder).params
    assert ladder_params.people_strength == pytest.approx(1.5)
    assert ladder_params.petition_pull == pytest.approx(1.5 * 0.7)
    alone = three(tiny, adviser_petition_cut=0.3)
    plain = three(tiny, legal_adviser=False)
    assert alone.resident_spec.p_petition == pytest.approx(plain.resident_spec.p_petition * 0.7)


def test_the_grid_worker_carries_a_service_matter_straight_to_the_street(tiny):
    from tests.helpers import inject
    m = three(tiny)
    case = inject(m, "service", t=10.0, channel="community")
    run_days(m, 5)
    reasons = [reason for _, _, _, reason in case.handoffs]
    assert "proxy" in reasons and "escalate" not in reasons
    assert three_of(m).proxied == 1
    plain = three(tiny, grid_proxy=False)
    case = inject(plain, "service", t=10.0, channel="community")
    run_days(plain, 5)
    assert "proxy" not in [reason for _, _, _, reason in case.handoffs]


def test_micro_grid_members_raise_what_a_grid_patrol_notices(tiny):
    plain = GovernanceModel(zoned(tiny))
    micro = GovernanceModel(zoned(tiny, micro_grids_per_grid=8, micro_detection_prob=0.05))
    for a, b in zip(plain.grid_workers, micro.grid_workers, strict=True):
        assert b.detection_prob == pytest.approx(1 - (1 - a.detection_prob) * 0.95 ** 8)
        assert b.latent_detection_prob > a.latent_detection_prob


# ------------------------------------------------------------------ command centre (seed 003)

from governance_sim.overlays.command_centre import red_grids  # noqa: E402


def centre(tiny: dict, arrangement: dict | None = None, **params) -> GovernanceModel:
    sc = copy.deepcopy(tiny)
    for cat in sc["categories"].values():
        cat["rate"] = 0
    for dept in sc["territory"]["departments"]:
        dept["vertical_tasks_per_day"] = 0
    sc["overlays"] = {"command_centre": params}
    if arrangement:
        sc["arrangement"] = arrangement
    return GovernanceModel(sc)


@given(st.lists(st.floats(0, 10), min_size=1, max_size=50), st.floats(0, 1))
def test_red_grids_are_the_worst_share(values, share):
    import numpy as np
    v = np.asarray(values)
    red = red_grids(v, share)
    assert len(red) == int(round(share * len(v)))
    if len(red) and len(red) < len(v):
        others = np.setdiff1d(np.arange(len(v)), red)
        assert v[red].min() >= v[others].max()


def test_graded_command_takes_up_grave_cases_and_leaves_mild_ones(tiny):
    from tests.helpers import inject
    m = centre(tiny, command_min_severity=2)
    mild = inject(m, "construction", t=10.0, severity=1)
    grave = inject(m, "construction", t=10.0, severity=2)
    run_days(m, 10)
    assert "command" in [r for *_, r in grave.handoffs]
    assert "command" not in [r for *_, r in mild.handoffs]


def test_a_commanded_case_still_open_is_supervised_once(tiny):
    from tests.helpers import inject
    m = centre(tiny, track_days=0.5)
    for dept in m.departments:  # departments that never get to it
        dept.workforce.add_staff(-dept.staff)
    case = inject(m, "construction", t=10.0, severity=3)
    run_days(m, 5)
    o = next(o for o in m.overlays if o.name == "command_centre")
    assert case.id in o.supervised
    assert o.summary(m)["command_supervisions"] == 1


def test_the_whistle_keeps_its_own_cases(tiny):
    from tests.helpers import inject
    m = centre(tiny, {"name": "whistle"})
    case = inject(m, "construction", t=10.0, severity=3)  # cross-department: whistled
    run_days(m, 5)
    assert case.whistled and "command" not in [r for *_, r in case.handoffs]


# ------------------------------------------------------------------ command centres at full depth (seed 003)

from governance_sim.overlays.command_centre import CITY, grid_colours  # noqa: E402


def reasons(case) -> list[str]:
    return [r for *_, r in case.handoffs]


@given(st.lists(st.floats(0, 10), min_size=1, max_size=60), st.floats(0, 0.4), st.floats(0, 0.3),
       st.floats(0, 0.3))
def test_four_colours_rank_grids_from_red_to_green(values, red, yellow, blue):
    import numpy as np
    v = np.asarray(values)
    colours = grid_colours(v, (red, yellow, blue))
    n = len(v)
    assert (colours == 0).sum() == min(int(round(red * n)), n)
    for worse in range(3):  # every grid of a colour has at least as many open cases as any greener one
        a, b = v[colours == worse], v[colours > worse]
        if len(a) and len(b):
            assert a.min() >= b.max()


def test_the_township_commands_what_is_stationed_with_it_and_passes_up_the_rest(tiny):
    from tests.helpers import inject
    m = centre(tiny, township_centre=True, township_stationed=["urban"], command_min_severity=2)
    stationed = inject(m, "parking", t=10.0, severity=1)
    not_stationed = inject(m, "construction", t=10.0, severity=1)
    run_days(m, 10)
    assert "command_township" in reasons(stationed)
    assert "command" in reasons(not_stationed) and "command_township" not in reasons(not_stationed)
    assert m.overlays[0].summary(m)["commanded_township"] == 1


def test_without_the_township_level_mild_cases_follow_the_arrangement(tiny):
    from tests.helpers import inject
    m = centre(tiny, city_centre=True, command_min_severity=2)
    mild = inject(m, "parking", t=10.0, severity=1)
    run_days(m, 10)
    assert not any(r.startswith("command") for r in reasons(mild))


def test_the_city_commands_grave_cases_and_departments_queue_them_as_line_work(tiny):
    from tests.helpers import inject
    m = centre(tiny, city_centre=True, city_min_severity=3)
    grave = inject(m, "construction", t=10.0, severity=3)
    district = inject(m, "construction", t=10.0, severity=2)
    run_days(m, 10)
    o = m.overlays[0]
    assert "command_city" in reasons(grave) and "command" in reasons(district)
    dept = m.departments[0]
    gap = dept.vertical_priority - dept.local_priority - dept.street_weight[0]
    assert o.priority_bonus(grave, ("department", 0), m) == pytest.approx(max(0.0, gap))
    assert o.priority_bonus(district, ("department", 0), m) == 0.0
    half = centre(tiny, city_centre=True, city_line_weight=0.5)
    half.overlays[0].level[grave.id] = CITY
    assert half.overlays[0].priority_bonus(grave, ("department", 0), half) == pytest.approx(0.5 * max(0.0, gap))


def test_an_overdue_case_climbs_the_levels_and_the_city_marks_the_line(tiny):
    from tests.helpers import inject
    m = centre(tiny, township_centre=True, township_stationed=["urban"], city_centre=True, track_days=0.5)
    for dept in m.departments:  # departments that never get to it
        dept.workforce.add_staff(-dept.staff)
    case = inject(m, "parking", t=10.0, severity=1)
    run_days(m, 6)
    o = m.overlays[0]
    assert o.level[case.id] == CITY and o.escalated == 2 and case.id in o.supervised
    card = m.departments[0].scorecard
    assert card.shortfall("supervision", ("local", 0)) == 1.0  # the district's 督办 on the way up
    assert card.shortfall("line_ministry", ("local", 0)) == 1.0  # and the city's
    assert o.summary(m)["command_escalations"] == 2


def test_coloured_grids_get_their_colours_attention(tiny):
    from tests.helpers import inject
    m = centre(tiny, red_share=0.25, yellow_share=0.25, blue_share=0.25, red_patrol_factor=3,
               yellow_patrol_factor=2, blue_patrol_factor=1.5)
    for k in range(4):  # one open case in each of four grids, more in the worse ones
        for _ in range(4 - k):
            inject(m, "construction", t=10.0, household=int(m.grid_first_household[k]))
    run_days(m, 30)
    o = m.overlays[0]
    s = o.summary(m)
    n = len(m.territory.grids)
    assert s["red_grids"] + s["yellow_grids"] + s["blue_grids"] + s["green_grids"] == n
    factors = {0: 3, 1: 2, 2: 1.5, 3: 1.0}
    for worker, (p, _) in zip(m.grid_workers, o.base_detection, strict=True):
        colour = int(o.colours[worker.grids].min())
        assert worker.detection_prob == pytest.approx(1 - (1 - p) ** factors[colour])


def test_colour_shares_above_one_are_refused(tiny):
    sc = copy.deepcopy(tiny)
    sc["overlays"] = {"command_centre": {"red_share": 0.5, "yellow_share": 0.4, "blue_share": 0.3}}
    with pytest.raises(ScenarioError) as err:
        load_scenario(sc)
    assert "command_centre" in err.value.field


def test_a_stationed_department_must_exist(tiny):
    sc = copy.deepcopy(tiny)
    sc["overlays"] = {"command_centre": {"township_stationed": ["police"]}}
    with pytest.raises(ScenarioError) as err:
        load_scenario(sc)
    assert err.value.field == "overlays.command_centre.township_stationed"
    assert "urban" in err.value.message


def test_ten_household_unit_chiefs_raise_what_a_grid_patrol_notices(tiny):
    plain = centre(tiny)
    units = centre(tiny, ten_household_units=True, unit_detection_prob=0.1, unit_latent_detection_prob=0.02)
    for a, b in zip(plain.grid_workers, units.grid_workers, strict=True):
        assert b.detection_prob == pytest.approx(1 - (1 - a.detection_prob) * 0.9)
        assert b.latent_detection_prob == pytest.approx(1 - (1 - a.latent_detection_prob) * 0.98)
    assert units.overlays[0].summary(units)["unit_chiefs"] == sum(-(-g.households // 10)
                                                                  for g in units.territory.grids)


def test_a_full_command_centre_is_deterministic(tiny):
    sc = copy.deepcopy(tiny)
    sc["overlays"] = {"command_centre": {"township_centre": True, "township_stationed": ["urban"],
                                         "city_centre": True, "yellow_share": 0.2, "blue_share": 0.2,
                                         "ten_household_units": True}}
    a, b = GovernanceModel(sc, days=40), GovernanceModel(sc, days=40)
    a.run_model()
    b.run_model()
    assert a.overlays[0].summary(a) == b.overlays[0].summary(b)
    assert [c.status for c in a.cases] == [c.status for c in b.cases]


# ------------------------------------------------------------------ Longgang's four-level relay (seed 004)


def test_large_grids_split_each_zone_and_take_their_cadres_from_its_platform(tiny):
    flat = GovernanceModel(zoned(tiny))
    m = GovernanceModel(zoned(tiny, large_grids=4, large_grid_share=0.5))
    arr = m.arrangement
    teams = arr.large_teams
    assert len(teams) == 4 and {t.zone for t in teams} == {0, 1}
    assert sorted(g for t in teams for g in t.grids) == list(range(len(m.territory.grids)))
    for t in teams:  # a large grid lies inside one 片区
        zone_grids = {g for c in m.territory.zones[t.zone] for g in m.territory.communities[c].grids}
        assert set(t.grids) <= zone_grids
        assert t.departments <= arr.platforms[t.zone].departments
    assert (sum(p.staff for p in arr.platforms) + sum(t.staff for t in teams)
            == sum(p.staff for p in flat.arrangement.platforms))


def test_a_large_grid_settles_minor_cases_and_relays_the_rest_up(tiny):
    from tests.helpers import inject
    m = GovernanceModel(zoned(tiny, large_grids=2, large_grid_share=0.5, large_grid_max_severity=1))
    for team in m.arrangement.large_teams:
        team.departments = {0, 1}  # both departments have a cadre in each team
    mild = inject(m, "construction", t=10.0, severity=1)
    graver = inject(m, "construction", t=10.0, severity=2)
    run_days(m, 20)
    assert "large_grid" in reasons(mild) and mild.level == "large_grid"
    assert "large_grid" in reasons(graver) and "relay_up" in reasons(graver)
    assert graver.level != "large_grid"
    s = m.arrangement.summary(m)
    assert 0.0 < s["share_settled_at_large_grid"] <= s["share_settled_in_zone"] <= 1.0


def test_longgang_four_level_variant_has_the_sources_large_grids():
    from tests.conftest import SCENARIOS
    lg = GovernanceModel(SCENARIOS / "longgang.yaml", variant="direct_district_four_level", days=1)
    assert len(lg.arrangement.large_teams) == 103


def test_parameters_added_later_count_in_the_scenario_hash_only_when_set(tiny):
    sc = copy.deepcopy(tiny)
    sc["overlays"] = {"command_centre": {}}
    plain = load_scenario(sc).scenario_hash
    sc["overlays"]["command_centre"] = {"city_centre": False, "yellow_share": 0.0}  # the defaults, written out
    assert load_scenario(sc).scenario_hash == plain
    sc["overlays"]["command_centre"] = {"city_centre": True}
    assert load_scenario(sc).scenario_hash != plain
    zones = zoned(tiny)
    assert load_scenario(zones).scenario_hash == load_scenario(zoned(tiny, large_grids=0)).scenario_hash
    assert load_scenario(zones).scenario_hash != load_scenario(zoned(tiny, large_grids=2)).scenario_hash
