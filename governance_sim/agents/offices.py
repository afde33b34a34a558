"""Offices of the 块: 居委会/村委会, 街道办/乡镇政府, and the 区指挥中心 / 12345 centre."""

from __future__ import annotations

from governance_sim.agents.base import UnitAgent


def _routine(spec) -> dict[str, float]:
    return {"paperwork": spec.paperwork_h, "admin": spec.admin_load_h}


def _appraised(unit, spec) -> None:
    """An office answers for eruptions (一票否决), learns how long departments take, and is
    appraised on its ledgers (检查评比) and, where they have a say, by residents: the weights of
    its scorecard (:class:`governance_sim.appraisal.Appraisal` builds it)."""
    unit.veto_weight = spec.veto_weight
    unit.fix_time_learning = spec.fix_time_learning
    unit.vetoes = 0
    unit.ledger_demand_h = spec.paperwork_h
    unit.inspection_weight = spec.inspection_weight
    unit.resident_rating_weight = spec.resident_rating_weight
    unit.scorecard = None


class CommunityOffice(UnitAgent):
    """居委会/村委会 — takes reports, settles what it may, passes the rest to the street."""

    role = "community_office"

    def __init__(self, model, index: int, name: str, street: int, spec, staff: int | None = None):
        super().__init__(model, name, spec.staff if staff is None else staff, _routine(spec))
        self.index = index
        self.street = street
        self.intake_delay_h = spec.intake_delay_h
        self.effort_factor = spec.effort_factor
        _appraised(self, spec)


class StreetOffice(UnitAgent):
    """街道办/乡镇政府 — coordinates, settles what it may, refers the rest to departments."""

    role = "street_office"

    def __init__(self, model, index: int, name: str, spec, staff: int | None = None):
        super().__init__(model, name, spec.staff if staff is None else staff, _routine(spec))
        self.index = index
        self.intake_delay_h = spec.intake_delay_h
        self.effort_factor = spec.effort_factor
        _appraised(self, spec)
        self.whistles = 0
        self.coverups = 0


class DistrictCenter(UnitAgent):
    """区指挥中心 / 12345 hotline — district-level intake and dispatch."""

    role = "district_center"

    def __init__(self, model, spec, staff: int | None = None):
        super().__init__(model, "区指挥中心", spec.staff if staff is None else staff, _routine(spec))
        self.index = 0
        self.intake_delay_h = spec.intake_delay_h
        self.effort_factor = spec.effort_factor
        _appraised(self, spec)
