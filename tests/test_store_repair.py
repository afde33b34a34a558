"""The result store checks itself: damaged, stray, duplicated and lost parts, a damaged
manifest or design, and concurrent writers.  After any damage, a resume restores every
run exactly once with results identical to an undamaged sweep."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from governance_sim import open_store
from governance_sim.cli import app
from governance_sim.experiments.executors import SequentialExecutor
from governance_sim.experiments.store import (
    MANIFEST,
    PARTS,
    QUARANTINE,
    ResultStore,
    StoreError,
    part_name,
)
from governance_sim.experiments.sweep import plan_sweep, run_plan

VOLATILE = ["elapsed_s", "cpu_s"]  # timings differ between runs; everything else must not
KW = dict(params={"arrangement.p_buckpass": "[0.0,0.5]"}, reps=3, days=4, timeseries=True)
N_RUNS = 6


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An undamaged sweep, its runs and series (built once for the module)."""
    from tests.conftest import TINY

    out = tmp_path_factory.mktemp("ref") / "store"
    store = run_plan(plan_sweep(TINY, **KW), out, SequentialExecutor())
    return out, store.runs, store.query("SELECT * FROM timeseries")


def fresh_copy(reference, tmp_path):
    out = tmp_path / "store"
    shutil.copytree(reference[0], out)
    (out / ".lock").unlink(missing_ok=True)
    return out


def resume(tiny, out):
    return run_plan(plan_sweep(tiny, **KW), out, SequentialExecutor(), resume=True)


def assert_restored(store, reference):
    runs = store.runs
    assert list(runs["run_id"]) == list(range(N_RUNS))  # every run exactly once
    pd.testing.assert_frame_equal(runs.drop(columns=VOLATILE), reference[1].drop(columns=VOLATILE))
    pd.testing.assert_frame_equal(store.query("SELECT * FROM timeseries"), reference[2])
    assert store.query("SELECT count(*) AS n FROM pending")["n"].iloc[0] == 0
    found = store.verified()
    assert not (found.damaged or found.lost or found.unrecorded or found.bad_records)


def part(out, run_id, sub="runs"):
    return out / sub / part_name(run_id)


DAMAGE = {
    "truncate": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "garble": lambda p: p.write_bytes(p.read_bytes()[:40] + b"\x00garbled\xff" + p.read_bytes()[50:]),
    "empty": lambda p: p.write_bytes(b""),
    "delete": lambda p: p.unlink(),
}


@pytest.mark.parametrize("how", sorted(DAMAGE))
@pytest.mark.parametrize("sub", ["runs", "timeseries"])
def test_damaged_parts_are_quarantined_and_resume_reruns_them(tiny, tmp_path, reference, how, sub):
    out = fresh_copy(reference, tmp_path)
    DAMAGE[how](part(out, 1, sub))
    DAMAGE[how](part(out, 4, sub))
    store = open_store(out)
    assert list(store.query("SELECT run_id FROM pending")["run_id"]) == [1, 4]  # query still works
    found = store.verified()
    if how == "delete" and sub == "runs":
        assert found.lost == [1, 4]
    else:
        assert sorted(found.damaged) == ["runs/run-000001.parquet", "runs/run-000004.parquet"]
        assert found.quarantined and all((out / q).exists() for q in found.quarantined)
    assert_restored(resume(tiny, out), reference)


def test_a_stray_copy_is_ignored_not_counted_twice(tiny, tmp_path, reference):
    out = fresh_copy(reference, tmp_path)
    shutil.copy(part(out, 2), out / "runs" / "run-000002 (copy).parquet")
    shutil.copy(part(out, 2), out / "runs" / "run-000099.parquet")  # not a run of this design
    (out / "runs" / "notes.txt").write_text("mine")
    store = open_store(out)
    assert len(store.runs) == N_RUNS
    assert sorted(store.verified().strays) == ["runs/notes.txt", "runs/run-000002 (copy).parquet",
                                               "runs/run-000099.parquet"]
    assert_restored_runs = resume(tiny, out).runs
    assert list(assert_restored_runs["run_id"]) == list(range(N_RUNS))
    assert (out / "runs" / "notes.txt").exists()  # strays are left alone


def test_a_part_copied_over_another_run_is_quarantined(tiny, tmp_path, reference):
    out = fresh_copy(reference, tmp_path)
    shutil.copy(part(out, 0), part(out, 3))
    assert 3 not in open_store(out).part_ids()
    assert_restored(resume(tiny, out), reference)


@pytest.mark.parametrize("how", ["garble", "delete", "truncate"])
def test_lost_parts_record_is_rebuilt_from_the_parts(tiny, tmp_path, reference, how):
    out = fresh_copy(reference, tmp_path)
    if how == "garble":
        (out / PARTS).write_bytes(b"\x00\xffnot json\n" * 3)
    elif how == "delete":
        (out / PARTS).unlink()
    else:  # a kill -9 in the middle of appending a record
        (out / PARTS).write_bytes((out / PARTS).read_bytes()[:-25])
    store = resume(tiny, out)
    assert_restored(store, reference)
    assert len((out / PARTS).read_text().splitlines()) == N_RUNS


@pytest.mark.parametrize("name", [MANIFEST, "design.parquet", "scenario.json"])
@pytest.mark.parametrize("how", ["garble", "delete"])
def test_damaged_manifest_or_design_is_refused_by_query_and_rebuilt_by_resume(tiny, tmp_path, reference,
                                                                             name, how):
    out = fresh_copy(reference, tmp_path)
    if how == "garble":
        (out / name).write_bytes(b"{\x00 garbled")
    else:
        (out / name).unlink()
    res = CliRunner().invoke(app, ["query", str(out), "SELECT count(*) FROM runs"])
    if name != "scenario.json":  # a query does not need the scenario
        assert res.exit_code == 2 and "--resume" in res.output and "Traceback" not in res.output
    store = resume(tiny, out)
    assert_restored(store, reference)
    assert name in " ".join(store.notes)
    json.loads((out / MANIFEST).read_text())  # valid again


def test_everything_damaged_at_once(tiny, tmp_path, reference):
    out = fresh_copy(reference, tmp_path)
    (out / MANIFEST).unlink()
    (out / PARTS).write_bytes(b"garbage")
    DAMAGE["truncate"](part(out, 0))
    DAMAGE["garble"](part(out, 5, "timeseries"))
    part(out, 3).unlink()
    shutil.copy(part(out, 1), out / "runs" / "run-000001 (copy).parquet")
    with pytest.raises(StoreError, match="--resume"):
        plan = plan_sweep(tiny, **KW)
        run_plan(plan, out, SequentialExecutor(), resume=False)
    assert_restored(resume(tiny, out), reference)


def test_a_part_of_another_sweep_is_not_adopted(tiny, tmp_path, reference):
    out = fresh_copy(reference, tmp_path)
    other = tmp_path / "other"
    run_plan(plan_sweep(tiny, **{**KW, "params": {"arrangement.p_buckpass": "[0.1,0.5]"}}), other,
             SequentialExecutor())
    (out / MANIFEST).unlink()
    (out / PARTS).unlink()
    shutil.copy(part(other, 0), part(out, 0))  # same name, another sweep's run (same seed, other values)
    shutil.copy(part(other, 0, "timeseries"), part(out, 0, "timeseries"))
    store = resume(tiny, out)
    runs = store.runs
    assert runs.loc[runs["run_id"] == 0, "arrangement__p_buckpass"].iloc[0] == 0.0
    assert_restored(store, reference)


def test_a_second_writer_gets_the_same_clean_refusal(tiny, tmp_path, reference):
    out = fresh_copy(reference, tmp_path)
    holder = ResultStore(out)
    holder.lock()
    try:
        for resume_flag in (True, False):
            with pytest.raises(StoreError, match="another sweep is writing"):
                run_plan(plan_sweep(tiny, **KW), out, SequentialExecutor(), resume=resume_flag)
        new = tmp_path / "new"
        early = ResultStore(new)
        early.lock()  # a writer that has only just created the folder
        with pytest.raises(StoreError, match="another sweep is writing"):
            run_plan(plan_sweep(tiny, **KW), new, SequentialExecutor())
        early.unlock()
        # a query while a sweep writes: nothing is moved, damaged parts are only left out
        DAMAGE["garble"](part(out, 2))
        reader = open_store(out)
        assert 2 not in reader.part_ids() and part(out, 2).exists()
        assert not (out / QUARANTINE).exists()
    finally:
        holder.unlock()
    res = CliRunner().invoke(app, ["query", str(out), "SELECT count(*) AS n FROM runs"])
    assert res.exit_code == 0 and "damaged" in res.output
    assert (out / QUARANTINE).exists()
