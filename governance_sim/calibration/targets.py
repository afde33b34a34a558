"""Calibration targets (校准目标): observed figures with their uncertainty, read from YAML.

::

    targets:
      hotline_satisfaction_rate: {value: 0.70, sd: 0.05, source: "北京晚报 2010-05-24 …"}
      hotline_calls_per_1000_per_year: {value: 56, sd: 20}

A target names a numeric summary metric of a run, or a *derived* one: every
count in the summary (``hotline_calls``, ``cases_reported`` …) also exists as
``<count>_per_1000_per_year`` — the count per 1,000 residents per year of
simulated time, so a district's published volume can be compared with a
street of any size and a run of any length.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from governance_sim.calibration.errors import CalibrationError
from governance_sim.safe_yaml import load_yaml, read_text

PER_1000_PER_YEAR = "_per_1000_per_year"
DAYS_PER_YEAR = 365.0
FIELDS = ("value", "sd", "source")


@dataclass(frozen=True)
class Target:
    """One observed figure: ``value ± sd`` of ``metric``, with where it comes from."""

    metric: str
    value: float
    sd: float
    source: str = ""


def read_targets(source: str | Path | dict) -> list[Target]:
    """Parse a targets file (or mapping) and check its form; metric names are checked by
    :func:`check_metrics` against a scenario."""
    label = "targets"
    if isinstance(source, dict):
        raw = source
    else:
        path = Path(source)
        label = str(path)
        if not path.exists():
            raise CalibrationError("--targets", f"targets file not found: {path}")
        raw = load_yaml(read_text(path), label)  # the scenario files' guards: UTF-8, size, keys, aliases
    table = raw.get("targets") if isinstance(raw, dict) else None
    if not isinstance(table, dict) or not table:
        raise CalibrationError("targets", f"{label} needs a mapping 'targets: {{METRIC: {{value: X, sd: S}}}}' "
                                          "with at least one metric")
    return [_target(str(name), spec) for name, spec in table.items()]


def _target(name: str, spec: Any) -> Target:
    where = f"targets.{name}"
    if not isinstance(spec, dict):
        raise CalibrationError(where, "needs a mapping {value: X, sd: S, source: \"…\"}")
    unknown = sorted(set(spec) - set(FIELDS))
    if unknown:
        raise CalibrationError(f"{where}.{unknown[0]}", f"unknown field; allowed: {', '.join(FIELDS)}")
    for key in ("value", "sd"):
        v = spec.get(key)
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise CalibrationError(f"{where}.{key}", f"needs a finite number (got {v!r})")
    if spec["sd"] <= 0:
        raise CalibrationError(f"{where}.sd", f"must be > 0 (got {spec['sd']}): it weights the distance")
    return Target(name, float(spec["value"]), float(spec["sd"]), str(spec.get("source") or ""))


def available_metrics(summary: dict[str, Any]) -> list[str]:
    """Metric names a target may use, given one run's summary row."""
    from governance_sim.experiments.evaluate import numeric_metrics

    names = list(numeric_metrics(summary))
    names += [k + PER_1000_PER_YEAR for k in count_metrics(summary)]
    return sorted(names)


def count_metrics(summary: dict[str, Any]) -> list[str]:
    """Summary columns that count things (whole numbers: cases, calls, events)."""
    return [k for k, v in summary.items()
            if isinstance(v, numbers.Integral) and not isinstance(v, bool) and k != "seed"]


def check_metrics(targets: list[Target], summary: dict[str, Any]) -> None:
    """Every target must name an available metric; one error lists the allowed names."""
    known = set(available_metrics(summary))
    for t in targets:
        if t.metric not in known:
            raise CalibrationError(f"targets.{t.metric}", "unknown metric; available: " + ", ".join(sorted(known)))


def target_values(targets: list[Target], metrics: dict[str, float], population: float,
                  days: float) -> dict[str, float]:
    """The simulated value of every target from one run's numeric metrics."""
    scale = 1000.0 * DAYS_PER_YEAR / (population * days)
    out = {}
    for t in targets:
        if t.metric.endswith(PER_1000_PER_YEAR) and t.metric not in metrics:
            out[t.metric] = metrics[t.metric[: -len(PER_1000_PER_YEAR)]] * scale
        else:
            out[t.metric] = metrics[t.metric]
    return out


def base_metric(metric: str) -> tuple[str, bool]:
    """``(summary column, derived?)`` behind a target metric."""
    if metric.endswith(PER_1000_PER_YEAR):
        return metric[: -len(PER_1000_PER_YEAR)], True
    return metric, False
