"""The claims of MODEL.md §7 as declared experiments on the shipped scenarios.

Each :class:`~governance_sim.validation.spec.Claim` names its arms, metric,
per-seed estimand, expected direction, test and the behavioural parameter it
depends on: a parameter acting through the claimed mechanism, with a
documented range and the value in it that should overturn the claim (never
the variant itself, never zero).  Numbers in the arms (a doubled detection
probability, an hour of ledgers a day, a margin of 10 % for "barely") and the
parameters' ranges are part of the experiment's design, fixed before running
it, and documented in ``docs/validation.md``; none is tuned to make a claim
pass or fail.

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
MULTI_COMMUNITY = "resolution_time_multi_dept_community_mean_h"

# xi_town.yaml: the inspection campaign (环保督察整改) runs on days 120–210; a month after
# it is included so that a backlog still being worked off counts.
SHOCK_FIRST_DAY, SHOCK_LAST_DAY = 120, 240

METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric(MULTI, "cross-department resolution time (h)", "多部门案件办结时间 (小时)"),
    Metric(SINGLE, "single-department resolution time (h)", "单部门案件办结时间 (小时)"),
    Metric(MULTI_COMMUNITY, "cross-department resolution time, raised in the community (h)",
           "社区提出的多部门案件办结时间 (小时)"),
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

FORMALISM_1H = {"overlays.formalism.grid_worker": 1.0, "overlays.formalism.community_office": 1.0,
                "overlays.formalism.street_office": 1.0, "overlays.formalism.department": 1.0}
# ------------------------------------------------------------------ behavioural parameters
# Each claim's counterfactual is a parameter that acts through the claimed mechanism, with a
# documented range (all assumptions unless a seed is named; the shipped value lies inside).
# Ranges and counterfactual values were fixed before any run of the scan.


def referral_delay(value: float, text: str) -> Counterfactual:
    """Friction of sequential coordination: working days per formal referral (shipped: 2,
    MODEL.md §5; range: from a quarter day to four days)."""
    return Counterfactual("arrangement.referral_delay_days", 0.25, 4.0, value, text, scale="log")


def buckpass(value: float, text: str) -> Counterfactual:
    """How readily a department returns a case as 'not ours' (shipped 0.3)."""
    return Counterfactual("arrangement.p_buckpass", 0.05, 0.6, value, text)


def latent_detection(value: float, text: str) -> Counterfactual:
    """How often a patrol notices a latent hazard (shipped 0.04–0.05)."""
    return Counterfactual("roles.grid_worker.latent_detection_prob", 0.01, 0.2, value, text, scale="log")


def coordination_effort(value: float, text: str) -> Counterfactual:
    """District office staff-hours per referral under 区直管社区 (shipped 0.75)."""
    return Counterfactual("arrangement.coordination_effort_h", 0.25, 3.0, value, text,
                          arms=("direct_district",), scale="log")


def street_admin_load(value: float, text: str) -> Counterfactual:
    """Hours a day of tasks from above per street staff member (shipped 2.5 in tongguanshan)."""
    return Counterfactual("roles.street_office.admin_load_h", 0.5, 4.0, value, text)


def patrol_hours(value: float, text: str) -> Counterfactual:
    """Hours of patrol per grid worker per workday (shipped 3)."""
    return Counterfactual("roles.grid_worker.patrol_hours", 0.5, 6.0, value, text)


def mine_bribe(value: float, text: str) -> Counterfactual:
    """The miners' offer to a guard, months of pay (shipped 2 in pinggu_township; range a week's
    pay to eight months; assumption)."""
    return Counterfactual("overlays.mine_guards.bribe", 0.25, 8.0, value, text, scale="log")


def liaison_dispatch(value: float, text: str) -> Counterfactual:
    """Working hours for a stationed liaison to dispatch a commanded case (部门进驻; shipped 2;
    range half an hour to two working days, as slow as a formal referral; assumption)."""
    return Counterfactual("overlays.command_centre.dispatch_h", 0.5, 16.0, value, text, scale="log")


def large_grid_relay(value: float, text: str) -> Counterfactual:
    """Working hours to reach a large grid's team and for it to relay a case up (shipped 1; range
    a quarter hour to two working days; assumption)."""
    return Counterfactual("arrangement.large_grid_dispatch_h", 0.25, 16.0, value, text,
                          arms=("four_level",), scale="log")


def unit_hazard_notice(value: float, text: str) -> Counterfactual:
    """Daily chance a ten-household unit chief notices a latent hazard in his unit (shipped 0.02;
    range 0.001 to 0.2; assumption)."""
    return Counterfactual("overlays.command_centre.unit_latent_detection_prob", 0.001, 0.2, value, text,
                          scale="log")


# seed 003's three levels on top of beijing_street's district centre (values: docs/mechanisms.md)
THREE_LEVELS = {"overlays.command_centre.township_centre": True,
                "overlays.command_centre.township_stationed": ["urban_mgmt", "traffic_police", "market_reg"],
                "overlays.command_centre.city_centre": True}

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="1a", scenario="beijing_street",
        text="Adding department staff without changing the mechanism (因事设岗) barely shortens "
             "cross-department resolution time: the bottleneck is coordination.",
        text_zh="因事设岗增加部门人手, 多部门案件办结时间几乎不缩短: 瓶颈在协调",
        arms=(BJ_BASE, Arm("extra_staff", "baseline_extra_staff")),
        contrast=RelChange("baseline", "extra_staff"), metric=MULTI,
        direction="greater", threshold=BARELY,
        counterfactual=referral_delay(0.25, "referrals within a quarter working day: coordination stops being "
                                      "the bottleneck and department hands become it"),
    ),
    Claim(
        id="1b", scenario="pinggu_township",
        text="Pinggu: the mine-guard team grows from 12 to 50 (护矿队) and cross-department "
             "resolution time barely changes.",
        text_zh="平谷: 护矿队从12人增至50人, 多部门案件办结时间几乎不变",
        arms=(PG_BASE, Arm("extra_guards", "baseline_extra_guards")),
        contrast=RelChange("baseline", "extra_guards"), metric=MULTI,
        direction="greater", threshold=BARELY,
        counterfactual=referral_delay(0.25, "referrals within a quarter working day: coordination stops being "
                                      "the bottleneck"),
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
        counterfactual=referral_delay(0.25, "referrals almost as fast as a summons: acting jointly on site "
                                      "saves cross-department cases little over sequential referrals"),
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
            "roles.department.attention_sensitivity", 0.05, 10.0, 0.1,
            "appraisal barely moves departments' attention (priority per unit of weighted shortfall; "
            "shipped 1)", arms=("whistle", "whistle_w0"), scale="log"),
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
            "roles.department.attention_sensitivity", 0.05, 10.0, 0.1,
            "appraisal barely moves departments' attention (priority per unit of weighted shortfall; "
            "shipped 1)", arms=("whistle", "whistle_w0"), scale="log"),
    ),
    Claim(
        id="4a", scenario="beijing_street",
        text="Sending department staff down without a coordinator with summoning power (下沉 without "
             "吹哨) raises buck-passing (石景山 warning).",
        text_zh="部门人员下沉而街道无召集权, 推诿增加 (石景山教训)",
        arms=(BJ_BASE, Arm("staff_down", "baseline_staff_down_no_whistle")),
        contrast=Diff("baseline", "staff_down"), metric="buckpass_events", direction="greater",
        counterfactual=buckpass(0.05, "departments and their sent-down staff seldom return cases"),
    ),
    Claim(
        id="4b", scenario="beijing_street",
        text="... and barely helps: cross-department resolution time falls by less than 10 %.",
        text_zh="……且几乎无助于缩短多部门案件办结时间",
        arms=(BJ_BASE, Arm("staff_down", "baseline_staff_down_no_whistle")),
        contrast=RelChange("baseline", "staff_down"), metric=MULTI,
        direction="greater", threshold=BARELY,
        counterfactual=buckpass(0.05, "departments and their sent-down staff seldom return cases: staff at the "
                                "street could then act without being commanded"),
    ),
    Claim(
        id="5a", scenario="tongguanshan",
        text="区直管社区 (direct_district) cuts hand-offs per case.",
        text_zh="区直管社区减少每案流转次数",
        arms=(TG_BASE, TG_DIRECT),
        contrast=Diff("baseline", "direct_district"), metric="handoffs_per_case", direction="less",
        counterfactual=buckpass(0.6, "departments return referrals twice as often as shipped: the hop saved is "
                               "spent on returns"),
    ),
    Claim(
        id="5b", scenario="tongguanshan",
        text="区直管社区 cuts response time.",
        text_zh="区直管社区缩短响应时间",
        arms=(TG_BASE, TG_DIRECT),
        contrast=Diff("baseline", "direct_district"), metric="response_time_mean_h", direction="less",
        counterfactual=coordination_effort(3.0, "the district office needs 3 staff-hours per referral: its span of "
                                          "control over 18 large communities becomes a queue"),
    ),
    Claim(
        id="5c", scenario="tongguanshan",
        text="With inherit_admin_load the large communities' workload rises (无变革改革).",
        text_zh="继承街道行政负担时, 大社区工作量上升 (无变革改革)",
        arms=(TG_DIRECT, TG_INHERIT),
        contrast=Diff("direct_district", "direct_district_inherit_admin"),
        metric="workload_hours_per_week_community_office", direction="greater",
        counterfactual=street_admin_load(0.5, "the abolished streets carried little admin load to hand down"),
    ),
    Claim(
        id="5d", scenario="tongguanshan",
        text="区直管社区 raises satisfaction.",
        text_zh="区直管社区提高满意率",
        arms=(TG_BASE, TG_DIRECT),
        contrast=Diff("baseline", "direct_district"), metric="satisfaction_rate", direction="greater",
        counterfactual=coordination_effort(3.0, "the district office needs 3 staff-hours per referral: its span of "
                                          "control over 18 large communities becomes a queue"),
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
        counterfactual=street_admin_load(0.5, "the abolished streets carried little admin load to hand down"),
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
            "arrangement.secondment_delay_days", 0.5, 10.0, 0.5,
            "临时抽调 arrives within half a day (shipped 3 days): fixed offices borrow hands almost "
            "as fast as a standing line", scale="log"),
    ),
    Claim(
        id="7", scenario="beijing_street",
        text="More formalism hours (留痕, 形式主义) → longer response times.",
        text_zh="形式主义 (留痕) 时间越多, 响应越慢",
        arms=(BJ_BASE, Arm("formalism_1h", "baseline", FORMALISM_1H)),
        contrast=Diff("baseline", "formalism_1h"), metric="response_time_mean_h", direction="greater",
        note="one more hour a day of ledgers for grid workers, communities, the street and departments",
        counterfactual=Counterfactual(
            "calendar.overtime_cap_h", 0.5, 4.0, 4.0,
            "staff stretch their day by up to 4 hours (shipped 2): routine ledgers crowd out less "
            "case work"),
    ),
    Claim(
        id="8a", scenario="pinggu_township",
        text="Cover-up (不出事 logic) → more eruptions of latent problems.",
        text_zh="捂盖子 (不出事逻辑) → 隐患爆发更多",
        arms=(Arm("no_coverup", "baseline", {"roles.street_office.veto_weight": 0.0}), PG_BASE),
        contrast=Diff("no_coverup", "baseline"), metric="eruptions", direction="greater",
        test="bootstrap",
        counterfactual=latent_detection(0.01, "patrols seldom find a latent hazard, so there is little to cover up"),
    ),
    Claim(
        id="8b", scenario="pinggu_township",
        text="Empowerment (the whistle) → fewer eruptions.",
        text_zh="赋权 (吹哨报到) → 隐患爆发更少",
        arms=(PG_BASE, Arm("whistle", "whistle")),
        contrast=Diff("baseline", "whistle"), metric="eruptions", direction="less", test="bootstrap",
        counterfactual=latent_detection(0.01, "patrols seldom find a latent hazard, so empowerment has little to act on"),
    ),
    Claim(
        id="9a", scenario="beijing_street",
        text="Grid patrols (网格化) raise the share of problems found before anyone complains.",
        text_zh="网格巡查提高主动发现问题的比例",
        arms=(BJ_BASE, Arm("patrols_x2", "baseline", {"roles.grid_worker.detection_prob": 0.5,
                                                       "roles.grid_worker.latent_detection_prob": 0.08})),
        contrast=Diff("baseline", "patrols_x2"), metric="share_found_by_patrol", direction="greater",
        note="patrols twice as observant as in beijing_street.yaml (0.25 → 0.5; latent 0.04 → 0.08)",
        counterfactual=patrol_hours(0.5, "grid workers patrol half an hour a day"),
    ),
    Claim(
        id="9b", scenario="beijing_street",
        text="Grid patrols shorten the time to discovery of latent problems.",
        text_zh="网格巡查缩短隐患发现时间",
        arms=(BJ_BASE, Arm("patrols_x2", "baseline", {"roles.grid_worker.detection_prob": 0.5,
                                                       "roles.grid_worker.latent_detection_prob": 0.08})),
        contrast=Diff("baseline", "patrols_x2"), metric="discovery_time_latent_mean_h", direction="less",
        counterfactual=patrol_hours(0.5, "grid workers patrol half an hour a day"),
    ),
    Claim(
        id="10a", scenario="beijing_street",
        text="Responsiveness raises trust: faster referrals (0.5 instead of 2 working days) → "
             "higher trust at the end.",
        text_zh="回应越快, 信任越高",
        arms=(BJ_BASE, Arm("fast_referrals", "baseline", {"arrangement.referral_delay_days": 0.5})),
        contrast=Diff("baseline", "fast_referrals"), metric="mean_trust_end", direction="greater",
        counterfactual=Counterfactual("roles.resident.trust_lr", 0.05, 0.6, 0.05,
                                      "ratings hardly move trust (step toward a rating; shipped 0.3)"),
    ),
    Claim(
        id="10b", scenario="beijing_street",
        text="Trust raises reporting: initial trust 0.7 instead of 0.3 → a larger share of "
             "problems reported or found.",
        text_zh="信任越高, 群众上报越多",
        arms=(Arm("trust_0.3", "baseline", {"roles.resident.trust0": 0.3}),
              Arm("trust_0.7", "baseline", {"roles.resident.trust0": 0.7})),
        contrast=Diff("trust_0.3", "trust_0.7"), metric="reported_share", direction="greater",
        counterfactual=Counterfactual(
            "roles.resident.report_noise", 0.1, 1.0, 1.0,
            "households' own reporting costs vary so widely (logistic scale 1; shipped 0.25) "
            "that trust hardly changes whether a problem is reported"),
    ),
    Claim(
        id="11", scenario="beijing_street",
        text="社区约请 shortens the resolution of cross-department cases raised in the community "
             "(Huizhou, seed 004).",
        text_zh="社区约请缩短社区提出的多部门案件办结时间 (惠州)",
        arms=(BJ_BASE, Arm("community_invitation", "community_invitation")),
        contrast=Diff("baseline", "community_invitation"), metric=MULTI_COMMUNITY, direction="less",
        note="cases reported at the community office or found by its grid workers that need two or "
             "more departments",
        counterfactual=referral_delay(0.25, "referrals up the hierarchy within a quarter working day: "
                                      "waiting for a letter's reply and a meeting saves nothing"),
    ),
    Claim(
        id="12", scenario="beijing_street",
        text="A dispute ladder with strong 人民调解 (小事不出村) cuts the petitions that reach the city.",
        text_zh="人民调解强的矛盾纠纷化解体系减少到市信访",
        arms=(Arm("ladder", "dispute_ladder"), Arm("strong_mediation", "dispute_ladder_strong_mediation")),
        contrast=Diff("ladder", "strong_mediation"), metric="petitions_city", direction="less",
        test="bootstrap",
        counterfactual=Counterfactual(
            "overlays.dispute_ladder.petition_pull", 0.1, 10.0, 0.1,
            "a petition is expected to win little (shipped 1.5): parties whom mediation fails go to "
            "court, so few disputes become petitions whatever the village settles", scale="log"),
    ),
    Claim(
        id="13a", scenario="pinggu_township",
        text="Pinggu: while guards can be captured (勾结), growing the mine-guard team from 12 to 50 "
             "barely shortens the days illegal mining goes on.",
        text_zh="平谷: 护矿队员可被收买时, 护矿队从12人增至50人, 盗采持续天数几乎不减",
        arms=(PG_BASE, Arm("extra_guards", "baseline_extra_guards")),
        contrast=RelChange("baseline", "extra_guards"), metric="mining_days_mean",
        direction="greater", threshold=BARELY,
        counterfactual=mine_bribe(0.25, "the miners' offer is a week's pay: collusion seldom pays, so "
                                  "more guards find and report more sites"),
    ),
    Claim(
        id="13b", scenario="pinggu_township",
        text="Pinggu: joint enforcement under the whistle (联合执法) shortens the days illegal mining "
             "goes on.",
        text_zh="平谷: 吹哨报到下的联合执法缩短盗采持续天数",
        arms=(PG_BASE, Arm("whistle", "whistle")),
        contrast=Diff("baseline", "whistle"), metric="mining_days_mean", direction="less",
        counterfactual=Counterfactual(
            "overlays.mine_guards.sweep_find_prob", 0.02, 0.9, 0.02,
            "joint sweeps seldom find a site (shipped 0.5): collusion stays safe under the whistle"),
    ),
    Claim(
        id="14", scenario="beijing_street",
        text="Command at three levels (市县乡三级联动指挥: a township centre with departments stationed at it, "
             "the city for the gravest cases) shortens resolution time against the district centre alone "
             "(seed 003: 实现高效联动).",
        text_zh="市县乡三级联动指挥比仅有区级指挥中心缩短办结时间 (实现高效联动)",
        arms=(Arm("district_command", "command_centre"), Arm("three_levels", "command_centre", THREE_LEVELS)),
        contrast=Diff("district_command", "three_levels"), metric="resolution_time_mean_h", direction="less",
        note="both arms have the district centre and its red grids; the second adds the township and city "
             "levels",
        counterfactual=liaison_dispatch(16.0, "stationed staff take two working days to dispatch, as long as a "
                                        "formal referral: commanding a case at a nearer level saves no time"),
    ),
    Claim(
        id="15", scenario="longgang",
        text="Longgang: the four-level relay 全科网格 → 大网格 → 片区 → 市 (103 large grids with seconded teams) "
             "shortens response time against 片区 platforms alone (seed 004: 流转、处置、反馈精准快速).",
        text_zh="龙港: “全科网格—大网格—片区—市”四级联动闭环比仅有片区平台缩短响应时间",
        arms=(Arm("zones", "direct_district_zones"), Arm("four_level", "direct_district_four_level")),
        contrast=Diff("zones", "four_level"), metric="response_time_mean_h", direction="less",
        counterfactual=large_grid_relay(16.0, "reaching a large grid's team and relaying up each take two "
                                        "working days: the extra level is a detour"),
    ),
    Claim(
        id="16", scenario="pinggu_township",
        text="The 1053 method (ten-household units under five-level linkage) finds latent hazards sooner "
             "(seed 003: 快速有效地…收集信息).",
        text_zh="“1053”工作法 (十户联防、五级联动) 更快发现隐患",
        arms=(Arm("three_levels", "command_centre_1053", {"overlays.command_centre.ten_household_units": False}),
              Arm("1053", "command_centre_1053")),
        contrast=Diff("three_levels", "1053"), metric="discovery_time_latent_mean_h", direction="less",
        note="both arms have the township and city levels; the second adds the ten-household unit chiefs",
        counterfactual=unit_hazard_notice(0.001, "unit chiefs almost never notice a hazard in their ten "
                                          "households"),
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
