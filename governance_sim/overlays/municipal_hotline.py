"""``municipal_hotline`` — the municipal 12345 centre above the districts (市民热线, 接诉即办).

The same hotline as :mod:`governance_sim.overlays.hotline` — calls and
consultations taken on seats, work orders with response and resolution
deadlines, audits, the monthly 三率 appraisal, ranking and pressure — with the
seats at one **municipal centre** (市12345热线服务中心) instead of a 区指挥中心:

* every call of every district reaches the municipal centre's seats;
* a work order goes either to the responsible department — the district's own
  department where the problem is, or a municipal one (classic 12345 dispatch) —
  or straight to the street or township where it happened (``direct_dispatch``,
  直派街乡, Beijing's 接诉即办);
* the monthly appraisal ranks **every street of the city** on the 三率 together
  (the 接诉即办 monthly ranking of streets and townships), and each street's rank and
  score set its pressure exactly as the district hotline's do.

In a scenario of one district it is a hotline whose seats sit above the district
(the district centre keeps its own staff for other work).  It replaces the
district ``hotline`` overlay; the two cannot run together.

Sources: as the hotline overlay (seeds 000, 002); the seats are an assumption.
"""

from __future__ import annotations

from pydantic import Field

from governance_sim.agents.base import UnitAgent
from governance_sim.overlays.hotline import Hotline, HotlineParams
from governance_sim.registry import register_overlay
from governance_sim.scenario import ScenarioError


class MunicipalHotlineParams(HotlineParams):
    """Parameters of the municipal 12345 (as the district hotline's; ``seats`` are the city's)."""

    seats: int = Field(default=100, ge=1, le=100_000,
                       description="call-takers at the municipal 12345 centre (assumption)")


class MunicipalCenter(UnitAgent):
    """市12345热线服务中心 — the city's call seats: take calls and consultations, dispatch orders."""

    role = "municipal_center"

    def __init__(self, model, seats: int, spec):
        super().__init__(model, "市12345热线服务中心", seats, {})  # seats take calls, no ledgers
        self.index = 0
        self.intake_delay_h = spec.intake_delay_h  # as the district centre's (assumption)
        self.effort_factor = 1.0
        self.veto_weight = 0.0
        self.fix_time_learning = 0.0
        self.vetoes = 0


@register_overlay
class MunicipalHotline(Hotline):
    """12345 at city level: municipal seats, dispatch to departments or 直派街乡, city-wide ranking."""

    name = "municipal_hotline"
    label = "市级12345 接诉即办"
    Params = MunicipalHotlineParams
    centre_key = ("municipal_center", 0)

    def adjust_scenario(self, scenario):
        if "hotline" in scenario.overlays:
            raise ScenarioError("overlays.municipal_hotline",
                                "the district hotline (overlays.hotline) and the municipal one cannot run "
                                "together; keep one of the two")
        return scenario

    def setup(self, model) -> None:
        model.add_unit(MunicipalCenter(model, self.params.seats, model.scenario.roles.district_center))
        super().setup(model)

    def summary(self, model) -> dict[str, float]:
        out = super().summary(model)
        out["hotline_streets_ranked"] = self.n_units
        return out

    @classmethod
    def merge_summaries(cls, parts: list[dict]) -> dict[str, float]:
        """The districts' tallies summed (the 三率 of the sums), every street counted once."""
        out = super().merge_summaries(parts)
        out["hotline_streets_ranked"] = sum(p["n_units"] for p in parts)
        return out
