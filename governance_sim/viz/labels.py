"""Bilingual labels (中文 / English) for everything the app shows.

``tr(key, lang)`` looks a key up; unknown keys come back unchanged, so a
parameter added by a new arrangement still shows (under its field name)
before anyone translates it.
"""

from __future__ import annotations

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # chrome
    "title": ("基层治理仿真", "Base-level governance simulation"),
    "language": ("语言", "Language"),
    "controls": ("运行", "Run"),
    "scenario": ("情景", "Scenario"),
    "variant": ("方案", "Variant"),
    "arrangement": ("体制", "Arrangement"),
    "seed": ("随机种子", "Seed"),
    "parameters": ("参数", "Parameters"),
    "days_per_step": ("每步天数", "Days per step"),
    "step": ("单步", "Step"),
    "play": ("播放", "Play"),
    "pause": ("暂停", "Pause"),
    "reset": ("重置", "Reset"),
    "apply_hint": ("参数在重置后生效", "Parameter changes apply on reset"),
    "finished": ("运行结束", "Run finished"),
    "no_params": ("无可调参数", "No adjustable parameters"),
    "overlay": ("叠加机制", "Overlay"),
    # key figures
    "day": ("天", "Day"),
    "open_cases": ("在办案件", "Open cases"),
    "reported": ("已受理", "Reported"),
    "resolved": ("已解决", "Resolved"),
    "response_rate": ("响应率", "Response rate"),
    "resolution_rate": ("解决率", "Resolution rate"),
    "satisfaction_rate": ("满意率", "Satisfaction rate"),
    "buckpass": ("推诿次数", "Buck-passing"),
    # territory
    "territory": ("辖区网络", "Territory network"),
    "colour_by": ("着色", "Colour by"),
    "backlog": ("积压案件", "Backlog"),
    "satisfaction": ("满意度", "Satisfaction"),
    "workload": ("工作负荷", "Workload"),
    "backlog_unit": ("在办案件 / 千户", "open cases per 1,000 households"),
    "satisfaction_unit": ("平均评分 (0–1)", "mean rating (0–1)"),
    "workload_unit": ("工时利用率", "utilisation of hours"),
    "aggregated_note": ("网格较多，已聚合到社区", "many grids: shown by community"),
    "departments": ("职能部门（条）", "Departments (条)"),
    "queue": ("队列", "queue"),
    "district": ("区", "district"),
    "street": ("街道", "street"),
    "community": ("社区", "community"),
    "grid": ("网格", "grid"),
    "zone": ("片区", "zone"),
    # charts
    "charts": ("实时指标", "Live metrics"),
    "open_cases_chart": ("在办案件与积压", "Open cases and backlogs"),
    "rates_chart": ("三率（累计）", "三率 so far"),
    "response_hist": ("响应时间分布", "Response-time distribution"),
    "workload_chart": ("各角色工作负荷", "Workload by role"),
    "hours": ("小时", "hours"),
    "cases": ("案件数", "cases"),
    "share": ("比例", "share"),
    "hours_per_week": ("人均周工时", "hours per staff per week"),
    "standard_week": ("标准工时", "standard week"),
    "deadline": ("响应时限", "deadline"),
    "backlog_departments": ("部门积压", "department backlog"),
    "backlog_street": ("街道积压", "street backlog"),
    "backlog_community": ("社区积压", "community backlog"),
    "no_data": ("暂无数据", "no data yet"),
    # roles and activities
    "grid_worker": ("网格员", "grid workers"),
    "community_office": ("社区居委会", "community offices"),
    "street_office": ("街道办", "street offices"),
    "street_chief": ("街巷长", "street chiefs"),
    "department": ("职能部门", "departments"),
    "district_center": ("区指挥中心", "district centre"),
    "party_branch": ("党支部", "party branch"),
    "township_office": ("乡镇科室", "township offices"),
    "zone_team": ("片区工作组", "zone teams"),
    "line_team": ("重点工作线", "line teams"),
    "township_unit": ("乡镇工作单元", "township units"),
    # channels (where a report came in)
    "hotline": ("12345热线", "12345 hotline"),
    "awaiting_intake": ("待受理", "awaiting intake"),
    "case_work": ("办案", "case work"),
    "vertical": ("条条任务", "line work"),
    "paperwork": ("台账留痕", "paperwork"),
    "admin": ("上级交办", "tasks from above"),
    "patrol": ("巡查", "patrol"),
    # case table
    "last_cases": ("最近办结案件及流转路径", "Latest closed cases and their hand-off path"),
    "case_id": ("编号", "No."),
    "category": ("类别", "Category"),
    "where": ("地点", "Where"),
    "status": ("状态", "Status"),
    "closed_day": ("办结日", "Closed (day)"),
    "path": ("流转路径", "Hand-off path"),
    "response_h": ("响应（小时）", "Response (h)"),
    "rating": ("评价", "Rating"),
    "open": ("在办", "open"),
    "closed_on_paper": ("纸面办结", "closed on paper"),
    "unreported": ("未发现", "not yet found"),
    # hand-off reasons
    "report_up": ("上报", "reported up"),
    "escalate": ("上交", "escalated"),
    "referral": ("转办", "referred"),
    "whistle": ("吹哨", "whistle"),
    "buckpass_reason": ("退回", "returned"),
    "part_done": ("分段办结", "part done"),
    "eruption": ("事发", "erupted"),
    "petition": ("信访", "petition"),
    "dispatch": ("派单", "dispatched"),
    # parameter names shared by every arrangement (others show their field name)
    "p_buckpass": ("推诿概率", "P(buck-passing)"),
    "duty_lists": ("三张清单已公布", "three lists published (三张清单)"),
    "referral_delay_days": ("转办耗时（工作日）", "referral delay (working days)"),
    "escalation_delay_h": ("上交耗时（小时）", "escalation delay (h)"),
    "return_delay_h": ("退回耗时（小时）", "return delay (h)"),
    "trace_prob": ("隐患追责概率", "P(hidden hazard traced)"),
    "report_deadline_hours": ("报到时限（小时）", "report deadline (h)"),
    "reverse_assessment_weight": ("反向考核权重", "reverse assessment weight"),
    # parameters of particular arrangements and overlays (unlisted ones show their field name)
    "seconded_share": ("下沉人员比例", "share of staff sent down"),
    "seconded_enforcement": ("下沉人员可执法", "sent-down staff may enforce"),
    "seconded_referral_h": ("交办下沉人员耗时（小时）", "hand-over to sent-down staff (h)"),
    "whistle_min_severity": ("吹哨严重程度门槛", "whistle severity threshold"),
    "summons_misses_to_supervision": ("超时几次提请督办", "missed deadlines before 督办"),
    "joint_effort_factor": ("联合执法工作量系数", "joint action effort factor"),
    "target_communities": ("合并后社区数", "communities after merging"),
    "street_staff_to_communities": ("街道人员下沉社区比例", "street staff moved to communities"),
    "community_staff_factor": ("合并社区人员系数", "merged community staff factor"),
    "one_stop_effort_factor": ("一站式服务工作量系数", "one-stop service effort factor"),
    "coordination_effort_h": ("区级协调工时（小时）", "district coordination effort (h)"),
    "zones": ("片区数", "zones"),
    "front_line_share": ("部门一线人员比例", "departments' front-line share"),
    "zone_dispatch_h": ("片区派单耗时（小时）", "zone dispatch delay (h)"),
    "zone_staff": ("片区人员", "zone staff"),
    "skill_effect": ("人岗匹配效应", "skill fit effect"),
    "assign_delay_h": ("交办耗时（小时）", "assignment delay (h)"),
    "paperwork_h": ("台账工时（小时/天）", "paperwork (h/day)"),
    "admin_load_h": ("上级交办工时（小时/天）", "tasks from above (h/day)"),
    "rebalance_every_days": ("线上人员调配周期（天）", "line rebalancing every (days)"),
    "secondment_delay_days": ("临时抽调耗时（工作日）", "secondment delay (working days)"),
    "switching_cost": ("抽调转换损耗", "switching cost"),
    "households_per_worker": ("每名网格员户数", "households per grid worker"),
    "patrol_hours": ("巡查时长（小时/天）", "patrol hours a day"),
    "detection_prob": ("巡查发现概率", "P(patrol finds a problem)"),
    "latent_detection_prob": ("隐患发现概率", "P(patrol finds a hidden hazard)"),
    "merge_networks": ("多网合一", "merge networks (多网合一)"),
    "report_quota": ("月度上报指标", "monthly report quota"),
    "direct_dispatch": ("直派街乡", "dispatch straight to streets"),
    "seats": ("接线席位", "call-taker seats"),
    "dispatch_delay_h": ("派单耗时（小时）", "dispatch delay (h)"),
    "response_deadline_h": ("响应时限（小时）", "response deadline (h)"),
    "resolution_deadline_days": ("办结时限（天）", "resolution deadline (days)"),
    "appraisal_weight": ("三率考核权重", "三率 appraisal weight"),
    "paper_close_rate": ("纸面办结率", "closing-on-paper rate"),
    "audit_rate": ("回访核查比例", "audit rate"),
    "party_member_share": ("党员户比例", "party-member households"),
    "pairing_ratio": ("党员连心户数", "households paired per member"),
    "joint_meetings_per_month": ("联席会议（次/月）", "joint meetings a month"),
    "meeting_delay_factor": ("联席会议转办系数", "hand-off delay with joint meetings"),
}


def tr(key: str, lang: str = "zh") -> str:
    """The label of ``key`` in ``lang`` (``"zh"`` or ``"en"``); the key itself when unknown."""
    pair = LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def reason_label(reason: str, lang: str) -> str:
    """Label of a hand-off reason (``buckpass`` has its own key: it is also a counter)."""
    return tr("buckpass_reason" if reason == "buckpass" else reason, lang)
