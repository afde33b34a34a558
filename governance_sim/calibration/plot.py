"""``calibration.png``: posterior marginals against the priors, pairs, and the predictive check
against each target ± sd (``lang="zh"|"en"``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from governance_sim.calibration.priors import Prior
from governance_sim.calibration.targets import Target

LABELS = {
    "zh": {"prior": "先验", "posterior": "后验", "observed": "观测值 ± 标准差", "predictive": "后验预测",
           "title": "校准：{scenario}（{n} 个粒子）", "density": "密度", "draws": "次抽样"},
    "en": {"prior": "prior", "posterior": "posterior", "observed": "observed ± sd", "predictive": "posterior predictive",
           "title": "Calibration: {scenario} ({n} particles)", "density": "density", "draws": "draws"},
}
TARGET_NAMES = {  # the 三率 and volumes under their usual Chinese names
    "hotline_response_rate": "响应率", "hotline_solution_rate": "解决率", "hotline_satisfaction_rate": "满意率",
    "response_rate": "响应率（全部渠道）", "resolution_rate": "解决率（全部渠道）",
    "satisfaction_rate": "满意率（全部渠道）", "hotline_calls_per_1000_per_year": "热线诉求/千人·年",
}


def calibration_figure(posterior: pd.DataFrame, predictive: pd.DataFrame, priors: list[Prior],
                       targets: list[Target], scenario: str = "", lang: str = "zh"):
    """Top: a k×k grid (diagonal: marginal posterior vs prior; below: pairs of particles,
    sized by weight).  Bottom row: predictive draws of each target with the observed value ± sd."""
    import matplotlib.pyplot as plt

    from governance_sim.fonts import use_cjk_font

    if lang not in LABELS:
        raise ValueError(f"lang must be 'zh' or 'en' (got {lang!r})")
    if lang == "zh":
        use_cjk_font()
    L = LABELS[lang]
    k, m = len(priors), len(targets)
    cols = max(k, m)
    fig = plt.figure(figsize=(3.2 * cols, 3.0 * (k + 1)), layout="constrained")
    grid = fig.add_gridspec(k + 1, cols)
    w = posterior["weight"].to_numpy(float)
    for i, pi in enumerate(priors):
        for j, pj in enumerate(priors[: i + 1]):
            ax = fig.add_subplot(grid[i, j])
            if i == j:
                bins = np.geomspace(pi.low, pi.high, 21) if pi.log else np.linspace(pi.low, pi.high, 21)
                ax.hist(posterior[pi.path], bins=bins, weights=w, density=True, alpha=0.7,
                        color="tab:blue", label=L["posterior"])
                xs = np.geomspace(pi.low, pi.high, 200) if pi.log else np.linspace(pi.low, pi.high, 200)
                dens = 1 / (xs * np.log(pi.high / pi.low)) if pi.log else np.full_like(xs, 1 / pi.width)
                ax.plot(xs, dens, color="grey", linestyle="--", label=L["prior"])
                if pi.log:
                    ax.set_xscale("log")
                ax.set_xlabel(pi.path)
                ax.set_ylabel(L["density"])
                if i == 0:
                    ax.legend(fontsize="small")
            else:
                ax.scatter(posterior[pj.path], posterior[pi.path], s=10 + 400 * w, alpha=0.5, color="tab:blue")
                ax.set_xlim(pj.low, pj.high)
                ax.set_ylim(pi.low, pi.high)
                ax.set_xlabel(pj.path)
                ax.set_ylabel(pi.path)
    for j, t in enumerate(targets):
        ax = fig.add_subplot(grid[k, j])
        y = predictive[t.metric].dropna() if t.metric in predictive else pd.Series(dtype=float)
        if len(y):
            ax.hist(y, bins=20, color="tab:orange", alpha=0.7, label=f"{L['predictive']} ({len(y)} {L['draws']})")
        ax.axvspan(t.value - t.sd, t.value + t.sd, color="black", alpha=0.12)
        ax.axvline(t.value, color="black", label=L["observed"])
        name = TARGET_NAMES.get(t.metric) if lang == "zh" else None
        ax.set_xlabel(f"{name} ({t.metric})" if name else t.metric, fontsize="small")
        if j == 0:
            ax.legend(fontsize="small")
    fig.suptitle(L["title"].format(scenario=scenario, n=len(posterior)))
    return fig


def write_figure(fig, path: Path) -> Path:
    import os

    import matplotlib.pyplot as plt

    tmp = path.with_name(f".{path.stem}.partial.png")
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, path)
    plt.close(fig)
    return path
