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
