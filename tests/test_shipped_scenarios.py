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
                            "hotline_direct", "baseline_extra_staff", "baseline_staff_down_no_whistle"},
    "pinggu_township.yaml": {"baseline", "baseline_extra_guards", "whistle"},
    "xi_town.yaml": {"fixed_offices", "zone_line"},
    "tongguanshan.yaml": {"baseline", "direct_district", "direct_district_inherit_admin"},
    "longgang.yaml": {"baseline", "direct_district_zones"},
}


def test_the_required_variants_exist():
    shipped = {}
    for name, variant in CASES:
        shipped.setdefault(name, set()).add(variant)
    for name, variants in REQUIRED.items():
        assert variants <= shipped.get(name, set()), name


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_variant_runs(name, variant):
    # no warm-up, to keep every variant's run short
    res = run(SCENARIOS / name, variant=None if variant == "default" else variant, days=12,
              overrides={"warmup_days": 0})
    cases, workers = res.cases, res.workers
    assert len(cases) > 0
    assert set(cases["status"]) <= {RESOLVED, CLOSED_ON_PAPER, OPEN}
    assert (cases["t_reported"].dropna() >= cases.loc[cases["t_reported"].notna(), "t_created"]).all()
    assert (workers["hours_worked"] <= workers["hours_available"] + workers["overtime_cap_hours"] + 1e-6).all()
    assert res.summary["arrangement"].iloc[0] == res.scenario.arrangement.name
