"""Cost of the places table: ``places_frame`` against the run itself and against the summary
metrics, measured in the same process on the same finished models.

    python benchmarks/bench_places.py                 # beijing_street and tongguanshan, 90 days
    python benchmarks/bench_places.py --days 30 --rounds 5

Every run writes the places table, sweeps included, so it must stay a small
fraction of a run.  The last line is machine-readable:
``places_over_run=<ratio> places_over_summary=<ratio>`` (worst scenario, medians).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from governance_sim import metrics  # noqa: E402
from governance_sim.model import GovernanceModel  # noqa: E402
from governance_sim.places import places_frame  # noqa: E402

SCENARIOS = ("beijing_street.yaml", "tongguanshan.yaml")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    worst_run = worst_summary = 0.0
    for name in SCENARIOS:
        model = GovernanceModel(ROOT / "scenarios" / name, days=args.days)
        start = time.perf_counter()
        model.run_model()
        run_s = time.perf_counter() - start
        cases, workers = metrics.cases_frame(model), metrics.workers_frame(model)
        summary_s, places_s = [], []
        for _ in range(args.rounds):  # alternate, so that load on a shared machine hits both
            start = time.perf_counter()
            metrics.summary_row(model, cases, workers)
            summary_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            places_frame(model, cases, workers)
            places_s.append(time.perf_counter() - start)
        p, s = statistics.median(places_s), statistics.median(summary_s)
        print(f"{name}: {len(cases):,} cases, {len(model.territory.communities)} communities; run {run_s:.2f} s, "
              f"summary {s * 1000:.0f} ms, places {p * 1000:.0f} ms")
        worst_run, worst_summary = max(worst_run, p / run_s), max(worst_summary, p / s)
    print(f"places_over_run={worst_run:.3f} places_over_summary={worst_summary:.2f}")


if __name__ == "__main__":
    main()
