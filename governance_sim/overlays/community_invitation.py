"""``community_invitation`` — 社区约请 (Huizhou, seed 004).

Seed 004 (惠州市社区约请政府部门现场办公): 「由社区居委会直接发函给相关管理部门,约请他们当面听取、
接收、办理、回复群众民生诉求」; 「各社区居委会整理本管辖区居民的诉求,根据情况约请相关部门现场办公」;
「市、区职能部门在收到社区的约请函后,必须在10个工作日内书面回复社区居委会,约定社区现场办公时间。
约请现场办公会由社区主持,社区干部、居民代表与职能部门三方面对面现场互动、商讨解决问题」.

The mechanism, step by step:

* **Gathering (整理诉求).**  A problem reaching a community office that needs
  ``min_departments`` or more departments and that the community may not settle
  itself is not referred up the hierarchy: the office writes it into its
  docket (``gather_h`` of office time, activity ``invitation``).
* **The letter (约请函).**  ``gather_days`` working days after the first case of
  a docket, the office sends one letter to every department the gathered cases
  need (at most ``cases_per_meeting`` cases a letter; the rest wait for the next).
* **The reply (书面回复).**  Each department replies in writing within
  ``reply_days`` (10 working days, seed 004) and fixes the date; a department
  busy with its own queue replies later — after ``reply_days × load`` working
  days, ``load = q / (q + 1)`` with ``q`` tasks waiting or in hand per staff
  member (the load of :func:`governance_sim.appraisal.return_probability`).
  The meeting is held ``meeting_lead_days`` after the last reply.
* **The on-site meeting (现场办公会).**  The community chairs (one office staff
  member), each invited department sends one staff member, for ``meeting_hours``
  (activity ``meeting``); ``resident_representatives`` attend (counted, their time
  is not modelled).  Who holds which part is settled face to face, so a
  department cannot return a case after the meeting (no 推诿); every department
  then acts on its part at once (as after a summons), at its usual priority.

Only the 10 working days come from the source; every other number is an
assumption.  Metrics: letters, meetings, cases per meeting, working days from the
letter to the meeting, and the resolution time of the cases settled this way.
"""

from __future__ import annotations

import math

from pydantic import Field

from governance_sim.arrangements.base import Wait
from governance_sim.overlays.base import Overlay, OverlayParams
from governance_sim.registry import register_overlay

MEETING_PRIORITY = 50.0  # a fixed meeting comes before the day's case work


def _no_response(task, now) -> None:
    """Gathering and meeting are not a response to the resident."""


def reply_delay_days(reply_days: float, workforce) -> float:
    """Working days a department takes to reply to a 约请函: the deadline × its load
    ``q / (q + 1)``, ``q`` tasks waiting or in hand per staff member."""
    staff = workforce.staff
    q = workforce.backlog / staff if staff > 0 else 1e9
    return reply_days * q / (q + 1.0)


class CommunityInvitationParams(OverlayParams):
    """Parameters of 社区约请 (seed 004 for the reply deadline; the rest assumptions)."""

    reply_days: float = Field(
        default=10.0, gt=0, le=30,
        description="working days within which a department must reply and fix the meeting "
                    "(seed 004: 10 个工作日内书面回复)")
    meeting_lead_days: float = Field(
        default=2.0, ge=0, le=20,
        description="working days from the last reply to the on-site meeting (assumption)")
    gather_days: float = Field(
        default=5.0, ge=0, le=30,
        description="working days a community office gathers residents' problems before sending "
                    "the letter (assumption: a working week)")
    gather_h: float = Field(default=0.5, ge=0, le=8,
                            description="office hours to write one problem into the docket (assumption)")
    min_departments: int = Field(
        default=2, ge=1, le=20,
        description="departments a problem must need for the office to invite rather than refer up "
                    "(assumption: cross-department problems)")
    cases_per_meeting: int = Field(default=10, ge=1, le=100,
                                   description="cases one letter and meeting can take (assumption)")
    meeting_hours: float = Field(
        default=3.0, ge=0, le=8,
        description="hours the meeting takes the chairing office member and each department's member "
                    "(assumption)")
    resident_representatives: int = Field(default=3, ge=0, le=50,
                                          description="居民代表 at each meeting (assumption; counted only)")


@register_overlay
class CommunityInvitation(Overlay):
    """社区约请 — the community gathers, invites, and chairs an on-site meeting."""

    name = "community_invitation"
    label = "社区约请"
    Params = CommunityInvitationParams

    def __init__(self, params: CommunityInvitationParams):
        super().__init__(params)
        self.dockets: dict[int, list] = {}
        self._letter_due: set[int] = set()
        self._gathered: set[int] = set()
        self.letters: list[tuple[int, float, float, int, int]] = []  # (community, sent, meeting, cases, depts)
        self.meetings = 0
        self.settled: list[int] = []  # case ids settled at a meeting

    # ------------------------------------------------------------ gathering
    def wants(self, case, model) -> bool:
        cat = model.categories[case.category]
        return (len(case.remaining_departments) >= self.params.min_departments
                and not cat.community_authority and not case.eruption
                and case.id not in self._gathered)

    def route(self, case, at, model):
        if at[0] != "community_office" or not self.wants(case, model):
            return None
        self._gathered.add(case.id)
        office = model.community_offices[at[1]]
        if self.params.gather_h > 0:
            office.work_on(case, self.params.gather_h, 1.0 + case.priority_boost,
                           lambda task: self._file(case, at[1], model), "invitation", _no_response)
        else:
            self._file(case, at[1], model)
        return Wait()

    def _file(self, case, community: int, model) -> None:
        case.staff_hours += self.params.gather_h
        self.dockets.setdefault(community, []).append(case)
        if community not in self._letter_due:
            self._letter_due.add(community)
            t = model.calendar.add_working_days(model.now, self.params.gather_days)
            model.events.schedule(t, self._send, community, model)

    # ------------------------------------------------------------ letter and reply
    def _send(self, community: int, model) -> None:
        self._letter_due.discard(community)
        docket = [c for c in self.dockets.get(community, []) if c.status == "open"]
        batch, rest = docket[:self.params.cases_per_meeting], docket[self.params.cases_per_meeting:]
        self.dockets[community] = rest
        if rest:
            self._letter_due.add(community)
            model.events.schedule(model.calendar.add_working_days(model.now, self.params.gather_days),
                                  self._send, community, model)
        if not batch:
            return
        now = model.now
        depts = sorted({d for c in batch for d in c.remaining_departments})
        reply = max(reply_delay_days(self.params.reply_days, model.departments[d].workforce) for d in depts)
        t = model.calendar.add_working_days(now, reply + self.params.meeting_lead_days)
        t = model.calendar.next_start(t)
        self.letters.append((community, now, t, len(batch), len(depts)))
        model.events.schedule(t, self._meet, community, batch, depts, model)

    # ------------------------------------------------------------ the on-site meeting
    def _meet(self, community: int, batch: list, depts: list, model) -> None:
        self.meetings += 1
        h = self.params.meeting_hours
        if h > 0:
            for unit in (model.community_offices[community], *(model.departments[d] for d in depts)):
                if unit.staff:
                    unit.work_on(None, h, MEETING_PRIORITY, None, "meeting", _no_response)
        now = model.now
        life = model.lifecycle
        for case in batch:
            if case.status != "open":
                continue
            self.settled.append(case.id)
            case.whistled = True  # acted on jointly: each department does its part at once
            if case.t_dispatched != case.t_dispatched:
                case.t_dispatched = now
            for d in case.remaining_departments:
                case.part_pending(d)
                case.handoff(f"community_office:{community}", f"department:{d}", now, "invitation")
                model.events.schedule(now, life.department_receives, case, d, True, 1.0, False)

    # ------------------------------------------------------------ metrics
    def summary(self, model) -> dict[str, float]:
        return self.merge_summaries([self.summary_parts(model)])

    def summary_parts(self, model) -> dict:
        """The letters' and meetings' tallies (read at the end: a case is looked up by id only here)."""
        letters = self.letters
        held = [row for row in letters if row[2] <= model.now]
        cal = model.calendar
        settled = [model.cases[i] for i in self.settled]
        return {"letters": len(letters), "meetings": self.meetings,
                "cases": sum(n for *_, n, _ in letters), "departments": sum(r[4] for r in letters),
                "lead_workdays": [cal.workdays_between(s, t) for _, s, t, _, _ in held],
                "resolution_h": [c.t_resolved - c.t_reported for c in settled if c.t_resolved == c.t_resolved],
                "representatives": self.meetings * self.params.resident_representatives}

    @classmethod
    def merge_summaries(cls, parts: list[dict]) -> dict[str, float]:
        """Letters, meetings, cases and representatives added up over the districts; per-letter
        figures of the sums; means over every meeting and every settled case."""
        letters, meetings, cases, departments, representatives = (
            sum(p[k] for p in parts) for k in ("letters", "meetings", "cases", "departments", "representatives"))
        lead = [x for p in parts for x in p["lead_workdays"]]
        res = [x for p in parts for x in p["resolution_h"]]
        return {
            "invitation_letters": letters,
            "invitation_meetings": meetings,
            "invitation_cases": cases,
            "invitation_cases_per_meeting": cases / letters if letters else math.nan,
            "invitation_departments_per_meeting": departments / letters if letters else math.nan,
            "invitation_letter_to_meeting_workdays": sum(lead) / len(lead) if lead else math.nan,
            "invitation_resolution_time_mean_h": sum(res) / len(res) if res else math.nan,
            "invitation_resident_representatives": representatives,
        }
