"""Memory per person and per case, traced (tracemalloc and Arrow's memory pool).

Run on demand:  python benchmarks/bench_memory.py [--population 300000] [--days 180]

Prints what a built district costs per person (the whole model, before it runs), what a
run holds per case created (everything the run allocates and keeps: case records, queues,
ratings, monthly records), the peak per case while the output tables are built, and what
the finished cases table holds per row.  Every figure is traced — tracemalloc, and Arrow's
memory pool for the text columns, which tracemalloc does not see (their sum is an upper
bound of the peak, as the two need not peak at once) — so another job on the machine does
not move it; each run is measured in a fresh process.
Last line:
``bytes_per_person=<n> bytes_per_case_run=<n> bytes_per_case_with_outputs=<n> cases_table_bytes_per_row=<n>``
Targets (issue 13): ≤ 50 B a person; ≤ 1 KB a case held, its output rows included.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "beijing_street.yaml"


def built_model_bytes_per_person(population: int) -> float:
    from governance_sim import GovernanceModel, load_scenario

    sc = load_scenario(SCENARIO, overrides={"territory.population": population})
    raw = sc.model_dump(mode="json")
    gc.collect()
    tracemalloc.start()
    model = GovernanceModel(raw)
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del model
    return size / population


def run_bytes_per_case(days: int, variant: str) -> dict:
    import pyarrow as pa

    from governance_sim import GovernanceModel, load_scenario
    from governance_sim.runner import collect

    sc = load_scenario(SCENARIO, days=days)
    raw = sc.model_dump(mode="json")
    raw["arrangement"]["name"] = variant
    gc.collect()
    tracemalloc.start()
    model = GovernanceModel(raw)
    model.run_model()
    gc.collect()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    # text columns live in Arrow's memory pool, which tracemalloc does not see: its peak while
    # the tables are built (the process's first, in a fresh process), or at least what they keep
    pool = pa.default_memory_pool()
    arrow0, arrow_max0 = pool.bytes_allocated(), pool.max_memory()
    result = collect(model)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    arrow1, arrow_max1 = pool.bytes_allocated(), pool.max_memory()
    arrow = (arrow_max1 - arrow0) if arrow_max1 > arrow_max0 else (arrow1 - arrow0)
    n = len(model.cases)
    return {"variant": variant, "cases": n, "run": held / n, "with_outputs": (peak + arrow) / n,
            "arrow": arrow / n, "row": result.cases.memory_usage(deep=True).sum() / n}


def _in_a_fresh_process(fn, *args):
    """``fn(*args)`` in a new interpreter: each figure starts from an empty Arrow pool."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--population", type=int, default=300_000, help="people in the built district")
    ap.add_argument("--days", type=int, default=180, help="days of the beijing_street runs")
    args = ap.parse_args()

    per_person = built_model_bytes_per_person(args.population)
    print(f"a built {args.population:,}-person district: {per_person:.1f} B a person (target ≤ 50)")
    runs = [_in_a_fresh_process(run_bytes_per_case, args.days, v) for v in ("baseline", "whistle")]
    for r in runs:
        print(f"beijing_street {r['variant']}, {args.days} days, {r['cases']:,} cases: "
              f"{r['run']:,.0f} B a case held after the run, {r['with_outputs']:,.0f} B at the peak of "
              f"building the outputs (of which {r['arrow']:,.0f} B in Arrow's pool), {r['row']:,.0f} B a row "
              "of the finished cases table")
    base = runs[0]
    print(f"bytes_per_person={per_person:.1f} bytes_per_case_run={base['run']:.0f} "
          f"bytes_per_case_with_outputs={base['with_outputs']:.0f} "
          f"cases_table_bytes_per_row={base['row']:.0f}")


if __name__ == "__main__":
    main()
