"""乡镇内设机构 — a township's fixed office (三定), or a temporary task force (临时专班).

Seed 000 (褚明浩 2022): the 三定方案 fixes offices, posts and staff; each office
serves the business it was set up for, and work that no office was set up
for is done by 「临时抽调部分人员」 — cadres lent by other offices to a
temporary task force.  Lent cadres work below their usual speed
(``switching_cost``: new work, new colleagues, the old office still calling).
"""

from __future__ import annotations

from governance_sim.agents.township_staff import TownshipUnit


class TownshipOffice(TownshipUnit):
    """乡镇办公室/站所 — serves only the categories it owns; a task force when ``temporary``."""

    role = "township_office"

    def __init__(self, model, index: int, name: str, members, village_share: float,
                 skill_effect: float, routine_h: dict[str, float], label: str = "",
                 temporary: bool = False, switching_cost: float = 0.0, category: int = -1):
        super().__init__(model, index, name, members, village_share, skill_effect, routine_h, label)
        self.temporary = temporary
        self.switching_cost = switching_cost if temporary else 0.0
        self.category = category  # the new task type a task force was formed for
        self.requested = 0  # cadres asked for and not yet arrived
        self.disbanded = False

    @property
    def efficiency(self) -> float:
        return super().efficiency * (1.0 - self.switching_cost)
