"""Figures for the notebooks (``lang="zh"|"en"``): metrics with 95 % intervals, sweep heat
maps, Sobol' indices, daily series with a band over seeds, and shares by level."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from governance_sim.analysis.plots import ROLE_NAMES, labels  # noqa: E402
from governance_sim.analysis.stats import mean_ci  # noqa: E402

METRIC_LABELS = {
    "zh": {
        "response_time_mean_h": "平均响应时间 (小时)", "resolution_time_mean_h": "平均办结时间 (小时)",
        "resolution_time_multi_dept_mean_h": "多部门案件办结时间 (小时)",
        "resolution_time_single_dept_mean_h": "单部门案件办结时间 (小时)",
        "response_rate": "响应率", "resolution_rate": "解决率", "satisfaction_rate": "满意率",
        "handoffs_per_case": "每案流转次数", "buckpass_events": "推诿次数", "eruptions": "隐患爆发次数",
        "mean_trust_end": "期末平均信任", "share_found_by_patrol": "巡查主动发现占比",
        "staff_hours_per_resolved_case": "每解决一案所耗工时",
        "workload_hours_per_week_community_office": "社区人均周工作时长 (小时)",
        "workload_hours_per_week_department": "部门人均周工作时长 (小时)",
        "open_cases": "在办案件数", "day": "天", "level": "办结层级", "share": "占比",
        "S1": "一阶指数 S1", "ST": "总效应指数 ST", "sobol": "Sobol 指数 (方差占比)",
    },
    "en": {
        "response_time_mean_h": "mean response time (h)", "resolution_time_mean_h": "mean resolution time (h)",
        "resolution_time_multi_dept_mean_h": "cross-department resolution time (h)",
        "resolution_time_single_dept_mean_h": "single-department resolution time (h)",
        "response_rate": "response rate", "resolution_rate": "resolution rate",
        "satisfaction_rate": "satisfaction rate", "handoffs_per_case": "hand-offs per case",
        "buckpass_events": "buck-passing events", "eruptions": "eruptions", "mean_trust_end": "mean trust at end",
        "share_found_by_patrol": "share found by patrol",
        "staff_hours_per_resolved_case": "staff-hours per resolved case",
        "workload_hours_per_week_community_office": "community staff hours per week",
        "workload_hours_per_week_department": "department staff hours per week",
        "open_cases": "open cases", "day": "day", "level": "level where handled", "share": "share",
        "S1": "first order S1", "ST": "total ST", "sobol": "Sobol' index (share of variance)",
    },
}
PARAM_LABELS = {
    "zh": {"arrangement.reverse_assessment_weight": "反向考核权重", "roles.department.line_ministry_weight": "条线考核权重",
           "arrangement.p_buckpass": "推诿概率", "arrangement.referral_delay_days": "转办时长 (工作日)",
           "roles.department.local_priority": "部门对属地案件的优先级",
           "roles.grid_worker.detection_prob": "网格员巡查发现概率"},
    "en": {},
}
LEVEL_NAMES = {
    "zh": {**ROLE_NAMES["zh"], "party_branch": "党支部", "": "未办结"},
    "en": {**ROLE_NAMES["en"], "party_branch": "party branch", "": "not handled"},
}


def metric_label(name: str, lang: str = "zh") -> str:
    return METRIC_LABELS[lang].get(name, name)


def param_label(path: str, lang: str = "zh") -> str:
    return PARAM_LABELS[lang].get(path, path)


def metric_bars(runs: pd.DataFrame, metrics: list[str], lang: str = "zh", by: str = "variant",
                order: list[str] | None = None, title: str = ""):
    """One panel per metric: the mean of each group (variant) with its 95 % t interval and
    the replications as dots."""
    labels(lang)
    groups = order or list(dict.fromkeys(runs[by]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.6 * len(metrics), 3.6), squeeze=False)
    colours = plt.cm.tab10.colors
    rng = np.random.default_rng(0)
    for ax, metric in zip(axes[0], metrics, strict=True):
        for i, g in enumerate(groups):
            vals = runs.loc[runs[by] == g, metric].astype(float).dropna()
            m, lo, hi, _ = mean_ci(vals)
            ax.bar(i, m, 0.6, color=colours[i % 10], alpha=0.7)
            if lo == lo:
                ax.errorbar(i, m, yerr=[[m - lo], [hi - m]], color="black", capsize=4)
            ax.plot(i + rng.uniform(-0.15, 0.15, len(vals)), vals, ".", color="black", alpha=0.35, ms=4)
        ax.set_xticks(range(len(groups)), groups, rotation=20, ha="right", fontsize=8)
        ax.set_title(metric_label(metric, lang), fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def sweep_heatmap(runs: pd.DataFrame, x: str, y: str, metric: str, lang: str = "zh"):
    """Mean of ``metric`` over replicates at each (x, y) point of a grid sweep (dotted paths)."""
    labels(lang)
    cx, cy = x.replace(".", "__"), y.replace(".", "__")
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    table = ok.groupby([cy, cx])[metric].mean().unstack(cx).sort_index(ascending=False)
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    im = ax.imshow(table.to_numpy(dtype=float), cmap="viridis_r", aspect="auto")
    ax.set_xticks(range(table.shape[1]), [f"{v:g}" for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [f"{v:g}" for v in table.index])
    ax.set_xlabel(param_label(x, lang))
    ax.set_ylabel(param_label(y, lang))
    for (i, j), v in np.ndenumerate(table.to_numpy(dtype=float)):
        if math.isfinite(v):
            ax.text(j, i, f"{v:.0f}" if abs(v) >= 10 else f"{v:.2f}", ha="center", va="center",
                    color="white", fontsize=8)
    fig.colorbar(im, ax=ax, label=metric_label(metric, lang))
    fig.tight_layout()
    return fig


def sobol_bars(indices: pd.DataFrame, lang: str = "zh"):
    """First-order and total Sobol' indices with confidence intervals, per output."""
    labels(lang)
    outputs = list(dict.fromkeys(indices["output"]))
    n = indices["parameter"].nunique()
    fig, axes = plt.subplots(len(outputs), 1, figsize=(7, 0.6 + (0.5 * n + 0.8) * len(outputs)),
                             squeeze=False)
    for ax, name in zip(axes[:, 0], outputs, strict=True):
        df = indices[indices["output"] == name]
        ys = np.arange(len(df))
        h = 0.38
        ax.barh(ys - h / 2, df["S1"], h, xerr=df["S1_conf"], capsize=3, label=metric_label("S1", lang))
        ax.barh(ys + h / 2, df["ST"], h, xerr=df["ST_conf"], capsize=3, label=metric_label("ST", lang))
        ax.set_yticks(ys, [param_label(p, lang) for p in df["parameter"]])
        ax.invert_yaxis()
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_xlabel(metric_label("sobol", lang))
        ax.set_title(metric_label(name, lang))
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def timeseries_band(series: pd.DataFrame, column: str = "open_cases", by: str = "variant",
                    lang: str = "zh", shade: tuple[float, float] | None = None, title: str = ""):
    """Daily ``column`` per group: the mean over seeds with a band from the 10th to the 90th
    percentile; ``shade`` marks a window (e.g. a task shock)."""
    labels(lang)
    fig, ax = plt.subplots(figsize=(8, 3.8))
    colours = plt.cm.tab10.colors
    for i, (g, sub) in enumerate(series.groupby(by, sort=False)):
        q = sub.groupby("day")[column].quantile([0.1, 0.5, 0.9]).unstack()
        mean = sub.groupby("day")[column].mean()
        ax.plot(mean.index, mean.to_numpy(), color=colours[i % 10], label=str(g))
        ax.fill_between(q.index, q[0.1], q[0.9], color=colours[i % 10], alpha=0.2)
    if shade is not None:
        ax.axvspan(*shade, color="grey", alpha=0.15)
    ax.set_xlabel(metric_label("day", lang))
    ax.set_ylabel(metric_label(column, lang))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def level_shares(cases: pd.DataFrame, by: str = "variant", lang: str = "zh", title: str = ""):
    """Stacked shares of reported cases by the level where they were handled."""
    labels(lang)
    reported = cases[cases["t_reported"].notna()]
    shares = (reported.groupby(by)["level"].value_counts(normalize=True).unstack(fill_value=0.0))
    fig, ax = plt.subplots(figsize=(7, 3.6))
    left = np.zeros(len(shares))
    colours = plt.cm.tab20.colors
    for i, level in enumerate(shares.columns):
        vals = shares[level].to_numpy()
        ax.barh(range(len(shares)), vals, left=left, color=colours[i % 20],
                label=LEVEL_NAMES[lang].get(level, level))
        left += vals
    ax.set_yticks(range(len(shares)), shares.index)
    ax.set_xlim(0, 1)
    ax.set_xlabel(metric_label("share", lang))
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.22))
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
