"""Parameter controls generated from the pydantic ``Params`` of an arrangement and its overlays.

Nothing here knows a particular arrangement: every numeric or boolean field
of the chosen arrangement's ``Params`` (and of each overlay's) becomes a
:class:`ParamControl` with the field's bounds, its value in the chosen
variant, and its description, so a newly registered arrangement shows its
knobs without touching the app.  Changed values go back to the model as
dotted overrides (``arrangement.p_buckpass``, ``overlays.hotline.x``).
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass
from typing import Any

import annotated_types
from pydantic import BaseModel

SKIPPED_FIELDS = {"name"}


@dataclass(frozen=True)
class ParamControl:
    """One slider (or checkbox): ``path`` is the dotted override it sets."""

    path: str
    name: str
    kind: str  # "float", "int" or "bool"
    value: float | int | bool
    min: float | int | None = None
    max: float | int | None = None
    step: float | int | None = None
    description: str = ""
    group: str = "arrangement"  # "arrangement" or the overlay's name


def _plain_type(annotation: Any) -> type | None:
    """``float``, ``int`` or ``bool`` behind an annotation (``float | None`` counts); else None."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _plain_type(args[0]) if len(args) == 1 else None
    if origin is typing.Annotated:
        return _plain_type(typing.get_args(annotation)[0])
    return annotation if annotation in (bool, int, float) else None


def _bounds(metadata: list) -> tuple[float | None, float | None, bool, bool]:
    lo = hi = None
    lo_open = hi_open = False
    for m in metadata:
        if isinstance(m, annotated_types.Ge):
            lo = m.ge
        elif isinstance(m, annotated_types.Gt):
            lo, lo_open = m.gt, True
        elif isinstance(m, annotated_types.Le):
            hi = m.le
        elif isinstance(m, annotated_types.Lt):
            hi, hi_open = m.lt, True
        elif isinstance(m, annotated_types.Interval):
            if m.ge is not None:
                lo = m.ge
            if m.gt is not None:
                lo, lo_open = m.gt, True
            if m.le is not None:
                hi = m.le
            if m.lt is not None:
                hi, hi_open = m.lt, True
    return lo, hi, lo_open, hi_open


def _nice_step(span: float) -> float:
    """A round step giving about 100 positions over ``span``."""
    if span <= 0:
        return 0.01
    raw = span / 100.0
    mag = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 5, 10):
        if raw <= mult * mag:
            return mult * mag
    return 10 * mag  # pragma: no cover


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is ≥ ``x``."""
    if x <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(x))
    for mult in (1, 2, 5, 10):
        if x <= mult * mag:
            return mult * mag
    return 10 * mag  # pragma: no cover


def control_for(field_name: str, info, value: Any, prefix: str, group: str) -> ParamControl | None:
    """The control of one pydantic field, or ``None`` when it is not a number or a switch."""
    kind = _plain_type(info.annotation)
    if kind is None or field_name in SKIPPED_FIELDS or value is None:
        return None
    path = f"{prefix}.{field_name}"
    desc = info.description or ""
    if kind is bool:
        return ParamControl(path, field_name, "bool", bool(value), description=desc, group=group)
    lo, hi, lo_open, hi_open = _bounds(info.metadata)
    lo = 0 if lo is None else lo
    if hi is None:  # unbounded above: leave room for several times the current value
        hi = _nice_ceiling(max(abs(value) * 4, lo + 1, 1))
    if kind is int:
        lo = math.floor(lo) + (1 if lo_open and float(lo).is_integer() else 0)
        hi = math.ceil(hi) - (1 if hi_open and float(hi).is_integer() else 0)
        return ParamControl(path, field_name, "int", int(value), int(lo), int(max(hi, lo)), 1, desc, group)
    step = _nice_step(hi - lo)
    lo = lo + step if lo_open else lo
    hi = hi - step if hi_open else hi
    value = float(min(max(value, lo), hi))
    return ParamControl(path, field_name, "float", value, float(lo), float(hi), step, desc, group)


def controls_of(params: BaseModel, prefix: str, group: str) -> list[ParamControl]:
    """Controls for every number or switch of a ``Params`` instance, in declaration order."""
    out = []
    for name, info in type(params).model_fields.items():
        c = control_for(name, info, getattr(params, name), prefix, group)
        if c is not None:
            out.append(c)
    return out


def scenario_controls(scenario) -> list[ParamControl]:
    """Controls of the scenario's arrangement, then of each overlay it switches on."""
    out = controls_of(scenario.arrangement, "arrangement", "arrangement")
    for name, params in scenario.overlays.items():
        out.extend(controls_of(params, f"overlays.{name}", name))
    return out


def changed_overrides(controls: list[ParamControl], values: dict[str, Any]) -> dict[str, Any]:
    """Dotted overrides for the controls whose value differs from the variant's own."""
    out = {}
    for c in controls:
        if c.path not in values:
            continue
        v = values[c.path]
        if c.kind == "float":
            if not math.isclose(float(v), float(c.value), rel_tol=1e-9, abs_tol=1e-12):
                out[c.path] = float(v)
        elif v != c.value:
            out[c.path] = int(v) if c.kind == "int" else bool(v)
    return out
