"""Invariants over random parameter sets (hypothesis): every case ends in a known state,
time never runs backwards, hours worked ≤ hours available + the overtime cap."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance_sim import GovernanceModel
from governance_sim.cases import CLOSED_ON_PAPER, OPEN, RESOLVED
from governance_sim.runner import collect

TIMESTAMPS = ["t_created", "t_discovered", "t_reported", "t_accepted", "t_first_response", "t_closed"]

params = st.fixed_dictionaries({
    "arrangement.p_buckpass": st.floats(0, 1),
    "arrangement.trace_prob": st.floats(0, 1),
    "roles.department.attention_inertia": st.floats(0, 1),
    "arrangement.referral_delay_days": st.floats(0, 5),
    "roles.grid_worker.detection_prob": st.floats(0, 1),
    "roles.community_office.staff": st.integers(1, 6),
    "roles.community_office.paperwork_h": st.floats(0, 8),  # routine duties must fit in the working day
    "calendar.overtime_cap_h": st.floats(0, 4),
    "territory.departments.urban.staff": st.integers(1, 5),
    "roles.department.local_priority": st.floats(0, 2),
    "roles.resident.report_delay_h": st.floats(0, 72),
    "seed": st.integers(0, 10_000),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(overrides=params)
def test_invariants_hold_for_any_parameters(tiny, overrides):
    seed = overrides.pop("seed")
    model = GovernanceModel(tiny, seed=seed, days=45, overrides=overrides)
    model.run_model()
    res = collect(model)
    cases, workers = res.cases, res.workers
    end = 45 * 24.0

    assert set(cases["status"]) <= {RESOLVED, CLOSED_ON_PAPER, OPEN}
    assert cases["case_id"].is_unique
    resolved = cases["status"] == RESOLVED
    assert cases.loc[resolved, "t_resolved"].notna().all()
    assert cases.loc[~resolved, "t_resolved"].isna().all()
    assert cases.loc[cases["status"] != OPEN, "t_closed"].notna().all()

    # time never runs backwards along a case's life, and nothing happens after the end
    for _, c in cases.iterrows():
        seen = [c[k] for k in TIMESTAMPS if not math.isnan(c[k])]
        assert seen == sorted(seen), (c["case_id"], seen)
        assert all(t <= end for t in seen)
        if not math.isnan(c["t_dispatched"]):
            assert c["t_dispatched"] >= c["t_reported"]
    for case in model.cases:
        times = [h[2] for h in case.handoffs]
        assert times == sorted(times)
        assert not times or times[0] >= case.t_reported - 1e-9

    # hours worked ≤ hours available + the overtime cap, for every unit
    slack = workers["hours_available"] + workers["overtime_cap_hours"] + 1e-6
    assert (workers["hours_worked"] <= slack).all()
    assert (workers["overtime_hours"] <= workers["overtime_cap_hours"] + 1e-6).all()
