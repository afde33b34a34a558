"""Core speed and memory: simulated cases per second, against a bare heapq loop.

Run on demand:  python benchmarks/bench_core.py [--days 365]

Prints, for the default scenario (beijing_street, ~100,000 people) and the same
scaled to 10× the population: wall time, cases, cases per second, events per
second; then a bare ``heapq`` loop pushing and popping the same number of
events in the same process, so the figure is a ratio as well as a rate; then
the peak memory of a 1,000,000-person district (in a child process).
Last line:
``cases_per_second=<n> ratio_to_bare_loop=<x> scaling_10x=<time ratio> peak_mb_1m_people=<n>``
Targets: ≥ 20,000 cases/s on one core; 10× the cases in ≤ 12× the time; a
1,000,000-person district in ≤ 2 GB.
"""

from __future__ import annotations

import argparse
import heapq
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "beijing_street.yaml"


def simulate(population: int, days: int, communities: int = 20) -> dict:
    from governance_sim import GovernanceModel, load_scenario
    from governance_sim.runner import collect

    scale = population / 100_000
    overrides = {"territory.population": population,
                 "territory.communities_per_street": max(1, round(communities * scale))}
    sc = load_scenario(SCENARIO, overrides=overrides, days=days)
    # departments and street staff scale with the population so queues stay comparable
    raw = sc.model_dump(mode="json")
    for d in raw["territory"]["departments"]:
        d["staff"] = max(1, round(d["staff"] * scale))
        d["vertical_tasks_per_day"] *= scale
    raw["roles"]["street_office"]["staff"] = max(1, round(raw["roles"]["street_office"]["staff"] * scale))
    t0 = time.perf_counter()
    model = GovernanceModel(raw)
    t_build = time.perf_counter() - t0
    model.run_model()
    t_sim = time.perf_counter() - t0
    collect(model)
    t_all = time.perf_counter() - t0
    return {"population": population, "cases": len(model.cases), "events": model.events.processed,
            "build_s": t_build, "sim_s": t_sim, "total_s": t_all}


def bare_loop(n_events: int) -> float:
    """Push and pop ``n_events`` (time, seq, callback, args) tuples through a heap."""
    heap: list = []
    noop = lambda: None  # noqa: E731
    t0 = time.perf_counter()
    now = 0.0
    for i in range(n_events):
        heapq.heappush(heap, (now + (i * 7919 % 1000) / 10.0, i, noop, ()))
        if len(heap) > 1000:
            now, _, cb, args = heapq.heappop(heap)
            cb(*args)
    while heap:
        now, _, cb, args = heapq.heappop(heap)
        cb(*args)
    return time.perf_counter() - t0


def peak_memory_child(population: int, days: int) -> float:
    here = str(Path(__file__).parent)
    code = (
        f"import json, resource, sys; sys.path.insert(0, {here!r});"
        f"from bench_core import simulate; r = simulate({population}, {days});"
        "r['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024;"
        "print(json.dumps(r))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--memory-days", type=int, default=90, help="days for the 1M-person memory run")
    args = ap.parse_args()

    base = simulate(100_000, args.days)
    big = simulate(1_000_000, args.days)
    bare_s = bare_loop(base["events"])
    rate = base["cases"] / base["sim_s"]
    bare_rate = base["cases"] / bare_s
    for r in (base, big):
        print(f"population={r['population']:>9,}  cases={r['cases']:>9,}  events={r['events']:>10,}  "
              f"build={r['build_s']:.2f}s  simulate={r['sim_s']:.2f}s  with outputs={r['total_s']:.2f}s  "
              f"cases/s={r['cases'] / r['sim_s']:,.0f}  events/s={r['events'] / r['sim_s']:,.0f}")
    print(f"bare heapq loop, same {base['events']:,} events: {bare_s:.3f}s "
          f"({base['events'] / bare_s:,.0f} events/s)")
    scaling = big["sim_s"] / base["sim_s"]
    case_ratio = big["cases"] / base["cases"]
    print(f"10× population: {case_ratio:.1f}× the cases in {scaling:.1f}× the time (target ≤ 12×)")
    mem = peak_memory_child(1_000_000, args.memory_days)
    print(f"1,000,000 people, {args.memory_days} days: peak RSS {mem['peak_mb']:,.0f} MB (target ≤ 2,048)")
    print(f"this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    print(f"cases_per_second={rate:.0f} ratio_to_bare_loop={rate / bare_rate:.4f} "
          f"scaling_10x={scaling:.2f} peak_mb_1m_people={mem['peak_mb']:.0f}")


if __name__ == "__main__":
    main()
