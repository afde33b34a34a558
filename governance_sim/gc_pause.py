"""Pause Python's cyclic garbage collector while a run executes.

A run keeps hundreds of thousands of long-lived objects (households, cases
with their hand-off records, queued events) and creates no reference cycles:
reference counting frees everything it drops.  The cyclic collector still
wakes up every few hundred allocations and, each time the heap has grown by
a quarter, traverses all of it — a quarter of the run time at 100,000 people
and a share that grows with the population.  ``timeit`` pauses it for the
same reason.

Runs may overlap (threads of the exploration app); the collector is paused
while at least one run is inside :func:`cyclic_gc_paused` and restored to
its previous state when the last one leaves.  Cyclic garbage made meanwhile
(by user code, say) is collected by the next automatic pass afterwards.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
