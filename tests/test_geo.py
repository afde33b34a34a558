"""Territory from polygons (the geo extra): GeoJSON reading, contiguity, maps, and results that
do not depend on whether the polygons or a CSV describe the same places."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest

from governance_sim import load_scenario, run
from governance_sim.places_data import _load_cached
from governance_sim.scenario import ScenarioError
from governance_sim.territory import build_territory

gpd = pytest.importorskip("geopandas")
shapely_geometry = pytest.importorskip("shapely.geometry")
box, Point = shapely_geometry.box, shapely_geometry.Point

# a 3 × 3 block of square communities in two streets: S1 the top row, S2 the two rows below
POPULATIONS = [2100, 900, 1600, 3000, 1200, 800, 2500, 1900, 700]


def _features(geometry=None):
    feats = [{"id": "D", "name": "方格区", "level": "district", "parent": None, "population": None,
              "geometry": None},
             {"id": "S1", "name": "北街道", "level": "street", "parent": "D", "population": None,
              "geometry": None},
             {"id": "S2", "name": "南街道", "level": "street", "parent": "D", "population": None,
              "geometry": None}]
    for k, pop in enumerate(POPULATIONS):
        row, col = divmod(k, 3)
        feats.append({"id": f"C{k}", "name": f"社区{k}", "level": "community",
                      "parent": "S1" if row == 0 else "S2", "population": pop,
                      "geometry": box(col, -row - 1, col + 1, -row)})
    for f in feats:
        if geometry and f["id"] in geometry:
            f["geometry"] = geometry[f["id"]]
    return feats


def _write_geojson(path, feats):
    frame = gpd.GeoDataFrame(feats, geometry="geometry", crs="EPSG:4326")
    frame.to_file(path, driver="GeoJSON")
    return path


ROOK = {("C0", "C1"), ("C1", "C2"), ("C3", "C4"), ("C4", "C5"), ("C6", "C7"), ("C7", "C8"),
        ("C0", "C3"), ("C1", "C4"), ("C2", "C5"), ("C3", "C6"), ("C4", "C7"), ("C5", "C8")}


def _pairs(t):
    ids = [c.place_id for c in t.communities]
    return {tuple(sorted((ids[a], ids[b]))) for a, b in t.adjacency}


def test_geojson_territory_and_adjacency_from_shared_borders(tiny, tmp_path):
    tiny["territory"]["source"] = str(_write_geojson(tmp_path / "p.geojson", _features()))
    t = build_territory(load_scenario(tiny))
    assert t.streets == ["北街道", "南街道"] and len(t.communities) == 9
    assert [c.population for c in t.communities] == POPULATIONS
    assert _pairs(t) == ROOK  # corners (C0–C4) do not make neighbours
    assert t.communities[0].lonlat == pytest.approx((0.5, -0.5))


def test_geo_file_errors_name_row_and_column(tiny, tmp_path):
    path = _write_geojson(tmp_path / "p.geojson", _features({"C4": Point(1.5, -1.5)}))
    tiny["territory"]["source"] = str(path)
    with pytest.raises(ScenarioError, match=r"p\.geojson, row 8, column 'geometry': a Point is not a polygon"):
        load_scenario(tiny)
    feats = _features()
    feats[5]["parent"] = "S7"
    tiny["territory"]["source"] = str(_write_geojson(tmp_path / "q.geojson", feats))
    with pytest.raises(ScenarioError, match=r"q\.geojson, row 6, column 'parent'"):
        load_scenario(tiny)
    (tmp_path / "broken.geojson").write_text("{not json", encoding="utf-8")
    tiny["territory"]["source"] = str(tmp_path / "broken.geojson")
    with pytest.raises(ScenarioError, match=r"broken\.geojson: cannot be read as a geo file"):
        load_scenario(tiny)


def test_without_the_geo_extra_one_line_names_the_install(tiny, tmp_path, monkeypatch):
    tiny["territory"]["source"] = str(_write_geojson(tmp_path / "p.geojson", _features()))
    _load_cached.cache_clear()
    monkeypatch.setitem(sys.modules, "governance_sim.geo", None)  # as if geopandas were absent
    with pytest.raises(ScenarioError) as err:
        load_scenario(tiny)
    assert 'pip install -e ".[geo]"' in str(err.value) and "\n" not in str(err.value)
    _load_cached.cache_clear()


def _csv_twin(path, feats, adjacent: bool):
    """The same places as a CSV: lon/lat from the polygons, neighbours from the rook pairs."""
    rows = []
    for f in feats:
        geom = f["geometry"]
        pt = geom.representative_point() if geom is not None else None
        nbrs = sorted({b for a, b in ROOK if a == f["id"]} | {a for a, b in ROOK if b == f["id"]})
        rows.append({"id": f["id"], "name": f["name"], "level": f["level"], "parent": f["parent"] or "",
                     "population": f["population"] if f["population"] is not None else "",
                     "lon": pt.x if pt is not None else "", "lat": pt.y if pt is not None else "",
                     **({"adjacent": ";".join(nbrs)} if adjacent else {})})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("adjacency", ["auto", "lattice"])
def test_same_places_give_identical_runs_from_polygons_or_csv(tiny, tmp_path, adjacency):
    """Geometry only enters through adjacency: a run on the GeoJSON equals a run on its CSV twin
    (with the adjacent column for borders, without it for the lattice)."""
    feats = _features()
    tiny["days"] = 40
    tiny["territory"]["adjacency"] = adjacency
    tiny["territory"]["source"] = str(_write_geojson(tmp_path / "p.geojson", feats))
    geo = run(tiny)
    tiny["territory"]["source"] = str(_csv_twin(tmp_path / "p.csv", feats, adjacency == "auto"))
    plain = run(tiny)
    skip = ["scenario_hash"]  # the files differ; everything the model did must not
    pd.testing.assert_frame_equal(geo.summary.drop(columns=skip), plain.summary.drop(columns=skip))
    pd.testing.assert_frame_equal(geo.cases.drop(columns=skip), plain.cases.drop(columns=skip))


def test_a_count_territory_written_as_a_file_runs_identically(tiny, tmp_path):
    """A CSV describing the synthetic territory (same populations, lattice adjacency) changes nothing."""
    tiny["days"] = 40
    counts = run(tiny)
    t = build_territory(load_scenario(tiny))
    rows = [{"id": "S1", "name": t.streets[0], "level": "street", "parent": "", "population": ""}]
    rows += [{"id": c.place_id, "name": c.name, "level": "community", "parent": "S1",
              "population": c.population} for c in t.communities]
    pd.DataFrame(rows).to_csv(tmp_path / "t.csv", index=False)
    tiny["territory"]["source"] = str(tmp_path / "t.csv")
    tiny["territory"]["district"] = "district"
    from_file = run(tiny)
    skip = ["scenario_hash"]
    pd.testing.assert_frame_equal(counts.summary.drop(columns=skip), from_file.summary.drop(columns=skip))
    pd.testing.assert_frame_equal(counts.cases.drop(columns=skip), from_file.cases.drop(columns=skip))


def test_maps_are_drawn_for_a_geo_territory_and_not_without(tiny, tmp_path):
    from governance_sim.analysis.maps import write_run_maps

    tiny["days"] = 40
    tiny["territory"]["source"] = str(_write_geojson(tmp_path / "p.geojson", _features()))
    written = write_run_maps(run(tiny), tmp_path / "geo")
    assert sorted(p.name for p in written) == ["map_community.png", "map_street.png"]
    assert all(p.stat().st_size > 10_000 for p in written)
    del tiny["territory"]["source"]
    assert write_run_maps(run(tiny), tmp_path / "plain") == []
    assert not (tmp_path / "plain").exists()


def test_cli_run_and_compare_write_maps(tiny, tmp_path):
    import yaml
    from typer.testing import CliRunner

    from governance_sim.cli import app

    tiny["territory"]["source"] = str(_write_geojson(tmp_path / "p.geojson", _features()))
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(tiny, allow_unicode=True), encoding="utf-8")
    res = CliRunner().invoke(app, ["run", str(path), "--days", "30", "--out", str(tmp_path / "r"), "-q"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r" / "map_street.png").exists() and (tmp_path / "r" / "places.parquet").exists()
    res = CliRunner().invoke(app, ["compare", str(path), "--reps", "2", "--days", "30", "--workers", "1",
                                   "--out", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "c" / "map_street.png").exists() and (tmp_path / "c" / "map_community.png").exists()
    assert (tmp_path / "c" / "places.parquet").exists()


def test_geojson_rows_survive_json_round_trip(tmp_path):
    """Attributes read from GeoJSON are the CSV's text: whole numbers stay whole."""
    path = _write_geojson(tmp_path / "p.geojson", _features())
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["features"][3]["properties"]["population"] == 2100


@pytest.mark.parametrize("driver,suffix", [("GPKG", ".gpkg"), ("ESRI Shapefile", ".shp")])
def test_geopackage_and_shapefile_read_like_geojson(tiny, tmp_path, driver, suffix):
    frame = gpd.GeoDataFrame(_features(), geometry="geometry", crs="EPSG:4326")
    path = tmp_path / f"p{suffix}"
    frame.to_file(path, driver=driver, **({"encoding": "utf-8"} if suffix == ".shp" else {}))
    tiny["territory"]["source"] = str(path)
    t = build_territory(load_scenario(tiny))
    assert _pairs(t) == ROOK and [c.population for c in t.communities] == POPULATIONS


def test_non_utf8_geojson_names_the_line(tiny, tmp_path):
    path = _write_geojson(tmp_path / "p.geojson", _features())
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    tiny["territory"]["source"] = str(path)
    with pytest.raises(ScenarioError, match=r"p\.geojson: line \d+ is not UTF-8"):
        load_scenario(tiny)


def test_a_shapefiles_attributes_count_in_its_digest(tmp_path):
    from governance_sim.places_data import load_places

    path = tmp_path / "p.shp"
    gpd.GeoDataFrame(_features(), geometry="geometry", crs="EPSG:4326").to_file(path, encoding="utf-8")
    before = load_places(path).digest
    feats = _features()
    feats[3]["population"] = 2101  # only the .dbf changes
    gpd.GeoDataFrame(feats, geometry="geometry", crs="EPSG:4326").to_file(path, encoding="utf-8")
    after = load_places(path)
    assert after.digest != before and after.by_id["C0"].population == 2101


def test_one_district_of_a_city_geojson(tiny, tmp_path):
    """A city file is read whole and runs as a city; territory.select keeps one district's places,
    borders and maps."""
    from governance_sim.analysis.maps import write_run_maps

    east = _features()
    west = [dict(f, id=f"W{f['id']}", name=f"西{f['name']}", parent=(f"W{f['parent']}" if f["parent"] else "BJ"),
                 geometry=(shapely_geometry.box(*(b - 3 if i % 2 == 0 else b
                                                  for i, b in enumerate(f["geometry"].bounds)))
                           if f["geometry"] is not None else None))
            for f in east]
    east[0]["parent"] = "BJ"
    city = [{"id": "BJ", "name": "市", "level": "city", "parent": None, "population": None,
             "geometry": None}, *east, *west]
    tiny["territory"]["source"] = str(_write_geojson(tmp_path / "city.geojson", city))
    whole = build_territory(load_scenario(tiny))
    assert whole.is_city and len(whole.districts) == 2 and len(whole.communities) == 18
    assert len(write_run_maps(run({**tiny, "days": 31}), tmp_path / "city_maps")) == 3  # districts too
    tiny["territory"]["select"] = "WD"
    tiny["days"] = 31
    t = build_territory(load_scenario(tiny))
    assert all(c.place_id.startswith("W") for c in t.communities)
    assert _pairs(t) == {(f"W{a}", f"W{b}") for a, b in ROOK}  # C2 of the west touches C0 of the east
    res = run(tiny)
    assert set(res.places["place_id"]) == {"WD", "WS1", "WS2"} | {f"WC{k}" for k in range(9)}
    assert len(write_run_maps(res, tmp_path / "maps")) == 2
