"""What an event log costs a city run as districts: ``scenarios/beijing_city.yaml`` with
``city.partition: districts`` on one worker, with and without ``event_log=True``, alternating.

Each run is a child process that writes its tables into a temporary folder (as
``govsim run --out``) and reports its own wall time and peak resident memory (``VmHWM``:
with one worker the districts run in that process, so it is the whole run's), and, with the
log, the time spent writing ``events.parquet`` from the spooled parts (the sort and the
batches) and ``events.jsonocel``, the number of events and the files' sizes.

    python benchmarks/bench_city_eventlog.py --days 10          # a quick look
    python benchmarks/bench_city_eventlog.py --days 30 --reps 2

Last line::

    days=<d> wall_ratio=<with/without> peak_ratio=<with/without> peak_gb=<with> events=<n>
    events_write_s=<s> ocel_write_s=<s> parquet_mb=<m> ocel_mb=<m or 0>
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "beijing_city.yaml"

CHILD = """
import json, shutil, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {root!r})
from governance_sim import run, runner
from governance_sim.partition import events

spent = {{"events_write_s": 0.0, "ocel_write_s": 0.0}}

def timed(fn, key):
    def wrapped(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[key] += time.perf_counter() - t0
    return wrapped

events.write_events = timed(events.write_events, "events_write_s")
runner._write_ocel = timed(runner._write_ocel, "ocel_write_s")
out = Path(tempfile.mkdtemp(prefix="bench-city-log-"))
try:
    t0 = time.perf_counter()
    run({scenario!r}, seed=1, days={days}, overrides={{"city.partition": "districts"}}, workers=1,
        out=out, event_log={log})
    wall = time.perf_counter() - t0
    sizes = {{p.name: p.stat().st_size / 1e6 for p in out.iterdir()}}
    n = 0
    if {log}:
        import pyarrow.parquet as pq
        n = pq.ParquetFile(out / "events.parquet").metadata.num_rows
finally:
    shutil.rmtree(out, ignore_errors=True)
peak = 0.0
with open("/proc/self/status", encoding="ascii") as f:
    for line in f:
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024 / 1024
print("RESULT " + json.dumps({{"wall_s": wall, "peak_gb": peak, "events": n, **spent,
                   "parquet_mb": sizes.get("events.parquet", 0.0), "ocel_mb": sizes.get("events.jsonocel", 0.0)}}))
"""


def one_run(days: int, log: bool) -> dict:
    code = CHILD.format(root=str(ROOT), scenario=str(SCENARIO), days=days, log=log)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"the run {'with' if log else 'without'} a log failed:\n{out.stderr[-3000:]}")
    line = next(x for x in reversed(out.stdout.splitlines()) if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--reps", type=int, default=1)
    args = ap.parse_args()
    plain, logged = [], []
    for _ in range(args.reps):
        plain.append(one_run(args.days, False))
        logged.append(one_run(args.days, True))
    best_plain = min(plain, key=lambda r: r["wall_s"])
    best = min(logged, key=lambda r: r["wall_s"])
    print(f"beijing_city as districts, {args.days} days, 1 worker; best of {args.reps}")
    print(f"without a log {best_plain['wall_s']:.1f} s, peak {best_plain['peak_gb']:.2f} GB")
    print(f"with the log  {best['wall_s']:.1f} s, peak {best['peak_gb']:.2f} GB: {best['events']:,} events, "
          f"events.parquet {best['parquet_mb']:.1f} MB written in {best['events_write_s']:.1f} s, "
          f"events.jsonocel {best['ocel_mb']:.1f} MB in {best['ocel_write_s']:.1f} s")
    print(f"days={args.days} wall_ratio={best['wall_s'] / best_plain['wall_s']:.3f} "
          f"peak_ratio={best['peak_gb'] / best_plain['peak_gb']:.3f} peak_gb={best['peak_gb']:.2f} "
          f"events={best['events']} events_write_s={best['events_write_s']:.2f} "
          f"ocel_write_s={best['ocel_write_s']:.2f} parquet_mb={best['parquet_mb']:.1f} "
          f"ocel_mb={best['ocel_mb']:.1f}")


if __name__ == "__main__":
    main()
