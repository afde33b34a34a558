"""How a city is cut into districts: one scenario per district, its seed, its worker.

Each district's scenario is the city's with ``territory.select`` set to the district,
its own departments as the one-model city gives them (``city.reference_population``),
and its **share of what the city holds once** — the municipal departments' staff and
line work, the municipal 12345 seats and the mine-guard team (``mine_guards.guards``, which
patrols every grid of the one-model city) — in proportion to its population (rounded,
at least 1).  Its seed comes from the run's seed and the district's place in the file
(:func:`district_seed`), never from the worker it lands on.  A reform timetable
(``schedule:``) reaches each district with the entries for its own streets
(:meth:`PartitionPlan.schedule_of`): each district switches its streets on their day,
and the panel's ``treated`` and ``cohort`` follow the city's timetable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from governance_sim.city import CITY_ARRANGEMENTS, district_department_defs
from governance_sim.scenario import Scenario, validate_scenario
from governance_sim.schedule import changes_of, street_indices

# overlays whose summary columns have a merge rule for a city run as districts
# (Overlay.merge_summaries, merge.py) and that look no case up by id while running (spill.py)
PARTITION_OVERLAYS = ("municipal_hotline", "formalism", "grid", "three_governance", "party_building",
                      "dispute_ladder", "community_invitation", "mine_guards")


def check_partition(sc) -> tuple[str, str] | None:
    """``(field, message)`` if ``city.partition: districts`` cannot run this city, else ``None``."""
    for name in sc.overlays:
        if name not in PARTITION_OVERLAYS:
            return (f"overlays.{name}", f"has no rule to merge its districts' results; with "
                                        f"city.partition: districts the allowed overlays are "
                                        f"{list(PARTITION_OVERLAYS)} (or set city.partition: none)")
    if sc.arrangement.name not in CITY_ARRANGEMENTS:
        return ("arrangement.name", f"allowed at city level: {list(CITY_ARRANGEMENTS)}")
    return None


def district_seed(seed: int, district: int) -> int:
    """The seed of district ``district`` (its index in the territory file) in a run seeded ``seed``:
    a :class:`numpy.random.SeedSequence` child keyed by the district, below 2**63."""
    words = np.random.SeedSequence(seed, spawn_key=(district,)).generate_state(2, np.uint32)
    return (int(words[0]) << 31) ^ int(words[1])


def _share(total: float, share: float) -> int:
    return max(1, round(total * share))


@dataclass
class Layout:
    """Where each district's places sit in the city's flat layout (street, community, grid and
    household indices of district ``k`` start at ``street[k]`` …)."""

    street: list[int] = field(default_factory=list)
    community: list[int] = field(default_factory=list)
    grid: list[int] = field(default_factory=list)
    household: list[int] = field(default_factory=list)


class PartitionPlan:
    """The districts of a city scenario as separate scenarios, with their place in the city."""

    def __init__(self, sc: Scenario):
        from governance_sim.territory import build_territory

        self.scenario = sc
        self.territory = t = build_territory(sc)
        n = len(t.districts)
        self.population = [0] * n
        self.layout = Layout([0] * n, [0] * n, [0] * n, [0] * n)
        counts = [[0, 0, 0, 0] for _ in range(n)]  # streets, communities, grids, households
        for k in t.district_of_street:
            counts[k][0] += 1
        for c in t.communities:
            k = t.district_of_street[c.street]
            self.population[k] += c.population
            counts[k][1] += 1
            counts[k][2] += len(c.grids)
            counts[k][3] += c.households
        at = [0, 0, 0, 0]
        for k in range(n):
            self.layout.street[k], self.layout.community[k], self.layout.grid[k], self.layout.household[k] = at
            at = [a + b for a, b in zip(at, counts[k], strict=True)]
        self.n_districts = n

    def scenario_of(self, k: int) -> Scenario:
        """District ``k`` as a scenario of its own (see the module docstring)."""
        sc, t = self.scenario, self.territory
        share = self.population[k] / sum(self.population)
        municipal = [d.model_copy(update={"staff": _share(d.staff, share),
                                          "vertical_tasks_per_day": d.vertical_tasks_per_day * share})
                     for d in sc.city.departments]
        raw = sc.model_dump(mode="json")
        raw["name"] = f"{sc.name}·{t.district_ids[k]}"
        raw["seed"] = district_seed(sc.seed, k)
        raw["city"] = None
        raw["variants"] = {}
        raw["territory"]["select"] = t.district_ids[k]
        raw["territory"]["departments"] = [d.model_dump(mode="json") for d in
                                           [*district_department_defs(sc, self.population[k]), *municipal]]
        hotline = raw["overlays"].get("municipal_hotline")
        if hotline is not None:
            hotline["seats"] = _share(sc.overlays["municipal_hotline"].seats, share)
        guards = raw["overlays"].get("mine_guards")
        if guards is not None and guards["guards"] > 0:  # one team over the city's grids, shared out
            guards["guards"] = _share(guards["guards"], share)
        raw["schedule"] = self.schedule_of(k)
        return validate_scenario(raw)

    def schedule_of(self, k: int) -> list[dict]:
        """The city's reform timetable as district ``k``'s: each entry with the district's own
        streets (an entry naming none of them is left out; one naming no streets stays
        city-wide) and its variant written out as overrides (a district has no variants)."""
        sc, t = self.scenario, self.territory
        names, ids = list(t.streets), list(t.street_ids)
        out = []
        for i, entry in enumerate(sc.schedule):
            streets = None
            if entry.streets is not None:
                own = [s for s in street_indices(entry.streets, names, ids, f"schedule.{i}.streets")
                       if t.district_of_street[s] == k]
                if not own:
                    continue
                streets = [ids[s] if ids else names[s] for s in own]
            out.append({"day": entry.day, "streets": streets,
                        "overrides": changes_of(entry, sc, f"schedule.{i}")})
        return out

    def n_district_departments(self) -> int:
        return len(self.scenario.territory.departments)

    def assign(self, workers: int) -> list[list[int]]:
        """Districts per worker, balanced by population (largest first to the least loaded worker);
        results do not depend on it, only the time does."""
        workers = max(1, min(workers, self.n_districts))
        load = [0] * workers
        out: list[list[int]] = [[] for _ in range(workers)]
        for k in sorted(range(self.n_districts), key=lambda k: (-self.population[k], k)):
            w = min(range(workers), key=lambda w: (load[w], w))
            out[w].append(k)
            load[w] += self.population[k]
        return [sorted(ks) for ks in out]
