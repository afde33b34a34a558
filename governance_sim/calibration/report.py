"""Writing a calibration's outputs: the parquet tables, the manifest and the text report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from governance_sim.calibration.priors import Prior
from governance_sim.calibration.targets import Target

MANIFEST = "calibration.json"
POSTERIOR, PREDICTIVE, REPORT, PLOT = "posterior.parquet", "predictive.parquet", "report.txt", "calibration.png"


def write_frame(df: pd.DataFrame, path: Path) -> None:
    """Write a table whole or not at all."""
    tmp = path.with_name(f".{path.name}.partial")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def write_text(text: str, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_manifest(out: Path, manifest: dict) -> None:
    write_text(json.dumps(manifest, ensure_ascii=False, indent=1), out / MANIFEST)


def read_manifest(out: Path) -> dict | None:
    path = out / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x)
    x, w = np.asarray(x, float)[order], np.asarray(w, float)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cdf, x))


def interval(posterior: pd.DataFrame, path: str, level: float) -> tuple[float, float]:
    """Central weighted posterior interval of one parameter."""
    x, w = posterior[path].to_numpy(float), posterior["weight"].to_numpy(float)
    a = (1 - level) / 2
    return weighted_quantile(x, w, a), weighted_quantile(x, w, 1 - a)


def summary_table(posterior: pd.DataFrame, priors: list[Prior]) -> pd.DataFrame:
    """Per parameter: weighted mean, median, 50 % and 90 % intervals, and the prior range."""
    rows = []
    w = posterior["weight"].to_numpy(float)
    for p in priors:
        x = posterior[p.path].to_numpy(float)
        lo50, hi50 = interval(posterior, p.path, 0.5)
        lo90, hi90 = interval(posterior, p.path, 0.9)
        rows.append({"parameter": p.path, "prior": p.spec(), "mean": float(np.average(x, weights=w)),
                     "median": weighted_quantile(x, w, 0.5), "q05": lo90, "q25": lo50, "q75": hi50,
                     "q95": hi90, "width90_share_of_prior": (hi90 - lo90) / p.width})
    return pd.DataFrame(rows)


def predictive_table(predictive: pd.DataFrame, targets: list[Target]) -> pd.DataFrame:
    rows = []
    for t in targets:
        y = predictive[t.metric].dropna().to_numpy(float)
        q = np.quantile(y, [0.05, 0.5, 0.95]) if len(y) else [np.nan] * 3
        rows.append({"target": t.metric, "observed": t.value, "sd": t.sd, "pred_q05": q[0],
                     "pred_median": q[1], "pred_q95": q[2],
                     "inside90": bool(q[0] <= t.value <= q[2]) if len(y) else False})
    return pd.DataFrame(rows)


def report_text(manifest: dict, priors: list[Prior], targets: list[Target], posterior: pd.DataFrame,
                predictive: pd.DataFrame, generations: pd.DataFrame | None, wall_s: float,
                warnings: list[str]) -> str:
    """The human-readable account of a calibration (report.txt)."""
    lines = [f"calibration of {manifest['scenario']} (variant {manifest['variant'] or '-'}) · "
             f"method {manifest['method']} · budget {manifest['budget']} · {manifest['reps']} rep(s) "
             f"× {manifest['days']} days per simulation",
             f"wall time: {wall_s:.1f} s (this invocation); simulations in all: {manifest.get('simulations', '?')}",
             ""]
    lines.append("targets (observed ± sd; source):")
    for t in targets:
        lines.append(f"  {t.metric} = {t.value:g} ± {t.sd:g}" + (f"   [{t.source}]" if t.source else ""))
    if generations is not None and len(generations):
        lines += ["", "generations (ABC-SMC):",
                  "  t   epsilon    accepted / simulated   acceptance   ESS"]
        for _, g in generations.iterrows():
            lines.append(f"  {int(g['generation']):<3d} {g['epsilon']:<10.4g} {int(g['particles']):>6d} / "
                         f"{int(g['samples']):<12d} {g['acceptance_rate']:<12.3f} {g['ess']:.1f}")
    if manifest["method"] == "optimize":
        lines += ["", f"point estimate: the best of {manifest.get('simulations', '?')} trials "
                      f"(distance {posterior['distance'].iloc[0]:.4g}; profile.parquet has the best distance "
                      "across each parameter's range)"]
        for p in priors:
            lines.append(f"  {p.path:<33s} prior {p.spec():<12s} estimate {posterior[p.path].iloc[0]:.4g}")
    else:
        w = posterior["weight"].to_numpy(float)
        ess = float(w.sum() ** 2 / (w ** 2).sum())
        lines += ["", f"posterior: {len(posterior)} accepted particles, effective sample size {ess:.1f}",
                  "  parameter                         prior        median    50% interval         "
                  "90% interval         90% width / prior"]
        for _, r in summary_table(posterior, priors).iterrows():
            lines.append(f"  {r['parameter']:<33s} {r['prior']:<12s} {r['median']:<9.4g} "
                         f"[{r['q25']:.4g}, {r['q75']:.4g}]".ljust(86)
                         + f"[{r['q05']:.4g}, {r['q95']:.4g}]".ljust(21) + f"{r['width90_share_of_prior']:.2f}")
    if len(predictive):
        lines += ["", f"posterior predictive check ({len(predictive)} draws): observed vs 90% predictive interval"]
        for _, r in predictive_table(predictive, targets).iterrows():
            lines.append(f"  {r['target']:<36s} observed {r['observed']:<10.4g} predicted {r['pred_median']:<10.4g} "
                         f"[{r['pred_q05']:.4g}, {r['pred_q95']:.4g}] {'inside' if r['inside90'] else 'OUTSIDE'}")
    if warnings:
        lines += ["", "warnings:"] + [f"  - {w}" for w in warnings]
    return "\n".join(lines) + "\n"
