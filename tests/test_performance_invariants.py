"""What the speed-ups rely on: runs make no reference cycles, the collector pause
nests and restores, and the fast calendar/queue paths agree with their definitions."""

from __future__ import annotations

import gc
import threading

from governance_sim import GovernanceModel
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
