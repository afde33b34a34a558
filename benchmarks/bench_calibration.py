"""Simulation-based calibration (SBC) of the ABC-SMC fit: does a 90 % posterior interval hold the
true parameters 90 % of the time?

For each of ``--truths`` parameter sets drawn from the priors, simulate beijing_street
(hotline_classic, shrunk to ``--population`` people) once at the truth, take that run's
metrics as targets (sd = the run-to-run sd at the priors' centre, estimated once), calibrate
with ABC-SMC, and record whether each true value lies in the central 50 % and 90 % posterior
intervals.  Coverage near 50 % and 90 % means the intervals are honest; above means
conservative (too wide, as a small budget leaves epsilon large), below means overconfident.

    python benchmarks/bench_calibration.py                       # 20 truths, budget 200 (~15 min on 2 cores)
    python benchmarks/bench_calibration.py --truths 5 --budget 100   # a quick look

The last line is machine-readable:
``coverage50=<x> coverage90=<y> truths=<n> budget=<b> wall_s=<t> mean_width90_share=<w>``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from governance_sim.calibration import calibrate, read_targets  # noqa: E402
from governance_sim.calibration.priors import parse_priors  # noqa: E402
from governance_sim.calibration.report import interval  # noqa: E402
from governance_sim.calibration.simulate import Simulator  # noqa: E402
from governance_sim.experiments.seeds import run_seed  # noqa: E402
from governance_sim.scenario import load_scenario  # noqa: E402

SCENARIO = ROOT / "scenarios" / "beijing_street.yaml"
PRIORS = ["arrangement.p_buckpass=0:0.8", "roles.resident.trust0=0.2:0.8"]
METRICS = ["buckpass_events_per_1000_per_year", "hotline_calls_per_1000_per_year", "hotline_satisfaction_rate"]
NOISE_RUNS = 8


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--truths", type=int, default=20)
    ap.add_argument("--budget", type=int, default=200, help="simulations per calibration")
    ap.add_argument("--days", type=int, default=45)
    ap.add_argument("--population", type=int, default=20000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    scenario = load_scenario(SCENARIO, "hotline_classic", {"territory.population": args.population,
                                                            "territory.communities_per_street": 4},
                             days=args.days).model_dump(mode="json")
    priors = parse_priors(PRIORS)
    probe = read_targets({"targets": {m: {"value": 1, "sd": 1} for m in METRICS}})
    sim = Simulator(scenario, tuple(priors), tuple(probe), args.days)
    centre = {p.column: p.from_unit(0.5) for p in priors}
    noise = pd.DataFrame([sim(centre, seed=run_seed(args.seed, 10_000 + i)) for i in range(NOISE_RUNS)])
    sds = {m: max(float(noise[m].std()), 1e-3) for m in METRICS}
    print(f"machine: {os.cpu_count()} cores; {SCENARIO.name} (hotline_classic, {args.population} people, "
          f"{args.days} days); budget {args.budget} per calibration; target sds {sds}")

    rng = np.random.default_rng(args.seed)
    rows, start = [], time.perf_counter()
    for i in range(args.truths):
        truth = {p.path: p.from_unit(float(rng.uniform())) for p in priors}
        observed = sim({p.column: truth[p.path] for p in priors}, seed=run_seed(args.seed, i))
        targets = {"targets": {m: {"value": float(observed[m]), "sd": sds[m]} for m in METRICS}}
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="bench-cal-") as tmp:
            cal = calibrate(scenario, targets, PRIORS, budget=args.budget, days=args.days, workers=args.workers,
                            draws=0, seed=args.seed + i, out=Path(tmp) / "cal")
        for p in priors:
            lo50, hi50 = interval(cal.posterior, p.path, 0.5)
            lo90, hi90 = interval(cal.posterior, p.path, 0.9)
            x = truth[p.path]
            rows.append({"truth": i, "parameter": p.path, "value": x, "in50": lo50 <= x <= hi50,
                         "in90": lo90 <= x <= hi90, "width90_share": (hi90 - lo90) / p.width})
        print(f"truth {i + 1:2d}/{args.truths}: " + ", ".join(
            f"{r['parameter']}={r['value']:.3f} {'in' if r['in90'] else 'OUT'}90" for r in rows[-len(priors):])
            + f"  ({time.perf_counter() - t0:.0f} s)", flush=True)
    wall = time.perf_counter() - start
    df = pd.DataFrame(rows)
    for name, part in df.groupby("parameter"):
        print(f"{name}: coverage 50 % = {part['in50'].mean():.2f}, 90 % = {part['in90'].mean():.2f}, "
              f"mean 90 % width / prior = {part['width90_share'].mean():.2f}")
    print(f"all {len(df)} intervals: coverage 50 % = {df['in50'].mean():.2f}, 90 % = {df['in90'].mean():.2f}; "
          f"wall time {wall:.0f} s ({wall / args.truths:.0f} s per calibration)")
    print(f"coverage50={df['in50'].mean():.3f} coverage90={df['in90'].mean():.3f} truths={args.truths} "
          f"budget={args.budget} wall_s={wall:.0f} mean_width90_share={df['width90_share'].mean():.3f}")


if __name__ == "__main__":
    main()
