"""居民 — households who suffer problems, report them, rate the outcome and update trust."""

from __future__ import annotations

from bisect import bisect_right

import mesa
import numpy as np

from governance_sim.cases import CHANNELS


class ResidentPopulation:
    """Column store of every household's state, shared by the :class:`Resident` agents.

    Keeping state in arrays makes population-wide measures (mean trust each
    day) cheap while each household stays a Mesa agent with its own behaviour.
    """

    def __init__(self, spec, grid_of_household: np.ndarray, rng: np.random.Generator,
                 available_channels: list[str]):
        n = len(grid_of_household)
        self.spec = spec
        self.grid = grid_of_household
        self.trust = np.clip(rng.normal(spec.trust0, spec.trust_sd, n), 0.0, 1.0)
        self.patience = rng.exponential(spec.patience_h, n) + 1.0
        self.party_member = rng.random(n) < spec.party_member_share
        self.paired = np.zeros(n, dtype=bool)
        weights = np.array([spec.channels.get(c, 0.0) if c in available_channels else 0.0
                            for c in CHANNELS], dtype=float)
        if weights.sum() <= 0:
            weights = np.array([1.0 if c in available_channels else 0.0 for c in CHANNELS])
        self.channel_cdf = np.cumsum(weights / weights.sum()).tolist()
        self.channel_cdf_array = np.asarray(self.channel_cdf)  # the same, for many draws at once
        self.channel_cost = np.array([spec.channel_costs.get(c, 0.0) for c in CHANNELS], dtype=float)
        self.severity_value = np.asarray(spec.severity_value, dtype=float)
        self.reports = np.zeros(n, dtype=np.int32)
        # household groups (governance_sim.groups): group per household, and per group the
        # channel CDF and costs; None when every household is alike
        self.group: np.ndarray | None = None
        self.group_names: list[str] = []
        self.group_cdf: np.ndarray | None = None
        self.group_cost: np.ndarray | None = None


class Resident(mesa.Agent):
    """居民 — one household (by default).  State lives in :class:`ResidentPopulation`."""

    role = "resident"
    __slots__ = ("hid",)

    def __init__(self, model, hid: int):
        super().__init__(model)
        self.hid = hid

    @classmethod
    def create_households(cls, model, n: int):
        """Households ``0 … n−1`` of ``model`` as ``model.agents_by_type[cls]``: a
        :class:`~governance_sim.agents.households.HouseholdSet` that makes each agent when
        it is asked for (a household's state is in the columns of ``model.population``)."""
        from governance_sim.agents.households import HouseholdRegistry, HouseholdSet

        households = HouseholdSet(HouseholdRegistry(model, cls, n))
        model._agents_by_type[cls] = households
        return households

    def remove(self) -> None:
        """Take this household out of the model (out of ``model.agents_by_type[Resident]``)."""
        households = self.model.agents_by_type.get(type(self))
        if households is not None and self in households:
            households.remove(self)

    def __eq__(self, other) -> bool:
        return (isinstance(other, Resident) and other.model is self.model and other.hid == self.hid)

    def __hash__(self) -> int:
        return hash((id(self.model), self.hid))

    # state views --------------------------------------------------------------
    @property
    def trust(self) -> float:
        return float(self.model.population.trust[self.hid])

    @property
    def grid(self) -> int:
        return int(self.model.population.grid[self.hid])

    # behaviour ----------------------------------------------------------------
    @staticmethod
    def report_probability(pop: ResidentPopulation, hid: int, severity: int,
                           channel: str = "community") -> float:
        """P(report) of one problem: worth × trust against the channel's cost (MODEL.md §8)."""
        k = CHANNELS.index(channel)
        return float(report_probabilities(pop, np.array([hid]), np.array([severity]), np.array([k]))[0])

    @staticmethod
    def choose_channel(pop: ResidentPopulation, u: float, hid: int | None = None) -> str:
        """Pick a channel by the scenario's weights (``u`` uniform in [0, 1)), or by the weights
        of household ``hid``'s group when households differ."""
        if pop.group_cdf is not None and hid is not None:
            cdf = pop.group_cdf[pop.group[hid]]
            return CHANNELS[min(int(np.searchsorted(cdf, u, side="right")), len(CHANNELS) - 1)]
        return CHANNELS[min(bisect_right(pop.channel_cdf, u), len(CHANNELS) - 1)]

    @staticmethod
    def rate(pop: ResidentPopulation, hid: int, case, response_fast_h: float,
             now: float | None = None) -> float:
        """A rating in [0, 1]: really resolved, time against patience, first-contact speed,
        and how often the case was passed around (assumption: weights below).  A request
        still open is rated at ``now`` as unresolved."""
        resolved = case.status == "resolved"
        end = case.t_closed if now is None else now
        waited = end - case.t_reported
        patience = float(pop.patience[hid])  # Python floats from here: the same values, faster
        timeliness = max(0.0, 1.0 - waited / (2.0 * patience))
        responded = case.t_first_response - case.t_reported
        fast = 1.0 if responded == responded and responded <= response_fast_h else 0.0
        passes = max(0, case.n_handoffs - 2)
        score = 0.1 + 0.5 * resolved + 0.25 * timeliness + 0.15 * fast - 0.05 * passes
        return min(max(score, 0.0), 1.0)

    @staticmethod
    def update_trust(pop: ResidentPopulation, hid: int, rating: float) -> None:
        trust = float(pop.trust[hid])
        pop.trust[hid] = trust + pop.spec.trust_lr * (rating - trust)


def report_probabilities(pop: ResidentPopulation, hids: np.ndarray, severities: np.ndarray,
                         channels: np.ndarray) -> np.ndarray:
    """P(report) for many problems at once (the decision of induced demand, MODEL.md §8).

    A household reports when the problem's worth to it (``severity_value``), weighed by its
    trust that reporting gets a response, beats the cost of its channel (``channel_costs``);
    households differ in their own costs (logistic, scale ``report_noise``)::

        P = 1 / (1 + exp(−(trust · value[severity] − cost[channel]) / report_noise))

    Below that the problem is tolerated.  ``channels`` are indices into ``CHANNELS``.
    """
    cost = pop.channel_cost[channels] if pop.group_cost is None else pop.group_cost[pop.group[hids], channels]
    x = pop.trust[hids] * pop.severity_value[severities - 1]
    # in place, and ``−gain / noise`` as ``gain / −noise`` (the same doubles): a day's problems of
    # one category are a handful, so each numpy call and new array costs more than its work
    x -= cost
    x /= -pop.spec.report_noise
    np.exp(x, out=x)
    x += 1.0
    return np.divide(1.0, x, out=x)


def channel_indices(pop: ResidentPopulation, u: np.ndarray, hids: np.ndarray | None = None) -> np.ndarray:
    """Channels (indices into ``CHANNELS``) by the scenario's weights, for uniforms ``u``
    (by the weights of the households' groups, given ``hids``, when households differ)."""
    if pop.group_cdf is not None and hids is not None:
        k = (pop.group_cdf[pop.group[hids]] <= np.asarray(u)[:, None]).sum(axis=1)
        return np.minimum(k, len(CHANNELS) - 1)
    k = pop.channel_cdf_array.searchsorted(u, side="right")
    return np.minimum(k, len(CHANNELS) - 1)
