"""``fixed_offices`` — the 三定 township: fixed offices and temporary secondment (临时抽调).

Seed 000 (褚明浩 2022): the 三定方案 sets the township's offices 「过于细化,人员配置
过于分散」; each office serves the business it was set up for, and for work
the 三定 did not foresee 「乡镇只能通过临时抽调部分人员和划拨部分财政资源来完成」.

Mechanism:

* cadres are posted to the offices of ``offices`` blind to their desk/village
  experience (三定 screens qualifications, not experience: see
  :mod:`~governance_sim.arrangements.staff_matching`);
* a case goes to the office named by its category's ``office``;
* a category no office owns (a new task type: an inspection campaign, an
  epidemic) gets a temporary task force (临时专班).  The leaders ask for
  ``secondment_staff`` cadres; they arrive ``secondment_delay_days`` working
  days later, taken from every office in proportion to its size (each keeps
  ``min_office_staff``), and work ``switching_cost`` slower.  Their offices
  are that much shorter of hands for their own work meanwhile.  Each week a
  task force whose backlog per head exceeds ``secondment_trigger`` asks for
  more, up to ``secondment_max_share`` of all office staff on loan.  When the
  category has ended and the task force's queue is empty, everyone goes home.
"""

from __future__ import annotations

from governance_sim.agents.township_offices import TownshipOffice
from governance_sim.arrangements.base import UnitKey
from governance_sim.arrangements.staff_matching import random_assignment
from governance_sim.arrangements.township import TownshipArrangement, split_by_weight
from governance_sim.registry import register_arrangement


@register_arrangement
class FixedOffices(TownshipArrangement):
    name = "fixed_offices"
    label = "三定·固定科室"

    def build_units(self, model, cadres, rng) -> None:
        p = self.params
        posts = [(o.staff, o.village_share) for o in p.offices]
        unit_of = random_assignment(cadres, posts, rng)
        self.offices: list[TownshipOffice] = []
        for i, o in enumerate(p.offices):
            members = [c for c, u in zip(cadres, unit_of, strict=True) if u == i]
            for c in members:
                c.home = i
            self.offices.append(TownshipOffice(model, i, o.label or o.name, members, o.village_share,
                                               p.skill_effect, self.routine()))
        self.township_units = list(self.offices)
        self.task_forces: dict[int, TownshipOffice] = {}  # category index → 临时专班

    # 人与事: the owning office, or a task force for a new task type ---------------------
    def unit_for(self, case, model) -> UnitKey:
        office = self.category_specs[case.category].office
        if office is not None:
            return ("township_office", self.office_index[office])
        return self.task_force(case.category, model).key

    def task_force(self, category: int, model) -> TownshipOffice:
        force = self.task_forces.get(category)
        if force is None:
            p = self.params
            label = model.categories[category].label
            force = TownshipOffice(model, len(self.township_units), f"临时专班·{label}", [],
                                   p.secondment_village_share, p.skill_effect, self.routine(),
                                   temporary=True, switching_cost=p.switching_cost, category=category)
            self.task_forces[category] = force
            self.township_units.append(force)
            model.add_unit(force)
        if force.disbanded or (not force.members and not force.requested):
            force.disbanded = False
            self.request_secondment(force, model)
        return force

    # 临时抽调 ---------------------------------------------------------------------------
    def on_loan(self) -> int:
        """Cadres posted to task forces or on their way there."""
        return sum(len(f.members) + f.requested for f in self.task_forces.values())

    def request_secondment(self, force: TownshipOffice, model) -> None:
        p = self.params
        cap = int(p.secondment_max_share * sum(o.staff for o in p.offices))
        k = min(p.secondment_staff, cap - self.on_loan())
        if k <= 0:
            return
        force.requested += k
        at = model.calendar.add_working_hours(model.now, p.secondment_delay_days * model.calendar.hours)
        model.events.schedule(at, self._second, force, k, model)

    def _second(self, force: TownshipOffice, k: int, model) -> None:
        """Take ``k`` cadres from the offices, in proportion to their size."""
        force.requested -= k
        if force.disbanded:
            return
        keep = self.params.min_office_staff
        spare = [max(len(o.members) - keep, 0) for o in self.offices]
        k = min(k, sum(spare))
        if k <= 0:
            return
        quota = _capped_split(k, spare)
        rnd = model.random
        for office, n in zip(self.offices, quota, strict=True):
            for cadre in rnd.sample(office.members, n):
                self.move(cadre, office, force, "secondment", model.now)

    def on_day(self, model, day: int) -> None:
        super().on_day(model, day)
        for category, force in self.task_forces.items():
            if force.disbanded:
                continue
            cat = model.categories[category]
            over = cat.end_day is not None and day > cat.end_day
            if over and force.backlog == 0 and not force.requested:
                for cadre in list(force.members):
                    self.move(cadre, force, self.offices[cadre.home], "return", model.now)
                force.disbanded = True
            elif (day % 7 == 0 and not over and not force.requested
                  and force.backlog_per_head > self.params.secondment_trigger):
                self.request_secondment(force, model)


def _capped_split(k: int, spare: list[int]) -> list[int]:
    """``k`` split in proportion to ``spare`` without exceeding any ``spare``."""
    quota = split_by_weight(k, [float(s) for s in spare])
    over = sum(max(q - s, 0) for q, s in zip(quota, spare, strict=True))
    quota = [min(q, s) for q, s in zip(quota, spare, strict=True)]
    i = 0
    while over and i < len(spare) * k:
        j = i % len(spare)
        if quota[j] < spare[j]:
            quota[j] += 1
            over -= 1
        i += 1
    return quota
