"""A case's per-department times: the latest receipt and the first arrival, whatever the order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from governance_sim.cases import Case

events = st.lists(st.tuples(st.sampled_from(["received", "arrived"]), st.integers(0, 5),
                            st.floats(0, 1e6, allow_nan=False)), max_size=30)


def new_case() -> Case:
    return Case(id=0, category=0, grid=0, community=0, street=0, household=0, severity=1,
                departments=(0, 1), latent=False, t_created=0.0)


@given(events)
def test_latest_receipt_and_first_arrival_as_dicts_would_keep_them(seq):
    case, received, arrived = new_case(), {}, {}
    for kind, d, t in seq:
        if kind == "received":
            case.mark_received(d, t)
            received[d] = t
        else:
            case.mark_arrived(d, t)
            arrived.setdefault(d, t)
    for d in range(6):
        assert case.received_at(d, -1.0) == received.get(d, -1.0)
        assert case.arrived_at(d, -1.0) == arrived.get(d, -1.0)


def test_a_time_equal_to_a_department_number_is_not_taken_for_it():
    case = new_case()
    case.mark_received(3, 0.0)   # department 3 at time 0.0 == department 0
    assert case.received_at(0, None) is None and case.arrived_at(0, None) is None
    case.mark_arrived(1, 3.0)
    assert case.arrived_at(3, None) is None and case.received_at(3, None) == 0.0


handoffs = st.lists(st.tuples(st.sampled_from(["grid_worker:0", "community_office:1", "department:3", "-"]),
                              st.sampled_from(["community_office:1", "department:3", "street_office:0"]),
                              st.floats(0, 1e6, allow_nan=False),
                              st.sampled_from(["report_up", "referral", "buckpass", "whistle"])), max_size=12)


@given(handoffs)
def test_handoffs_read_back_in_order_as_recorded(seq):
    case = new_case()
    for src, dst, t, reason in seq:
        case.handoff(src, dst, t, reason)
    assert case.handoffs == list(seq)
    assert case.n_handoffs == len(seq)
    assert case.handoff_units == [h[1] for h in seq]
    assert case.handoff_reasons == [h[3] for h in seq]


def test_cases_share_one_record_of_each_kind_of_handoff():
    a, b = new_case(), new_case()
    a.handoff("community_office:1", "department:3", 1.0, "referral")
    b.handoff("community_office:" + "1", "department:" + "3", 2.0, "referral")  # equal, not the same strings
    assert a.handoff_log[0] is b.handoff_log[0]
    assert a.handoffs[0][0] is b.handoffs[0][0]  # unit labels interned: one copy for all cases
