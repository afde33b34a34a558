"""The Dask executor against a real ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from governance_sim import open_store, sweep
from governance_sim.experiments.executors import DaskExecutor, LocalExecutor, SequentialExecutor

ROOT = Path(__file__).resolve().parent.parent
DASK = shutil.which("dask")
pytestmark = pytest.mark.skipif(DASK is None, reason="the dask command line is not installed")


def _start(args: list[str], log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([DASK, *args], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=open(log, "w"))  # noqa: SIM115


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler on a random free port and two single-threaded workers; torn down at the end."""
    tmp = tmp_path_factory.mktemp("dask")
    info = tmp / "scheduler.json"
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(info), "--idle-timeout", "300"], tmp / "scheduler.log")]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip():
            assert time.monotonic() < deadline and procs[0].poll() is None, (tmp / "scheduler.log").read_text()
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        for i in range(2):
            procs.append(_start(["worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                 "--host", "127.0.0.1", "--name", f"w{i}", "--death-timeout", "60"],
                                tmp / f"worker{i}.log"))
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in reversed(procs):  # workers first, so they can sign off while the scheduler listens
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def _values(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=["elapsed_s", "cpu_s", "traceback"], errors="ignore").reset_index(drop=True)


def test_sequential_local_and_dask_give_identical_results(tiny, cluster, tmp_path):
    kw = dict(params={"arrangement.p_buckpass": "0:0.6", "roles.grid_worker.detection_prob": "[0.1,0.4]"},
              design="lhs", samples=6, reps=2, days=10, seed=21, progress=False)
    seq = sweep(tiny, **kw, executor=SequentialExecutor())
    loc = sweep(tiny, **kw, executor=LocalExecutor(2))
    dsk = sweep(tiny, **kw, scheduler=cluster, out=tmp_path / "dask")
    pd.testing.assert_frame_equal(_values(seq), _values(loc))
    pd.testing.assert_frame_equal(_values(seq), _values(dsk))
    assert list(dsk["run_id"]) == list(range(12)) and (dsk["status"] == "ok").all()
    assert open_store(tmp_path / "dask").manifest["n_runs"] == 12


def test_dask_uses_both_workers_and_records_failures(tiny, cluster, tmp_path):
    ex = DaskExecutor(cluster)
    assert ex.workers == 2
    tiny["calendar"] = {"workday_start_h": 6.0}
    params = {"calendar.workday_hours": "[8,16]", "calendar.overtime_cap_h": "[2,4]"}
    df = sweep(tiny, params, reps=2, days=5, executor=ex, out=tmp_path / "s", progress=False)
    assert list(df["run_id"]) == list(range(8))
    assert set(df.loc[df["status"] == "error", "point"]) == {3}
    assert df.loc[df["status"] == "error", "error"].str.contains("overtime_cap_h").all()


def test_a_bad_scheduler_address_is_a_clear_error_and_writes_nothing(tmp_path):
    from typer.testing import CliRunner

    from governance_sim.cli import app

    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["sweep", str(ROOT / "scenarios" / "beijing_street.yaml"),
                                   "--param", "arrangement.p_buckpass=[0.1]", "--days", "1",
                                   "--scheduler", "localhost-without-port", "--out", str(out)])
    assert res.exit_code == 2 and "tcp://HOST:PORT" in res.output
    assert not out.exists()
