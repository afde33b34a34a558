"""Figures for comparisons: time distributions, 三率, workload by role (``lang="zh"|"en"``)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402

from governance_sim.fonts import figure_lang  # noqa: E402

LABELS = {
    "zh": {
        "response": "平均响应时间 (小时)", "resolution": "平均办结时间 (小时)",
        "rates": "三率", "workload": "人均周工作时长 (小时)",
        "response_rate": "响应率", "resolution_rate": "解决率", "satisfaction_rate": "满意率",
        "title": "方案比较", "runs": "次重复",
    },
    "en": {
        "response": "mean response time (h)", "resolution": "mean resolution time (h)",
        "rates": "the three rates", "workload": "hours per person per week",
        "response_rate": "response rate", "resolution_rate": "resolution rate",
        "satisfaction_rate": "satisfaction rate", "title": "Comparison", "runs": "replications",
    },
}
ROLE_NAMES = {
    "zh": {"grid_worker": "网格员", "community_office": "社区", "street_office": "街道",
           "street_chief": "街巷长", "department": "职能部门", "district_center": "区指挥中心",
           "zone_platform": "片区平台", "seconded_staff": "下沉人员", "township_office": "乡镇科室",
           "zone_team": "片区工作组", "line_team": "工作线"},
    "en": {"grid_worker": "grid workers", "community_office": "communities", "street_office": "street",
           "street_chief": "street chiefs", "department": "departments", "district_center": "district",
           "zone_platform": "zone platforms", "seconded_staff": "sent down", "township_office": "offices",
           "zone_team": "zone teams", "line_team": "line teams"},
}


def labels(lang: str | None) -> dict[str, str]:
    """The figure texts in ``lang`` (English when no CJK font can be had; see :func:`figure_lang`)."""
    return LABELS[figure_lang(lang)]


def comparison_figure(cmp, lang: str = "zh"):
    """A 2×2 figure: response and resolution times across replications, 三率 with 95 % CIs,
    and workload by role."""
    L = labels(lang)
    runs, variants = cmp.runs, cmp.variants
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    colours = plt.cm.tab10.colors
    for ax, metric, key in ((axes[0, 0], "response_time_mean_h", "response"),
                            (axes[0, 1], "resolution_time_mean_h", "resolution")):
        data = [runs.loc[runs["variant"] == v, metric].dropna() for v in variants]
        parts = ax.boxplot(data, patch_artist=True, widths=0.6)
        for patch, c in zip(parts["boxes"], colours, strict=False):
            patch.set_facecolor(c)
            patch.set_alpha(0.55)
        ax.set_xticks(range(1, len(variants) + 1), variants, rotation=20, ha="right")
        ax.set_ylabel(L[key])
        ax.grid(axis="y", alpha=0.3)
    ax = axes[1, 0]
    rates = ["response_rate", "resolution_rate", "satisfaction_rate"]
    width = 0.8 / len(variants)
    for i, v in enumerate(variants):
        means, errs = [], []
        for r in rates:
            row = cmp.metric(r)
            row = row[row["variant"] == v].iloc[0]
            means.append(row["mean"])
            errs.append(max(row["mean"] - row["ci_low"], 0) if row["ci_low"] == row["ci_low"] else 0)
        xs = [k + (i - (len(variants) - 1) / 2) * width for k in range(len(rates))]
        ax.bar(xs, means, width, yerr=errs, capsize=3, color=colours[i % 10], alpha=0.8, label=v)
    ax.set_xticks(range(len(rates)), [L[r] for r in rates])
    ax.set_ylim(0, 1.05)
    ax.set_title(L["rates"])
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax = axes[1, 1]
    roles = [c.removeprefix("workload_hours_per_week_") for c in runs.columns
             if c.startswith("workload_hours_per_week_") and runs[c].notna().any()]
    for i, v in enumerate(variants):
        sub = runs[runs["variant"] == v]
        vals = [sub[f"workload_hours_per_week_{r}"].mean() for r in roles]
        xs = [k + (i - (len(variants) - 1) / 2) * width for k in range(len(roles))]
        ax.bar(xs, vals, width, color=colours[i % 10], alpha=0.8, label=v)
    names = ROLE_NAMES[lang]
    ax.set_xticks(range(len(roles)), [names.get(r, r) for r in roles], rotation=20, ha="right")
    ax.set_ylabel(L["workload"])
    ax.grid(axis="y", alpha=0.3)
    n = int(runs.groupby("variant").size().min())
    fig.suptitle(f"{L['title']}: {cmp.scenario_name} ({n} {L['runs']})", fontsize=13)
    fig.tight_layout()
    return fig
