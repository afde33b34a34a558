"""``eventlog.event_rows`` against its definition, one case at a time.

The log is built column by column for speed; this module keeps the definition it must
match — each case's events listed from its record and trail, then sorted by (time, the
order of steps at one instant, the order the case took them) — and compares the two on
drawn cases: ties, untimed (NaN) steps, eruptions, petitions, hand-offs, every trail step,
subsets of cases in any order and trail rows of cases not asked for.
"""

from __future__ import annotations

import copy
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_sim import GovernanceModel, eventlog, load_scenario
from governance_sim.cases import FOUND_BY_RESIDENT, Case, Category

NAN = math.nan


def _reference_rows(case, trail_rows, category: str) -> list[tuple]:
    """The events of one case, in order (the definition in docs/event_log.md)."""
    hh = f"household:{case.household}"
    rows = [(case.t_created, "created", hh, "", "", NAN, False)]
    if case.eruption:
        rows.append((case.t_erupt, "erupted", "", "", "", NAN, False))
    accepted_by = next((r[3] for r in trail_rows if r[2] == "accepted"), None)
    if case.t_discovered == case.t_discovered:
        finder = hh if case.found_by == FOUND_BY_RESIDENT else eventlog._unit(accepted_by or "")
        rows.append((case.t_discovered, "discovered", finder, case.found_by, "", NAN, False))
        rows.append((case.t_reported, "reported", finder, case.channel, "", NAN, False))
        if case.petition:
            rows.append((case.t_reported, "petitioned", hh, "petition", "", NAN, False))
    for src, dst, t, reason in case.handoffs:
        rows.append((t, eventlog.HANDOFF_ACTIVITY.get(reason, "referred"), src if src != "-" else "",
                     reason, dst, NAN, True))
    for _, t, activity, key, detail in trail_rows:
        resource = eventlog._unit(key)
        if activity in ("acted", "rated"):
            rows.append((t, activity, resource, "", "", float(detail), False))
        elif activity == "audited":
            rows.append((t, "audited", resource, "caught" if detail else "clean", "", NAN, False))
        elif activity == "arrived_on_site":
            rows.append((t, activity, resource, "", f"department:{detail}", NAN, False))
        else:
            rows.append((t, activity, resource, detail or "", "", NAN, False))
    keyed = sorted(((r[0], eventlog.ORDER[r[1]], i, *r[1:]) for i, r in enumerate(rows)), key=lambda r: r[:3])
    return [(case.id, a, t, res, reason, target, value, handoff, case.household, case.street, category,
             len(case.departments)) for t, _, _, a, res, reason, target, value, handoff in keyed]


def _reference(cases, trail, categories) -> pd.DataFrame:
    by_case: dict[int, list] = {}
    for row in trail:
        by_case.setdefault(row[0], []).append(row)
    rows = []
    for case in cases:
        rows.extend(_reference_rows(case, by_case.get(case.id, ()), categories[case.category].name))
    return pd.DataFrame.from_records(rows, columns=list(eventlog.DTYPES)).astype(eventlog.DTYPES)


CATEGORIES = [Category(i, f"cat{i}", f"cat{i}", 0.01, 0.0, 0.5, (0, 1)[: i + 1], False, 30.0, False,
                       False, False, False, False, (0.5, 0.8, 1.0)) for i in range(2)]
# a few instants, so that steps often share one; NaN for a step not yet timed
TIMES = st.sampled_from([0.0, 1.5, 8.0, 8.0 + 1e-9, 30.25, NAN])
UNITS = st.sampled_from([("department", 0), ("department", 1), ("street_office", 0), ("community_office", 3),
                         ("household", 7), "department:1", "hotline_centre:0"])
REASONS = st.sampled_from(["referral", "buckpass", "whistle", "escalate", "audit_reopen", "reopened", "dispatch"])
LABELS = st.sampled_from(["-", "department:0", "department:1", "street_office:0", "community_office:3"])


@st.composite
def a_case(draw, case_id: int) -> Case:
    case = Case(id=case_id, category=draw(st.integers(0, 1)), grid=0, community=0, street=draw(st.integers(0, 2)),
                household=draw(st.integers(0, 50)), severity=1, departments=(0,), latent=draw(st.booleans()),
                t_created=draw(TIMES))
    case.eruption = draw(st.booleans())
    case.t_erupt = draw(TIMES)
    if draw(st.booleans()):
        case.t_discovered, case.t_reported = draw(TIMES), draw(TIMES)
        case.found_by = draw(st.sampled_from([FOUND_BY_RESIDENT, "patrol", "eruption"]))
        case.channel = draw(st.sampled_from(["hotline", "community", "petition"]))
        case.petition = draw(st.booleans())
    for _ in range(draw(st.integers(0, 4))):
        case.handoff(draw(LABELS), draw(LABELS), draw(TIMES), draw(REASONS))
    return case


@st.composite
def a_trail_row(draw, n_cases: int) -> tuple:
    case_id = draw(st.integers(0, n_cases))  # n_cases: a case not among those asked for
    activity = draw(st.sampled_from(["accepted", "work_started", "acted", "rated", "audited", "arrived_on_site",
                                     "reopened", "resolved", "closed_on_paper"]))
    detail = {"acted": draw(st.floats(0, 10)), "rated": draw(st.integers(1, 5)), "audited": draw(st.booleans()),
              "arrived_on_site": draw(st.integers(0, 3)),
              }.get(activity, draw(st.sampled_from([None, "", "patrol", "hotline", "department", "eruption"])))
    return (case_id, draw(TIMES), activity, draw(UNITS), detail)


@st.composite
def a_run(draw):
    n = draw(st.integers(0, 6))
    cases = [draw(a_case(i)) for i in range(n)]
    trail = draw(st.lists(a_trail_row(n), max_size=20))
    asked = draw(st.permutations(cases)) if draw(st.booleans()) else cases
    asked = asked[: draw(st.integers(0, len(asked)))] if asked else asked
    return asked, trail


@settings(max_examples=300, deadline=None)
@given(a_run())
def test_event_rows_match_the_case_by_case_definition(run):
    cases, trail = run
    pd.testing.assert_frame_equal(eventlog.event_rows(cases, trail, CATEGORIES),
                                  _reference(cases, trail, CATEGORIES), check_exact=True)


@pytest.mark.parametrize("arrangement", ["baseline", "whistle", "direct_district"])
def test_event_rows_of_a_run_match_the_definition(arrangement):
    from conftest import TINY

    sc = copy.deepcopy(TINY)
    sc["overlays"] = {"hotline": {"audit_rate": 0.5, "paper_close_rate": 1.0, "resolution_deadline_days": 2}}
    sc["arrangement"] = {"name": arrangement}
    model = GovernanceModel(load_scenario(sc, days=45).model_dump(mode="json"))
    eventlog.record(model)
    model.run_model()
    assert model.lifecycle.trail
    pd.testing.assert_frame_equal(eventlog.event_rows(model.cases, model.lifecycle.trail, model.categories),
                                  _reference(model.cases, model.lifecycle.trail, model.categories),
                                  check_exact=True)
