"""``validate()``: run the claims of MODEL.md §7 and test each one.

::

    from governance_sim import validate
    table = validate(reps=30, days=180, counterfactual=True, out="results/validation")
    table[["claim", "condition", "effect", "ci_low", "ci_high", "p_value", "result"]]

One row per claim (and, with ``counterfactual=True``, a second row per claim
with its overturning change applied, where ``overturned`` says whether the
claim then FAILS as it should).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from governance_sim.analysis import stats as st
from governance_sim.experiments.executors import Executor
from governance_sim.scenario import ScenarioError
from governance_sim.validation.claims import claims_by_id, metric
from governance_sim.validation.execute import COUNTERFACTUAL, SHIPPED, Plan, execute, plan
from governance_sim.validation.spec import Claim, Diff

COLUMNS = ["claim", "condition", "scenario", "variants", "metric", "estimand", "expected", "effect",
           "ci_low", "ci_high", "p_value", "effect_size", "n", "test", "result", "overturned",
           "change", "days", "statement", "arms"]


@dataclass
class Validation:
    """Everything a validation produced: the table, each run's metrics, per-seed estimates."""

    table: pd.DataFrame
    runs: pd.DataFrame
    contrasts: pd.DataFrame  # claim, condition, seed, value
    failures: pd.DataFrame
    claims: list[Claim]
    settings: dict[str, Any] = field(default_factory=dict)

    def figures(self, lang: str = "zh") -> dict[str, Any]:
        from governance_sim.analysis.validation_plots import contrasts_figure, forest_figure

        return {"validation_forest": forest_figure(self, lang),
                "validation_claims": contrasts_figure(self, lang)}

    def markdown(self) -> str:
        from governance_sim.validation.report import markdown_table

        return markdown_table(self.table)

    def write(self, out: str | Path, lang: str = "zh") -> Path:
        from governance_sim.validation.report import write_validation

        return write_validation(self, out, lang)


def assess(claim: Claim, runs: pd.DataFrame, p: Plan, condition: str,
           alpha: float = st.ALPHA) -> tuple[dict[str, Any], pd.Series]:
    """Test one claim under one condition: its row of the table and its per-seed estimates."""
    data = {}
    for label in claim.contrast.arms():
        config = p.use[(claim.id, condition, label)]
        sub = runs[runs["config"] == config] if not runs.empty else runs
        data[label] = sub.set_index("seed") if not sub.empty else pd.DataFrame(
            columns=list(claim.contrast.metrics(claim.metric)), index=pd.Index([], name="seed"))
    if claim.test == "welch":
        c = claim.contrast
        assert isinstance(c, Diff)
        m = c.metric or claim.metric
        res = st.welch(data[c.a][m], data[c.b][m], claim.threshold, alpha)
        values = c.values(data, claim.metric)
    else:
        values = claim.contrast.values(data, claim.metric).astype(float)
        if claim.test == "bootstrap":
            res = st.bootstrap(values, claim.threshold, alpha)
        else:
            res = st.paired_t(values, claim.threshold, alpha)
    result = st.verdict(res, claim.direction, claim.threshold)
    cf = claim.counterfactual
    row = {
        "claim": claim.id, "condition": condition, "scenario": claim.scenario_name,
        "variants": claim.variants(), "metric": claim.metric,
        "estimand": f"{claim.contrast.kind}: {claim.contrast.describe(claim.metric)}",
        "expected": claim.expected(), **res.as_dict(), "result": result,
        "overturned": (None if result == st.NOT_TESTABLE else result == st.FAIL)
        if condition == COUNTERFACTUAL else None,
        "change": cf.describe() if condition == COUNTERFACTUAL and cf else "",
        "days": p.days_of.get(claim.id),
        "statement": claim.text,
        "arms": "; ".join(f"{a.label} = {a.describe()}" for a in claim.arms),
    }
    return row, values


def run_validation(reps: int = 30, workers: int | None = None, days: int | None = None,
                   counterfactual: bool = False, claims: str | list | None = None, *, seed: int = 0,
                   scheduler: str | None = None, executor: Executor | None = None,
                   scenarios_dir: str | Path | None = None, alpha: float = st.ALPHA,
                   progress: bool | Callable = False) -> Validation:
    """Run and test the claims; returns a :class:`Validation` (see :func:`validate`)."""
    if reps < 2:
        raise ScenarioError("--reps", f"a test needs at least 2 replications (got {reps})")
    if days is not None and days < 1:
        raise ScenarioError("--days", f"must be at least 1 (got {days})")
    chosen = claims_by_id(claims)
    for c in chosen:
        for name in c.contrast.metrics(c.metric):
            metric(name)  # plain summary columns are accepted as they are
    p = plan(chosen, reps=reps, days=days, seed=seed, counterfactual=counterfactual,
             scenarios_dir=scenarios_dir)
    runs, failures = execute(p, workers=workers, scheduler=scheduler, executor=executor,
                             progress=progress)
    rows, per_seed = [], []
    for claim in chosen:
        for condition in (SHIPPED, COUNTERFACTUAL):
            if (claim.id, condition, claim.arms[0].label) not in p.use:
                continue
            row, values = assess(claim, runs, p, condition, alpha)
            rows.append(row)
            per_seed.append(pd.DataFrame({"claim": claim.id, "condition": condition,
                                          "seed": values.index.to_numpy(), "value": values.to_numpy()}))
    table = pd.DataFrame(rows, columns=COLUMNS)
    contrasts = pd.concat(per_seed, ignore_index=True) if per_seed else pd.DataFrame(
        columns=["claim", "condition", "seed", "value"])
    settings = {"reps": reps, "days": days, "seed": seed, "counterfactual": counterfactual,
                "alpha": alpha, "runs": p.n_runs, "arms": len(p.configs)}
    return Validation(table=table, runs=runs, contrasts=contrasts, failures=failures,
                      claims=chosen, settings=settings)


def validate(reps: int = 30, workers: int | None = None, days: int | None = None,
             out: str | Path | None = None, counterfactual: bool = False,
             claims: str | list | None = None, *,
             seed: int = 0, scheduler: str | None = None, executor: Executor | None = None,
             scenarios_dir: str | Path | None = None, alpha: float = st.ALPHA,
             progress: bool | Callable = False, lang: str = "zh") -> pd.DataFrame:
    """Test the stylised facts of MODEL.md §7 on the shipped scenarios.

    Every claim is an experiment (``governance_sim.validation.claims``): its arms
    run ``reps`` times with common random numbers, a per-seed estimand (a
    difference, a relative change or a difference of differences) is tested at
    ``alpha`` (paired t by default, a bootstrap interval for counts), and the
    claim PASSes when the whole 95 % interval lies on the claimed side of its
    threshold.

    Args:
        reps: replications per arm (≥ 2; 30 by default).
        workers / scheduler / executor: where runs go (local processes by default).
        days: run length for every arm (default: each scenario's own); a claim that
            needs longer runs (claim 6 must reach its shock window) gets its ``min_days``.
        out: folder for ``validation.parquet``/``.csv``/``.md``, ``runs.parquet`` and figures.
        counterfactual: also run each claim with its overturning change; the claim
            should then FAIL (column ``overturned``).
        claims: ids to run (``"1a,5"`` or ``["2", "3"]``; a number selects all its parts),
            or :class:`~governance_sim.validation.spec.Claim` objects; default all.
        seed: base seed; replicate ``r`` of every arm runs with the seed derived from (seed, r).
        scenarios_dir: where the scenario files are (default: the repository's ``scenarios/``).
        alpha: significance level of the tests.
        progress: ``True`` for a progress bar, or ``fn(done, total, failed)``.
        lang: language of the figures written to ``out`` (``"zh"`` or ``"en"``).

    Returns:
        One row per claim and condition with columns ``claim, condition, scenario,
        variants, metric, estimand, expected, effect, ci_low, ci_high, p_value,
        effect_size, n, test, result`` (PASS / FAIL / N/A), ``overturned`` (counterfactual
        rows: whether the claim then FAILS), ``change``, ``days``, ``statement`` and ``arms``.
    """
    v = run_validation(reps, workers, days, counterfactual, claims, seed=seed, scheduler=scheduler,
                       executor=executor, scenarios_dir=scenarios_dir, alpha=alpha, progress=progress)
    if out is not None:
        v.write(out, lang)
    return v.table


def summary_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many claims pass, fail or cannot be tested, and how many counterfactuals overturn."""
    shipped = table[table["condition"] == SHIPPED]
    cf = table[table["condition"] == COUNTERFACTUAL]
    out = {r: int((shipped["result"] == r).sum()) for r in (st.PASS, st.FAIL, st.NOT_TESTABLE)}
    if len(cf):
        passing = set(shipped.loc[shipped["result"] == st.PASS, "claim"])
        cf = cf[cf["claim"].isin(passing)]  # only a claim that holds can be overturned
        out["overturned"] = int((cf["overturned"] == True).sum())  # noqa: E712  (None is neither)
        out["counterfactuals"] = len(cf)
    return out
