"""The base of every scenario block: strict keys, finite numbers, and rules shared by all fields.

Every parameter model (scenario blocks, arrangement and overlay parameters)
derives from :class:`ParamModel`, which applies these rules to every field so
that no block has to repeat them:

* unknown keys are errors (a typo never passes silently);
* numbers are finite (``.nan`` and ``.inf`` are refused) and, unless a field
  sets its own upper bound, at most :data:`MAX_MAGNITUDE` in size, so no derived
  quantity overflows;
* ``true``/``false`` where a number is expected is an error (pydantic would
  otherwise read ``true`` as 1.0); a number written as text obeys the same rules;
* a float field named ``p_*``, ``*_prob`` or ``*_share`` is a probability in [0, 1];
* a field named ``*weights`` holds weights: each ≥ 0 and their sum > 0.
"""

from __future__ import annotations

import math
import types
import typing
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo, field_validator

MAX_MAGNITUDE = 1e9  # larger values are typos or attacks: no field of the model needs them
SEED_LIMIT = 2**63  # seeds are stored as signed 64-bit integers: 0 ≤ seed < 2**63


def check_seed(seed: int, field: str = "--seed") -> int:
    """A seed must satisfy 0 ≤ seed < 2**63 (it is stored as a signed 64-bit integer)."""
    from governance_sim.errors import ScenarioError

    if not 0 <= int(seed) < SEED_LIMIT:
        raise ScenarioError(field, f"a seed must satisfy 0 ≤ seed < 2**63 = {SEED_LIMIT:,} (got {seed})")
    return int(seed)


def check_weights(value: Any) -> Any:
    """Weights: a list or mapping of numbers, each ≥ 0, with a positive sum."""
    items = value.values() if isinstance(value, dict) else value
    numbers = [w for w in items if isinstance(w, int | float) and not isinstance(w, bool)]
    if any(w < 0 for w in numbers):
        raise ValueError(f"weights must be 0 or more (got {_short(value)})")
    if numbers and not sum(numbers) > 0:
        raise ValueError(f"at least one weight must be above 0 (got {_short(value)})")
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _leaves(ann: Any) -> list[Any]:
    """The alternatives of an annotation: ``int | list[X] | None`` → [int, list[X], NoneType]."""
    origin = typing.get_origin(ann)
    if origin is Annotated:
        return _leaves(typing.get_args(ann)[0])
    if origin in (typing.Union, types.UnionType):
        return [leaf for arg in typing.get_args(ann) for leaf in _leaves(arg)]
    return [ann]


def _is_probability(name: str) -> bool:
    return name.startswith("p_") or name.endswith(("_prob", "_share"))


class _Spec:
    """What the shared rules need to know of one annotation, worked out once."""

    __slots__ = ("anything", "numeric", "floats", "bools", "text", "sequences", "mappings")

    def __init__(self, ann: Any):
        leaves = _leaves(ann)
        self.anything = Any in leaves
        self.numeric = any(leaf in (int, float) for leaf in leaves)
        self.floats = float in leaves
        self.bools = bool in leaves
        self.text = str in leaves or any(typing.get_origin(x) is Literal for x in leaves)
        self.sequences: list[list[Any]] = []  # item annotations of list/tuple alternatives
        self.mappings: list[Any] = []  # value annotations of dict alternatives
        for leaf in leaves:
            origin, args = typing.get_origin(leaf), typing.get_args(leaf)
            if origin in (list, tuple) and args:
                self.sequences.append([a for a in args if a is not Ellipsis])
            elif origin is dict and len(args) == 2:
                self.mappings.append(args[1])


_SPECS: dict[int, tuple[Any, _Spec]] = {}


def _spec(ann: Any) -> _Spec:
    hit = _SPECS.get(id(ann))
    if hit is None or hit[0] is not ann:
        hit = _SPECS[id(ann)] = (ann, _Spec(ann))  # the annotation is kept alive with its spec
    return hit[1]


def _check(ann: Any, value: Any, name: str, bounded: bool = False) -> str | None:
    """A message if ``value`` cannot be what ``ann`` describes under the shared rules, else None.

    ``bounded``: the field declares its own upper bound, so the generic size cap does not apply."""
    spec = _spec(ann)
    if spec.anything:
        return None
    kind = type(value)
    if kind is bool:
        if spec.numeric and not spec.bools:
            return f"a number is required, not {str(value).lower()}"
        return None
    if kind is str:
        if not spec.numeric or spec.text:
            return None
        try:  # pydantic reads numbers written as text: apply the same rules to what it will read
            value = float(value.strip())
        except ValueError:
            return None  # pydantic reports it
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not spec.numeric:
            return None
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number (not .nan or .inf)"
        if not bounded and abs(value) > MAX_MAGNITUDE:
            return f"must be at most {MAX_MAGNITUDE:g} in size"
        if spec.floats and not bounded and _is_probability(name) and not 0 <= value <= 1:
            return "a probability must be between 0 and 1"
        return None
    if isinstance(value, list | tuple):
        for inner in spec.sequences:
            for i, item in enumerate(value):
                problem = _check(inner[min(i, len(inner) - 1)], item, "")
                if problem:
                    return f"item {i}: {problem}"
    elif isinstance(value, dict):
        for inner in spec.mappings:
            for key, item in value.items():
                problem = _check(inner, item, "")
                if problem:
                    return f"'{key}': {problem}"
    return None


_FIELD_PLANS: dict[tuple[type, str], tuple[Any, bool, bool] | None] = {}


class ParamModel(BaseModel):
    """Base of every scenario block and parameter set (see the module docstring for the rules)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _shared_rules(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return value
        key = (cls, info.field_name)
        plan = _FIELD_PLANS.get(key)
        if plan is None:
            field = cls.model_fields.get(info.field_name)
            if field is None:
                return value
            bounded = any(hasattr(m, "le") or hasattr(m, "lt") for m in field.metadata)
            plan = _FIELD_PLANS[key] = (field.annotation, bounded, info.field_name.endswith("weights"))
        annotation, bounded, weights = plan
        problem = _check(annotation, value, info.field_name, bounded)
        if problem:
            raise ValueError(problem)
        if weights and isinstance(value, list | tuple | dict):
            check_weights(value)
        return value


Weights = AfterValidator(check_weights)
"""Mark a mapping or list of numbers as weights: ``Annotated[dict[str, float], Weights]``."""
