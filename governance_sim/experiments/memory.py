"""How much memory a run needs, and how many runs of a scenario fit in memory at once.

:func:`run_bytes` estimates a run's peak (in one model) from its households and the problems
expected over its days: about 40 bytes per household — its columns; its Mesa agent is made
only when asked for — and about 1.8 kB per problem — the case record, its events and its rows
in the outputs.  Measured as the peak RSS of one run with its tables written (``beijing_city``
as one model, 30 + 30 and 30 + 90 days: 2.46 GB for 1.10 M problems, 4.39 GB for 2.19 M;
``beijing_street`` at 1,000,000 people, a year: 0.80 GB for 0.33 M; ``beijing_city`` for a
year: 13.3 GB for 7.2 M), so the estimate takes 2 kB.  A run of at least 1,000,000
households that moves its settled cases out as it runs (:func:`governance_sim.runner.moves_settled_cases`)
holds about a month of them as records and every case as a row at the end: ``beijing_city``
peaked at 2.19, 3.25 and 8.20 GB for 30 + 30, 30 + 90 and 30 + 365 days (1.10, 2.19 and
7.21 M problems), 0.98 kB a problem and 0.58 GB; the estimate takes 1.1 kB a problem and
2 kB for each of a month's.  So the city's year in one model needs about 8 GB (as districts
below 6 GB: the cases are streamed).

:func:`workers_that_fit` caps the number of local processes so that their estimates stay
within most of the memory available now; :func:`capped_workers` applies that cap when the
user gives no ``--workers``: ``compare``, ``sweep``, ``sensitivity``, ``calibrate`` and
``validate`` all go through it.  :func:`check_fits` refuses a single run that would not fit
(``limits.max_memory_gb``).
"""

from __future__ import annotations

import os

BASE_BYTES = 200e6  # the interpreter, numpy, pandas, Mesa and the package
BYTES_PER_HOUSEHOLD = 40.0
BYTES_PER_CASE = 2000.0  # 1.8 kB measured (see above), and a margin
# a run that moves its settled cases out holds about a month of them as records, and every
# case as a row at the end: 0.98 kB a case and 0.58 GB measured on beijing_city (see above)
BYTES_PER_MOVED_CASE = 1100.0
SHARE_OF_AVAILABLE = 0.8  # leave the rest to the machine's other work


def run_bytes(scenario, event_log: bool = False) -> float:
    """Estimated peak bytes of one run of ``scenario`` (its warm-up and counted days; with an
    event log or not): less a problem for a run that moves its settled cases out
    (:func:`governance_sim.runner.moves_settled_cases`)."""
    from governance_sim.model import MONTH_DAYS
    from governance_sim.runner import moves_settled_cases
    from governance_sim.scenario import territory_size

    population, _ = territory_size(scenario.territory)
    households = population / scenario.territory.household_size
    cases = expected_cases(scenario)
    fixed = BASE_BYTES + BYTES_PER_HOUSEHOLD * households
    if not moves_settled_cases(scenario, households, event_log):
        return fixed + BYTES_PER_CASE * cases
    a_month = cases * min(1.0, MONTH_DAYS / (scenario.days + scenario.warmup_days))
    return fixed + min(BYTES_PER_MOVED_CASE * cases + BYTES_PER_CASE * a_month, BYTES_PER_CASE * cases)


def check_fits(scenario, available: float | None = None, event_log: bool = False) -> None:
    """Refuse a run in one model whose estimate (:func:`run_bytes`) exceeds
    ``limits.max_memory_gb``, or, where that is not set, the memory available now (``available``
    or :func:`available_bytes`; no check where the machine does not tell).  One
    :class:`~governance_sim.scenario.ScenarioError` naming the limit and what to do instead."""
    from governance_sim.partition import is_partitioned
    from governance_sim.scenario import ScenarioError

    if is_partitioned(scenario):  # its cases are streamed: the estimate is not of such a run
        return
    need = run_bytes(scenario, event_log)
    limit_gb = scenario.limits.max_memory_gb
    if limit_gb is not None:
        limit, what = limit_gb * 1e9, f"limits.max_memory_gb is {limit_gb:g}"
    else:
        limit = available if available is not None else available_bytes()
        if limit is None:
            return
        what = f"{limit / 1e9:.1f} GB of memory is available"
    if need <= limit:
        return
    days = scenario.warmup_days + scenario.days
    instead = ("run it as districts (--set city.partition=districts --workers 2: a year of the city "
               "peaks below 6 GB), " if scenario.city is not None else "")
    raise ScenarioError("limits.max_memory_gb",
                        f"this run in one model needs about {need / 1e9:.1f} GB ({days} days, "
                        f"{expected_cases(scenario):,.0f} problems expected) and {what}; {instead}"
                        "count fewer days (--days), or raise the limit deliberately with "
                        "--set limits.max_memory_gb=GB")


def expected_cases(scenario) -> float:
    """Problems expected over the warm-up and counted days: Σ rate × population / 1,000 × days / 365."""
    from governance_sim.scenario import territory_size

    population, _ = territory_size(scenario.territory)
    days = scenario.days + scenario.warmup_days
    return sum(c.rate for c in scenario.categories.values()) * population / 1000.0 * days / 365.0


def available_bytes() -> float | None:
    """``MemAvailable`` of ``/proc/meminfo`` (``None`` where there is no such file)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024.0
    except OSError:
        return None
    return None


def workers_that_fit(scenarios, cores: int | None = None, available: float | None = None) -> int:
    """Local processes for runs of ``scenarios``: every core, but no more than the largest run's
    estimate fits into ``SHARE_OF_AVAILABLE`` of the available memory (at least one)."""
    cores = cores or os.cpu_count() or 1
    available = available if available is not None else available_bytes()
    if available is None:
        return cores
    need = max((run_bytes(sc) for sc in scenarios), default=BASE_BYTES)
    return max(1, min(cores, int(SHARE_OF_AVAILABLE * available // need)))


SIZE_FIELDS = ("territory.", "categories.", "days", "warmup_days")  # overrides that change a run's size


def local_cores() -> int:
    """The cores local processes may use (every core of the machine)."""
    return os.cpu_count() or 1


def scenarios_of(tasks) -> list:
    """The scenarios of ``tasks`` (:class:`~governance_sim.experiments.tasks.RunTask`) that differ in
    size: each base scenario once per run length and per set of overrides of its territory,
    categories or days (other overrides leave the memory a run needs unchanged)."""
    from governance_sim.scenario import ScenarioError, load_scenario

    seen: dict[tuple, object] = {}
    for task in tasks:
        sized = {k: v for k, v in (task.overrides or {}).items() if k.startswith(SIZE_FIELDS)}
        key = (id(task.scenario), task.days, repr(sorted(sized.items())))
        if key in seen:
            continue
        try:
            seen[key] = load_scenario(task.scenario, overrides=sized or None, days=task.days)
        except ScenarioError:  # refused before any run elsewhere; here it only cannot be sized
            continue
    return list(seen.values())


def capped_workers(scenarios, workers: int | None = None, scheduler: str | None = None,
                   say=None) -> int | None:
    """Local processes for runs of ``scenarios`` when the user chose none: ``workers`` as given
    (or with a Dask ``scheduler``); else ``None`` (every core) when the largest run fits in
    memory once per core, or the number that fits (:func:`workers_that_fit`), told in one
    line through ``say`` (default: standard error).  A scenario of which not even one run fits
    is refused (:func:`check_fits`)."""
    if workers is not None or scheduler:
        return workers
    scenarios = list(scenarios)
    cores = local_cores()
    available = available_bytes()
    for sc in scenarios:  # not even one fits: refused now rather than run by run
        check_fits(sc, available)
    if not scenarios or available is None:
        return None
    fit = workers_that_fit(scenarios, cores, available)
    if fit >= cores:
        return None
    need = max(run_bytes(sc) for sc in scenarios)
    line = (f"memory: {fit} run{'s' if fit > 1 else ''} at a time instead of {cores} — each needs about "
            f"{need / 1e9:.1f} GB and {available / 1e9:.1f} GB is available; --workers sets the number")
    (say or _to_stderr)(line)
    return fit


def workers_for_tasks(tasks, workers: int | None = None, scheduler: str | None = None) -> int | None:
    """:func:`capped_workers` for the runs of ``tasks``, sized only when the user chose no
    ``workers`` and no Dask ``scheduler``."""
    if workers is not None or scheduler:
        return workers
    return capped_workers(scenarios_of(tasks))


def _to_stderr(line: str) -> None:
    import sys

    print(line, file=sys.stderr, flush=True)
