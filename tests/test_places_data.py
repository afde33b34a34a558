"""Territory from a CSV of places: loading, paths, the hash, and one clear message per bad file."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from conftest import SCENARIOS, TINY
from helpers import assert_cli_run_refused
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_sim import load_scenario, run
from governance_sim.places_data import PlaceDataError, load_places
from governance_sim.scenario import ScenarioError
from governance_sim.territory import build_territory

HEADER = "id,name,level,parent,population,households,lon,lat,adjacent\n"
TINY_FOR_FILES = {k: v for k, v in TINY.items() if k != "territory"} | {"days": 5}
GOOD = HEADER + (
    "D,示例区,district,,,,,,\n"
    "S1,甲街道,street,D,,,,,\n"
    "S2,乙乡,township,D,6000,,,,\n"
    "A,一社区,community,S1,9000,3000,116.40,39.92,B\n"
    "B,二社区,community,S1,3000,,116.41,39.92,A;C\n"
    "C,三社区,community,S1,1500,,116.42,39.92,B\n"
)


def _scenario(tiny, tmp_path, text: str | bytes, name="places.csv", **territory):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    tiny["territory"].update(source=str(path), **territory)
    return tiny


def test_csv_territory_has_the_files_places_and_proportional_grids(tiny, tmp_path):
    sc = load_scenario(_scenario(tiny, tmp_path, GOOD, communities_per_street=3))
    t = build_territory(sc)
    assert t.district == "示例区" and t.streets == ["甲街道", "乙乡"] and t.street_ids == ["S1", "S2"]
    names = [c.name for c in t.communities]
    assert names[:3] == ["一社区", "二社区", "三社区"]
    assert names[3:] == ["乙乡·村1", "乙乡·村2", "乙乡·村3"]  # a township listed alone: 3 villages
    assert [c.population for c in t.communities] == [9000, 3000, 1500, 2000, 2000, 2000]
    assert t.communities[0].households == 3000  # given
    assert t.communities[1].households == round(3000 / 2.62)  # from household_size
    # grids in proportion to households (400 per grid)
    assert [len(c.grids) for c in t.communities[:3]] == [8, 3, 1]
    assert t.population == 19500
    # a street listed without communities: adjacency cannot come from the column, so lattice
    assert t.communities[0].pos == (0.0, 0.0)


def test_adjacency_from_the_column(tiny, tmp_path):
    text = HEADER + (
        "S1,甲街道,street,,,,,,\n"
        "A,一社区,community,S1,9000,3000,116.40,39.92,C\n"
        "B,二社区,community,S1,3000,,116.41,39.92,C\n"
        "C,三社区,community,S1,1500,,116.42,39.92,\n"
    )
    sc = load_scenario(_scenario(tiny, tmp_path, text))
    t = build_territory(sc)
    assert t.adjacency == {(0, 2), (1, 2)}
    assert t.communities[0].lonlat == (116.40, 39.92)
    lattice = build_territory(load_scenario(_scenario(tiny, tmp_path, text, adjacency="lattice")))
    assert lattice.adjacency == {(0, 1), (1, 2)}  # 2×2 boustrophedon of 3 communities


def test_relative_source_resolves_against_the_scenario_folder(tiny, tmp_path, monkeypatch):
    folder = tmp_path / "study"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "p.csv").write_text(GOOD, encoding="utf-8")
    tiny["territory"]["source"] = "data/p.csv"
    (folder / "s.yaml").write_text(yaml.safe_dump(tiny, allow_unicode=True), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    sc = load_scenario(folder / "s.yaml")
    assert build_territory(sc).district == "示例区"


def test_hash_follows_the_files_content_not_its_path(tiny, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    h1 = load_scenario(_scenario(tiny, tmp_path / "a", GOOD)).scenario_hash
    h2 = load_scenario(_scenario(tiny, tmp_path / "b", GOOD)).scenario_hash
    assert h1 == h2
    h3 = load_scenario(_scenario(tiny, tmp_path / "b", GOOD.replace("9000", "9001"))).scenario_hash
    assert h3 != h1


def test_shipped_example_runs(tmp_path):
    res = run(SCENARIOS / "example_street.yaml", days=10)
    assert len(res.cases) > 0
    assert set(res.places["level"]) == {"district", "street", "community"}
    assert len(res.places[res.places["level"] == "community"]) == 8


# --------------------------------------------------------------------------- bad data

BAD = {
    "missing parent": (GOOD + "X,孤儿社区,community,S9,100,,,,\n", 7, "parent", "S9"),
    "negative population": (GOOD.replace("9000,3000", "-9000,3000"), 4, "population", "negative"),
    "duplicate id": (GOOD + "A,重复社区,community,S1,100,,,,\n", 7, "id", "duplicate"),
    "cycle": (HEADER + "S1,甲,street,S2,,,,,\nS2,乙,street,S1,,,,,\nA,一,community,S1,10,,,,\n",
              1, "parent", "cycle"),
    "level out of order": (GOOD + "S3,丙街道,street,A,100,,,,\n", 7, "parent", "out of order"),
    "unknown level": (GOOD.replace("A,一社区,community", "A,一社区,hamlet"), 4, "level", "hamlet"),
    "not a number": (GOOD.replace("3000,,116.41", "三千,,116.41"), 5, "population", "not a number"),
    "households above population": (GOOD.replace("1500,,", "1500,2000,"), 6, "households", "between"),
    "unknown neighbour": (GOOD.replace("A;C", "A;Z"), 5, "adjacent", "'Z'"),
    "neighbour of another level": (GOOD.replace("A;C", "A;S1"), 5, "adjacent", "same level"),
    "half a coordinate": (GOOD.replace("116.41,39.92", "116.41,"), 5, "lat", "both"),
    "street without population": (GOOD.replace("S2,乙乡,township,D,6000", "S2,乙乡,township,D,"),
                                  3, "population", "needs a population"),
    "district with nothing": (GOOD + "D2,空区,district,,,,,,\n", 7, "id", "no streets"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_names_file_row_and_column(case, tiny, tmp_path):
    text, row, column, words = BAD[case]
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario(tiny, tmp_path, text))
    msg = str(err.value)
    assert "places.csv" in msg and f"row {row}" in msg and f"column '{column}'" in msg, msg
    assert words in msg, msg


def test_non_utf8_bytes_name_the_line(tiny, tmp_path):
    data = GOOD.encode("utf-8").replace("三社区".encode(), "三社区".encode("gbk"))
    with pytest.raises(ScenarioError, match=r"places\.csv.*line 7 is not UTF-8"):
        load_scenario(_scenario(tiny, tmp_path, data))


def test_missing_columns_and_files(tiny, tmp_path):
    with pytest.raises(ScenarioError, match="missing column.*population"):
        load_scenario(_scenario(tiny, tmp_path, "id,name,level,parent\nA,a,community,\n"))
    tiny["territory"]["source"] = str(tmp_path / "nowhere.csv")
    with pytest.raises(ScenarioError, match="nowhere.csv: territory file not found"):
        load_scenario(tiny)
    with pytest.raises(ScenarioError, match="unknown file type '.xlsx'"):
        load_scenario(_scenario(tiny, tmp_path, "x", name="p.xlsx"))


def test_a_city_of_districts_is_read_fully_and_runs_as_a_city(tiny, tmp_path):
    city = HEADER + (
        "BJ,北京市,city,,,,,,\n"
        "D1,甲区,district,BJ,,,,,\n"
        "D2,乙区,district,BJ,,,,,\n"
        "S1,甲街道,street,D1,5000,,,,\n"
        "S2,乙街道,street,D2,5000,,,,\n"
    )
    sc = load_scenario(_scenario(tiny, tmp_path, city))
    territory = build_territory(sc)
    assert territory.is_city and territory.districts == ["甲区", "乙区"]
    assert territory.district_of_street == [0, 1]
    # the whole hierarchy is checked: a bad row in the second district is named
    with pytest.raises(ScenarioError, match="row 5, column 'population'"):
        load_scenario(_scenario(tiny, tmp_path, city.replace("S2,乙街道,street,D2,5000", "S2,乙街道,street,D2,-5")))
    (tmp_path / "places.csv").write_text(city, encoding="utf-8")
    places = load_places(tmp_path / "places.csv")
    assert [p.id for p in places.districts] == ["D1", "D2"]
    assert places.population_of("BJ") == 10000


def test_declared_modes_need_what_they_name(tiny, tmp_path):
    no_column = "id,name,level,parent,population\nS1,甲,street,,100\nA,a,community,S1,100\n"
    with pytest.raises(ScenarioError, match="'column' but the file has no 'adjacent' column"):
        load_scenario(_scenario(tiny, tmp_path, no_column, adjacency="column"))
    with pytest.raises(ScenarioError, match="'geometry' but the file has no polygons"):
        load_scenario(_scenario(tiny, tmp_path, no_column, adjacency="geometry"))


def test_cli_bad_file_exits_2_with_one_line_and_writes_nothing(tiny, tmp_path):
    assert_cli_run_refused(_scenario(tiny, tmp_path, BAD["missing parent"][0]), tmp_path, "row 7, column 'parent'")


@settings(max_examples=30, deadline=None)
@given(st.binary(min_size=1, max_size=200))
def test_any_bytes_give_a_place_data_error_or_a_territory(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "p.csv"
    path.write_bytes(HEADER.encode() + data)
    try:
        load_places(path)
    except PlaceDataError as exc:
        assert str(path) in str(exc)


def test_places_without_a_figure_share_their_parents(tiny, tmp_path):
    text = ("id,name,level,parent,population\n"
            "D,区,district,,10001\nS1,甲,street,D,4000\nS2,乙,street,D,\nS3,丙,street,D,\n")
    t = build_territory(load_scenario(_scenario(tiny, tmp_path, text, communities_per_street=2)))
    assert [sum(t.communities[c].population for c in t.communities_of_street(s)) for s in range(3)] \
        == [4000, 3001, 3000]
    with pytest.raises(ScenarioError, match="row 1, column 'population'.*leave 0"):
        load_scenario(_scenario(tiny, tmp_path, text.replace("10001", "4000")))


def test_select_one_district_of_a_city_file(tiny, tmp_path):
    city = ("id,name,level,parent,population\nBJ,北京市,city,,\nD1,甲区,district,BJ,9000\n"
            "D2,乙区,district,BJ,5000\nS1,甲街道,street,D1,\nS2,乙街道,street,D2,\nS3,丙街道,street,D2,\n")
    sc = load_scenario(_scenario(tiny, tmp_path, city, select="D2", communities_per_street=1))
    t = build_territory(sc)
    assert t.district == "乙区" and t.street_ids == ["S2", "S3"] and t.population == 5000
    with pytest.raises(ScenarioError, match=r"territory.select 'S1' is not a district id.*\['D1', 'D2'\]"):
        load_scenario(_scenario(tiny, tmp_path, city, select="S1"))


def test_beijing_2020_data_is_consistent():
    """scenarios/data/beijing_2020.csv: 16 districts (七普 populations), 333 streets and townships."""
    import csv

    path = SCENARIOS / "data" / "beijing_2020.csv"
    places = load_places(path)
    assert len(places.districts) == 16 and len(places.streets) == 333
    assert places.population_of("110000") == 21_893_095  # 七普 total
    assert sum(d.population for d in places.districts) == 21_893_095
    rows = {r["id"]: r for r in csv.DictReader(path.open(encoding="utf-8"))}
    assert all(r["source"].strip() for r in rows.values())
    for d in places.districts:
        kinds = [rows[s.id]["kind_zh"] for s in places.children(d.id)]
        r = rows[d.id]
        assert [kinds.count(k) for k in ("街道", "地区", "镇", "乡")] == \
            [int(r["streets"]), int(r["area_offices"]), int(r["towns"]), int(r["townships"])]
    assert [s.kind for s in places.children("110105")].count("township") == 19  # 朝阳: 19 地区


def test_csv_runs_identically_without_the_geo_packages(tmp_path):
    """The CSV path imports no geo package: a run with geopandas and shapely blocked gives the
    same summary as one in this process."""
    script = (
        "import sys\n"
        "for m in ('geopandas', 'shapely', 'pyogrio', 'pyproj'): sys.modules[m] = None\n"
        "from governance_sim import run\n"
        f"r = run({str(SCENARIOS / 'example_street.yaml')!r}, days=20)\n"
        f"r.summary.to_parquet({str(tmp_path / 's.parquet')!r})\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    import pandas as pd

    here = run(SCENARIOS / "example_street.yaml", days=20).summary
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "s.parquet"), here)


def test_streets_listed_twice_are_refused(tiny, tmp_path):
    sc = _scenario(tiny, tmp_path, GOOD, streets=[{"name": "甲", "communities": 2}])
    with pytest.raises(ScenarioError, match="keep one of the two"):
        load_scenario(sc)


@st.composite
def _place_files(draw):
    """A valid file: one district, 1–4 streets, each with 0–4 communities (0: split from counts)."""
    rows = [("D", "区", "district", "", "")]
    for s in range(draw(st.integers(1, 4))):
        n = draw(st.integers(0, 4))
        rows.append((f"S{s}", f"街道{s}", draw(st.sampled_from(["street", "township", "街道", "镇"])), "D",
                     str(draw(st.integers(10, 50_000))) if n == 0 else ""))
        for k in range(n):
            rows.append((f"S{s}C{k}", f"社区{s}{k}", draw(st.sampled_from(["community", "village", "村"])),
                         f"S{s}", str(draw(st.integers(1, 30_000)))))
    return rows


def _csv(rows) -> str:
    return "id,name,level,parent,population\n" + "".join(",".join(r) + "\n" for r in rows)


@settings(max_examples=40, deadline=None)
@given(rows=_place_files(), per_street=st.integers(1, 3))
def test_any_valid_file_gives_its_places_and_people(tmp_path_factory, rows, per_street):
    path = tmp_path_factory.mktemp("ok") / "p.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    territory = {**TINY["territory"], "source": str(path), "communities_per_street": per_street}
    sc = load_scenario({**TINY_FOR_FILES, "territory": territory})
    t = build_territory(sc)
    leaves = [r for r in rows if r[4]]
    assert t.population == sum(int(r[4]) for r in leaves)
    listed = sum(1 for r in rows if r[3].startswith("S"))
    split = sum(1 for r in rows if r[3] == "D" and r[4])
    assert len(t.communities) == listed + split * per_street
    assert sorted(g for c in t.communities for g in c.grids) == list(range(len(t.grids)))


@settings(max_examples=40, deadline=None)
@given(rows=_place_files(), data=st.data())
def test_any_corrupted_cell_is_named_by_row_and_column(tmp_path_factory, rows, data):
    i = data.draw(st.integers(1, len(rows) - 1))  # not the district row
    column, value = data.draw(st.sampled_from([("parent", "NOWHERE"), ("population", "-5"),
                                               ("level", "hamlet"), ("id", rows[0][0])]))
    col = ["id", "name", "level", "parent", "population"].index(column)
    bad = [list(r) for r in rows]
    bad[i][col] = value
    path = tmp_path_factory.mktemp("bad") / "p.csv"
    path.write_text(_csv(bad), encoding="utf-8")
    with pytest.raises(PlaceDataError) as err:
        load_places(path)
    assert f"row {i + 1}" in str(err.value) and f"column '{column}'" in str(err.value), str(err.value)


def test_scenarios_from_counts_keep_their_hash(tiny):
    """The territory file's fields do not enter the hash of a scenario that does not use one."""
    import hashlib
    import json

    from governance_sim.scenario import ordered_keys

    sc = load_scenario(tiny)
    payload = sc.model_dump(mode="json", exclude={"variants", "variant", "description", "limits"})
    for key in ("source", "select", "adjacency"):
        payload["territory"].pop(key)
    for key in ("start_date", "demand", "schedule", "groups", "city"):  # later fields, left out while at their defaults
        payload.pop(key)
    order = ordered_keys(payload)  # the order of categories (and overlays, groups) where not sorted
    if order:
        payload["order"] = order
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    assert sc.scenario_hash == hashlib.sha256(blob).hexdigest()[:12]
