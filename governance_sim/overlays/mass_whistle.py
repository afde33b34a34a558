"""``mass_whistle`` — 群众吹哨、部门报到 through an app (seed 003).

Seed 003 (市域社会治理, the city's governance platform): 「借助 xxxx 和xx 百通 APP 的集成服务
优势,构筑群众与政府快速对接通道,打造“群众吹哨、部门报到”治理新格局」.  Residents blow the
whistle themselves, through an app that goes straight to the platform, not through the
community or the street.

The mechanism:

* **The app.**  Of the reports a household would bring to its community office or
  street, ``app_share`` go through the app instead (the choice of channel and whether
  to report at all are the household's, as without the app).
* **Triage (分拨).**  The platform (the district centre's staff) reads and classifies
  every whistle (``triage_minutes``), before its desk work, then summons every
  department the problem needs at once (a whistle, ``Summon``: departments must be on
  site within ``report_deadline_h``) after ``dispatch_delay_h`` working hours; a
  problem that needs no department goes to the community office.
* **Trivial whistles.**  An open channel also brings whistles that need nobody
  (complaints about nothing actionable, duplicates, tests): ``trivial_share`` of all
  whistles, on top of the problem reports.  Each costs triage time; triage misses
  ``triage_miss`` of them, which are dispatched to a department that spends
  ``trivial_visit_h`` finding nothing to do (activity ``trivial_whistle``).  They are
  not problems and never enter the cases table.

「群众吹哨」 extends 「街乡吹哨、部门报到」: it needs an arrangement whose coordinator can
summon departments (``summoning_power``, e.g. ``whistle``), which re-summons a
department that hands a whistled case back.  The seeds name the channel only; every
number here is an assumption.
"""

from __future__ import annotations

import math

from pydantic import Field

from governance_sim.arrangements.base import Refer, Summon, Wait
from governance_sim.overlays.base import Overlay, OverlayParams
from governance_sim.registry import ARRANGEMENTS, register_overlay
from governance_sim.scenario import ScenarioError

TRIAGE_PRIORITY = 100.0  # a whistle is read before any desk work at the platform
APP_REPLACES = ("community", "street")  # the desks the app goes around


def _no_response(task, now) -> None:
    """Triage is not the first response to the problem (that is the department's)."""


class MassWhistleParams(OverlayParams):
    """Parameters of 群众吹哨 (all assumptions: seed 003 names the channel only)."""

    app_share: float = Field(
        default=0.3, ge=0, le=1,
        description="share of reports to the community office or street made through the app (assumption)")
    triage_minutes: float = Field(default=10.0, gt=0, le=120,
                                  description="platform minutes to read, classify and dispatch a whistle "
                                              "(assumption)")
    dispatch_delay_h: float = Field(default=1.0, ge=0, le=40,
                                    description="working hours from triage to the summons reaching the "
                                                "departments (assumption)")
    report_deadline_h: float = Field(default=24.0, gt=0, le=240,
                                     description="hours within which summoned departments must be on site "
                                                 "(assumption, as the street's whistle)")
    trivial_share: float = Field(
        default=0.2, ge=0, le=0.95,
        description="share of all whistles that are trivial (need nobody), ≤ 0.95 (assumption)")
    triage_miss: float = Field(default=0.1, ge=0, le=1,
                               description="P(triage dispatches a trivial whistle to a department) (assumption)")
    trivial_visit_h: float = Field(default=1.0, gt=0, le=8,
                                   description="department hours spent on a trivial whistle dispatched to it "
                                               "(assumption)")


@register_overlay
class MassWhistle(Overlay):
    """群众吹哨 — residents whistle through an app; the platform triages and summons."""

    name = "mass_whistle"
    label = "群众吹哨"
    Params = MassWhistleParams

    def __init__(self, params: MassWhistleParams):
        super().__init__(params)
        self._awaiting: set[int] = set()
        self.whistles = 0
        self.trivial = 0
        self.trivial_dispatched = 0
        self.dispatch_times: list[float] = []  # hours from the whistle to the summons

    @classmethod
    def arrangement_problem(cls, arrangement: type) -> str | None:
        if getattr(arrangement, "summoning_power", False):
            return None
        able = sorted(n for n, a in ARRANGEMENTS.items() if getattr(a, "summoning_power", False))
        return (f"群众吹哨 needs an arrangement that can summon departments; arrangement.name is "
                f"{arrangement.name!r}, allowed: {', '.join(able)}")

    def adjust_scenario(self, scenario):
        if scenario.roles.district_center.staff < 1:
            raise ScenarioError("overlays.mass_whistle",
                                "the platform needs staff: set roles.district_center.staff ≥ 1")
        return scenario

    def setup(self, model) -> None:
        self.rng = self.make_rng(model)

    # ------------------------------------------------------------ the app
    def intake(self, case, channel: str, model):
        p = self.params
        if channel not in APP_REPLACES or p.app_share <= 0 or self.rng.random() >= p.app_share:
            return None
        self.whistles += 1
        self._awaiting.add(case.id)
        if p.trivial_share > 0:  # trivial whistles come on top: share s of all → s/(1−s) per problem
            for _ in range(int(self.rng.poisson(p.trivial_share / (1.0 - p.trivial_share)))):
                self.trivial += 1
                model.district_center.work_on(None, p.triage_minutes / 60.0, TRIAGE_PRIORITY,
                                              self._trivial_triaged, "whistle_triage", _no_response)
        return ("district_center", 0)

    # ------------------------------------------------------------ triage
    def route(self, case, at, model):
        if at[0] != "district_center" or case.id not in self._awaiting:
            return None
        self._awaiting.discard(case.id)
        model.district_center.work_on(case, self.params.triage_minutes / 60.0, TRIAGE_PRIORITY,
                                      self._triaged, "whistle_triage", _no_response)
        return Wait()

    def _triaged(self, task) -> None:
        case = task.case
        model = task.unit.model
        case.staff_hours += task.effort
        t = model.calendar.add_working_hours(model.now, self.params.dispatch_delay_h)
        model.events.schedule(t, self._dispatch, case, model)

    def _dispatch(self, case, model) -> None:
        if case.status != "open":
            return
        at = ("district_center", 0)
        departments = case.remaining_departments
        if departments:
            self.dispatch_times.append(model.now - case.t_reported)
            decision = Summon(tuple(departments), self.params.report_deadline_h, reason="mass_whistle")
        else:
            decision = Refer(("community_office", case.community), 0.0, "mass_whistle")
        model.lifecycle.apply(case, at, decision)

    def _trivial_triaged(self, task) -> None:
        """Triage screens the trivial whistle out, or misses it and sends a department."""
        model = task.unit.model
        if self.rng.random() >= self.params.triage_miss or not model.departments:
            return
        self.trivial_dispatched += 1
        dept = model.departments[int(self.rng.integers(len(model.departments)))]
        dept.work_on(None, self.params.trivial_visit_h, 1.0, None, "trivial_whistle", _no_response)

    # ------------------------------------------------------------ metrics
    def summary(self, model) -> dict[str, float]:
        total = self.whistles + self.trivial
        times = self.dispatch_times
        return {
            "app_whistles": self.whistles,
            "app_whistles_trivial": self.trivial,
            "app_trivial_share": self.trivial / total if total else math.nan,
            "app_trivial_dispatched": self.trivial_dispatched,
            "app_whistle_to_summons_mean_h": sum(times) / len(times) if times else math.nan,
        }
