"""Reforms on a timetable: a switch takes effect on its day and only in the named streets; bad
entries are refused with one message naming the field; without a schedule nothing changes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from governance_sim import GovernanceModel, run
from governance_sim.cli import app
from governance_sim.scenario import ScenarioError, load_scenario
from governance_sim.timetable import StreetArrangements

SWITCH_DAY = 25


@pytest.fixture
def streets3(tiny):
    tiny["territory"].update(streets=3, communities_per_street=2, population=12000)
    tiny["days"] = 70
    tiny["variants"]["whistle"] = {"arrangement.name": "whistle", "roles.street_chief.per_street": 2}
    tiny["categories"]["construction"]["rate"] = 60  # many cross-department cases to whistle for
    return tiny


def _whistles(model):
    """(street, time) of every summons (吹哨) of the run."""
    return [(c.street, h[2]) for c in model.cases for h in c.handoffs if h[3] == "whistle"]


def test_a_scheduled_switch_takes_effect_on_its_day_in_the_named_streets_only(streets3):
    streets3["schedule"] = [{"day": SWITCH_DAY, "streets": ["街道2"], "variant": "whistle"}]
    model = GovernanceModel(streets3)
    model.run_model()
    whistles = _whistles(model)
    assert whistles, "the treated street whistles after the switch"
    assert {s for s, _ in whistles} == {1}
    assert min(t for _, t in whistles) >= SWITCH_DAY * 24.0
    assert model.timetable.log == [(SWITCH_DAY, 0, [1])]
    arr = model.arrangement
    assert isinstance(arr, StreetArrangements)
    assert [a.name for a in arr.by_street] == ["baseline", "whistle", "baseline"]
    chiefs = model.street_chiefs
    assert chiefs and {c.street for c in chiefs} == {1}
    assert all(c.workdays_before > 0 for c in chiefs)


def test_until_its_day_a_schedule_changes_nothing(streets3):
    plain = GovernanceModel(streets3)
    streets3["schedule"] = [{"day": SWITCH_DAY, "variant": "whistle"}]
    scheduled = GovernanceModel(streets3)
    for _ in range(SWITCH_DAY):
        plain.step()
        scheduled.step()
    assert [c.status for c in plain.cases] == [c.status for c in scheduled.cases]
    assert plain.counters == scheduled.counters
    assert type(scheduled.arrangement).__name__ == "Baseline"
    scheduled.step()
    assert isinstance(scheduled.arrangement, StreetArrangements)


def test_a_territory_wide_parameter_change(streets3):
    streets3["schedule"] = [{"day": 10, "overrides": {"arrangement.p_buckpass": 0.0}}]
    model = GovernanceModel(streets3)
    model.run_model()
    late = [c for c in model.cases if c.t_reported >= 11 * 24.0]
    assert late and all(c.buckpass == 0 for c in late)
    assert any(c.buckpass for c in model.cases)  # before the switch departments did return cases


def test_without_a_schedule_the_model_and_hash_are_as_before(tiny):
    sc = load_scenario(tiny)
    model = GovernanceModel(sc)
    assert model.timetable is None and type(model.arrangement).__name__ == "Baseline"
    assert "schedule" not in sc.model_dump(mode="json", exclude_defaults=True)
    with_empty = load_scenario({**tiny, "schedule": []})
    assert with_empty.scenario_hash == sc.scenario_hash


@pytest.mark.parametrize(("entry", "field", "allowed"), [
    ({"day": 5, "streets": ["nowhere"], "variant": "whistle"}, "schedule.0.streets", "街道1"),
    ({"day": 70, "variant": "whistle"}, "schedule.0.day", "< warmup_days + days = 70"),
    ({"day": 5, "variant": "whistel"}, "schedule.0.variant", "'whistle'"),
    ({"day": 5, "overrides": {"roles.resident.trust0": 0.9}}, "schedule.0.overrides.roles.resident.trust0",
     "arrangement.<field>"),
    ({"day": 5, "overrides": {"arrangement.name": "township"}}, "schedule.0.overrides.arrangement.name",
     "'whistle'"),
    ({"day": 5, "overrides": {"arrangement.p_buckpas": 0.1}}, "schedule.0.overrides.arrangement.p_buckpas",
     "allowed"),
    ({"day": 5, "overrides": {"arrangement.p_buckpass": 2}}, "schedule.0.overrides.arrangement.p_buckpass",
     "1"),
    ({"day": 5, "streets": ["街道1"], "overrides": {"arrangement.trace_prob": 0.1}},
     "schedule.0.overrides.arrangement.trace_prob", "whole territory"),
    ({"day": 5, "overrides": {"arrangement.seconded_share": 0.2}},
     "schedule.0.overrides.arrangement.seconded_share", "0.0"),
    ({"day": 5}, "schedule.0", "variant or overrides"),
    ({"day": -1, "variant": "whistle"}, "schedule.0.day", "0"),
    ({"day": 5, "when": 3}, "schedule.0.when", "allowed"),
])
def test_bad_schedule_entries_are_refused_naming_the_field(streets3, entry, field, allowed):
    streets3["schedule"] = [entry]
    with pytest.raises(ScenarioError) as err:
        load_scenario(streets3)
    assert err.value.field == field, str(err.value)
    assert allowed in err.value.message


def test_removing_street_chiefs_is_refused(streets3):
    streets3["schedule"] = [{"day": 5, "variant": "whistle"},
                            {"day": 9, "overrides": {"roles.street_chief.per_street": 1}}]
    with pytest.raises(ScenarioError, match="not removed"):
        load_scenario(streets3)


def test_a_bad_schedule_is_one_line_and_status_2_on_the_command_line(streets3, tmp_path):
    import yaml

    streets3["schedule"] = [{"day": 5, "streets": ["nowhere"], "variant": "whistle"}]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(streets3, allow_unicode=True), encoding="utf-8")
    res = CliRunner().invoke(app, ["run", str(path), "-q", "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "schedule.0.streets" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_the_panel_marks_treated_street_months(streets3):
    streets3["warmup_days"] = 10
    streets3["schedule"] = [{"day": 40, "streets": ["街道1"], "variant": "whistle"},
                            {"day": 55, "streets": ["S3"], "variant": "whistle"}]
    res = run(streets3)
    panel = res.panel
    assert len(panel) == 3 * 2 and set(panel["month"]) == {1, 2}
    cohort = panel.groupby("street")["cohort"].first().to_dict()
    assert cohort == {0: 2, 1: 0, 2: 3}  # 40 = warm-up 10 + 30: month 2; 55 is inside month 2: month 3
    treated = panel.set_index(["street", "month"])["treated"]
    assert treated[(0, 2)] and not treated[(0, 1)] and not treated[(2, 2)] and not treated[(1, 2)]
    counted = res.cases[(res.cases["t_reported"] >= 10 * 24.0) & (res.cases["t_reported"] < 70 * 24.0)]
    assert panel["cases_reported"].sum() == counted["t_reported"].notna().sum()


def test_the_hotline_switches_to_direct_dispatch_mid_run(streets3):
    """接诉即办 for the whole territory from day 20: 12345 work orders go to the street, not a department."""
    streets3["overlays"] = {"hotline": {"direct_dispatch": False}}
    streets3["roles"] = {"resident": {"channels": {"hotline": 1.0}}}
    streets3["schedule"] = [{"day": 20, "overrides": {"overlays.hotline.direct_dispatch": True}}]
    model = GovernanceModel(streets3)
    model.run_model()
    sent = [(h[2], h[1].split(":")[0]) for c in model.cases for h in c.handoffs if h[3] == "hotline_dispatch"]
    before = {to for t, to in sent if t < 20 * 24.0}
    after = {to for t, to in sent if t >= 20 * 24.0}
    assert "department" in before and after == {"street_office"}


@pytest.mark.parametrize(("overlays", "entry", "message"), [
    ({"hotline": {}}, {"day": 5, "streets": ["街道1"], "overrides": {"overlays.hotline.direct_dispatch": True}},
     "whole territory"),
    ({"hotline": {}}, {"day": 5, "overrides": {"overlays.hotline.seats": 3}}, "set up"),
    ({}, {"day": 5, "overrides": {"overlays.hotline.direct_dispatch": True}}, "not in the scenario"),
    ({"grid": {}}, {"day": 5, "overrides": {"overlays.grid.report_quota": 3}}, "['hotline']"),
])
def test_overlay_switches_that_cannot_hold_are_refused(streets3, overlays, entry, message):
    streets3["overlays"] = overlays
    streets3["schedule"] = [entry]
    with pytest.raises(ScenarioError) as err:
        load_scenario(streets3)
    assert err.value.field.startswith("schedule.0.overrides.overlays.") and message in err.value.message


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 500), st.floats(allow_nan=True),
                    st.text(max_size=6), st.lists(st.text(max_size=4), max_size=3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entry=st.fixed_dictionaries({}, optional={
    "day": _VALUES, "streets": st.one_of(_VALUES, st.lists(st.sampled_from(["街道1", "S2", "街道9", ""]), max_size=3)),
    "variant": st.one_of(_VALUES, st.sampled_from(["whistle", "no_buckpass"])),
    "overrides": st.one_of(_VALUES, st.dictionaries(
        st.sampled_from(["arrangement.p_buckpass", "arrangement.name", "roles.street_chief.per_street",
                         "territory.streets", "arrangement", "overlays.hotline.direct_dispatch", "a..b"]),
        _VALUES, max_size=2))}))
def test_any_schedule_entry_loads_or_is_refused_naming_a_schedule_field(streets3, entry):
    streets3["schedule"] = [entry]
    try:
        sc = load_scenario(streets3)
    except ScenarioError as exc:
        assert exc.field.startswith("schedule"), (exc.field, exc.message)
        return
    GovernanceModel(sc)  # what loads, builds


@pytest.mark.parametrize("variant", [None, "whistle"])
def test_a_switch_to_the_same_parameters_changes_nothing(streets3, variant):
    """The street-by-street arrangement answers every question as the arrangement it holds."""
    streets3["overlays"] = {"hotline": {}}
    plain = run(streets3, variant).summary
    same = {"arrangement.p_buckpass": 0.3}
    for day in (0, 17):
        streets3["schedule"] = [{"day": day, "overrides": same}]
        switched = run(streets3, variant).summary
        cols = [c for c in plain.columns if c != "scenario_hash"]
        assert switched[cols].equals(plain[cols]), day
