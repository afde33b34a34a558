"""Polygons of places: reading GeoJSON / GeoPackage / Shapefile and contiguity from shared borders.

Needs the optional ``geo`` extra (geopandas, shapely, pyogrio): importing this
module without it raises ``ImportError``, which :mod:`governance_sim.places_data`
turns into one line naming ``pip install -e ".[geo]"``.  Nothing here enters
the simulation except the adjacency of communities, and only when the scenario
asks for it (``territory.adjacency: geometry``, or ``auto`` with polygons).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely
from shapely.strtree import STRtree

from governance_sim.places_data import PlaceData, PlaceDataError, check_rows

POLYGONAL = ("Polygon", "MultiPolygon")


def read_geo_places(path: Path, shown: str, digest: str) -> PlaceData:
    """Read a geo file whose attributes are the columns of a territory CSV, one polygon per place."""
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types; the user needs the first line only
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PlaceDataError(shown, f"cannot be read as a geo file: {first}") from None
    frame.columns = [c.lower() if c != frame.geometry.name else c for c in frame.columns]
    header = [c for c in frame.columns if c != frame.geometry.name]
    rows = []
    for n, record in enumerate(frame.drop(columns=frame.geometry.name).to_dict("records"), start=1):
        rows.append({k: _text(v) for k, v in record.items()} | {"_row": n})
    places = check_rows(header, rows, shown)
    geometry = {}
    for place, geom in zip(places, frame.geometry, strict=True):
        if geom is None or geom.is_empty:
            if place.level == "community":
                raise PlaceDataError(shown, f"community {place.id!r} has no polygon", place.row, "geometry")
            continue
        if geom.geom_type not in POLYGONAL:
            raise PlaceDataError(shown, f"a {geom.geom_type} is not a polygon; every place needs a "
                                        "Polygon or MultiPolygon", place.row, "geometry")
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            raise PlaceDataError(shown, f"invalid polygon ({reason}); repair it (e.g. make_valid) first",
                                 place.row, "geometry")
        geometry[place.id] = geom
    data = PlaceData(shown, places, has_adjacent_column="adjacent" in header, geometry=geometry,
                     digest=digest)
    communities = [p.id for p in places if p.level == "community" and p.id in geometry]
    data.geometry_adjacency = contiguity({c: geometry[c] for c in communities})
    return data


def _text(value) -> str:
    """An attribute value as the text a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def contiguity(polygons: dict[str, object]) -> set[tuple[str, str]]:
    """Rook contiguity: pairs of ids whose polygons share a stretch of border (a corner is not enough)."""
    ids = list(polygons)
    geoms = [polygons[i] for i in ids]
    if len(geoms) < 2:
        return set()
    tree = STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = set()
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a >= b:
            continue
        shared = geoms[a].intersection(geoms[b])
        if shared.length > 0:  # a shared line (or an overlap), not a single point
            pairs.add((min(ids[a], ids[b]), max(ids[a], ids[b])))
    return pairs


def place_frame(data: PlaceData, level: str) -> gpd.GeoDataFrame:
    """Polygons of every place of ``level``: its own, or its children's union when it has none."""
    rows = []
    for place in data.at_level(level):
        geom = data.geometry.get(place.id) if data.geometry else None
        if geom is None:
            parts = _leaf_polygons(data, place.id)
            geom = shapely.union_all(parts) if parts else None
        if geom is not None:
            rows.append({"place_id": place.id, "name": place.name, "geometry": geom})
    return gpd.GeoDataFrame(rows, columns=["place_id", "name", "geometry"], geometry="geometry")


def _leaf_polygons(data: PlaceData, place_id: str) -> list:
    out = []
    for child in data.children(place_id):
        geom = data.geometry.get(child.id)
        out.extend([geom] if geom is not None else _leaf_polygons(data, child.id))
    return out
