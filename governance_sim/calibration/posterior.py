"""A stored posterior as forecast input: read ``posterior.parquet`` and draw particles by weight.

``compare(..., posterior="results/cal/posterior.parquet")`` gives each
replication one particle drawn here (seeded), so a comparison's spread
carries parameter uncertainty as well as the runs' own randomness.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from governance_sim.calibration.errors import CalibrationError

META = ("weight", "distance", "generation")


def read_posterior(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """A posterior table with its schema checked: ``weight``, ``distance``, ``generation`` and at
    least one dotted-path parameter column; weights are normalised to sum to 1."""
    if isinstance(source, pd.DataFrame):
        df = source.copy()
    else:
        path = Path(source)
        if path.is_dir():
            path = path / "posterior.parquet"
        if not path.exists():
            raise CalibrationError("--posterior", f"posterior file not found: {path}")
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # not Parquet, truncated, …
            raise CalibrationError("--posterior", f"cannot read {path} as Parquet: {exc}") from None
    missing = [c for c in META if c not in df.columns]
    if missing:
        raise CalibrationError("--posterior", f"not a posterior table: missing column(s) {', '.join(missing)} "
                                              "(write one with govsim calibrate)")
    if not parameter_columns(df):
        raise CalibrationError("--posterior", "the posterior has no parameter columns (dotted scenario paths)")
    if df.empty:
        raise CalibrationError("--posterior", "the posterior has no particles")
    w = df["weight"].to_numpy(dtype=float)
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise CalibrationError("--posterior", "weights must be finite, non-negative and not all zero")
    df["weight"] = w / w.sum()
    return df.reset_index(drop=True)


def parameter_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in META and "." in str(c)]


def draw_particles(posterior: pd.DataFrame, n: int, seed: int = 0) -> list[tuple[int, dict[str, float]]]:
    """``n`` particles drawn by weight with replacement: ``(row, {path: value})`` each."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(posterior), size=n, p=posterior["weight"].to_numpy(dtype=float))
    cols = parameter_columns(posterior)
    return [(int(k), {c: _plain(posterior[c].iloc[k]) for c in cols}) for k in rows]


def _plain(v):
    """numpy scalars → Python numbers (whole numbers stay whole, for integer fields)."""
    v = v.item() if hasattr(v, "item") else v
    return int(v) if isinstance(v, float) and v.is_integer() and abs(v) >= 1 else v
