"""Households as Mesa agents made on demand (``HouseholdSet``): the AgentSet API, ids,
identity, removal, and the memory they no longer take."""

from __future__ import annotations

import gc
import tracemalloc

import mesa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_sim import GovernanceModel
from governance_sim.agents import Department, Resident
from governance_sim.agents.households import HouseholdSet


class Other(mesa.Agent):
    """An agent type registered before and after the households."""


def _model(n: int = 6):
    model = mesa.Model(rng=1)
    Other(model)
    households = Resident.create_households(model, n)
    Other(model)
    return model, households


def test_households_are_the_agents_eager_registration_gave():
    model, households = _model(6)
    assert model.agents_by_type[Resident] is households and isinstance(households, HouseholdSet)
    assert [a.unique_id for a in households] == [2, 3, 4, 5, 6, 7]  # the block after the first Other
    assert sorted(a.unique_id for a in model.agents_by_type[Other]) == [1, 8]  # later ids unchanged
    assert [a.hid for a in households] == list(range(6)) and len(households) == 6
    first = households[0]
    assert first.model is model and isinstance(first, mesa.Agent) and first.pos is None
    assert households[0] is first  # the same object while anyone holds it
    del first
    gc.collect()
    assert households[0] == households[0] and households[0] in households
    assert Other(model) not in households


def test_the_agentset_api_works_on_households():
    model, households = _model(10)
    even = households.select(lambda a: a.hid % 2 == 0)
    assert [a.hid for a in even] == [0, 2, 4, 6, 8] and len(households) == 10
    assert len(households.select(at_most=3)) == 3 and len(households.select(at_most=0.5)) == 5
    assert len(households.select(agent_type=Department)) == 0
    assert sorted(a.hid for a in households.shuffle()) == list(range(10))
    assert [a.hid for a in households.sort(lambda a: a.hid, ascending=False)][:2] == [9, 8]
    assert households.map(lambda a: a.hid * 2)[:3] == [0, 2, 4]
    assert households.get("hid")[-1] == 9 and households.get(["hid", "unique_id"])[0] == [0, 2]
    assert households.get("nope", handle_missing="default", default_value=-1)[0] == -1
    assert households.agg("hid", max) == 9 and households.agg("hid", [min, sum]) == [0, 45]
    seen = []
    households.do(lambda a: seen.append(a.hid))
    households.shuffle_do(lambda a: seen.append(a.hid))
    assert sorted(seen) == sorted(list(range(10)) * 2)
    groups = households.groupby(lambda a: a.hid % 3)
    assert groups.count() == {0: 4, 1: 3, 2: 3}
    assert [a.hid for a in households[2:4]] == [2, 3]
    households.set("flag", "x")  # kept: an attribute set on every household stays
    gc.collect()
    assert all(a.flag == "x" for a in households)


def test_removing_a_household():
    model, households = _model(5)
    households[1].remove()
    assert [a.hid for a in households] == [0, 2, 3, 4] and len(households) == 4
    gone = Resident.__new__(Resident)
    gone.model, gone.hid = model, 1
    assert gone not in households
    with pytest.raises(KeyError):
        households.remove(gone)
    subset = households.select(lambda a: a.hid > 2)
    subset.remove(households[2])  # hid 3, from a derived set only: the household stays in the model
    assert [a.hid for a in subset] == [4] and len(households) == 4
    households.add(gone)
    assert len(households) == 5
    with pytest.raises(TypeError):
        households.add(Other(model))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.lists(st.integers(0, 59), max_size=20), st.integers(0, 2**31))
def test_a_derived_set_never_holds_a_removed_household(n, removals, seed):
    model, households = _model(n)
    subset = households.shuffle()
    for hid in removals:
        if hid < n and households.select(lambda a, h=hid: a.hid == h):
            households[[a.hid for a in households].index(hid)].remove()
    alive = {a.hid for a in households}
    assert {a.hid for a in subset} == alive and len(subset) == len(alive) == len(households)


def test_a_district_of_households_takes_a_few_bytes_each(tiny):
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    m = GovernanceModel(tiny)
    households = m.agents_by_type[Resident]
    size = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(households) == m.n_households
    # the whole model, units and columns included, under 200 bytes a household (was ~600)
    assert size / m.n_households < 200
    trust = np.array([a.trust for a in households])
    assert np.array_equal(trust, m.population.trust)
