"""下沉人员 — department staff sent down to work at the street (派驻)."""

from __future__ import annotations

from governance_sim.agents.base import UnitAgent


class SecondedStaff(UnitAgent):
    """Staff of one department stationed at the street.

    They act for their department (``department_index``) and keep its
    priorities, but enforcement power stays at home unless the arrangement
    grants it, and they are appraised by the home department, not the street.
    """

    role = "seconded_staff"

    def __init__(self, model, department, staff: int):
        super().__init__(model, f"{department.label}·下沉", staff,
                         {"paperwork": model.scenario.roles.department.paperwork_h})
        self.index = department.index
        self.home = department

    @property
    def department_index(self) -> int:
        return self.home.index
