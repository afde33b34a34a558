"""The test behind each claim: an estimate over seeds, its 95 % interval, p and effect size.

Every arm of a claim runs with the same seeds (common random numbers), so a
claim's estimand is computed seed by seed — a difference, a relative change
or a difference of differences — and tested on those per-seed values:

* ``paired_t`` — one-sample t on the per-seed values (a paired t test);
* ``bootstrap`` — percentile interval of the mean from resampled seeds, and a
  two-sided bootstrap p value (for skewed metrics such as counts of eruptions);
* ``welch`` — Welch's unequal-variance t on two independent samples (for arms
  that do not share seeds).

A claim holds (PASS) when the whole interval lies on the claimed side of its
threshold — 0 for "raises"/"lowers", a stated margin for "barely".  The
interval is two-sided at ``1 − alpha``, so PASS ⇔ p < alpha with the estimate
on the claimed side.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

ALPHA = 0.05
TESTS = ("paired_t", "bootstrap", "welch")
PASS, FAIL, NOT_TESTABLE = "PASS", "FAIL", "N/A"


@dataclass(frozen=True)
class TestResult:
    """Outcome of one test: estimate, interval, p against the threshold, effect size."""

    __test__ = False  # not a pytest test class, despite the name

    effect: float
    ci_low: float
    ci_high: float
    p_value: float
    effect_size: float
    n: int
    test: str

    def as_dict(self) -> dict:
        return asdict(self)


def _clean(values) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    return x[np.isfinite(x)]


def _nan_result(test: str, n: int, effect: float = math.nan) -> TestResult:
    return TestResult(effect, math.nan, math.nan, math.nan, math.nan, n, test)


def paired_t(values, threshold: float = 0.0, alpha: float = ALPHA) -> TestResult:
    """One-sample t on per-seed values (a paired t test when they are paired differences).

    ``effect_size`` is Cohen's d_z = (mean − threshold) / sd of the per-seed values.
    """
    x = _clean(values)
    n = len(x)
    if n < 2:
        return _nan_result("paired_t", n, float(x.mean()) if n else math.nan)
    m, sd = float(x.mean()), float(x.std(ddof=1))
    if sd == 0:  # every seed gave the same value: the interval is that value
        p = 1.0 if m == threshold else 0.0
        d = 0.0 if m == threshold else math.copysign(math.inf, m - threshold)
        return TestResult(m, m, m, p, d, n, "paired_t")
    se = sd / math.sqrt(n)
    half = float(stats.t.ppf(1 - alpha / 2, n - 1)) * se
    t = (m - threshold) / se
    p = float(2 * stats.t.sf(abs(t), n - 1))
    return TestResult(m, m - half, m + half, p, (m - threshold) / sd, n, "paired_t")


def bootstrap(values, threshold: float = 0.0, alpha: float = ALPHA, resamples: int = 10_000,
              seed: int = 0) -> TestResult:
    """Percentile bootstrap of the mean of per-seed values (seeds resampled with replacement).

    p is twice the smaller share of bootstrap means on either side of ``threshold``
    (at least 1/resamples); effect size as in :func:`paired_t`.
    """
    x = _clean(values)
    n = len(x)
    if n < 2:
        return _nan_result("bootstrap", n, float(x.mean()) if n else math.nan)
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    below = float((means <= threshold).mean())
    above = float((means >= threshold).mean())
    p = min(1.0, max(2 * min(below, above), 1.0 / resamples))
    m, sd = float(x.mean()), float(x.std(ddof=1))
    d = (m - threshold) / sd if sd > 0 else (0.0 if m == threshold else math.copysign(math.inf, m - threshold))
    return TestResult(m, float(lo), float(hi), p, d, n, "bootstrap")


def welch(a, b, threshold: float = 0.0, alpha: float = ALPHA) -> TestResult:
    """Welch's t on ``mean(b) − mean(a)`` for independent samples; Cohen's d with the
    pooled (average-variance) standard deviation."""
    a, b = _clean(a), _clean(b)
    if len(a) < 2 or len(b) < 2:
        eff = float(b.mean() - a.mean()) if len(a) and len(b) else math.nan
        return _nan_result("welch", min(len(a), len(b)), eff)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    m = float(b.mean() - a.mean())
    se = math.sqrt(va + vb)
    pooled = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    n = min(len(a), len(b))
    if se == 0:
        p = 1.0 if m == threshold else 0.0
        return TestResult(m, m, m, p, 0.0 if m == threshold else math.copysign(math.inf, m - threshold), n, "welch")
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(stats.t.ppf(1 - alpha / 2, dof)) * se
    t = (m - threshold) / se
    p = float(2 * stats.t.sf(abs(t), dof))
    return TestResult(m, m - half, m + half, p, (m - threshold) / pooled if pooled > 0 else math.nan, n, "welch")


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
