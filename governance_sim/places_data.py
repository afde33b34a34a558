"""Territory from data: a table of places (市 → 区 → 街道/乡镇 → 社区/村) read from a file.

A scenario names the file in ``territory.source``.  Two kinds of file are read:

* a plain **CSV** (UTF-8, one row per place) with the columns
  ``id, name, level, parent, population`` and optionally ``households, lon, lat,
  adjacent, communities`` — read with the standard library, no geo packages needed;
* a **GeoJSON, GeoPackage or Shapefile** with the same columns as attributes and a
  polygon per place — read with geopandas (the optional ``geo`` extra, see
  :mod:`governance_sim.geo`).

Every row is checked before anything is built: a bad file gives one
:class:`PlaceDataError` naming the file, the row and the column, which the CLI
prints as one line (exit status 2).  The checked table is a :class:`PlaceData`;
:func:`governance_sim.territory.build_territory` lays grids and lanes inside its
communities, and takes adjacency from shared borders, from the ``adjacent``
column or from a schematic lattice (``territory.adjacency``).

A street or township listed without communities under it is split into
``communities`` units (社区 for a street, 村 for a township): its own figure, else an
equal share of its district's figure, else of the city's (a published total of
社区居委会 and 村民委员会), else ``territory.communities_per_street``.
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import io
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from governance_sim.scenario import ScenarioError

# level names accepted in the ``level`` column → rank (0 = city … 3 = community)
LEVELS: dict[str, int] = {
    "city": 0, "市": 0,
    "district": 1, "county": 1, "区": 1, "县": 1,
    "street": 2, "township": 2, "town": 2, "街道": 2, "乡镇": 2, "乡": 2, "镇": 2,
    "community": 3, "village": 3, "社区": 3, "村": 3,
}
LEVEL_NAMES = ("city", "district", "street", "community")
REQUIRED_COLUMNS = ("id", "name", "level", "parent", "population")
OPTIONAL_COLUMNS = ("households", "lon", "lat", "adjacent", "communities")
GEO_SUFFIXES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".shp": "Shapefile"}
CSV_SUFFIXES = {".csv", ".txt"}
GEO_INSTALL = 'pip install -e ".[geo]"'
SHAPEFILE_PARTS = (".dbf", ".shx", ".prj", ".cpg")


class PlaceDataError(ScenarioError):
    """A territory file that cannot be used: names the file, the row and the column."""

    def __init__(self, path: str | Path, message: str, row: int | None = None, column: str | None = None):
        self.path, self.row, self.column = str(path), row, column
        where = [str(path)]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__("territory.source", f"{', '.join(where)}: {message}")


@dataclass(frozen=True)
class Place:
    """One row of a territory file.

    ``level`` is the rank name (city/district/street/community); ``kind`` keeps the
    file's own word (e.g. ``township``, ``村``) so urban and rural places stay apart.
    ``row`` is the 1-based data row (the header is not counted).
    """

    id: str
    name: str
    level: str
    kind: str
    parent: str | None
    population: int | None
    households: int | None
    lon: float | None
    lat: float | None
    adjacent: tuple[str, ...]
    row: int
    population_shared: bool = False  # True: an equal share of the parent's figure, not the file's
    # 社区/村 units: a street's or township's count, or a district's or the city's total
    # (streets without a figure of their own get an equal share of it; see _share_communities)
    communities: int | None = None


@dataclass
class PlaceData:
    """A checked territory file: its places in file order, and their polygons if it had any."""

    path: str
    places: list[Place]
    has_adjacent_column: bool = False
    geometry: dict[str, object] | None = None  # place id → shapely (Multi)Polygon
    geometry_adjacency: set[tuple[str, str]] = field(default_factory=set)  # community ids
    digest: str = ""

    def __post_init__(self) -> None:
        self.by_id = {p.id: p for p in self.places}
        self._children: dict[str | None, list[Place]] = {}
        for p in self.places:
            self._children.setdefault(p.parent, []).append(p)

    def children(self, place_id: str | None) -> list[Place]:
        """Places whose parent is ``place_id`` (``None``: the top-level places), in file order."""
        return self._children.get(place_id, [])

    def at_level(self, level: str) -> list[Place]:
        return [p for p in self.places if p.level == level]

    @property
    def districts(self) -> list[Place]:
        return self.at_level("district")

    @property
    def streets(self) -> list[Place]:
        return self.at_level("street")

    @property
    def has_geometry(self) -> bool:
        return self.geometry is not None

    def subtree(self, place_id: str) -> PlaceData:
        """The places at and below ``place_id`` (e.g. one district of a city file)."""
        keep, frontier = {place_id}, [place_id]
        while frontier:
            frontier = [c.id for pid in frontier for c in self.children(pid)]
            keep.update(frontier)
        places = [replace(p, parent=None) if p.id == place_id else p for p in self.places if p.id in keep]
        geometry = {k: v for k, v in self.geometry.items() if k in keep} if self.geometry is not None else None
        return PlaceData(self.path, places, self.has_adjacent_column, geometry,
                         {pair for pair in self.geometry_adjacency if pair[0] in keep and pair[1] in keep},
                         self.digest)

    def population_of(self, place_id: str) -> int:
        """People in a place: its own figure when it has no children, else the sum of its children."""
        kids = self.children(place_id)
        if not kids:
            return self.by_id[place_id].population or 0
        return sum(self.population_of(k.id) for k in kids)


# --------------------------------------------------------------------------- reading


def load_places(path: str | Path) -> PlaceData:
    """Read and check a territory file (cached by path, size and modification time)."""
    p = Path(path)
    if not p.is_file():
        raise PlaceDataError(p, "territory file not found")
    files = _files_of(p)
    signature = tuple((f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return _load_cached(str(p.resolve()), signature, str(path))


def _files_of(p: Path) -> list[Path]:
    """The file and, for a Shapefile, the companions that hold its attributes and encoding."""
    if p.suffix.lower() != ".shp":
        return [p]
    return [p, *(f for ext in SHAPEFILE_PARTS for f in (p.with_suffix(ext),) if f.is_file())]


@lru_cache(maxsize=16)
def _load_cached(resolved: str, signature: tuple, shown: str) -> PlaceData:
    p = Path(resolved)
    suffix = p.suffix.lower()
    data = p.read_bytes()
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in _files_of(p))).hexdigest()[:16]
    if suffix in CSV_SUFFIXES or GEO_SUFFIXES.get(suffix) == "GeoJSON":
        _check_utf8(data, shown)
    if suffix in CSV_SUFFIXES:
        header, rows = _read_csv(data, shown)
        places = check_rows(header, rows, shown)
        return PlaceData(shown, places, has_adjacent_column="adjacent" in header, digest=digest)
    if suffix in GEO_SUFFIXES:
        try:
            geo = importlib.import_module("governance_sim.geo")
        except ImportError:
            raise PlaceDataError(shown, f"reading a {GEO_SUFFIXES[suffix]} needs the geo extra: "
                                        f"{GEO_INSTALL} (or give a CSV)") from None
        return geo.read_geo_places(p, shown, digest)
    allowed = sorted(CSV_SUFFIXES | set(GEO_SUFFIXES))
    raise PlaceDataError(shown, f"unknown file type {suffix or '(none)'!r}; allowed: {allowed}")


def _check_utf8(data: bytes, shown: str) -> None:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PlaceDataError(shown, f"line {line} is not UTF-8 (byte 0x{data[exc.start]:02x}); "
                                    "save the file as UTF-8") from None


def _read_csv(data: bytes, shown: str) -> tuple[list[str], list[dict[str, str]]]:
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _csv_rows(reader, shown)
    except csv.Error as exc:
        raise PlaceDataError(shown, f"line {reader.line_num} is not valid CSV ({exc})") from None


def _csv_rows(reader, shown: str) -> tuple[list[str], list[dict[str, str]]]:
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise PlaceDataError(shown, "the file is empty; the first line must name the columns "
                                    f"{', '.join(REQUIRED_COLUMNS)}") from None
    rows = []
    for n, values in enumerate(reader, start=1):
        if not any(v.strip() for v in values):
            continue  # blank lines carry nothing
        if len(values) > len(header):
            raise PlaceDataError(shown, f"{len(values)} values for {len(header)} columns", row=n)
        rows.append({h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
                    | {"_row": n})
    return header, rows


# --------------------------------------------------------------------------- checking


def _int(raw: str, shown: str, row: int, column: str) -> int | None:
    if raw == "":
        return None
    try:
        value = float(raw.replace("_", ""))
    except ValueError:
        raise PlaceDataError(shown, f"{raw!r} is not a number", row, column) from None
    if not math.isfinite(value) or value != int(value):
        raise PlaceDataError(shown, f"{raw!r} is not a whole number", row, column)
    if value < 0:
        raise PlaceDataError(shown, f"negative {column} ({raw}); it must be 0 or more", row, column)
    return int(value)


def _coord(raw: str, shown: str, row: int, column: str, bound: float) -> float | None:
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise PlaceDataError(shown, f"{raw!r} is not a number", row, column) from None
    if not math.isfinite(value) or abs(value) > bound:
        raise PlaceDataError(shown, f"{raw} is outside −{bound:g}…{bound:g} degrees", row, column)
    return value


def check_rows(header: list[str], rows: list[dict], shown: str) -> list[Place]:
    """Turn raw rows (column → text) into checked :class:`Place` objects, or raise the first
    :class:`PlaceDataError`.  Every rule a file must meet is here, for CSV and geo files alike."""
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise PlaceDataError(shown, f"missing column(s) {missing}; a territory file needs "
                                    f"{list(REQUIRED_COLUMNS)} and may add {list(OPTIONAL_COLUMNS)}")
    if not rows:
        raise PlaceDataError(shown, "no places: the file has a header and no rows")
    places: list[Place] = []
    first_row: dict[str, int] = {}
    for r in rows:
        n = r["_row"]
        pid = r["id"]
        if not pid:
            raise PlaceDataError(shown, "empty id", n, "id")
        if pid in first_row:
            raise PlaceDataError(shown, f"duplicate id {pid!r} (first at row {first_row[pid]})", n, "id")
        first_row[pid] = n
        kind = r["level"]
        if kind.lower() not in LEVELS:
            raise PlaceDataError(shown, f"unknown level {kind!r}; allowed: {sorted(LEVELS)}", n, "level")
        lon = _coord(r.get("lon", ""), shown, n, "lon", 180)
        lat = _coord(r.get("lat", ""), shown, n, "lat", 90)
        if (lon is None) != (lat is None):
            col = "lat" if lat is None else "lon"
            raise PlaceDataError(shown, "give both lon and lat, or neither", n, col)
        population = _int(r["population"], shown, n, "population")
        households = _int(r.get("households", ""), shown, n, "households")
        communities = _int(r.get("communities", ""), shown, n, "communities")
        adjacent = tuple(a for a in (x.strip() for x in _split_ids(r.get("adjacent", ""))) if a)
        places.append(Place(
            id=pid, name=r["name"] or pid, level=LEVEL_NAMES[LEVELS[kind.lower()]], kind=kind,
            parent=r["parent"] or None, population=population, households=households,
            lon=lon, lat=lat, adjacent=adjacent, row=n, communities=communities,
        ))
    by_id = {p.id: p for p in places}
    _check_parents(places, by_id, shown)
    _check_leaves(places, shown)
    _check_adjacent(places, by_id, shown)
    _check_communities(places, shown)
    return _share_communities(_share_populations(places, shown), shown)


def _share_populations(places: list[Place], shown: str) -> list[Place]:
    """A place listed without a population gets an equal share of what its parent's figure
    leaves after its siblings' figures (as a territory from counts shares it)."""
    kids: dict[str, list[Place]] = {}
    for p in places:
        if p.parent is not None:
            kids.setdefault(p.parent, []).append(p)
    filled: dict[str, int] = {}
    for parent_id, children in kids.items():
        blank = [c for c in children if c.population is None and c.id not in kids]
        if not blank:
            continue
        parent = next(p for p in places if p.id == parent_id)
        rest = parent.population - sum(c.population or 0 for c in children if c not in blank)
        if rest < len(blank):
            raise PlaceDataError(shown, f"{parent.population} people in {parent_id!r} leave {max(rest, 0)} "
                                        f"for its {len(blank)} places without a population",
                                 parent.row, "population")
        base, extra = divmod(rest, len(blank))
        for i, c in enumerate(blank):
            filled[c.id] = base + (1 if i < extra else 0)
    if not filled:
        return places
    return [replace(p, population=filled[p.id], population_shared=True) if p.id in filled else p
            for p in places]


def _check_communities(places: list[Place], shown: str) -> None:
    listed: dict[str, int] = {}
    for p in places:
        if p.parent is not None:
            listed[p.parent] = listed.get(p.parent, 0) + 1
    for p in places:
        if p.communities is None:
            continue
        if p.level == "community":
            raise PlaceDataError(shown, f"community {p.id!r} gives a communities figure; the column counts "
                                        "the 社区/村 of a street or township, or a district's or the city's "
                                        "total — leave it empty on communities", p.row, "communities")
        if p.communities == 0:
            raise PlaceDataError(shown, f"{p.level} {p.id!r} has communities 0; it must be 1 or more "
                                        "(or empty)", p.row, "communities")
        if p.level == "street" and p.id in listed and listed[p.id] != p.communities:
            raise PlaceDataError(shown, f"street {p.id!r} says {p.communities} communities but the file "
                                        f"lists {listed[p.id]} under it; make them agree or leave the figure "
                                        "empty", p.row, "communities")


def _share_communities(places: list[Place], shown: str) -> list[Place]:
    """Give every street without communities listed under it a number of units to be split
    into: its own ``communities`` figure, else an equal share (largest remainder, file order)
    of what its district's figure leaves after the district's other streets, else likewise of
    the city's figure.  Streets with no figure anywhere above keep ``None``
    (``territory.communities_per_street`` applies)."""
    kids: dict[str, list[Place]] = {}
    for p in places:
        if p.parent is not None:
            kids.setdefault(p.parent, []).append(p)
    count = {s.id: (len(kids[s.id]) if s.id in kids else s.communities)
             for s in places if s.level == "street"}

    def share(total_place: Place, streets: list[Place]) -> None:
        blank = [s for s in streets if count[s.id] is None]
        rest = total_place.communities - sum(count[s.id] for s in streets if count[s.id] is not None)
        if blank and rest < len(blank):
            raise PlaceDataError(shown, f"{total_place.communities} communities in {total_place.id!r} leave "
                                        f"{max(rest, 0)} for its {len(blank)} streets and townships without "
                                        "a figure (each needs at least 1)", total_place.row, "communities")
        if not blank and rest != 0:
            raise PlaceDataError(shown, f"{total_place.level} {total_place.id!r} says {total_place.communities} "
                                        f"communities but its streets and townships add up to "
                                        f"{total_place.communities - rest}", total_place.row, "communities")
        base, extra = divmod(rest, len(blank)) if blank else (0, 0)
        for i, s in enumerate(blank):
            count[s.id] = base + (1 if i < extra else 0)

    def streets_under(pid: str) -> list[Place]:
        out, frontier = [], [pid]
        while frontier:
            nxt = [c for f in frontier for c in kids.get(f, [])]
            out += [c for c in nxt if c.level == "street"]
            frontier = [c.id for c in nxt if c.level != "street"]
        return out

    for d in places:  # districts first, then the city shares what they leave
        if d.level == "district" and d.communities is not None:
            share(d, streets_under(d.id))
    for c in places:
        if c.level == "city" and c.communities is not None:
            share(c, streets_under(c.id))
    for s in places:
        if (s.level == "street" and s.id not in kids and count[s.id] is not None
                and s.population is not None and count[s.id] > s.population):
            raise PlaceDataError(shown, f"street {s.id!r} would be split into {count[s.id]} communities "
                                        f"for {s.population} people; give it fewer communities or more "
                                        "people", s.row, "communities")
    changed = {s.id for s in places if s.level == "street" and s.communities != count[s.id]
               and s.id not in kids}
    if not changed:
        return places
    return [replace(p, communities=count[p.id]) if p.id in changed else p for p in places]


def _split_ids(raw: str) -> list[str]:
    for sep in ("|", ","):
        raw = raw.replace(sep, ";")
    return raw.split(";")


def _check_parents(places: list[Place], by_id: dict[str, Place], shown: str) -> None:
    for p in places:
        if p.parent is None:
            continue
        if p.parent == p.id:
            raise PlaceDataError(shown, f"{p.id!r} is its own parent", p.row, "parent")
        if p.parent not in by_id:
            raise PlaceDataError(shown, f"{p.level} {p.id!r} has parent {p.parent!r}, which is not an "
                                        "id in the file", p.row, "parent")
    for p in places:  # cycles first: they would otherwise show up as levels out of order
        seen, node = [p.id], p
        while node.parent is not None:
            node = by_id[node.parent]
            if node.id in seen:
                loop = " → ".join([*seen[seen.index(node.id):], node.id])
                raise PlaceDataError(shown, f"parents form a cycle: {loop}", p.row, "parent")
            seen.append(node.id)
    for p in places:
        rank = LEVEL_NAMES.index(p.level)
        if p.parent is None:
            continue
        parent = by_id[p.parent]
        if LEVEL_NAMES.index(parent.level) != rank - 1:
            want = LEVEL_NAMES[rank - 1] if rank else "nothing (a city has no parent)"
            raise PlaceDataError(
                shown, f"level out of order: {p.level} {p.id!r} has parent {parent.id!r}, a "
                       f"{parent.level}; a {p.level}'s parent must be a {want}", p.row, "parent")
    roots = {p.level for p in places if p.parent is None}
    if len(roots) > 1:
        top = min(roots, key=LEVEL_NAMES.index)
        stray = next(p for p in places if p.parent is None and p.level != top)
        raise PlaceDataError(shown, f"{stray.level} {stray.id!r} has no parent while the file's top "
                                    f"level is {top}; give its {LEVEL_NAMES[LEVEL_NAMES.index(stray.level) - 1]}",
                             stray.row, "parent")
    if sum(1 for p in places if p.level == "city") > 1:
        second = [p for p in places if p.level == "city"][1]
        raise PlaceDataError(shown, "more than one city in one file", second.row, "level")


def _check_leaves(places: list[Place], shown: str) -> None:
    by_id = {p.id: p for p in places}
    has_children = {p.parent for p in places if p.parent is not None}
    for p in places:
        leaf = p.id not in has_children
        if leaf and p.level in ("city", "district"):
            raise PlaceDataError(shown, f"{p.level} {p.id!r} has no streets or townships under it",
                                 p.row, "id")
        if leaf and p.population is None and (p.parent is None or by_id[p.parent].population is None):
            raise PlaceDataError(shown, f"{p.level} {p.id!r} needs a population (it has no places "
                                        "under it to add up, and no parent figure to share)",
                                 p.row, "population")
        if leaf and p.population == 0:
            raise PlaceDataError(shown, f"{p.level} {p.id!r} has population 0; a place with no "
                                        "people cannot be simulated — leave it out", p.row, "population")
        if (p.households is not None and p.population is not None
                and not 1 <= p.households <= p.population):
            raise PlaceDataError(shown, f"{p.households} households for {p.population} people; "
                                        "households must be between 1 and the population",
                                 p.row, "households")


def _check_adjacent(places: list[Place], by_id: dict[str, Place], shown: str) -> None:
    for p in places:
        for other in p.adjacent:
            if other == p.id:
                raise PlaceDataError(shown, f"{p.id!r} lists itself as adjacent", p.row, "adjacent")
            if other not in by_id:
                raise PlaceDataError(shown, f"adjacent id {other!r} is not an id in the file",
                                     p.row, "adjacent")
            if by_id[other].level != p.level:
                raise PlaceDataError(shown, f"{p.level} {p.id!r} lists {other!r}, a {by_id[other].level}, "
                                            "as adjacent; neighbours must be of the same level",
                                     p.row, "adjacent")


def declared_adjacency(data: PlaceData, level: str = "community") -> set[tuple[str, str]]:
    """Pairs of ids of one level that the ``adjacent`` column declares (made symmetric)."""
    pairs = set()
    for p in data.places:
        if p.level != level:
            continue
        for other in p.adjacent:
            pairs.add((min(p.id, other), max(p.id, other)))
    return pairs
