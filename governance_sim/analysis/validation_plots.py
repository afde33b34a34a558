"""Figures of a validation (``lang="zh"|"en"``): a forest of standardised effects, and one
panel per claim with its per-seed estimates, interval and threshold."""

from __future__ import annotations

import math
import textwrap

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from governance_sim.analysis.study_plots import metric_label  # noqa: E402
from governance_sim.fonts import figure_lang, use_cjk_font  # noqa: E402

TEXT = {
    "zh": {"forest_x": "标准化效应 (d_z, 主张方向为正) 及 95% 置信区间",
           "forest_title": "典型事实检验", "shipped": "默认参数", "counterfactual": "反事实参数",
           "threshold": "阈值", "seed": "每个随机种子的估计", "PASS": "通过", "FAIL": "未通过",
           "N/A": "无法检验", "inf": "∞：各种子取值相同 (零方差)", "zero": "0：各种子恰在阈值 (零方差)",
           "na": "无法检验 (运行或案件不足)", "condition": "参数设定", "estimate": "每个种子的估计值", "flat": "零方差：无 p 值"},
    "en": {"forest_x": "standardised effect (d_z, claimed direction positive) with 95 % CI",
           "forest_title": "Stylised facts", "shipped": "as shipped", "counterfactual": "counterfactual",
           "threshold": "threshold", "seed": "estimate per seed", "PASS": "PASS", "FAIL": "FAIL",
           "N/A": "N/A", "inf": "∞: identical on every seed (zero variance)",
           "zero": "0: every seed exactly on the threshold (zero variance)",
           "na": "not testable (too few runs or cases)", "condition": "parameters",
           "estimate": "estimate per seed", "flat": "zero variance: no p value"},
}
ESTIMANDS = {
    "zh": {"difference": "差值", "relative change": "相对变化", "difference of differences": "双重差分",
           "contrast": "对比"},
    "en": {},
}
COLOURS = {"PASS": "#2a9d4b", "FAIL": "#c0392b", "N/A": "#888888"}


def _text(lang: str) -> dict[str, str]:
    use_cjk_font()  # English claim texts name Chinese terms too (因事设岗, 吹哨报到 …)
    return TEXT[lang]


def standardised(row, values) -> tuple[float, float, float]:
    """(estimate, low, high) as distances from the threshold in units of the per-seed sd,
    signed so that the claimed direction is positive."""
    sign = 1.0 if row["expected"].startswith(">") else -1.0
    thr = float(row["expected"].split()[-1])
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    sd = float(x.std(ddof=1)) if len(x) > 1 else math.nan
    if sd == 0 and row["effect"] == thr:  # every seed exactly on the threshold (a knocked-out mechanism)
        return 0.0, 0.0, 0.0
    if sd == 0 and math.isfinite(row["effect"]):  # every seed the same, off the threshold: ±∞
        d = math.copysign(math.inf, sign * (row["effect"] - thr))
        return d, d, d
    if not sd or not math.isfinite(sd):
        return math.nan, math.nan, math.nan
    lo, hi = sorted((sign * (row["ci_low"] - thr) / sd, sign * (row["ci_high"] - thr) / sd))
    return sign * (row["effect"] - thr) / sd, lo, hi


def forest_figure(validation, lang: str = "zh"):
    """Each claim's estimate against its threshold; right of the line = the claim holds."""
    lang = figure_lang(lang)
    T = _text(lang)
    table, contrasts = validation.table, validation.contrasts
    claims = list(dict.fromkeys(table["claim"]))
    fig, ax = plt.subplots(figsize=(8.5, 0.45 * len(claims) + 1.6))
    offsets = {"shipped": 0.0, "counterfactual": 0.28}
    markers = {"shipped": "o", "counterfactual": "s"}
    points = []
    for i, claim in enumerate(claims):
        for _, row in table[table["claim"] == claim].iterrows():
            cond = row["condition"]
            vals = contrasts.loc[(contrasts["claim"] == claim) & (contrasts["condition"] == cond), "value"]
            points.append((i + offsets[cond], cond, COLOURS[row["result"]], *standardised(row, vals)))
    finite = [abs(v) for p in points for v in p[3:] if math.isfinite(v)]
    edge = 2 * max(finite + [1.0])  # where an infinite effect is drawn, past every finite one
    for y, cond, colour, m, lo, hi in points:
        face = colour if cond == "shipped" else "white"
        if math.isinf(m):  # zero variance off the threshold: an arrow at the edge, said in words
            ax.plot(math.copysign(edge, m), y, ">" if m > 0 else "<", color=colour, mfc=face, ms=9)
            ax.annotate(T["inf"], (math.copysign(edge, m), y), textcoords="offset points",
                        xytext=(-8 if m > 0 else 8, 5), ha="right" if m > 0 else "left", fontsize=7,
                        color=colour)
        elif math.isnan(m):
            ax.annotate(T["na"], (0, y), textcoords="offset points", xytext=(6, -3), fontsize=7, color=colour)
        else:
            ax.plot([lo, hi], [y, y], color=colour, lw=2)
            ax.plot(m, y, markers[cond], color=colour, mfc=face)
            if m == lo == hi == 0:
                ax.annotate(T["zero"], (0, y), textcoords="offset points", xytext=(6, 5), fontsize=7,
                            color=colour)
    ax.axvline(0, color="black", lw=1)
    ax.set_xscale("symlog", linthresh=1.0)  # effects range from fractions of an sd to dozens
    ax.set_xlim(-1.15 * edge, 1.15 * edge)
    ax.set_ylabel("主张" if lang == "zh" else "claim")
    ax.set_yticks(range(len(claims)), claims)
    ax.invert_yaxis()
    ax.set_xlabel(T["forest_x"])
    handles = [plt.Line2D([], [], color=COLOURS[r], lw=2, label=T[r]) for r in ("PASS", "FAIL")]
    handles += [plt.Line2D([], [], color="grey", marker=markers[c], ls="", mfc="grey" if c == "shipped"
                           else "white", label=T[c]) for c in ("shipped", "counterfactual")
                if (table["condition"] == c).any()]
    ax.legend(handles=handles, loc="best", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(T["forest_title"])
    fig.tight_layout()
    return fig


def contrasts_figure(validation, lang: str = "zh", columns: int = 4):
    """One panel per claim: per-seed estimates (dots), mean and 95 % CI, the threshold (dashed)."""
    lang = figure_lang(lang)
    T = _text(lang)
    table, contrasts = validation.table, validation.contrasts
    by_id = {c.id: c for c in validation.claims}
    claims = list(dict.fromkeys(table["claim"]))
    rows = max(1, math.ceil(len(claims) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3.3 * rows), squeeze=False)
    rng = np.random.default_rng(0)
    for ax, claim in zip(axes.flat, claims, strict=False):
        sub = table[table["claim"] == claim]
        for k, (_, row) in enumerate(sub.iterrows()):
            cond = row["condition"]
            vals = contrasts.loc[(contrasts["claim"] == claim) & (contrasts["condition"] == cond), "value"]
            x = np.full(len(vals), float(k)) + rng.uniform(-0.15, 0.15, len(vals))
            colour = COLOURS[row["result"]]
            ax.plot(x, vals, ".", color=colour, alpha=0.35, ms=4)
            if math.isfinite(row["ci_low"]):
                ax.errorbar(k + 0.3, row["effect"], yerr=[[row["effect"] - row["ci_low"]],
                                                          [row["ci_high"] - row["effect"]]],
                            fmt="o", color=colour, capsize=4)
                if row["p_value"] != row["p_value"] and row["ci_low"] == row["ci_high"]:
                    ax.annotate(T["flat"], (k + 0.3, row["effect"]), textcoords="offset points", xytext=(0, -12),
                                ha="center", fontsize=7, color=colour)
        thr = float(sub.iloc[0]["expected"].split()[-1])
        ax.axhline(thr, color="black", ls="--", lw=1)
        ax.set_xticks(range(len(sub)), [T[c] for c in sub["condition"]], fontsize=8)
        ax.set_xlim(-0.5, len(sub) - 0.2)
        claim_obj = by_id.get(claim)
        text = (claim_obj.text_zh if lang == "zh" and claim_obj and claim_obj.text_zh else
                (claim_obj.text if claim_obj else ""))
        width = 22 if lang == "zh" else 44
        lines = textwrap.wrap(text, width)[:3]
        if len(textwrap.wrap(text, width)) > 3:
            lines[-1] = lines[-1][: width - 1] + "…"
        result = T[sub.iloc[0]["result"]]
        ax.set_title(f"{claim} · {result}\n" + "\n".join(lines), fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_xlabel(T["condition"], fontsize=8)
        kind = sub.iloc[0]["estimand"].split(":")[0]
        ax.set_ylabel(f"{ESTIMANDS[lang].get(kind, kind)}: {metric_label(sub.iloc[0]['metric'], lang)}",
                      fontsize=7)
        ax.grid(axis="y", alpha=0.3)
    for ax in list(axes.flat)[len(claims):]:
        ax.axis("off")
    fig.tight_layout()
    return fig
