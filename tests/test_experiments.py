"""Sweeps: designs, seeds, the result store (crash and resume), executors, failures, CLI,
sensitivity analysis, and the interop functions (``evaluate``, ``mesa.batch_run``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import mesa
import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from governance_sim import GovernanceModel, evaluate, open_store, run, sensitivity, sweep
from governance_sim.cli import app
from governance_sim.experiments.designs import SpecError, design_points, parse_param, parse_params
from governance_sim.experiments.executors import LocalExecutor, SequentialExecutor
from governance_sim.experiments.seeds import run_seed, run_seeds
from governance_sim.experiments.store import StoreError
from governance_sim.experiments.sweep import plan_sweep, run_plan

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
cli = CliRunner()
VOLATILE = ["elapsed_s", "cpu_s"]  # timings differ between runs; everything else must not


@pytest.fixture
def tiny_path(tiny, tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny, allow_unicode=True))
    return path


def same_results(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.drop(columns=VOLATILE).reset_index(drop=True),
                                  b.drop(columns=VOLATILE).reset_index(drop=True))


# --------------------------------------------------------------------------- designs


def test_specs_parse_into_ranges_lists_and_distributions():
    r = parse_param("a.b", "0:1")
    assert (r.kind, r.low, r.high, r.levels) == ("range", 0.0, 1.0, None)
    assert parse_param("a.b", "0.1:0.5:3").levels == 3
    lst = parse_param("arrangement.name", "[baseline, zone_line]")
    assert lst.kind == "list" and lst.values == ("baseline", "zone_line")
    d = parse_param("a.b", "normal(0.5, 0.1)")
    assert (d.kind, d.dist, d.args) == ("dist", "normal", (0.5, 0.1))
    assert parse_param("a.b", [1, 2]).values == (1, 2)
    assert parse_param("a.b", (0, 2)).high == 2.0
    assert [p.column for p in parse_params(["a.b=0:1", "c.d.e=[1]"])] == ["a__b", "c__d__e"]


@pytest.mark.parametrize("spec, words", [
    ("1:0", "lo < hi"), ("0:a", "allowed: a range"), ("[]", "at least one"), ("[1", "cannot read the list"),
    ("gamma(1,2)", "unknown distribution"), ("normal(1)", "takes 2 numbers"), ("normal(0,-1)", "invalid"),
    ("0:1:1", "at least 2"), ("oops", "allowed"),
])
def test_bad_specs_name_the_parameter_and_what_is_allowed(spec, words):
    with pytest.raises(SpecError) as err:
        parse_param("arrangement.p_buckpass", spec)
    assert err.value.field == "arrangement.p_buckpass" and words in err.value.message


def test_grid_is_the_full_factorial_with_the_range_ends():
    params = parse_params({"a": "0:1:3", "b": "[x, y]", "c": "10:20"})
    points, unit = design_points(params, "grid", samples=4)
    assert unit is None and len(points) == 3 * 2 * 4
    assert sorted(set(points["a"])) == [0.0, 0.5, 1.0]
    assert set(points["b"]) == {"x", "y"}
    assert points["c"].min() == 10 and points["c"].max() == 20
    assert not points.duplicated().any()


def test_latin_hypercube_puts_one_point_in_each_stratum():
    params = parse_params({"a": "0:2", "b": "-1:1"})
    points, unit = design_points(params, "lhs", samples=20, seed=3)
    assert len(points) == 20
    for j, p in enumerate(params):
        assert sorted((unit[:, j] * 20).astype(int)) == list(range(20))  # Latin property
        assert points[p.column].between(p.low, p.high).all()


def test_sobol_and_morris_sizes_follow_salib():
    params = parse_params({"a": "0:1", "b": "[1,2,3]", "c": "uniform(5,6)"})
    sob, _ = design_points(params, "sobol", samples=16)
    assert len(sob) == 16 * (3 + 2)
    assert sob["c"].between(5, 6).all() and set(sob["b"]) <= {1, 2, 3}
    mor, _ = design_points(parse_params({"a": "0:1", "b": "[1,2,3]"}), "morris", samples=5)
    assert len(mor) == 5 * (2 + 1)
    with pytest.raises(SpecError, match="power of 2"):
        design_points(params, "sobol", samples=10)
    with pytest.raises(SpecError, match="no levels"):
        design_points(params, "grid")


def test_distributions_are_sampled_through_their_inverse_cdf():
    params = parse_params({"n": "normal(0.5,0.1)", "t": "triangular(0,0,1)", "l": "[a,b,c,d]"})
    points, _ = design_points(params, "lhs", samples=400, seed=1)
    assert abs(points["n"].mean() - 0.5) < 0.01 and abs(points["n"].std() - 0.1) < 0.01
    assert abs(points["t"].mean() - 1 / 3) < 0.02 and points["t"].between(0, 1).all()
    assert points["l"].value_counts().to_dict() == {"a": 100, "b": 100, "c": 100, "d": 100}


def test_integer_fields_get_whole_numbers_over_the_whole_range(tiny):
    plan = plan_sweep(tiny, {"territory.departments.urban.staff": "1:4"}, design="lhs", samples=40, days=5)
    staff = plan.runs["territory__departments__urban__staff"]
    assert staff.dtype.kind == "i" and set(staff) == {1, 2, 3, 4}
    grid = plan_sweep(tiny, {"territory.departments.urban.staff": "1:4"}, design="grid", days=5)
    assert list(grid.runs["territory__departments__urban__staff"]) == [1, 2, 3, 4]


# --------------------------------------------------------------------------- seeds


def test_run_seeds_depend_only_on_sweep_seed_and_run_id():
    ids = list(range(50))
    forward = run_seeds(11, ids)
    shuffled = np.random.default_rng(0).permutation(ids)
    assert [run_seed(11, int(i)) for i in shuffled] == [forward[i] for i in shuffled]
    assert forward == [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(11).spawn(50)]
    assert len(set(forward)) == 50
    assert run_seeds(12, ids) != forward


def test_plan_seeds_per_run_or_common_per_replicate(tiny):
    plan = plan_sweep(tiny, {"arrangement.p_buckpass": "[0.1,0.2,0.3]"}, reps=2, seed=5, days=5)
    assert list(plan.runs["seed"]) == run_seeds(5, range(6))
    crn = plan_sweep(tiny, {"arrangement.p_buckpass": "[0.1,0.2,0.3]"}, reps=2, seed=5, days=5,
                     common_seeds=True)
    assert list(crn.runs["seed"]) == [run_seed(5, r) for r in (0, 1) * 3]


# --------------------------------------------------------------------------- store and resume

SWEEP_ARGS = ["--param", "arrangement.p_buckpass=0:0.6", "--param", "roles.grid_worker.detection_prob=[0.1,0.4]",
              "--design", "lhs", "--samples", "20", "--reps", "2", "--days", "10", "--seed", "4"]
SWEEP_KW = dict(params={"arrangement.p_buckpass": "0:0.6", "roles.grid_worker.detection_prob": "[0.1,0.4]"},
                design="lhs", samples=20, reps=2, days=10, seed=4, progress=False)


def test_resume_after_kill_9_has_every_run_exactly_once(tiny_path, tmp_path):
    out = tmp_path / "store"
    cmd = [sys.executable, "-c", "from governance_sim.cli import app; app()", "sweep", str(tiny_path),
           *SWEEP_ARGS, "--workers", "2", "--timeseries", "--out", str(out), "-q"]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "runs").glob("run-*.parquet"))) >= 4:
                break
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes, mid-write or not
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    store = open_store(out)
    killed_at = len(store.part_ids())
    assert 4 <= killed_at < 40

    resumed = sweep(tiny_path, **SWEEP_KW, workers=2, timeseries=True, out=out, resume=True)
    assert list(resumed["run_id"]) == list(range(40))  # each run exactly once
    assert (resumed["status"] == "ok").all()
    assert store.query("SELECT count(*) AS n FROM pending")["n"].iloc[0] == 0
    ts = store.query("SELECT run_id, count(*) AS days FROM timeseries GROUP BY run_id ORDER BY run_id")
    assert list(ts["run_id"]) == list(range(40)) and (ts["days"] == 10).all()
    assert not list(out.rglob("*.tmp"))
    reference = sweep(tiny_path, **SWEEP_KW, workers=1)
    same_results(resumed, reference)


def test_ctrl_c_stops_cleanly_and_resume_finishes(tiny_path, tmp_path):
    out = tmp_path / "store"
    args = ["sweep", str(tiny_path), *SWEEP_ARGS, "--workers", "2", "--out", str(out)]
    proc = subprocess.Popen([sys.executable, "-c", "from governance_sim.cli import app; app()", *args],
                            cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "runs").glob("run-*.parquet"))) >= 3:
                break
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole process group
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "--resume" in err
    store = open_store(out)
    stored = store.part_ids()
    assert 3 <= len(stored) < 40 and f"{len(stored)} of 40 runs" in " ".join(err.split())
    assert len(store.query("SELECT * FROM pending")) == 40 - len(stored)
    assert not list(out.rglob("*.tmp"))
    res = cli.invoke(app, [*args, "--resume", "-q"])
    assert res.exit_code == 0, res.output
    assert list(store.runs["run_id"]) == list(range(40))


def test_resume_ignores_half_written_parts_and_unfinished_timeseries(tiny, tmp_path):
    out = tmp_path / "store"
    kw = dict(params={"arrangement.p_buckpass": "[0.0,0.5]"}, reps=3, days=5, timeseries=True)
    plan = plan_sweep(tiny, **kw)
    store = run_plan(plan, out, SequentialExecutor())
    # what a crash leaves: a truncated temporary part, and a series whose run part never landed
    (out / "runs" / ".run-000007.parquet.dead.tmp").write_bytes(b"PAR1 truncated")
    (out / "runs" / "run-000004.parquet").unlink()
    (out / "runs" / "run-000005.parquet").unlink()
    assert list(store.query("SELECT run_id FROM pending")["run_id"]) == [4, 5]
    assert 4 not in set(store.query("SELECT DISTINCT run_id FROM timeseries")["run_id"])
    df = sweep(tiny, **kw, workers=1, out=out, resume=True, progress=False)
    assert list(df["run_id"]) == list(range(6))
    assert store.query("SELECT count(*) n, count(DISTINCT run_id) k FROM timeseries").iloc[0].tolist() == [30, 6]
    assert not list(out.rglob("*.tmp"))


def test_existing_store_needs_resume_and_the_same_sweep(tiny, tmp_path):
    out = tmp_path / "store"
    kw = dict(params={"arrangement.p_buckpass": "[0.0,0.5]"}, days=5, workers=1, progress=False)
    sweep(tiny, **kw, out=out)
    before = sorted(p.name for p in out.rglob("*"))
    with pytest.raises(StoreError, match="--resume"):
        sweep(tiny, **kw, out=out)
    with pytest.raises(StoreError, match="differs in: params"):
        sweep(tiny, **{**kw, "params": {"arrangement.p_buckpass": "[0.0,0.6]"}}, out=out, resume=True)
    with pytest.raises(StoreError, match="days"):
        sweep(tiny, **{**kw, "days": 6}, out=out, resume=True)
    assert sorted(p.name for p in out.rglob("*")) == before
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a sweep store"):
        sweep(tiny, **kw, out=tmp_path / "other")


# --------------------------------------------------------------------------- executors and failures


def test_sequential_and_local_executors_give_identical_results(tiny):
    kw = dict(params={"arrangement.p_buckpass": "0:0.6", "roles.resident.trust0": "normal(0.5,0.1)"},
              design="lhs", samples=5, reps=2, days=10, seed=9, progress=False)
    seq = sweep(tiny, **kw, executor=SequentialExecutor())
    loc = sweep(tiny, **kw, executor=LocalExecutor(2))
    same_results(seq, loc)
    assert seq["cases_created"].nunique() > 1  # the runs differ from one another


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tiny, tmp_path):
    tiny["calendar"] = {"workday_start_h": 6.0}
    # each value is valid alone; only 6 + 16 + 4 > 24 h breaks the calendar, at one point of four
    params = {"calendar.workday_hours": "[8,16]", "calendar.overtime_cap_h": "[2,4]"}
    out = tmp_path / "store"
    df = sweep(tiny, params, reps=2, days=5, workers=2, out=out, progress=False)
    assert list(df["run_id"]) == list(range(8))
    bad = df[df["status"] == "error"]
    assert set(bad["point"]) == {3} and len(bad) == 2
    assert (bad["calendar__workday_hours"] == 16).all() and (bad["calendar__overtime_cap_h"] == 4).all()
    assert bad["error"].str.contains("workday_hours").all()
    assert df.loc[df["status"] == "ok", "cases_created"].notna().all()
    failures = open_store(out).failures
    assert list(failures["run_id"]) == list(bad["run_id"]) and failures["seed"].notna().all()
    again = sweep(tiny, params, reps=2, days=5, workers=1, out=out, resume=True, progress=False)
    assert list(again["run_id"]) == list(range(8)) and (again["status"] == "error").sum() == 2


# --------------------------------------------------------------------------- CLI


@pytest.mark.parametrize("args, words", [
    (["--param", "arrangement.p_buckpass=0:x"], ["arrangement.p_buckpass", "lo:hi", "[a,b,c]"]),
    (["--param", "arrangement.p_buckpass=0:2"], ["arrangement.p_buckpass", "less than or equal to 1"]),
    (["--param", "arrangement.p_buckpas=0:1"], ["arrangement.p_buckpas", "p_buckpass"]),
    (["--param", "arrangement.p_buckpass=normal(0.2,0.1)"], ["arrangement.p_buckpass", "grid"]),
    (["--param", "territory.departments.nope.staff=[1,2]"], ["nope", "urban"]),
    (["--param", "arrangement.name=[baseline,nope]"], ["arrangement.name", "nope", "baseline"]),
    (["--param", "arrangement.p_buckpass"], ["PATH=SPEC"]),
    (["--param", "arrangement.p_buckpass=0:1", "--design", "sobol", "--samples", "12"], ["power of 2"]),
    (["--param", "arrangement.p_buckpass=0:1", "--design", "random"], ["grid, lhs, sobol"]),
    ([], ["--param"]),
])
def test_cli_bad_params_exit_2_with_a_clear_message_and_write_nothing(tiny_path, tmp_path, args, words):
    out = tmp_path / "out"
    res = cli.invoke(app, ["sweep", str(tiny_path), *args, "--days", "3", "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and res.output.startswith("error:")
    for w in words:
        assert w in res.output
    assert not out.exists()


def test_cli_sweep_then_query(tiny_path, tmp_path):
    out = tmp_path / "out"
    res = cli.invoke(app, ["sweep", str(tiny_path), "--param", "arrangement.p_buckpass=[0.0,0.6]",
                           "--reps", "2", "--days", "8", "--workers", "1", "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert "4 runs ok, 0 failed" in res.output
    res = cli.invoke(app, ["query", str(out), "SELECT arrangement__p_buckpass AS p, count(*) AS n, "
                                              "sum(buckpass_events) AS bp FROM runs GROUP BY 1 ORDER BY 1"])
    assert res.exit_code == 0, res.output
    rows = open_store(out).query("SELECT arrangement__p_buckpass p, sum(buckpass_events) bp FROM runs "
                                 "GROUP BY 1 ORDER BY 1")
    assert rows["bp"].iloc[0] == 0  # no buck-passing without its probability
    assert "2 rows" in res.output and f"{rows['bp'].iloc[1]:g}" in res.output
    res = cli.invoke(app, ["query", str(out), "SELECT nope FROM runs"])
    assert res.exit_code == 2 and "nope" in res.output and "Traceback" not in res.output
    res = cli.invoke(app, ["query", str(tmp_path), "SELECT 1"])
    assert res.exit_code == 2 and "not a result store" in res.output
    res = cli.invoke(app, ["sweep", str(tiny_path), "--param", "arrangement.p_buckpass=[0.0,0.6]",
                           "--days", "8", "--out", str(out)])
    assert res.exit_code == 2 and "--resume" in res.output


# --------------------------------------------------------------------------- sensitivity


def test_morris_finds_no_effect_of_a_reporting_only_parameter(tiny, tmp_path):
    # metrics.response_deadline_h changes how response_rate is counted, never what happens
    params = {"arrangement.p_buckpass": "0:0.8", "metrics.response_deadline_h": "4:72"}
    idx = sensitivity(tiny, params, method="morris", outputs=["buckpass_events", "response_rate"],
                      samples=4, days=15, workers=1, out=tmp_path / "sa", progress=False)
    assert set(idx["output"]) == {"buckpass_events", "response_rate"} and len(idx) == 4
    by = idx.set_index(["output", "parameter"])
    assert by.loc[("buckpass_events", "metrics.response_deadline_h"), "mu_star"] == 0.0
    assert by.loc[("buckpass_events", "arrangement.p_buckpass"), "mu_star"] > 0
    assert by.loc[("response_rate", "metrics.response_deadline_h"), "mu_star"] > 0
    assert {"mu_star_conf", "sigma"} <= set(idx.columns)
    assert (tmp_path / "sa" / "sensitivity.png").stat().st_size > 0
    assert len(pd.read_parquet(tmp_path / "sa" / "sensitivity.parquet")) == 4


def test_sobol_indices_with_confidence_for_each_output(tiny):
    idx = sensitivity(tiny, {"arrangement.p_buckpass": "0:0.8", "metrics.response_deadline_h": "4:72"},
                      method="sobol", outputs="buckpass_events,response_rate", samples=8, days=20,
                      workers=2, progress=False)
    assert len(idx) == 4 and set(idx["method"]) == {"sobol"}
    assert np.isfinite(idx[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()).all()
    st = idx.set_index(["output", "parameter"])["ST"]
    assert st[("buckpass_events", "metrics.response_deadline_h")] == pytest.approx(0.0, abs=1e-12)
    assert st[("buckpass_events", "arrangement.p_buckpass")] > 0


def test_sensitivity_rejects_unknown_outputs_before_running(tiny_path, tmp_path):
    res = cli.invoke(app, ["sensitivity", str(tiny_path), "--param", "arrangement.p_buckpass=0:1",
                           "--method", "morris", "--output", "resolution_rate,happiness", "--days", "3",
                           "--out", str(tmp_path / "sa")])
    assert res.exit_code == 2 and "happiness" in res.output and "resolution_rate" in res.output
    assert not (tmp_path / "sa").exists()


# --------------------------------------------------------------------------- interop


def test_evaluate_returns_the_numeric_summary_and_takes_dotted_keywords(tiny):
    a = evaluate(tiny, seed=3, days=10, arrangement__p_buckpass=0.0)
    b = evaluate(tiny, seed=3, days=10, **{"arrangement.p_buckpass": 0.0})
    assert a == pytest.approx(b, nan_ok=True)
    assert all(isinstance(v, float) for v in a.values())
    assert "scenario_hash" not in a and "seed" not in a
    assert a["buckpass_events"] == 0.0
    summary = run(tiny, seed=3, days=10, overrides={"arrangement.p_buckpass": 0.0}).metrics
    assert a["cases_created"] == summary["cases_created"]


def test_mesa_batch_run_returns_model_reporters_and_applies_keyword_overrides(tiny_path):
    results = mesa.batch_run(
        GovernanceModel,
        {"scenario": str(tiny_path), "seed": [1, 2], "arrangement__p_buckpass": [0.0, 0.9]},
        max_steps=12, number_processes=1, display_progress=False,
    )
    assert len(results) == 4
    for r in results:
        days = r["day"]
        expected = run(tiny_path, seed=r["seed"], days=days,
                       overrides={"arrangement.p_buckpass": r["arrangement__p_buckpass"]}).timeseries.iloc[-1]
        for key in ("cases_created", "cases_reported", "cases_resolved", "buckpass_events", "open_cases"):
            assert r[key] == expected[key]
        if r["arrangement__p_buckpass"] == 0.0:
            assert r["buckpass_events"] == 0
    assert sum(r["buckpass_events"] for r in results if r["arrangement__p_buckpass"] == 0.9) > 0
