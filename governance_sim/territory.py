"""The territory: 区 → 街道/乡镇 → 社区/村 → 网格, with 片区 (zones) and 街巷 (lanes).

Built from a scenario into plain index lists that the model uses on its hot
paths, and exposed as a networkx graph (``Territory.graph``) with the edge
kinds of MODEL.md §2: ``parent`` (parent → child), ``adjacent`` (neighbouring
communities), ``member_of`` (community → zone, grid → lane) and
``jurisdiction`` (department → category, the 权责清单).  Arrangements
transform a territory (e.g. 区直管社区 removes streets and merges
communities) before the model is built on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx

from governance_sim.places_data import PlaceData, PlaceDataError, declared_adjacency, load_places
from governance_sim.scenario import Scenario


@dataclass
class Community:
    name: str
    street: int  # -1 once the street layer is removed
    population: int
    households: int
    pos: tuple[float, float]
    grids: list[int] = field(default_factory=list)
    zone: int = -1
    merged_from: list[str] = field(default_factory=list)
    staff: int | None = None  # office staff when an arrangement sets it (e.g. merged communities)
    place_id: str = ""  # id in the territory file (or S<street>-C<k> from counts)
    lonlat: tuple[float, float] | None = None  # the file's lon/lat (or a point inside its polygon)


@dataclass
class Grid:
    name: str
    community: int
    households: int
    lane: int = -1


@dataclass
class Territory:
    district: str
    streets: list[str]
    communities: list[Community]
    grids: list[Grid]
    departments: list[str]
    department_labels: list[str]
    categories: list[str]
    jurisdiction: dict[str, list[str]]  # department → categories it owns
    adjacency: set[tuple[int, int]] = field(default_factory=set)
    zones: list[list[int]] = field(default_factory=list)  # community indices per zone
    lanes: list[list[int]] = field(default_factory=list)  # grid indices per lane
    lane_street: list[int] = field(default_factory=list)
    street_layer: bool = True
    district_id: str = "D1"
    street_ids: list[str] = field(default_factory=list)
    places: PlaceData | None = None  # the territory file, when the territory came from one
    # a city (市) of several districts: their names and ids, and each street's district
    districts: list[str] = field(default_factory=list)
    district_ids: list[str] = field(default_factory=list)
    district_of_street: list[int] = field(default_factory=list)

    @property
    def is_city(self) -> bool:
        """Whether the territory holds several districts under one city (see governance_sim.city)."""
        return len(self.districts) > 1

    # ---------------------------------------------------------------- queries
    @property
    def population(self) -> int:
        return sum(c.population for c in self.communities)

    @property
    def households(self) -> int:
        return sum(g.households for g in self.grids)

    def neighbours(self, community: int) -> list[int]:
        return sorted({b for a, b in self.adjacency if a == community}
                      | {a for a, b in self.adjacency if b == community})

    def communities_of_street(self, street: int) -> list[int]:
        return [i for i, c in enumerate(self.communities) if c.street == street]

    @property
    def graph(self) -> nx.Graph:
        """The territory as a networkx graph (nodes carry ``kind``; edges carry ``kind``)."""
        g = nx.Graph()
        root = f"district:{self.district}"
        g.add_node(root, kind="city" if self.is_city else "district", label=self.district)
        for k, name in enumerate(self.districts):  # a city: its districts between it and the streets
            g.add_node(f"district:{k}", kind="district", label=name)
            g.add_edge(root, f"district:{k}", kind="parent")
        for s, name in enumerate(self.streets):
            g.add_node(f"street:{s}", kind="street", label=name)
            parent = f"district:{self.district_of_street[s]}" if self.is_city else root
            g.add_edge(parent, f"street:{s}", kind="parent")
        for ci, c in enumerate(self.communities):
            node = f"community:{ci}"
            g.add_node(node, kind="community", label=c.name, population=c.population, pos=c.pos)
            parent = f"street:{c.street}" if c.street >= 0 else root
            g.add_edge(parent, node, kind="parent")
        for gi, gr in enumerate(self.grids):
            g.add_node(f"grid:{gi}", kind="grid", label=gr.name, households=gr.households)
            g.add_edge(f"community:{gr.community}", f"grid:{gi}", kind="parent")
        for a, b in self.adjacency:
            g.add_edge(f"community:{a}", f"community:{b}", kind="adjacent")
        for zi, members in enumerate(self.zones):
            g.add_node(f"zone:{zi}", kind="zone", label=f"片区{zi + 1}")
            for ci in members:
                g.add_edge(f"community:{ci}", f"zone:{zi}", kind="member_of")
        for li, members in enumerate(self.lanes):
            g.add_node(f"lane:{li}", kind="lane", label=f"街巷{li + 1}")
            for gi in members:
                g.add_edge(f"grid:{gi}", f"lane:{li}", kind="member_of")
        for dept, label in zip(self.departments, self.department_labels, strict=True):
            g.add_node(f"department:{dept}", kind="department", label=label or dept)
            g.add_edge(root, f"department:{dept}", kind="parent")
            for cat in self.jurisdiction.get(dept, []):
                g.add_node(f"category:{cat}", kind="category", label=cat)
                g.add_edge(f"department:{dept}", f"category:{cat}", kind="jurisdiction")
        return g

    def is_contiguous(self, members: list[int]) -> bool:
        """Whether a set of communities is connected through adjacency."""
        sub = nx.Graph()
        sub.add_nodes_from(members)
        ms = set(members)
        sub.add_edges_from((a, b) for a, b in self.adjacency if a in ms and b in ms)
        return len(members) <= 1 or nx.is_connected(sub)


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _chunks(items: list[int], parts: int) -> list[list[int]]:
    sizes = _split(len(items), max(1, min(parts, len(items))))
    out, i = [], 0
    for s in sizes:
        out.append(items[i : i + s])
        i += s
    return out


def build_territory(scenario: Scenario) -> Territory:
    """Lay out the territory described by ``scenario.territory``.

    From counts, communities sit on a lattice in boustrophedon order, street by
    street, so that each street and each zone is a contiguous block; adjacency is
    4-neighbour.  From a file (``territory.source``), streets and communities are
    the file's, in file order, on the same lattice (``pos``, for drawing the
    network) with the file's coordinates kept in ``lonlat``; adjacency follows
    ``territory.adjacency``.  Either way
    grids are cut from each community's households (so unequal communities get
    grids in proportion) and lanes from each street's grids.
    """
    spec = scenario.territory
    district, district_id, places = spec.district, "D1", None
    districts, district_ids, district_of_street = [], [], []
    if spec.source is not None:
        places = check_source(spec)
        if places.districts:
            district, district_id = places.districts[0].name, places.districts[0].id
        ordered = None
        if len(places.districts) > 1:  # a city: streets district by district, each block contiguous
            city = places.at_level("city")
            district = (scenario.city.name if scenario.city and scenario.city.name
                        else city[0].name if city else "city")
            district_id = city[0].id if city else "city"
            districts = [d.name for d in places.districts]
            district_ids = [d.id for d in places.districts]
            ordered = [s for d in places.districts for s in places.children(d.id)]
            district_of_street = [k for k, d in enumerate(places.districts) for _ in places.children(d.id)]
        streets, rows = _rows_from_places(places, spec, ordered)
    else:
        streets, rows = _rows_from_counts(spec)
    n_streets = len(streets)

    n = len(rows)
    width = max(1, math.ceil(math.sqrt(n)))
    cell_of = {}
    communities: list[Community] = []
    for i, r in enumerate(rows):
        # boustrophedon order: consecutive communities are neighbours, so any run of them
        # (a street, a zone) is contiguous
        row, k = divmod(i, width)
        col = k if row % 2 == 0 else width - 1 - k
        cell_of[(row, col)] = i
        households = r.households or max(1, round(r.population / spec.household_size))
        communities.append(Community(r.name, r.street, r.population, households, (float(col), float(-row)),
                                     place_id=r.id, lonlat=r.lonlat))
    mode = adjacency_mode(spec, places)
    if mode == "lattice":
        adjacency = set()
        for (row, col), i in cell_of.items():
            for other in ((row, col + 1), (row + 1, col)):
                j = cell_of.get(other)
                if j is not None:
                    adjacency.add((min(i, j), max(i, j)))
    else:
        index = {r.id: i for i, r in enumerate(rows)}
        pairs = places.geometry_adjacency if mode == "geometry" else declared_adjacency(places)
        adjacency = {(min(index[a], index[b]), max(index[a], index[b])) for a, b in pairs}

    grids: list[Grid] = []
    for ci, c in enumerate(communities):
        n_grids = max(1, round(c.households / spec.households_per_grid))
        for k, hh in enumerate(_split(c.households, n_grids)):
            c.grids.append(len(grids))
            grids.append(Grid(f"{c.name}·网格{k + 1}", ci, hh))

    zones: list[list[int]] = []
    if spec.zones_per_street:
        for s in range(n_streets):
            members = [i for i, c in enumerate(communities) if c.street == s]
            for chunk in _chunks(members, spec.zones_per_street):
                for ci in chunk:
                    communities[ci].zone = len(zones)
                zones.append(chunk)

    lanes: list[list[int]] = []
    lane_street: list[int] = []
    if spec.grids_per_lane:
        for s in range(n_streets):
            street_grids = [g for c in communities if c.street == s for g in c.grids]
            for i in range(0, len(street_grids), spec.grids_per_lane):
                members = street_grids[i : i + spec.grids_per_lane]
                for gi in members:
                    grids[gi].lane = len(lanes)
                lanes.append(members)
                lane_street.append(s)

    jurisdiction: dict[str, list[str]] = {d.name: [] for d in spec.departments}
    if scenario.city is not None:  # municipal departments (市级部门) beside the districts' own
        jurisdiction.update({d.name: [] for d in scenario.city.departments})
    for cname, cat in scenario.categories.items():
        for d in cat.departments:
            jurisdiction[d].append(cname)

    return Territory(
        district=district,
        streets=[name for _, name in streets],
        communities=communities,
        grids=grids,
        departments=[d.name for d in spec.departments],
        department_labels=[d.label for d in spec.departments],
        categories=list(scenario.categories),
        jurisdiction=jurisdiction,
        adjacency=adjacency,
        zones=zones,
        lanes=lanes,
        lane_street=lane_street,
        district_id=district_id,
        street_ids=[sid for sid, _ in streets],
        places=places,
        districts=districts,
        district_ids=district_ids,
        district_of_street=district_of_street,
    )


@dataclass(frozen=True)
class _Row:
    """A community to lay out: from counts or from a file."""

    id: str
    name: str
    street: int
    population: int
    households: int | None = None
    lonlat: tuple[float, float] | None = None
    from_file: bool = False


def _rows_from_counts(spec) -> tuple[list[tuple[str, str]], list[_Row]]:
    if isinstance(spec.streets, int):
        street_defs = [(f"街道{s + 1}", spec.communities_per_street, None) for s in range(spec.streets)]
    else:
        street_defs = [(s.name, s.communities, s.population) for s in spec.streets]
    explicit_pop = sum(p for _, _, p in street_defs if p)
    implicit = [i for i, (_, _, p) in enumerate(street_defs) if not p]
    rest = max(spec.population - explicit_pop, 0)
    implicit_pops = _split(rest, len(implicit)) if implicit else []
    streets, rows = [], []
    for s, (sname, comms, spop) in enumerate(street_defs):
        sid = f"S{s + 1}"
        streets.append((sid, sname))
        pop = spop if spop else implicit_pops[implicit.index(s)]
        if isinstance(comms, int):
            for k, p in enumerate(_split(pop, comms)):
                rows.append(_Row(f"{sid}-C{k + 1}", f"{sname}·社区{k + 1}", s, max(p, 1)))
        else:
            for k, c in enumerate(comms):
                rows.append(_Row(f"{sid}-C{k + 1}", c.name, s, c.population))
    return streets, rows


def _rows_from_places(places: PlaceData, spec, ordered=None) -> tuple[list[tuple[str, str]], list[_Row]]:
    """Streets and communities of a checked file (``ordered``: its streets in this order); a
    street listed without communities is split into equal ones: as many as its ``communities``
    figure (its own, or its share of its district's or the city's total), else
    ``communities_per_street``, as a territory from counts is."""
    streets, rows = [], []
    for s, street in enumerate(places.streets if ordered is None else ordered):
        streets.append((street.id, street.name))
        kids = places.children(street.id)
        if kids:
            for c in kids:
                lonlat = (c.lon, c.lat) if c.lon is not None else None
                if lonlat is None and places.geometry and c.id in places.geometry:
                    point = places.geometry[c.id].representative_point()
                    lonlat = (float(point.x), float(point.y))
                rows.append(_Row(c.id, c.name, s, c.population, c.households, lonlat, True))
            continue
        rural = street.kind.lower() in ("township", "town", "乡镇", "乡", "镇")
        word = "村" if rural else "社区"
        units = street.communities or spec.communities_per_street
        parts = _split(street.population, units)
        hh = _split(street.households, units) if street.households else None
        for k, p in enumerate(parts):
            rows.append(_Row(f"{street.id}-C{k + 1}", f"{street.name}·{word}{k + 1}", s, max(p, 1),
                             max(hh[k], 1) if hh else None))
    return streets, rows


def adjacency_mode(spec, places: PlaceData | None) -> str:
    """Where neighbouring communities come from: geometry, column or lattice."""
    if places is None:
        return "lattice"
    if spec.adjacency != "auto":
        return spec.adjacency
    generated = any(not places.children(s.id) for s in places.streets)
    if places.has_geometry and not generated:
        return "geometry"
    if places.has_adjacent_column and not generated:
        return "column"
    return "lattice"


def check_source(spec) -> PlaceData:
    """The places a scenario simulates (``territory.select`` applied), checked to be usable
    today; raise a :class:`PlaceDataError` if not.

    The file itself is checked fully when read (a whole city included).  A file with
    several districts (and no ``territory.select``) is a city: the districts run together
    under the city level (:mod:`governance_sim.city`).
    """
    places = load_places(spec.source)
    if isinstance(spec.streets, list):
        raise PlaceDataError(places.path, "territory.streets lists streets while territory.source gives "
                                          "them too; keep one of the two")
    if spec.select is not None:
        chosen = places.by_id.get(str(spec.select))
        if chosen is None or chosen.level != "district":
            allowed = [d.id for d in places.districts]
            raise PlaceDataError(places.path, f"territory.select {str(spec.select)!r} is not a district id "
                                              f"in the file; allowed: {allowed}")
        places = places.subtree(chosen.id)
    if len(places.districts) > 1:
        from governance_sim.city import check_city_places

        check_city_places(places)
    if not places.streets:
        raise PlaceDataError(places.path, "no streets or townships (level street/township) in the file")
    generated = [s for s in places.streets if not places.children(s.id)]
    if spec.adjacency == "geometry" and not places.has_geometry:
        raise PlaceDataError(places.path, "territory.adjacency is 'geometry' but the file has no "
                                          "polygons; use 'column' or 'lattice', or give a geo file")
    if spec.adjacency == "column" and not places.has_adjacent_column:
        raise PlaceDataError(places.path, "territory.adjacency is 'column' but the file has no "
                                          "'adjacent' column")
    if spec.adjacency in ("geometry", "column") and generated:
        raise PlaceDataError(places.path, f"street {generated[0].id!r} lists no communities, so their "
                                          f"adjacency cannot come from the {spec.adjacency}; list them or "
                                          "use territory.adjacency: lattice", generated[0].row, "id")
    return places
