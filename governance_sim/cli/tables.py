"""Rich tables with bilingual labels for summaries."""

from __future__ import annotations

import math

from rich.table import Table

LABELS = [
    ("cases_created", "问题总数 / problems emerged", "{:,.0f}"),
    ("cases_reported", "受理 / reported", "{:,.0f}"),
    ("problems_tolerated", "忍下未报 / tolerated, not reported", "{:,.0f}"),
    ("cases_resolved", "解决 / resolved", "{:,.0f}"),
    ("cases_closed_on_paper", "纸面办结 / closed on paper", "{:,.0f}"),
    ("cases_open_end", "未结 / open at end", "{:,.0f}"),
    ("response_rate", "响应率 / response rate", "{:.1%}"),
    ("resolution_rate", "解决率 / resolution rate", "{:.1%}"),
    ("satisfaction_rate", "满意率 / satisfaction rate", "{:.1%}"),
    ("satisfaction_rate_closed_only", "  办结件满意率 / of closed requests only", "{:.1%}"),
    ("response_time", "响应时间 / response time (h)", None),
    ("resolution_time", "办结时间 / resolution time (h)", None),
    ("resolution_time_single_dept_mean_h", "  单部门 / one department, mean (h)", "{:,.1f}"),
    ("resolution_time_multi_dept_mean_h", "  多部门 / cross-department, mean (h)", "{:,.1f}"),
    ("handoffs_per_case", "流转次数 / hand-offs per case", "{:.2f}"),
    ("buckpass_events", "推诿 / buck-passing events", "{:,.0f}"),
    ("whistles", "吹哨 / whistles", "{:,.0f}"),
    ("share_found_by_patrol", "主动发现 / found by patrol", "{:.1%}"),
    ("eruptions", "隐患爆发 / eruptions", "{:,.0f}"),
    ("repeat_reports", "重复投诉 / repeat reports", "{:,.0f}"),
    ("petitions", "信访 / petitions", "{:,.0f}"),
    ("mean_trust_end", "信任 / mean trust at end", "{:.3f}"),
    ("staff_hours_per_resolved_case", "成本 / staff-hours per resolved case", "{:,.1f}"),
]
ROLE_LABELS = {
    "grid_worker": "网格员 / grid workers",
    "community_office": "社区 / community offices",
    "street_office": "街道 / street office",
    "street_chief": "街巷长 / street chiefs",
    "department": "职能部门 / departments",
    "district_center": "区指挥中心 / district centre",
    "zone_platform": "片区平台 / zone platforms",
    "township_staff": "乡镇干部 / township staff",
    "township_office": "乡镇科室 / township offices",
    "zone_team": "片区工作组 / zone (片) teams",
    "line_team": "重点工作线 / line (线) teams",
    "seconded_staff": "下沉人员 / staff sent down",
    "city_command": "市指挥中心 / city command centre",
    "large_grid": "大网格团队 / large-grid teams",
    "municipal_center": "市12345中心 / municipal 12345 centre",
}


def fmt(value, pattern: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return pattern.format(value)


def summary_table(s: dict, title: str = "") -> Table:
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("指标 / metric")
    table.add_column("value", justify="right")
    for key, label, pattern in LABELS:
        if pattern is None:
            vals = [fmt(s.get(f"{key}_{q}_h"), "{:,.1f}") for q in ("mean", "p50", "p90")]
            table.add_row(label, " / ".join(vals) + "  (mean/median/p90)")
        elif key in s:
            table.add_row(label, fmt(s[key], pattern))
    table.add_section()
    table.add_row("[bold]工作量 / workload[/]", "h/week · utilisation · paperwork")
    for role, label in ROLE_LABELS.items():
        k = f"workload_hours_per_week_{role}"
        if k in s:
            table.add_row(label, f"{fmt(s[k], '{:.1f}')} · {fmt(s.get(f'utilisation_{role}'), '{:.0%}')}"
                                 f" · {fmt(s.get(f'paperwork_share_{role}'), '{:.0%}')}")
    return table


HEADLINE = ("response_rate", "resolution_rate", "satisfaction_rate", "response_time_mean_h",
            "resolution_time_mean_h", "handoffs_per_case", "buckpass_events", "petitions",
            "mean_trust_end", "staff_hours_per_resolved_case")
"""The metrics ``govsim compare`` shows without ``--all``: 三率, times, coordination, cost —
then hours per week of each role that exists."""
QUANTILES = {"mean": "mean", "p50": "median", "p90": "p90"}


def metric_label(name: str) -> str:
    """``中文 / English`` for a summary column; the column name itself when it has no label."""
    for key, label, _ in LABELS:
        if name == key:
            return label
        for q, word in QUANTILES.items():
            if name == f"{key}_{q}_h":
                return f"{label}, {word}"
    for prefix, what in (("workload_hours_per_week_", "h/week"), ("utilisation_", "utilisation"),
                         ("paperwork_share_", "paperwork share")):
        role = name.removeprefix(prefix)
        if role != name and role in ROLE_LABELS:
            return f"{ROLE_LABELS[role]}: {what}"
    return name


def headline_metrics(metrics: list[str]) -> list[str]:
    """The headline set, in order, among ``metrics``."""
    workload = [m for m in metrics if m.startswith("workload_hours_per_week_")]
    return [m for m in HEADLINE if m in metrics] + workload


def city_table(places, title: str = "") -> Table:
    """A city's districts (区): people, requests, the 三率, and their streets' best and worst
    monthly city rank (the ``places`` table of a run with several districts)."""
    table = Table(title=title or "各区 / districts", show_header=True, header_style="bold")
    for col in ("区 / district", "人口 / people", "受理 / reported", "响应率 / response", "解决率 / resolution",
                "满意率 / satisfaction", "街乡排名 / street ranks (best–worst)"):
        table.add_column(col, justify="left" if col.startswith("区") else "right")
    streets = places[places["level"] == "street"]
    for r in places[places["level"] == "district"].itertuples(index=False):
        ranks = streets.loc[streets["parent_id"] == r.place_id, "rank_mean"].dropna()
        span = f"{ranks.min():.0f}–{ranks.max():.0f} / {int(r.streets_ranked or len(streets))}" \
            if len(ranks) else "–"
        table.add_row(str(r.name), f"{r.population:,}", fmt(r.cases_reported, "{:,.0f}"),
                      fmt(r.response_rate, "{:.1%}"), fmt(r.resolution_rate, "{:.1%}"),
                      fmt(r.satisfaction_rate, "{:.1%}"), span)
    return table
