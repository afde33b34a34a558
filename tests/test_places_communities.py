"""How many 社区/村 a street or township of a territory file is split into: the ``communities``
column (a street's own count, or a district's or the city's total shared among its streets)."""

from __future__ import annotations

import pytest
from conftest import SCENARIOS, TINY
from helpers import assert_cli_run_refused
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_sim import load_scenario
from governance_sim.places_data import PlaceDataError, load_places
from governance_sim.scenario import ScenarioError, territory_size
from governance_sim.territory import build_territory

HEADER = "id,name,level,parent,population,communities\n"
CITY = HEADER + (
    "C,市,city,,,30\n"
    "D1,甲区,district,C,12000,5\n"
    "D2,乙区,district,C,9000,\n"
    "S1,一街道,street,D1,,3\n"   # its own count
    "S2,二街道,street,D1,,\n"    # 甲区's 5 less S1's 3
    "S3,三镇,township,D2,,\n"    # the city's 30 less 甲区's 5, shared by S3..S5
    "S4,四街道,street,D2,,\n"
    "S5,五乡,township,D2,,\n"
)


def _scenario(tiny, tmp_path, text: str, **territory):
    path = tmp_path / "places.csv"
    path.write_text(text, encoding="utf-8")
    tiny["territory"].update(source=str(path), **territory)
    return tiny


def test_streets_take_their_own_count_then_a_share_of_their_district_then_of_the_city(tiny, tmp_path):
    sc = load_scenario(_scenario(tiny, tmp_path, CITY, communities_per_street=2))
    t = build_territory(sc)
    per_street = [len(t.communities_of_street(s)) for s in range(len(t.streets))]
    assert per_street == [3, 2, 9, 8, 8]  # 25 left by the city: 9 + 8 + 8, the first gets the remainder
    assert len(t.communities) == 30 == territory_size(sc.territory)[1]
    assert t.population == 21000  # people are split, never added
    names = [t.communities[c].name for c in t.communities_of_street(2)]
    assert names[0] == "三镇·村1" and t.communities[t.communities_of_street(3)[0]].name == "四街道·社区1"


def test_without_any_figure_communities_per_street_applies(tiny, tmp_path):
    text = HEADER + "D,区,district,,6000,\nS1,甲,street,D,,\nS2,乙,street,D,,4\n"
    t = build_territory(load_scenario(_scenario(tiny, tmp_path, text, communities_per_street=2)))
    assert [len(t.communities_of_street(s)) for s in range(2)] == [2, 4]


def test_a_street_listing_its_communities_counts_them(tiny, tmp_path):
    text = HEADER + ("D,区,district,,,4\nS1,甲,street,D,,2\nS2,乙,street,D,3000,\n"
                     "A,一社区,community,S1,1000,\nB,二社区,community,S1,1000,\n")
    t = build_territory(load_scenario(_scenario(tiny, tmp_path, text)))
    assert [len(t.communities_of_street(s)) for s in range(2)] == [2, 2]


# --------------------------------------------------------------------------- bad data

BAD = {
    "on a community": (HEADER + "S1,甲,street,,,\nA,一,community,S1,100,3\n", 2, "on communities"),
    "zero": (CITY.replace("S1,一街道,street,D1,,3", "S1,一街道,street,D1,,0"), 4, "1 or more"),
    "not a number": (CITY.replace("D1,,3", "D1,,三"), 4, "not a number"),
    "negative": (CITY.replace("D1,,3", "D1,,-3"), 4, "negative"),
    "fraction": (CITY.replace("D1,,3", "D1,,2.5"), 4, "whole number"),
    "too few for the district": (CITY.replace("district,C,12000,5", "district,C,12000,3"), 2,
                                 "leave 0 for its 1"),
    "too few for the city": (CITY.replace("city,,,30", "city,,,7"), 1, "leave 2 for its 3"),
    "listed and counted differently": (
        HEADER + "S1,甲,street,,,3\nA,一社区,community,S1,100,\n", 1, "lists 1 under it"),
    "district total that does not add up": (
        HEADER + "D,区,district,,6000,9\nS1,甲,street,D,,2\nS2,乙,street,D,,4\n", 1, "add up to 6"),
    "more communities than people": (HEADER + "S1,甲,street,,5,6\n", 1, "for 5 people"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_counts_name_file_row_and_column(case, tiny, tmp_path):
    text, row, words = BAD[case]
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario(tiny, tmp_path, text))
    msg = str(err.value)
    assert "places.csv" in msg and f"row {row}, column 'communities'" in msg, msg
    assert words in msg, msg


def test_cli_bad_count_exits_2_with_one_line_and_writes_nothing(tiny, tmp_path):
    assert_cli_run_refused(_scenario(tiny, tmp_path, BAD["too few for the city"][0]), tmp_path, "row 1, column 'communities'")


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1_000, 40_000), min_size=1, max_size=6),
       own=st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=6, max_size=6),
       spare=st.integers(0, 40))
def test_any_total_is_shared_whole_and_evenly(tmp_path_factory, sizes, own, spare):
    own = own[: len(sizes)]
    blank = sum(1 for o in own if o is None)
    total = sum(o for o in own if o is not None) + blank + (spare if blank else 0)
    rows = [f"D,区,district,,,{total}"]
    rows += [f"S{i},街道{i},street,D,{n},{'' if o is None else o}"
             for i, (n, o) in enumerate(zip(sizes, own, strict=True))]
    path = tmp_path_factory.mktemp("share") / "p.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    territory = {**TINY["territory"], "source": str(path)}
    sc = load_scenario({**{k: v for k, v in TINY.items() if k != "territory"}, "territory": territory})
    t = build_territory(sc)
    counts = [len(t.communities_of_street(s)) for s in range(len(sizes))]
    assert sum(counts) == total and t.population == sum(sizes)
    shared = [c for c, o in zip(counts, own, strict=True) if o is None]
    assert all(c == o for c, o in zip(counts, own, strict=True) if o is not None)
    assert not shared or max(shared) - min(shared) <= 1


def test_beijing_file_carries_the_published_totals():
    places = load_places(SCENARIOS / "data" / "beijing_2020.csv")
    assert places.by_id["110000"].communities == 7470
    assert places.by_id["110101"].communities == 177  # 东城区: 17 streets, 177 社区
    assert sum(s.communities for s in places.streets) == 7470
    assert {s.communities for s in places.children("110101")} == {10, 11}
    sc = load_scenario(SCENARIOS / "beijing_city.yaml")
    assert territory_size(sc.territory) == (21_893_095, 7470)


def test_a_place_data_error_is_a_scenario_error():
    assert issubclass(PlaceDataError, ScenarioError)


def test_a_geojson_carries_the_column_too(tiny, tmp_path):
    import json

    import pytest

    pytest.importorskip("geopandas")

    def square(x):
        return {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]}

    features = [
        {"type": "Feature", "geometry": square(0),
         "properties": {"id": "D", "name": "区", "level": "district", "parent": None, "population": 9000,
                        "communities": 5}},
        {"type": "Feature", "geometry": square(0),
         "properties": {"id": "S1", "name": "甲", "level": "street", "parent": "D", "population": None,
                        "communities": None}},
        {"type": "Feature", "geometry": square(1),
         "properties": {"id": "S2", "name": "乙", "level": "township", "parent": "D", "population": None,
                        "communities": 2}},
    ]
    path = tmp_path / "places.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    tiny["territory"].update(source=str(path))
    t = build_territory(load_scenario(tiny))
    assert [len(t.communities_of_street(s)) for s in range(2)] == [3, 2] and t.population == 9000
