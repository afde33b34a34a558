"""A large one-model run moves its settled cases out as it runs, as a city run as districts
does (runner.settled_cases_moved, partition/spill.py), where its components allow it: its
tables are exactly those of the same run holding every case, whatever it runs."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from conftest import TINY
from test_partition import make_city

from governance_sim import runner
from governance_sim.errors import ScenarioError
from governance_sim.model import GovernanceModel
from governance_sim.partition import spill
from governance_sim.partition.plan import PARTITION_OVERLAYS
from governance_sim.runner import TABLES
from governance_sim.scenario import load_scenario


@pytest.fixture
def one_model_city(tmp_path) -> dict:
    sc = make_city(tmp_path)
    sc["city"]["partition"] = "none"
    return sc


def _held_and_moved(sc, monkeypatch):
    """The run holding every case, the run moving settled cases out, and how many it moved."""
    monkeypatch.setattr(runner, "MOVE_SETTLED_HOUSEHOLDS", 10**12)
    held = runner.run(sc)
    moved = []
    take = spill.CaseSpill.take
    monkeypatch.setattr(spill.CaseSpill, "take", lambda self: moved.append(take(self)) or moved[-1])
    monkeypatch.setattr(runner, "MOVE_SETTLED_HOUSEHOLDS", 0)
    return held, runner.run(sc), moved


def _same(a, b) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name, check_exact=True)


@pytest.mark.parametrize("arrangement", ["baseline", "whistle"])
def test_moving_settled_cases_out_changes_no_table(one_model_city, arrangement, monkeypatch):
    sc = {**one_model_city, "arrangement": {"name": arrangement}}
    held, moved, counts = _held_and_moved(sc, monkeypatch)
    _same(held, moved)
    assert len(counts) == 3 and sum(counts) > len(moved.cases) / 2  # at each month's end, most cases


def test_every_overlay_it_allows_and_household_groups_give_the_same_tables(one_model_city, monkeypatch):
    sc = copy.deepcopy(one_model_city)
    for name in PARTITION_OVERLAYS:  # every overlay that applies to the test city, at once
        try:
            load_scenario({**sc, "overlays": {**sc["overlays"], name: {}}})
        except ScenarioError:
            continue
        sc["overlays"][name] = {}
    assert len(sc["overlays"]) >= 5
    sc["groups"] = {"elderly": {"share": 0.3, "trust0": 0.7, "channels": {"community": 1.0}},
                    "migrants": {"share": 0.2, "rate_factor": 1.5, "trust0": 0.3}}
    held, moved, counts = _held_and_moved(sc, monkeypatch)
    _same(held, moved)
    assert sum(counts) > 0


def test_only_large_runs_that_allow_it_and_keep_no_log_move_cases(one_model_city, monkeypatch):
    from governance_sim import eventlog

    def moves(sc, log=False) -> bool:
        model = GovernanceModel(load_scenario(sc))
        if log:
            eventlog.record(model)
        return runner.settled_cases_moved(model) is not None

    monkeypatch.setattr(runner, "MOVE_SETTLED_HOUSEHOLDS", 0)
    assert moves(one_model_city)
    assert not moves(one_model_city, log=True)  # the log is built from every case record at the end
    assert moves(TINY)  # a district scenario moves its cases as well
    assert not moves({**TINY, "overlays": {"hotline": {}}})  # an overlay a city run as districts does not allow
    monkeypatch.setattr(runner, "MOVE_SETTLED_HOUSEHOLDS", runner.FREE_AT_ONCE_HOUSEHOLDS)
    assert not moves(one_model_city)  # a small run keeps its records (model.cases stays whole)


def test_the_memory_estimate_knows_which_runs_move_their_cases(monkeypatch):
    from governance_sim.experiments import memory

    sc = load_scenario(TINY, days=365)
    monkeypatch.setattr(runner, "MOVE_SETTLED_HOUSEHOLDS", 10**12)
    held = memory.run_bytes(sc)
    monkeypatch.setattr(runner, "MOVE_SETTLED_HOUSEHOLDS", 0)
    assert memory.run_bytes(sc) < held  # settled cases kept as compressed rows
    assert memory.run_bytes(sc, event_log=True) == held  # a run with a log keeps every record
    assert memory.run_bytes(load_scenario({**TINY, "overlays": {"hotline": {}}}, days=365)) > memory.run_bytes(sc)
    short = load_scenario(TINY, days=5)  # a month or less: nothing settles long before the end
    assert memory.run_bytes(short) == memory.run_bytes(short, event_log=True)


def test_govsim_run_moves_them_too_and_writes_the_same_tables(one_model_city, tmp_path, monkeypatch):
    import yaml
    from typer.testing import CliRunner

    from governance_sim.cli import app

    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(one_model_city, allow_unicode=True), encoding="utf-8")
    moved = []
    take = spill.CaseSpill.take
    monkeypatch.setattr(spill.CaseSpill, "take", lambda self: moved.append(take(self)) or moved[-1])
    written = {}
    for label, households in (("held", 10**12), ("moved", 0)):
        monkeypatch.setattr(runner, "MOVE_SETTLED_HOUSEHOLDS", households)
        res = CliRunner().invoke(app, ["run", str(path), "-q", "-o", str(tmp_path / label)])
        assert res.exit_code == 0, res.output
        written[label] = {name: pd.read_parquet(tmp_path / label / f"{name}.parquet") for name in TABLES}
    assert sum(moved) > 0
    for name in TABLES:
        pd.testing.assert_frame_equal(written["held"][name], written["moved"][name], obj=name, check_exact=True)
