"""`compare`: common random numbers, intervals, differences, the figure, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from governance_sim import ScenarioError, compare
from governance_sim.analysis.stats import difference, mean_ci
from governance_sim.cli import app


@pytest.fixture
def two_variants(tiny):
    tiny["days"] = 30
    tiny["variants"] = {"baseline": {}, "same": {"description": "identical mechanism"},
                        "whistle": {"arrangement.name": "whistle"}}
    return tiny


def test_variants_share_seeds_and_differences_are_paired(two_variants, tmp_path):
    cmp = compare(two_variants, ["baseline", "same", "whistle"], reps=4, workers=1, out=tmp_path)
    runs = cmp.runs
    seeds = {v: sorted(runs.loc[runs["variant"] == v, "seed"]) for v in cmp.variants}
    assert seeds["baseline"] == seeds["same"] == seeds["whistle"] and len(set(seeds["baseline"])) == 4
    same = cmp.metric("resolution_time_mean_h").set_index("variant").loc["same"]
    assert same["diff"] == 0.0 and same["degenerate"]          # identical runs, paired: no p value
    assert np.isnan(same["p_value"])
    w = cmp.metric("whistles").set_index("variant")
    assert w.loc["baseline", "mean"] == 0 and w.loc["whistle", "mean"] > 0
    saved = pd.read_parquet(tmp_path / "runs.parquet")
    assert len(saved) == 12 and {"variant", "seed"} <= set(saved.columns)
    assert (tmp_path / "comparison.png").stat().st_size > 10_000
    assert set(pd.read_csv(tmp_path / "comparison.csv")["variant"]) == set(cmp.variants)


def test_local_processes_give_the_same_numbers_as_one_process(two_variants):
    a = compare(two_variants, ["baseline", "whistle"], reps=2, workers=1).runs
    b = compare(two_variants, ["baseline", "whistle"], reps=2, workers=2).runs
    cols = ["variant", "seed", "cases_created", "resolution_time_mean_h", "satisfaction_rate"]
    pd.testing.assert_frame_equal(a[cols], b[cols])


def test_intervals_cover_a_known_mean_and_detect_a_known_shift():
    rng = np.random.default_rng(0)
    covered = detected = false_alarm = 0
    for _ in range(200):
        x = pd.Series(rng.normal(10, 2, 30), index=range(30))
        y = x + rng.normal(1.0, 1.0, 30)                 # paired shift of +1
        z = x + rng.normal(0.0, 1.0, 30)                 # no shift
        _, lo, hi, _ = mean_ci(x)
        covered += lo <= 10 <= hi
        detected += difference(x, y)["p_value"] < 0.05
        false_alarm += difference(x, z)["p_value"] < 0.05
    assert covered >= 180            # ~95 % coverage
    assert detected >= 190           # a shift of one sd of the pair noise is found
    assert false_alarm <= 20         # ~5 % false alarms


def test_intervals_of_counts_and_rates_stay_inside_their_range():
    petitions = pd.Series([0, 0, 0, 0, 0, 0, 0, 0, 0, 230.0])  # skewed count: the t interval goes below 0
    m, lo, hi, _ = mean_ci(petitions)
    assert m == 23 and 0 <= lo < m < hi
    rate = pd.Series([1.0] * 9 + [0.2])
    _, lo, hi, _ = mean_ci(rate)
    assert lo >= 0 and hi <= 1
    _, lo, hi, _ = mean_ci(pd.Series([-3.0, 1.0, 2.0, 4.0]))  # not bounded: the t interval
    assert lo < -3 or hi > 4


def test_bad_variants_are_refused_before_anything_runs(two_variants, tmp_path):
    with pytest.raises(ScenarioError, match="allowed"):
        compare(two_variants, ["baseline", "whistel"], reps=2)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(two_variants, allow_unicode=True))
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["compare", str(path), "--variants", "baseline,nope", "--out", str(out)])
    assert res.exit_code == 2 and "nope" in res.output and not out.exists()
    res = CliRunner().invoke(app, ["compare", str(path), "--reps", "0", "--out", str(out)])
    assert res.exit_code == 2 and "--reps" in res.output and not out.exists()
