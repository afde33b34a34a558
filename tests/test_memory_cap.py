"""No more local runs at once than fit in memory, by one rule for every command that runs many:
``compare``, ``sweep``, ``sensitivity``, ``calibrate`` and ``validate`` (fake memory figures,
small scenarios: nothing here needs a city's gigabytes)."""

from __future__ import annotations

import importlib

import yaml
from conftest import TINY
from typer.testing import CliRunner

from governance_sim.cli import app
from governance_sim.experiments import memory
from governance_sim.experiments.executors import SequentialExecutor
from governance_sim.experiments.sweep import plan_sweep
from governance_sim.scenario import load_scenario

runner = CliRunner()


def _tight(monkeypatch, cores=4, available=1.5 * memory.BASE_BYTES):
    """A machine of ``cores`` cores with room for one small run at a time (the interpreter's
    estimated share is most of a small run's)."""
    monkeypatch.setattr(memory, "local_cores", lambda: cores)
    monkeypatch.setattr(memory, "available_bytes", lambda: available)


def _capture(monkeypatch, module) -> list:
    """Record the ``workers`` each ``make_executor`` call of ``module`` gets; run in this process."""
    chosen = []

    def fake(workers=None, scheduler=None):
        chosen.append(workers)
        return SequentialExecutor()

    monkeypatch.setattr(module, "make_executor", fake)
    return chosen


def _memory_lines(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if ln.startswith("memory:")]


def test_workers_are_reduced_to_what_fits_and_said_once(monkeypatch):
    _tight(monkeypatch)
    sc = load_scenario(TINY)
    said = []
    assert memory.capped_workers([sc], say=said.append) == 1
    assert len(said) == 1 and "1 run at a time instead of 4" in said[0] and "--workers" in said[0]
    said.clear()
    assert memory.capped_workers([sc], workers=3, say=said.append) == 3  # the user's choice wins
    assert memory.capped_workers([sc], scheduler="tcp://x:1", say=said.append) is None  # Dask: not ours
    _tight(monkeypatch, available=1e12)
    assert memory.capped_workers([sc], say=said.append) is None  # every core fits
    assert said == []


def test_only_overrides_that_change_a_runs_size_are_sized(monkeypatch):
    plan = plan_sweep(TINY, {"arrangement.p_buckpass": [0.1, 0.2, 0.3]}, reps=2, days=5)
    assert len(memory.scenarios_of(plan.task(r) for r in range(plan.n_runs))) == 1
    plan = plan_sweep(TINY, {"territory.population": [10_000, 3_000_000]}, reps=2, days=5)
    sizes = memory.scenarios_of(plan.task(r) for r in range(plan.n_runs))
    assert sorted(sc.territory.population for sc in sizes) == [10_000, 3_000_000]
    assert all(sc.days == 5 for sc in sizes)
    # the largest decides: room for two runs of 10,000 people is room for one of 3 M
    small, large = sorted(sizes, key=lambda sc: sc.territory.population)
    _tight(monkeypatch, available=2.2 * memory.run_bytes(small) / memory.SHARE_OF_AVAILABLE)
    assert memory.capped_workers([small], say=lambda _: None) == 2
    assert memory.capped_workers(sizes, say=lambda _: None) == 1


def test_cli_sweep_runs_what_fits(tmp_path, monkeypatch):
    import governance_sim.cli.sweep as cli_sweep

    _tight(monkeypatch)
    chosen = _capture(monkeypatch, cli_sweep)
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(TINY, allow_unicode=True), encoding="utf-8")
    args = ["sweep", str(path), "-p", "arrangement.p_buckpass=[0.1,0.3]", "-d", "3", "-q"]
    res = runner.invoke(app, [*args, "-o", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    assert chosen == [1] and len(_memory_lines(res.output)) == 1
    res = runner.invoke(app, [*args, "-o", str(tmp_path / "b"), "--workers", "2"])
    assert res.exit_code == 0, res.output
    assert chosen == [1, 2] and _memory_lines(res.output) == []


def test_sweep_and_sensitivity_functions_run_what_fits(tmp_path, monkeypatch):
    from governance_sim import sensitivity, sweep

    # the package's functions shadow these modules' names: take the modules themselves
    sw = importlib.import_module("governance_sim.experiments.sweep")
    sa = importlib.import_module("governance_sim.experiments.sensitivity")

    _tight(monkeypatch)
    chosen_sweep, chosen_sa = _capture(monkeypatch, sw), _capture(monkeypatch, sa)
    rows = sweep(TINY, {"arrangement.p_buckpass": [0.1, 0.3]}, days=3, progress=False)
    assert len(rows) == 2 and chosen_sweep == [1]
    sensitivity(TINY, {"arrangement.p_buckpass": "0:0.6", "roles.resident.trust0": "0.2:0.8"},
                method="morris", outputs=["resolution_rate"], samples=2, days=3, progress=False,
                out=tmp_path / "sa")
    assert chosen_sa == [1]


def test_cli_sensitivity_runs_what_fits(tmp_path, monkeypatch):
    import governance_sim.cli.sensitivity as cli_sa

    _tight(monkeypatch)
    chosen = _capture(monkeypatch, cli_sa)
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(TINY, allow_unicode=True), encoding="utf-8")
    res = runner.invoke(app, ["sensitivity", str(path), "-m", "morris", "-p", "arrangement.p_buckpass=0:0.6",
                              "-p", "roles.resident.trust0=0.2:0.8", "--output", "resolution_rate", "-n", "2",
                              "-d", "3", "-q", "-o", str(tmp_path / "sa")])
    assert res.exit_code == 0, res.output
    assert chosen == [1] and len(_memory_lines(res.output)) == 1


def test_validate_runs_what_fits(monkeypatch):
    import governance_sim.validation.execute as ex
    from governance_sim.validation import validate
    from governance_sim.validation.spec import Arm, Claim, Diff

    _tight(monkeypatch)
    chosen = _capture(monkeypatch, ex)
    sc = {**TINY, "variants": {"a": {}, "b": {"arrangement.p_buckpass": 0.6}}}
    claim = Claim(id="mem", scenario=sc, text="more buck-passing, more handoffs",
                  arms=(Arm("a", "a"), Arm("b", "b")), contrast=Diff("a", "b"),
                  metric="handoffs_per_case", direction="less")
    table = validate(reps=2, days=3, claims=[claim])
    assert list(table["claim"]) == ["mem"] and chosen == [1]


def test_calibrate_runs_what_fits(tmp_path, monkeypatch):
    import pytest

    pytest.importorskip("pyabc")
    import governance_sim.calibration.fit as fit
    from governance_sim import calibrate

    _tight(monkeypatch)
    chosen = _capture(monkeypatch, fit)
    targets = {"targets": {"resolution_rate": {"value": 0.8, "sd": 0.1, "source": "made up for the test"}}}
    calibrate(TINY, targets, ["arrangement.p_buckpass=0:0.8"], days=3, check=True, out=tmp_path / "chk")
    assert chosen and set(chosen) == {1}


# --------------------------------------------------------------------------- a run too large for the machine


def test_a_run_that_does_not_fit_is_refused_naming_the_limit():
    import pytest

    from governance_sim.scenario import ScenarioError

    sc = load_scenario(TINY)
    need = memory.run_bytes(sc)
    memory.check_fits(sc, available=need * 1.01)  # fits
    memory.check_fits(load_scenario(TINY, overrides=["limits.max_memory_gb=1000"]), available=need / 2)  # lifted
    with pytest.raises(ScenarioError, match="limits.max_memory_gb") as refused:
        memory.check_fits(sc, available=need / 2)
    assert "--days" in str(refused.value) and "--set limits.max_memory_gb=GB" in str(refused.value)
    assert "districts" not in str(refused.value)  # not a city: no advice to split it
    with pytest.raises(ScenarioError, match="limits.max_memory_gb is 0.001"):  # the limit, not the machine
        memory.check_fits(load_scenario(TINY, overrides=["limits.max_memory_gb=0.001"]), available=1e15)


def test_a_city_that_does_not_fit_is_told_to_run_as_districts(tmp_path):
    import pytest
    from test_partition import make_city

    from governance_sim.scenario import ScenarioError

    one_model = load_scenario(make_city(tmp_path), overrides=["city.partition=none"])
    with pytest.raises(ScenarioError, match=r"city\.partition=districts"):
        memory.check_fits(one_model, available=1.0)
    districts = load_scenario(make_city(tmp_path), overrides=["city.partition=districts"])
    memory.check_fits(districts, available=1.0)  # streamed: not sized by the one-model estimate


def test_govsim_run_refuses_before_building_and_writes_nothing(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(TINY, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(path), "-d", "3", "--set", "limits.max_memory_gb=0.01", "-o", str(out)])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "limits.max_memory_gb" in lines[0] and "Traceback" not in res.output
    assert not out.exists()
    res = runner.invoke(app, ["run", str(path), "-d", "3", "--set", "limits.max_memory_gb=50", "-q"])
    assert res.exit_code == 0, res.output


def test_run_refuses_unless_asked_not_to(monkeypatch):
    import pytest

    from governance_sim import run
    from governance_sim.scenario import ScenarioError

    monkeypatch.setattr(memory, "available_bytes", lambda: 1e6)  # a machine with 1 MB free
    with pytest.raises(ScenarioError, match="limits.max_memory_gb"):
        run(TINY, days=2)
    assert len(run(TINY, days=2, check_memory=False).summary) == 1  # an experiment's run: its pool was sized


def test_an_experiment_of_which_not_one_run_fits_is_refused_up_front(tmp_path, monkeypatch):
    _tight(monkeypatch, available=1e6)
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump({**TINY, "variants": {"a": {}, "b": {}}}, allow_unicode=True), encoding="utf-8")
    res = runner.invoke(app, ["compare", str(path), "--variants", "a,b", "--reps", "1", "-d", "2",
                              "-o", str(tmp_path / "cmp")])
    assert res.exit_code == 2 and "limits.max_memory_gb" in res.output and "internal error" not in res.output
    assert not (tmp_path / "cmp").exists()
    _tight(monkeypatch, available=1e6)
    res = runner.invoke(app, ["compare", str(path), "--variants", "a,b", "--reps", "1", "-d", "2", "-q",
                              "--set", "limits.max_memory_gb=100"])  # lifted deliberately: one at a time
    assert res.exit_code == 0, res.output


def test_bad_memory_limits_are_refused_naming_the_field():
    import math

    import pytest
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from governance_sim.scenario import ScenarioError

    def a_valid_number(text: str) -> bool:  # text that reads as a number in range is accepted, as elsewhere
        try:
            value = float(text)
        except ValueError:
            return False
        return 0 < value <= 1e6

    bad = st.one_of(st.floats(max_value=0.0), st.just(math.nan), st.just(math.inf), st.floats(min_value=1.0001e6),
                    st.text(max_size=5).filter(lambda t: not a_valid_number(t)), st.sampled_from(["0", "-1", "1e7", "nan"]),
                    st.booleans(), st.lists(st.integers(), max_size=2))

    @settings(max_examples=60, deadline=None, database=None)
    @given(bad)
    def check(value):
        with pytest.raises(ScenarioError, match=r"limits\.max_memory_gb"):
            load_scenario({**TINY, "limits": {"max_memory_gb": value}})

    check()
