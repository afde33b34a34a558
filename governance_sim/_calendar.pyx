# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The working calendar of :mod:`governance_sim.engine`, compiled.

The same calendar as :class:`governance_sim.engine.PurePythonCalendar`: the same float
operations in the same order, so every time it returns is the same double.  Times of a run
(0 ≤ t < 2**40 hours, efforts and delays below :data:`FAST_BELOW` hours, 1–7 workdays a
week) are computed here; anything else (a negative, huge, infinite or NaN time, work that
walks past ``DAY_BY_DAY`` workdays) goes to the Python definition, which handles it.
"""

from libc.math cimport fmod

cdef double HOURS_PER_DAY = 24.0
cdef double T_LIMIT = 1099511627776.0  # 2**40 hours: days stay exact and small
cdef double FAST_BELOW = 1e6  # efforts and delays (hours) computed here
cdef long DAY_BY_DAY = 4096


cdef inline long _day_of(double t) noexcept:
    # Python's ``int(t // 24.0)`` for 0 ≤ t < 2**40: t minus fmod is an exact multiple of 24
    return <long> ((t - fmod(t, HOURS_PER_DAY)) / HOURS_PER_DAY)


cdef class Calendar:
    """Workdays, office hours and the overtime cap (hours, day 0 = Monday)."""

    cdef public object start, hours, workdays, overtime
    cdef double _start, _hours, _overtime
    cdef long _workdays
    cdef bint _fast

    def __init__(self, start_h=9.0, hours=8.0, workdays_per_week=5, overtime_cap_h=2.0):
        self.start = start_h
        self.hours = hours
        self.workdays = workdays_per_week
        self.overtime = overtime_cap_h
        self._start = start_h
        self._hours = hours
        self._overtime = overtime_cap_h
        self._fast = (type(workdays_per_week) is int and 1 <= workdays_per_week <= 7
                      and all(type(x) is float or type(x) is int for x in (start_h, hours, overtime_cap_h)))
        self._workdays = workdays_per_week if self._fast else 0

    def __setattr__(self, name, value):  # pragma: no cover - the calendar is fixed once built
        raise AttributeError("a calendar is fixed once built")

    def _python(self):
        from governance_sim.engine import PurePythonCalendar

        return PurePythonCalendar

    def is_workday(self, day):
        return day % 7 < self.workdays

    def office_open(self, day, reserved_h=0.0):
        return day * HOURS_PER_DAY + self.start + reserved_h

    def office_close(self, day):
        return day * HOURS_PER_DAY + self.start + self.hours

    def next_start(self, t, reserved_h=0.0):
        """Earliest time ≥ t at which new work may be started (inside office hours)."""
        cdef double tt, r, base, opening
        cdef long day
        if not (self._fast and type(t) is float and type(reserved_h) is float
                and 0.0 <= t < T_LIMIT and 0.0 <= reserved_h < FAST_BELOW):
            return self._python().next_start(self, t, reserved_h)
        tt = t
        r = reserved_h
        day = _day_of(tt)
        while True:
            if day % 7 < self._workdays:
                base = day * HOURS_PER_DAY + self._start
                opening = base + r
                if tt < opening:
                    return opening
                if tt < base + self._hours:
                    return tt
            day += 1
            tt = day * HOURS_PER_DAY

    def finish_time(self, start, effort, reserved_h=0.0):
        """When work of ``effort`` hours begun at ``start`` (inside office hours) ends,
        and how many of those hours fell after closing time (overtime)."""
        cdef double cap, t, remaining, overtime, close, available, end, r
        cdef long day, walked
        if not (self._fast and type(start) is float and type(effort) is float and type(reserved_h) is float
                and 0.0 <= start < T_LIMIT and 0.0 <= effort < FAST_BELOW
                and 0.0 <= reserved_h < FAST_BELOW):
            return self._python().finish_time(self, start, effort, reserved_h)
        cap = self._overtime
        r = reserved_h
        t = start
        remaining = effort
        overtime = 0.0
        day = _day_of(t)
        walked = 0
        while True:
            close = day * HOURS_PER_DAY + self._start + self._hours
            available = close + cap - t
            if remaining <= available:
                end = t + remaining
                if end > close:
                    overtime += end - (close if close >= t else t)
                return end, overtime
            if available > 0:
                remaining -= available
                overtime += cap if t <= close else close + cap - t
            day += 1
            while day % 7 >= self._workdays:
                day += 1
            t = day * HOURS_PER_DAY + self._start + r
            walked += 1
            if walked > DAY_BY_DAY:  # very long work: the Python definition skips whole days
                return self._python().finish_time(self, start, effort, reserved_h)

    def add_working_hours(self, t, hours):
        """A delay counted in office hours (no overtime), e.g. a formal referral."""
        cdef double tt, remaining, opening, available, start_h
        cdef long day, walked
        if not (self._fast and type(t) is float and type(hours) is float
                and 0.0 <= t < T_LIMIT and hours < FAST_BELOW):
            return self._python().add_working_hours(self, t, hours)
        if hours <= 0:
            return t
        start_h = self._start
        tt = t
        day = _day_of(tt)
        while True:  # next_start(t), written out
            if day % 7 < self._workdays:
                opening = day * HOURS_PER_DAY + start_h
                if tt < opening:
                    tt = opening
                    break
                if tt < opening + self._hours:
                    break
            day += 1
            tt = day * HOURS_PER_DAY
        day = _day_of(tt)
        remaining = hours
        walked = 0
        while True:
            available = day * HOURS_PER_DAY + start_h + self._hours - tt
            if remaining <= available:
                return tt + remaining
            remaining -= available if available > 0.0 else 0.0
            day += 1
            while day % 7 >= self._workdays:
                day += 1
            tt = day * HOURS_PER_DAY + start_h
            walked += 1
            if walked > DAY_BY_DAY:
                return self._python().add_working_hours(self, t, hours)

    def _after_workdays(self, day, n):
        return self._python()._after_workdays(self, day, n)

    def add_working_days(self, t, days):
        return self.add_working_hours(t, days * self.hours)

    def workdays_between(self, t0, t1):
        return self._python().workdays_between(self, t0, t1)
