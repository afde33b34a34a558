"""The territory builder (MODEL.md §2)."""

from __future__ import annotations

from governance_sim import load_scenario
from governance_sim.territory import build_territory


def test_levels_counts_and_sizes(tiny):
    tiny["territory"].update(streets=2, communities_per_street=5, zones_per_street=2)
    t = build_territory(load_scenario(tiny))
    assert len(t.streets) == 2 and len(t.communities) == 10
    assert t.population == 8000
    assert abs(t.households - 8000 / 2.62) <= 10
    for g in t.grids:
        assert 200 <= g.households <= 600
    assert len(t.zones) == 4
    assert all(t.is_contiguous(z) for z in t.zones)
    assert all(t.is_contiguous(t.communities_of_street(s)) for s in range(2))


def test_lanes_group_grids_of_one_street(tiny):
    t = build_territory(load_scenario(tiny))
    assert t.lanes and all(len(lane) <= 2 for lane in t.lanes)
    assert sorted(g for lane in t.lanes for g in lane) == list(range(len(t.grids)))


def test_graph_has_the_edge_kinds_of_the_model(tiny):
    tiny["territory"]["zones_per_street"] = 2
    g = build_territory(load_scenario(tiny)).graph
    kinds = {d["kind"] for _, _, d in g.edges(data=True)}
    assert kinds == {"parent", "adjacent", "member_of", "jurisdiction"}
    nodes = {d["kind"] for _, d in g.nodes(data=True)}
    assert {"district", "street", "community", "grid", "zone", "lane", "department", "category"} <= nodes
    # the 权责清单: construction is owned by both urban and housing
    assert g.has_edge("department:urban", "category:construction")
    assert g.has_edge("department:housing", "category:construction")


def test_explicit_streets_and_communities(tiny):
    tiny["territory"]["streets"] = [
        {"name": "东街", "communities": [{"name": "甲", "population": 3000}, {"name": "乙", "population": 2000}]},
        {"name": "西街", "communities": 3, "population": 3000},
    ]
    t = build_territory(load_scenario(tiny))
    assert t.streets == ["东街", "西街"]
    assert [c.name for c in t.communities][:2] == ["甲", "乙"]
    assert t.population == 8000
