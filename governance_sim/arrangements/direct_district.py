"""``direct_district`` — 区直管社区 (铜官山) and 市管社区、分片服务 (龙港) (MODEL.md §5).

Sources: seed 004 (铜官山: in July 2010 all 6 streets abolished and 49
communities merged into 18 large ones that took most street staff and run
one-stop service centres; 龙港: the city manages communities directly, 9 片区
platforms with seconded department staff, departments keep ≥ 1/3 of staff at
the front line, > 90 % of individual matters handled inside the 片区).  The
"无变革改革" failure mode (the abolished street's administrative load simply
moves down to the large communities) is the ``inherit_admin_load`` switch.

Mechanisms:

* the street layer is removed and communities merge by adjacency to
  ``target_communities`` (each merged community is contiguous);
* a share of street staff moves to the large communities, the rest to the
  district's coordination office;
* large communities get the street's authority (one-stop centre) and refer
  straight to departments — one hop fewer — but every referral needs a
  coordination task at the district office, which now serves every
  community (span-of-control queueing);
* ``inherit_admin_load`` hands the abolished street's admin hours to the
  large communities;
* option ``zones``: 片区 platforms staffed by department staff seconded at
  ``front_line_share`` act on site without referral; the zone committee
  grades them, and their priority for local cases follows (like reverse
  assessment).
"""

from __future__ import annotations

from pydantic import Field

from governance_sim.agents.base import UnitAgent
from governance_sim.arrangements.base import Coordinate, CoverUp, Decision, Handle, Refer
from governance_sim.arrangements.baseline import Baseline, BaselineParams
from governance_sim.registry import register_arrangement
from governance_sim.territory import Community, Territory, _chunks


class DirectDistrictParams(BaselineParams):
    target_communities: int = Field(default=0, ge=0, description="merge into this many large communities (0 = keep; seed 004: 49 → 18)")
    street_staff_to_communities: float = Field(default=0.7, ge=0, le=1, description="share of the abolished streets' staff moved to the large communities; the rest joins the district office")
    community_staff_factor: float = Field(default=1.0, gt=0, description="staff of a merged community relative to the sum of its parts")
    one_stop_effort_factor: float = Field(default=0.85, gt=0, description="effort at a one-stop service centre relative to a small community office (assumption)")
    coordination_effort_h: float = Field(default=0.75, ge=0, description="district office staff-hours to approve and dispatch one referral (assumption)")
    inherit_admin_load: bool = Field(default=False, description="the abolished street's admin load moves down to the large communities (无变革改革)")
    zones: int = Field(default=0, ge=0, description="片区 platforms (0 = none; seed 004 龙港: 9)")
    front_line_share: float = Field(default=1 / 3, ge=0, le=1, description="share of each department's staff seconded to the zone platforms (seed 004: ≥ 1/3)")
    zone_dispatch_h: float = Field(default=2.0, ge=0, description="working hours for a zone platform to take up a case from its communities")
    zone_rating_target: float = Field(default=0.8, ge=0, le=1)
    zone_priority_step: float = Field(default=0.5, ge=0)


class ZonePlatform(UnitAgent):
    """片区平台 — a zone's platform with department staff seconded to it (龙港, seed 004)."""

    role = "zone_platform"

    def __init__(self, model, index: int, communities: list[int], staff: int, departments: set[int]):
        super().__init__(model, f"片区{index + 1}", staff,
                         {"paperwork": model.scenario.roles.department.paperwork_h})
        self.index = index
        self.communities = communities
        self.departments = departments
        self.local_priority = 1.0
        self.ratings: list[tuple[float, float]] = []
        self.deadline_h = 24.0

    def work_on(self, case, effort, priority, on_done, activity="case_work", on_start=None):
        """Queue at the platform's own priority; the zone committee rates how fast staff arrive."""
        def started(task, now, _inner=on_start):
            late = max(0.0, now - case.t_reported - self.deadline_h)
            self.ratings.append((now, max(0.0, 1.0 - late / (4.0 * self.deadline_h))))
            (_inner or self.model.lifecycle.on_work_started)(task, now)
        super().work_on(case, effort, self.local_priority + case.priority_boost, on_done,
                        activity, started)


def merge_communities(territory: Territory, target: int) -> list[list[int]]:
    """Greedy merge by adjacency: join the smallest community to its smallest neighbour
    until ``target`` remain.  Every group is contiguous by construction."""
    groups = {i: [i] for i in range(len(territory.communities))}
    pop = {i: c.population for i, c in enumerate(territory.communities)}
    nbrs = {i: set() for i in groups}
    for a, b in territory.adjacency:
        nbrs[a].add(b)
        nbrs[b].add(a)
    while len(groups) > max(target, 1):
        small = min(groups, key=lambda g: (pop[g], g))
        if not nbrs[small]:
            break
        other = min(nbrs[small], key=lambda g: (pop[g], g))
        groups[other].extend(groups.pop(small))
        pop[other] += pop.pop(small)
        for n in nbrs.pop(small):
            if n != other:
                nbrs[n].discard(small)
                nbrs[n].add(other)
                nbrs[other].add(n)
        nbrs[other].discard(small)
    return [sorted(g) for _, g in sorted(groups.items(), key=lambda kv: min(kv[1]))]


@register_arrangement
class DirectDistrict(Baseline):
    name = "direct_district"
    label = "区直管社区"
    Params = DirectDistrictParams

    # ---------------------------------------------------------------- structure
    def transform(self, territory: Territory, scenario) -> Territory:
        p = self.params
        target = p.target_communities or len(territory.communities)
        groups = merge_communities(territory, target)
        self.merged_groups = groups
        n_streets = len(territory.streets)
        roles = scenario.roles
        street_staff = roles.street_office.staff * n_streets
        moved = round(street_staff * p.street_staff_to_communities)
        self.district_extra_staff = street_staff - moved
        total_pop = territory.population
        communities: list[Community] = []
        new_index = {}
        for gi, members in enumerate(groups):
            parts = [territory.communities[i] for i in members]
            pop = sum(c.population for c in parts)
            xs = sum(c.pos[0] for c in parts) / len(parts)
            ys = sum(c.pos[1] for c in parts) / len(parts)
            merged = Community(
                name=parts[0].name if len(parts) == 1 else f"{parts[0].name}等{len(parts)}社区",
                street=-1, population=pop, households=sum(c.households for c in parts),
                pos=(xs, ys), merged_from=[c.name for c in parts],
            )
            own = roles.community_office.staff * len(parts) * p.community_staff_factor
            merged.staff = max(1, round(own + moved * pop / total_pop))
            for i in members:
                new_index[i] = gi
            communities.append(merged)
        grids = territory.grids
        for gi, g in enumerate(grids):
            g.community = new_index[g.community]
            g.lane = -1
            communities[g.community].grids.append(gi)
        adjacency = {(min(new_index[a], new_index[b]), max(new_index[a], new_index[b]))
                     for a, b in territory.adjacency if new_index[a] != new_index[b]}
        zones = _chunks(list(range(len(communities))), p.zones) if p.zones else []
        for zi, members in enumerate(zones):
            for ci in members:
                communities[ci].zone = zi
        # the abolished streets' admin hours per day, spread over the large communities' staff
        self.inherited_admin_h = 0.0
        if p.inherit_admin_load:
            street_admin = roles.street_office.admin_load_h * street_staff
            community_staff = sum(c.staff for c in communities)
            self.inherited_admin_h = street_admin / max(community_staff, 1)
        return Territory(
            district=territory.district, streets=[], communities=communities, grids=grids,
            departments=territory.departments, department_labels=territory.department_labels,
            categories=territory.categories, jurisdiction=territory.jurisdiction,
            adjacency=adjacency, zones=zones, lanes=[], lane_street=[], street_layer=False,
        )

    def setup(self, model) -> None:
        p = self.params
        for office in model.community_offices:
            office.effort_factor *= p.one_stop_effort_factor
            if self.inherited_admin_h:
                office.routine_h["admin"] = office.routine_h.get("admin", 0.0) + self.inherited_admin_h
                office.reserve_routine()
        center = model.district_center
        center.workforce.add_staff(self.district_extra_staff)
        self.platforms: list[ZonePlatform] = []
        if p.zones:
            self._second_staff(model)

    def _second_staff(self, model) -> None:
        """Move ``front_line_share`` of each department's staff to the zone platforms."""
        p = self.params
        zones = model.territory.zones
        seconded = {d.index: int(d.staff * p.front_line_share) for d in model.departments}
        for dept in model.departments:
            dept.workforce.add_staff(-seconded[dept.index])
        total = sum(seconded.values())
        for zi, members in enumerate(zones):
            staff = max(1, round(total / len(zones)))
            platform = ZonePlatform(model, zi, members, staff,
                                    {d for d, n in seconded.items() if n > 0})
            self.platforms.append(platform)
            model.add_unit(platform)

    # ---------------------------------------------------------------- routing
    def coordinator(self, case, model):
        return ("community_office", case.community)

    def route(self, case, at, model) -> Decision:
        kind, idx = at
        cat = model.categories[case.category]
        p = self.params
        if kind == "grid_worker":
            return self.route_at_grid(case, at, model)
        if kind == "zone_platform":
            return Handle(at)
        if kind == "district_center":  # e.g. an eruption reported to the district
            return Refer(("community_office", case.community), p.escalation_delay_h, "dispatch")
        if kind in ("community_office", "street_chief"):
            if (case.latent and not case.eruption
                    and model.random.random() < self.coverup_probability(case, model)):
                return CoverUp()
            if cat.community_authority or cat.street_authority or not case.remaining_departments:
                return Handle(("community_office", case.community))
            zone = model.territory.communities[case.community].zone
            if self.platforms and zone >= 0 and set(case.remaining_departments) <= self.platforms[zone].departments:
                return Refer(("zone_platform", zone), p.zone_dispatch_h, "zone_dispatch")
            delay = p.referral_delay_days * model.calendar.hours
            referral = Refer(("department", self.next_department(case)), delay, "referral")
            return Coordinate(("district_center", 0), p.coordination_effort_h, referral)
        raise ValueError(f"direct_district cannot route a case held by {kind}")

    # ---------------------------------------------------------------- assessment
    def on_month(self, model, month: int) -> None:
        """The zone committee grades its platform's staff on the month's cases (like reverse assessment)."""
        since = model.now - 30 * 24.0
        for platform in self.platforms:
            recent = [r for t, r in platform.ratings if t >= since]
            if recent:
                shortfall = self.params.zone_rating_target - sum(recent) / len(recent)
                platform.local_priority = max(0.0, platform.local_priority
                                              + self.params.zone_priority_step * shortfall)
