# cython: language_level=3
"""The staff queues of :mod:`governance_sim.agents.workforce`, compiled.

The same :class:`Task` and :class:`Workforce` as ``PurePythonTask`` and
``PurePythonWorkforce`` there, statement for statement: the same waiting heap of
``(-priority, sequence, task)``, the same calls to the calendar and the event queue in the
same order, the same sums.  The counters are C integers and the tasks' fields are read
without a dictionary or a Python frame; a task's values stay the Python objects they were
given, so every time and sum is the same double.
"""

from heapq import heapify, heappop, heappush


cdef class Task:
    """A piece of work: on a case (``case`` set) or routine (line-ministry work)."""

    cdef public object case, effort, priority, activity, on_done, on_start, t_submit, unit, overtime

    def __init__(self, case, effort, priority, activity, on_done=None, on_start=None):
        self.case = case
        self.effort = effort
        self.priority = priority
        self.activity = activity
        self.on_done = on_done
        self.on_start = on_start
        self.t_submit = 0.0
        self.unit = None
        self.overtime = 0.0


cdef class Workforce:
    """Staff of one unit: a multi-server priority queue on a working calendar."""

    cdef public object queue, calendar, reserved_h, _on_finish, _on_wake
    cdef public long staff, free, busy_tasks, completed
    cdef public double overtime_h
    cdef public dict hours
    cdef public list _waiting
    cdef public long long _seq
    cdef public double _wake_at

    def __init__(self, queue, calendar, staff, reserved_h=0.0):
        self.queue = queue  # the model's EventQueue
        self.calendar = calendar
        self.staff = staff
        self.free = staff
        self.reserved_h = reserved_h
        self.hours = {}
        self.overtime_h = 0.0
        self._waiting = []
        self._seq = 0
        self._wake_at = -1.0
        self.busy_tasks = 0
        self.completed = 0
        self._on_finish = self._finish  # bound once, not per event
        self._on_wake = self._wake

    @property
    def backlog(self):
        """Tasks waiting or in progress."""
        return len(self._waiting) + self.busy_tasks

    def add_staff(self, n):
        """Change the headcount by ``n`` (negative to take staff away) before work starts."""
        self.staff += n
        self.free += n

    def shift_priorities(self, shift):
        """Add ``shift(task)`` to the priority of every waiting task (a monthly re-weighting);
        ties keep their first-come order."""
        cdef Task task
        if not self._waiting:
            return
        entries = []
        for _, seq, task in self._waiting:
            task.priority += shift(task)
            entries.append((-task.priority, seq, task))
        heapify(entries)
        self._waiting = entries

    def submit(self, Task task):
        task.t_submit = self.queue.now
        self._seq += 1
        heappush(self._waiting, (-task.priority, self._seq, task))
        self._dispatch()

    cpdef _dispatch(self):
        cdef Task task
        if not self.free or not self._waiting:
            return
        now = self.queue.now
        start = self.calendar.next_start(now, self.reserved_h)
        if start > now:
            if self._wake_at < now or start < self._wake_at:
                self._wake_at = start
                self.queue.schedule(start, self._on_wake)
            return
        while self.free and self._waiting:
            task = heappop(self._waiting)[2]
            self.free -= 1
            self.busy_tasks += 1
            if task.on_start is not None:
                task.on_start(task, now)
            end, task.overtime = self.calendar.finish_time(now, task.effort, self.reserved_h)
            self.queue.schedule(end, self._on_finish, task)

    def _wake(self):
        self._wake_at = -1.0
        self._dispatch()

    def _finish(self, Task task):
        self.free += 1
        self.busy_tasks -= 1
        self.completed += 1
        self.overtime_h += task.overtime  # booked with the hours, when the work is done
        hours = self.hours
        hours[task.activity] = hours.get(task.activity, 0.0) + task.effort
        if task.on_done is not None:
            task.on_done(task)
        self._dispatch()
