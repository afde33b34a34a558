"""Executors: where the runs of a sweep are computed, behind one small interface.

As with EMA Workbench's evaluators, the sweep does not care which one it has:

* :class:`SequentialExecutor` — in this process, one run after another;
* :class:`LocalExecutor` — a pool of local processes (default: all cores);
* :class:`DaskExecutor` — a Dask distributed cluster (``tcp://host:port``).

Each yields ``(item, result)`` pairs in completion order.  ``result`` is an
exception instance when the executor itself failed to compute the item (a
worker died, for instance), so the caller can record it and go on.  Results
do not depend on the executor: each run carries its own seed.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from governance_sim.scenario import ScenarioError

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class Executor:
    """Interface: ``with executor: for item, result in executor.map_unordered(fn, items): ...``."""

    name = "executor"
    workers = 1

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        raise NotImplementedError

    def start(self) -> None:
        """Acquire workers (called before a sweep starts its progress bar)."""

    def close(self) -> None:
        """Release workers; pending work is cancelled."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def describe(self) -> str:
        return f"{self.name} ({self.workers} worker{'s' if self.workers != 1 else ''})"


class SequentialExecutor(Executor):
    """One run after another in this process (debugging, tiny sweeps, the reference)."""

    name = "sequential"

    def map_unordered(self, fn, items):
        for item in items:
            try:
                result = fn(item)
            except Exception as exc:
                result = exc
            yield item, result


def _init_worker() -> None:
    # Ctrl-C is for the parent, which stops handing out work; workers finish their run.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker must not outlive its parent, even after `kill -9` of the parent.
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)


def _ready() -> int:
    return os.getpid()


START_METHOD_ENV = "GOVSIM_START_METHOD"


def start_method() -> str:
    """How local workers start: ``$GOVSIM_START_METHOD`` if set; else ``fork`` on Linux (fast: the
    model is already imported) and ``spawn`` elsewhere — Windows has no fork, and forking a
    process that has started threads is unsafe on macOS."""
    methods = multiprocessing.get_all_start_methods()
    chosen = os.environ.get(START_METHOD_ENV, "").strip()
    if chosen:
        if chosen not in methods:
            raise ScenarioError(START_METHOD_ENV, f"unknown start method {chosen!r}; allowed: {', '.join(methods)}")
        return chosen
    return "fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn"


class LocalExecutor(Executor):
    """A pool of worker processes on this machine (``workers=None`` → every core).

    Workers start all at once in :meth:`start`, before the sweep starts any
    thread such as a progress bar, by :func:`start_method` unless
    ``method`` says otherwise (``fork``, ``forkserver`` or ``spawn``; results
    are the same, each run carries its seed).  A pool broken by a killed
    worker is replaced (its runs in flight are reported as failed), at most
    ``max_restarts`` times.
    """

    name = "local"

    def __init__(self, workers: int | None = None, max_restarts: int = 3, method: str | None = None):
        self.workers = int(workers or os.cpu_count() or 1)
        self.max_restarts = max_restarts
        self.method = method or start_method()
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self._pool is None:
            ctx = multiprocessing.get_context(self.method)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker)
            self._pool.submit(_ready).result()  # the first submit starts the workers

    def map_unordered(self, fn, items):
        self.start()
        items = iter(items)
        pending: dict = {}

        def top_up() -> None:
            # a short queue per worker keeps them busy without pickling every task up front
            while len(pending) < 4 * self.workers:
                item = next(items, _END)
                if item is _END:
                    return
                pending[self._pool.submit(fn, item)] = item

        with _ctrl_c_deferred() as interrupted:
            yield from self._collect(items, pending, top_up, interrupted)

    def _collect(self, items, pending: dict, top_up, interrupted: list):
        restarts = 0
        top_up()
        while pending:
            done, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            if interrupted:
                raise KeyboardInterrupt
            broken = False
            for fut in done:
                item = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool as exc:  # a worker was killed (OOM, signal)
                    result, broken = exc, True
                except Exception as exc:
                    result = exc
                yield item, result
            if broken:
                for item in list(pending.values()):
                    yield item, BrokenProcessPool("a worker process died while this run was queued")
                pending.clear()
                self.close()
                restarts += 1
                if restarts > self.max_restarts:
                    for item in items:
                        yield item, BrokenProcessPool("worker processes keep dying; run not attempted")
                    return
                self.start()
            top_up()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


_END = object()


@contextlib.contextmanager
def _ctrl_c_deferred() -> Iterator[list]:
    """Ctrl-C while work is handed to the pool is noted, not raised where it lands: raised
    inside ``ProcessPoolExecutor.submit`` it can leave the pool's locks held, and the
    shutdown that follows then waits forever.  The caller raises it at a safe point."""
    interrupted: list = []
    if threading.current_thread() is not threading.main_thread():
        yield interrupted  # only the main thread receives signals
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
    try:
        yield interrupted
    finally:
        if previous is not None:  # None: a handler not installed from Python, left as it was
            signal.signal(signal.SIGINT, previous)


class DaskExecutor(Executor):
    """Runs on a Dask distributed cluster: ``DaskExecutor("tcp://10.0.0.5:8786")``.

    Start one with ``dask scheduler`` and ``dask worker tcp://HOST:8786`` on each
    machine; workers need ``governance_sim`` installed (the scenario travels
    with each task, so no shared disk is needed).
    """

    name = "dask"

    def __init__(self, scheduler: str, timeout: float = 10.0):
        from governance_sim.extras import require

        Client = require("distributed", "dask", "--scheduler (a Dask cluster)").Client

        if "://" not in scheduler or not scheduler.rsplit(":", 1)[-1].isdigit():
            raise ScenarioError("--scheduler", f"expected an address like tcp://HOST:PORT (got {scheduler!r})")
        self.address = scheduler
        try:
            self.client = Client(scheduler, timeout=timeout, set_as_default=False)
        except Exception as exc:  # OSError / TimeoutError / ValueError, depending on what is wrong
            raise ScenarioError("--scheduler", f"cannot reach a Dask scheduler at {scheduler}: {exc}") from None
        self.workers = sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values())
        self._futures: list = []

    def map_unordered(self, fn, items):
        from distributed import as_completed

        items = list(items)
        futures = self.client.map(fn, items, pure=False)
        self._futures = futures
        index = {f.key: item for f, item in zip(futures, items, strict=True)}
        for fut in as_completed(futures, loop=self.client.loop):
            try:
                result = fut.result()
            except Exception as exc:  # a worker lost mid-run, for instance
                result = exc
            yield index[fut.key], result
            fut.release()

    def close(self) -> None:
        if self._futures:
            self.client.cancel(self._futures)
            self._futures = []
        self.client.close()

    def describe(self) -> str:
        return f"dask {self.address} ({self.workers} threads)"


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor for ``--workers`` / ``--scheduler``: Dask if a scheduler is given,
    sequential for ``workers=1``, else a local pool (``None`` → every core)."""
    if scheduler:
        if workers not in (None, 0):
            raise ScenarioError("--scheduler", "give either --workers (local) or --scheduler (Dask), not both")
        return DaskExecutor(scheduler)
    if workers is not None and workers < 1:
        raise ScenarioError("--workers", f"must be at least 1 (got {workers})")
    if workers == 1:
        return SequentialExecutor()
    return LocalExecutor(workers)
