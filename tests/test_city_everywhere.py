"""A city scenario works wherever a district one does: Mesa's ``batch_run`` and SolaraViz model
parameters, the exploration app with and without the geo packages, sweeps on local processes
(on a three-district city made here, with communities from the file's published-style totals)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import numpy as np
from conftest import TINY

from governance_sim.model import GovernanceModel

CITY_CSV = (
    "id,name,level,parent,population,communities\n"
    "C,测试市,city,,,9\n"
    "D1,东区,district,C,8000,3\n"
    "D2,西区,district,C,6000,\n"
    "D3,北区,district,C,4000,\n"
    "S1,甲街道,street,D1,,\n"
    "S2,乙街道,street,D1,,\n"
    "S3,丙镇,town,D2,,\n"
    "S4,丁街道,street,D2,,\n"
    "S5,戊乡,township,D3,,\n"
)


def small_city(tmp_path) -> dict:
    """TINY as a city of three districts under a municipal 12345 (nine communities and villages)."""
    path = tmp_path / "city.csv"
    path.write_text(CITY_CSV, encoding="utf-8")
    sc = copy.deepcopy(TINY)
    sc["territory"] = {k: v for k, v in sc["territory"].items() if k not in ("streets", "population")}
    sc["territory"]["source"] = str(path)
    sc["city"] = {"name": "测试市", "reference_population": 10000}
    sc["overlays"] = {"municipal_hotline": {"seats": 3}}
    sc["roles"] = {"resident": {"channels": {"hotline": 1.0, "community": 0.1}}}
    sc["days"] = 10
    return sc


def test_the_city_has_its_districts_streets_and_shared_communities(tmp_path):
    model = GovernanceModel(small_city(tmp_path))
    t = model.territory
    assert t.districts == ["东区", "西区", "北区"]
    assert [len(t.communities_of_street(s)) for s in range(5)] == [2, 1, 2, 2, 2]  # 3 in 东区, 6 for the rest
    assert t.population == 18000
    assert model.city is not None


def test_mesa_batch_run_sweeps_a_city_parameter(tmp_path):
    import mesa

    results = mesa.batch_run(GovernanceModel, {"scenario": [small_city(tmp_path)], "seed": [3], "days": [8],
                                               "overlays__municipal_hotline__direct_dispatch": [False, True]},
                             iterations=1, max_steps=8, number_processes=1, display_progress=False)
    assert sorted(r["overlays__municipal_hotline__direct_dispatch"] for r in results) == [False, True]
    assert np.isfinite([r["cases_reported"] for r in results]).all()


def test_solara_model_parameters_build_a_city(tmp_path):
    """Mesa's SolaraViz builds the model from the scenario plus ``a__b`` slider values."""
    model = GovernanceModel(small_city(tmp_path), seed=1, arrangement__p_buckpass=0.5)
    assert model.scenario.arrangement.p_buckpass == 0.5 and model.city is not None
    for _ in range(3):
        model.step()
    assert model.day == 3


def test_the_app_runs_a_city_with_its_controls(tmp_path):
    from governance_sim.viz.session import LiveRun

    live = LiveRun(small_city(tmp_path), seed=2, overrides={"overlays.municipal_hotline.direct_dispatch": True})
    assert live.step(5) == 5
    assert live.kpis()["day"] == 5 and live.scenario.overlays["municipal_hotline"].direct_dispatch is True


def test_the_app_runs_a_city_without_the_geo_packages(tmp_path):
    sc = small_city(tmp_path)
    code = (
        "import sys, json\n"
        "sys.modules.update({m: None for m in ('geopandas', 'shapely', 'pyogrio', 'cnmaps')})\n"
        "from governance_sim.viz.session import LiveRun\n"
        f"live = LiveRun({sc!r}, seed=2)\n"
        "live.step(4)\n"
        "print(json.dumps({'map': live.map is None, 'day': live.kpis()['day']}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["map"] is True and out["day"] == 4  # the abstract network instead of a map


def test_a_sweep_of_the_city_runs_on_local_processes(tmp_path):
    from governance_sim import sweep
    from governance_sim.experiments.executors import make_executor

    rows = sweep(small_city(tmp_path), {"overlays.municipal_hotline.direct_dispatch": [False, True]}, days=5,
                 out=tmp_path / "sweep", progress=False, executor=make_executor(2))
    assert len(rows) == 2 and (rows["status"] == "ok").all()


def test_a_sweep_of_the_city_on_a_dask_cluster_matches_local_processes(tmp_path):
    import pytest

    distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")
    from governance_sim import sweep
    from governance_sim.experiments.executors import make_executor

    grid = {"overlays.municipal_hotline.direct_dispatch": [False, True]}
    local = sweep(small_city(tmp_path), grid, days=5, out=tmp_path / "local", progress=False,
                  executor=make_executor(1))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        on_dask = sweep(small_city(tmp_path), grid, days=5, out=tmp_path / "dask", progress=False,
                        executor=make_executor(None, cluster.scheduler_address))
    assert (on_dask["status"] == "ok").all()
    cols = ["cases_created", "cases_reported", "response_time_mean_h", "hotline_calls"]
    assert on_dask.sort_values("run_id")[cols].reset_index(drop=True).equals(
        local.sort_values("run_id")[cols].reset_index(drop=True))
