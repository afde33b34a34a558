"""Mesa agents, one role per module."""

from governance_sim.agents.departments import Department
from governance_sim.agents.grid_workers import GridWorker
from governance_sim.agents.offices import CommunityOffice, DistrictCenter, StreetOffice
from governance_sim.agents.party_branches import PartyBranch
from governance_sim.agents.residents import Resident, ResidentPopulation
from governance_sim.agents.street_chiefs import StreetChief

__all__ = [
    "CommunityOffice", "Department", "DistrictCenter", "GridWorker", "PartyBranch",
    "Resident", "ResidentPopulation", "StreetChief", "StreetOffice",
]
