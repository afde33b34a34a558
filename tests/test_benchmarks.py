"""The benchmarks run from a checkout and end with the figures they promise.

Each benchmark is run in a small mode (a few simulated days, one round) in its own process,
and its last line is read as ``key=value`` pairs: every key its docstring names must be
there, and every figure must be a finite number.  The timings themselves are not checked
here — targets are for ``benchmarks/`` run on demand (docs/performance.md).  ``bench_city.py``
runs on the four-district test city of ``test_partition.py`` instead of Beijing's 21.9
million people; ``bench_city_eventlog.py`` is left to be run on demand.
"""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT
from test_partition import make_city

BENCHMARKS = {
    "bench_core.py": (["--days", "3", "--repeat", "1", "--pairs", "1", "--memory-days", "1"],
                      ["cases_per_second", "ratio_to_bare_loop", "ratio_to_simpy",
                       "ratio_to_simpy_paired_median", "scaling_10x", "scaling_10x_paired_median",
                       "peak_mb_1m_people", "compiled"]),
    "bench_memory.py": (["--population", "20000", "--days", "5"],
                        ["bytes_per_person", "bytes_per_case_run", "bytes_per_case_with_outputs",
                         "cases_table_bytes_per_row"]),
    "bench_sweep.py": (["--runs", "4", "--speedup-runs", "2", "--days", "3", "--repeat", "1"],
                       ["speedup_2_workers", "runs_per_minute"]),
    "bench_eventlog.py": (["--days", "3", "--reps", "1"],
                          ["sim_ratio", "build_s", "write_s", "events", "events_per_case"]),
    "bench_places.py": (["--days", "3", "--rounds", "1"], ["places_over_run", "places_over_summary"]),
    "bench_calibration.py": (["--truths", "1", "--budget", "10", "--days", "3", "--population", "20000"],
                             ["coverage50", "coverage90", "truths", "budget", "wall_s", "mean_width90_share"]),
}
TEXT_FIGURES = {"compiled"}  # which compiled parts were used: names, not a number


def last_line_figures(stdout: str) -> dict[str, str]:
    last = stdout.strip().splitlines()[-1]
    pairs = [item.split("=", 1) for item in last.split()]
    assert all(len(p) == 2 for p in pairs), f"the last line is not key=value pairs: {last!r}"
    return dict(pairs)


@pytest.mark.parametrize("script", sorted(BENCHMARKS))
def test_a_benchmark_runs_small_and_prints_its_figures(script, tmp_path):
    args, keys = BENCHMARKS[script]
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = last_line_figures(done.stdout)
    assert [k for k in keys if k not in figures] == []
    for key, value in figures.items():
        if key not in TEXT_FIGURES:
            assert math.isfinite(float(value)), f"{script}: {key}={value}"


def test_bench_viz_runs_small_and_prints_its_figures(tmp_path):
    pytest.importorskip("solara", reason="bench_viz draws with the [viz] extra")
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_viz.py"), "--days", "3"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = last_line_figures(done.stdout)
    for key in ("day_ms", "update_ms", "update_to_day", "redraw_ms", "grids"):
        assert math.isfinite(float(figures[key]))
    assert figures["aggregated"] in ("True", "False")


def test_bench_city_runs_on_a_small_city_and_prints_its_figures(tmp_path):
    """The same code path as a year of Beijing (the city as districts on two workers, its
    tables written, its process tree watched), on the test city for three days."""
    city = make_city(tmp_path)
    city["variants"] = {"hotline_direct": {"overlays.municipal_hotline.direct_dispatch": True}}
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(city, allow_unicode=True), encoding="utf-8")
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_city.py"), "--scenario", str(path),
                           "--partition-only", "--days", "3", "--workers", "2"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = last_line_figures(done.stdout)
    assert figures["days"] == "3" and figures["event_log"] == "0"
    for key in ("partition_wall_s_2", "partition_cpu_s_2", "partition_tree_peak_gb"):
        assert float(figures[key]) > 0
