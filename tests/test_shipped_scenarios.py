"""Every shipped scenario and variant loads, builds and runs a few days within the invariants."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from governance_sim import run
from governance_sim.cases import CLOSED_ON_PAPER, OPEN, RESOLVED

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
CASES = [(p.name, v) for p in sorted(SCENARIOS.glob("*.yaml"))
         for v in (yaml.safe_load(p.read_text(encoding="utf-8")).get("variants") or {"default": {}})]
REQUIRED = {
    "beijing_street.yaml": {"baseline", "whistle", "whistle_no_reverse_assessment", "hotline_classic",
                            "hotline_direct", "baseline_extra_staff", "baseline_staff_down_no_whistle",
                            "community_invitation", "mass_whistle", "party_building", "grid_report_quota"},
    "pinggu_township.yaml": {"baseline", "baseline_extra_guards", "whistle"},
    "xi_town.yaml": {"fixed_offices", "zone_line"},
    "tongguanshan.yaml": {"baseline", "direct_district", "direct_district_inherit_admin"},
    "longgang.yaml": {"baseline", "direct_district_zones"},
    "beijing_city.yaml": {"hotline_classic", "hotline_direct"},
}


def test_the_required_variants_exist():
    shipped = {}
    for name, variant in CASES:
        shipped.setdefault(name, set()).add(variant)
    for name, variants in REQUIRED.items():
        assert variants <= shipped.get(name, set()), name


def _two_districts(tmp_path) -> str:
    """beijing_2020.csv cut to its city row and two districts (东城区, 延庆区) with their streets:
    the city scenario's variants run on it in seconds instead of building 21.9 M people."""
    lines = (SCENARIOS / "data" / "beijing_2020.csv").read_text(encoding="utf-8").splitlines()
    keep = ("110000", "110101", "110119")
    rows = [ln for ln in lines[1:] if ln.split(",")[0] in keep or ln.split(",")[3] in keep[1:]]
    path = tmp_path / "two_districts.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_variant_runs(name, variant, tmp_path):
    # no warm-up, to keep every variant's run short; the city on two of its districts
    overrides = {"warmup_days": 0}
    if name == "beijing_city.yaml":
        overrides.update({"territory.source": _two_districts(tmp_path), "territory.communities_per_street": 2})
    res = run(SCENARIOS / name, variant=None if variant == "default" else variant, days=12,
              overrides=overrides)
    cases, workers = res.cases, res.workers
    assert len(cases) > 0
    assert set(cases["status"]) <= {RESOLVED, CLOSED_ON_PAPER, OPEN}
    assert (cases["t_reported"].dropna() >= cases.loc[cases["t_reported"].notna(), "t_created"]).all()
    assert (workers["hours_worked"] <= workers["hours_available"] + workers["overtime_cap_hours"] + 1e-6).all()
    assert res.summary["arrangement"].iloc[0] == res.scenario.arrangement.name
