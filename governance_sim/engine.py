"""Discrete-event core: an event queue in continuous hours and a working calendar.

Time is measured in hours from the start of the run (day 0, 00:00, a Monday).
The queue orders ``(time, sequence, callback, args)`` entries; the sequence
number makes ties resolve in scheduling order so runs are deterministic.  The
events of the current hour are in a binary heap, later ones in one unsorted
list per hour (:data:`BUCKET_H`) until their hour comes (a calendar queue):
at city scale most pending events are hours or days ahead (work under way,
patience deadlines, hazards' eruptions), and a heap several times deeper costs
every event.  The order is the same whatever the buckets' width.  Kept
deliberately tiny, in the spirit of SimPy's core.

No loop here runs longer because a parameter is large: work spanning more than
:data:`DAY_BY_DAY` workdays is advanced in whole days at once
(:meth:`Calendar.finish_time`), and
:meth:`EventQueue.run_until` stops a run that goes past its event or
wall-time budget (the scenario's ``limits:``) with :class:`BudgetExceeded`.
"""

from __future__ import annotations

import heapq
import math
import time as _time
from collections.abc import Callable
from heapq import heappush

from governance_sim.compiled import compiled_or
from governance_sim.errors import BudgetExceeded

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
CHECK_EVERY = 100_000  # events between two checks of the budget
# Workdays walked one by one before the rest of a long piece of work is skipped in bulk.  More
# than the workdays of the longest run (3,650 days), so whatever ends inside a run is computed
# day by day, bit-identical to the step-by-step definition; only what ends beyond it is not.
DAY_BY_DAY = 4096
BUCKET_H = 1.0  # hours a bucket of the calendar queue spans (an hour: measured against a day, docs/performance.md)
NEVER = 1e300  # an event at or after this time (inf, say) never falls due: kept in the heap
MAX_WORKDAYS = 1e9  # work that needs more workdays than this never finishes (and times stay exact floats)


def _scheduling_order(event: tuple) -> int:
    return event[1]


def check_budget(queue) -> None:
    """Raise :class:`BudgetExceeded` once ``queue``'s run is past its event count or wall time
    (and set when to look again)."""
    queue._next_check = queue.processed + CHECK_EVERY
    day = int(queue.now // HOURS_PER_DAY)
    if queue.max_events is not None and queue.processed > queue.max_events:
        raise BudgetExceeded("limits.max_events", f"the run was stopped on day {day} after "
                             f"{queue.processed:,} events (limits.max_events = {queue.max_events:,}); a "
                             "parameter probably makes it far larger than intended, or raise the limit "
                             "deliberately with --set limits.max_events=N")
    if queue.deadline is not None and _time.perf_counter() > queue.deadline[0]:
        raise BudgetExceeded("limits.max_wall_s", f"the run was stopped on day {day} after "
                             f"{queue.deadline[1]:g} s (limits.max_wall_s); raise the limit deliberately "
                             "with --set limits.max_wall_s=SECONDS")


class PurePythonEventQueue:
    """A time-ordered queue of callbacks.  ``now`` never decreases.

    The definition of the queue, in Python.  :data:`EventQueue` is the same queue compiled
    (``governance_sim/_queue.pyx``) where the package was built with a C compiler, else this
    class; the two run every event in the same order (tests/test_performance_invariants.py)."""

    __slots__ = ("now", "_heap", "_horizon", "_later", "_buckets", "_seq", "processed", "max_events",
                 "deadline", "_next_check")

    def __init__(self, max_events: int | None = None) -> None:
        self.now = 0.0
        self._heap: list = []  # the events before ``_horizon`` (the end of a bucket), a heap
        self._horizon = BUCKET_H
        self._later: dict[int, list] = {}  # bucket → its events, in scheduling order (not a heap)
        self._buckets: list[int] = []  # the buckets in ``_later``, a heap
        self._seq = 0
        self.processed = 0
        self.max_events = max_events
        self.deadline: tuple[float, float] | None = None  # (perf_counter at which to stop, the budget in s)
        self._next_check = CHECK_EVERY

    def check_budget(self) -> None:
        """Raise :class:`BudgetExceeded` once the run is past its event count or wall time."""
        check_budget(self)

    def schedule(self, time: float, callback: Callable, *args) -> None:
        """Run ``callback(*args)`` at ``time`` (clamped to now: events never go back in time)."""
        if time < self.now:
            time = self.now
        seq = self._seq = self._seq + 1
        event = (time, seq, callback, args)
        if time < self._horizon or not time < NEVER:  # this hour's, or never due (inf, nan): the heap
            heappush(self._heap, event)
            return
        bucket = int(time // BUCKET_H)
        later = self._later.get(bucket)
        if later is None:
            self._later[bucket] = [event]
            heappush(self._buckets, bucket)
        else:
            later.append(event)

    def run_until(self, until: float) -> None:
        """Process every event strictly before ``until``, then set ``now = until``."""
        heap = self._heap
        pop = heapq.heappop
        processed = self.processed
        next_check = min(self._next_check, self.max_events + 1) if self.max_events is not None \
            else self._next_check
        while True:
            while heap and heap[0][0] < until:
                time, _, callback, args = pop(heap)
                self.now = time
                callback(*args)
                processed += 1
                if processed >= next_check:
                    self.processed = processed
                    self.check_budget()
                    next_check = self._next_check
            # every event left in the heap is at or after ``until``; so are the later buckets' events
            # once the heap's horizon reaches ``until`` — else the next bucket with events joins the heap
            buckets = self._buckets
            if self._horizon >= until or not buckets:
                break
            bucket = buckets[0]
            if bucket * BUCKET_H >= until:
                break
            heapq.heappop(buckets)
            self._horizon = (bucket + 1) * BUCKET_H
            heap += self._later.pop(bucket)  # the seq keeps ties in scheduling order once heapified
            heapq.heapify(heap)
        self.processed = processed
        self.now = until

    def pending(self) -> list[tuple]:
        """Every event not yet run, as ``(time, seq, callback, args)``, in the order scheduled."""
        events = list(self._heap)
        for later in self._later.values():
            events += later
        events.sort(key=_scheduling_order)
        return events

    def __len__(self) -> int:
        return len(self._heap) + sum(map(len, self._later.values()))


EventQueue = compiled_or("_queue", "EventQueue", PurePythonEventQueue)


class PurePythonCalendar:
    """Workdays, office hours and the overtime cap (hours, day 0 = Monday).

    The definition of the calendar, in Python.  :data:`Calendar` is the same calendar
    compiled (``governance_sim/_calendar.pyx``) where the package was built with a C
    compiler, else this class; both return the same doubles.

    ``finish_time`` advances a piece of work through office hours: work may
    run past closing by at most ``overtime_cap_h`` a day, and the rest waits
    for the next workday.  ``reserved_h`` at the start of each day is taken
    by routine duties (paperwork, patrol) and is not available for cases.
    """

    __slots__ = ("start", "hours", "workdays", "overtime")

    def __init__(self, start_h: float = 9.0, hours: float = 8.0, workdays_per_week: int = 5,
                 overtime_cap_h: float = 2.0):
        self.start = start_h
        self.hours = hours
        self.workdays = workdays_per_week
        self.overtime = overtime_cap_h

    def is_workday(self, day: int) -> bool:
        return day % 7 < self.workdays

    def office_open(self, day: int, reserved_h: float = 0.0) -> float:
        return day * HOURS_PER_DAY + self.start + reserved_h

    def office_close(self, day: int) -> float:
        return day * HOURS_PER_DAY + self.start + self.hours

    # The three methods below are the hottest code of a run: they are written out
    # (no helper calls) but do the same float operations in the same order as
    # office_open/office_close, so results stay bit-identical.
    def next_start(self, t: float, reserved_h: float = 0.0) -> float:
        """Earliest time ≥ t at which new work may be started (inside office hours)."""
        day = int(t // HOURS_PER_DAY)
        while True:
            if day % 7 < self.workdays:
                base = day * HOURS_PER_DAY + self.start
                opening = base + reserved_h
                if t < opening:
                    return opening
                if t < base + self.hours:
                    return t
            day += 1
            t = day * HOURS_PER_DAY

    def finish_time(self, start: float, effort: float, reserved_h: float = 0.0) -> tuple[float, float]:
        """When work of ``effort`` hours begun at ``start`` (inside office hours) ends,
        and how many of those hours fell after closing time (overtime)."""
        cap, workdays = self.overtime, self.workdays
        t = start
        remaining = effort
        overtime = 0.0
        day = int(t // HOURS_PER_DAY)
        walked = 0
        while True:
            close = day * HOURS_PER_DAY + self.start + self.hours
            available = close + cap - t
            if remaining <= available:
                end = t + remaining
                if end > close:
                    overtime += end - max(close, t)
                return end, overtime
            if available > 0:
                remaining -= available
                overtime += cap if t <= close else close + cap - t
            day += 1
            while day % 7 >= workdays:
                day += 1
            t = day * HOURS_PER_DAY + self.start + reserved_h
            walked += 1  # only work that spills into another day gets here
            if walked > DAY_BY_DAY:
                per_day = self.hours + cap - reserved_h  # what a whole workday after the first takes
                if per_day <= 0 or not remaining / per_day <= MAX_WORKDAYS:
                    return math.inf, overtime  # routine fills every hour, or endless (inf, nan) work
                skip = int(remaining // per_day) - 1
                if skip > 0:
                    remaining -= skip * per_day
                    overtime += skip * min(cap, per_day)
                    day = self._after_workdays(day, skip)
                    t = day * HOURS_PER_DAY + self.start + reserved_h
                walked = 0

    def add_working_hours(self, t: float, hours: float) -> float:
        """A delay counted in office hours (no overtime), e.g. a formal referral."""
        if hours <= 0:
            return t
        start, workdays = self.start, self.workdays
        day = int(t // HOURS_PER_DAY)
        while True:  # next_start(t), written out
            if day % 7 < workdays:
                opening = day * HOURS_PER_DAY + start
                if t < opening:
                    t = opening
                    break
                if t < opening + self.hours:
                    break
            day += 1
            t = day * HOURS_PER_DAY
        day = int(t // HOURS_PER_DAY)
        remaining = hours
        walked = 0
        while True:
            available = day * HOURS_PER_DAY + start + self.hours - t
            if remaining <= available:
                return t + remaining
            remaining -= max(available, 0.0)
            day += 1
            while day % 7 >= workdays:
                day += 1
            t = day * HOURS_PER_DAY + start
            walked += 1  # only delays that span another day get here
            if walked > DAY_BY_DAY:
                if not remaining / self.hours <= MAX_WORKDAYS:
                    return math.inf  # endless (inf, nan) delay
                skip = int(remaining // self.hours) - 1
                if skip > 0:
                    remaining -= skip * self.hours
                    day = self._after_workdays(day, skip)
                    t = day * HOURS_PER_DAY + start
                walked = 0

    def _after_workdays(self, day: int, n: int) -> int:
        """The workday ``n`` workdays after workday ``day``."""
        weeks, rest = divmod(n, self.workdays)
        day += weeks * 7
        for _ in range(rest):
            day += 1
            while day % 7 >= self.workdays:
                day += 1
        return day

    def add_working_days(self, t: float, days: float) -> float:
        return self.add_working_hours(t, days * self.hours)

    def workdays_between(self, t0: float, t1: float) -> int:
        d0, d1 = int(math.floor(t0 / HOURS_PER_DAY)), int(math.floor(t1 / HOURS_PER_DAY))
        full_weeks, rest = divmod(d1 - d0, 7)
        count = full_weeks * self.workdays
        for d in range(d0 + full_weeks * 7, d0 + full_weeks * 7 + rest):
            count += self.is_workday(d)
        return count


Calendar = compiled_or("_calendar", "Calendar", PurePythonCalendar)
