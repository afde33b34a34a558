"""``party_building`` — 党建引领基层治理 (MODEL.md §5).

Four mechanisms of the community party branches (:class:`PartyBranch`):

* **在职党员双报到 — volunteer hours.**  Seed 002: 「完善党员双报到制度,党员既参与单位
  的党务和党员活动,也参与社区的党员活动」.  Each member gives
  ``volunteer_hours_per_member_month`` to the community; the branch spends them
  on mediation (邻里纠纷 and other mediation categories), which spares the
  community office's staff.  Hours per member are an assumption.
* **党员连心 — pairing.**  Seed 000: 「全镇已有 200 余名党员结对联系群众 400 余名」:
  about 400 persons ≈ 150 households (2.62 per household, seed 002) for 200
  members, so ``pairing_ratio`` = 0.76 households per member (docs/sources.md
  §4.1 item 3: persons, not households).  A paired household surfaces a latent
  hazard it suffers with ``hidden_report_boost`` (the core's reporting rule), and
  its member's monthly contact moves its trust toward ``contact_trust``
  (assumption), which in turn raises its reporting of visible problems.
* **联席会议 — joint meetings.**  Seed 000: 「建立**镇党建引领基层治理工作联席会议制度」
  and 「全镇 7 个村均已建立党组织,协调解决问题 30 余项」; seed 000 also has the district's
  city-management 联席会议 held once a quarter (「季点名」).  The street (or, without
  streets, the district) holds ``joint_meetings_per_month`` meetings of the street
  office, the departments and the community offices.  A meeting clears part of the
  coordination backlog: a case being referred to a department whose formal referral
  would reach it after the next meeting is taken up at that meeting instead, face to
  face, as long as the meeting has room — ``meeting_hours × 60 / minutes_per_case``
  cases (frequency and length, assumptions).  Referrals that would arrive before the
  meeting, and those beyond its room, go through the formal channel as before.
  Each meeting costs one staff member of every attending unit ``meeting_hours``
  (activity ``meeting``).
* **Membership.**  ``party_member_share`` (households with a member) resets the
  residents' share; seed 002: a village of 424 households with 58 members.
"""

from __future__ import annotations

import math

from pydantic import Field

from governance_sim.engine import HOURS_PER_DAY
from governance_sim.overlays.base import Overlay, OverlayParams
from governance_sim.registry import register_overlay

MONTH_DAYS = 30
MEETING_PRIORITY = 50.0  # a scheduled meeting comes before the day's case work
WEEKS_PER_MONTH = 52.0 / 12.0


def _no_response(task, now) -> None:
    """A meeting is not a response to any one problem."""


class PartyBuildingParams(OverlayParams):
    """Parameters of 党建引领 (``None`` keeps the scenario's own value)."""

    party_member_share: float | None = Field(
        default=None, ge=0, le=1,
        description="households with a party member (seed 002: 58 members in a village of 424 households)")
    volunteer_hours_per_member_month: float | None = Field(
        default=1.0, ge=0, le=40,
        description="在职党员双报到 hours each member gives the community a month (assumption); "
                    "None keeps roles.party_branch.volunteer_hours_per_week")
    pairing_ratio: float = Field(
        default=0.76, ge=0, le=20,
        description="households paired per member, 党员连心 (seed 000: 200+ members, 400+ persons)")
    hidden_report_boost: float | None = Field(
        default=None, ge=0, le=1,
        description="P(a paired household surfaces a latent hazard); None keeps the role's value")
    contact_trust: float | None = Field(
        default=0.7, ge=0, le=1,
        description="trust a paired household's monthly contact pulls toward (assumption); None = no effect")
    joint_meetings_per_month: int = Field(default=1, ge=0, le=20,
                                          description="联席会议 a month (0 = none)")
    minutes_per_case: float = Field(
        default=10.0, gt=0, le=120,
        description="meeting minutes to settle one referred case (assumption); a meeting takes up "
                    "meeting_hours × 60 / minutes_per_case cases")
    meeting_hours: float = Field(default=2.0, ge=0, le=8,
                                 description="hours a meeting takes one staff member of each attending unit")


@register_overlay
class PartyBuilding(Overlay):
    """党建引领 — 双报到 volunteers, 党员连心 pairing, 联席会议."""

    name = "party_building"
    label = "党建引领"
    Params = PartyBuildingParams

    def __init__(self, params: PartyBuildingParams):
        super().__init__(params)
        self.meetings = 0
        self.meeting_days: set[int] = set()
        self.capacity = 0
        self.booked: dict[float, int] = {}  # meeting start → referrals taken up there
        self.taken_up = 0

    def next_meeting(self, model, now: float) -> float | None:
        """The start of the first joint meeting at or after ``now`` (None without meetings)."""
        if not self.meeting_days:
            return None
        cal = model.calendar
        first = int(now // HOURS_PER_DAY) - 7  # a meeting day on a weekend starts on the next workday
        for day in range(max(first, 0), first + 2 * MONTH_DAYS + 7):
            if day % MONTH_DAYS in self.meeting_days:
                start = cal.next_start(day * HOURS_PER_DAY)
                if start >= now:
                    return start
        return None

    def handoff_arrival(self, case, decision, now: float, t: float, model) -> float:
        """A referral to a department is taken up at the next joint meeting if that comes
        before the formal referral would arrive and the meeting has room."""
        if decision.to[0] != "department" or self.capacity <= 0 or t <= now:
            return t
        meeting = self.next_meeting(model, now)
        if meeting is None or meeting >= t or self.booked.get(meeting, 0) >= self.capacity:
            return t
        self.booked[meeting] = self.booked.get(meeting, 0) + 1
        self.taken_up += 1
        return meeting

    def adjust_scenario(self, scenario):
        p = self.params
        changes: dict[str, object] = {"roles.party_branch.pairing_ratio": p.pairing_ratio}
        if p.party_member_share is not None:
            changes["roles.resident.party_member_share"] = p.party_member_share
        if p.hidden_report_boost is not None:
            changes["roles.party_branch.hidden_report_boost"] = p.hidden_report_boost
        return scenario.with_overrides(changes)

    def setup(self, model) -> None:
        p = self.params
        if p.volunteer_hours_per_member_month is not None:
            for branch in model.party_branches:
                branch.weekly_hours = branch.members * p.volunteer_hours_per_member_month / WEEKS_PER_MONTH
                branch.hours_left = branch.weekly_hours
        k = p.joint_meetings_per_month
        if k:
            self.meeting_days = {int(MONTH_DAYS * (i + 0.5) / k) for i in range(k)}
        self.capacity = int(p.meeting_hours * 60 // p.minutes_per_case) if k else 0

    # ------------------------------------------------------------ joint meetings
    def on_day(self, model, day: int) -> None:
        if day % MONTH_DAYS not in self.meeting_days:
            return
        start = model.calendar.next_start(day * HOURS_PER_DAY)
        model.events.schedule(start, self._meet, model)

    def attendees(self, model) -> list:
        """The street office (or the district centre without streets), every department and
        every community office send one member each."""
        convenors = model.street_offices if model.has_street_layer else [model.district_center]
        return [*convenors, *model.departments, *model.community_offices]

    def _meet(self, model) -> None:
        self.meetings += 1
        for branch in model.party_branches:
            branch.meetings += 1
        if self.params.meeting_hours <= 0:
            return
        for unit in self.attendees(model):
            if unit.staff:
                unit.work_on(None, self.params.meeting_hours, MEETING_PRIORITY, None, "meeting",
                             _no_response)

    # ------------------------------------------------------------ pairing contact
    def on_month(self, model, month: int) -> None:
        """党员连心: each paired household's member keeps in touch; its trust moves toward
        ``contact_trust`` as it would after a rating of that value."""
        target = self.params.contact_trust
        if target is None:
            return
        pop = model.population
        paired = pop.paired
        pop.trust[paired] += pop.spec.trust_lr * (target - pop.trust[paired])

    def summary(self, model) -> dict[str, float]:
        return self.merge_summaries([self.summary_parts(model)])

    def summary_parts(self, model) -> dict:
        branches = model.party_branches
        pop = model.population
        return {"members": sum(b.members for b in branches), "paired": int(pop.paired.sum()),
                "mediated": sum(b.mediated for b in branches),
                "hours": float(sum(b.hours_used for b in branches)), "meetings": self.meetings,
                "taken_up": self.taken_up, "paired_trust_sum": float(pop.trust[pop.paired].sum())}

    @classmethod
    def merge_summaries(cls, parts: list[dict]) -> dict[str, float]:
        """Counts and hours added up over the districts; per-meeting and per-household means
        those of the sums."""
        members, paired, mediated, meetings, taken_up = (
            sum(p[k] for p in parts) for k in ("members", "paired", "mediated", "meetings", "taken_up"))
        hours = sum(p["hours"] for p in parts)
        trust = sum(p["paired_trust_sum"] for p in parts)
        return {
            "party_members": members,
            "party_paired_households": paired,
            "party_mediated_cases": mediated,
            "party_volunteer_hours": float(hours),
            "joint_meetings": meetings,
            "joint_meeting_referrals": taken_up,
            "joint_meeting_referrals_per_meeting": taken_up / meetings if meetings else math.nan,
            "paired_household_trust_end": trust / paired if paired else math.nan,
        }
