"""The event queue and the working calendar."""

from __future__ import annotations

import gc
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance_sim.engine import Calendar, EventQueue, PurePythonEventQueue

# the queue's Python definition, and the compiled queue where the package was built with one
QUEUES = [PurePythonEventQueue] + ([EventQueue] if EventQueue is not PurePythonEventQueue else [])


@pytest.fixture(params=QUEUES, ids=lambda q: q.__module__)
def queue_class(request):
    return request.param


def test_events_run_in_time_order_and_ties_in_scheduling_order(queue_class):
    q = queue_class()
    seen = []
    for t, label in [(5.0, "c"), (1.0, "a"), (5.0, "d"), (2.0, "b")]:
        q.schedule(t, seen.append, label)
    q.run_until(10.0)
    assert seen == ["a", "b", "c", "d"]
    assert q.now == 10.0


def test_an_event_scheduled_in_the_past_runs_now_not_earlier(queue_class):
    q = queue_class()
    times = []
    q.schedule(3.0, lambda: q.schedule(1.0, lambda: times.append(q.now)))
    q.run_until(5.0)
    assert times == [3.0]


def test_run_until_leaves_later_events(queue_class):
    q = queue_class()
    q.schedule(24.0, lambda: None)
    q.run_until(24.0)  # strictly before
    assert len(q) == 1


CAL = Calendar(start_h=9, hours=8, workdays_per_week=5, overtime_cap_h=2)


def test_next_start_skips_nights_and_weekends():
    assert CAL.next_start(10.0) == 10.0          # Monday 10:00, open
    assert CAL.next_start(3.0) == 9.0            # Monday 03:00 → 09:00
    assert CAL.next_start(17.5) == 24 + 9        # after closing → Tuesday 09:00
    assert CAL.next_start(4 * 24 + 18) == 7 * 24 + 9  # Friday evening → Monday
    assert CAL.next_start(10.0, reserved_h=2) == 11.0  # routine duties first


def test_finish_time_uses_overtime_up_to_the_cap_then_next_workday():
    end, ot = CAL.finish_time(16.0, 2.0)   # Monday 16:00 + 2h → 18:00, 1h overtime
    assert (end, ot) == (18.0, 1.0)
    end, ot = CAL.finish_time(16.0, 5.0)   # 3h today (1 + cap 2), 2h Tuesday from 09:00
    assert end == 24 + 11 and ot == 2.0
    end, _ = CAL.finish_time(4 * 24 + 16, 5.0)  # Friday → Monday
    assert end == 7 * 24 + 11


def test_working_hours_delay_counts_office_hours_only():
    assert CAL.add_working_hours(9.0, 16.0) == 24 + 17   # two full days
    assert CAL.add_working_days(4 * 24 + 9, 1) == 4 * 24 + 17
    assert CAL.add_working_days(4 * 24 + 17, 1) == 7 * 24 + 17  # over the weekend


@given(st.floats(0, 2000), st.floats(0.01, 60))
def test_work_never_ends_before_it_starts_and_respects_daily_cap(t, effort):
    start = CAL.next_start(t)
    end, ot = CAL.finish_time(start, effort)
    assert end >= start + effort - 1e-9
    assert 0 <= ot <= effort + 1e-9
    days = CAL.workdays_between(start, end) + 1
    assert effort <= days * (CAL.hours + CAL.overtime) + 1e-9


def test_workdays_between_counts_weeks():
    assert CAL.workdays_between(0, 7 * 24) == 5
    assert CAL.workdays_between(0, 14 * 24 + 1) == 10


def test_never_due_events_stay_pending_and_later_days_run_in_order(queue_class):
    q = queue_class()
    log = []
    q.schedule(math.inf, log.append, "never")
    q.schedule(24.0 * 40 + 3, log.append, "day 40")
    q.schedule(24.0 * 2 + 1, log.append, "day 2")
    q.schedule(5.0, log.append, "today")
    q.run_until(24.0 * 1000)  # jumps over the empty days
    assert log == ["today", "day 2", "day 40"]
    assert len(q) == 1 and q.now == 24.0 * 1000
    q.schedule(q.now + 0.5, log.append, "after the jump")
    q.run_until(q.now + 1)
    assert log[-1] == "after the jump"


def test_queue_budget_and_pending_alike_compiled_or_not(queue_class):
    """The event budget stops a run the same way, and what is pending reads the same."""
    from governance_sim.errors import BudgetExceeded

    q = queue_class(max_events=5)
    for k in range(8):
        q.schedule(float(k), lambda: None)
    q.schedule(30.0, print, "tomorrow")
    with pytest.raises(BudgetExceeded, match="limits.max_events"):
        q.run_until(24.0)
    assert q.processed == 6
    assert [(e[0], e[1]) for e in q.pending()] == [(6.0, 7), (7.0, 8), (30.0, 9)]
    assert len(q) == 3
    q.now = 6.5  # a test may set the clock; what is scheduled before it runs now
    q.schedule(1.0, lambda: None)
    assert q.pending()[-1][0] == 6.5


def test_a_build_older_than_its_source_is_not_used(tmp_path):
    """After a pull changes ``_queue.pyx``, the old compiled queue is left for the Python one."""
    import os

    from governance_sim.compiled import built_after_its_source

    build, source = tmp_path / "_queue.so", tmp_path / "_queue.pyx"
    build.write_bytes(b"")
    assert built_after_its_source(build, source)  # an installed wheel: no source beside it
    source.write_text("# changed")
    os.utime(build, (1_000, 1_000))
    os.utime(source, (2_000, 2_000))
    assert not built_after_its_source(build, source)
    os.utime(build, (3_000, 3_000))
    assert built_after_its_source(build, source)


@pytest.mark.parametrize("hours", [(0.5,), (30.0,), (0.5, 30.0, 30.5, 100.0)],
                         ids=["this hour", "a later hour", "both"])
def test_a_queue_dropped_with_events_pending_is_freed(queue_class, hours):
    """A cycle through a pending event (queue → callback → its owner → queue) is garbage the
    collector must find, whether the event waits in the current hour's heap or in a later
    hour's bucket (C memory, both, in the compiled queue)."""
    import weakref

    class Owner:
        def fire(self):
            pass

    owner = Owner()
    owner.queue = queue_class()
    for t in hours:
        owner.queue.schedule(t, owner.fire, owner)
    freed = weakref.ref(owner)
    del owner
    gc.collect()
    assert freed() is None


def test_pending_events_keep_their_time_callback_and_arguments(queue_class):
    """What waits in a later bucket is held by the queue alone and comes back whole: the very
    time object given (an int stays an int) and the arguments in order; dropping the queue
    lets go of what its pending events held."""
    import sys

    def ignore(*_):
        pass

    q = queue_class()
    token = object()
    before = sys.getrefcount(token)
    q.schedule(50, ignore, token, "x")
    q.schedule(49.5, ignore)
    while_pending = sys.getrefcount(token)
    assert while_pending == before + 1  # the queue's own tuple of arguments
    assert [(type(t), seq, a) for t, seq, _, a in q.pending()] == [(int, 1, (token, "x")), (float, 2, ())]
    seen = []
    q.schedule(60.0, lambda: seen.append(q.now))
    q.schedule(50, lambda: seen.append(q.now))
    q.schedule(100.0, ignore, token)
    q.run_until(72.0)
    assert seen == [50, 60.0] and type(seen[0]) is int
    still_pending = sys.getrefcount(token)
    assert still_pending == before + 1
    q = None  # the queue dropped
    after = sys.getrefcount(token)
    assert after == before


def test_a_model_stopped_by_its_budget_is_freed(tiny):
    """A run stopped mid-hour leaves events in the queue; once released (runner.release, for
    Mesa's registry), the model and its agents go with the next collection."""
    import weakref

    from governance_sim import GovernanceModel
    from governance_sim.errors import BudgetExceeded
    from governance_sim.runner import release

    def stopped():
        model = GovernanceModel({**tiny, "limits": {"max_events": 300}}, days=30)
        with pytest.raises(BudgetExceeded):
            model.run_model()
        assert len(model.events) > 0
        release(model)
        return weakref.ref(model)

    freed = stopped()
    gc.collect()
    assert freed() is None


def test_a_stale_build_runs_the_python_definitions_and_says_so_once(monkeypatch):
    import importlib.util

    from governance_sim import compiled

    if importlib.util.find_spec("governance_sim._workforce") is None:
        pytest.skip("built without a C compiler: nothing compiled to be stale")
    monkeypatch.setattr(compiled, "built_after_its_source", lambda build, source: False)
    monkeypatch.setattr(compiled, "_WARNED", set())
    python_task, python_workforce = object(), object()
    with pytest.warns(UserWarning, match=r"_workforce\.pyx changed after it was compiled.*pip install -e \.") as seen:
        assert compiled.compiled_or("_workforce", "Task", python_task) is python_task
        assert compiled.compiled_or("_workforce", "Workforce", python_workforce) is python_workforce
    assert len(seen) == 1
