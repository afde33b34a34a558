"""A unit's staff serving a priority queue of tasks during office hours.

Each of ``staff`` servers takes the waiting task with the highest priority
(ties: first come, first served), works it through office hours with at most
``overtime_cap_h`` a day after closing, and never starts new work after
closing.  ``reserved_h`` at the start of each workday is taken by routine
duties (paperwork, patrol, admin load from above) and is booked separately.

:data:`Task` and :data:`Workforce` are the compiled classes (``governance_sim/_workforce.pyx``)
where the package was built with a C compiler, else the Python definitions here
(``PurePythonTask``, ``PurePythonWorkforce``); both give the same results.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from governance_sim.compiled import compiled_or


class PurePythonTask:
    """A piece of work: on a case (``case`` set) or routine (line-ministry work)."""

    __slots__ = ("case", "effort", "priority", "activity", "on_done", "on_start", "t_submit", "unit", "overtime")

    def __init__(self, case, effort: float, priority: float, activity: str,
                 on_done: Callable | None = None, on_start: Callable | None = None):
        self.case = case
        self.effort = effort
        self.priority = priority
        self.activity = activity
        self.on_done = on_done
        self.on_start = on_start
        self.t_submit = 0.0
        self.unit = None
        self.overtime = 0.0


class PurePythonWorkforce:
    """Staff of one unit: a multi-server priority queue on a working calendar."""

    __slots__ = ("queue", "calendar", "staff", "free", "reserved_h", "hours", "overtime_h",
                 "_waiting", "_seq", "_wake_at", "busy_tasks", "completed", "_on_finish", "_on_wake")

    def __init__(self, queue, calendar, staff: int, reserved_h: float = 0.0):
        self.queue = queue  # the model's EventQueue
        self.calendar = calendar
        self.staff = staff
        self.free = staff
        self.reserved_h = reserved_h
        self.hours: dict[str, float] = {}
        self.overtime_h = 0.0
        self._waiting: list = []
        self._seq = 0
        self._wake_at = -1.0
        self.busy_tasks = 0
        self.completed = 0
        self._on_finish = self._finish  # bound once, not per event
        self._on_wake = self._wake

    @property
    def backlog(self) -> int:
        """Tasks waiting or in progress."""
        return len(self._waiting) + self.busy_tasks

    def add_staff(self, n: int) -> None:
        """Change the headcount by ``n`` (negative to take staff away) before work starts."""
        self.staff += n
        self.free += n

    def shift_priorities(self, shift: Callable[[PurePythonTask], float]) -> None:
        """Add ``shift(task)`` to the priority of every waiting task (a monthly re-weighting);
        ties keep their first-come order."""
        if not self._waiting:
            return
        entries = []
        for _, seq, task in self._waiting:
            task.priority += shift(task)
            entries.append((-task.priority, seq, task))
        heapq.heapify(entries)
        self._waiting = entries

    def submit(self, task: PurePythonTask) -> None:
        task.t_submit = self.queue.now
        self._seq += 1
        heapq.heappush(self._waiting, (-task.priority, self._seq, task))
        self._dispatch()

    def _dispatch(self) -> None:
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
            _, _, task = heapq.heappop(self._waiting)
            self.free -= 1
            self.busy_tasks += 1
            if task.on_start is not None:
                task.on_start(task, now)
            end, task.overtime = self.calendar.finish_time(now, task.effort, self.reserved_h)
            self.queue.schedule(end, self._on_finish, task)

    def _wake(self) -> None:
        self._wake_at = -1.0
        self._dispatch()

    def _finish(self, task: PurePythonTask) -> None:
        self.free += 1
        self.busy_tasks -= 1
        self.completed += 1
        self.overtime_h += task.overtime  # booked with the hours, when the work is done
        self.hours[task.activity] = self.hours.get(task.activity, 0.0) + task.effort
        if task.on_done is not None:
            task.on_done(task)
        self._dispatch()


# the same classes compiled, where the install built them (setup.py)
Task = compiled_or("_workforce", "Task", PurePythonTask)
Workforce = compiled_or("_workforce", "Workforce", PurePythonWorkforce)
