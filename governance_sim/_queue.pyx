# cython: language_level=3, boundscheck=False, wraparound=False
"""The event queue of :mod:`governance_sim.engine`, compiled.

The same queue as :class:`governance_sim.engine.PurePythonEventQueue` — the same calendar
of hour buckets, the same (time, sequence) order, the same budget checks — with the events
of the current bucket in a C heap of (time, sequence, callback, arguments) records: no
tuple comparisons, no sequence integers for them.  A later bucket's events are such records
too, in one C array a bucket in scheduling order (where the Python queue keeps a list of
tuples): an event scheduled ahead costs no tuple and no integer, and a bucket joins the heap
from contiguous memory rather than from tuples scattered over the memory of a large run.
Built by ``setup.py`` where a C compiler is found; the engine falls back to the Python class
otherwise, and the tests hold the two to the same order of events.

The heaps differ in layout (``heapq`` sifts to a leaf first), which cannot change the order
of (time, sequence) pairs, all distinct.  Only a NaN time, which no valid scenario makes and
which is never due in either queue, could sit differently among the pending events.
"""

from cpython.dict cimport PyDict_Next
from cpython.object cimport PyTypeObject, traverseproc, visitproc
from cpython.ref cimport Py_DECREF, Py_INCREF, PyObject
from libc.stdlib cimport free, malloc, realloc

import heapq

cdef double NEVER = 1e300
cdef long long CHECK_EVERY = 100_000


cdef struct Event:
    double t
    long long seq
    PyObject* time  # the time as it was given (``now`` takes this very object)
    PyObject* callback
    PyObject* args


cdef inline bint _before(Event* a, Event* b) noexcept nogil:
    # as Python compares the tuples (time, seq, …): equal times (or the same time object,
    # which a NaN is only to itself) go by sequence
    if a.time == b.time or a.t == b.t:
        return a.seq < b.seq
    return a.t < b.t


cdef class _Bucket:
    """One later bucket's events in scheduling order, as C records holding their references.

    Private to the queue: only the queue's ``_later`` holds one, which is why the queue's
    traversal, not the bucket's, shows the collector the references in it."""

    cdef Event* events
    cdef Py_ssize_t n, cap

    def __cinit__(self):
        self.cap = 8
        self.events = <Event*> malloc(self.cap * sizeof(Event))
        if self.events == NULL:
            raise MemoryError()
        self.n = 0

    def __dealloc__(self):
        _free_events(self.events, self.n)

    cdef int append(self, double t, long long seq, object time, object callback, object args) except -1:
        self.events = _room_for(self.events, &self.cap, self.n + 1)
        self.events[self.n] = _event(t, seq, time, callback, args)
        self.n += 1
        return 0

    def __len__(self):
        return self.n


cdef Event* _room_for(Event* events, Py_ssize_t* cap, Py_ssize_t need) except NULL:
    """``events`` grown (doubling ``cap``) to hold ``need`` records; the array, maybe moved."""
    cdef Py_ssize_t grown_cap = cap[0]
    cdef Event* grown
    while need > grown_cap:
        grown_cap *= 2
    if grown_cap != cap[0]:
        grown = <Event*> realloc(events, grown_cap * sizeof(Event))
        if grown == NULL:
            raise MemoryError()
        events = grown
        cap[0] = grown_cap
    return events


cdef inline Event _event(double t, long long seq, object time, object callback, object args) noexcept:
    """A record of an event, holding references of its own to its time, callback and arguments."""
    cdef Event e
    Py_INCREF(time)
    Py_INCREF(callback)
    Py_INCREF(args)
    e.t = t
    e.seq = seq
    e.time = <PyObject*> time
    e.callback = <PyObject*> callback
    e.args = <PyObject*> args
    return e


cdef void _free_events(Event* events, Py_ssize_t n) noexcept:
    """Let go of the references of ``n`` records and free their array (NULL: nothing)."""
    cdef Py_ssize_t i
    if events != NULL:
        for i in range(n):
            Py_DECREF(<object> events[i].time)
            Py_DECREF(<object> events[i].callback)
            Py_DECREF(<object> events[i].args)
        free(events)


cdef inline tuple _as_tuple(Event* e):
    return (<object> e.time, e.seq, <object> e.callback, <object> e.args)


cdef class EventQueue:
    """A time-ordered queue of callbacks.  ``now`` never decreases."""

    cdef object _now_obj
    cdef double _now
    cdef Event* _heap
    cdef Py_ssize_t _n, _cap
    cdef double _horizon, _bucket_h
    cdef dict _later
    cdef list _buckets
    cdef long long _seq
    cdef public long long processed
    cdef public object max_events
    cdef public object deadline
    cdef public long long _next_check

    def __cinit__(self, *args, **kwargs):
        self._cap = 256
        self._heap = <Event*> malloc(self._cap * sizeof(Event))
        if self._heap == NULL:
            raise MemoryError()
        self._n = 0

    def __init__(self, max_events=None):
        from governance_sim import engine

        self._now_obj = 0.0
        self._now = 0.0
        self._bucket_h = engine.BUCKET_H
        self._horizon = self._bucket_h
        self._later = {}  # bucket → its events (a _Bucket), in scheduling order
        self._buckets = []  # the buckets in ``_later``, a heap
        self._seq = 0
        self.processed = 0
        self.max_events = max_events
        self.deadline = None  # (perf_counter at which to stop, the budget in s)
        self._next_check = CHECK_EVERY

    def __dealloc__(self):
        _free_events(self._heap, self._n)

    @property
    def now(self):
        return self._now_obj

    @now.setter
    def now(self, value):
        self._now_obj = value
        self._now = value

    def check_budget(self):
        """Raise :class:`~governance_sim.errors.BudgetExceeded` once the run is past its event
        count or wall time."""
        from governance_sim import engine

        engine.check_budget(self)

    cdef int _push(self, double t, long long seq, object time, object callback, object args) except -1:
        self._reserve(1)
        self._insert(_event(t, seq, time, callback, args))
        return 0

    cdef int _reserve(self, Py_ssize_t more) except -1:
        self._heap = _room_for(self._heap, &self._cap, self._n + more)
        return 0

    cdef void _insert(self, Event e) noexcept:
        """Sift ``e`` (its references now the heap's) into the heap, which has room for it."""
        cdef Py_ssize_t i, parent
        i = self._n
        self._n += 1
        while i > 0:
            parent = (i - 1) >> 1
            if _before(&e, &self._heap[parent]):
                self._heap[i] = self._heap[parent]
                i = parent
            else:
                break
        self._heap[i] = e

    cdef void _pop_top(self) noexcept:
        """Drop the top record (its references are the caller's) and restore the heap."""
        cdef Py_ssize_t i = 0, child, n
        cdef Event last
        self._n -= 1
        n = self._n
        if n == 0:
            return
        last = self._heap[n]
        while True:
            child = 2 * i + 1
            if child >= n:
                break
            if child + 1 < n and _before(&self._heap[child + 1], &self._heap[child]):
                child += 1
            if _before(&self._heap[child], &last):
                self._heap[i] = self._heap[child]
                i = child
            else:
                break
        self._heap[i] = last

    def schedule(self, time, callback, *args):
        """Run ``callback(*args)`` at ``time`` (clamped to now: events never go back in time)."""
        cdef double t = time
        if t < self._now:
            time = self._now_obj
            t = self._now
        self._seq += 1
        if t < self._horizon or not t < NEVER:  # this bucket's, or never due (inf, nan): the heap
            self._push(t, self._seq, time, callback, args)
            return
        bucket = int(time // self._bucket_h)
        later = self._later.get(bucket)
        if later is None:
            later = self._later[bucket] = _Bucket()
            heapq.heappush(self._buckets, bucket)
        (<_Bucket> later).append(t, self._seq, time, callback, args)

    def run_until(self, until):
        """Process every event strictly before ``until``, then set ``now = until``."""
        cdef double end = until
        cdef long long processed = self.processed
        cdef long long next_check
        cdef Event e
        cdef _Bucket later
        cdef Py_ssize_t i
        if self.max_events is not None:
            next_check = min(self._next_check, self.max_events + 1)
        else:
            next_check = self._next_check
        while True:
            while self._n > 0 and self._heap[0].t < end:
                e = self._heap[0]
                self._pop_top()
                self._now_obj = <object> e.time  # takes a reference of its own
                Py_DECREF(<object> e.time)
                self._now = e.t
                try:
                    (<object> e.callback)(*(<tuple> e.args))
                finally:
                    Py_DECREF(<object> e.callback)
                    Py_DECREF(<object> e.args)
                processed += 1
                if processed >= next_check:
                    self.processed = processed
                    self.check_budget()
                    next_check = self._next_check
            # every event left in the heap is at or after ``until``; so are the later buckets'
            # events once the heap's horizon reaches ``until`` — else the next bucket joins the heap
            if self._horizon >= end or not self._buckets:
                break
            bucket = self._buckets[0]
            if bucket * self._bucket_h >= end:
                break
            heapq.heappop(self._buckets)
            self._horizon = (bucket + 1) * self._bucket_h
            later = self._later.pop(bucket)
            self._reserve(later.n)
            for i in range(later.n):  # the heap takes the bucket's references over
                self._insert(later.events[i])
            later.n = 0
        self.processed = processed
        self.now = until

    def pending(self):
        """Every event not yet run, as ``(time, seq, callback, args)``, in the order scheduled."""
        cdef Py_ssize_t i
        cdef _Bucket later
        events = [_as_tuple(&self._heap[i]) for i in range(self._n)]
        for later in self._later.values():
            events += [_as_tuple(&later.events[i]) for i in range(later.n)]
        events.sort(key=_scheduling_order)
        return events

    def __len__(self):
        return self._n + sum(map(len, self._later.values()))

    def __reduce__(self):
        raise TypeError("an event queue holds callbacks of a running model and is not copied")


def _scheduling_order(event):
    return event[1]


# The events in the C heap and in the later buckets hold their time, callback and arguments.
# The cyclic collector must see those references: a model dropped with events still pending
# (a run stopped by its budget or an error, or simply a model left unfinished) is a cycle
# through them — queue → callback → model → queue — and would otherwise look held from
# outside and never be freed.  Cython traverses the object fields only, so the queue's
# traversal visits the heap and the buckets (which nothing else holds) first, then those.
cdef traverseproc _traverse_fields = (<PyTypeObject*> EventQueue).tp_traverse


cdef int _visit_events(Event* events, Py_ssize_t n, visitproc visit, void* arg) noexcept:
    cdef Py_ssize_t i
    cdef int r
    for i in range(n):
        r = visit(events[i].time, arg)
        if r:
            return r
        r = visit(events[i].callback, arg)
        if r:
            return r
        r = visit(events[i].args, arg)
        if r:
            return r
    return 0


cdef int _traverse_with_events(PyObject* o, visitproc visit, void* arg) except -1:
    cdef EventQueue queue = <EventQueue> o
    cdef Py_ssize_t pos = 0
    cdef PyObject* key
    cdef PyObject* later
    cdef int r = _visit_events(queue._heap, queue._n, visit, arg)
    if r:
        return r
    if queue._later is not None:  # borrowed references: the traversal must not allocate
        while PyDict_Next(queue._later, &pos, &key, &later):
            r = _visit_events((<_Bucket> later).events, (<_Bucket> later).n, visit, arg)
            if r:
                return r
    return _traverse_fields(o, visit, arg)


(<PyTypeObject*> EventQueue).tp_traverse = _traverse_with_events
