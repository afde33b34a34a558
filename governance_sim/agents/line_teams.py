"""重点工作线 — a 线 team of 片线结合 (seed 000, 溪镇: 47 cadres in 重点工作线).

A line carries central or campaign work across the whole township (seed 000:
「环境保护、乡村振兴和12345市长热线等相继成为乡镇的中心工作」).  The leader moves
line cadres between lines as backlogs change.
"""

from __future__ import annotations

from governance_sim.agents.township_staff import TownshipUnit


class LineTeam(TownshipUnit):
    """重点工作线 — serves the line tasks of ``categories`` anywhere in the township."""

    role = "line_team"

    def __init__(self, model, index: int, name: str, members, village_share: float,
                 skill_effect: float, routine_h: dict[str, float], categories: list[int],
                 label: str = ""):
        super().__init__(model, index, name, members, village_share, skill_effect, routine_h, label)
        self.categories = list(categories)
