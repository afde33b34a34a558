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
  assessment).  片区 are equal runs of communities, or one per former street
  (``zone_layout: streets``: Longgang's unequal 片区); platform staff follow
  each 片区's population; departments may recall idle seconded cadres when
  their own queue is much longer (``recall_backlog_ratio``, 下沉干部召回); the
  share of resolved cases settled inside the 片区 is an output
  (``share_settled_in_zone``; the source reports > 90 % of individual matters);
* option ``large_grids``: the four-level relay 全科网格 → 大网格 → 片区 → 市 (seed 004: 103 large
  grids between the 384 grids and the 9 片区, with the 303 seconded staff, 「“全科网格—大网格—
  片区—市”四级联动闭环处置机制」).  Each 片区's grids are split into runs (large grids, in
  proportion to its grids); ``large_grid_share`` of each platform's cadres work in small teams
  at its large grids, lent by department in proportion.  A case that needs departments goes
  first to its large grid's team (``large_grid_dispatch_h``), which settles it on the spot if
  it is no graver than ``large_grid_max_severity`` and every department it needs has a cadre
  in the team; otherwise the team relays it up to the 片区 platform, and from there, beyond the
  platform's scope, to the city's departments.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from governance_sim.agents.base import UnitAgent
from governance_sim.arrangements.base import Coordinate, CoverUp, Decision, Handle, Refer
from governance_sim.arrangements.baseline import Baseline, BaselineParams
from governance_sim.arrangements.township import split_by_weight
from governance_sim.cases import RESOLVED
from governance_sim.registry import register_arrangement
from governance_sim.territory import Community, Territory, _chunks

# counts in the scenario hash only when set (added after scenarios were first hashed)
LATE = {"late": True}

# levels whose units work inside a 片区 (the platform's cadres are seconded to it)
IN_ZONE_LEVELS = frozenset({"grid_worker", "community_office", "party_branch", "zone_platform", "street_chief",
                            "large_grid"})


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
    zone_layout: Literal["equal", "streets"] = Field(
        default="equal",
        description="how communities form 片区: 'equal' = runs of equal count; 'streets' = each former "
                    "street's communities are one 片区 (e.g. Longgang's unequal 片区 listed as streets)")
    zone_max_severity: int = Field(
        default=3, ge=1, le=3,
        description="most severe case a 片区 platform settles; graver ones go on to the city's departments "
                    "(the closed loop 网格 → 片区 → 市; threshold assumption)")
    micro_grids_per_grid: float = Field(
        default=0.0, ge=0, le=100,
        description="micro-grids (微网格) per grid, each with a resident member who passes on what he sees "
                    "(seed 004 龙港: 3,229 micro-grids in 384 grids ≈ 8.4; 0 = none)")
    micro_detection_prob: float = Field(
        default=0.01, ge=0, le=1,
        description="daily chance a micro-grid member notices and passes on a given problem in his "
                    "micro-grid (assumption)")
    recall_backlog_ratio: float = Field(
        default=0.0, ge=0, le=100,
        description="a department recalls an idle seconded cadre from a 片区 platform when its own backlog "
                    "per head exceeds this multiple of the platforms' (0 = never; seed 004: 下沉干部召回; "
                    "the ratio is an assumption)")
    large_grids: int = Field(
        default=0, ge=0, le=10000,
        description="large grids (大网格) between the grids and the 片区, each with a team of seconded cadres "
                    "(0 = none; seed 004 龙港: 103)", json_schema_extra=LATE)
    large_grid_share: float = Field(
        default=0.5, ge=0, le=1,
        description="share of each 片区 platform's seconded cadres posted to its large grids' teams "
                    "(assumption)", json_schema_extra=LATE)
    large_grid_max_severity: int = Field(
        default=1, ge=1, le=3,
        description="most severe case a large grid's team settles on the spot; graver ones are relayed up to "
                    "the 片区 (assumption)", json_schema_extra=LATE)
    large_grid_dispatch_h: float = Field(
        default=1.0, ge=0, le=80,
        description="working hours for a case to reach the large grid's team, and for the team to relay one it "
                    "cannot settle up to the 片区 (网格信息会商处置平台; assumption)", json_schema_extra=LATE)
    recall_floor_share: float = Field(
        default=0.5, ge=0, le=1,
        description="share of a department's seconded staff it may not recall (the front-line rule of "
                    "seed 004 binds; the share is an assumption)")


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


class LargeGridTeam(ZonePlatform):
    """大网格团队 — a few seconded cadres working a large grid (龙港, seed 004: 三五成群)."""

    role = "large_grid"

    def __init__(self, model, index: int, zone: int, grids: list[int], staff: int, departments: set[int]):
        super().__init__(model, index, [], staff, departments)
        self.name = f"大网格{index + 1}"
        self.zone = zone
        self.grids = grids


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
        zones = self.zone_groups(territory, groups, p)
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

    @staticmethod
    def zone_groups(territory: Territory, groups: list[list[int]], p) -> list[list[int]]:
        """The 片区: merged communities in runs of equal count, or one per former street
        (a merged community belongs to the street of its first member)."""
        if not p.zones:
            return []
        if p.zone_layout == "equal":
            return _chunks(list(range(len(groups))), p.zones)
        by_street: dict[int, list[int]] = {}
        for gi, members in enumerate(groups):
            by_street.setdefault(territory.communities[members[0]].street, []).append(gi)
        return [by_street[s] for s in sorted(by_street)]

    def setup(self, model) -> None:
        p = self.params
        for office in model.community_offices:
            office.effort_factor *= p.one_stop_effort_factor
            if self.inherited_admin_h:
                office.routine_h["admin"] = office.routine_h.get("admin", 0.0) + self.inherited_admin_h
                office.reserve_routine()
        center = model.district_center
        center.workforce.add_staff(self.district_extra_staff)
        if p.micro_grids_per_grid:
            self._micro_grids(model)
        self.platforms: list[ZonePlatform] = []
        self.large_teams: list[LargeGridTeam] = []
        if p.zones:
            self._second_staff(model)
            if p.large_grids:
                self._large_grids(model)

    def _micro_grids(self, model) -> None:
        """微网格员 pass on what they see to their grid worker: a grid's patrol notices a problem
        with 1 − (1 − p)(1 − q)^m a day, m micro-grids per grid of member detection q."""
        p = self.params
        miss = (1.0 - p.micro_detection_prob) ** p.micro_grids_per_grid
        for worker in model.grid_workers:
            worker.detection_prob = 1.0 - (1.0 - worker.detection_prob) * miss
            worker.latent_detection_prob = 1.0 - (1.0 - worker.latent_detection_prob) * miss

    def _second_staff(self, model) -> None:
        """Move ``front_line_share`` of each department's staff to the zone platforms."""
        p = self.params
        zones = model.territory.zones
        seconded = {d.index: int(d.staff * p.front_line_share) for d in model.departments}
        for dept in model.departments:
            dept.workforce.add_staff(-seconded[dept.index])
        total = sum(seconded.values())
        communities = model.territory.communities
        # staff follow the people each 片区 serves (assumption); every platform has at least one
        weights = [sum(communities[c].population for c in members) for members in zones]
        staffs = split_by_weight(max(total, len(zones)), weights, floor=1)
        # who lent whom: each platform's cadres by department, in proportion to the lending
        self.lent = [dict(zip(seconded, split_by_weight(n, list(seconded.values())), strict=True))
                     for n in staffs] if total else [{} for _ in zones]
        self.recalled = 0
        self.initial_lent = dict(seconded)
        for zi, members in enumerate(zones):
            platform = ZonePlatform(model, zi, members, staffs[zi],
                                    {d for d, n in self.lent[zi].items() if n > 0})
            self.platforms.append(platform)
            model.add_unit(platform)

    def _large_grids(self, model) -> None:
        """Split each 片区's grids into large grids (in proportion to its grids) and post
        ``large_grid_share`` of its platform's cadres to their teams, by department."""
        p = self.params
        communities = model.territory.communities
        zone_grids = [[g for c in members for g in communities[c].grids] for members in model.territory.zones]
        counts = split_by_weight(max(p.large_grids, len(zone_grids)), [len(g) for g in zone_grids], floor=1)
        self.large_of_grid: dict[int, int] = {}
        for zi, (grids, n) in enumerate(zip(zone_grids, counts, strict=True)):
            platform = self.platforms[zi]
            runs = _chunks(grids, n)
            posted = min(round(platform.staff * p.large_grid_share), platform.staff - 1)
            if posted < len(runs):  # too few cadres for a team at every large grid
                posted = 0
            staffs = split_by_weight(posted, [len(r) for r in runs], floor=1) if posted else [0] * len(runs)
            lenders = {d: n for d, n in self.lent[zi].items() if n > 0}
            platform.workforce.add_staff(-posted)
            for run, staff in zip(runs, staffs, strict=True):
                by_dept = split_by_weight(staff, list(lenders.values())) if staff and lenders else []
                depts = {d for d, k in zip(lenders, by_dept, strict=True) if k > 0}
                team = LargeGridTeam(model, len(self.large_teams), zi, run, staff, depts)
                for g in run:
                    self.large_of_grid[g] = team.index
                self.large_teams.append(team)
                model.add_unit(team)

    def recall(self, model) -> None:
        """下沉干部召回 as the departments' choice: a department whose own backlog per head
        exceeds ``recall_backlog_ratio`` × the platforms' recalls one idle cadre of its own from
        the least loaded platform, keeping ``recall_floor_share`` of what it lent."""
        p = self.params
        plat_staff = sum(pl.staff for pl in self.platforms)
        if not plat_staff:
            return
        plat_load = sum(pl.backlog for pl in self.platforms) / plat_staff
        for dept in model.departments:
            lent = [pl for pl in self.platforms if self.lent[pl.index].get(dept.index, 0) > 0]
            total_lent = sum(self.lent[pl.index][dept.index] for pl in lent)
            floor = p.recall_floor_share * self.initial_lent.get(dept.index, 0)
            if not lent or total_lent - 1 < floor or dept.staff == 0:
                continue
            if dept.backlog / dept.staff <= p.recall_backlog_ratio * max(plat_load, 1.0 / plat_staff):
                continue
            idle = [pl for pl in lent if pl.workforce.free > 0 and pl.staff > 1]
            if not idle:
                continue
            source = min(idle, key=lambda pl: (pl.backlog / pl.staff, pl.index))
            source.workforce.add_staff(-1)
            self.lent[source.index][dept.index] -= 1
            if not self.lent[source.index][dept.index]:  # none of its cadres left there
                source.departments.discard(dept.index)
            dept.workforce.add_staff(1)
            dept.workforce._dispatch()  # the returned cadre starts on the waiting queue at once
            self.recalled += 1

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
        if kind == "large_grid":
            return self.route_at_large_grid(case, at, model)
        if kind == "district_center":  # e.g. an eruption reported to the district
            return Refer(("community_office", case.community), p.escalation_delay_h, "dispatch")
        if kind in ("community_office", "street_chief"):
            if (case.latent and not case.eruption
                    and model.random.random() < self.coverup_probability(case, model)):
                return CoverUp()
            if cat.community_authority or cat.street_authority or not case.remaining_departments:
                return Handle(("community_office", case.community))
            if self.large_teams and case.grid in self.large_of_grid:  # 网格 → 大网格 first
                return Refer(("large_grid", self.large_of_grid[case.grid]), p.large_grid_dispatch_h, "large_grid")
            return self.beyond_large_grid(case, model)
        raise ValueError(f"direct_district cannot route a case held by {kind}")

    def route_at_large_grid(self, case, at, model) -> Decision:
        """The large grid's team settles what it can on the spot and relays the rest up."""
        team = self.large_teams[at[1]]
        if (team.staff and case.severity <= self.params.large_grid_max_severity
                and set(case.remaining_departments) <= team.departments):
            return Handle(at)
        decision = self.beyond_large_grid(case, model)
        if isinstance(decision, Refer):  # 大网格 → 片区: the relay takes its own time
            return Refer(decision.to, decision.delay_h + self.params.large_grid_dispatch_h, "relay_up")
        return Coordinate(decision.unit, decision.effort_h,
                          Refer(decision.then.to, decision.then.delay_h + self.params.large_grid_dispatch_h,
                                decision.then.reason))

    def beyond_large_grid(self, case, model) -> Decision:
        """片区 platform if in its scope, else a referral to a city department."""
        p = self.params
        zone = model.territory.communities[case.community].zone
        if (self.platforms and zone >= 0 and case.severity <= p.zone_max_severity
                and set(case.remaining_departments) <= self.platforms[zone].departments):
            return Refer(("zone_platform", zone), p.zone_dispatch_h, "zone_dispatch")
        delay = p.referral_delay_days * model.calendar.hours
        referral = Refer(("department", self.next_department(case)), delay, "referral")
        return Coordinate(("district_center", 0), p.coordination_effort_h, referral)

    # ---------------------------------------------------------------- assessment
    def summary(self, model) -> dict[str, float]:
        """片区 outputs: the share of resolved cases settled inside the 片区 (at the grid, the
        community or the platform, never at a city department) — measured, not set — and
        cadres recalled."""
        if not self.params.zones:
            return {}
        first = model.warmup_days * 24.0
        resolved = [c for c in model.cases if c.status == RESOLVED and c.t_created >= first]
        inside = sum(c.level in IN_ZONE_LEVELS for c in resolved)
        out = {"share_settled_in_zone": inside / len(resolved) if resolved else math.nan,
               "seconded_recalled": self.recalled}
        if self.large_teams:
            at_large = sum(c.level == "large_grid" for c in resolved)
            out.update({"large_grids": len(self.large_teams),
                        "large_grid_staff": sum(t.staff for t in self.large_teams),
                        "share_settled_at_large_grid": at_large / len(resolved) if resolved else math.nan})
        return out

    def on_month(self, model, month: int) -> None:
        """The zone committee grades its platform's staff on the month's cases (like reverse assessment);
        departments then decide on recalls."""
        if self.platforms and self.params.recall_backlog_ratio > 0:
            self.recall(model)
        since = model.now - 30 * 24.0
        for platform in self.platforms:
            recent = [r for t, r in platform.ratings if t >= since]
            if recent:
                shortfall = self.params.zone_rating_target - sum(recent) / len(recent)
                platform.local_priority = max(0.0, platform.local_priority
                                              + self.params.zone_priority_step * shortfall)
