"""片线结合 (zone_line) against the 三定 fixed offices (fixed_offices): each mechanism on its own.

A small township (30 cadres, 6 villages in 2 片区) keeps every run well under a second.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from governance_sim import GovernanceModel, ScenarioError, load_scenario, run
from governance_sim.agents.township_staff import Cadre
from governance_sim.arrangements.staff_matching import (
    draw_cadres,
    mean_efficiency,
    random_assignment,
    two_way_selection,
)
from governance_sim.arrangements.township import TOWNSHIP_ROLES

XI_TOWN = Path(__file__).resolve().parent.parent / "scenarios" / "xi_town.yaml"
SHOCK = "campaign"

TOWNSHIP = {
    "name": "small_township",
    "days": 90,
    "seed": 3,
    "territory": {
        "streets": [{"name": "镇", "communities": 6}],
        "population": 6000,
        "household_size": 2.8,
        "households_per_grid": 200,
        "zones_per_street": 2,
        "departments": [{"name": "land", "staff": 2, "vertical_tasks_per_day": 0.2}],
    },
    "categories": {
        "sanitation": {"rate": 60, "effort_h": 3, "task_type": "area", "office": "agri"},
        "welfare": {"rate": 60, "effort_h": 2, "task_type": "office", "office": "social",
                    "patrol_visible": False},
        "projects": {"rate": 30, "effort_h": 5, "task_type": "line", "office": "econ"},
        "petitions": {"rate": 20, "effort_h": 5, "task_type": "line", "office": "social",
                      "patrol_visible": False},
        "land_case": {"rate": 5, "effort_h": 4, "departments": ["land"], "office": "agri"},
        SHOCK: {"rate": 600, "effort_h": 4, "task_type": "line", "start_day": 20, "end_day": 50},
    },
    "roles": {"street_office": {"staff": 3}, "community_office": {"staff": 3}},
    "arrangement": {
        "name": "zone_line",
        "offices": [
            {"name": "social", "staff": 10, "retained": 5, "village_share": 0.3},
            {"name": "agri", "staff": 10, "retained": 2, "village_share": 0.8},
            {"name": "econ", "staff": 10, "retained": 3, "village_share": 0.5},
        ],
        "zone_staff": 8,
        "lines": [
            {"name": "development", "staff": 6, "village_share": 0.6, "categories": ["projects", SHOCK]},
            {"name": "stability", "staff": 6, "village_share": 0.5, "categories": ["petitions"]},
        ],
    },
}


@pytest.fixture
def township() -> dict:
    return copy.deepcopy(TOWNSHIP)


def _model(sc: dict, arrangement: str | None = None, **overrides) -> GovernanceModel:
    sc = copy.deepcopy(sc)
    if arrangement:
        sc["arrangement"]["name"] = arrangement
    return GovernanceModel(sc, overrides=overrides or None)


def _cadre_efficiencies(model) -> list[float]:
    return [u.efficiency_of(c) for u in model.arrangement.township_units for c in u.members]


def _shock_backlog_days(cases, days: int) -> int:
    """Sum over days of shock cases reported and not yet closed (the area under its backlog)."""
    s = cases[(cases["category"] == SHOCK) & cases["t_reported"].notna()]
    t = np.arange(days)[:, None] * 24.0
    closed = s["t_closed"].fillna(np.inf).to_numpy()[None, :]
    return int(((s["t_reported"].to_numpy()[None, :] <= t) & (closed > t)).sum())


# ---------------------------------------------------------------- 人与人相结合: two-way selection


def test_two_way_selection_fits_cadres_better_than_blind_posting():
    rng = np.random.default_rng(0)
    cadres = draw_cadres(60, rng)
    posts = [(20, 0.1), (20, 0.9), (20, 0.5)]
    blind = random_assignment(cadres, posts, np.random.default_rng(1))
    chosen = two_way_selection(cadres, posts, np.random.default_rng(1), noise=0.2)
    assert sorted(np.bincount(chosen)) == [20, 20, 20]  # every post filled, nobody twice
    assert mean_efficiency(cadres, chosen, posts, 0.3) > mean_efficiency(cadres, blind, posts, 0.3) + 0.03
    # with choices that are pure noise the advantage vanishes (on average)
    noisy = [mean_efficiency(cadres, two_way_selection(cadres, posts, np.random.default_rng(s), noise=50.0),
                             posts, 0.3) for s in range(20)]
    assert abs(np.mean(noisy) - mean_efficiency(cadres, blind, posts, 0.3)) < 0.03


def test_two_way_selection_is_stable():
    """A full desk office keeps the cadres it ranks highest; no cadre and unit would both
    rather be together than with their matches (without noise)."""
    cadres = [Cadre(0, 0.9, 0.1), Cadre(1, 0.8, 0.7), Cadre(2, 0.7, 0.2), Cadre(3, 0.1, 0.9)]
    assert two_way_selection(cadres, [(2, 0.0), (2, 1.0)], np.random.default_rng(0), noise=0.0) == [0, 0, 1, 1]
    cadres = draw_cadres(40, np.random.default_rng(4))
    posts = [(10, 0.0), (10, 0.3), (10, 0.7), (10, 1.0)]
    unit_of = two_way_selection(cadres, posts, np.random.default_rng(0), noise=0.0)
    for c, u in zip(cadres, unit_of, strict=True):
        for v, (_, share) in enumerate(posts):
            if c.fit(share) > c.fit(posts[u][1]):  # c would rather be in v …
                weakest = min(c2.fit(share) for c2, u2 in zip(cadres, unit_of, strict=True) if u2 == v)
                assert weakest >= c.fit(share)  # … but v prefers everyone it holds


def test_two_way_selection_raises_mean_efficiency_in_the_model(township):
    two_way = _model(township)
    blind = _model(township, **{"arrangement.selection": "random"})
    assert sorted(c.id for u in two_way.arrangement.township_units for c in u.members) == list(range(30))
    assert np.mean(_cadre_efficiencies(two_way)) > np.mean(_cadre_efficiencies(blind))
    # the same people in both (common random numbers): only the posting differs
    skills = lambda m: sorted((c.id, c.desk) for u in m.arrangement.township_units for c in u.members)  # noqa: E731
    assert skills(two_way) == skills(blind)
    # a 片 team (village work) gets cadres with more village experience than the desk offices
    zone = np.mean([c.village for u in two_way.arrangement.zones for c in u.members])
    desk = np.mean([c.village for c in two_way.arrangement.offices[0].members])
    assert zone > desk


def test_skill_effect_zero_makes_fit_irrelevant(township):
    m = _model(township, **{"arrangement.skill_effect": 0.0})
    assert set(np.round(_cadre_efficiencies(m), 12)) == {1.0}


# ---------------------------------------------------------------- weekly rebalancing of line staff


def test_rebalancing_moves_line_staff_toward_the_backlog(township):
    m = _model(township, **{"arrangement.rebalance_moves": 2})
    dev, stab = m.arrangement.lines
    for _ in range(30):  # a pile of development work before the office opens
        dev.work_on(None, 4.0, 1.0, lambda task: None)
    best = sorted(stab.members, key=dev.efficiency_of, reverse=True)[:2]
    assert m.arrangement.rebalance(m) == 2
    assert (len(dev.members), len(stab.members)) == (8, 4)
    assert (dev.workforce.staff, stab.workforce.staff) == (8, 4)  # free cadres move at once
    assert best[0] in dev.members and best[1] in dev.members  # the best fit for the receiving line
    assert [t[4] for t in m.arrangement.transfers] == ["rebalance", "rebalance"]


def test_weekly_rebalancing_follows_the_shock(township):
    m = _model(township, days=45)
    dev, stab = m.arrangement.lines
    m.run_model()  # the campaign (development line) runs from day 20
    moves = [t for t in m.arrangement.transfers if t[4] == "rebalance"]
    assert moves and all((t / 24.0) % 7 == 0 for t, *_ in moves)  # only at the weekly meeting
    assert all(dst == "line_team:0" for _, _, dst, _, _ in moves)
    assert len(dev.members) > 6 > len(stab.members)
    m0 = _model(township, days=45, **{"arrangement.rebalance_every_days": 0})
    m0.run_model()
    assert not m0.arrangement.transfers and len(m0.arrangement.lines[0].members) == 6


def test_rebalancing_respects_threshold_and_floor(township):
    m = _model(township, **{"arrangement.rebalance_threshold": 100.0})
    dev, stab = m.arrangement.lines
    for _ in range(30):
        dev.work_on(None, 4.0, 1.0, lambda task: None)
    assert m.arrangement.rebalance(m) == 0
    m = _model(township, **{"arrangement.rebalance_moves": 20, "arrangement.min_line_staff": 4})
    dev, stab = m.arrangement.lines
    for _ in range(200):
        dev.work_on(None, 4.0, 1.0, lambda task: None)
    m.arrangement.rebalance(m)
    assert len(stab.members) == 4


def test_busy_cadre_finishes_the_task_in_hand_before_moving(township):
    m = _model(township, **{"arrangement.rebalance_moves": 6, "arrangement.min_line_staff": 0})
    dev, stab = m.arrangement.lines
    for _ in range(6):  # keep every stability cadre busy for two days
        stab.work_on(None, 16.0, 1.0, lambda task: None)
    m.step()  # day 0: they start
    for _ in range(300):
        dev.work_on(None, 4.0, 1.0, lambda task: None)
    assert m.arrangement.rebalance(m) == 6
    assert len(stab.members) == 0 and stab.workforce.staff == 6  # posted away, still at work
    for _ in range(3):
        m.step()
    assert stab.workforce.staff == 0 and dev.workforce.staff == 12
    assert stab.workforce.completed == 6


# ---------------------------------------------------------------- 人与事相结合: classification


def test_classification_sends_each_case_to_its_team(township):
    m = _model(township, days=60)
    m.run_model()
    arr = m.arrangement
    specs = m.scenario.categories
    line_of = {c: k for k, line in enumerate(m.scenario.arrangement.lines) for c in line.categories}
    checked = 0
    for case in m.cases:
        if case.level not in TOWNSHIP_ROLES:
            continue
        name = m.categories[case.category].name
        spec = specs[name]
        role, index = case.holder.split(":")
        if spec.task_type == "area":
            expected = ("zone_team", m.territory.communities[case.community].zone)
        elif spec.task_type == "line":
            expected = ("line_team", line_of[name])
        else:
            expected = ("township_office", arr.kept_office[spec.office])
        assert (role, int(index)) == expected, name
        checked += 1
    assert checked > 200
    assert {m.categories[c.category].name for c in m.cases if c.level == "department"} <= {"land_case"}


def test_fixed_offices_send_each_case_to_its_owning_office(township):
    m = _model(township, "fixed_offices", days=60)
    m.run_model()
    office_index = {o.name: i for i, o in enumerate(m.scenario.arrangement.offices)}
    for case in m.cases:
        if case.level != "township_office":
            continue
        spec = m.scenario.categories[m.categories[case.category].name]
        index = int(case.holder.split(":")[1])
        if spec.office is None:
            assert m.units[("township_office", index)].temporary
        else:
            assert index == office_index[spec.office]


def test_unowned_line_task_goes_to_the_line_with_most_slack(township):
    township["arrangement"]["lines"][0]["categories"] = ["projects"]
    m = _model(township)
    dev, stab = m.arrangement.lines
    for _ in range(20):
        dev.work_on(None, 4.0, 1.0, lambda task: None)

    class Case:
        category = next(c.index for c in m.categories if c.name == SHOCK)
        community = 0

    assert m.arrangement.unit_for(Case, m) == ("line_team", 1)
    for _ in range(100):
        stab.work_on(None, 4.0, 1.0, lambda task: None)
    assert m.arrangement.unit_for(Case, m) == ("line_team", 1)  # it stays with that line


# ---------------------------------------------------------------- 三定: temporary secondment


def test_secondment_has_a_delay_and_a_switching_cost(township):
    township["categories"][SHOCK]["rate"] = 150  # a shock small enough to drain by day 90
    m = _model(township, "fixed_offices", days=90)
    staff_before = [o.workforce.staff for o in m.arrangement.offices]
    m.run_model()
    arr = m.arrangement
    force = next(iter(arr.task_forces.values()))
    assert force.temporary and m.categories[force.category].name == SHOCK
    shock = [c for c in m.cases if m.categories[c.category].name == SHOCK and c.t_accepted == c.t_accepted]
    first = min(shock, key=lambda c: c.t_accepted)
    arrived = min(t for t, _, dst, _, why in arr.transfers if why == "secondment")
    delay = m.calendar.add_working_days(first.t_accepted, m.scenario.arrangement.secondment_delay_days)
    assert arrived >= delay - m.scenario.arrangement.assign_delay_h - 1e-9
    assert first.t_first_response >= arrived
    # switching cost: the task force works slower than its members would at home
    home = np.mean([c.efficiency(force.village_share, force.skill_effect) for c in force.members] or [1.0])
    if force.members:
        assert force.efficiency == pytest.approx(home * (1 - m.scenario.arrangement.switching_cost))
    # lenders were short of hands while the task force worked (all came back once it ended)
    lent = [t for t in arr.transfers if t[4] == "secondment"]
    assert len(lent) >= m.scenario.arrangement.secondment_staff
    assert [o.workforce.staff for o in arr.offices] == staff_before
    assert force.disbanded and not force.members


def test_lenders_lose_staff_during_the_secondment(township):
    m = _model(township, "fixed_offices", days=40)
    total = sum(o.workforce.staff for o in m.arrangement.offices)
    m.run_model()  # day 40: the campaign (days 20–50) is on
    force = next(iter(m.arrangement.task_forces.values()))
    assert force.workforce.staff > 0
    assert sum(o.workforce.staff for o in m.arrangement.offices) == total - force.workforce.staff
    assert all(o.workforce.staff >= m.scenario.arrangement.min_office_staff for o in m.arrangement.offices)


def test_secondment_cap_limits_cadres_on_loan(township):
    m = _model(township, "fixed_offices", days=45, **{"arrangement.secondment_max_share": 0.1})
    m.run_model()
    assert m.arrangement.on_loan() <= 3


# ---------------------------------------------------------------- absorbing a task shock


def test_pooled_line_staff_absorb_a_shock_and_a_parameter_can_overturn_it(township):
    backlog = {}
    for label, arr, over in [
        ("zone_line", "zone_line", {}),
        ("no_rebalancing", "zone_line", {"arrangement.rebalance_every_days": 0}),
        ("fixed", "fixed_offices", {}),
        ("fixed_generous", "fixed_offices", {"arrangement.secondment_delay_days": 0,
                                             "arrangement.switching_cost": 0.0,
                                             "arrangement.secondment_staff": 10,
                                             "arrangement.secondment_max_share": 0.5}),
    ]:
        sc = copy.deepcopy(township)
        sc["arrangement"]["name"] = arr
        res = run(sc, overrides=over or None)
        backlog[label] = _shock_backlog_days(res.cases, 90)
    # weekly redeployment of pooled line staff is what drains the shock
    assert backlog["zone_line"] < backlog["no_rebalancing"]
    assert backlog["zone_line"] < backlog["fixed"]
    # a fast, large, frictionless secondment beats a line team that is never rebalanced
    assert backlog["fixed_generous"] < backlog["no_rebalancing"]


# ---------------------------------------------------------------- xi_town: equal headcount


@pytest.mark.parametrize("variant", ["fixed_offices", "zone_line"])
def test_xi_town_variants_have_the_same_140_staff(variant):
    m = GovernanceModel(XI_TOWN, variant=variant, days=1)
    cadres = sum(u.workforce.staff for u in m.arrangement.township_units)
    leaders = m.units[("street_office", 0)].staff
    assert (leaders, cadres) == (13, 127)  # seed 000, Table 1
    sc = m.scenario
    assert sc.categories["environmental_inspection"].start_day > 0  # both carry the task shock
    if variant == "zone_line":
        by_role = {r: sum(u.staff for u in m.arrangement.township_units if u.role == r) for r in TOWNSHIP_ROLES}
        assert by_role == {"township_office": 53, "zone_team": 27, "line_team": 47}


def test_xi_town_runs_a_short_stretch_deterministically():
    a = run(XI_TOWN, variant="zone_line", days=20, seed=5)
    b = run(XI_TOWN, variant="zone_line", days=20, seed=5)
    assert a.summary.drop(columns=["version"]).equals(b.summary.drop(columns=["version"]))
    assert "workload_hours_per_week_zone_team" in a.summary
    assert "workload_hours_per_week_line_team" in a.summary


def test_role_workload_counts_every_cadre_workday(township):
    res = run(township, days=35)
    w = res.workers[res.workers["role"].isin(TOWNSHIP_ROLES)]
    workdays = 25
    paperwork = TOWNSHIP["arrangement"].get("paperwork_h", 1.0)
    assert w["hours_paperwork"].sum() == pytest.approx(30 * workdays * paperwork)


# ---------------------------------------------------------------- bad input


def _bad(township, path, value):
    with pytest.raises(ScenarioError) as err:
        load_scenario(township, overrides={path: value})
    return err.value


def test_unknown_task_type_names_field_and_allowed_values(township):
    err = _bad(township, "categories.sanitation.task_type", "zone")
    assert err.field == "categories.sanitation.task_type"
    assert all(v in err.message for v in ("'area'", "'line'", "'office'"))


def test_unknown_office_names_field_and_allowed_offices(township):
    err = _bad(township, "categories.welfare.office", "finance")
    assert err.field == "categories.welfare.office"
    assert "['agri', 'econ', 'social']" in err.message


def test_headcount_must_balance_under_zone_line(township):
    err = _bad(township, "arrangement.zone_staff", 9)
    assert err.field == "arrangement"
    assert "30" in err.message and "31" in err.message


def test_other_township_rules(township):
    assert _bad(township, "arrangement.lines.0.categories", ["nope"]).field == \
        "arrangement.lines.development.categories"
    assert _bad(township, "territory.zones_per_street", 0).field == "territory.zones_per_street"
    assert _bad(township, "arrangement.offices.0.retained", 11).field.startswith("arrangement.offices")
    assert _bad(township, "arrangement.selection", "lottery").field == "arrangement.selection"
    sc = copy.deepcopy(township)
    sc["territory"]["streets"] = 2
    with pytest.raises(ScenarioError) as err:
        load_scenario(sc)
    assert err.value.field == "territory.streets"
