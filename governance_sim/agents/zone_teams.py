"""片区工作组 — a 片 team of 片线结合 (seed 000, 溪镇: 27 cadres in 片区).

Area generalists for one zone (片区) of neighbouring villages: every routine,
place-based task arising there, whatever office would own it under 三定.
"""

from __future__ import annotations

from governance_sim.agents.township_staff import TownshipUnit


class ZoneTeam(TownshipUnit):
    """片区工作组 — serves all area tasks of the villages in ``communities``."""

    role = "zone_team"

    def __init__(self, model, index: int, name: str, members, village_share: float,
                 skill_effect: float, routine_h: dict[str, float], communities: list[int]):
        super().__init__(model, index, name, members, village_share, skill_effect, routine_h)
        self.communities = list(communities)
