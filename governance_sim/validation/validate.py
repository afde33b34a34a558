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
from governance_sim.validation.execute import (
    COUNTERFACTUAL,
    SHIPPED,
    Plan,
    conditions_of,
    execute,
    plan,
    scan_value,
)
from governance_sim.validation.journal import JOURNAL_NAME, RunJournal
from governance_sim.validation.spec import Claim, Diff

COLUMNS = ["claim", "condition", "scenario", "variants", "metric", "estimand", "expected", "effect",
           "ci_low", "ci_high", "p_value", "effect_size", "n", "test", "result", "overturned",
           "change", "parameter", "value", "days", "statement", "arms"]
FLIP_COLUMNS = ["claim", "parameter", "range", "counterfactual", "values", "results", "flips"]


@dataclass
class Validation:
    """Everything a validation produced: the table, each run's metrics, per-seed estimates."""

    table: pd.DataFrame
    runs: pd.DataFrame
    contrasts: pd.DataFrame  # claim, condition, seed, value
    failures: pd.DataFrame
    claims: list[Claim]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def scan(self) -> pd.DataFrame:
        """The scan rows of :attr:`table` (condition ``scan@<value>``), one per claim and value."""
        return self.table[self.table["condition"].str.startswith("scan@")].reset_index(drop=True)

    @property
    def flips(self) -> pd.DataFrame:
        """Per claim: its behavioural parameter, the verdicts along the scan and where they flip."""
        return flip_points(self.table, self.claims)

    def figures(self, lang: str = "zh") -> dict[str, Any]:
        from dataclasses import replace

        from governance_sim.analysis.validation_plots import contrasts_figure, forest_figure

        keep = self.table["condition"].isin([SHIPPED, COUNTERFACTUAL])  # the scan has its own table
        shown = replace(self, table=self.table[keep].reset_index(drop=True))
        return {"validation_forest": forest_figure(shown, lang),
                "validation_claims": contrasts_figure(shown, lang)}

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
    value = cf.value if condition == COUNTERFACTUAL else scan_value(condition)
    row = {
        "claim": claim.id, "condition": condition, "scenario": claim.scenario_name,
        "variants": claim.variants(), "metric": claim.metric,
        "estimand": f"{claim.contrast.kind}: {claim.contrast.describe(claim.metric)}",
        "expected": claim.expected(), **res.as_dict(), "result": result,
        "overturned": (None if result == st.NOT_TESTABLE else result == st.FAIL)
        if condition == COUNTERFACTUAL else None,
        "change": cf.describe() if condition == COUNTERFACTUAL and cf else "",
        "parameter": cf.parameter if cf else "",
        "value": value,
        "days": p.days_of.get(claim.id),
        "statement": claim.text,
        "arms": "; ".join(f"{a.label} = {a.describe()}" for a in claim.arms),
    }
    return row, values


def run_validation(reps: int = 30, workers: int | None = None, days: int | None = None,
                   counterfactual: bool = False, claims: str | list | None = None, *, seed: int = 0,
                   scheduler: str | None = None, executor: Executor | None = None,
                   scenarios_dir: str | Path | None = None, alpha: float = st.ALPHA,
                   progress: bool | Callable = False, scan: int = 0,
                   warmup_days: int | None = None, journal: RunJournal | None = None) -> Validation:
    """Run and test the claims; returns a :class:`Validation` (see :func:`validate`).

    ``journal``: finished runs to reuse and to append to (:mod:`governance_sim.validation.journal`).
    """
    check_options(reps, days, scan, warmup_days)
    chosen = claims_by_id(claims)
    for c in chosen:
        for name in c.contrast.metrics(c.metric):
            metric(name)  # plain summary columns are accepted as they are
    p = plan(chosen, reps=reps, days=days, seed=seed, counterfactual=counterfactual,
             scenarios_dir=scenarios_dir, scan_points=scan, warmup_days=warmup_days)
    runs, failures = execute(p, workers=workers, scheduler=scheduler, executor=executor,
                             progress=progress, journal=journal)
    rows, per_seed = [], []
    for claim in chosen:
        for condition, _ in conditions_of(claim, counterfactual, scan):
            row, values = assess(claim, runs, p, condition, alpha)
            rows.append(row)
            per_seed.append(pd.DataFrame({"claim": claim.id, "condition": condition,
                                          "seed": values.index.to_numpy(), "value": values.to_numpy()}))
    table = pd.DataFrame(rows, columns=COLUMNS)
    contrasts = pd.concat(per_seed, ignore_index=True) if per_seed else pd.DataFrame(
        columns=["claim", "condition", "seed", "value"])
    settings = {"reps": reps, "days": days, "seed": seed, "counterfactual": counterfactual,
                "alpha": alpha, "runs": p.n_runs, "arms": len(p.configs), "scan": scan,
                "warmup_days": warmup_days}
    return Validation(table=table, runs=runs, contrasts=contrasts, failures=failures,
                      claims=chosen, settings=settings)


def validate(reps: int = 30, workers: int | None = None, days: int | None = None,
             out: str | Path | None = None, counterfactual: bool = False,
             claims: str | list | None = None, *,
             seed: int = 0, scheduler: str | None = None, executor: Executor | None = None,
             scenarios_dir: str | Path | None = None, alpha: float = st.ALPHA,
             progress: bool | Callable = False, lang: str = "zh", scan: int = 0,
             warmup_days: int | None = None, resume: bool = True) -> pd.DataFrame:
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
        counterfactual: also run each claim with its behavioural parameter at the value
            that should overturn it; the claim should then FAIL (column ``overturned``).
        scan: sweep each claim's behavioural parameter over its documented range at this
            many points (0 = no scan; 5 is a good start); rows with condition
            ``scan@<value>``, and :func:`flip_points` says where the verdict flips.
        warmup_days: days simulated before the counted ones in every run (default: each
            scenario's ``warmup_days``).
        claims: ids to run (``"1a,5"`` or ``["2", "3"]``; a number selects all its parts),
            or :class:`~governance_sim.validation.spec.Claim` objects; default all.
        seed: base seed; replicate ``r`` of every arm runs with the seed derived from (seed, r).
        scenarios_dir: where the scenario files are (default: the repository's ``scenarios/``).
        alpha: significance level of the tests.
        progress: ``True`` for a progress bar, or ``fn(done, total, failed)``.
        lang: language of the figures written to ``out`` (``"zh"`` or ``"en"``).
        resume: with ``out``, every finished run is journalled in ``out/validate-journal.jsonl``
            and a validation started again with the same ``out`` (and the same model code)
            runs only what is missing; ``False`` starts afresh.

    Returns:
        One row per claim and condition with columns ``claim, condition, scenario,
        variants, metric, estimand, expected, effect, ci_low, ci_high, p_value,
        effect_size, n, test, result`` (PASS / FAIL / N/A), ``overturned`` (counterfactual
        rows: whether the claim then FAILS), ``change``, ``parameter`` and ``value`` (the
        claim's behavioural parameter and its value under that condition), ``days``,
        ``statement`` and ``arms``.
    """
    journal = open_journal(out, resume) if out is not None else None
    v = run_validation(reps, workers, days, counterfactual, claims, seed=seed, scheduler=scheduler,
                       executor=executor, scenarios_dir=scenarios_dir, alpha=alpha, progress=progress,
                       scan=scan, warmup_days=warmup_days, journal=journal)
    if out is not None:
        v.write(out, lang)
    return v.table


def open_journal(out: str | Path, resume: bool = True) -> RunJournal:
    """The run journal of a validation writing to ``out``; ``resume=False`` sets any old one aside."""
    journal = RunJournal(Path(out) / JOURNAL_NAME)
    if not resume and journal.done:
        journal.done.clear()
        journal.set_aside = "starting afresh"
    return journal


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


def check_options(reps: int, days: int | None, scan: int = 0, warmup_days: int | None = None) -> None:
    """One :class:`ScenarioError` naming the option that is out of bounds."""
    if reps < 2:
        raise ScenarioError("--reps", f"a test needs at least 2 replications (got {reps})")
    if days is not None and days < 1:
        raise ScenarioError("--days", f"must be at least 1 (got {days})")
    if scan < 0 or scan == 1:
        raise ScenarioError("--scan", f"0 (no scan) or at least 2 points (got {scan})")
    if warmup_days is not None and warmup_days < 0:
        raise ScenarioError("--warmup-days", f"must be 0 or more (got {warmup_days})")


def flip_points(table: pd.DataFrame, claims: list[Claim]) -> pd.DataFrame:
    """Where each claim's verdict flips along the scan of its behavioural parameter.

    One row per scanned claim: the values, the verdict at each, and the intervals of the
    parameter across which PASS turns into FAIL or back (``no flip`` when every verdict is
    the same; N/A points are skipped).
    """
    rows = []
    for claim in claims:
        cf = claim.counterfactual
        sub = table[(table["claim"] == claim.id) & table["condition"].str.startswith("scan@")]
        if cf is None or sub.empty:
            continue
        sub = sub.sort_values("value")
        values, results = sub["value"].tolist(), sub["result"].tolist()
        tested = [(v, r) for v, r in zip(values, results, strict=True) if r in (st.PASS, st.FAIL)]
        flips = [f"{r0} → {r1} between {v0:g} and {v1:g}"
                 for (v0, r0), (v1, r1) in zip(tested, tested[1:], strict=False) if r0 != r1]
        if not tested:
            text = "not testable"
        elif flips:
            text = "; ".join(flips)
        else:
            text = f"no flip: {tested[0][1]} over the whole range"
        rows.append({"claim": claim.id, "parameter": cf.parameter, "range": f"[{cf.low:g}, {cf.high:g}]",
                     "counterfactual": cf.value, "values": ", ".join(f"{v:g}" for v in values),
                     "results": ", ".join(results), "flips": text})
    return pd.DataFrame(rows, columns=FLIP_COLUMNS)
