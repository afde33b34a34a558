# cython: language_level=3
"""Case records kept out of the cyclic garbage collector's lists, compiled.

A case record (:class:`governance_sim.cases.Case`), its hand-off tuple and its list of
department times hold only numbers, strings and small tuples, lists and dicts of them: they
can be part of no reference cycle, so the cyclic collector need never look at them.
CPython does the same for tuples and dicts that hold only such values.  Without this, the
collector's first pass after a run walks every record the run made (its ~50 slots each):
most of a 40–50 ms pass after a 100,000-person year, and of a 0.8–0.9 s one after a
1,000,000-person year (4–5 ms and ~0.05 s with them left out).  Reference counting still
frees a record the moment nothing holds it.
"""

cdef extern from "Python.h":
    bint PyObject_IS_GC(object)
    void PyObject_GC_UnTrack(void *)


def untrack(object record):
    """Take ``record`` out of the cyclic collector's lists (nothing for an object it does not track)."""
    if PyObject_IS_GC(record):
        PyObject_GC_UnTrack(<void *> record)
