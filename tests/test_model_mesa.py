"""GovernanceModel as a Mesa model: step = one day, DataCollector, batch_run, agents."""

from __future__ import annotations

import mesa
import yaml

from governance_sim import GovernanceModel
from governance_sim.agents import Department, GridWorker, PartyBranch, Resident


def test_step_advances_one_day_and_collects(tiny):
    m = GovernanceModel(tiny)
    m.step()
    m.step()
    assert m.day == 2 and m.steps == 2 and m.now == 48.0
    df = m.datacollector.get_model_vars_dataframe()
    assert list(df["day"]) == [1, 2]
    assert df["cases_created"].iloc[-1] == len(m.cases)


def test_agents_are_mesa_agents_with_one_household_per_resident(tiny):
    m = GovernanceModel(tiny)
    residents = m.agents_by_type[Resident]
    assert len(residents) == m.n_households
    assert abs(m.n_households - 8000 / 2.62) <= 4
    assert len(m.agents_by_type[Department]) == 3
    assert len(m.agents_by_type[GridWorker]) == len(m.territory.grids)
    assert len(m.agents_by_type[PartyBranch]) == len(m.territory.communities)


def test_runs_stop_after_the_scenario_days(tiny):
    m = GovernanceModel(tiny, days=5)
    m.run_model()
    assert m.day == 5 and not m.running


def test_batch_run_with_scenario_path_and_seeds(beijing):
    results = mesa.batch_run(
        GovernanceModel,
        {"scenario": str(beijing), "seed": [1, 2], "arrangement__p_buckpass": 0.1},
        max_steps=10, display_progress=False, number_processes=1,
    )
    assert len(results) == 2
    assert {r["seed"] for r in results} == {1, 2}
    for r in results:
        assert r["day"] >= 10 and r["cases_created"] > 0 and "mean_trust" in r
    assert results[0]["cases_created"] != results[1]["cases_created"]


def test_batch_run_rows_carry_the_summary_at_the_end_of_the_run(tiny, tmp_path):
    tiny_path = tmp_path / "tiny.yaml"
    tiny_path.write_text(yaml.safe_dump(tiny, allow_unicode=True), encoding="utf-8")
    results = mesa.batch_run(GovernanceModel, {"scenario": str(tiny_path), "seed": [1], "days": 6},
                             max_steps=50, display_progress=False, number_processes=1)
    assert len(results) == 1
    row = results[0]
    for name in ("response_time_mean_h", "resolution_rate", "satisfaction_rate",
                 "workload_hours_per_week_grid_worker", "handoffs_per_case"):
        assert name in row, name
    # the same numbers as the run's own summary
    from governance_sim import run

    summary = run(str(tiny_path), seed=1, days=6).summary.iloc[0]
    assert row["resolution_rate"] == summary["resolution_rate"] or (
        row["resolution_rate"] != row["resolution_rate"] and summary["resolution_rate"] != summary["resolution_rate"])
    assert row["cases_created"] == summary["cases_created"]
    # the daily timeseries keeps its own columns
    m = GovernanceModel(tiny, days=3)
    m.run_model()
    assert "response_time_mean_h" not in m.datacollector.get_model_vars_dataframe().columns


def test_keyword_overrides_reach_the_scenario(tiny):
    m = GovernanceModel(tiny, arrangement__p_buckpass=0.05, **{"roles.resident.trust0": 0.7})
    assert m.scenario.arrangement.p_buckpass == 0.05
    assert m.scenario.roles.resident.trust0 == 0.7


def test_a_step_taken_by_hand_pauses_the_cyclic_collector_and_restores_it():
    """Mesa's batch_run, the app and notebooks call step() themselves, not run_model()."""
    import gc

    from conftest import TINY

    model = GovernanceModel(TINY, seed=1)
    seen = []
    simulate = model._simulate_day
    model._simulate_day = lambda: (seen.append(gc.isenabled()), simulate())
    assert gc.isenabled()
    model.step()
    assert seen == [False] and gc.isenabled() and model.day == 1
