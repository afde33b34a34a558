"""Households as Mesa agents that cost nothing until they are looked at.

A city has millions of households.  Each :class:`~governance_sim.agents.residents.Resident`
keeps its state in the columns of
:class:`~governance_sim.agents.residents.ResidentPopulation` (trust, patience, grid …),
so the agent object itself holds nothing but its household number.  Registering one
Mesa agent per household nonetheless cost about 420 bytes each (the object, its
``__dict__``, weak references in two agent sets) — 3.5 GB for Beijing.

:class:`HouseholdSet` is ``model.agents_by_type[Resident]``: an
:class:`mesa.agent.AgentSet` over household numbers that makes a household's agent
when it is asked for — by iteration, indexing, ``select``, ``do``, ``map``, ``get``,
``agg``, ``groupby`` — and forgets it when nobody holds it any more.  The agents
behave as registered ones:

* ``unique_id`` is the one eager registration gave (a contiguous block, taken from
  Mesa's counter when the households were made, so later agents' ids do not change);
* the same household gives the same object while anyone holds it, and two agents
  of one household compare equal in any case;
* ``agent.remove()`` removes the household from the set;
* an attribute given with :meth:`HouseholdSet.set` stays (its agents are kept).

``model.agents`` holds the organisational units; households are reached through
``model.agents_by_type[Resident]`` (or ``model.residents``, the same set).
"""

from __future__ import annotations

import itertools
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import mesa
import numpy as np
from mesa.agent import AgentSet, GroupBy


class HouseholdRegistry:
    """Which households exist, their agents' ids, and the agents made so far."""

    def __init__(self, model, cls, n: int):
        self.model = model
        self.cls = cls
        self.n = n
        ids = mesa.Agent._ids[model]
        self.first_id = next(ids)
        # the block first_id … first_id + n − 1 is the households'; later agents count on after it
        mesa.Agent._ids[model] = itertools.count(self.first_id + n)
        self.alive = np.ones(n, dtype=bool)
        self.n_alive = n
        self._made: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
        self._kept: dict[int, Any] = {}  # agents given attributes with set(): kept for good

    def agent(self, hid: int):
        hid = int(hid)
        agent = self._made.get(hid)
        if agent is None:
            agent = self.cls.__new__(self.cls)
            agent.model = self.model
            agent.unique_id = self.first_id + hid
            agent.pos = None
            agent.hid = hid
            self._made[hid] = agent
        return agent

    def keep(self, agent) -> None:
        self._kept[agent.hid] = agent

    def holds(self, agent) -> bool:
        return (isinstance(agent, self.cls) and getattr(agent, "model", None) is self.model
                and 0 <= agent.hid < self.n and bool(self.alive[agent.hid]))

    def remove(self, agent) -> None:
        if not self.holds(agent):
            raise KeyError(agent)
        self.alive[agent.hid] = False
        self.n_alive -= 1
        self._kept.pop(agent.hid, None)

    def restore(self, agent) -> None:
        if isinstance(agent, self.cls) and agent.model is self.model and not self.alive[agent.hid]:
            self.alive[agent.hid] = True
            self.n_alive += 1


class HouseholdSet(AgentSet):
    """An :class:`~mesa.agent.AgentSet` of households, each agent made when asked for.

    ``hids`` is ``None`` for the model's own set (every household still in the model) or
    an array of household numbers for a set derived from it (``select``, ``shuffle`` …).
    """

    def __init__(self, registry: HouseholdRegistry, hids: np.ndarray | None = None, random=None):
        self._registry = registry
        self._hids = None if hids is None else np.asarray(hids, dtype=np.int64)
        self.random = random if random is not None else registry.model.random
        self._agents = weakref.WeakKeyDictionary()  # unused: the households are the hids

    # ---------------------------------------------------------------- what it holds
    def _live_hids(self) -> np.ndarray:
        alive = self._registry.alive
        if self._hids is None:
            return np.flatnonzero(alive)
        return self._hids[alive[self._hids]]

    def _derived(self, hids) -> HouseholdSet:
        return HouseholdSet(self._registry, np.asarray(hids, dtype=np.int64), self.random)

    def __len__(self) -> int:
        if self._hids is None:
            return self._registry.n_alive
        return int(self._registry.alive[self._hids].sum())

    def __iter__(self) -> Iterator:
        agent = self._registry.agent
        for hid in self._live_hids().tolist():
            yield agent(hid)

    def __contains__(self, agent) -> bool:
        if not self._registry.holds(agent):
            return False
        return self._hids is None or bool((self._hids == agent.hid).any())

    def __getitem__(self, item: int | slice):
        hids = self._live_hids()[item]
        if isinstance(item, slice):
            return [self._registry.agent(h) for h in hids.tolist()]
        return self._registry.agent(hids)

    # ---------------------------------------------------------------- derived sets
    def select(self, filter_func: Callable | None = None, at_most: int | float = float("inf"),
               inplace: bool = False, agent_type: type | None = None) -> HouseholdSet:
        if agent_type is not None and not issubclass(self._registry.cls, agent_type):
            chosen = []
        else:
            # as Mesa's: a float at most 1 is a share of the set, anything else a count
            limit = int(len(self) * at_most) if isinstance(at_most, float) and at_most <= 1.0 else at_most
            chosen = []
            for agent in self:
                if len(chosen) >= limit:
                    break
                if filter_func is None or filter_func(agent):
                    chosen.append(agent.hid)
        return self._replace(chosen, inplace)

    def shuffle(self, inplace: bool = False) -> HouseholdSet:
        hids = self._live_hids().tolist()
        self.random.shuffle(hids)
        return self._replace(hids, inplace)

    def sort(self, key: Callable | str, ascending: bool = False, inplace: bool = False) -> HouseholdSet:
        if isinstance(key, str):
            attr = key

            def key(agent):
                return getattr(agent, attr)
        ordered = sorted(self, key=key, reverse=not ascending)
        return self._replace([a.hid for a in ordered], inplace)

    def _replace(self, hids, inplace: bool) -> HouseholdSet:
        if inplace:
            self._hids = np.asarray(hids, dtype=np.int64)
            return self
        return self._derived(hids)

    # ---------------------------------------------------------------- acting on every household
    def do(self, method: str | Callable, *args, **kwargs) -> HouseholdSet:
        for agent in self:
            if isinstance(method, str):
                getattr(agent, method)(*args, **kwargs)
            else:
                method(agent, *args, **kwargs)
        return self

    def shuffle_do(self, method: str | Callable, *args, **kwargs) -> HouseholdSet:
        self.shuffle().do(method, *args, **kwargs)
        return self

    def map(self, method: str | Callable, *args, **kwargs) -> list[Any]:
        if isinstance(method, str):
            return [getattr(agent, method)(*args, **kwargs) for agent in self]
        return [method(agent, *args, **kwargs) for agent in self]

    def get(self, attr_names, handle_missing: str = "error", default_value: Any = None):
        if handle_missing not in ("error", "default"):
            raise ValueError("handle_missing should be either 'error' or 'default'")

        def one(agent, name):
            if handle_missing == "default":
                return getattr(agent, name, default_value)
            return getattr(agent, name)

        if isinstance(attr_names, str):
            return [one(agent, attr_names) for agent in self]
        return [[one(agent, name) for name in attr_names] for agent in self]

    def set(self, attr_name: str, value: Any) -> HouseholdSet:
        for agent in self:
            setattr(agent, attr_name, value)
            self._registry.keep(agent)
        return self

    def groupby(self, by: Callable | str, result_type: str = "agentset") -> GroupBy:
        groups: dict[Any, list] = defaultdict(list)
        for agent in self:
            groups[by(agent) if callable(by) else getattr(agent, by)].append(agent)
        if result_type == "agentset":
            return GroupBy({k: self._derived([a.hid for a in v]) for k, v in groups.items()})
        return GroupBy(groups)

    # ---------------------------------------------------------------- membership
    def add(self, agent) -> None:
        if not isinstance(agent, self._registry.cls) or agent.model is not self._registry.model:
            raise TypeError("a set of households takes only this model's Resident agents")
        if self._hids is None:
            self._registry.restore(agent)
        elif agent not in self:
            self._registry.restore(agent)
            self._hids = np.append(self._hids, agent.hid)

    def discard(self, agent) -> None:
        if agent in self:
            self.remove(agent)

    def remove(self, agent) -> None:
        if agent not in self:
            raise KeyError(agent)
        if self._hids is None:
            self._registry.remove(agent)
        else:
            self._hids = self._hids[self._hids != agent.hid]

    def __getstate__(self):
        return {"registry": self._registry, "hids": self._hids, "random": self.random}

    def __setstate__(self, state):
        self._registry = state["registry"]
        self._hids = state["hids"]
        self.random = state["random"]
        self._agents = weakref.WeakKeyDictionary()
