"""Helpers for mechanism tests: a quiet model with no random problems, and case injection."""

from __future__ import annotations

import copy

from governance_sim import GovernanceModel


def quiet_model(tiny: dict, **overrides) -> GovernanceModel:
    """The tiny scenario with every category rate and all line work at zero."""
    sc = copy.deepcopy(tiny)
    for cat in sc["categories"].values():
        cat["rate"] = 0
    for dept in sc["territory"]["departments"]:
        dept["vertical_tasks_per_day"] = 0
    return GovernanceModel(sc, overrides=overrides or None)


def inject(model: GovernanceModel, category: str, *, t: float = 10.0, severity: int = 1,
           household: int = 0, channel: str | None = "community", reported: bool = True):
    """Create one problem at time ``t``; report it through ``channel`` at once if ``reported``."""
    cat = next(c for c in model.categories if c.name == category)
    case = model.lifecycle.emerge_case(cat, household, t, severity, report=False)
    if reported:
        model.events.schedule(t, model.lifecycle.resident_report, case, channel)
    return case


def run_days(model: GovernanceModel, days: int) -> None:
    for _ in range(days):
        model.step()
