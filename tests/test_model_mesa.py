"""GovernanceModel as a Mesa model: step = one day, DataCollector, batch_run, agents."""

from __future__ import annotations

import mesa

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


def test_keyword_overrides_reach_the_scenario(tiny):
    m = GovernanceModel(tiny, arrangement__p_buckpass=0.05, **{"roles.resident.trust0": 0.7})
    assert m.scenario.arrangement.p_buckpass == 0.05
    assert m.scenario.roles.resident.trust0 == 0.7
