"""Scenario loading, variants, overrides and bad input."""

from __future__ import annotations

import pytest
import yaml

from governance_sim import ScenarioError, load_scenario
from governance_sim.scenario import apply_overrides, parse_assignment


def test_variant_and_overrides_apply_in_order(tiny):
    sc = load_scenario(tiny, variant="no_buckpass", overrides=["arrangement.p_buckpass=0.2"])
    assert sc.variant == "no_buckpass"
    assert sc.arrangement.p_buckpass == 0.2  # --set wins over the variant
    assert load_scenario(tiny, variant="no_buckpass").arrangement.p_buckpass == 0.0


def test_override_values_are_parsed_as_yaml():
    assert parse_assignment("a.b=3") == ("a.b", 3)
    assert parse_assignment("a.b=[1, 2]") == ("a.b", [1, 2])
    assert parse_assignment("a=true") == ("a", True)
    assert parse_assignment("a=hello") == ("a", "hello")


def test_named_list_items_can_be_overridden(tiny):
    sc = load_scenario(tiny, overrides={"territory.departments.housing.staff": 9})
    assert [d.staff for d in sc.territory.departments] == [3, 9, 2]
    raw = apply_overrides(tiny, {"territory.departments.0.staff": 5})
    assert raw["territory"]["departments"][0]["staff"] == 5
    assert tiny["territory"]["departments"][0]["staff"] == 3  # the input is not mutated


def test_hash_changes_with_content_not_with_variant_name(tiny):
    a = load_scenario(tiny)
    b = load_scenario(tiny, overrides={"arrangement.p_buckpass": 0.3})  # same value
    c = load_scenario(tiny, overrides={"arrangement.p_buckpass": 0.31})
    assert a.scenario_hash == b.scenario_hash != c.scenario_hash


@pytest.mark.parametrize(
    ("change", "field", "allowed"),
    [
        ({"arrangement.name": "nonsense"}, "arrangement.name", "baseline"),
        ({"arrangement.p_buckpass": 1.5}, "arrangement.p_buckpass", "less than or equal to 1"),
        ({"arrangement.p_buckpas": 0.1}, "arrangement.p_buckpas", "allowed"),
        ({"roles.resident.trust0": -1}, "roles.resident.trust0", "greater than or equal to 0"),
        ({"roles.resdent": {}}, "roles.resdent", "resident"),
        ({"categories.parking.departments": ["police"]}, "categories.parking.departments", "urban"),
        ({"territory.population": "many"}, "territory.population", "integer"),
        ({"days": 0}, "days", "greater than or equal to 1"),
        ({"overlays.teleport": {}}, "overlays.teleport", "allowed"),
        ({"territory.departments.police.staff": 3}, "territory.departments.police", "urban"),
        ({"calendar.workday_hours": 20}, "calendar.workday_hours", "less than or equal to 16"),
    ],
)
def test_bad_fields_name_the_field_and_what_is_allowed(tiny, change, field, allowed):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tiny, overrides=change)
    assert info.value.field == field
    assert allowed in info.value.message
    assert "\n" not in str(info.value)


def test_unknown_variant_lists_the_variants(tiny):
    with pytest.raises(ScenarioError, match=r"allowed: \['no_buckpass'\]"):
        load_scenario(tiny, variant="whistle_typo")


def test_malformed_files(tmp_path):
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("name: x\ncategories: [unclosed\n")
    with pytest.raises(ScenarioError, match="not valid YAML at line"):
        load_scenario(bad_yaml)
    not_mapping = tmp_path / "list.yaml"
    not_mapping.write_text("- a\n- b\n")
    with pytest.raises(ScenarioError, match="mapping"):
        load_scenario(not_mapping)
    missing = tmp_path / "missing.yaml"
    missing.write_text(yaml.safe_dump({"name": "x", "categories": {"a": {"rate": 1}}}))
    with pytest.raises(ScenarioError) as info:
        load_scenario(missing)
    assert info.value.field == "arrangement"
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_bad_override_syntax(tiny):
    with pytest.raises(ScenarioError, match="dotted.path=value"):
        load_scenario(tiny, overrides=["arrangement.p_buckpass"])
    with pytest.raises(ScenarioError, match="index out of range"):
        load_scenario(tiny, overrides=["territory.departments.7.staff=1"])


def test_shipped_scenario_loads_with_every_variant(beijing):
    base = load_scenario(beijing)
    for name in base.variants:
        sc = load_scenario(beijing, variant=name)
        assert sc.variant == name


def test_the_order_of_categories_and_overlays_counts_in_the_scenario_hash(tiny):
    """The order numbers the categories (and sets the order overlays are asked in), so a run
    depends on it: two orders are two scenarios, and a mapping in sorted order keeps its hash."""
    from governance_sim import run
    from governance_sim.scenario import ordered_keys

    assert len(tiny["categories"]) > 1
    reordered = dict(tiny, categories=dict(reversed(list(tiny["categories"].items()))))
    first, second = load_scenario(tiny), load_scenario(reordered)
    assert first.scenario_hash != second.scenario_hash
    assert load_scenario(dict(tiny)).scenario_hash == first.scenario_hash
    in_sorted_order = dict(tiny, categories=dict(sorted(tiny["categories"].items())))
    assert not ordered_keys(load_scenario(in_sorted_order).model_dump(mode="json"))
    a, b = run(tiny, days=20, seed=1).summary, run(reordered, days=20, seed=1).summary
    assert a["scenario_hash"].iloc[0] != b["scenario_hash"].iloc[0]
