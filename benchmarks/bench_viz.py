"""Exploration app on a 1,000-grid district: is a step cheap next to the model's own day?

Run on demand:  python benchmarks/bench_viz.py [--days 30]

Builds the Beijing street scaled to 1,000,000 people (5 streets, 100
communities, ~1,000 grids: the page folds grids into communities), steps it
day by day, and times separately the model's day, the app's incremental
metrics update, and one redraw of every picture on the page (network with
its department band, four charts, the case table).  Prints the rates and,
last line,
``day_ms=<n> update_ms=<n> update_to_day=<ratio> redraw_ms=<n> grids=<n> aggregated=<bool>``.
Targets: the update costs ≤ 25 % of a model day (it grows with the cases
still in play, not with all cases so far); a full redraw takes ≤ 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "beijing_street.yaml"
OVERRIDES = {"territory.population": 1_000_000, "territory.streets": 5,
             "territory.communities_per_street": 20, "territory.zones_per_street": 2}


def redraw(run, lang: str = "zh") -> float:
    from governance_sim.viz import charts
    from governance_sim.viz.session import territory_png

    t0 = time.perf_counter()
    territory_png(run.model, run.live, run.layout, "backlog", lang)
    h = run.live.history
    for fig in (
        charts.open_cases_figure(run.series(), lang),
        charts.rates_figure(h.day, {"response": h.response, "resolution": h.resolution,
                                    "satisfaction": h.satisfaction}, lang),
        charts.response_histogram_figure(run.live.response_times, run.live.deadline_h, lang),
        charts.workload_figure(run.workload(), run.standard_week_h, lang),
    ):
        charts.to_png(fig)
    run.last_cases(12, lang)
    return time.perf_counter() - t0


def main() -> None:
    from governance_sim.viz.session import LiveRun

    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=30)
    days = ap.parse_args().days

    t0 = time.perf_counter()
    run = LiveRun(SCENARIO, overrides=OVERRIDES)
    build = time.perf_counter() - t0
    grids = len(run.model.territory.grids)
    print(f"built {grids} grids, {len(run.model.territory.communities)} communities in {build:.2f} s "
          f"(drawn by community: {run.layout.aggregated})")
    day_s, update_s = [], []
    for _ in range(days):
        t0 = time.perf_counter()
        run.model.step()
        t1 = time.perf_counter()
        run.live.update()
        day_s.append(t1 - t0)
        update_s.append(time.perf_counter() - t1)
    first, last = update_s[: days // 3 or 1], update_s[-(days // 3 or 1):]
    print(f"{days} days, {len(run.model.cases):,} cases, {run.live.open_cases:,} open at the end")
    print(f"model day: median {statistics.median(day_s) * 1e3:.1f} ms "
          f"({1 / statistics.median(day_s):.1f} days/s)")
    print(f"metrics update: median {statistics.median(update_s) * 1e3:.2f} ms, "
          f"first third {statistics.median(first) * 1e3:.2f} ms, last third {statistics.median(last) * 1e3:.2f} ms")
    redraws = [redraw(run) for _ in range(3)]
    print(f"full redraw: median {statistics.median(redraws):.2f} s")
    ratio = statistics.median(update_s) / statistics.median(day_s)
    print(f"day_ms={statistics.median(day_s) * 1e3:.1f} update_ms={statistics.median(update_s) * 1e3:.2f} "
          f"update_to_day={ratio:.3f} redraw_ms={statistics.median(redraws) * 1e3:.0f} "
          f"grids={grids} aggregated={run.layout.aggregated}")


if __name__ == "__main__":
    main()
