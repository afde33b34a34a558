"""What an event log costs: the same run with and without ``event_log=True``, in one process.

Run on demand:  python benchmarks/bench_eventlog.py [--days 180] [--reps 3]

For ``beijing_street`` (variant ``hotline_direct``) prints, as the best of ``reps``
alternating runs: the simulation time without a log and with the trail kept,
then the time to build the two logs and to write them, and the files' sizes.
Last line:
``sim_ratio=<with/without> build_s=<s> write_s=<s> events=<n> events_per_case=<x>``
(a run without a log keeps nothing: its cost is the ``trail is not None`` checks).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "beijing_street.yaml"


def main() -> None:
    from governance_sim import GovernanceModel, eventlog, load_scenario

    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=180)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    sc = load_scenario(SCENARIO, "hotline_direct", days=args.days)
    plain, logged = [], []
    for _ in range(args.reps):
        for keep, times in ((False, plain), (True, logged)):
            model = GovernanceModel(sc)
            if keep:
                eventlog.record(model)
            t0 = time.perf_counter()
            model.run_model()
            times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    log = eventlog.build(model)
    build_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        log.write(tmp)
        write_s = time.perf_counter() - t0
        sizes = {p.name: p.stat().st_size / 1e6 for p in Path(tmp).iterdir()}
    n_cases, n_events = len(model.cases), len(log.events)
    print(f"{n_cases} cases, {args.days} days; best of {args.reps}")
    print(f"simulation without a log {min(plain):.2f} s, with the trail {min(logged):.2f} s")
    print(f"build {build_s:.2f} s, write {write_s:.2f} s; "
          + ", ".join(f"{k} {v:.1f} MB" for k, v in sorted(sizes.items())))
    print(f"sim_ratio={min(logged) / min(plain):.3f} build_s={build_s:.2f} write_s={write_s:.2f} "
          f"events={n_events} events_per_case={n_events / n_cases:.1f}")


if __name__ == "__main__":
    main()
