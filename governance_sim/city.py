"""The city level (市): several districts (区) in one run under one city.

A territory file that lists several districts (and no ``territory.select``) is a
city.  The model stays one model over one flat territory — every street and
community of every district, laid out district by district — and the city adds
only what differs from one district:

* **each district keeps its own departments and its own 区指挥中心**: the
  departments of ``territory.departments`` are built once per district (their
  staff and line work in proportion to the district's population when
  ``city.reference_population`` is set), and a case goes to the departments of the
  district where its problem arose;
* **municipal departments** (``city.departments``, 市级部门) exist once for the
  whole city, beside the districts' own; a category may name them;
* **the municipal 12345 centre** is the ``municipal_hotline`` overlay
  (:mod:`governance_sim.overlays.municipal_hotline`): seats above every district,
  dispatch to the responsible department (classic) or straight to the street (直派街乡),
  and the monthly city-wide 三率 ranking of every street — the hotline overlay's own
  ranking and pressure, over all the city's streets.

Departments' scorecards (:mod:`governance_sim.appraisal`) are unchanged: each
department keeps one stream per street, of which only its district's streets
(or, for a municipal department, every street) ever send it work.

Arrangements that keep the street layer (``baseline``, ``whistle``) run at city
level; those that reshape a single district or township, and overlays built on
the one 区指挥中心, are refused when the scenario loads (:func:`check_city`).
"""

from __future__ import annotations

from governance_sim.places_data import PlaceData, PlaceDataError

CITY_ARRANGEMENTS = ("baseline", "whistle")
# overlays that act through the single 区指挥中心 or a single district's structure
DISTRICT_ONLY_OVERLAYS = ("hotline", "mass_whistle", "command_centre", "extra_staff")


def check_city_places(places: PlaceData) -> None:
    """A city file's districts: distinct names, and streets under each (raises :class:`PlaceDataError`)."""
    seen: dict[str, int] = {}
    for d in places.districts:
        if d.name in seen:
            raise PlaceDataError(places.path, f"district name {d.name!r} is used twice (first at row "
                                              f"{seen[d.name]}); districts of a city need distinct names",
                                 d.row, "name")
        seen[d.name] = d.row


def is_city_scenario(sc) -> bool:
    """Whether the scenario's territory is a city of several districts."""
    if sc.territory.source is None or sc.territory.select is not None:
        return False
    from governance_sim.places_data import load_places

    return len(load_places(sc.territory.source).districts) > 1


def check_city(sc) -> tuple[str, str] | None:
    """``(field, message)`` if the scenario asks for something the city level cannot do, else ``None``."""
    city = is_city_scenario(sc)
    if sc.city is not None and not city:
        return ("city", "a city block needs a territory file with several districts (territory.source, "
                        "no territory.select); remove it (--set city=null) or point territory.source at a city file")
    if not city:
        return None
    if sc.arrangement.name not in CITY_ARRANGEMENTS:
        return ("arrangement.name", f"{sc.arrangement.name!r} reshapes one district; at city level the "
                                    f"allowed arrangements are {list(CITY_ARRANGEMENTS)}")
    for name in sc.overlays:
        if name in DISTRICT_ONLY_OVERLAYS:
            hint = "; use municipal_hotline" if name == "hotline" else ""
            return (f"overlays.{name}", f"works through one district's 区指挥中心 and cannot run at city "
                                        f"level{hint}; not allowed with several districts: "
                                        f"{list(DISTRICT_ONLY_OVERLAYS)}")
    if sc.city is not None and sc.city.partition == "districts":
        from governance_sim.partition.plan import check_partition

        problem = check_partition(sc)
        if problem:
            return problem
    municipal = {d.name for d in (sc.city.departments if sc.city else [])}
    both = municipal & {d.name for d in sc.territory.departments}
    if both:
        return ("city.departments", f"{sorted(both)} named both as a district and a municipal department; "
                                    "give municipal departments their own names")
    return None


def district_department_defs(sc, population: int):
    """The district departments of one district: ``territory.departments`` scaled to its people."""
    ref = sc.city.reference_population if sc.city else None
    if ref is None:
        return list(sc.territory.departments)
    f = population / ref
    return [d.model_copy(update={"staff": max(1, round(d.staff * f)),
                                 "vertical_tasks_per_day": d.vertical_tasks_per_day * f})
            for d in sc.territory.departments]


class CityLevel:
    """The city's structure inside one model: which department serves which street.

    ``departments_of(street, category)`` gives the department indices a case of that
    category in that street needs (its district's own, and municipal ones).
    """

    def __init__(self, model):
        t, sc = model.territory, model.scenario
        self.n_districts = len(t.districts)
        self.district_of_street = list(t.district_of_street)
        self.population = [0] * self.n_districts
        for c in t.communities:
            self.population[t.district_of_street[c.street]] += c.population
        self.department_defs: list[tuple[int, object]] = []  # (district or -1 = municipal, definition)
        for k in range(self.n_districts):
            self.department_defs += [(k, d) for d in district_department_defs(sc, self.population[k])]
        municipal = sc.city.departments if sc.city else []
        self.department_defs += [(-1, d) for d in municipal]
        index: list[dict[str, int]] = [{} for _ in range(self.n_districts)]
        shared: dict[str, int] = {}
        for i, (k, d) in enumerate(self.department_defs):
            (shared if k < 0 else index[k])[d.name] = i
        self.department_district = [k for k, _ in self.department_defs]
        self._by_district = [
            [tuple(index[k].get(name, shared.get(name)) for name in cat.departments)
             for cat in sc.categories.values()]
            for k in range(self.n_districts)]

    def departments_of(self, street: int, category: int) -> tuple[int, ...]:
        return self._by_district[self.district_of_street[street]][category]

    def build_departments(self, model, role_spec) -> list:
        """Every district's departments, then the municipal ones, as :class:`Department` agents."""
        from governance_sim.agents import Department

        t = model.territory
        out = []
        for i, (k, d) in enumerate(self.department_defs):
            place = t.districts[k] if k >= 0 else "市"
            label = f"{place}{d.label or d.name}"
            name = f"{d.name}@{t.district_ids[k]}" if k >= 0 else d.name
            out.append(Department(model, i, d.model_copy(update={"name": name, "label": label}),
                                  role_spec, len(t.streets)))
        return out

    def build_district_centres(self, model, spec) -> list:
        """One 区指挥中心 per district; the first is ``model.district_center``."""
        from governance_sim.agents import DistrictCenter

        centres = []
        for k, name in enumerate(model.territory.districts):
            centre = DistrictCenter(model, spec)
            centre.index = k
            centre.name = f"{name}指挥中心"
            centres.append(centre)
        return centres

    def district_of(self, case) -> int:
        return self.district_of_street[case.street] if case.street >= 0 else 0
