"""Statistics over replications, all from :mod:`scipy.stats`: one module for comparisons and claims.

Replications of different variants share seeds (common random numbers), so a
difference is estimated on pairs with the same seed when both ran; otherwise
Welch's unequal-variance test is used.  The pieces:

* :func:`mean_ci` — a mean with its t interval, or, for a bounded metric (a
  count, a rate, a share), a percentile bootstrap interval that stays inside
  the metric's range (:func:`scipy.stats.bootstrap`);
* :func:`difference` — ``b − a`` paired over seeds (``ttest_1samp``) or Welch
  (``ttest_ind(equal_var=False)``), with SciPy's confidence interval;
* :func:`paired_t`, :func:`bootstrap`, :func:`welch` — the tests behind a
  validation claim (an estimate against a threshold), and :func:`verdict`.

A comparison without spread (every seed gives the same value) has no p value:
it is reported as *degenerate* (``degenerate=True``, ``p_value`` NaN) and its
interval is the constant itself — never a spurious ``p < 0.001``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

ALPHA = 0.05
TESTS = ("paired_t", "bootstrap", "welch")
PASS, FAIL, NOT_TESTABLE = "PASS", "FAIL", "N/A"
RESAMPLES = 9_999


def _clean(values) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    return x[np.isfinite(x)]


def is_bounded(x: np.ndarray) -> bool:
    """A count or a rate/share: non-negative, and whole numbers or at most 1."""
    return bool(len(x)) and x.min() >= 0 and (x.max() <= 1 or np.all(x == np.round(x)))


def bootstrap_ci(x: np.ndarray, level: float = 0.95, seed: int = 0,
                 resamples: int = RESAMPLES) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (seeds resampled with replacement)."""
    res = stats.bootstrap((x,), np.mean, confidence_level=level, n_resamples=resamples,
                          method="percentile", vectorized=True, random_state=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def mean_ci(values, level: float = 0.95, bounded: bool | None = None) -> tuple[float, float, float, int]:
    """Mean and its two-sided interval; NaNs are dropped.

    ``bounded=None`` decides from the data (:func:`is_bounded`): counts and rates
    get a percentile bootstrap interval, which cannot leave their range (no
    negative petitions); other metrics get the t interval.
    """
    x = _clean(values)
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(x.mean())
    if n == 1:
        return m, math.nan, math.nan, 1
    if np.all(x == x[0]):  # no spread: the interval is the value
        return m, m, m, n
    if bounded if bounded is not None else is_bounded(x):
        lo, hi = bootstrap_ci(x, level)
        return m, lo, hi, n
    ci = stats.ttest_1samp(x, 0.0).confidence_interval(level)
    return m, float(ci.low), float(ci.high), n


def difference(a: pd.Series, b: pd.Series, level: float = 0.95) -> dict[str, float]:
    """Difference ``b − a`` with its interval, p value and standardised effect size.

    ``a`` and ``b`` are indexed by seed; seeds present in both are paired
    (paired t test), otherwise Welch's t.  ``degenerate`` is true when the
    differences have no spread (no p value exists).
    """
    a = a.dropna()
    b = b.dropna()
    common = a.index.intersection(b.index)
    if len(common) >= 2:
        res = paired_t((b.loc[common] - a.loc[common]).to_numpy(dtype=float), alpha=1 - level)
        pooled = math.sqrt((a.loc[common].var(ddof=1) + b.loc[common].var(ddof=1)) / 2)
        paired, n_pairs = True, res.n
    elif len(a) < 2 or len(b) < 2:
        return {"diff": float(b.mean() - a.mean()) if len(a) and len(b) else math.nan,
                "diff_low": math.nan, "diff_high": math.nan, "p_value": math.nan,
                "effect_size": math.nan, "paired": False, "n_pairs": 0, "degenerate": False}
    else:
        res = welch(a, b, alpha=1 - level)
        pooled = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
        paired, n_pairs = False, 0
    return {"diff": res.effect, "diff_low": res.ci_low, "diff_high": res.ci_high, "p_value": res.p_value,
            "effect_size": res.effect / pooled if pooled > 0 else math.nan, "paired": paired,
            "n_pairs": n_pairs, "degenerate": res.degenerate}


@dataclass(frozen=True)
class TestResult:
    """Outcome of one test: estimate, interval, p against the threshold, effect size.

    ``degenerate`` marks a test without spread (every seed the same): ``p_value``
    is NaN, the interval is the constant, ``effect_size`` is ±∞ (or 0 on the threshold).
    """

    __test__ = False  # not a pytest test class, despite the name

    effect: float
    ci_low: float
    ci_high: float
    p_value: float
    effect_size: float
    n: int
    test: str
    degenerate: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def _nan_result(test: str, n: int, effect: float = math.nan) -> TestResult:
    return TestResult(effect, math.nan, math.nan, math.nan, math.nan, n, test)


def _degenerate(m: float, threshold: float, n: int, test: str) -> TestResult:
    d = 0.0 if m == threshold else math.copysign(math.inf, m - threshold)
    return TestResult(m, m, m, math.nan, d, n, test, degenerate=True)


def _per_seed(values, threshold: float, test: str) -> tuple[np.ndarray, TestResult | None]:
    """The finite per-seed values, and the result itself when no test can be made: fewer than
    two values, or zero variance (reported as degenerate, without a p value)."""
    x = _clean(values)
    n = len(x)
    if n < 2:
        return x, _nan_result(test, n, float(x.mean()) if n else math.nan)
    m = float(x.mean())
    if float(x.std(ddof=1)) == 0:
        return x, _degenerate(m, threshold, n, test)
    return x, None


def paired_t(values, threshold: float = 0.0, alpha: float = ALPHA) -> TestResult:
    """One-sample t on per-seed values (a paired t test when they are paired differences).

    ``effect_size`` is Cohen's d_z = (mean − threshold) / sd of the per-seed values.
    """
    x, early = _per_seed(values, threshold, "paired_t")
    if early is not None:
        return early
    n, m, sd = len(x), float(x.mean()), float(x.std(ddof=1))
    res = stats.ttest_1samp(x, threshold)
    ci = res.confidence_interval(1 - alpha)
    return TestResult(m, float(ci.low), float(ci.high), float(res.pvalue), (m - threshold) / sd, n, "paired_t")


def bootstrap(values, threshold: float = 0.0, alpha: float = ALPHA, resamples: int = 10_000,
              seed: int = 0) -> TestResult:
    """Percentile bootstrap of the mean of per-seed values (:func:`scipy.stats.bootstrap`).

    p is twice the smaller share of bootstrap means on either side of ``threshold``
    (at least 1/resamples); effect size as in :func:`paired_t`.
    """
    x, early = _per_seed(values, threshold, "bootstrap")
    if early is not None:
        return early
    n, m, sd = len(x), float(x.mean()), float(x.std(ddof=1))
    res = stats.bootstrap((x,), np.mean, confidence_level=1 - alpha, n_resamples=resamples,
                          method="percentile", vectorized=True, random_state=np.random.default_rng(seed))
    means = res.bootstrap_distribution
    below = float((means <= threshold).mean())
    above = float((means >= threshold).mean())
    p = min(1.0, max(2 * min(below, above), 1.0 / resamples))
    return TestResult(m, float(res.confidence_interval.low), float(res.confidence_interval.high), p,
                      (m - threshold) / sd, n, "bootstrap")


def welch(a, b, threshold: float = 0.0, alpha: float = ALPHA) -> TestResult:
    """Welch's t on ``mean(b) − mean(a)`` for independent samples (``ttest_ind(equal_var=False)``);
    Cohen's d with the pooled (average-variance) standard deviation."""
    a, b = _clean(a), _clean(b)
    n = min(len(a), len(b))
    if len(a) < 2 or len(b) < 2:
        eff = float(b.mean() - a.mean()) if len(a) and len(b) else math.nan
        return _nan_result("welch", n, eff)
    m = float(b.mean() - a.mean())
    if a.var(ddof=1) == 0 and b.var(ddof=1) == 0:
        return _degenerate(m, threshold, n, "welch")
    # shifting b by the threshold tests mean(b) − mean(a) against it
    res = stats.ttest_ind(b - threshold, a, equal_var=False)
    ci = res.confidence_interval(1 - alpha)
    pooled = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    return TestResult(m, float(ci.low) + threshold, float(ci.high) + threshold, float(res.pvalue),
                      (m - threshold) / pooled if pooled > 0 else math.nan, n, "welch")


def verdict(result: TestResult, direction: str, threshold: float = 0.0) -> str:
    """PASS when the whole interval lies on the claimed side of ``threshold``.

    ``direction`` is ``"greater"`` (the estimate must exceed the threshold) or
    ``"less"``; an undefined interval (too few runs, no cases) is ``N/A``.
    """
    if direction not in ("greater", "less"):
        raise ValueError(f"direction must be 'greater' or 'less' (got {direction!r})")
    lo, hi = result.ci_low, result.ci_high
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return NOT_TESTABLE
    if direction == "greater":
        return PASS if lo > threshold else FAIL
    return PASS if hi < threshold else FAIL


def format_p(p: float, degenerate: bool = False) -> str:
    """``< 0.001`` below a thousandth, three decimals otherwise; ``zero variance`` without a p."""
    if degenerate:
        return "zero variance"
    if p is None or p != p:
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"
