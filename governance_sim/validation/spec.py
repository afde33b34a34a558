"""How a claim is declared: arms, a metric, a per-seed estimand, a direction and a test.

A claim of MODEL.md §7 becomes an experiment:

* **arms** — a named variant of a shipped scenario plus dotted overrides
  (:class:`Arm`); every arm runs with the same seeds (common random numbers);
* **metric** — a summary column or a derived measure (:class:`Metric`);
* **estimand** — computed seed by seed from the arms: a difference
  (:class:`Diff`), a relative change (:class:`RelChange`) or a difference of
  differences for claims about an interaction (:class:`DiffOfDiffs`);
* **expectation** — ``direction`` and ``threshold``: "greater than 0" for
  "raises", "greater than −0.10" for "barely shortens" (a margin);
* **test** — ``paired_t`` (default), ``bootstrap`` or ``welch`` (see
  :mod:`governance_sim.validation.statistics`);
* **counterfactual** — the behavioural parameter the claim depends on, its documented
  range and the setting that should overturn the claim (:class:`Counterfactual`): with
  it the claim must FAIL; ``--scan`` sweeps the range and finds where the verdict flips.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from governance_sim.validation.statistics import TESTS

# ------------------------------------------------------------------ metrics


@dataclass(frozen=True)
class Metric:
    """A per-run measure: a summary column, or ``fn(summary, timeseries)`` for a derived one."""

    name: str
    label_en: str = ""
    label_zh: str = ""
    fn: Callable[[Mapping[str, Any], pd.DataFrame | None], float] | None = field(default=None, compare=False)
    timeseries: bool = False

    def value(self, summary: Mapping[str, Any], timeseries: pd.DataFrame | None = None) -> float:
        if self.fn is None:
            v = summary.get(self.name, math.nan)
            return math.nan if v is None else float(v)
        return float(self.fn(summary, timeseries))

    def label(self, lang: str = "en") -> str:
        text = self.label_zh if lang == "zh" else self.label_en
        return text or self.name


def reported_share(summary: Mapping[str, Any], _ts=None) -> float:
    """Share of problems that came to the organisation's notice (reports and patrol finds)."""
    created = summary.get("cases_created") or 0
    return float(summary.get("cases_reported", 0)) / created if created else math.nan


def window_mean(column: str, first_day: int, last_day: int):
    """Mean of a daily series over days ``first_day``–``last_day`` (those the run reached)."""
    def fn(_summary, ts: pd.DataFrame | None) -> float:
        if ts is None or ts.empty:
            return math.nan
        days = ts["day"]
        sel = ts.loc[(days >= first_day) & (days <= last_day), column]
        return float(sel.mean()) if len(sel) else math.nan
    return fn


# ------------------------------------------------------------------ arms


@dataclass(frozen=True)
class Arm:
    """One arm of an experiment: ``variant`` of the claim's scenario (``None`` = as written)
    with ``overrides`` applied on top."""

    label: str
    variant: str | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        if not self.overrides:
            return self.variant or self.label
        sets = ", ".join(f"{k}={v}" for k, v in self.overrides.items())
        return f"{self.variant or 'as written'} + {sets}"


# ------------------------------------------------------------------ estimands


class Contrast:
    """A per-seed estimand computed from the arms' metric values."""

    kind = "contrast"

    def arms(self) -> tuple[str, ...]:
        raise NotImplementedError

    def metrics(self, default: str) -> tuple[str, ...]:
        raise NotImplementedError

    def values(self, data: Mapping[str, pd.DataFrame], default: str) -> pd.Series:
        """One value per seed present in every arm (``data``: arm label → frame indexed by seed)."""
        raise NotImplementedError

    def describe(self, default: str) -> str:
        raise NotImplementedError


def _aligned(data: Mapping[str, pd.DataFrame], a: str, b: str, metric: str) -> tuple[pd.Series, pd.Series]:
    x, y = data[a][metric], data[b][metric]
    common = x.index.intersection(y.index)
    return x.loc[common].astype(float), y.loc[common].astype(float)


@dataclass(frozen=True)
class Diff(Contrast):
    """``b − a`` on the same seed (``metric`` defaults to the claim's)."""

    a: str
    b: str
    metric: str | None = None
    kind = "difference"

    def arms(self) -> tuple[str, ...]:
        return (self.a, self.b)

    def metrics(self, default: str) -> tuple[str, ...]:
        return (self.metric or default,)

    def values(self, data, default):
        x, y = _aligned(data, self.a, self.b, self.metric or default)
        return y - x

    def describe(self, default):
        m = "" if self.metric in (None, default) else f" [{self.metric}]"
        return f"{self.b} − {self.a}{m}"


@dataclass(frozen=True)
class RelChange(Diff):
    """``(b − a) / a`` on the same seed: a proportional change."""

    kind = "relative change"

    def values(self, data, default):
        x, y = _aligned(data, self.a, self.b, self.metric or default)
        return (y - x) / x.where(x != 0)

    def describe(self, default):
        m = "" if self.metric in (None, default) else f" [{self.metric}]"
        return f"({self.b} − {self.a}) / {self.a}{m}"


@dataclass(frozen=True)
class DiffOfDiffs(Contrast):
    """``first − weight · second`` on the same seed: how much one effect exceeds another
    (an interaction), e.g. the whistle's gain on cross-department minus its gain on
    single-department cases."""

    first: Diff
    second: Diff
    weight: float = 1.0
    kind = "difference of differences"

    def arms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.first.arms() + self.second.arms()))

    def metrics(self, default):
        return tuple(dict.fromkeys(self.first.metrics(default) + self.second.metrics(default)))

    def values(self, data, default):
        x, y = self.first.values(data, default), self.second.values(data, default)
        common = x.index.intersection(y.index)
        return x.loc[common] - self.weight * y.loc[common]

    def describe(self, default):
        w = "" if self.weight == 1 else f"{self.weight:g} · "
        return f"[{self.first.describe(default)}] − {w}[{self.second.describe(default)}]"


# ------------------------------------------------------------------ claims


FORBIDDEN_PARAMETERS = ("arrangement.name", "variant", "overlays")


@dataclass(frozen=True)
class Counterfactual:
    """The behavioural parameter a claim depends on, its documented range, and the setting
    that should overturn the claim.

    The parameter must act through the claimed mechanism: it is never the variant or the
    arrangement itself, and neither its range nor its counterfactual ``value`` reaches zero
    (a switch that removes the mechanism shows only that it exists).  ``govsim validate
    --scan`` sweeps it over ``[low, high]``; ``arms`` limits it to the arms that have it
    (e.g. a parameter only one arrangement knows), ``None`` = every arm.
    """

    parameter: str
    low: float
    high: float
    value: float
    text: str
    arms: tuple[str, ...] | None = None
    scale: str = "linear"  # or "log": scan points evenly spaced in log(value)

    def __post_init__(self) -> None:
        p = self.parameter
        if p in FORBIDDEN_PARAMETERS or p.startswith(("overlays.", "variants")) or p.endswith(".name"):
            raise ValueError(f"counterfactual {p!r}: change a behavioural parameter, not the variant "
                             "or the arrangement")
        if not 0 < self.low < self.high:
            raise ValueError(f"counterfactual {p!r}: the range must be 0 < low < high "
                             f"(got {self.low}, {self.high})")
        if not self.low <= self.value <= self.high:
            raise ValueError(f"counterfactual {p!r}: value {self.value} lies outside "
                             f"[{self.low}, {self.high}]")
        if self.scale not in ("linear", "log"):
            raise ValueError(f"counterfactual {p!r}: scale must be 'linear' or 'log'")

    def applies_to(self, label: str) -> bool:
        return self.arms is None or label in self.arms

    def for_arm(self, label: str, value: float | None = None) -> dict[str, Any]:
        """Overrides for arm ``label``: the parameter at ``value`` (default: the counterfactual)."""
        if not self.applies_to(label):
            return {}
        return {self.parameter: self.value if value is None else value}

    def grid(self, points: int) -> list[float]:
        """``points`` values spanning ``[low, high]`` (both ends included)."""
        import numpy as np

        if points < 2:
            raise ValueError("a scan needs at least 2 points")
        if self.scale == "log":
            values = np.geomspace(self.low, self.high, points)
        else:
            values = np.linspace(self.low, self.high, points)
        return [float(f"{v:.4g}") for v in values]

    def describe(self) -> str:
        where = "" if self.arms is None else f" ({', '.join(self.arms)})"
        return f"{self.parameter}={self.value:g}{where}"

    def range_text(self) -> str:
        return f"{self.parameter} ∈ [{self.low:g}, {self.high:g}]"


@dataclass(frozen=True)
class Claim:
    """A stylised fact of MODEL.md §7 as an experiment with a statistical test."""

    id: str
    text: str
    scenario: str | Mapping[str, Any]
    arms: tuple[Arm, ...]
    contrast: Contrast
    metric: str
    direction: str  # "greater" | "less"
    threshold: float = 0.0
    test: str = "paired_t"
    counterfactual: Counterfactual | None = None
    text_zh: str = ""
    note: str = ""
    min_days: int | None = None  # runs last at least this long (e.g. to reach a shock window)

    def __post_init__(self) -> None:
        labels = [a.label for a in self.arms]
        if len(set(labels)) != len(labels):
            raise ValueError(f"claim {self.id}: arm labels repeat: {labels}")
        missing = set(self.contrast.arms()) - set(labels)
        if missing:
            raise ValueError(f"claim {self.id}: the estimand uses unknown arms {sorted(missing)}")
        if self.direction not in ("greater", "less"):
            raise ValueError(f"claim {self.id}: direction must be 'greater' or 'less'")
        if self.test not in TESTS:
            raise ValueError(f"claim {self.id}: test must be one of {TESTS}")
        if self.test == "welch" and type(self.contrast) is not Diff:
            raise ValueError(f"claim {self.id}: Welch's test compares two arms (a Diff)")
        if self.counterfactual is not None and self.counterfactual.arms is not None:
            unknown = set(self.counterfactual.arms) - set(labels)
            if unknown:
                raise ValueError(f"claim {self.id}: counterfactual names unknown arms {sorted(unknown)}")

    @property
    def scenario_name(self) -> str:
        if isinstance(self.scenario, str):
            return self.scenario
        return str(self.scenario.get("name", "scenario"))

    def arm(self, label: str) -> Arm:
        return next(a for a in self.arms if a.label == label)

    def expected(self) -> str:
        sign = ">" if self.direction == "greater" else "<"
        return f"{sign} {self.threshold:g}"

    def variants(self) -> str:
        """The arms the estimand compares, in order."""
        return " vs ".join(self.contrast.arms())
