"""Core speed and memory: simulated cases per second, against a bare heapq loop.

Run on demand:  python benchmarks/bench_core.py [--days 365]

Prints, for the default scenario (beijing_street, ~100,000 people) and the same
scaled to 10× the population: wall time, cases, cases per second, events per
second.  Two peers run in the same process, alternating with both models
(``--repeat`` rounds of ``--pairs`` short runs and one 10× run, the best of each kept;
the ratio to SimPy also as the median of each model run against the peer run beside
it, and the 10× ratio also as the median over rounds of each 10× run against its round's
median short run), so the figures are ratios as well
as rates: a bare ``heapq`` loop pushing and popping the same number of events, and
a minimal SimPy model of the same arrivals, routing delay, department resources
and lognormal service times (``simpy_peer.py``).  Then the peak memory of a
1,000,000-person district, measured inside a child process from its own
``VmHWM`` (the child's ``ru_maxrss`` would start from the parent's peak, which
the kernel carries over a fork and exec).
Last line:
``cases_per_second=<n> ratio_to_bare_loop=<x> ratio_to_simpy=<x> ratio_to_simpy_paired_median=<x>
scaling_10x=<time ratio> scaling_10x_paired_median=<x> peak_mb_1m_people=<n> compiled=<queue,calendar,workforce,records|none>``
Targets: ≥ 0.5 of the SimPy peer; 10× the cases in ≤ 10.5× the time; a
1,000,000-person district in ≤ 2 GB.
"""

from __future__ import annotations

import argparse
import heapq
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from simpy_peer import peer_inputs, run_simpy_peer

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
            "build_s": t_build, "sim_s": t_sim, "total_s": t_all, "peer": peer_inputs(model)}


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


def own_peak_mb() -> float:
    """This process's own peak resident set (``VmHWM``), in MiB.

    Not ``ru_maxrss``: Linux carries the parent's peak into a child across fork
    and exec, so a child started by a big parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc: best effort


def peak_memory_child(population: int, days: int) -> dict:
    here = str(Path(__file__).parent)
    code = (
        f"import json, sys; sys.path.insert(0, {here!r});"
        f"from bench_core import simulate, own_peak_mb; r = simulate({population}, {days});"
        "r.pop('peer'); r['peak_mb'] = own_peak_mb();"
        "print(json.dumps(r))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--memory-days", type=int, default=90, help="days for the 1M-person memory run")
    ap.add_argument("--repeat", type=int, default=3,
                    help="rounds of model / bare loop / SimPy peer / 10× model, alternating; the best of "
                         "each is kept")
    ap.add_argument("--pairs", type=int, default=3,
                    help="model / bare loop / SimPy peer runs in each round, alternating (they are short: "
                         "more of them steady the ratio on a shared machine)")
    args = ap.parse_args()

    runs, bares, peers, bigs = [], [], [], []
    for _ in range(args.repeat):  # alternate so a busy spell on the machine hits all four
        for _ in range(args.pairs):
            runs.append(simulate(100_000, args.days))
            bares.append(bare_loop(runs[-1]["events"]))
            peers.append(run_simpy_peer(runs[-1]["peer"]))
        bigs.append(simulate(1_000_000, args.days))
        bigs[-1].pop("peer")
    # each model run against the peer run beside it: the median of these ratios is what a
    # busy spell moves least
    paired = sorted(r["cases"] / r["sim_s"] / p["cases_per_second"] for r, p in zip(runs, peers, strict=True))
    paired_median = statistics.median(paired)
    base = min(runs, key=lambda r: r["sim_s"])
    bare_s = min(bares)
    peer = min(peers, key=lambda r: r["wall_s"])
    big = min(bigs, key=lambda r: r["sim_s"])  # best against best: one slow run does not bend the curve
    # the best of the --repeat × --pairs short runs is drawn from more tries than the best of the
    # --repeat long ones, which leans the best-against-best ratio up on a noisy machine; so each
    # long run is also set against the median short run of its own round, and the median taken
    per_round = [b["sim_s"] / statistics.median(r["sim_s"] for r in runs[k * args.pairs:(k + 1) * args.pairs])
                 for k, b in enumerate(bigs)]
    scaling_paired = statistics.median(per_round)
    rate = base["cases"] / base["sim_s"]
    for r in (base, big):
        print(f"population={r['population']:>9,}  cases={r['cases']:>9,}  events={r['events']:>10,}  "
              f"build={r['build_s']:.2f}s  simulate={r['sim_s']:.2f}s  with outputs={r['total_s']:.2f}s  "
              f"cases/s={r['cases'] / r['sim_s']:,.0f}  events/s={r['events'] / r['sim_s']:,.0f}")
    print(f"bare heapq loop, same {base['events']:,} events: {bare_s:.3f}s "
          f"({base['events'] / bare_s:,.0f} events/s) — best of {len(bares)}")
    print(f"SimPy peer, same arrivals, routing delay, departments and efforts: {peer['cases']:,} cases "
          f"in {peer['wall_s']:.2f}s ({peer['cases_per_second']:,.0f} cases/s) — best of {len(peers)}")
    ratio_simpy = rate / peer["cases_per_second"]
    print(f"model / SimPy peer: {ratio_simpy:.2f} best against best (target ≥ 0.5); "
          f"{paired_median:.2f} the median of {len(paired)} runs each against the peer run beside it "
          f"({paired[0]:.2f}–{paired[-1]:.2f})")
    scaling = big["sim_s"] / base["sim_s"]
    case_ratio = big["cases"] / base["cases"]
    print(f"10× population: {case_ratio:.1f}× the cases in {scaling:.1f}× the time best against best "
          f"(target ≤ 10.5×); {scaling_paired:.1f}× the median of {len(per_round)} rounds, each long run "
          f"against its round's median short run ({min(per_round):.1f}–{max(per_round):.1f})")
    mem = peak_memory_child(1_000_000, args.memory_days)
    print(f"1,000,000 people, {args.memory_days} days: the child's own peak RSS {mem['peak_mb']:,.0f} MiB "
          f"(target ≤ 2,048); {mem['cases']:,} cases")
    print(f"this process's own peak RSS {own_peak_mb():,.0f} MiB")
    from governance_sim import cases, engine
    from governance_sim.agents import workforce

    compiled = ",".join(name for name, cls, python in (
        ("queue", engine.EventQueue, engine.PurePythonEventQueue),
        ("calendar", engine.Calendar, engine.PurePythonCalendar),
        ("workforce", workforce.Workforce, workforce.PurePythonWorkforce),
        ("records", cases.untrack_record, None)) if cls is not python) or "none"
    print(f"compiled: {compiled} (the event queue, the calendar, the staff queues and the case-record "
          "helper are compiled where the install found a C compiler)")
    bare_rate = base["cases"] / bare_s
    print(f"cases_per_second={rate:.0f} ratio_to_bare_loop={rate / bare_rate:.4f} "
          f"ratio_to_simpy={ratio_simpy:.3f} ratio_to_simpy_paired_median={paired_median:.3f} "
          f"scaling_10x={scaling:.2f} scaling_10x_paired_median={scaling_paired:.2f} "
          f"peak_mb_1m_people={mem['peak_mb']:.0f} compiled={compiled}")


if __name__ == "__main__":
    main()
