"""Statistics over replications: means with t intervals, paired differences, effect sizes.

Replications of different variants share seeds (common random numbers), so a
difference is estimated on pairs with the same seed when both ran; otherwise
Welch's unpaired interval is used.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and its two-sided t confidence interval; NaNs are dropped."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(x.mean())
    if n == 1:
        return m, math.nan, math.nan, 1
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return m, m - half, m + half, n


def difference(a: pd.Series, b: pd.Series, level: float = 0.95) -> dict[str, float]:
    """Difference ``b − a`` with its interval, p value and standardised effect size.

    ``a`` and ``b`` are indexed by seed; seeds present in both are paired.
    """
    a = a.dropna()
    b = b.dropna()
    common = a.index.intersection(b.index)
    if len(common) >= 2:
        d = (b.loc[common] - a.loc[common]).to_numpy(dtype=float)
        m, lo, hi, n = mean_ci(d, level)
        sd = d.std(ddof=1)
        # identical pairs have no spread: the difference is exactly zero or exactly constant
        p = float(stats.ttest_1samp(d, 0.0).pvalue) if sd > 0 else (1.0 if m == 0 else 0.0)
        pooled = math.sqrt((a.loc[common].var(ddof=1) + b.loc[common].var(ddof=1)) / 2)
        return {"diff": m, "diff_low": lo, "diff_high": hi, "p_value": p,
                "effect_size": m / pooled if pooled > 0 else math.nan, "paired": True, "n_pairs": n}
    if len(a) < 2 or len(b) < 2:
        return {"diff": float(b.mean() - a.mean()) if len(a) and len(b) else math.nan,
                "diff_low": math.nan, "diff_high": math.nan, "p_value": math.nan,
                "effect_size": math.nan, "paired": False, "n_pairs": 0}
    res = stats.ttest_ind(b, a, equal_var=False)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else 1
    half = float(stats.t.ppf(0.5 + level / 2, dof) * se)
    m = float(b.mean() - a.mean())
    pooled = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    return {"diff": m, "diff_low": m - half, "diff_high": m + half, "p_value": float(res.pvalue),
            "effect_size": m / pooled if pooled > 0 else math.nan, "paired": False, "n_pairs": 0}
