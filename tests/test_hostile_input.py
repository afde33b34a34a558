"""Whatever a scenario file holds, loading it gives a valid scenario or one ScenarioError —
never another exception, a hang or a memory blow-up — and what loads runs.

Property tests (hypothesis) build documents from the tiny scenario with values of any
type and size put at any field, save them in various encodings, damage their bytes, and
nest or alias them; example tests pin down each failure the issue listed."""

from __future__ import annotations

import contextlib
import copy
import math
import sys

import pytest
import yaml
from helpers import ReferenceCalendar
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from governance_sim.engine import Calendar
from governance_sim.errors import BudgetExceeded, ScenarioError
from governance_sim.model import GovernanceModel
from governance_sim.registry import ARRANGEMENTS, OVERLAYS
from governance_sim.safe_yaml import MAX_DEPTH, load_yaml
from governance_sim.scenario import Scenario, load_scenario
from tests.conftest import SCENARIOS, TINY

# tight limits keep every generated run small; mutations never touch them
TIGHT = {"max_population": 20_000, "max_communities": 40, "max_grids": 200, "max_expected_cases": 20_000,
         "max_events": 300_000, "max_wall_s": 30}
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _base() -> dict:
    doc = copy.deepcopy(TINY)
    doc["limits"] = dict(TIGHT)
    doc["days"] = 3
    return doc


def _walk(x, p=()):
    if isinstance(x, dict) and x:
        for k, v in x.items():
            yield from _walk(v, (*p, k))
    elif isinstance(x, list) and x and isinstance(x[0], dict):
        for i, v in enumerate(x):
            yield from _walk(v, (*p, i))
    if p and p[0] not in ("limits", "variants", "variant"):
        yield p


def _applies(arrangement: str, overlay: str) -> bool:
    """Whether the overlay, with its defaults, applies to the tiny scenario (e.g. the guards need
    an illegal-mining category, which the tiny scenario does not have)."""
    try:
        load_scenario({**_base(), "arrangement": {"name": arrangement}, "overlays": {overlay: {}}})
    except ScenarioError:
        return False
    return True


REPLACES = {"municipal_hotline": "hotline"}  # overlays that stand in for another (never both)


def _tiny_paths() -> dict[str, list[tuple]]:
    """For each arrangement the tiny scenario can take: every field, with every overlay on
    (an overlay that replaces another in a second document)."""
    out = {}
    for name in ARRANGEMENTS:
        overlays = {o: {} for o, cls in OVERLAYS.items()
                    if not cls.arrangement_problem(ARRANGEMENTS[name]) and _applies(name, o)}
        docs = [{o: {} for o in overlays if o not in REPLACES}]
        docs += [{**{o: {} for o in docs[0] if o != other}, new: {}}
                 for new, other in REPLACES.items() if new in overlays]
        try:
            out[name] = sorted({p for chosen in docs
                                for p in _walk(load_scenario({**_base(), "arrangement": {"name": name},
                                                              "overlays": chosen}).model_dump(mode="json"))},
                               key=str)
        except ScenarioError:
            continue  # needs a township's offices
    return out


TINY_PATHS = _tiny_paths()
SHIPPED_PATHS = sorted({p for path in SCENARIOS.glob("*.yaml")
                        for p in _walk(load_scenario(path).model_dump(mode="json"))}, key=str)
PATHS = sorted({p for ps in TINY_PATHS.values() for p in ps} | set(SHIPPED_PATHS), key=str)
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 0.5, 2, 24, 1e-300, 1e12, 1e300, 2**63, 2**64, -(2**63)]),
)
SCALARS = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=8),
                    st.sampled_from(["", "true", ".nan", "1e9", "-.inf", "baseline", "hotline"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                      max_leaves=8)

PLAUSIBLE = st.one_of(st.floats(0, 1), st.floats(0, 40), st.integers(0, 30), st.booleans())
# three plausible values for each hostile one, so that many documents load and are run
ANY_VALUE = st.integers(0, 3).flatmap(lambda k: PLAUSIBLE if k else VALUES)


def _put(doc: dict, path: tuple, value) -> None:
    node = doc
    for key in path[:-1]:
        if isinstance(node, list):
            if not isinstance(key, int) or key >= len(node):
                return
            node = node[key]
        elif isinstance(node, dict):
            nxt = node.get(key)
            if not isinstance(nxt, dict | list):
                nxt = node[key] = {}
            node = nxt
        else:
            return
    if isinstance(node, dict) or isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node):
        node[path[-1]] = value


@st.composite
def documents(draw) -> dict:
    doc = _base()
    arrangement = draw(st.sampled_from(sorted(TINY_PATHS)))
    doc["arrangement"] = {"name": arrangement}
    doc["overlays"] = {o: {} for o in draw(st.sets(st.sampled_from(sorted(OVERLAYS)), max_size=3))}
    for _ in range(draw(st.integers(1, 3))):
        paths = TINY_PATHS[arrangement] if draw(st.integers(0, 19)) else PATHS
        _put(doc, draw(st.sampled_from(paths)), draw(ANY_VALUE))
    if draw(st.integers(0, 19)) == 0:  # an unknown key somewhere
        _put(doc, (*draw(st.sampled_from(PATHS))[:-1], draw(st.text(min_size=1, max_size=6))), 1)
    return doc


def load_or_refuse(source, **kw) -> Scenario | None:
    """The contract: a Scenario or a ScenarioError, nothing else."""
    try:
        sc = load_scenario(source, **kw)
    except ScenarioError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None
    assert isinstance(sc, Scenario)
    return sc


def runs_or_stops_cleanly(sc: Scenario) -> None:
    sc = sc.with_overrides({"days": 3, "limits": TIGHT})
    with contextlib.suppress(BudgetExceeded):
        GovernanceModel(sc).run_model()


def _dump(doc: dict) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


@SETTINGS
@given(documents())
def test_any_document_loads_or_is_refused_and_what_loads_runs(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("doc") / "s.yaml"
    path.write_text(_dump(doc), encoding="utf-8")
    sc = load_or_refuse(path)
    if sc is not None:
        for variant in sc.variants:
            load_or_refuse(path, variant=variant)
        runs_or_stops_cleanly(sc)


@SETTINGS
@given(documents(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gbk", "latin-1", "cp1252"]),
       st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4),
       st.one_of(st.none(), st.integers(0, 4000)))
def test_any_bytes_load_or_are_refused(tmp_path_factory, doc, encoding, flips, cut):
    doc["description"] = "三率 · 街道吹哨、部门报到 · ünïcödé"
    data = bytearray(_dump(doc).encode(encoding, errors="replace"))
    for pos, byte in flips:
        if data:
            data[pos % len(data)] = byte
    if cut is not None:
        data = data[:cut]
    path = tmp_path_factory.mktemp("enc") / "s.yaml"
    path.write_bytes(bytes(data))
    load_or_refuse(path)


@SETTINGS
@given(st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(st.text(max_size=4), inner, max_size=3)),
                    max_leaves=30),
       st.integers(0, 3 * MAX_DEPTH))
def test_any_structure_loads_or_is_refused(value, depth):
    for _ in range(depth):
        value = [value]
    load_or_refuse({"name": "x", "categories": value, "arrangement": value, "territory": value,
                    "roles": {"resident": value}})
    with contextlib.suppress(ScenarioError):
        load_yaml(yaml.safe_dump({"x": value}))


@SETTINGS
@given(st.sampled_from(PATHS), VALUES)
def test_any_set_override_loads_or_is_refused(path, value):
    text = ".".join(str(p) for p in path) + "=" + yaml.safe_dump(value, default_flow_style=True).strip()
    text = text.removesuffix("\n...")
    sc = load_or_refuse(_base(), overrides=[text])
    if sc is not None:
        runs_or_stops_cleanly(sc)


# --------------------------------------------------------------------------- the cases


def _write(tmp_path, data: bytes, name="s.yaml"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(source, field_words: str, **kw) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(source, **kw)
    assert field_words in str(info.value), str(info.value)
    return str(info.value)


@pytest.mark.parametrize("data, words", [
    (b"name: x\nlabel: \xff\xfe\n", "byte offset 15 (line 2)"),
    ("name: 街道\n".encode("utf-16"), "UTF-16"),
    ("name: 街道吹哨\n".encode("gbk"), "not UTF-8"),
    ("name: 街道\n".encode()[:-3] + b"\xe8\xa1", "not UTF-8"),
    (bytes(range(256)), "not UTF-8"),
])
def test_files_that_are_not_utf8_name_the_byte(tmp_path, data, words):
    refused(_write(tmp_path, data), words)


def test_only_regular_files_of_bounded_size_are_read(tmp_path):
    refused(tmp_path, "is a folder")
    refused("/dev/zero", "not a regular file")
    refused(_write(tmp_path, b"#" * (5 * 1024 * 1024)), "at most")
    refused(tmp_path / "missing.yaml", "not found")


def _bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text, words", ids=["duplicate key", "deep nesting", "alias bomb", "recursive alias",
                                              "binary"], argvalues=[
    (yaml.safe_dump(TINY) + "arrangement: {name: whistle}\n", "appears twice"),
    (yaml.safe_dump(TINY) + "variants:\n  bomb: {description: " + "[" * 900 + "]" * 900 + "}\n", "deeper"),
    (yaml.safe_dump(TINY) + "variants:\n  unused:\n    " + _bomb(9).replace("\n", "\n    ") + "\n",
     "expands to more than"),
    (yaml.safe_dump(TINY) + "x: &r [*r]\n", "recursive alias"),
    (yaml.safe_dump(TINY) + "x: !!binary aGVsbG8=\n", "not used in scenarios"),
])
def test_yaml_tricks_are_refused(tmp_path, text, words):
    refused(_write(tmp_path, text.encode()), words)


@pytest.mark.parametrize("override, field, words", [
    ("arrangement.p_buckpass=true", "arrangement.p_buckpass", "a number is required"),
    ("roles.resident.report_noise=.nan", "report_noise", "finite"),
    ("categories.sanitation.rate=.inf", "categories.sanitation.rate", "finite"),
    ("categories.sanitation.rate=1e12", "categories.sanitation.rate", "less than or equal"),
    ("categories.sanitation.effort_sigma=1e12", "effort_sigma", "less than or equal to 3"),
    ("categories.sanitation.effort_h=1e300", "effort_h", "less than or equal"),
    ("categories.sanitation.severity_weights=[0,0,0]", "severity_weights", "above 0"),
    ("categories.sanitation.severity_weights=[1,-1,1]", "severity_weights", "0 or more"),
    ("roles.resident.channels.petition=-1", "channels", "0 or more"),
    ("territory.streets=-6", "territory.streets", "greater than or equal to 1"),
    ("territory.streets=100000", "territory.streets", "limits.max_communities"),
    ("territory.population=1e12", "territory.population", "at most"),
    ("territory.population=9000000", "territory.population", "limits.max_population"),
    ("territory.household_size=1e-300", "household_size", "greater than or equal to 1"),
    ("roles.grid_worker.patrol_hours=20", "patrol_hours", "exceeds the working day"),
    ("arrangement.referral_delay_days=1e300", "referral_delay_days", "at most"),
    ("variant=foo", "variant", "--variant"),
    ("seed=99999999999999999999999", "seed", "less than"),
    ("seed=-1", "seed", "greater than or equal to 0"),
    ("territory.departments.urban.budget=1", "territory.departments.0.budget", "allowed: ['enforcement'"),
    ("categories.sanitation.colour=1", "categories.sanitation.colour", "'effort_h'"),
    ("days=1e400", "days", ""),
])
def test_invalid_values_are_refused_naming_the_field(tiny, override, field, words):
    message = refused(tiny, field, overrides=[override])
    assert words in message


def test_limits_are_raised_deliberately(tiny):
    refused(tiny, "limits.max_population", overrides=["territory.population=6000000"])
    sc = load_scenario(tiny, overrides=["territory.population=6000000", "limits.max_population=7000000"])
    assert sc.territory.population == 6_000_000
    assert sc.scenario_hash == load_scenario(tiny, overrides=["territory.population=6000000",
                                                               "limits.max_population=8000000"]).scenario_hash


def test_a_typo_in_an_unused_variant_is_refused_at_load(tmp_path, tiny):
    tiny["variants"]["typo"] = {"arrangement.p_buckpas": 0.1}
    path = _write(tmp_path, yaml.safe_dump(tiny, allow_unicode=True).encode())
    refused(path, "variants.typo → arrangement.p_buckpas")


def test_yaml_numbers_without_a_dot_are_numbers(tiny):
    sc = load_scenario(tiny, overrides=["arrangement.p_buckpass=1e-1", "categories.sanitation.rate=6e1"])
    assert sc.arrangement.p_buckpass == 0.1 and sc.categories["sanitation"].rate == 60.0


def test_an_event_budget_stops_a_run_with_a_clear_message(tiny):
    model = GovernanceModel(tiny, overrides={"limits.max_events": 50})
    with pytest.raises(BudgetExceeded, match="limits.max_events"):
        model.run_model()


def test_a_wall_time_budget_stops_a_run(tiny):
    model = GovernanceModel(tiny, overrides={"limits.max_wall_s": 1e-9})
    with pytest.raises(BudgetExceeded, match="limits.max_wall_s"):
        model.run_model()


# --------------------------------------------------------------------------- the calendar's closed form


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 5000, allow_nan=False), st.floats(0, 8), st.integers(1, 7), st.floats(0, 2),
       st.integers(0, 30))
def test_long_work_skips_whole_days_to_the_same_end(effort, reserved, workdays, cap, day):
    cal = Calendar(9.0, 8.0, workdays, cap)
    assume(8.0 + cap - reserved > 0.01)  # the reference walks every day: keep it short
    start = cal.next_start(day * 24.0)
    end, overtime = cal.finish_time(start, effort, reserved)
    ref_end, ref_overtime = ReferenceCalendar(cal.start, cal.hours, cal.workdays, cal.overtime).finish_time(
        start, effort, reserved)
    # the reference adds the work up one day at a time, each day's hours computed from times of
    # the size of ref_end: its own rounding grows with the days walked and the size of the times
    days = effort / (8.0 + cap - reserved)
    tol = 1e-6 + 4 * sys.float_info.epsilon * ref_end * days
    assert math.isclose(end, ref_end, rel_tol=1e-9, abs_tol=tol)
    assert math.isclose(overtime, ref_overtime, rel_tol=1e-9, abs_tol=tol)


def test_huge_or_endless_work_returns_at_once():
    cal = Calendar()
    assert cal.finish_time(9.0, math.inf)[0] == math.inf
    assert cal.finish_time(9.0, math.nan)[0] == math.inf
    assert cal.finish_time(9.0, 11.0, reserved_h=10.0)[0] == math.inf  # routine fills every later day
    assert cal.finish_time(9.0, 1e300)[0] == math.inf
    assert cal.add_working_hours(9.0, 1e300) == math.inf
    assert cal.finish_time(9.0, 1e8)[0] < math.inf  # long, but it ends
    no_overtime = Calendar(9.0, 8.0, 5, 0.0)
    assert no_overtime.finish_time(9.0, 5000.0, 7.999999999999)[0] == math.inf  # almost no time left a day
    assert cal.add_working_hours(9.0, math.inf) == math.inf
