"""How many runs of a scenario fit in memory at once.

A city of 21.9 M people needs about 3 GB for a run of 30 warm-up and 30 counted days
(docs/performance.md), so
running one per core, as ``compare`` does by default, could exhaust a shared machine.
:func:`run_bytes` estimates a run's peak from its households and the problems expected
over its days (figures measured on ``beijing_city``: about 40 bytes per household —
its columns; its Mesa agent is made only when asked for — and 2.5 to 4.8 kB per problem — the case,
its events and its rows in the outputs, more as a run gets longer; the estimate takes
4 kB); :func:`workers_that_fit` caps the number of local
processes so that their estimates stay within most of the memory available now.
"""

from __future__ import annotations

import os

BASE_BYTES = 200e6  # the interpreter, numpy, pandas, Mesa and the package
BYTES_PER_HOUSEHOLD = 40.0
BYTES_PER_CASE = 4000.0
SHARE_OF_AVAILABLE = 0.8  # leave the rest to the machine's other work


def run_bytes(scenario) -> float:
    """Estimated peak bytes of one run of ``scenario`` (its warm-up and counted days)."""
    from governance_sim.scenario import territory_size

    population, _ = territory_size(scenario.territory)
    households = population / scenario.territory.household_size
    days = scenario.days + scenario.warmup_days
    cases = sum(c.rate for c in scenario.categories.values()) * population / 1000.0 * days / 365.0
    return BASE_BYTES + BYTES_PER_HOUSEHOLD * households + BYTES_PER_CASE * cases


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
