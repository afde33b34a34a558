"""Experimental designs (试验设计): the parameters of a sweep and the points to run.

A parameter is a dotted scenario path (as in ``--set``) and a SPEC:

* a range ``lo:hi`` (or ``lo:hi:n`` for ``n`` grid levels),
* a list ``[a, b, c]`` of values (any YAML values, e.g. arrangement names),
* a distribution ``uniform(lo,hi)``, ``normal(mu,sd)``, ``lognormal(mu,sigma)``,
  ``loguniform(lo,hi)`` or ``triangular(lo,mode,hi)`` — for sampled designs only.

Sampled designs (Latin hypercube, Sobol, Morris) draw points in the unit cube
with SALib and map each coordinate through the parameter (inverse CDF for a
distribution, equal slices for a list), so the same unit sample serves every
kind of parameter and SALib's analysers work in that unit space.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import yaml

from governance_sim.scenario import ScenarioError

DESIGNS = ("grid", "lhs", "sobol", "morris")
DEFAULT_SAMPLES = {"grid": 5, "lhs": 50, "sobol": 64, "morris": 10}
DISTRIBUTIONS = {  # name → (argument names, check of the arguments)
    "uniform": (("lo", "hi"), lambda a: a[0] < a[1]),
    "loguniform": (("lo", "hi"), lambda a: 0 < a[0] < a[1]),
    "normal": (("mu", "sd"), lambda a: a[1] > 0),
    "lognormal": (("mu", "sigma"), lambda a: a[1] > 0),
    "triangular": (("lo", "mode", "hi"), lambda a: a[0] <= a[1] <= a[2] and a[0] < a[2]),
}
SPEC_FORMS = ("a range lo:hi (lo:hi:n for n grid levels), a list [a,b,c], or a distribution "
              + ", ".join(f"{n}({','.join(args)})" for n, (args, _) in DISTRIBUTIONS.items()))
RESERVED = {"seed": "each run's seed comes from the sweep seed and the run id"}
_EPS = 1e-9  # keeps inverse CDFs finite at the edges of the unit cube
MAX_RUNS = 1_000_000  # runs (points × replicates) in one sweep; split a larger study into several sweeps


class SpecError(ScenarioError):
    """A ``--param PATH=SPEC`` that cannot be parsed or used with the chosen design."""

    def __init__(self, path: str, message: str):
        super().__init__(path, message)


@dataclass(frozen=True)
class Param:
    """One swept scenario field: its dotted ``path`` and how its values are chosen."""

    path: str
    kind: str  # "range" | "list" | "dist"
    spec: str
    low: float | None = None
    high: float | None = None
    levels: int | None = None
    values: tuple = ()
    dist: str | None = None
    args: tuple[float, ...] = ()
    integer: bool = False

    @property
    def column(self) -> str:
        """Column name in result tables: dots become ``__`` (no quoting needed in SQL)."""
        return self.path.replace(".", "__")

    def as_integer(self) -> Param:
        """The same parameter for an integer field: sampled values are whole numbers."""
        if self.kind == "list" or self.integer:
            return self
        if self.kind == "range" and not (float(self.low).is_integer() and float(self.high).is_integer()):
            raise SpecError(self.path, f"this field takes whole numbers, so the range '{self.spec}' "
                                       "needs whole-number bounds")
        return replace(self, integer=True)

    # ------------------------------------------------------------------ values
    def grid_values(self, default_levels: int) -> list[Any]:
        """The levels of a full factorial design."""
        if self.kind == "list":
            return list(self.values)
        if self.kind == "dist":
            raise SpecError(self.path, f"a distribution ('{self.spec}') has no levels for the grid "
                                       "design; use a range lo:hi[:n] or a list [a,b,c], or --design lhs|sobol")
        if self.integer and self.levels is None:
            return list(range(int(self.low), int(self.high) + 1))
        n = self.levels or default_levels
        points = np.linspace(self.low, self.high, n)
        if self.integer:
            return sorted({int(round(x)) for x in points})
        return [float(x) for x in points]

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map unit-cube coordinates in [0, 1] to parameter values."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.kind == "list":
            idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in idx]
        if self.kind == "range":
            if self.integer:
                lo, hi = int(self.low), int(self.high)
                return [int(v) for v in np.minimum(np.floor(lo + u * (hi - lo + 1)), hi)]
            return [float(v) for v in self.low + u * (self.high - self.low)]
        try:
            with np.errstate(all="ignore"):
                x = np.asarray(_ppf(self.dist, self.args, np.clip(u, _EPS, 1 - _EPS)), dtype=float)
        except (OverflowError, ValueError):
            x = np.array([math.inf])
        if not np.all(np.isfinite(x)):
            raise SpecError(self.path, f"'{self.spec}' gives values that are not finite numbers; "
                                       "choose smaller arguments")
        if self.integer:
            return [int(round(v)) for v in x]
        return [float(v) for v in x]


def _ppf(name: str, a: tuple[float, ...], u: np.ndarray) -> np.ndarray:
    from scipy import stats

    if name == "uniform":
        return a[0] + u * (a[1] - a[0])
    if name == "loguniform":
        return np.exp(np.log(a[0]) + u * (np.log(a[1]) - np.log(a[0])))
    if name == "normal":
        return stats.norm.ppf(u, loc=a[0], scale=a[1])
    if name == "lognormal":
        return stats.lognorm.ppf(u, s=a[1], scale=math.exp(a[0]))
    lo, mode, hi = a
    return stats.triang.ppf(u, c=(mode - lo) / (hi - lo), loc=lo, scale=hi - lo)


# --------------------------------------------------------------------------- parsing

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*:\s*({_NUMBER})\s*(?::\s*(\d+)\s*)?$")
_DIST = re.compile(r"^\s*([a-z]+)\s*\((.*)\)\s*$")


def parse_param(path: str, spec: Any) -> Param:
    """Parse one parameter.  ``spec`` is SPEC text, a list of values, or a ``(lo, hi)`` tuple."""
    path = str(path).strip()
    if not path or any(not part for part in path.split(".")):
        raise SpecError(path or "(empty)", "a parameter needs a dotted scenario path, e.g. "
                                           "arrangement.p_buckpass=0:0.6")
    if path in RESERVED:
        raise SpecError(path, f"cannot be swept: {RESERVED[path]}")
    if isinstance(spec, Param):
        return spec
    if isinstance(spec, tuple) and len(spec) == 2:
        spec = f"{spec[0]}:{spec[1]}"
    if isinstance(spec, list | tuple):
        return _list_param(path, list(spec), repr(list(spec)))
    text = str(spec).strip()
    if m := _RANGE.match(text):
        low, high = float(m.group(1)), float(m.group(2))
        if not low < high:
            raise SpecError(path, f"range '{text}' needs lo < hi")
        levels = int(m.group(3)) if m.group(3) else None
        if levels is not None and levels > MAX_RUNS:
            raise SpecError(path, f"at most {MAX_RUNS:,} levels (got {levels})")
        if levels is not None and levels < 2:
            raise SpecError(path, f"range '{text}' needs at least 2 grid levels")
        return Param(path, "range", text, low=low, high=high, levels=levels)
    if text.startswith("["):
        try:
            values = yaml.safe_load(text)
        except yaml.YAMLError:
            values = None
        if not isinstance(values, list):
            raise SpecError(path, f"cannot read the list '{text}'; write it as [a,b,c]")
        return _list_param(path, values, text)
    if m := _DIST.match(text):
        name, body = m.group(1), m.group(2)
        if name not in DISTRIBUTIONS:
            raise SpecError(path, f"unknown distribution '{name}'; allowed: "
                                  + ", ".join(f"{n}({','.join(a)})" for n, (a, _) in DISTRIBUTIONS.items()))
        names, check = DISTRIBUTIONS[name]
        try:
            args = tuple(float(x) for x in body.split(","))
        except ValueError:
            args = ()
        if len(args) != len(names):
            raise SpecError(path, f"{name} takes {len(names)} numbers: {name}({','.join(names)}); got '{text}'")
        if not check(args):
            raise SpecError(path, f"invalid arguments in '{text}' for {name}({','.join(names)})")
        return Param(path, "dist", text, dist=name, args=args)
    raise SpecError(path, f"cannot read the spec '{text}'; allowed: {SPEC_FORMS}")


def _list_param(path: str, values: list, text: str) -> Param:
    if not values:
        raise SpecError(path, "a list of values needs at least one value")
    if any(isinstance(v, dict | list) for v in values):
        raise SpecError(path, f"list '{text}' may hold only plain values (numbers, words, true/false)")
    return Param(path, "list", text, values=tuple(values))


def parse_params(params: Any) -> list[Param]:
    """Accept ``{"path": spec}``, ``["path=spec", ...]`` or a list of :class:`Param`."""
    if isinstance(params, dict):
        items = list(params.items())
    else:
        items = []
        for p in params or []:
            if isinstance(p, Param):
                items.append((p.path, p))
            elif isinstance(p, str) and "=" in p:
                path, _, spec = p.partition("=")
                items.append((path, spec))
            else:
                raise SpecError(str(p), "a parameter must look like PATH=SPEC, e.g. arrangement.p_buckpass=0:0.6")
    if not items:
        raise SpecError("--param", "at least one parameter is needed (PATH=SPEC)")
    out = [parse_param(path, spec) for path, spec in items]
    seen = [p.path for p in out]
    dup = sorted({p for p in seen if seen.count(p) > 1})
    if dup:
        raise SpecError(dup[0], "given more than once")
    return out


# --------------------------------------------------------------------------- designs


def salib_problem(params: list[Param]) -> dict:
    """SALib's problem dict in unit space (values are mapped by :meth:`Param.from_unit`)."""
    return {"num_vars": len(params), "names": [p.path for p in params], "bounds": [[0.0, 1.0]] * len(params)}


def unit_sample(params: list[Param], design: str, samples: int, seed: int, num_levels: int = 4) -> np.ndarray:
    """Points in the unit cube for a sampled design, one row per point."""
    problem = salib_problem(params)
    if design == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, samples, seed=seed)
    if design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, samples, calc_second_order=False, scramble=True, seed=seed)
    if design == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=num_levels, seed=seed)
    raise SpecError("--design", f"unknown design '{design}'; allowed: {', '.join(DESIGNS)}")


def check_samples(design: str, samples: int | None) -> int:
    """The number of samples to use, with a clear error for impossible values."""
    if design not in DESIGNS:
        raise SpecError("--design", f"unknown design '{design}'; allowed: {', '.join(DESIGNS)}")
    n = DEFAULT_SAMPLES[design] if samples is None else int(samples)
    if n > MAX_RUNS:
        raise SpecError("--samples", f"at most {MAX_RUNS:,} per sweep (got {n:,})")
    if n < 1 or (design == "grid" and n < 2):
        raise SpecError("--samples", f"must be at least {2 if design == 'grid' else 1} for --design {design}")
    if design == "sobol" and n & (n - 1):
        lower = 1 << (n.bit_length() - 1)
        raise SpecError("--samples", f"Sobol' sampling needs a power of 2 (got {n}; try {lower} or {lower * 2})")
    if design == "morris" and n < 2:
        raise SpecError("--samples", "Morris needs at least 2 trajectories")
    return n


def design_points(params: list[Param], design: str = "grid", samples: int | None = None,
                  seed: int = 0, num_levels: int = 4) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The design: one row per point with a column per parameter (see :attr:`Param.column`).

    Returns the points and, for sampled designs, the unit-cube sample behind them.
    Counts: grid = product of levels; lhs = ``samples``; sobol = ``samples × (k + 2)``
    (first-order and total indices); morris = ``samples × (k + 1)``.
    """
    n = check_samples(design, samples)
    columns = [p.column for p in params]
    if design == "grid":
        levels = [p.grid_values(n) for p in params]
        if math.prod(len(lv) for lv in levels) > MAX_RUNS:
            raise SpecError("--param", f"the grid has {math.prod(len(lv) for lv in levels):,} points; "
                                       f"at most {MAX_RUNS:,} per sweep")
        rows = list(itertools.product(*levels))
        return pd.DataFrame(rows, columns=columns), None
    for p in params:
        if design == "morris" and p.kind == "dist":
            raise SpecError(p.path, "Morris screening uses levels of a range or list; "
                                    "use lo:hi or [a,b,c] instead of a distribution")
    per_sample = {"sobol": len(params) + 2, "morris": len(params) + 1}.get(design, 1)
    if n * per_sample > MAX_RUNS:
        raise SpecError("--samples", f"{n:,} samples make {n * per_sample:,} points; at most {MAX_RUNS:,} per sweep")
    unit = unit_sample(params, design, n, seed, num_levels)
    data = {p.column: p.from_unit(unit[:, j]) for j, p in enumerate(params)}
    return pd.DataFrame(data, columns=columns), unit
