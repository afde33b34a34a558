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
           "zone_team": "片区工作组", "line_team": "工作线", "city_command": "市指挥中心",
           "large_grid": "大网格团队"},
    "en": {"grid_worker": "grid workers", "community_office": "communities", "street_office": "street",
           "street_chief": "street chiefs", "department": "departments", "district_center": "district",
           "zone_platform": "zone platforms", "seconded_staff": "sent down", "township_office": "offices",
           "zone_team": "zone teams", "line_team": "line teams", "city_command": "city centre",
           "large_grid": "large-grid teams"},
}


def labels(lang: str | None) -> dict[str, str]:
    """The figure texts in ``lang`` (English when no CJK font can be had; see :func:`figure_lang`)."""
    return LABELS[figure_lang(lang)]


TIMES = ("response_time_mean_h", "resolution_time_mean_h")
RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
DIFF_TEXT = {
    "zh": {"d_rates": "三率之差 (百分点)", "d_rates_x": "与参照方案之差 (百分点, 配对, 95% 置信区间)",
           "d_times": "时间之差 (%)", "d_times_x": "与参照方案之差 / 参照均值 (%)",
           "d_work": "人均周工作时长之差 (%)", "d_work_x": "与参照方案之差 / 参照均值 (%)",
           "levels_times": "平均时间 (小时, 95% 置信区间)", "rates_y": "比率 (95% 置信区间)",
           "hours": "小时", "vs": "对比参照方案", "constant": "无差异 (各种子相同)"},
    "en": {"d_rates": "Difference in the three rates (pp)",
           "d_rates_x": "difference to the reference (percentage points, paired, 95% CI)",
           "d_times": "Difference in times (%)", "d_times_x": "difference / reference mean (%)",
           "d_work": "Difference in hours per week (%)", "d_work_x": "difference / reference mean (%)",
           "levels_times": "mean times (h, 95% CI)", "rates_y": "rate (95% CI)",
           "hours": "hours", "vs": "vs reference", "constant": "no difference (identical on every seed)"},
}


def _roles(runs) -> list[str]:
    return [c.removeprefix("workload_hours_per_week_") for c in runs.columns
            if c.startswith("workload_hours_per_week_") and runs[c].notna().any()]


def _diff_panel(ax, cmp, metrics, names, scale, relative: bool, colours, xlabel: str, title: str):
    """Paired differences of each non-reference variant, one row per metric, with 95 % intervals."""
    ref, others = cmp.variants[0], cmp.variants[1:]
    height = 0.8 / max(len(others), 1)
    for j, v in enumerate(others):
        for k, metric in enumerate(metrics):
            rows = cmp.metric(metric).set_index("variant")
            if v not in rows.index or ref not in rows.index:
                continue
            r = rows.loc[v]
            base = abs(rows.loc[ref, "mean"]) if relative else 1.0
            if not base or base != base:
                continue
            f = scale / base
            y = k + (j - (len(others) - 1) / 2) * height
            m, lo, hi = r["diff"] * f, r["diff_low"] * f, r["diff_high"] * f
            excludes_zero = lo > 0 or hi < 0
            ax.errorbar(m, y, xerr=[[max(m - lo, 0)], [max(hi - m, 0)]] if lo == lo else None, fmt="o",
                        color=colours[(j + 1) % 10], mfc=colours[(j + 1) % 10] if excludes_zero else "white",
                        capsize=3, label=v if k == 0 else None)
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(range(len(metrics)), names)
    ax.set_ylim(len(metrics) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)


def _level_bars(ax, cmp, metrics, names, colours, scale: float = 1.0):
    """Each variant's mean with its 95 % interval, grouped by metric."""
    width = 0.8 / len(cmp.variants)
    for i, v in enumerate(cmp.variants):
        means, errs = [], [[], []]
        for metric in metrics:
            rows = cmp.metric(metric).set_index("variant")
            r = rows.loc[v] if v in rows.index else None
            m = r["mean"] * scale if r is not None else float("nan")
            lo = r["ci_low"] * scale if r is not None and r["ci_low"] == r["ci_low"] else m
            hi = r["ci_high"] * scale if r is not None and r["ci_high"] == r["ci_high"] else m
            means.append(m)
            errs[0].append(max(m - lo, 0))
            errs[1].append(max(hi - m, 0))
        xs = [k + (i - (len(cmp.variants) - 1) / 2) * width for k in range(len(metrics))]
        ax.bar(xs, means, width, yerr=errs, capsize=3, color=colours[i % 10], alpha=0.8, label=v)
    ax.set_xticks(range(len(metrics)), names, rotation=20 if len(metrics) > 3 else 0,
                  ha="right" if len(metrics) > 3 else "center")
    ax.grid(axis="y", alpha=0.3)


def comparison_figure(cmp, lang: str | None = None):
    """The answer first: paired differences to the reference variant with 95 % intervals for
    三率 (percentage points), response and resolution times, and hours per week by role
    (per cent of the reference); below, each variant's levels with their intervals.

    A hollow marker is a difference whose interval includes zero."""
    lang = figure_lang(lang)
    L, D, names = LABELS[lang], DIFF_TEXT[lang], ROLE_NAMES[lang]
    runs, variants = cmp.runs, cmp.variants
    colours = plt.cm.tab10.colors
    roles = _roles(runs)
    work = [f"workload_hours_per_week_{r}" for r in roles]
    role_names = [names.get(r, r) for r in roles]
    rate_names = [L[r] for r in RATES]
    time_names = [L["response"].split(" (")[0], L["resolution"].split(" (")[0]]
    fig, axes = plt.subplots(2, 3, figsize=(17, 9.5), gridspec_kw={"height_ratios": [1, 1]})
    if len(variants) > 1:
        _diff_panel(axes[0, 0], cmp, RATES, rate_names, 100, False, colours, D["d_rates_x"], D["d_rates"])
        _diff_panel(axes[0, 1], cmp, TIMES, time_names, 100, True, colours, D["d_times_x"], D["d_times"])
        _diff_panel(axes[0, 2], cmp, work, role_names, 100, True, colours, D["d_work_x"], D["d_work"])
        axes[0, 0].legend(title=f"{D['vs']} {variants[0]}", fontsize=8, title_fontsize=8, loc="best")
    else:
        for ax in axes[0]:
            ax.axis("off")
    ax = axes[1, 0]
    _level_bars(ax, cmp, RATES, rate_names, colours)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(D["rates_y"])
    ax.set_title(L["rates"])
    ax.legend(fontsize=8)
    ax = axes[1, 1]
    _level_bars(ax, cmp, TIMES, time_names, colours)
    ax.set_ylabel(D["hours"])
    ax.set_title(D["levels_times"])
    ax = axes[1, 2]
    _level_bars(ax, cmp, work, role_names, colours)
    ax.set_ylabel(L["workload"])
    ax.set_title(L["workload"])
    n = int(runs.groupby("variant").size().min())
    fig.suptitle(f"{L['title']}: {cmp.scenario_name} ({n} {L['runs']})", fontsize=13)
    fig.tight_layout()
    return fig
