"""``formalism`` — 形式主义: ledgers, forms and inspections taken out of working time (MODEL.md §5).

Each field adds hours per staff member per workday of 留痕 (ledgers, photos,
forms) and 检查评比 (inspections, appraisals, meetings about them) to a role's
``paperwork_h``.  Routine duties are taken at the start of each workday
before any case work (see :class:`Workforce`), so every added hour comes out
of the time left for residents' problems.  Sources: seed 000 (「检查评比多、
会议台账多、不合理证明多」), seed 002 (「数字化治理带来工作留痕现象突显,各种报表、资料、
文件层出不穷」).  The hours themselves are assumptions (none in the seeds).
"""

from __future__ import annotations

from pydantic import Field

from governance_sim.overlays.base import Overlay, OverlayParams
from governance_sim.registry import register_overlay

ROLES = ("grid_worker", "community_office", "street_office", "department", "district_center")


def _hours(role: str) -> float:
    return Field(default=0.0, ge=0, le=8,
                 description=f"extra hours a day of ledgers, forms and inspections per {role} staff member")


class FormalismParams(OverlayParams):
    """Hours per staff member per workday added to each role's paperwork."""

    grid_worker: float = _hours("网格员")
    community_office: float = _hours("居委会/村委会")
    street_office: float = _hours("街道办/乡镇")
    department: float = _hours("职能部门")
    district_center: float = _hours("区指挥中心")


@register_overlay
class Formalism(Overlay):
    """留痕, 检查评比 — paperwork hours per role."""

    name = "formalism"
    label = "形式主义 (留痕, 检查评比)"
    Params = FormalismParams

    def adjust_scenario(self, scenario):
        changes = {}
        for role in ROLES:
            extra = getattr(self.params, role)
            if extra:
                spec = getattr(scenario.roles, role)
                changes[f"roles.{role}.paperwork_h"] = spec.paperwork_h + extra
        return scenario.with_overrides(changes) if changes else scenario

    def summary(self, model) -> dict[str, float]:
        return {f"formalism_h_{role}": float(getattr(self.params, role)) for role in ROLES}

    @classmethod
    def merge_summaries(cls, parts: list[dict]) -> dict[str, float]:
        return dict(parts[0])  # the parameters, the same in every district
