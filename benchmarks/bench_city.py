"""The city at scale: ``scenarios/beijing_city.yaml`` (21.9 M people, 16 districts, 333 streets)
for a year, outputs included.

One run goes to a child process, which reports its own wall time, cases and peak resident
memory (``VmHWM``: the child's own, not the parent's carried over). Then, for the speed-up
over one worker, ``--speedup-reps`` replications of ``--speedup-days`` days run as a sweep on
one worker and on ``--workers`` workers (``compare`` of classic and direct dispatch), alternating, while the peak resident memory of the
whole process tree (the sweep's parent and its workers, summed) is sampled.

    python benchmarks/bench_city.py                      # a year: tens of minutes, ~10 GB
    python benchmarks/bench_city.py --days 30 --speedup-days 5   # a quick look
    python benchmarks/bench_city.py --partition --days 10        # the city run as districts
    python benchmarks/bench_city.py --partition-only --event-log # a year as districts, with the event log

``--scenario PATH`` runs another city instead (the test suite checks the benchmark itself on a
four-district city of a few thousand people).

With ``--partition`` the city also runs as districts (``city.partition: districts``,
governance_sim.partition) on one worker and on ``--workers``, alternating, each in a child
process that writes the tables into a temporary folder (as ``govsim run --out``) and whose
whole tree's resident memory is sampled; the last line then adds
``partition_wall_s_1=<t1> partition_wall_s_<n>=<tn> partition_speedup=<t1/tn>
partition_cpu_s_1=<c1> partition_cpu_s_<n>=<cn> partition_tree_peak_gb=<p>`` (CPU time of the
process tree: on a shared machine the wall time of several workers says little by itself).
``--partition-only`` runs only the city as districts on ``--workers`` workers (last line
``days=<d> partition_wall_s_<n>=<t> partition_cpu_s_<n>=<c> partition_tree_peak_gb=<p>
event_log=<0|1>``); ``--event-log`` has the runs as districts write the event log too.

The last line is machine-readable::

    days=<d> wall_s=<t> cases=<n> cases_per_s=<r> peak_gb=<m> speedup_2_workers=<s> tree_peak_gb=<p>

Targets (issue 13): a year in ≤ 10 minutes and ≤ 12 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "beijing_city.yaml"

CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from governance_sim import run
t0 = time.perf_counter()
r = run({scenario!r}, {variant!r}, seed=1, days={days})
wall = time.perf_counter() - t0
peak = 0.0
with open("/proc/self/status", encoding="ascii") as f:
    for line in f:
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024 / 1024
s = r.summary.iloc[0]
print(json.dumps({{"wall_s": wall, "cases": int(s["cases_created"]), "peak_gb": peak}}))
"""


def one_run(days: int, variant: str, scenario: Path = SCENARIO) -> dict:
    code = CHILD.format(root=str(ROOT), scenario=str(scenario), variant=variant, days=days)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _tree_rss_gb(pid: int) -> float:
    """Resident memory of ``pid`` and every descendant, summed (from /proc)."""
    try:
        import psutil
    except ImportError:
        raise SystemExit("the process-tree memory needs psutil: pip install -e '.[dask]'") from None

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total / 2**30


PARTITION_CHILD = """
import shutil, sys, tempfile
sys.path.insert(0, {root!r})
from governance_sim import run
out = tempfile.mkdtemp(prefix="bench-city-")
try:  # the tables written, as `govsim run --out` writes them
    run({scenario!r}, {variant!r}, seed=1, days={days}, overrides={{"city.partition": "districts"}},
        workers={workers}, out=out, event_log={event_log})
finally:
    shutil.rmtree(out, ignore_errors=True)
"""


def partition_wall(days: int, variant: str, workers: int, event_log: bool = False,
                   scenario: Path = SCENARIO) -> tuple[float, float, float]:
    """Wall time of the city run as districts on ``workers`` processes, outputs included (and
    the event log with ``event_log``), the peak of its process tree's summed resident memory,
    and the tree's CPU time."""
    code = PARTITION_CHILD.format(root=str(ROOT), scenario=str(scenario), variant=variant, days=days,
                                  workers=workers, event_log=event_log)
    return _watched([sys.executable, "-c", code], f"the city run as districts on {workers} worker(s)")


def _watched(cmd: list[str], what: str) -> tuple[float, float, float]:
    """Run ``cmd``; its wall time, the peak of its process tree's resident memory (every 0.2 s)
    and the CPU time of the tree (user + system of the child and the workers it waited for)."""
    t0 = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_gb(child.pid))
            done.wait(0.2)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    watcher.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{what} failed")
    return wall, peak[0], usage.ru_utime + usage.ru_stime


def sweep_wall(days: int, reps: int, workers: int, scenario: Path = SCENARIO) -> tuple[float, float]:
    """Wall time of ``govsim compare`` of classic and direct dispatch with ``reps`` replications
    each on ``workers`` processes, and the peak of the process tree's summed resident memory
    (sampled every 0.2 s)."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r});"
            "from governance_sim.experiments.executors import make_executor;"
            "from governance_sim import compare;"
            f"compare({str(scenario)!r}, ['hotline_classic', 'hotline_direct'], reps={reps}, days={days}, "
            f"executor=make_executor({workers}, None))")
    wall, peak, _cpu = _watched([sys.executable, "-c", code], f"the sweep on {workers} worker(s)")
    return wall, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=int, default=365, help="counted days of the main run")
    ap.add_argument("--variant", default="hotline_direct")
    ap.add_argument("--speedup-days", type=int, default=10, help="days of each replication of the speed-up sweep")
    ap.add_argument("--speedup-reps", type=int, default=1, help="replications of each of the two variants")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-speedup", action="store_true", help="skip the speed-up sweep")
    ap.add_argument("--partition", action="store_true",
                    help="also run the city as districts on 1 and --workers workers (alternating)")
    ap.add_argument("--partition-reps", type=int, default=1, help="alternations of the partitioned runs")
    ap.add_argument("--partition-only", action="store_true",
                    help="only the city as districts on --workers workers (no one-model run, no sweep)")
    ap.add_argument("--event-log", action="store_true", help="the runs as districts also write the event log")
    ap.add_argument("--scenario", type=Path, default=SCENARIO,
                    help="another city's scenario (a small one checks the benchmark itself)")
    args = ap.parse_args()
    if not args.scenario.is_file():
        ap.error(f"--scenario: no scenario file at {args.scenario}")
    print(f"{args.scenario.stem}, {args.days} days, variant {args.variant}, {os.cpu_count()} cores", flush=True)
    if args.partition_only:
        wall, peak, cpu = partition_wall(args.days, args.variant, args.workers, args.event_log, args.scenario)
        print(f"as districts on {args.workers} workers{' with the event log' if args.event_log else ''}: "
              f"{wall:.1f} s ({cpu:.1f} s CPU), process tree peak {peak:.2f} GB", flush=True)
        print(f"days={args.days} partition_wall_s_{args.workers}={wall:.1f} partition_cpu_s_{args.workers}={cpu:.1f} "
              f"partition_tree_peak_gb={peak:.2f} event_log={int(args.event_log)}")
        return
    r = one_run(args.days, args.variant, args.scenario)
    rate = r["cases"] / r["wall_s"]
    print(f"one run: {r['wall_s']:.1f} s, {r['cases']:,} cases ({rate:,.0f}/s), peak {r['peak_gb']:.2f} GB",
          flush=True)
    speedup, tree_peak = float("nan"), float("nan")
    if not args.no_speedup:
        one = many = float("inf")
        for _ in range(2):  # alternate, keep the best of each (the machine is shared)
            t, _p = sweep_wall(args.speedup_days, args.speedup_reps, 1, args.scenario)
            one = min(one, t)
            t, p = sweep_wall(args.speedup_days, args.speedup_reps, args.workers, args.scenario)
            many, tree_peak = min(many, t), max(p, 0.0 if tree_peak != tree_peak else tree_peak)
        speedup = one / many
        print(f"2 variants × {args.speedup_reps} × {args.speedup_days} days: {one:.1f} s on 1 worker, {many:.1f} s on "
              f"{args.workers} ({speedup:.2f}×), process tree peak {tree_peak:.2f} GB", flush=True)
    tail = ""
    if args.partition:
        one = many = one_cpu = many_cpu = float("inf")
        part_peak = 0.0
        for _ in range(args.partition_reps):  # alternate, keep the best of each (the machine is shared)
            t, p, c = partition_wall(args.days, args.variant, 1, args.event_log, args.scenario)
            one, one_cpu, part_peak = min(one, t), min(one_cpu, c), max(part_peak, p)
            t, p, c = partition_wall(args.days, args.variant, args.workers, args.event_log, args.scenario)
            many, many_cpu, part_peak = min(many, t), min(many_cpu, c), max(part_peak, p)
        print(f"as districts: {one:.1f} s on 1 worker ({one_cpu:.1f} s CPU), {many:.1f} s on {args.workers} "
              f"({many_cpu:.1f} s CPU; {one / many:.2f}×), process tree peak {part_peak:.2f} GB", flush=True)
        tail = (f" partition_wall_s_1={one:.1f} partition_wall_s_{args.workers}={many:.1f} "
                f"partition_speedup={one / many:.2f} partition_cpu_s_1={one_cpu:.1f} "
                f"partition_cpu_s_{args.workers}={many_cpu:.1f} partition_tree_peak_gb={part_peak:.2f}")
    print(f"days={args.days} wall_s={r['wall_s']:.1f} cases={r['cases']} cases_per_s={rate:.0f} "
          f"peak_gb={r['peak_gb']:.2f} speedup_{args.workers}_workers={speedup:.2f} tree_peak_gb={tree_peak:.2f}"
          + tail)


if __name__ == "__main__":
    main()
