# cython: language_level=3, boundscheck=False, wraparound=False
"""The staff queues of :mod:`governance_sim.agents.workforce`, compiled.

The same :class:`Task` and :class:`Workforce` as ``PurePythonTask`` and
``PurePythonWorkforce`` there, statement for statement: the same calls to the calendar and
the event queue in the same order, the same sums.  The waiting tasks are a C heap of
(−priority, sequence, task) records sifted exactly as ``heapq`` sifts its tuples, which
compare the same way, so tasks are served in the same order.  The counters are C
integers; a task's values stay the Python objects it was given, so every time and sum is
the same double.
"""

from cpython.object cimport PyTypeObject, traverseproc, visitproc
from cpython.ref cimport Py_DECREF, Py_INCREF, PyObject
from libc.stdlib cimport free, malloc, realloc


cdef struct Waiting:
    double key  # −priority
    long long seq
    PyObject* task


cdef inline bint _before(Waiting* a, Waiting* b) noexcept nogil:
    # as Python compares the tuples (−priority, seq, task): equal keys go by sequence (which
    # is unique); a NaN key is equal to nothing and before nothing, there and here
    if a.key == b.key:
        return a.seq < b.seq
    return a.key < b.key


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
    cdef Waiting* _waiting
    cdef Py_ssize_t _n, _cap
    cdef public long long _seq
    cdef public double _wake_at

    def __cinit__(self, *args, **kwargs):
        self._cap = 16
        self._waiting = <Waiting*> malloc(self._cap * sizeof(Waiting))
        if self._waiting == NULL:
            raise MemoryError()
        self._n = 0

    def __dealloc__(self):
        cdef Py_ssize_t i
        if self._waiting != NULL:
            for i in range(self._n):
                Py_DECREF(<object> self._waiting[i].task)
            free(self._waiting)

    def __init__(self, queue, calendar, staff, reserved_h=0.0):
        self.queue = queue  # the model's EventQueue
        self.calendar = calendar
        self.staff = staff
        self.free = staff
        self.reserved_h = reserved_h
        self.hours = {}
        self.overtime_h = 0.0
        self._seq = 0
        self._wake_at = -1.0
        self.busy_tasks = 0
        self.completed = 0
        self._on_finish = self._finish  # bound once, not per event
        self._on_wake = self._wake

    @property
    def backlog(self):
        """Tasks waiting or in progress."""
        return self._n + self.busy_tasks

    def add_staff(self, n):
        """Change the headcount by ``n`` (negative to take staff away) before work starts."""
        self.staff += n
        self.free += n

    def shift_priorities(self, shift):
        """Add ``shift(task)`` to the priority of every waiting task (a monthly re-weighting);
        ties keep their first-come order."""
        cdef Task task
        cdef Py_ssize_t i
        cdef double* keys
        if not self._n:
            return
        # the new keys aside first: a shift that raises leaves the heap as it was
        keys = <double*> malloc(self._n * sizeof(double))
        if keys == NULL:
            raise MemoryError()
        try:
            for i in range(self._n):  # in the heap's order, as the Python definition walks its list
                task = <Task> self._waiting[i].task
                task.priority += shift(task)
                keys[i] = -task.priority
            for i in range(self._n):
                self._waiting[i].key = keys[i]
        finally:
            free(keys)
        for i in reversed(range(self._n // 2)):  # heapq.heapify
            self._sift_up(i)

    cdef void _sift_down(self, Py_ssize_t start, Py_ssize_t pos) noexcept:
        # heapq._siftdown
        cdef Waiting item = self._waiting[pos]
        cdef Py_ssize_t parent
        while pos > start:
            parent = (pos - 1) >> 1
            if _before(&item, &self._waiting[parent]):
                self._waiting[pos] = self._waiting[parent]
                pos = parent
                continue
            break
        self._waiting[pos] = item

    cdef void _sift_up(self, Py_ssize_t pos) noexcept:
        # heapq._siftup: down to a leaf by the smaller child, then back up
        cdef Py_ssize_t end = self._n, start = pos, child, right
        cdef Waiting item = self._waiting[pos]
        child = 2 * pos + 1
        while child < end:
            right = child + 1
            if right < end and not _before(&self._waiting[child], &self._waiting[right]):
                child = right
            self._waiting[pos] = self._waiting[child]
            pos = child
            child = 2 * pos + 1
        self._waiting[pos] = item
        self._sift_down(start, pos)

    cdef int _push(self, double key, long long seq, Task task) except -1:
        cdef Waiting* grown
        if self._n == self._cap:
            grown = <Waiting*> realloc(self._waiting, 2 * self._cap * sizeof(Waiting))
            if grown == NULL:
                raise MemoryError()
            self._waiting = grown
            self._cap *= 2
        Py_INCREF(task)
        self._waiting[self._n].key = key
        self._waiting[self._n].seq = seq
        self._waiting[self._n].task = <PyObject*> task
        self._n += 1
        self._sift_down(0, self._n - 1)
        return 0

    cdef Task _pop(self):
        # the first task, its reference handed to the caller (heapq.heappop)
        cdef Waiting first
        cdef Waiting last = self._waiting[self._n - 1]
        self._n -= 1
        if self._n:
            first = self._waiting[0]
            self._waiting[0] = last
            self._sift_up(0)
        else:
            first = last
        task = <Task> first.task
        Py_DECREF(task)  # the heap's reference: ``task`` holds its own
        return task

    def submit(self, Task task):
        task.t_submit = self.queue.now
        self._seq += 1
        self._push(-task.priority, self._seq, task)
        self._dispatch()

    cpdef _dispatch(self):
        cdef Task task
        if not self.free or not self._n:
            return
        now = self.queue.now
        start = self.calendar.next_start(now, self.reserved_h)
        if start > now:
            if self._wake_at < now or start < self._wake_at:
                self._wake_at = start
                self.queue.schedule(start, self._on_wake)
            return
        while self.free and self._n:
            task = self._pop()
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

    def __reduce__(self):
        raise TypeError("a workforce holds the tasks of a running model and is not copied")


# The waiting tasks are in C memory: the cyclic collector must see them (a task's callbacks
# lead back to the model that holds this workforce), so the traversal visits them before
# the object fields Cython traverses.
cdef traverseproc _traverse_fields = (<PyTypeObject*> Workforce).tp_traverse


cdef int _traverse_with_tasks(PyObject* o, visitproc visit, void* arg) except -1:
    cdef Workforce force = <Workforce> o
    cdef Py_ssize_t i
    cdef int r
    for i in range(force._n):
        r = visit(force._waiting[i].task, arg)
        if r:
            return r
    return _traverse_fields(o, visit, arg)


(<PyTypeObject*> Workforce).tp_traverse = _traverse_with_tasks
