"""Priors (先验) from ``--param PATH=LO:HI`` (uniform) or ``PATH=log:LO:HI`` (log-uniform).

A prior is a dotted scenario path and a range; the range is parsed by the
sweep's own parser (:func:`governance_sim.experiments.designs.parse_param`),
so the same paths and numbers are accepted everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from governance_sim.calibration.errors import CalibrationError
from governance_sim.experiments.designs import SpecError, parse_param

LOG_PREFIX = "log:"


@dataclass(frozen=True)
class Prior:
    """A uniform (or log-uniform) prior over ``[low, high]`` for the scenario field ``path``."""

    path: str
    low: float
    high: float
    log: bool = False

    @property
    def column(self) -> str:
        """Name inside pyabc/optuna (no dots): ``arrangement__p_buckpass``."""
        return self.path.replace(".", "__")

    @property
    def width(self) -> float:
        return self.high - self.low

    def rv(self):
        """The prior as a pyabc random variable."""
        import pyabc

        if self.log:
            return pyabc.RV("loguniform", self.low, self.high)
        return pyabc.RV("uniform", self.low, self.width)

    def from_unit(self, u: float) -> float:
        if self.log:
            return math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        return self.low + u * self.width

    def spec(self) -> str:
        return f"{LOG_PREFIX if self.log else ''}{self.low:g}:{self.high:g}"


def parse_priors(params: Any) -> list[Prior]:
    """Accept ``["path=lo:hi", "path=log:lo:hi"]``, ``{"path": "lo:hi"}`` or ``{"path": (lo, hi)}``."""
    items = list(params.items()) if isinstance(params, dict) else []
    if not isinstance(params, dict):
        for p in params or []:
            if not isinstance(p, str) or "=" not in p:
                raise CalibrationError("--param", f"'{p}' must look like PATH=LO:HI or PATH=log:LO:HI, "
                                                  "e.g. arrangement.p_buckpass=0:0.8")
            path, _, spec = p.partition("=")
            items.append((path.strip(), spec.strip()))
    if not items:
        raise CalibrationError("--param", "name at least one parameter to calibrate: PATH=LO:HI "
                                          "(uniform) or PATH=log:LO:HI (log-uniform)")
    priors = [_prior(path, spec) for path, spec in items]
    paths = [p.path for p in priors]
    for p in paths:
        if paths.count(p) > 1:
            raise CalibrationError(p, "given more than once")
    return priors


def _prior(path: str, spec: Any) -> Prior:
    log = isinstance(spec, str) and spec.strip().startswith(LOG_PREFIX)
    text = spec.strip()[len(LOG_PREFIX):] if log else spec
    try:
        param = parse_param(path, text)
    except SpecError as exc:
        raise CalibrationError(exc.field, exc.message) from None
    if param.kind != "range" or param.levels is not None:
        raise CalibrationError(path, f"a prior is a range LO:HI or log:LO:HI (got '{spec}')")
    if log and param.low <= 0:
        raise CalibrationError(path, f"a log-uniform prior needs 0 < LO < HI (got '{spec}')")
    return Prior(param.path, float(param.low), float(param.high), log)
