"""The claims of MODEL.md §7 as declared experiments on the shipped scenarios.

Each :class:`~governance_sim.validation.spec.Claim` names its arms, metric,
per-seed estimand, expected direction, test and the counterfactual change
that should overturn it.  Numbers in the arms (a doubled detection
probability, an hour of ledgers a day, a margin of 10 % for "barely") are
part of the experiment's design, fixed before running it, and documented in
``docs/validation.md``; none is tuned to make a claim pass.

Readings of vague words, stated once here:

* "barely shortens / barely helps" — the relative change of cross-department
  resolution time stays above −10 % (the whole 95 % interval);
* "much of it is lost" / "the gain disappears" — at least half of the gain is
  gone (a difference of differences with weight ½).
"""

from __future__ import annotations

from governance_sim.validation.spec import (
    Arm,
    Claim,
    Counterfactual,
    Diff,
    DiffOfDiffs,
    Metric,
    RelChange,
    reported_share,
    window_mean,
)

BARELY = -0.10  # "barely": a relative reduction of less than 10 %
MULTI = "resolution_time_multi_dept_mean_h"
SINGLE = "resolution_time_single_dept_mean_h"

# xi_town.yaml: the inspection campaign (环保督察整改) runs on days 120–210; a month after
# it is included so that a backlog still being worked off counts.
SHOCK_FIRST_DAY, SHOCK_LAST_DAY = 120, 240

METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric(MULTI, "cross-department resolution time (h)", "多部门案件办结时间 (小时)"),
    Metric(SINGLE, "single-department resolution time (h)", "单部门案件办结时间 (小时)"),
    Metric("response_time_mean_h", "mean response time (h)", "平均响应时间 (小时)"),
    Metric("resolution_time_mean_h", "mean resolution time (h)", "平均办结时间 (小时)"),
    Metric("buckpass_events", "buck-passing events", "推诿次数"),
    Metric("handoffs_per_case", "hand-offs per case", "每案流转次数"),
    Metric("satisfaction_rate", "satisfaction rate", "满意率"),
    Metric("workload_hours_per_week_community_office", "community staff hours per week",
           "社区工作人员周工作时长 (小时)"),
    Metric("eruptions", "eruptions of latent problems", "隐患爆发次数"),
    Metric("share_found_by_patrol", "share found by patrol", "巡查主动发现占比"),
    Metric("discovery_time_latent_mean_h", "time to discovery of latent problems (h)",
           "隐患发现时间 (小时)"),
    Metric("mean_trust_end", "mean trust at the end", "期末平均信任"),
    Metric("reported_share", "share of problems reported or found", "问题上报/发现占比", fn=reported_share),
    Metric("open_cases_shock", f"open cases, days {SHOCK_FIRST_DAY}–{SHOCK_LAST_DAY} (mean)",
           f"第{SHOCK_FIRST_DAY}–{SHOCK_LAST_DAY}天在办案件 (均值)",
           fn=window_mean("open_cases", SHOCK_FIRST_DAY, SHOCK_LAST_DAY), timeseries=True),
)}


def metric(name: str) -> Metric:
    """A declared metric, or a plain summary column of that name."""
    return METRICS.get(name) or Metric(name)


# ------------------------------------------------------------------ arms used by several claims

BJ_BASE = Arm("baseline", "baseline")
BJ_WHISTLE = Arm("whistle", "whistle")
TG_BASE = Arm("baseline", "baseline")
TG_DIRECT = Arm("direct_district", "direct_district")
TG_INHERIT = Arm("direct_district_inherit_admin", "direct_district_inherit_admin")
PG_BASE = Arm("baseline", "baseline")

FRICTIONLESS = {"arrangement.referral_delay_days": 0, "arrangement.return_delay_h": 0,
                "arrangement.p_buckpass": 0}
NO_STREET_STAFF_UP = {"arrangement.street_staff_to_communities": 1.0}
FORMALISM_1H = {"overlays.formalism.grid_worker": 1.0, "overlays.formalism.community_office": 1.0,
                "overlays.formalism.street_office": 1.0, "overlays.formalism.department": 1.0}
# beijing_street.yaml's staff doubled in every unit that answers cases (extra_staff overlay)
BJ_DOUBLE_HANDS = {
    "overlays.extra_staff.community_office": 10, "overlays.extra_staff.street_office": 40,
    "overlays.extra_staff.departments": {
        "urban_mgmt": 14, "planning": 6, "housing": 14, "environment": 6, "traffic_police": 9,
        "emergency": 5, "civil_affairs": 3, "market_reg": 4, "water": 6, "landscaping": 4},
}

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="1a", scenario="beijing_street",
        text="Adding department staff without changing the mechanism (因事设岗) barely shortens "
             "cross-department resolution time: the bottleneck is coordination.",
        text_zh="因事设岗增加部门人手, 多部门案件办结时间几乎不缩短: 瓶颈在协调",
        arms=(BJ_BASE, Arm("extra_staff", "baseline_extra_staff")),
        contrast=RelChange("baseline", "extra_staff"), metric=MULTI,
        direction="greater", threshold=BARELY,
        counterfactual=Counterfactual(
            "coordination made frictionless (referrals instant, no buck-passing): "
            "department hands become the bottleneck", FRICTIONLESS),
    ),
    Claim(
        id="1b", scenario="pinggu_township",
        text="Pinggu: the mine-guard team grows from 12 to 50 (护矿队) and cross-department "
             "resolution time barely changes.",
        text_zh="平谷: 护矿队从12人增至50人, 多部门案件办结时间几乎不变",
        arms=(PG_BASE, Arm("extra_guards", "baseline_extra_guards")),
        contrast=RelChange("baseline", "extra_guards"), metric=MULTI,
        direction="greater", threshold=BARELY,
        counterfactual=Counterfactual(
            "coordination frictionless and the land bureau's day filled with line work "
            "(24 vertical tasks a day): its hands become the bottleneck",
            {**FRICTIONLESS, "territory.departments.land.vertical_tasks_per_day": 24}),
    ),
    Claim(
        id="2", scenario="beijing_street",
        text="The whistle (吹哨报到) cuts resolution time of cross-department cases far more than "
             "of single-department ones.",
        text_zh="吹哨报到对多部门案件办结时间的缩短远大于单部门案件",
        arms=(BJ_BASE, BJ_WHISTLE),
        contrast=DiffOfDiffs(RelChange("baseline", "whistle", MULTI),
                             RelChange("baseline", "whistle", SINGLE)),
        metric=MULTI, direction="less",
        note="relative changes, so that longer cross-department times do not favour the claim",
        counterfactual=Counterfactual(
            "the street never whistles and has no three lists (whistle_when = [], duty_lists = false)",
            arm_overrides={"whistle": {"arrangement.whistle_when": [], "arrangement.duty_lists": False}}),
    ),
    Claim(
        id="3a", scenario="beijing_street",
        text="The whistle's gain grows with reverse_assessment_weight (反向考核).",
        text_zh="吹哨的收益随反向考核权重增加",
        arms=(BJ_BASE, BJ_WHISTLE, Arm("whistle_w0", "whistle_no_reverse_assessment")),
        contrast=DiffOfDiffs(Diff("baseline", "whistle"), Diff("baseline", "whistle_w0")),
        metric=MULTI, direction="less",
        note="(whistle at weight 0.5 − baseline) − (whistle at weight 0 − baseline); negative = "
             "a larger cut in time at the higher weight",
        counterfactual=Counterfactual(
            "appraisal does not move departments' priorities (attention_sensitivity = 0)",
            arm_overrides={"whistle": {"roles.department.attention_sensitivity": 0.0},
                           "whistle_w0": {"roles.department.attention_sensitivity": 0.0}}),
    ),
    Claim(
        id="3b", scenario="beijing_street",
        text="With reverse_assessment_weight 0 much (at least half) of the whistle's gain is lost.",
        text_zh="反向考核权重为0时, 吹哨收益至少损失一半",
        arms=(BJ_BASE, BJ_WHISTLE, Arm("whistle_w0", "whistle_no_reverse_assessment")),
        contrast=DiffOfDiffs(Diff("baseline", "whistle_w0"), Diff("baseline", "whistle"), weight=0.5),
        metric=MULTI, direction="greater",
        note="(w0 − baseline) − ½ (w0.5 − baseline) > 0 ⇔ the gain at weight 0 is less than half "
             "the gain at weight 0.5",
        counterfactual=Counterfactual(
            "appraisal does not move departments' priorities (attention_sensitivity = 0)",
            arm_overrides={"whistle": {"roles.department.attention_sensitivity": 0.0},
                           "whistle_w0": {"roles.department.attention_sensitivity": 0.0}}),
    ),
    Claim(
        id="4a", scenario="beijing_street",
        text="Sending department staff down without a coordinator with summoning power (下沉 without "
             "吹哨) raises buck-passing (石景山 warning).",
        text_zh="部门人员下沉而街道无召集权, 推诿增加 (石景山教训)",
        arms=(BJ_BASE, Arm("staff_down", "baseline_staff_down_no_whistle")),
        contrast=Diff("baseline", "staff_down"), metric="buckpass_events", direction="greater",
        counterfactual=Counterfactual("no department ever passes the buck (p_buckpass = 0)",
                                      {"arrangement.p_buckpass": 0.0}),
    ),
    Claim(
        id="4b", scenario="beijing_street",
        text="... and barely helps: cross-department resolution time falls by less than 10 %.",
        text_zh="……且几乎无助于缩短多部门案件办结时间",
        arms=(BJ_BASE, Arm("staff_down", "baseline_staff_down_no_whistle")),
        contrast=RelChange("baseline", "staff_down"), metric=MULTI,
        direction="greater", threshold=BARELY,
        counterfactual=Counterfactual(
            "the street gets summoning power over the departments and their sent-down staff "
            "(the staff_down arm under the whistle arrangement)",
            arm_overrides={"staff_down": {"arrangement.name": "whistle"}}),
    ),
    Claim(
        id="5a", scenario="tongguanshan",
        text="区直管社区 (direct_district) cuts hand-offs per case.",
        text_zh="区直管社区减少每案流转次数",
        arms=(TG_BASE, TG_DIRECT),
        contrast=Diff("baseline", "direct_district"), metric="handoffs_per_case", direction="less",
        counterfactual=Counterfactual(
            "departments pass the large communities' referrals back twice as often (p_buckpass = 0.6)",
            arm_overrides={"direct_district": {"arrangement.p_buckpass": 0.6}}),
    ),
    Claim(
        id="5b", scenario="tongguanshan",
        text="区直管社区 cuts response time.",
        text_zh="区直管社区缩短响应时间",
        arms=(TG_BASE, TG_DIRECT),
        contrast=Diff("baseline", "direct_district"), metric="response_time_mean_h", direction="less",
        counterfactual=Counterfactual(
            "no street staff join the district's coordination office (street_staff_to_communities = 1): "
            "its span of control becomes a queue",
            arm_overrides={"direct_district": NO_STREET_STAFF_UP}),
    ),
    Claim(
        id="5c", scenario="tongguanshan",
        text="With inherit_admin_load the large communities' workload rises (无变革改革).",
        text_zh="继承街道行政负担时, 大社区工作量上升 (无变革改革)",
        arms=(TG_DIRECT, TG_INHERIT),
        contrast=Diff("direct_district", "direct_district_inherit_admin"),
        metric="workload_hours_per_week_community_office", direction="greater",
        counterfactual=Counterfactual("the streets carried no admin load to hand down "
                                      "(roles.street_office.admin_load_h = 0)",
                                      {"roles.street_office.admin_load_h": 0.0}),
    ),
    Claim(
        id="5d", scenario="tongguanshan",
        text="区直管社区 raises satisfaction.",
        text_zh="区直管社区提高满意率",
        arms=(TG_BASE, TG_DIRECT),
        contrast=Diff("baseline", "direct_district"), metric="satisfaction_rate", direction="greater",
        counterfactual=Counterfactual(
            "no street staff join the district's coordination office (street_staff_to_communities = 1)",
            arm_overrides={"direct_district": NO_STREET_STAFF_UP}),
    ),
    Claim(
        id="5e", scenario="tongguanshan",
        text="With inherit_admin_load the satisfaction gain disappears (at least half of it is lost).",
        text_zh="继承行政负担时, 满意率收益消失 (至少损失一半)",
        arms=(TG_BASE, TG_DIRECT, TG_INHERIT),
        contrast=DiffOfDiffs(Diff("baseline", "direct_district_inherit_admin"),
                             Diff("baseline", "direct_district"), weight=0.5),
        metric="satisfaction_rate", direction="less",
        note="(inherit − baseline) − ½ (direct − baseline) < 0",
        counterfactual=Counterfactual("the streets carried no admin load to hand down "
                                      "(roles.street_office.admin_load_h = 0)",
                                      {"roles.street_office.admin_load_h": 0.0}),
    ),
    Claim(
        id="6", scenario="xi_town",
        text="片线结合 (zone_line) absorbs a task shock with less backlog than fixed offices (三定) "
             "at equal headcount.",
        text_zh="同等编制下, 片线结合比三定科室更能消化任务冲击 (积压更少)",
        arms=(Arm("zone_line", "zone_line"), Arm("zone_line_no_shock", "zone_line_no_shock"),
              Arm("fixed_offices", "fixed_offices"),
              Arm("fixed_offices_no_shock", "fixed_offices_no_shock")),
        contrast=DiffOfDiffs(Diff("zone_line_no_shock", "zone_line"),
                             Diff("fixed_offices_no_shock", "fixed_offices")),
        metric="open_cases_shock", direction="less", min_days=SHOCK_LAST_DAY,
        note="the backlog the shock adds under 片线结合 minus the backlog it adds under 三定",
        counterfactual=Counterfactual(
            "临时抽调 as good as a standing team (no delay, no switching cost, up to half the "
            "offices' staff, 10 at a time) and no weekly rebalancing of lines",
            {"arrangement.secondment_delay_days": 0, "arrangement.switching_cost": 0.0,
             "arrangement.secondment_max_share": 0.5, "arrangement.secondment_staff": 10,
             "arrangement.rebalance_every_days": 0}),
    ),
    Claim(
        id="7", scenario="beijing_street",
        text="More formalism hours (留痕, 形式主义) → longer response times.",
        text_zh="形式主义 (留痕) 时间越多, 响应越慢",
        arms=(BJ_BASE, Arm("formalism_1h", "baseline", FORMALISM_1H)),
        contrast=Diff("baseline", "formalism_1h"), metric="response_time_mean_h", direction="greater",
        note="one more hour a day of ledgers for grid workers, communities, the street and departments",
        counterfactual=Counterfactual(
            "hands to spare: the staff of communities, the street and every department doubled "
            "(extra_staff overlay)", BJ_DOUBLE_HANDS),
    ),
    Claim(
        id="8a", scenario="pinggu_township",
        text="Cover-up (不出事 logic) → more eruptions of latent problems.",
        text_zh="捂盖子 (不出事逻辑) → 隐患爆发更多",
        arms=(Arm("no_coverup", "baseline", {"roles.street_office.veto_weight": 0.0}), PG_BASE),
        contrast=Diff("no_coverup", "baseline"), metric="eruptions", direction="greater",
        test="bootstrap",
        counterfactual=Counterfactual(
            "nobody finds a latent problem before it erupts (latent_detection_prob = 0), so "
            "there is nothing to cover up", {"roles.grid_worker.latent_detection_prob": 0.0}),
    ),
    Claim(
        id="8b", scenario="pinggu_township",
        text="Empowerment (the whistle) → fewer eruptions.",
        text_zh="赋权 (吹哨报到) → 隐患爆发更少",
        arms=(PG_BASE, Arm("whistle", "whistle")),
        contrast=Diff("baseline", "whistle"), metric="eruptions", direction="less", test="bootstrap",
        counterfactual=Counterfactual(
            "nobody finds a latent problem before it erupts (latent_detection_prob = 0)",
            {"roles.grid_worker.latent_detection_prob": 0.0}),
    ),
    Claim(
        id="9a", scenario="beijing_street",
        text="Grid patrols (网格化) raise the share of problems found before anyone complains.",
        text_zh="网格巡查提高主动发现问题的比例",
        arms=(BJ_BASE, Arm("patrols_x2", "baseline", {"roles.grid_worker.detection_prob": 0.5,
                                                       "roles.grid_worker.latent_detection_prob": 0.08})),
        contrast=Diff("baseline", "patrols_x2"), metric="share_found_by_patrol", direction="greater",
        note="patrols twice as observant as in beijing_street.yaml (0.25 → 0.5; latent 0.04 → 0.08)",
        counterfactual=Counterfactual("grid workers do not patrol (patrol_hours = 0)",
                                      {"roles.grid_worker.patrol_hours": 0.0}),
    ),
    Claim(
        id="9b", scenario="beijing_street",
        text="Grid patrols shorten the time to discovery of latent problems.",
        text_zh="网格巡查缩短隐患发现时间",
        arms=(BJ_BASE, Arm("patrols_x2", "baseline", {"roles.grid_worker.detection_prob": 0.5,
                                                       "roles.grid_worker.latent_detection_prob": 0.08})),
        contrast=Diff("baseline", "patrols_x2"), metric="discovery_time_latent_mean_h", direction="less",
        counterfactual=Counterfactual("grid workers do not patrol (patrol_hours = 0)",
                                      {"roles.grid_worker.patrol_hours": 0.0}),
    ),
    Claim(
        id="10a", scenario="beijing_street",
        text="Responsiveness raises trust: faster referrals (0.5 instead of 2 working days) → "
             "higher trust at the end.",
        text_zh="回应越快, 信任越高",
        arms=(BJ_BASE, Arm("fast_referrals", "baseline", {"arrangement.referral_delay_days": 0.5})),
        contrast=Diff("baseline", "fast_referrals"), metric="mean_trust_end", direction="greater",
        counterfactual=Counterfactual("ratings do not move trust (trust_lr = 0)",
                                      {"roles.resident.trust_lr": 0.0}),
    ),
    Claim(
        id="10b", scenario="beijing_street",
        text="Trust raises reporting: initial trust 0.7 instead of 0.3 → a larger share of "
             "problems reported or found.",
        text_zh="信任越高, 群众上报越多",
        arms=(Arm("trust_0.3", "baseline", {"roles.resident.trust0": 0.3}),
              Arm("trust_0.7", "baseline", {"roles.resident.trust0": 0.7})),
        contrast=Diff("trust_0.3", "trust_0.7"), metric="reported_share", direction="greater",
        counterfactual=Counterfactual("reporting does not depend on trust (report_trust_weight = 0)",
                                      {"roles.resident.report_trust_weight": 0.0}),
    ),
)


def claims_by_id(ids=None) -> list[Claim]:
    """The declared claims, all or those named (``"1a,2"``, ``["3"]`` → 3a and 3b)."""
    if ids is None:
        return list(CLAIMS)
    if isinstance(ids, str):
        ids = [i.strip() for i in ids.split(",") if i.strip()]
    out: list[Claim] = []
    for item in ids:
        if isinstance(item, Claim):
            out.append(item)
            continue
        key = str(item)
        found = [c for c in CLAIMS if c.id == key or c.id.rstrip("abcde") == key]
        if not found:
            known = sorted({c.id for c in CLAIMS} | {c.id.rstrip("abcde") for c in CLAIMS},
                           key=lambda s: (int(s.rstrip("abcde")), s))
            from governance_sim.scenario import ScenarioError

            raise ScenarioError("--claims", f"unknown claim {key!r}; allowed: {', '.join(known)}")
        out.extend(c for c in found if c not in out)
    return out
