"""Calibration: targets and priors, recovering known parameters, outputs, resuming, Dask, the CLI,
and forecasts with ``compare(..., posterior=...)``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dask_cluster import dask_cluster
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from governance_sim import compare
from governance_sim.calibration import CalibrationError, calibrate, read_targets
from governance_sim.calibration.posterior import read_posterior
from governance_sim.calibration.priors import parse_priors
from governance_sim.calibration.report import interval
from governance_sim.calibration.simulate import Simulator
from governance_sim.calibration.targets import available_metrics, check_metrics
from governance_sim.cli import app
from governance_sim.runner import run
from governance_sim.scenario import load_scenario

pytest.importorskip("pyabc")
pytest.importorskip("optuna")

ROOT = Path(__file__).resolve().parent.parent
BEIJING = ROOT / "scenarios" / "beijing_street.yaml"
SMALL = {"territory.population": 20000, "territory.communities_per_street": 4}
DAYS = 30
PRIORS = ["arrangement.p_buckpass=0:0.8", "roles.resident.trust0=0.2:0.8"]
TRUTH = {"arrangement.p_buckpass": 0.45, "roles.resident.trust0": 0.6}
METRICS = ["buckpass_events_per_1000_per_year", "hotline_calls_per_1000_per_year", "hotline_satisfaction_rate"]
runner = CliRunner()


@pytest.fixture(scope="module")
def small() -> dict:
    """beijing_street under classic 12345 dispatch, shrunk to 20,000 people (runs in ~0.1 s)."""
    return load_scenario(BEIJING, "hotline_classic", SMALL, days=DAYS).model_dump(mode="json")


@pytest.fixture(scope="module")
def synthetic(small) -> dict:
    """Targets made from one run at TRUTH; each sd is the run-to-run sd at the truth."""
    sim = Simulator(small, tuple(parse_priors(PRIORS)),
                    tuple(read_targets({"targets": {m: {"value": 1, "sd": 1} for m in METRICS}})), DAYS)
    params = {k.replace(".", "__"): v for k, v in TRUTH.items()}
    observed = sim(params, seed=12345)
    noise = pd.DataFrame([sim(params, seed=s) for s in range(4)])
    return {"targets": {m: {"value": float(observed[m]), "sd": max(float(noise[m].std()), 1e-3),
                            "source": "simulated at the truth"} for m in METRICS}}


# --------------------------------------------------------------------------- targets and priors

def test_targets_file_is_read_with_sources(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("targets:\n  hotline_solution_rate: {value: 0.9, sd: 0.05, source: 北京晚报 2010}\n",
                    encoding="utf-8")
    [t] = read_targets(path)
    assert (t.metric, t.value, t.sd, t.source) == ("hotline_solution_rate", 0.9, 0.05, "北京晚报 2010")


@settings(max_examples=30, deadline=None)
@given(sd=st.one_of(st.floats(max_value=0.0), st.just(float("nan")), st.text(max_size=3), st.none()))
def test_a_bad_sd_is_one_error_naming_the_field(sd):
    with pytest.raises(CalibrationError) as err:
        read_targets({"targets": {"hotline_solution_rate": {"value": 0.9, "sd": sd}}})
    assert err.value.field == "targets.hotline_solution_rate.sd"


@pytest.mark.parametrize("raw, field", [
    ({}, "targets"), ({"targets": []}, "targets"), ({"targets": {"x": 3}}, "targets.x"),
    ({"targets": {"x": {"value": 1, "sd": 1, "weight": 2}}}, "targets.x.weight"),
    ({"targets": {"x": {"value": "high", "sd": 1}}}, "targets.x.value"),
])
def test_malformed_targets_name_the_field(raw, field):
    with pytest.raises(CalibrationError) as err:
        read_targets(raw)
    assert err.value.field == field


def test_an_unknown_metric_lists_the_available_ones_including_derived(small):
    summary = run(small, seed=0, days=1).metrics
    names = available_metrics(summary)
    assert "hotline_calls_per_1000_per_year" in names and "hotline_satisfaction_rate" in names
    assert "resolution_rate_per_1000_per_year" not in names  # only counts have a per-1,000 rate
    with pytest.raises(CalibrationError, match="available: .*hotline_calls_per_1000_per_year"):
        check_metrics(read_targets({"targets": {"hotline_solved": {"value": 1, "sd": 1}}}), summary)


def test_derived_rate_is_the_count_per_1000_people_per_year(small):
    targets = read_targets({"targets": {"hotline_calls_per_1000_per_year": {"value": 1, "sd": 1},
                                        "hotline_calls": {"value": 1, "sd": 1}}})
    sim = Simulator(small, tuple(parse_priors(PRIORS)), tuple(targets), DAYS)
    got = sim({"arrangement__p_buckpass": 0.3, "roles__resident__trust0": 0.5}, seed=3)
    assert got["hotline_calls_per_1000_per_year"] == pytest.approx(
        got["hotline_calls"] * 1000 * 365 / (20000 * DAYS))


def test_priors_uniform_and_log_uniform():
    a, b = parse_priors(["arrangement.p_buckpass=0:0.8", "roles.resident.patience_h=log:12:480"])
    assert (a.low, a.high, a.log) == (0.0, 0.8, False) and (b.low, b.high, b.log) == (12.0, 480.0, True)
    assert b.from_unit(0.5) == pytest.approx((12 * 480) ** 0.5)


@pytest.mark.parametrize("spec", ["x.y=0.8:0.1", "x.y=log:0:1", "x.y=[1,2]", "x.y=0:1:5", "x.y", "x.y=normal(0,1)"])
def test_bad_priors_are_one_error(spec):
    with pytest.raises(CalibrationError):
        parse_priors([spec])


# --------------------------------------------------------------------------- recovering known parameters

def test_abc_recovers_known_parameters(small, synthetic, tmp_path):
    # one core: pyabc's single-core sampler is reproducible, so the check is not at the mercy
    # of which of two processes finishes first (the multicore sampler is tested below)
    cal = calibrate(small, synthetic, PRIORS, method="abc", budget=200, days=DAYS, workers=1, draws=10,
                    seed=3, out=tmp_path / "cal")
    for prior in cal.priors:
        lo, hi = interval(cal.posterior, prior.path, 0.9)
        assert lo <= TRUTH[prior.path] <= hi, (prior.path, lo, hi)
        assert hi - lo < 0.75 * prior.width, (prior.path, lo, hi)


def test_abc_runs_on_two_local_processes(small, synthetic, tmp_path):
    cal = calibrate(small, synthetic, PRIORS, budget=50, population=15, days=10, workers=2, draws=4, seed=2,
                    out=tmp_path / "abc2")
    post = cal.posterior
    assert len(post) == 15 and len(cal.predictive) == 4
    assert post["weight"].sum() == pytest.approx(1.0) and post["arrangement.p_buckpass"].between(0, 0.8).all()


def test_optimize_finds_a_point_near_the_truth(small, synthetic, tmp_path):
    cal = calibrate(small, synthetic, PRIORS, method="optimize", budget=40, days=DAYS, workers=1, draws=5,
                    seed=1, out=tmp_path / "opt")
    assert len(cal.posterior) == 1 and cal.posterior["weight"].iloc[0] == 1.0
    assert abs(cal.posterior["arrangement.p_buckpass"].iloc[0] - 0.45) < 0.2
    assert len(cal.trials) == 40 and (tmp_path / "opt" / "profile.parquet").exists()
    assert set(cal.profile["parameter"]) == {"arrangement.p_buckpass", "roles.resident.trust0"}


# --------------------------------------------------------------------------- outputs and resuming

@pytest.fixture(scope="module")
def fitted(small, synthetic, tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "fit"
    calibrate(small, synthetic, PRIORS, budget=60, population=20, days=20, workers=1, draws=8, seed=5, out=out)
    return out


def test_posterior_and_predictive_schema(fitted):
    post = pd.read_parquet(fitted / "posterior.parquet")
    assert list(post.columns) == ["arrangement.p_buckpass", "roles.resident.trust0", "weight", "distance",
                                  "generation"]
    assert post["weight"].sum() == pytest.approx(1.0) and (post["weight"] > 0).all()
    assert post["generation"].nunique() == 1 and post["generation"].iloc[0] >= 0  # the last generation only
    assert post["arrangement.p_buckpass"].between(0, 0.8).all() and post["distance"].ge(0).all()
    pred = pd.read_parquet(fitted / "predictive.parquet")
    assert len(pred) == 8 and set(METRICS) <= set(pred.columns) and list(pred["draw"]) == list(range(8))
    report = (fitted / "report.txt").read_text(encoding="utf-8")
    for words in ("accepted particles", "effective sample size", "acceptance", "wall time", "simulated at the truth"):
        assert words in report
    assert (fitted / "calibration.png").stat().st_size > 10_000
    assert not list(fitted.glob(".*partial*"))


def test_resume_goes_on_to_the_larger_budget(fitted, small, synthetic, tmp_path):
    out = tmp_path / "resumed"
    shutil.copytree(fitted, out)
    before = json.loads((out / "calibration.json").read_text())
    first = pd.read_parquet(out / "posterior.parquet")["generation"].iloc[0]
    cal = calibrate(small, synthetic, PRIORS, budget=130, population=20, days=20, workers=1, draws=8, seed=5,
                    out=out, resume=True)
    after = json.loads((out / "calibration.json").read_text())
    assert after["simulations"] >= 130 > before["simulations"]
    assert cal.posterior["generation"].iloc[0] > first
    assert cal.generations["generation"].tolist() == list(range(len(cal.generations)))


def test_a_calibration_interrupted_mid_generation_resumes(small, synthetic, tmp_path, monkeypatch):
    """Ctrl-C in the middle of a generation: the generations already stored are kept and
    ``resume`` goes on from the last of them to the budget."""
    out = tmp_path / "interrupted"
    calls = {"n": 0}
    real = Simulator.__call__

    def interrupted(self, params, seed=None):
        calls["n"] += 1
        if calls["n"] == 35:  # part-way through a generation of 20 particles
            raise KeyboardInterrupt
        return real(self, params, seed=seed)

    monkeypatch.setattr(Simulator, "__call__", interrupted)
    with pytest.raises(KeyboardInterrupt):
        calibrate(small, synthetic, PRIORS, budget=80, population=20, days=20, workers=1, draws=4,
                  seed=7, out=out)
    assert not (out / "posterior.parquet").exists()  # nothing of the unfinished fit is published
    assert not json.loads((out / "calibration.json").read_text())["finished"]
    monkeypatch.setattr(Simulator, "__call__", real)
    cal = calibrate(small, synthetic, PRIORS, budget=80, population=20, days=20, workers=1, draws=4,
                    seed=7, out=out, resume=True)
    assert cal.generations["generation"].tolist() == list(range(len(cal.generations)))
    assert len(cal.generations) >= 2 and cal.posterior["generation"].iloc[0] >= 1
    assert json.loads((out / "calibration.json").read_text())["simulations"] >= 80


def test_a_used_folder_needs_resume_and_the_same_inputs(fitted, small, synthetic):
    with pytest.raises(CalibrationError, match="--resume"):
        calibrate(small, synthetic, PRIORS, budget=60, days=20, out=fitted)
    with pytest.raises(CalibrationError, match="other inputs"):
        calibrate(small, synthetic, PRIORS, budget=60, days=21, out=fitted, resume=True)


# --------------------------------------------------------------------------- identifiability check

def test_check_warns_about_a_parameter_that_moves_no_target(small, synthetic, tmp_path):
    params = ["arrangement.p_buckpass=0:0.8", "metrics.response_deadline_h=12:48"]
    cal = calibrate(small, synthetic, params, days=20, workers=1, check=True, out=tmp_path / "chk")
    assert set(cal.check["parameter"]) == {"arrangement.p_buckpass", "metrics.response_deadline_h"}
    [warning] = cal.warnings
    assert warning.startswith("metrics.response_deadline_h barely moves any target")
    assert not (tmp_path / "chk" / "posterior.parquet").exists()


# --------------------------------------------------------------------------- forecasts

def test_compare_draws_one_particle_per_replicate_for_every_variant(small):
    post = pd.DataFrame({"arrangement.p_buckpass": [0.05, 0.7], "roles.resident.trust0": [0.3, 0.7],
                         "weight": [0.5, 0.5], "distance": [1.0, 1.0], "generation": [3, 3]})
    cmp = compare(small, ["hotline_classic", "hotline_direct"], reps=6, days=10, workers=1, posterior=post)
    runs = cmp.runs
    per_rep = runs.groupby("rep")["arrangement.p_buckpass"].nunique()
    assert (per_rep == 1).all()  # both variants of a replicate ran the same particle
    assert set(runs["arrangement.p_buckpass"]) <= {0.05, 0.7}
    assert runs.groupby("rep")["seed"].nunique().eq(1).all()
    assert (cmp.table["uncertainty"] == "parameter + stochastic").all()
    assert "arrangement.p_buckpass" not in set(cmp.table["metric"])
    plain = compare(small, ["hotline_classic"], reps=2, days=5, workers=1)
    assert (plain.table["uncertainty"] == "stochastic").all()


def test_particle_draws_are_seeded_and_follow_the_weights(small):
    post = read_posterior(pd.DataFrame({"a.b": [0.0, 1.0], "weight": [1, 3], "distance": 0.0, "generation": 1}))
    from governance_sim.calibration.posterior import draw_particles

    draws = draw_particles(post, 2000, seed=4)
    assert draws == draw_particles(post, 2000, seed=4)
    share = np.mean([d[1]["a.b"] == 1 for d in draws])
    assert 0.72 < share < 0.78


# --------------------------------------------------------------------------- command line

def _targets_file(tmp_path, synthetic) -> Path:
    import yaml

    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(synthetic, allow_unicode=True), encoding="utf-8")
    return path


def _one_line_error(res) -> str:
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in res.output, res.output
    return lines[0]


def test_cli_calibrate_and_compare_with_the_posterior(tmp_path, synthetic):
    targets = _targets_file(tmp_path, synthetic)
    sets = [a for k, v in SMALL.items() for a in ("--set", f"{k}={v}")]
    scenario = tmp_path / "small.yaml"
    import yaml

    scenario.write_text(yaml.safe_dump(load_scenario(BEIJING, overrides=SMALL).model_dump(mode="json"),
                                       allow_unicode=True), encoding="utf-8")
    res = runner.invoke(app, ["calibrate", str(scenario), "--variant", "hotline_classic", "--targets", str(targets),
                              "--param", PRIORS[0], "--param", PRIORS[1], "--budget", "50", "--population", "15",
                              "--days", "10", "--draws", "4", "--workers", "1", "--out", str(tmp_path / "cal"), "-q"])
    assert res.exit_code == 0, res.output
    assert "effective sample size" in res.output
    res = runner.invoke(app, ["compare", str(BEIJING), "--variants", "hotline_classic,hotline_direct", "--reps", "2",
                              "--days", "5", "--workers", "1", *sets,
                              "--posterior", str(tmp_path / "cal" / "posterior.parquet")])
    assert res.exit_code == 0, res.output
    assert "parameter + stochastic" in " ".join(res.output.split())


@pytest.mark.parametrize("args, words", [
    (["--param", "arrangement.p_buckpas=0:0.8"], "arrangement.p_buckpas"),
    (["--param", "arrangement.p_buckpass=0.8:0"], "lo < hi"),
    (["--param", "arrangement.p_buckpass=0:0.8", "--method", "mcmc"], "allowed: abc, optimize"),
    (["--param", "arrangement.p_buckpass=0:0.8", "--budget", "3"], "--budget"),
    ([], "--param"),
])
def test_cli_errors_are_one_line_with_exit_2(tmp_path, synthetic, args, words):
    targets = _targets_file(tmp_path, synthetic)
    res = runner.invoke(app, ["calibrate", str(BEIJING), "--targets", str(targets), "--days", "2", *args,
                              "--out", str(tmp_path / "o")])
    assert words in _one_line_error(res)
    assert not (tmp_path / "o").exists()


def test_cli_unknown_metric_lists_the_available_ones(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("targets:\n  hotline_solved: {value: 0.9, sd: 0.05}\n", encoding="utf-8")
    res = runner.invoke(app, ["calibrate", str(BEIJING), "--variant", "hotline_classic", "--targets", str(path),
                              "--param", PRIORS[0], "--days", "2", "--out", str(tmp_path / "o")])
    line = _one_line_error(res)
    assert "hotline_solved" in line and "available:" in line and "hotline_solution_rate" in line


def test_cli_missing_extra_names_the_install_command(tmp_path, synthetic, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyabc", None)  # as if the extra were not installed
    res = runner.invoke(app, ["calibrate", str(BEIJING), "--targets", str(_targets_file(tmp_path, synthetic)),
                              "--param", PRIORS[0], "--days", "2", "--out", str(tmp_path / "o")])
    assert 'pip install -e ".[calibrate]"' in _one_line_error(res)


def test_cli_compare_rejects_a_table_that_is_not_a_posterior(tmp_path):
    bad = tmp_path / "p.parquet"
    pd.DataFrame({"x": [1.0]}).to_parquet(bad)
    res = runner.invoke(app, ["compare", str(BEIJING), "--variants", "hotline_classic", "--reps", "1",
                              "--days", "1", "--posterior", str(bad)])
    assert "not a posterior table" in _one_line_error(res)


# --------------------------------------------------------------------------- Dask

@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A real scheduler and two single-threaded workers on 127.0.0.1 (tests/dask_cluster.py)."""
    yield from dask_cluster(tmp_path_factory)


def test_abc_and_optimize_run_on_a_dask_cluster(small, synthetic, cluster, tmp_path):
    cal = calibrate(small, synthetic, PRIORS, budget=50, population=15, days=10, draws=4, seed=2,
                    scheduler=cluster, out=tmp_path / "abc")
    assert len(cal.posterior) == 15 and len(cal.predictive) == 4
    opt = calibrate(small, synthetic, PRIORS, method="optimize", budget=10, days=10, draws=2, seed=2,
                    scheduler=cluster, out=tmp_path / "opt")
    assert len(opt.trials) == 10


def test_a_wrong_scheduler_address_is_one_error(small, synthetic, tmp_path):
    with pytest.raises(CalibrationError) as err:
        calibrate(small, synthetic, PRIORS, budget=20, days=5, scheduler="tcp://127.0.0.1:1", workers=2,
                  out=tmp_path / "x")
    assert err.value.field == "--scheduler"
