"""Validation machinery: the statistics on synthetic data with known effects, estimands,
PASS/FAIL logic, claim declarations, shared runs, and claims that must FAIL once their
mechanism is knocked out."""

from __future__ import annotations

import copy
import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from governance_sim.analysis.stats import FAIL, NOT_TESTABLE, PASS, TestResult
from governance_sim.cli import app
from governance_sim.experiments.executors import SequentialExecutor
from governance_sim.scenario import ScenarioError
from governance_sim.validation import (
    CLAIMS,
    Arm,
    Claim,
    Counterfactual,
    Diff,
    DiffOfDiffs,
    RelChange,
    bootstrap,
    claims_by_id,
    paired_t,
    run_validation,
    validate,
    verdict,
    welch,
)
from governance_sim.validation.execute import plan

# ------------------------------------------------------------------ statistics on synthetic data


def _pass_rate(test, shift: float, draws: int = 200, n: int = 30, **kw) -> float:
    rng = np.random.default_rng(42)
    passed = 0
    for _ in range(draws):
        x = rng.normal(shift, 1.0, n)
        passed += verdict(test(x, **kw), "greater") == PASS
    return passed / draws


@pytest.mark.parametrize("test", [paired_t, bootstrap], ids=["paired_t", "bootstrap"])
def test_a_shift_of_one_sd_is_detected_and_no_shift_is_not(test):
    kw = {"resamples": 2000} if test is bootstrap else {}
    assert _pass_rate(test, 1.0, draws=100 if test is bootstrap else 200, **kw) >= 0.95
    assert _pass_rate(test, 0.0, draws=100 if test is bootstrap else 200, **kw) <= 0.10


def test_welch_detects_a_shift_between_independent_samples_and_not_a_null():
    rng = np.random.default_rng(3)
    hits = nulls = 0
    for _ in range(200):
        a = rng.normal(0.0, 1.0, 30)
        b = rng.normal(1.0, 1.2, 30)  # unequal variances
        hits += verdict(welch(a, b), "greater") == PASS
        c = rng.normal(0.0, 1.2, 30)
        nulls += verdict(welch(a, c), "greater") == PASS
    assert hits / 200 >= 0.85
    assert nulls / 200 <= 0.10


def test_paired_interval_covers_the_true_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(7)
    covered = 0
    for _ in range(400):
        r = paired_t(rng.normal(2.5, 3.0, 30))
        covered += r.ci_low <= 2.5 <= r.ci_high
    assert 0.91 <= covered / 400 <= 0.99


def test_paired_t_matches_scipy_and_reports_d_z():
    from scipy import stats

    x = np.array([0.3, 1.2, -0.4, 2.0, 0.9, 1.1, 0.2, 0.7])
    r = paired_t(x, threshold=0.5)
    assert r.p_value == pytest.approx(stats.ttest_1samp(x, 0.5).pvalue)
    assert r.effect == pytest.approx(x.mean())
    assert r.effect_size == pytest.approx((x.mean() - 0.5) / x.std(ddof=1))
    assert r.n == 8


def test_constant_and_missing_values():
    r = paired_t([0.0, 0.0, 0.0])  # a knocked-out mechanism: every seed exactly zero
    assert (r.effect, r.ci_low, r.ci_high) == (0.0, 0.0, 0.0)
    assert r.degenerate and math.isnan(r.p_value)  # no spread, no p value (not "p < 0.001")
    for test in (paired_t([3.0, 3.0, 3.0], 1.0), bootstrap([3.0] * 4, 1.0), welch([1.0] * 3, [2.0] * 3)):
        assert test.degenerate and math.isnan(test.p_value) and test.ci_low == test.ci_high
    assert verdict(r, "greater") == FAIL and verdict(r, "less") == FAIL
    r = paired_t([2.0, 2.0, 2.0, math.nan])  # NaN seeds are dropped
    assert r.n == 3 and verdict(r, "greater") == PASS
    assert verdict(paired_t([1.0]), "greater") == NOT_TESTABLE
    assert verdict(bootstrap([]), "less") == NOT_TESTABLE


def test_verdict_needs_the_whole_interval_on_the_claimed_side_of_the_threshold():
    def res(lo, hi):
        return TestResult((lo + hi) / 2, lo, hi, 0.01, 1.0, 30, "paired_t")

    assert verdict(res(0.1, 0.5), "greater") == PASS
    assert verdict(res(-0.1, 0.5), "greater") == FAIL
    assert verdict(res(-0.5, -0.1), "less") == PASS
    assert verdict(res(-0.5, 0.0), "less") == FAIL  # touching the threshold is not enough
    assert verdict(res(-0.08, 0.02), "greater", threshold=-0.10) == PASS  # "barely": above −10 %
    assert verdict(res(-0.15, 0.02), "greater", threshold=-0.10) == FAIL
    with pytest.raises(ValueError):
        verdict(res(0, 1), "up")


# ------------------------------------------------------------------ estimands


def _arms(**columns) -> dict[str, pd.DataFrame]:
    return {name: pd.DataFrame(cols, index=pd.Index(cols.pop("seed"), name="seed"))
            for name, cols in columns.items()}


def test_estimands_are_computed_seed_by_seed_on_common_seeds():
    data = _arms(a={"seed": [1, 2, 3], "m": [10.0, 20.0, 40.0], "s": [5.0, 5.0, 5.0]},
                 b={"seed": [1, 2, 4], "m": [5.0, 15.0, 99.0], "s": [4.0, 5.0, 6.0]})
    d = Diff("a", "b").values(data, "m")
    assert list(d.index) == [1, 2] and list(d) == [-5.0, -5.0]  # seed 3 and 4 have no pair
    r = RelChange("a", "b").values(data, "m")
    assert list(r) == pytest.approx([-0.5, -0.25])
    dd = DiffOfDiffs(RelChange("a", "b", "m"), RelChange("a", "b", "s")).values(data, "m")
    assert list(dd) == pytest.approx([-0.5 - (-0.2), -0.25 - 0.0])
    half = DiffOfDiffs(Diff("a", "b", "m"), Diff("a", "b", "s"), weight=0.5).values(data, "m")
    assert list(half) == pytest.approx([-5 - 0.5 * -1, -5 - 0.0])
    assert DiffOfDiffs(Diff("a", "b"), Diff("a", "c")).arms() == ("a", "b", "c")


def test_a_claim_is_checked_when_declared():
    arms = (Arm("a"), Arm("b"))
    with pytest.raises(ValueError, match="unknown arms"):
        Claim("x", "t", "tiny", arms, Diff("a", "c"), "m", "greater")
    with pytest.raises(ValueError, match="direction"):
        Claim("x", "t", "tiny", arms, Diff("a", "b"), "m", "up")
    with pytest.raises(ValueError, match="Welch"):
        Claim("x", "t", "tiny", arms, RelChange("a", "b"), "m", "greater", test="welch")
    with pytest.raises(ValueError, match="repeat"):
        Claim("x", "t", "tiny", (Arm("a"), Arm("a")), Diff("a", "a"), "m", "greater")
    with pytest.raises(ValueError, match="counterfactual"):
        Claim("x", "t", "tiny", arms, Diff("a", "b"), "m", "greater",
              counterfactual=Counterfactual("roles.resident.trust_lr", 0.1, 0.5, 0.2, "?", arms=("z",)))


@pytest.mark.parametrize("parameter, low, high, value, problem", [
    ("arrangement.name", 0.1, 1.0, 0.5, "behavioural"),
    ("variant", 0.1, 1.0, 0.5, "behavioural"),
    ("overlays.hotline", 0.1, 1.0, 0.5, "behavioural"),
    ("arrangement.p_buckpass", 0.0, 0.6, 0.0, "range"),  # a switch that sets the mechanism to zero
    ("arrangement.p_buckpass", 0.05, 0.6, 0.9, "outside"),
    ("arrangement.p_buckpass", 0.6, 0.05, 0.3, "range"),
])
def test_a_counterfactual_moves_a_behavioural_parameter_within_its_range(parameter, low, high, value, problem):
    with pytest.raises(ValueError, match=problem):
        Counterfactual(parameter, low, high, value, "t")


def test_every_shipped_counterfactual_is_a_behavioural_parameter_off_zero():
    for c in CLAIMS:
        cf = c.counterfactual
        assert cf is not None, c.id
        assert 0 < cf.low <= cf.value <= cf.high, c.id
        assert not cf.parameter.endswith(".name") and cf.text, c.id
        grid = cf.grid(5)
        assert len(grid) == 5 and grid[0] == pytest.approx(cf.low) and grid[-1] == pytest.approx(cf.high)


def test_claims_are_selected_by_id_or_number():
    assert [c.id for c in claims_by_id("3")] == ["3a", "3b"]
    assert [c.id for c in claims_by_id(["1b", "10"])] == ["1b", "10a", "10b"]
    assert len(claims_by_id(None)) == len(CLAIMS)
    with pytest.raises(ScenarioError, match="unknown claim"):
        claims_by_id("42")


def test_every_shipped_claim_and_counterfactual_loads_and_covers_section_7():
    p = plan(list(CLAIMS), reps=2, counterfactual=True)
    numbers = {c.id.rstrip("ab cde") for c in CLAIMS}
    # §7's claims 1–10, 11 (社区约请), 12 (the dispute ladder), 13 (Pinggu's guards), 14 (command at three
    # levels), 15 (Longgang's four-level relay) and 16 (the 1053 method)
    assert {str(i) for i in range(1, 17)} == numbers
    assert all(c.counterfactual is not None for c in CLAIMS)
    # arms that several claims (and conditions) share are one configuration, run once
    assert len(p.configs) < sum(len(c.arms) for c in CLAIMS) * 2
    assert p.use[("9a", "shipped", "baseline")] == p.use[("1a", "shipped", "baseline")]
    # a parameter only some arms have leaves the others as shipped
    assert p.use[("5b", "counterfactual", "baseline")] == p.use[("5b", "shipped", "baseline")]
    assert p.use[("5b", "counterfactual", "direct_district")] != p.use[("5b", "shipped", "direct_district")]
    scan = plan(claims_by_id("5b"), reps=2, scan_points=3)
    assert {k[1] for k in scan.use} == {"shipped", "scan@0.25", "scan@0.866", "scan@3"}
    assert p.days_of["6"] >= 240  # the shock window of xi_town is reached whatever --days says
    seeds = {t.rep: t.seed for t in p.tasks()}
    assert all(t.seed == seeds[t.rep] for t in p.tasks())  # common random numbers


# ------------------------------------------------------------------ end to end


# patrols off, so that the share of problems reported is the households' own choice
NO_PATROLS = {"roles.grid_worker.detection_prob": 0.0, "roles.grid_worker.latent_detection_prob": 0.0}


def _trust_claim(tiny: dict) -> Claim:
    """On the tiny scenario: households that trust more report clearly more (claim 10b's
    mechanism, with a margin of 5 points so that a weaker mechanism can fail it)."""
    return Claim(
        id="t10b", text="trust raises reporting", scenario=tiny,
        arms=(Arm("low", None, {"roles.resident.trust0": 0.2, **NO_PATROLS}),
              Arm("high", None, {"roles.resident.trust0": 0.8, **NO_PATROLS})),
        contrast=Diff("low", "high"), metric="reported_share", direction="greater", threshold=0.05,
        counterfactual=Counterfactual("roles.resident.report_noise", 0.1, 5.0, 5.0,
                                      "households' own costs swamp trust", scale="log"))


def test_a_claim_holds_and_fails_once_its_mechanism_is_weakened(tiny):
    v = run_validation(reps=4, days=30, counterfactual=True, claims=[_trust_claim(tiny)],
                       executor=SequentialExecutor(), warmup_days=0)
    shipped, cf = v.table.iloc[0], v.table.iloc[1]
    assert (shipped["condition"], cf["condition"]) == ("shipped", "counterfactual")
    assert shipped["result"] == PASS and shipped["effect"] > 0.05
    assert cf["result"] == FAIL and cf["overturned"] is True
    assert cf["effect"] < shipped["effect"] - 0.03  # a weaker mechanism, not one switched off
    assert (cf["parameter"], cf["value"]) == ("roles.resident.report_noise", 5.0)
    assert len(v.runs) == 4 * 4 and v.failures.empty
    assert set(v.contrasts["condition"]) == {"shipped", "counterfactual"}


def test_scan_reports_where_the_verdict_flips(tiny, tmp_path):
    v = run_validation(reps=3, days=30, claims=[_trust_claim(tiny)], executor=SequentialExecutor(),
                       scan=3, warmup_days=0)
    scan = v.scan
    assert list(scan["value"]) == pytest.approx([0.1, 0.7071, 5.0], rel=1e-3)
    assert list(scan["result"])[0] == PASS and list(scan["result"])[-1] == FAIL
    flips = v.flips.iloc[0]
    assert flips["parameter"] == "roles.resident.report_noise"
    assert "PASS → FAIL between" in flips["flips"]
    v.write(tmp_path, "en")
    md = (tmp_path / "validation.md").read_text(encoding="utf-8")
    assert "Scan of each claim's behavioural parameter" in md and "PASS → FAIL between" in md
    assert pd.read_parquet(tmp_path / "flips.parquet").loc[0, "claim"] == "t10b"


def test_validate_writes_the_table_runs_and_figures(tiny, tmp_path):
    claim = dataclasses.replace(_trust_claim(tiny), counterfactual=None)
    table = validate(reps=3, days=30, claims=[claim], executor=SequentialExecutor(),
                     out=tmp_path, lang="en")
    assert list(table["claim"]) == ["t10b"] and table["overturned"].isna().all()
    for name in ("validation.parquet", "validation.csv", "validation.md", "runs.parquet",
                 "contrasts.parquet", "validation_forest.png", "validation_claims.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    back = pd.read_parquet(tmp_path / "validation.parquet")
    assert back.loc[0, "result"] == table.loc[0, "result"]
    md = (tmp_path / "validation.md").read_text(encoding="utf-8")
    assert "| t10b | tiny | low · high | `reported_share` | > 0.05 |" in md


def test_a_bad_override_in_a_claim_fails_before_anything_runs(tiny):
    bad = Claim("bad", "t", copy.deepcopy(tiny), (Arm("a"), Arm("b", None, {"roles.nope": 1})),
                Diff("a", "b"), "cases_reported", "greater")
    with pytest.raises(ScenarioError, match="roles"):
        run_validation(reps=2, days=5, claims=[bad], executor=SequentialExecutor())


def test_cli_rejects_bad_options_with_exit_status_2():
    runner = CliRunner()
    for args in (["--claims", "99"], ["--reps", "1"], ["--days", "0"], ["--lang", "fr"],
                 ["--scan", "--scan-points", "1"], ["--warmup-days", "-1"]):
        result = runner.invoke(app, ["validate", *args])
        assert result.exit_code == 2, args
        assert "error" in result.output


def test_cli_prints_the_table_and_writes_it(tmp_path):
    result = CliRunner().invoke(app, ["validate", "--claims", "8a", "--reps", "2", "--days", "20",
                                      "--workers", "1", "--out", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "8a" in result.output and "pinggu" in result.output
    assert "1 PASS" in result.output or "1 FAIL" in result.output  # the count line under the table
    assert (tmp_path / "validation.csv").exists()


def test_cli_scan_writes_the_flip_points(tmp_path):
    result = CliRunner().invoke(app, ["validate", "--claims", "10b", "--reps", "2", "--days", "10",
                                      "--warmup-days", "0", "--scan", "--scan-points", "2",
                                      "--workers", "1", "--out", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Scan of each claim's behavioural parameter" in result.output
    flips = pd.read_parquet(tmp_path / "flips.parquet")
    assert list(flips["claim"]) == ["10b"] and flips.loc[0, "values"] == "0.1, 1"
    table = pd.read_csv(tmp_path / "validation.csv")
    assert set(table["condition"]) == {"shipped", "scan@0.1", "scan@1"}


# ------------------------------------------------------------------ resuming from the journal


class _CountingExecutor(SequentialExecutor):
    """Runs in this process and counts the runs it was given."""

    def __init__(self):
        super().__init__()
        self.ran = 0

    def map_unordered(self, fn, tasks):
        tasks = list(tasks)
        self.ran += len(tasks)
        return super().map_unordered(fn, tasks)


def test_an_interrupted_validation_resumes_from_its_journal(tiny, tmp_path):
    from governance_sim.validation.journal import JOURNAL_NAME

    claim = dataclasses.replace(_trust_claim(tiny), counterfactual=None)
    first = _CountingExecutor()
    table = validate(reps=3, days=20, claims=[claim], executor=first, out=tmp_path, lang="en",
                     warmup_days=0)
    assert first.ran == 6
    journal = tmp_path / JOURNAL_NAME
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 6  # header, then one line per finished run
    # a crash cut the last run short: it is run again, the others are taken from the journal
    journal.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:25], encoding="utf-8")
    again = _CountingExecutor()
    resumed = validate(reps=3, days=20, claims=[claim], executor=again, out=tmp_path, lang="en",
                       warmup_days=0)
    assert again.ran == 1
    pd.testing.assert_frame_equal(resumed, table)
    assert len([x for x in journal.read_text(encoding="utf-8").splitlines() if x.startswith('{"key"')]) >= 6
    third = _CountingExecutor()
    validate(reps=3, days=20, claims=[claim], executor=third, out=tmp_path, lang="en", warmup_days=0)
    assert third.ran == 0  # everything is in the journal now
    fresh = _CountingExecutor()
    validate(reps=3, days=20, claims=[claim], executor=fresh, out=tmp_path, lang="en", warmup_days=0,
             resume=False)
    assert fresh.ran == 6


def test_a_journal_from_other_code_or_other_runs_is_not_reused(tiny, tmp_path):
    from governance_sim.validation.journal import JOURNAL_NAME, RunJournal

    claim = dataclasses.replace(_trust_claim(tiny), counterfactual=None)
    validate(reps=2, days=20, claims=[claim], executor=SequentialExecutor(), out=tmp_path,
             warmup_days=0)
    assert RunJournal(tmp_path / JOURNAL_NAME).done  # the same code reads it back
    other = RunJournal(tmp_path / JOURNAL_NAME, fingerprint="other code")
    assert not other.done and "other model code" in other.set_aside
    longer = _CountingExecutor()  # other runs (more days) share nothing with the journal
    validate(reps=2, days=25, claims=[claim], executor=longer, out=tmp_path, warmup_days=0)
    assert longer.ran == 4
    (tmp_path / JOURNAL_NAME).write_bytes(b"\xff\xfe garbage\n")
    damaged = _CountingExecutor()
    validate(reps=2, days=25, claims=[claim], executor=damaged, out=tmp_path, warmup_days=0)
    assert damaged.ran == 4
