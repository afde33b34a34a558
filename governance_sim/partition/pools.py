"""Where the district models live: this process, local worker processes, or Dask actors.

Every pool holds one :class:`~governance_sim.partition.host.DistrictHost` per worker
and offers one call: ``pool.call(method, *args)`` runs ``method`` on every host at
once and returns the union of their answers (each keyed by district).  The
coordinator (``governance_sim.partition.run_partitioned``) does not know which
pool it has.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import traceback
from typing import Any

from governance_sim.partition.host import DistrictHost


def _union(answers: list[dict]) -> dict:
    out: dict = {}
    for answer in answers:
        out.update(answer or {})
    return out


class InlinePool:
    """Every district in this process (one worker: the reference the others must equal)."""

    workers = 1

    def __init__(self, groups: list[dict]):
        self.host = DistrictHost(_union(groups))

    def call(self, method: str, *args) -> dict:
        return getattr(self.host, method)(*args)

    def close(self) -> None:
        self.host = None


def _serve(conn, scenarios: dict) -> None:
    """A worker process: build the host, then answer calls until told to stop."""
    from governance_sim.experiments.executors import _init_worker

    _init_worker()  # ignore Ctrl-C (the parent stops the run), die with the parent
    try:
        host = DistrictHost(scenarios)
        conn.send(("ok", None))
        while True:
            message = conn.recv()
            if message is None:
                break
            method, args = message
            conn.send(("ok", getattr(host, method)(*args)))
    except Exception as exc:  # the parent raises it (or its text, if it cannot travel)
        try:
            conn.send(("error", exc))
        except Exception:
            conn.send(("error", RuntimeError(traceback.format_exc())))
    finally:
        conn.close()


class LocalPool:
    """One worker process per group of districts, each spoken to through a pipe."""

    def __init__(self, groups: list[dict], method: str | None = None):
        from governance_sim.experiments.executors import start_method

        ctx = multiprocessing.get_context(method or start_method())
        self.workers = len(groups)
        self._conns, self._procs = [], []
        try:
            for scenarios in groups:
                parent, child = ctx.Pipe()
                proc = ctx.Process(target=_serve, args=(child, scenarios), daemon=True)
                proc.start()
                child.close()
                self._conns.append(parent)
                self._procs.append(proc)
            self._gather()  # every worker has built its districts
        except BaseException:
            self.close()
            raise

    def _gather(self) -> list[Any]:
        answers = []
        for conn, proc in zip(self._conns, self._procs, strict=True):
            try:
                status, value = conn.recv()
            except EOFError:
                raise RuntimeError(f"worker process {proc.pid} died (exit code {proc.exitcode})") from None
            if status == "error":
                raise value
            answers.append(value)
        return answers

    def call(self, method: str, *args) -> dict:
        for conn in self._conns:
            conn.send((method, args))
        return _union(self._gather())

    def close(self) -> None:
        for conn in self._conns:
            with contextlib.suppress(BrokenPipeError, OSError):  # a worker that already died
                conn.send(None)
        for proc in self._procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
                proc.join()
        for conn in self._conns:
            conn.close()
        self._conns, self._procs = [], []


def dask_client(scheduler):
    """``(client, owned)`` for a scheduler address (``tcp://HOST:PORT``) or a ``distributed.Client``;
    ``owned`` when the client was opened here (and is to be closed here)."""
    from governance_sim.extras import require

    distributed = require("distributed", "dask", "a city run on a Dask cluster (--scheduler)")
    if isinstance(scheduler, distributed.Client):
        return scheduler, False
    from governance_sim.experiments.executors import DaskExecutor

    return DaskExecutor(scheduler).client, True  # checks the address, one clear line if it is wrong


def dask_workers(client) -> list[str]:
    return sorted(client.scheduler_info()["workers"])


class DaskPool:
    """One Dask actor per group of districts, spread over the cluster's workers in turn.

    The territory file must be readable at the same path on every Dask worker.
    """

    def __init__(self, groups: list[dict], client, owned: bool = False):
        self.client, self._own = client, owned
        addresses = dask_workers(client)
        self.workers = len(groups)
        self._futures = [client.submit(DistrictHost, scenarios, actor=True, pure=False,
                                       workers=[addresses[i % len(addresses)]])
                         for i, scenarios in enumerate(groups)]
        self.actors = [f.result() for f in self._futures]

    def call(self, method: str, *args) -> dict:
        pending = [getattr(actor, method)(*args) for actor in self.actors]
        return _union([p.result() for p in pending])

    def close(self) -> None:
        self.actors = []
        if self._futures:
            self.client.cancel(self._futures)
            self._futures = []
        if self._own:
            self.client.close()
