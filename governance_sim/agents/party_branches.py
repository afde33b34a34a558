"""党支部 — community party branches: volunteer mediation and member–household pairing."""

from __future__ import annotations

import mesa


class PartyBranch(mesa.Agent):
    """党支部 of one community.

    Members (在职党员双报到) give ``volunteer_hours_per_week`` of mediation to
    the community; when a mediation case arrives and hours remain this week,
    the branch mediates it and the community's staff are spared.  Paired
    households (党员连心) surface latent problems their member notices.
    """

    role = "party_branch"

    def __init__(self, model, community: int, members: int, spec):
        super().__init__(model)
        self.community = community
        self.members = members
        self.weekly_hours = spec.volunteer_hours_per_week
        self.hours_left = self.weekly_hours
        self.hours_used = 0.0
        self.mediated = 0
        self.meetings = 0

    def new_week(self) -> None:
        self.hours_left = self.weekly_hours

    def can_mediate(self, effort: float) -> bool:
        return self.hours_left >= effort

    def mediate(self, effort: float) -> None:
        self.hours_left -= effort
        self.hours_used += effort
        self.mediated += 1
