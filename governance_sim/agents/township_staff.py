"""乡镇干部 — township cadres with skill profiles, and the units they are posted to.

Seed 000 (褚明浩 2022, 片线结合 in 溪镇) distinguishes two kinds of ability:
administrative business needs cadres 「文字写作能力强、专业知识过硬」 (desk work),
village affairs need cadres 「有农村或社区工作经验」 (village work).  A cadre's
*fit* to a post is the skill the post asks for; it sets the cadre's
efficiency there (an effort multiplier).  Posts change: under 三定 cadres sit
in fixed offices, under 片线结合 they are pooled (混编混岗) and re-posted
(重置干部), and both arrangements move cadres at run time (临时抽调, weekly
rebalancing), so a unit's staff must be able to grow and shrink.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from governance_sim.agents.base import UnitAgent
from governance_sim.agents.workforce import Workforce


@dataclass(slots=True)
class Cadre:
    """One township cadre (乡镇干部): skills in [0, 1] and the unit they belong to."""

    id: int
    desk: float  # 行政业务: writing, regulations
    village: float  # 乡村事务: experience of village work
    home: int = -1  # index of the fixed office a seconded cadre returns to

    def fit(self, village_share: float) -> float:
        """Skill for a post whose work is ``village_share`` village work and the rest desk work."""
        return (1.0 - village_share) * self.desk + village_share * self.village

    def efficiency(self, village_share: float, skill_effect: float) -> float:
        """Work speed at a post: 1 for an average fit (0.5), 1 ± ``skill_effect`` at the extremes."""
        return 1.0 + skill_effect * (2.0 * self.fit(village_share) - 1.0)


class ElasticWorkforce(Workforce):
    """A :class:`Workforce` whose staff can be added and withdrawn during a run.

    A withdrawn cadre who is busy finishes the task in hand first, then
    leaves (``on_left`` is called at that moment, e.g. to join another unit).
    """

    __slots__ = ("_leaving",)

    def __init__(self, queue, calendar, staff: int, reserved_h: float = 0.0):
        super().__init__(queue, calendar, staff, reserved_h)
        self._leaving: deque[Callable[[], None]] = deque()

    def add_staff(self, k: int = 1) -> None:
        super().add_staff(k)
        self._dispatch()  # mid-run: the newcomers take waiting work at once

    def remove_staff(self, k: int = 1, on_left: Callable[[], None] | None = None) -> None:
        for _ in range(k):
            if self.free > 0:
                self.free -= 1
                self.staff -= 1
                if on_left is not None:
                    on_left()
            else:
                self._leaving.append(on_left)

    def _finish(self, task) -> None:
        if not self._leaving:
            super()._finish(task)
            return
        on_left = self._leaving.popleft()
        self.staff -= 1
        self.free -= 1  # the base class frees the server again: net, it leaves with the cadre
        super()._finish(task)
        if on_left is not None:
            on_left()


class TownshipUnit(UnitAgent):
    """A unit of township cadres: an office, a 片 team or a 线 team.

    ``village_share`` says what the unit's work asks for; the unit works at
    the mean efficiency of its members, so a task's effort is divided by it
    (``effort_factor``).  ``members`` changes at once when the leader moves
    a cadre; the workforce follows as soon as the cadre is free.
    """

    role = "township_unit"

    def __init__(self, model, index: int, name: str, members: list[Cadre], village_share: float,
                 skill_effect: float, routine_h: dict[str, float], label: str = ""):
        super().__init__(model, name, len(members), routine_h)
        self.workforce = ElasticWorkforce(model.events, model.calendar, len(members),
                                          self.workforce.reserved_h)
        self.index = index
        self.label = label or name
        self.members = list(members)
        self.village_share = village_share
        self.skill_effect = skill_effect
        self.staff_workdays = 0  # staff counted on each workday (staff change during a run)
        self._efficiency: float | None = None  # cached; members change only through receive/send

    # skill fit -----------------------------------------------------------------
    def efficiency_of(self, cadre: Cadre) -> float:
        return cadre.efficiency(self.village_share, self.skill_effect)

    @property
    def efficiency(self) -> float:
        """Mean efficiency of the members (1.0 for an empty unit)."""
        if self._efficiency is None:
            members = self.members
            self._efficiency = (sum(self.efficiency_of(c) for c in members) / len(members)
                                if members else 1.0)
        return self._efficiency

    @property
    def effort_factor(self) -> float:
        return 1.0 / self.efficiency

    @property
    def backlog_per_head(self) -> float:
        return self.backlog / len(self.members) if self.members else float("inf") if self.backlog else 0.0

    # moving cadres ---------------------------------------------------------------
    def receive(self, cadre: Cadre) -> None:
        """A cadre joins now (members and workforce)."""
        self.members.append(cadre)
        self._efficiency = None
        self.workforce.add_staff(1)

    def send(self, cadre: Cadre, to: TownshipUnit) -> None:
        """Move ``cadre`` to ``to``: posted at once, works there once the task in hand is done."""
        self.members.remove(cadre)
        to.members.append(cadre)
        self._efficiency = to._efficiency = None
        self.workforce.remove_staff(1, lambda: to.workforce.add_staff(1))

    def count_workday(self) -> None:
        self.staff_workdays += self.workforce.staff

    def hours_by_activity(self, workdays: int) -> dict[str, float]:
        """Hours by activity; routine hours follow the staff actually present each workday."""
        hours = dict(self.workforce.hours)
        budget = self.hours_per_day + self.model.calendar.overtime
        for activity, h in self.routine_h.items():
            take = min(h, budget)
            budget -= take
            hours[activity] = hours.get(activity, 0.0) + take * self.staff_workdays
        return hours
