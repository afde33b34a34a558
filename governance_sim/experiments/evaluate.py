"""``evaluate()``: one run as a plain function of keyword parameters → numeric metrics.

This is the shape EMA Workbench (``Model(name, function=evaluate)``) and
SALib (``Y = [evaluate(sc, **dict(zip(names, x)))[metric] for x in X]``)
expect: parameters in, a flat dict of floats out.
"""

from __future__ import annotations

import math
import numbers
from pathlib import Path
from typing import Any

from governance_sim.runner import run
from governance_sim.scenario import Scenario

IDENTITY = {"scenario", "scenario_hash", "variant", "arrangement", "seed", "version"}


def evaluate(scenario: str | Path | dict | Scenario, seed: int = 0, days: int = 365,
             variant: str | None = None, **overrides: Any) -> dict[str, float]:
    """Run ``scenario`` once and return its summary's numeric metrics as floats.

    Overrides are dotted scenario paths given as keywords; ``__`` stands for ``.``
    so they can be written as plain names::

        evaluate("scenarios/beijing_street.yaml", seed=1, days=90,
                 arrangement__p_buckpass=0.1, **{"roles.grid_worker.detection_prob": 0.4})

    Metrics that are undefined for the run (e.g. no case rated) are NaN.
    """
    dotted = {k.replace("__", "."): v for k, v in overrides.items()}
    result = run(scenario, variant, seed=seed, days=days, overrides=dotted or None)
    return numeric_metrics(result.summary.iloc[0].to_dict())


def numeric_metrics(summary: dict[str, Any]) -> dict[str, float]:
    """The numeric metrics of a summary row as floats (identity columns left out)."""
    out: dict[str, float] = {}
    for key, value in summary.items():
        if key in IDENTITY or isinstance(value, bool) or not isinstance(value, numbers.Real | None):
            continue
        out[key] = math.nan if value is None else float(value)
    return out
