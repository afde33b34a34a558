"""Event studies on synthetic panels with a known effect, and the rollout experiment end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from governance_sim.analysis.event_study import event_study

pytest.importorskip("differences", reason="event studies need the [panel] extra")
pytest.importorskip("statsmodels", reason="event studies need the [panel] extra")


def synthetic_panel(seed: int, *, effect: float = 0.1, growth: float = 0.0, never: bool = True,
                    streets: int = 18, months: int = 14) -> pd.DataFrame:
    """Streets with their own levels, a common trend, cohorts adopting at months 4 and 8 (and a third
    never, unless ``never`` is false: then at 11); the effect is ``effect + growth × months since``."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(streets):
        third = 3 * s // streets
        cohort = (4, 8, 0 if never else 11)[third]
        level = rng.normal(0.6, 0.1)
        for t in range(1, months + 1):
            treated = bool(cohort and t >= cohort)
            y = level + 0.01 * t + rng.normal(0, 0.03)
            if treated:
                y += effect + growth * (t - cohort)
            rows.append({"street": s, "month": t, "cohort": cohort, "treated": treated, "y": y})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("method", ["cs", "twfe"])
def test_a_constant_effect_is_recovered_without_bias(method):
    errors, covered = [], []
    for seed in range(20):
        est = event_study(synthetic_panel(seed), "y", method)
        errors.append(est.att - 0.1)
        covered.append(est.covers(0.1))
    errors = np.asarray(errors)
    assert abs(errors.mean()) < 3 * errors.std(ddof=1) / np.sqrt(len(errors)) + 1e-3
    assert np.mean(covered) >= 0.8


def test_naive_twfe_fails_under_staggered_adoption_with_growing_effects():
    panel = synthetic_panel(1, effect=0.0, growth=0.05, never=False)
    truth = (0.05 * (panel["month"] - panel["cohort"]))[panel["treated"]].mean()
    twfe = event_study(panel, "y", "twfe")
    assert twfe.att < truth / 2 and not twfe.covers(truth)  # far off, even of the wrong sign
    cs = event_study(synthetic_panel(1, effect=0.0, growth=0.05), "y", "cs")
    by = cs.by_event.set_index("event_time")["att"]
    assert by.loc[3] == pytest.approx(0.15, abs=0.05) and by.loc[0] == pytest.approx(0.0, abs=0.05)


def test_bad_panels_are_refused():
    panel = synthetic_panel(0)
    with pytest.raises(ValueError, match="method"):
        event_study(panel, "y", "synthetic_control")
    with pytest.raises(ValueError, match="columns"):
        event_study(panel.drop(columns="cohort"), "y")
    with pytest.raises(ValueError, match="treated"):
        event_study(panel.assign(treated=False), "y")


@pytest.fixture
def six_streets(tiny):
    tiny["territory"].update(streets=6, communities_per_street=2, population=18000)
    tiny["days"] = 120
    tiny["warmup_days"] = 0
    tiny["variants"]["whistle"] = {"arrangement.name": "whistle", "roles.street_chief.per_street": 1}
    return tiny


def test_rollout_scores_estimators_against_the_truth(six_streets):
    from governance_sim.experiments.rollout import rollout, staggered_schedule

    schedule = staggered_schedule(six_streets, "whistle", cohorts=2, first_month=2, every_months=1)
    assert [e["day"] for e in schedule] == [30, 60]
    assert sum(len(e["streets"]) for e in schedule) == 4
    study = rollout(six_streets, schedule, reps=2, seed=3, outcome="whistled_share")
    assert set(study.report["method"]) == {"cs", "twfe"}
    truth = study.truth
    # the street-months that never adopt had no whistle in either run; treated ones whistle
    assert (truth.loc[truth["cohort"] == 0, "effect"] == 0).all()
    assert (truth.loc[truth["treated"], "effect"] > 0).all()
    est = study.estimates
    assert (est["truth"] > 0).all() and est["estimate"].notna().all()


def test_rollout_on_the_command_line(six_streets, tmp_path):
    import yaml

    from governance_sim.cli import app

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(six_streets, allow_unicode=True), encoding="utf-8")
    res = CliRunner().invoke(app, ["rollout", str(path), "--schedule", "whistle@30:街道1,街道2",
                                   "--schedule", "whistle@60:S3,S4", "-r", "1", "-w", "1", "-q",
                                   "--outcome", "whistled_share", "--control", "not_yet_treated",
                                   "-o", str(tmp_path / "o")],
                             terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "Callaway" in res.output and "truth" in res.output
    assert (tmp_path / "o" / "rollout_report.parquet").exists()
    bad = CliRunner().invoke(app, ["rollout", str(path), "--schedule", "whistle@30:nowhere", "-r", "1", "-q"])
    assert bad.exit_code == 2 and "schedule.0.streets" in bad.output and "Traceback" not in bad.output
    odd = CliRunner().invoke(app, ["rollout", str(path), "--schedule", "whistle-30", "-r", "1", "-q"])
    assert odd.exit_code == 2 and "VARIANT@DAY" in odd.output
    ctl = CliRunner().invoke(app, ["rollout", str(path), "--control", "everyone", "-r", "1", "-q"])
    assert ctl.exit_code == 2 and "not_yet_treated" in ctl.output


def test_a_missing_panel_extra_is_one_line_before_anything_runs(six_streets, monkeypatch):
    from governance_sim import extras
    from governance_sim.experiments import rollout as ro

    real = extras.import_module

    def no_differences(name, *args, **kwargs):
        if name.split(".")[0] == "differences":
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(extras, "import_module", no_differences)
    monkeypatch.setattr(ro, "_run_panel", lambda item: pytest.fail("ran before checking the extra"))
    with pytest.raises(extras.MissingExtra) as err:
        ro.rollout(six_streets, [{"day": 30, "streets": ["街道1"], "variant": "whistle"}], reps=1)
    assert 'pip install "governance_sim[panel]"' in str(err.value)
