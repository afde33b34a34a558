"""What the speed-ups rely on: runs make no reference cycles, the collector pause
nests and restores, and the fast calendar and queue agree with their definitions."""

from __future__ import annotations

import gc
import heapq
import math
import threading
from collections import Counter

import pytest
from conftest import SCENARIOS
from helpers import ReferenceCalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_sim import GovernanceModel, load_scenario
from governance_sim.engine import Calendar, EventQueue, PurePythonEventQueue
from governance_sim.gc_pause import cyclic_gc_paused


def test_a_run_leaves_no_cyclic_garbage(tiny):
    model = GovernanceModel(tiny, days=30)
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        model.run_model()
        # everything the run dropped was freed by reference counting alone
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()
    assert len(model.cases) > 50


def test_gc_pause_nests_and_restores_the_previous_state():
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer run is still going
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # a caller who had disabled it keeps it disabled
    finally:
        gc.enable()


def test_gc_pause_is_restored_after_overlapping_runs_in_threads():
    inside = threading.Barrier(2)
    leave = threading.Event()

    def worker():
        with cyclic_gc_paused():
            inside.wait()
            leave.wait()

    first = threading.Thread(target=worker)
    first.start()
    with cyclic_gc_paused():
        inside.wait()
    assert not gc.isenabled()  # the thread's run is still inside
    leave.set()
    first.join()
    assert gc.isenabled()


def test_gc_pause_is_restored_when_the_run_fails():
    try:
        with cyclic_gc_paused():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.isenabled()


# the queue's Python definition, and the compiled queue where the package was built with one
QUEUES = [PurePythonEventQueue] + ([EventQueue] if EventQueue is not PurePythonEventQueue else [])


def test_the_compiled_queue_is_used_where_it_was_built():
    import importlib.util

    from governance_sim import engine

    if importlib.util.find_spec("governance_sim._queue") is None:
        pytest.skip("built without a C compiler: the Python queue is used")
    from governance_sim._queue import EventQueue as Compiled

    assert engine.EventQueue is Compiled


class _PlainQueue:
    """The definition the event queue must match: one heap of (time, seq)."""

    def __init__(self):
        self.now, self.heap, self.seq = 0.0, [], 0

    def schedule(self, time, callback, *args):
        self.seq += 1
        heapq.heappush(self.heap, (max(time, self.now), self.seq, callback, args))

    def run_until(self, until):
        while self.heap and self.heap[0][0] < until:
            self.now, _, callback, args = heapq.heappop(self.heap)
            callback(*args)
        self.now = until


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.floats(0, 400), st.floats(400, 1e5), st.just(math.inf)),
                          st.integers(0, 3), st.floats(0, 200)), min_size=1, max_size=60),
       st.lists(st.one_of(st.floats(0.1, 60), st.floats(60, 2e4)), min_size=1, max_size=12))
def test_queue_runs_events_in_the_same_order_as_one_heap(events, steps):
    logs = []
    for queue in (*(q() for q in QUEUES), _PlainQueue()):
        log = []

        def fire(label, children, delay, queue=queue, log=log):
            log.append((queue.now, label))
            for k in range(children):  # events schedule more events, some on later days
                queue.schedule(queue.now + delay * (k + 1) / 3, fire, f"{label}.{k}", children - 1, delay / 2)

        for i, (t, children, delay) in enumerate(events):
            queue.schedule(t, fire, str(i), children, delay)
        until = 0.0
        for step in steps:
            until += step
            queue.run_until(until)
            log.append(("pending", len(queue.heap) if isinstance(queue, _PlainQueue) else len(queue)))
        logs.append(log)
    assert all(log == logs[-1] for log in logs)


_calendars = st.builds(
    lambda start, hours, workdays, cap: (start, min(hours, 24 - start - cap), workdays, cap),
    st.floats(0, 14), st.floats(1, 12), st.integers(1, 7), st.floats(0, 4))


@settings(max_examples=300, deadline=None)
@given(_calendars, st.floats(0, 2000), st.floats(0, 120), st.floats(0, 6))
def test_calendar_is_bit_identical_to_its_step_by_step_definition(params, t, hours, reserved):
    fast, slow = Calendar(*params), ReferenceCalendar(*params)
    reserved = min(reserved, params[1] / 2)  # routine duties leave time for cases
    assert fast.next_start(t, reserved) == slow.next_start(t, reserved)
    assert fast.add_working_hours(t, hours) == slow.add_working_hours(t, hours)
    begin = slow.next_start(t, reserved)
    assert fast.finish_time(begin, hours, reserved) == slow.finish_time(begin, hours, reserved)


@pytest.mark.parametrize("path, variant", [
    ("beijing_street.yaml", None), ("beijing_street.yaml", "whistle"),
    ("beijing_street.yaml", "hotline_direct"), ("beijing_street.yaml", "grid_report_quota"),
    ("xi_town.yaml", "zone_line"), ("tongguanshan.yaml", "direct_district"),
])
def test_event_times_are_python_floats(monkeypatch, path, variant):
    """A numpy scalar in the queue compares ten times slower with every event it meets, and
    turns the clock into one for the events scheduled after it (a patience deadline did)."""
    kinds = Counter()

    class Recording(EventQueue):
        def schedule(self, time, callback, *args):
            kinds[type(time).__name__, type(self.now).__name__] += 1
            super().schedule(time, callback, *args)

    monkeypatch.setattr("governance_sim.model.EventQueue", Recording)
    sc = load_scenario(SCENARIOS / path, variant=variant, days=40,
                       overrides={"territory.population": 20_000})
    GovernanceModel(sc).run_model()
    assert set(kinds) == {("float", "float")}, kinds


@pytest.mark.parametrize("bucket_h", [0.25, 1.0, 7.5, 24.0])
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4 * 24 * 5), st.integers(0, 2), st.integers(0, 40)),
                min_size=1, max_size=40),
       st.lists(st.integers(1, 4 * 30), min_size=1, max_size=10))
def test_buckets_of_any_width_keep_the_order_at_their_edges(bucket_h, events, steps):
    """Times on quarter hours land on the buckets' edges; the order is one heap's whatever
    the width (the run's results do not depend on it)."""
    import governance_sim.engine as engine

    logs = []
    saved = engine.BUCKET_H
    engine.BUCKET_H = bucket_h
    try:
        for queue in (*(q() for q in QUEUES), _PlainQueue()):
            log = []

            def fire(label, children, delay, queue=queue, log=log):
                log.append((queue.now, label))
                for k in range(children):
                    queue.schedule(queue.now + delay * (k + 1) / 4, fire, f"{label}.{k}", children - 1, delay)

            for i, (quarter, children, delay) in enumerate(events):
                queue.schedule(quarter / 4, fire, str(i), children, delay)
            until = 0.0
            for step in steps:
                until += step / 4
                queue.run_until(until)
                log.append(("pending", len(queue.heap) if isinstance(queue, _PlainQueue) else len(queue)))
            logs.append(log)
    finally:
        engine.BUCKET_H = saved
    assert all(log == logs[-1] for log in logs)


@settings(max_examples=300, deadline=None)
@given(_calendars,
       st.one_of(st.floats(0, 2000), st.floats(-50, 1e13), st.integers(0, 2000), st.just(math.inf),
                 st.just(math.nan)),
       st.one_of(st.floats(0, 120), st.floats(-5, 1e7), st.integers(0, 100), st.just(math.nan)),
       st.floats(0, 6))
def test_compiled_calendar_returns_the_python_calendars_doubles(params, t, hours, reserved):
    """Where the package was built with a C compiler, the calendar is compiled: it returns what
    the Python definition returns, bit for bit, and hands what it does not compute itself
    (negative, huge, infinite, NaN or integer times) to it."""
    from governance_sim.engine import Calendar, PurePythonCalendar

    if Calendar is PurePythonCalendar:
        pytest.skip("built without a C compiler: the Python calendar is used")
    fast, slow = Calendar(*params), PurePythonCalendar(*params)
    reserved = min(reserved, params[1] / 2)

    def same(call):
        try:
            expected = call(slow)
        except (OverflowError, ValueError) as error:
            with pytest.raises(type(error)):
                call(fast)
            return
        got = call(fast)
        assert repr(got) == repr(expected)  # NaN equal to NaN, and -0.0 told from 0.0

    same(lambda c: c.next_start(t, reserved))
    same(lambda c: c.add_working_hours(t, hours))
    if isinstance(t, float) and 0 <= t < 1e6 and isinstance(hours, float) and 0 <= hours < 1e4:
        begin = slow.next_start(t, reserved)
        same(lambda c: c.finish_time(begin, hours, reserved))


# what a case record may hold if it is to be left out of the cyclic collector's lists
_ACYCLIC = (int, float, str, bool, type(None), tuple, list, dict, frozenset)


def _holds_only_plain_values(value, depth: int = 0) -> bool:
    if not isinstance(value, _ACYCLIC) or depth > 6:
        return False
    if isinstance(value, dict):
        return all(_holds_only_plain_values(k, depth + 1) and _holds_only_plain_values(v, depth + 1)
                   for k, v in value.items())
    if isinstance(value, (tuple, list, frozenset)):
        return all(_holds_only_plain_values(v, depth + 1) for v in value)
    return True


@pytest.mark.parametrize("path, variant", [
    ("beijing_street.yaml", "whistle"), ("beijing_street.yaml", "hotline_direct"),
    ("beijing_street.yaml", "grid_report_quota"), ("xi_town.yaml", "zone_line"),
    ("tongguanshan.yaml", "direct_district"), ("pinggu_township.yaml", None),
])
def test_case_records_hold_only_plain_values(path, variant):
    """Case records are left out of the cyclic collector (``cases.untrack_record``), which is
    right only while a record can be in no reference cycle: every field holds numbers,
    strings, or tuples, lists and dicts of them — never an agent, a unit or a callback."""
    from dataclasses import fields

    from governance_sim.cases import untrack_record

    sc = load_scenario(SCENARIOS / path, variant=variant, days=60, overrides={"territory.population": 20_000})
    model = GovernanceModel(sc)
    model.run_model()
    assert len(model.cases) > 100
    names = [f.name for f in fields(model.cases[0])]
    bad = {(name, type(getattr(c, name)).__name__) for c in model.cases for name in names
           if not _holds_only_plain_values(getattr(c, name))}
    assert not bad
    if untrack_record is not None:  # nor the parts each record makes (its other fields are shared)
        assert not any(gc.is_tracked(c) or gc.is_tracked(c.handoff_log)
                       or (c.dept_times is not None and gc.is_tracked(c.dept_times)) for c in model.cases)


def test_untracked_records_change_no_result(tiny, monkeypatch):
    """The collector's lists are bookkeeping: the tables are the same with every record tracked."""
    from governance_sim.runner import collect

    def run():
        model = GovernanceModel(tiny, days=60)
        model.run_model()
        return collect(model), sum(gc.is_tracked(c) for c in model.cases)

    built, _ = run()
    monkeypatch.setattr("governance_sim.lifecycle.untrack_record", None)
    plain, all_tracked = run()
    assert all_tracked == len(plain.cases) > 50
    for name in ("summary", "cases", "workers", "timeseries"):
        assert getattr(plain, name).equals(getattr(built, name)), name


def test_untracking_leaves_objects_the_collector_does_not_track_alone():
    from governance_sim.cases import untrack_record

    if untrack_record is None:
        pytest.skip("built without a C compiler: records stay tracked")
    for value in (1, 2.5, "text", None):  # no collector header: must not be touched
        untrack_record(value)
    record = [1, 2]
    untrack_record(record)
    assert not gc.is_tracked(record) and record == [1, 2]
