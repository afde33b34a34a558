"""``mine_guards`` — 护矿队: a patrol against illegal mining (盗采) whose guards can be captured.

Source: seed 001 (Pinggu).  「平谷區相關部門組織了護礦隊,人數從最初的十幾人不斷增加到50人,
但盜挖行為卻愈演愈烈」 and 「事后查明,有護礦隊員和盜挖者勾結,有村干部為砂石盜采者提供保護傘」;
what broke it was joint enforcement under the township's command (「鄉鎮吹哨,部門報到」的
聯合執法鏈機制: 賬單式、突擊式、常態化執法).

Mechanisms:

* each guard patrols a beat (a share of the township's grids) every workday and sees an
  unnoticed mining site on it with ``find_prob`` spread over the beat's grids;
* a guard who sees a site **chooses**: he reports it to the township, or takes the miners'
  ``bribe`` and keeps quiet (勾结).  He colludes when the bribe beats the expected cost of
  being caught (P(caught) × ``penalty``) plus his own integrity (a lognormal draw per guard);
* P(caught) is what the rules make it: a hidden site found later exposes the guard with
  ``audit_prob``, less in a village whose cadre shelters the miners (保护伞,
  ``shelter_share`` of villages, ``shelter_cover``); under joint enforcement — the
  arrangement whistles for the mining category — joint sweeps every ``sweep_every_days``
  find each hidden site with ``sweep_find_prob``, and a site found by a sweep exposes the
  guard who hid it;
* an exposed guard is dismissed and replaced by a new one (a fresh integrity draw).

More guards shorten beats and find sites sooner, but a site on a captured guard's beat is
seen by a guard who keeps quiet: whether more guards help follows from how many collude,
which follows from the payoffs, not from a fixed share.  Illegal mining is measured as the
days a site is worked (from its start until it is really stopped, or the run's end).
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from governance_sim.cases import RESOLVED
from governance_sim.engine import HOURS_PER_DAY
from governance_sim.overlays.base import Overlay, OverlayParams
from governance_sim.registry import register_overlay
from governance_sim.scenario import ScenarioError


class MineGuardsParams(OverlayParams):
    """The guard team and the payoffs of collusion (assumptions unless seed 001 is named)."""

    category: str = Field(default="illegal_mining", description="the category the guards patrol against (盗采)")
    guards: int = Field(default=12, ge=0, le=1000,
                        description="guards in the team (seed 001: 十几人 at first, later 50)")
    find_prob: float = Field(default=0.3, gt=0, le=1,
                             description="chance a guard patrolling one grid sees a given site that day, divided "
                                         "over the grids of his beat (assumption)")
    patrol_hours: float = Field(default=6.0, gt=0, le=12, description="hours of a guard's patrol day (assumption)")
    bribe: float = Field(default=2.0, gt=0, le=100,
                         description="what the miners pay a guard to keep quiet about a site, in months of a "
                                     "guard's pay (assumption)")
    penalty: float = Field(default=24.0, gt=0, le=1000,
                           description="cost to an exposed guard (dismissal, prosecution), in months of pay "
                                       "(assumption)")
    integrity_median: float = Field(default=1.0, gt=0, le=100,
                                    description="median of a guard's own cost of colluding, months of pay "
                                                "(assumption)")
    integrity_sigma: float = Field(default=1.0, ge=0, le=3,
                                   description="spread (log scale) of guards' integrity (assumption)")
    audit_prob: float = Field(default=0.05, ge=0, le=1,
                              description="chance a hidden site found later exposes the guard who hid it, without "
                                          "joint enforcement (assumption)")
    shelter_share: float = Field(default=0.2, ge=0, le=1,
                                 description="share of villages whose cadre shelters the miners (保护伞; seed 001 "
                                             "names the practice, the share is an assumption)")
    shelter_cover: float = Field(default=0.8, ge=0, le=1,
                                 description="chance a sheltering cadre's cover keeps a routine audit from reaching "
                                             "the guard (assumption)")
    sweep_every_days: int = Field(default=30, ge=1, le=365,
                                  description="days between joint sweeps under joint enforcement (常态化执法; "
                                              "assumption: monthly)")
    sweep_find_prob: float = Field(default=0.5, ge=0, le=1,
                                   description="chance a joint sweep finds a given site still worked (assumption)")


class Guard:
    """One guard: his beat and his integrity; ``hidden`` counts the sites he kept quiet about."""

    __slots__ = ("beat", "caught", "hidden", "integrity")

    def __init__(self, beat: list[int], integrity: float):
        self.beat, self.integrity, self.hidden, self.caught = beat, integrity, 0, False


def beats(n_grids: int, n_guards: int) -> list[list[int]]:
    """Grids split into ``n_guards`` beats: contiguous blocks when guards are fewer than grids,
    otherwise each guard one grid (several guards share a grid)."""
    if n_guards <= 0 or n_grids <= 0:
        return []
    if n_guards >= n_grids:
        return [[g % n_grids] for g in range(n_guards)]
    return [list(block) for block in np.array_split(np.arange(n_grids), n_guards)]


def colludes(bribe: float, p_caught: float, penalty: float, integrity: float) -> bool:
    """勾结 as a choice: the bribe beats the expected cost of being caught plus one's integrity."""
    return bribe > p_caught * penalty + integrity


def caught_probability(audit: float, joint: bool, sweeps: float, sweep_find: float) -> float:
    """P(a guard who hides a site is exposed): the routine audit, and under joint enforcement the
    chance that one of ``sweeps`` joint sweeps finds the site."""
    p_sweep = 1.0 - (1.0 - sweep_find) ** sweeps if joint else 0.0
    return 1.0 - (1.0 - audit) * (1.0 - p_sweep)


@register_overlay
class MineGuards(Overlay):
    """护矿队 — guards patrol against 盗采 and choose whether to collude."""

    name = "mine_guards"
    label = "护矿队 (勾结与联合执法)"
    Params = MineGuardsParams

    def adjust_scenario(self, scenario):
        if self.params.category not in scenario.categories:
            raise ScenarioError("overlays.mine_guards.category",
                                f"unknown category; allowed: {sorted(scenario.categories)}")
        return scenario

    def setup(self, model) -> None:
        p = self.params
        self.rng = self.make_rng(model)
        self.category = next(c.index for c in model.categories if c.name == p.category)
        self.n_grids = len(model.territory.grids)
        self.sheltered = self.rng.random(len(model.community_offices)) < p.shelter_share
        self.guards = [Guard(beat, self._integrity()) for beat in beats(self.n_grids, p.guards)]
        # case id → (the case, the guard who kept quiet about it): the case itself is held, so a
        # city run as districts never moves it out while it is watched (partition/spill.py)
        self.hidden_by: dict[int, tuple[object, Guard]] = {}
        self.swept: set[int] = set()
        self.counts = dict.fromkeys(("seen", "colluded", "reported", "caught", "swept"), 0)

    def _integrity(self) -> float:
        p = self.params
        return float(p.integrity_median * math.exp(p.integrity_sigma * self.rng.standard_normal()))

    # ------------------------------------------------------------------ rules
    def joint_enforcement(self, case, model) -> bool:
        """Whether the arrangement commands joint action on this case (the whistle's rules)."""
        arr = model.arrangement
        return bool(arr.summoning_power and hasattr(arr, "should_whistle") and arr.should_whistle(case, model))

    def p_caught(self, case, model) -> float:
        p = self.params
        audit = p.audit_prob * (1.0 - p.shelter_cover) if self.sheltered[case.community] else p.audit_prob
        erupt_days = model.categories[case.category].erupt_days
        return caught_probability(audit, self.joint_enforcement(case, model),
                                  erupt_days / p.sweep_every_days, p.sweep_find_prob)

    def decide(self, guard: Guard, case, model) -> bool:
        """The guard's choice on a site he sees: ``True`` = he colludes."""
        p = self.params
        return colludes(p.bribe, self.p_caught(case, model), p.penalty, guard.integrity)

    # ------------------------------------------------------------------ routines
    def _sites(self, model, grid: int, until: float):
        for case in model.undiscovered.get(grid, ()):
            if (case.category == self.category and case.t_discovered != case.t_discovered
                    and case.t_created <= until):
                yield case

    def on_day(self, model, day: int) -> None:
        cal = model.calendar
        if not cal.is_workday(day):
            return
        start = day * HOURS_PER_DAY + cal.start
        until = start + self.params.patrol_hours
        rng = self.rng
        for gi in rng.permutation(len(self.guards)):
            guard = self.guards[gi]
            p_see = self.params.find_prob / len(guard.beat)
            for grid in guard.beat:
                for case in list(self._sites(model, grid, until)):
                    if self.hidden_by.get(case.id, (None, None))[1] is guard or rng.random() >= p_see:
                        continue
                    self.counts["seen"] += 1
                    if self.decide(guard, case, model):
                        self.counts["colluded"] += 1
                        guard.hidden += 1
                        self.hidden_by.setdefault(case.id, (case, guard))
                        continue
                    self.counts["reported"] += 1
                    seen_at = max(case.t_created, start + rng.random() * self.params.patrol_hours)
                    model.lifecycle.patrol_found(case, seen_at, ("street_office", case.street))
        if day % self.params.sweep_every_days == 0:
            self._sweep(model, start, until)

    def _sweep(self, model, start: float, until: float) -> None:
        """A joint sweep (联合执法) over every grid, where the arrangement commands joint action."""
        rng, p = self.rng, self.params
        for grid in range(self.n_grids):
            for case in list(self._sites(model, grid, until)):
                if not self.joint_enforcement(case, model) or rng.random() >= p.sweep_find_prob:
                    continue
                self.counts["swept"] += 1
                self.swept.add(case.id)
                seen_at = max(case.t_created, start + rng.random() * (until - start))
                model.lifecycle.patrol_found(case, seen_at, ("street_office", case.street))

    def on_month(self, model, month: int) -> None:
        """Hidden sites that have come to light (a sweep, a report, an eruption) expose their guards."""
        p = self.params
        for cid, (case, guard) in list(self.hidden_by.items()):
            if case.t_discovered != case.t_discovered:
                continue  # still hidden
            del self.hidden_by[cid]
            if guard.caught:
                continue
            audit = p.audit_prob * (1.0 - p.shelter_cover) if self.sheltered[case.community] else p.audit_prob
            if cid in self.swept or self.rng.random() < audit:
                self.counts["caught"] += 1
                guard.caught = True
                self.guards[self.guards.index(guard)] = Guard(guard.beat, self._integrity())

    # ------------------------------------------------------------------ output
    def summary(self, model) -> dict[str, float]:
        return self.merge_summaries([self.summary_parts(model)])

    def summary_parts(self, model) -> dict:
        """The counted mining sites' days and the guards' tallies (read at the end, from the case
        records or, in a city run as districts, from the rows of the moved cases)."""
        first, end = model.warmup_days * HOURS_PER_DAY, model.day * HOURS_PER_DAY
        days, erupted = [], 0
        for case in model.cases:
            if case.category != self.category or case.t_created < first:
                continue
            stop = case.t_resolved if case.status == RESOLVED else end
            days.append((min(stop, end) - case.t_created) / HOURS_PER_DAY)
            erupted += bool(case.eruption)
        return {"days": days, "erupted": erupted, "guards": len(self.guards),
                "captured": sum(g.hidden > 0 for g in self.guards), **self.counts}

    @classmethod
    def merge_summaries(cls, parts: list[dict]) -> dict[str, float]:
        """Sites, eruptions, guards and their tallies added up over the districts; shares of the
        sums; the mean mining days over every counted site of the city."""
        days = [d for p in parts for d in p["days"]]
        seen, colluded, guards = (sum(p[k] for p in parts) for k in ("seen", "colluded", "guards"))
        return {
            "mining_sites": len(days),
            "mining_days_mean": float(np.mean(days)) if days else math.nan,
            "mining_eruptions": sum(p["erupted"] for p in parts),
            "guards": guards,
            "guard_sightings": seen,
            "guard_collusions": colluded,
            # of sightings (a guard reconsiders each time he sees a site still worked)
            "guard_collusion_share": colluded / seen if seen else math.nan,
            "guards_captured_share": sum(p["captured"] for p in parts) / guards if guards else math.nan,
            "guards_caught": sum(p["caught"] for p in parts),
            "mining_found_by_sweep": sum(p["swept"] for p in parts),
        }
