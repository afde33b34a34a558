"""A city run as districts (governance_sim.partition): one model per district, coupled by the
monthly city-wide 三率 ranking; the same tables on any number of workers, here or on Dask."""

from __future__ import annotations

import copy
from importlib.util import find_spec

import pandas as pd
import pytest
from conftest import TINY
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from governance_sim import load_scenario, run
from governance_sim.cli import app
from governance_sim.partition import CityRanking, PartitionPlan, district_seed, sync_days
from governance_sim.partition.plan import PARTITION_OVERLAYS
from governance_sim.partition.pools import InlinePool
from governance_sim.places import check_totals
from governance_sim.scenario import ScenarioError

TABLES = ("summary", "timeseries", "cases", "workers", "places", "panel")
# four districts of two streets each, a few hundred people per street
CITY_CSV = (
    "id,name,level,parent,population\n"
    "C,测试市,city,,\n"
    "D1,东区,district,C,1400\n"
    "D2,西区,district,C,900\n"
    "D3,南区,district,C,1100\n"
    "D4,北区,district,C,700\n"
    "S1,甲街道,street,D1,\n"
    "S2,乙街道,street,D1,\n"
    "S3,丙镇,town,D2,\n"
    "S4,丁街道,street,D2,\n"
    "S5,戊街道,street,D3,\n"
    "S6,己街道,street,D3,\n"
    "S7,庚乡,town,D4,\n"
    "S8,辛街道,street,D4,\n"
)


@pytest.fixture
def city(tmp_path) -> dict:
    return make_city(tmp_path)


def make_city(tmp_path) -> dict:
    """TINY as a city of four districts under a municipal 12345, run as districts: 30 warm-up
    days and 60 counted, so the city-wide ranking runs three times."""
    path = tmp_path / "city.csv"
    path.write_text(CITY_CSV, encoding="utf-8")
    sc = copy.deepcopy(TINY)
    sc["territory"] = {k: v for k, v in sc["territory"].items() if k not in ("streets", "population")}
    sc["territory"].update(source=str(path), communities_per_street=2, households_per_grid=100)
    sc["city"] = {"name": "测试市", "reference_population": 1000, "partition": "districts",
                  "departments": [{"name": "m_transport", "label": "交通委", "staff": 2}]}
    sc["categories"]["construction"]["departments"] = ["urban", "housing", "m_transport"]
    sc["overlays"] = {"municipal_hotline": {"seats": 4}}
    sc["roles"] = {"resident": {"channels": {"hotline": 1.0, "community": 0.2}}}
    sc["days"], sc["warmup_days"] = 60, 30
    return sc


def assert_same_tables(a, b) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


# ----------------------------------------------------------------------- the plan


def test_each_district_gets_its_share_of_the_municipal_seats_and_departments(city):
    plan = PartitionPlan(load_scenario(city))
    assert plan.population == [1400, 900, 1100, 700] and plan.layout.street == [0, 2, 4, 6]
    subs = [plan.scenario_of(k) for k in range(4)]
    assert [s.territory.select for s in subs] == ["D1", "D2", "D3", "D4"]
    assert all(s.city is None for s in subs)
    # seats 4 × population share, rounded, at least 1
    assert [s.overlays["municipal_hotline"].seats for s in subs] == [1, 1, 1, 1]
    transport = [next(d for d in s.territory.departments if d.name == "m_transport") for s in subs]
    assert [d.staff for d in transport] == [1, 1, 1, 1]
    assert sum(d.vertical_tasks_per_day for d in transport) == pytest.approx(2.0)  # the city's line work
    # district departments as the one-model city gives them (reference population 1,000)
    assert [d.staff for d in subs[0].territory.departments[:3]] == [4, 4, 3]
    assert len({s.seed for s in subs}) == 4
    # each district's layout is the city's block of it, so its indices shift into the city's
    from governance_sim.territory import build_territory

    parts = [build_territory(s) for s in subs]
    for k, t in enumerate(parts):
        assert plan.layout.grid[k] == sum(len(p.grids) for p in parts[:k])
        assert plan.layout.household[k] == sum(p.households for p in parts[:k])
        assert t.streets == plan.territory.streets[plan.layout.street[k]:][:len(t.streets)]
    assert sum(len(t.communities) for t in parts) == len(plan.territory.communities)


@given(seed=st.integers(0, 2**63 - 1), district=st.integers(0, 500))
@settings(max_examples=50, deadline=None)
def test_district_seeds_are_valid_and_keyed_by_district(seed, district):
    s = district_seed(seed, district)
    assert 0 <= s < 2**63
    assert s != district_seed(seed, district + 1)
    assert s == district_seed(seed, district)


def test_districts_are_balanced_by_population_and_each_placed_once(city):
    plan = PartitionPlan(load_scenario(city))
    assert plan.assign(1) == [[0, 1, 2, 3]]
    assert plan.assign(2) == [[0, 3], [1, 2]]  # 2,100 and 2,000 people
    assert sorted(k for g in plan.assign(9) for k in g) == [0, 1, 2, 3]


def test_sync_days_are_month_ends_and_the_last_day():
    assert sync_days(90) == [30, 60, 90]
    assert sync_days(75) == [30, 60, 75]
    assert sync_days(10) == [10]


def test_the_partition_field_changes_the_hash_and_workers_do_not(city):
    whole = copy.deepcopy(city)
    whole["city"]["partition"] = "none"
    no_field = copy.deepcopy(city)
    del no_field["city"]["partition"]
    assert load_scenario(whole).scenario_hash == load_scenario(no_field).scenario_hash
    assert load_scenario(city).scenario_hash != load_scenario(whole).scenario_hash


# ----------------------------------------------------------------------- determinism


def test_one_two_and_three_local_workers_give_identical_tables(city):
    one = run(city, workers=1)
    assert_same_tables(one, run(city, workers=2))
    assert_same_tables(one, run(city, workers=3))


def test_worker_processes_started_by_spawn_give_the_same_tables(city, monkeypatch):
    monkeypatch.setenv("GOVSIM_START_METHOD", "spawn")
    assert_same_tables(run(city, workers=1), run(city, workers=2))


def test_a_district_does_not_depend_on_which_districts_share_its_worker(city, monkeypatch):
    reference = run(city, workers=2)  # {D1, D4} and {D2, D3}
    for groups in ([[0, 1], [2, 3]], [[0, 2], [1, 3]], [[3], [0, 1, 2]]):
        monkeypatch.setattr(PartitionPlan, "assign", lambda self, workers, g=groups: g)
        assert_same_tables(reference, run(city, workers=2))


def test_a_run_repeats_and_a_new_seed_changes_it(city):
    a = run(city, workers=2)
    assert_same_tables(a, run(city, workers=2))
    assert not run(city, workers=2, seed=8).cases.equals(a.cases)


# ----------------------------------------------------------------------- the coupling


def test_the_ranking_is_city_wide_a_street_drops_when_another_districts_street_does_better(city):
    plan = PartitionPlan(load_scenario(city))

    def row(unit, score):
        return {"month": 1, "unit": unit, "due": 5, "response_rate": score, "solution_rate": score,
                "satisfaction_rate": score, "score": score}

    rows = {0: [row(0, 0.8), row(1, 0.5)], 1: [row(0, 0.6), row(1, float("nan"))],
            2: [row(0, 0.7), row(1, 0.4)], 3: [row(0, 0.3), row(1, 0.2)]}
    ranked = CityRanking(plan).rank(rows)
    assert [r["rank"] for r in ranked[0]] == [1, 4]
    assert ranked[1][1]["rank"] != ranked[1][1]["rank"]  # unscored: no rank, pressure kept (0)
    assert [r["rank"] for r in ranked[3]] == [6, 7]
    rows[1][0] = row(0, 0.9)  # another district's street does better …
    second = CityRanking(plan).rank(rows)[0][0]
    assert second["rank"] == 2  # … and D1's best street drops to second
    # its pressure: shortfall from the target (0.9) + rank weight (0.5) × its place among 7 ranked
    assert second["pressure"] == pytest.approx((0.9 - 0.8) / 0.9 + 0.5 * 1 / 6)


def test_each_district_takes_the_city_wide_ranks_and_pressures_at_the_month_end(city):
    plan = PartitionPlan(load_scenario(city))
    pool = InlinePool([{k: plan.scenario_of(k) for k in range(4)}])
    ranking = CityRanking(plan)
    rows = pool.call("advance", 30)
    assert all(len(rows[k]) == 2 for k in range(4))
    pool.call("take_ranking", ranking.rank(rows))
    taken = []
    for k, model in pool.host.models.items():
        hotline = next(o for o in model.overlays if o.name == "municipal_hotline")
        assert hotline.n_units == 2
        for r in hotline.appraisals[-2:]:
            assert hotline.pressure[r["unit"]] == ranking.pressure[plan.layout.street[k] + r["unit"]]
            taken.append(r["rank"])
    scored = sorted(x for x in taken if x == x)
    assert scored == list(range(1, len(scored) + 1)) and len(scored) > 2  # ranks among all the city's
    assert pool.call("advance", 45) == {k: None for k in range(4)}  # mid-month: nothing to rank
    pool.close()


# ----------------------------------------------------------------------- merged outputs


def test_merged_tables_read_as_one_city(city):
    res = run(city, workers=2)
    s = res.metrics
    cases, workers = res.cases, res.workers
    assert list(cases["case_id"]) == list(range(len(cases)))
    assert workers["unit"].is_unique
    assert sorted(workers.loc[workers["role"] == "district_center", "unit"]) == [
        f"district_center:{k}" for k in range(4)]
    assert set(cases["street"]) <= set(range(8)) and cases["street"].max() >= 6
    counted = cases[cases["t_created"] >= 30 * 24.0]
    assert s["cases_created"] == len(counted)
    assert res.timeseries["cases_created"].iloc[-1] == len(cases)
    assert len(res.timeseries) == 90
    assert all(v == 0 for v in check_totals(res.places, s).values()), check_totals(res.places, s)
    districts = res.places[res.places["level"] == "district"]
    assert list(districts["place_id"]) == ["D1", "D2", "D3", "D4"]
    assert districts["cases_created"].sum() == s["cases_created"]
    assert s["hotline_streets_ranked"] == 8
    assert set(res.panel["street"]) == set(range(8))
    assert (res.summary["scenario_hash"] == load_scenario(city).scenario_hash).all()
    # every unit a hand-off names is a unit of the workers table
    named = {u for path in cases["handoff_path"] if path for u in path.split(">") if u != "-"}
    assert named <= set(workers["unit"])


def test_the_written_tables_read_back_as_the_tables_held_in_memory(city, tmp_path):
    """With --out the cases table is written district by district and read when asked for;
    every written table equals the one a run without --out returns (on another number of workers)."""
    held = run(city, workers=1)
    written = run(city, workers=2, out=tmp_path / "out")
    for name in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out" / f"{name}.parquet"),
                                      getattr(held, name), check_exact=True, obj=name)
    assert_same_tables(held, written)  # result.cases: read from the file


def test_the_cases_are_each_districts_one_after_another_with_the_citys_ids(city, monkeypatch):
    from governance_sim.partition.spill import CaseSpill

    own = []  # each district's table as its model numbers it, in the order the districts finish
    frame = CaseSpill.frame
    monkeypatch.setattr(CaseSpill, "frame", lambda self: own.append(frame(self).copy()) or own[-1].copy())
    res = run(city, workers=1)
    plan = PartitionPlan(load_scenario(city))
    cases, first = res.cases, 0
    for k, part in enumerate(own):
        rows = cases.iloc[first:first + len(part)].reset_index(drop=True)
        assert list(rows["case_id"]) == list(part["case_id"] + first)
        assert list(rows["grid"]) == list(part["grid"] + plan.layout.grid[k])
        assert list(rows["street"]) == list(part["street"] + plan.layout.street[k])
        kept = [c for c in part.columns if c not in ("case_id", "grid", "community", "street", "household",
                                                     "repeat_of", "handoff_path")]
        pd.testing.assert_frame_equal(rows[kept], part[kept], check_exact=True)
        first += len(part)
    assert first == len(cases) and len(own) == 4


def test_moving_settled_cases_out_during_the_run_changes_no_table(city, monkeypatch):
    """Workers move each case nothing refers to any more out of its model as table rows
    (partition/spill.py); with the move switched off every table is the same."""
    from governance_sim.partition.host import DistrictHost
    from governance_sim.partition.spill import CaseSpill

    moved = []
    take = CaseSpill.take
    monkeypatch.setattr(CaseSpill, "take", lambda self: moved.append(take(self)) or moved[-1])
    with_move = run(city, workers=1)
    assert sum(moved) > len(with_move.cases) / 4  # most cases are settled by a month's end
    monkeypatch.setattr(DistrictHost, "move_finished_cases", False)
    assert_same_tables(with_move, run(city, workers=1))


def test_a_written_cases_table_skips_districts_without_cases(tmp_path):
    from governance_sim.metrics import CASE_COLUMNS
    from governance_sim.partition.stream import encode, write_cases

    rows = pd.DataFrame({c: [1.5, 2.5] if c.startswith("t_") else [1, 2] for c in CASE_COLUMNS})
    empty = pd.DataFrame.from_records([], columns=CASE_COLUMNS)
    assert write_cases(iter([encode(empty), encode(rows), encode(empty), encode(rows)]), tmp_path / "a.parquet") == 4
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a.parquet"),
                                  pd.concat([rows, rows], ignore_index=True))
    assert write_cases([encode(empty)], tmp_path / "b.parquet") == 0
    assert list(pd.read_parquet(tmp_path / "b.parquet").columns) == CASE_COLUMNS


_LABEL = st.builds(lambda role, i: f"{role}:{i}", st.sampled_from(["department", "street_office", "grid_worker"]),
                   st.integers(0, 30))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(_LABEL | st.just("-"), max_size=4).map(">".join), max_size=40))
def test_hand_off_paths_are_renumbered_as_by_a_replace_on_every_row(paths):
    from governance_sim.partition.host import _UNIT, renumbered

    shift = {"department": 100, "grid_worker": 7}

    def unit(match):
        return f"{match[1]}:{int(match[2]) + shift.get(match[1], 0)}"

    column = pd.Series(paths, dtype="str", name="handoff_path")
    pd.testing.assert_series_equal(renumbered(column, unit), column.str.replace(_UNIT, unit, regex=True))


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("change", "field"), [
    ({"city.partition": "streets"}, "city.partition"),
    ({"overlays.formalism": {}}, "overlays.formalism"),
])
def test_bad_partitions_name_the_field_and_what_is_allowed(city, change, field, monkeypatch):
    from governance_sim.partition import plan

    # every overlay that runs at city level now has a merge rule: one without, as if it had none
    allowed = tuple(o for o in PARTITION_OVERLAYS if o != "formalism")
    monkeypatch.setattr(plan, "PARTITION_OVERLAYS", allowed)
    with pytest.raises(ScenarioError) as err:
        load_scenario(city, overrides=change)
    assert err.value.field == field
    assert "districts" in err.value.message or str(list(allowed)) in err.value.message


def test_workers_must_be_whole_and_positive_and_only_for_a_partitioned_city(city):
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ScenarioError, match="workers"):
            run(city, workers=bad)
    whole = copy.deepcopy(city)
    whole["city"]["partition"] = "none"
    with pytest.raises(ScenarioError, match="city.partition: districts"):
        run(whole, workers=2)


def test_the_command_line_refuses_bad_values_with_exit_2_and_writes_nothing(city, tmp_path):
    import yaml

    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(city, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    runner = CliRunner()
    for args, words in ((["--workers", "0"], "--workers"),
                        (["--set", "city.partition=streets"], "'none' or 'districts'"),
                        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
                        (["--scheduler", "localhost-without-port"],
                         "tcp://HOST:PORT" if find_spec("distributed") else "[dask]")):
        res = runner.invoke(app, ["run", str(path), "--quiet", "--out", str(out), *args])
        assert res.exit_code == 2, res.output
        assert words in res.output and "Traceback" not in res.output
        assert not out.exists()
    res = runner.invoke(app, ["run", str(path), "--quiet", "--workers", "2", "--days", "10", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "cases.parquet").exists()


# ----------------------------------------------------------------------- Dask


def test_a_dask_local_cluster_gives_the_same_tables(city):
    distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        on_dask = run(city, scheduler=client)  # one actor per Dask worker
        by_address = run(city, workers=3, scheduler=cluster.scheduler_address)
        assert client.scheduler_info()["workers"]  # the run left the cluster running
    reference = run(city, workers=1)
    assert_same_tables(reference, on_dask)
    assert_same_tables(reference, by_address)


def test_one_mesa_model_of_a_partitioned_city_is_refused(city):
    from governance_sim.model import GovernanceModel

    with pytest.raises(ScenarioError) as err:
        GovernanceModel(city)
    assert err.value.field == "city.partition" and "governance_sim.run" in err.value.message


def test_a_variant_may_split_the_city_and_its_hash_says_so(city):
    city["city"]["partition"] = "none"
    city["variants"] = {"split": {"city.partition": "districts"}}
    whole, split = load_scenario(city), load_scenario(city, "split")
    assert (whole.city.partition, split.city.partition) == ("none", "districts")
    assert whole.scenario_hash != split.scenario_hash
    result = run(city, "split", days=5, workers=2)
    assert (result.summary["variant"] == "split").all()
    assert (result.summary["scenario_hash"] == load_scenario(city, "split", days=5).scenario_hash).all()


def test_a_workers_error_reaches_the_caller_whole(city, monkeypatch):
    """A budget stop inside a worker process is re-raised as the same error, naming its field."""
    from governance_sim.errors import BudgetExceeded
    from governance_sim.partition.host import DistrictHost

    def stop(self, day):
        raise BudgetExceeded("limits.max_events", f"stopped on day {day}")

    monkeypatch.setenv("GOVSIM_START_METHOD", "fork")  # the worker inherits the patched method
    monkeypatch.setattr(DistrictHost, "advance", stop)
    with pytest.raises(BudgetExceeded) as err:
        run(city, workers=2)
    assert err.value.field == "limits.max_events" and err.value.message == "stopped on day 30"


# ----------------------------------------------------------------------- a reform timetable


def with_rollout(city: dict) -> dict:
    """The whistle switched on in three streets of two districts on day 60, and 街巷长 appointed
    city-wide on day 70 (the city needs lanes for them)."""
    sc = copy.deepcopy(city)
    sc["territory"]["grids_per_lane"] = 1
    sc["variants"] = {"whistle": {"arrangement.name": "whistle"}}
    sc["schedule"] = [{"day": 60, "streets": ["甲街道", "S2", "丁街道"], "variant": "whistle"},
                      {"day": 70, "overrides": {"roles.street_chief.per_street": 1}}]
    return sc


def test_each_district_takes_the_entries_for_its_own_streets(city):
    plan = PartitionPlan(load_scenario(with_rollout(city)))
    whistle = {"arrangement.name": "whistle"}
    chiefs = {"day": 70, "streets": None, "overrides": {"roles.street_chief.per_street": 1}}
    assert plan.schedule_of(0) == [{"day": 60, "streets": ["S1", "S2"], "overrides": whistle}, chiefs]
    assert plan.schedule_of(1) == [{"day": 60, "streets": ["S4"], "overrides": whistle}, chiefs]
    assert plan.schedule_of(2) == plan.schedule_of(3) == [chiefs]   # named in none of their streets
    assert [len(plan.scenario_of(k).schedule) for k in range(4)] == [2, 2, 1, 1]


def test_a_rollout_runs_as_districts_with_the_citys_panel_on_any_number_of_workers(city):
    sc = with_rollout(city)
    one, two = run(sc, workers=1), run(sc, workers=2)
    assert_same_tables(one, two)
    treated = one.panel.groupby("name")["cohort"].first().to_dict()
    # day 60 opens counted month 2; the chiefs of day 70 come inside month 2, so month 3
    assert treated == {"甲街道": 2, "乙街道": 2, "丁街道": 2, "丙镇": 3, "戊街道": 3, "己街道": 3,
                       "庚乡": 3, "辛街道": 3}
    assert one.panel.loc[one.panel["name"] == "甲街道", "treated"].tolist() == [False, True]
    assert one.panel.loc[one.panel["name"] == "丙镇", "treated"].tolist() == [False, False]
    whistled = one.cases.loc[one.cases["whistled"], "street"].unique()
    assert len(whistled) and set(whistled) <= {0, 1, 3}                # only the streets switched
    # the panel's flags are the one-model city's: they follow the timetable, not the random draws
    whole = run({**sc, "city": {**sc["city"], "partition": "none"}}, workers=None)
    cols = ["name", "month", "treated", "cohort", "adopted_day"]
    pd.testing.assert_frame_equal(one.panel[cols], whole.panel[cols])


# ----------------------------------------------------------------------- residents who differ


def test_household_groups_run_as_districts_with_the_citys_columns_by_group(city):
    sc = copy.deepcopy(city)
    sc["groups"] = {"elderly": {"share": 0.3, "trust0": 0.7, "channels": {"community": 1.0}},
                    "migrants": {"share": 0.2, "rate_factor": 1.5, "trust0": 0.3}}
    one, two = run(sc, workers=1), run(sc, workers=2)
    assert_same_tables(one, two)
    s = one.summary.iloc[0]
    households = sum(s[f"group_{g}_households"] for g in ("elderly", "migrants", "other"))
    assert households == one.places.loc[one.places["level"] == "city", "households"].iloc[0]
    assert s["group_elderly_share"] == pytest.approx(0.3, abs=0.01)   # dealt district by district
    assert s["group_elderly_trust_end"] > s["group_migrants_trust_end"]
    counted = one.cases[one.cases["t_created"] >= sc["warmup_days"] * 24.0]
    by_group = sum(s[f"group_{g}_cases_created"] for g in ("elderly", "migrants", "other"))
    assert by_group == len(counted)                                     # every counted case in a group
    streets = one.places[one.places["level"] == "street"]
    assert (streets[[f"{g}_cases_reported" for g in ("elderly", "migrants", "other")]].sum(axis=1)
            == streets["cases_reported"]).all()


# ----------------------------------------------------------------------- overlays' summaries


def test_overlays_with_a_merge_rule_run_as_districts_and_merge_their_columns(city):
    from governance_sim.overlays.base import Overlay
    from governance_sim.registry import OVERLAYS

    for name in OVERLAYS:   # a rule exactly for the overlays let in
        has_rule = OVERLAYS[name].merge_summaries.__func__ is not Overlay.merge_summaries.__func__
        assert has_rule == (name in PARTITION_OVERLAYS) or name == "hotline", name
    sc = copy.deepcopy(city)
    sc["overlays"].update({"formalism": {"street_office": 1.0}, "three_governance": {},
                           "party_building": {}, "grid": {"report_quota": 5}, "dispute_ladder": {},
                           "community_invitation": {}})
    one, two = run(sc, workers=1), run(sc, workers=2)
    assert_same_tables(one, two)
    # none of them looks a case up by id: moving settled cases out changes nothing
    from governance_sim.partition.host import DistrictHost

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DistrictHost, "move_finished_cases", False)
        assert_same_tables(one, run(sc, workers=1))
    s = one.summary.iloc[0]
    assert s["formalism_h_street_office"] == 1.0
    assert s["grid_reports_appraised"] == s["grid_reports_genuine"] + s["cases_padded"]
    assert 0.0 <= s["compact_bound_share"] <= 1.0 and 0.0 < s["dispute_rate_factor"] <= 1.0
    assert s["party_members"] > 0 and s["hotline_streets_ranked"] == 8
    assert s["disputes"] > 0 and s["petitions_district"] >= s["petitions_city"]
    assert s["invitation_letters"] >= 0


def test_an_overlays_merge_of_one_district_is_its_own_summary(tiny):
    from governance_sim import GovernanceModel

    m = GovernanceModel(tiny, days=60, overrides={"overlays.three_governance.council_every_days": 10,
                                                  "overlays.party_building.pairing_ratio": 1.0,
                                                  "overlays.grid.report_quota": 5,
                                                  "overlays.dispute_ladder.petition_pull": 1.0,
                                                  "overlays.community_invitation.min_departments": 2})
    m.run_model()
    for overlay in m.overlays:
        assert type(overlay).merge_summaries([overlay.summary_parts(m)]) == overlay.summary(m), overlay.name



def with_mine_guards(city: dict) -> dict:
    """The test city with latent illegal mining and one guard team over the city, bribes that
    pay, audits that often expose, and joint sweeps under the whistle."""
    sc = copy.deepcopy(city)
    sc["categories"]["mining"] = {"rate": 60, "effort_h": 4, "departments": ["urban", "emergency"],
                                  "latent": True, "erupt_days": 30}
    sc["overlays"]["mine_guards"] = {"category": "mining", "guards": 10, "bribe": 20.0, "audit_prob": 0.3,
                                     "sweep_every_days": 15, "sweep_find_prob": 0.1}
    sc["arrangement"] = {"name": "whistle"}
    return sc


def test_mine_guards_run_as_districts_one_team_shared_out_the_same_on_any_workers_and_move(city):
    from governance_sim.partition.host import DistrictHost

    sc = with_mine_guards(city)
    plan = PartitionPlan(load_scenario(sc))
    shares = [plan.scenario_of(k).overlays["mine_guards"].guards for k in range(plan.n_districts)]
    people = plan.population
    assert shares == [max(1, round(10 * n / sum(people))) for n in people] == [3, 2, 3, 2]
    one = run(sc, workers=1)
    assert_same_tables(one, run(sc, workers=2))
    with pytest.MonkeyPatch.context() as mp:  # the watched cases are held, not looked up by id
        mp.setattr(DistrictHost, "move_finished_cases", False)
        assert_same_tables(one, run(sc, workers=1))
    s = one.summary.iloc[0]
    assert s["guards"] == sum(shares)
    assert s["guard_collusions"] > 0 and s["guards_caught"] > 0 and s["mining_found_by_sweep"] > 0
    counted = one.cases[(one.cases["category"] == "mining") & (one.cases["t_created"] >= sc["warmup_days"] * 24.0)]
    assert s["mining_sites"] == len(counted) and s["mining_eruptions"] == counted["eruption"].sum()
    assert s["guard_collusion_share"] == s["guard_collusions"] / s["guard_sightings"]
