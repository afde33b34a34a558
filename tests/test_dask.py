"""The Dask executor against a real ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from dask_cluster import DASK, dask_cluster

from governance_sim import open_store, sweep
from governance_sim.experiments.executors import DaskExecutor, LocalExecutor, SequentialExecutor

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(DASK is None, reason="the dask command line is not installed")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A real scheduler and two single-threaded workers on 127.0.0.1 (tests/dask_cluster.py)."""
    yield from dask_cluster(tmp_path_factory)


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
