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


def _check(ann: Any, value: Any, name: str, bounded: bool = False) -> str | None:
    """A message if ``value`` cannot be what ``ann`` describes under the shared rules, else None.

    ``bounded``: the field declares its own upper bound, so the generic size cap does not apply."""
    leaves = _leaves(ann)
    if Any in leaves:
        return None
    numeric = [leaf for leaf in leaves if leaf in (int, float)]
    if isinstance(value, bool):
        if numeric and bool not in leaves:
            return f"a number is required, not {str(value).lower()}"
        return None
    if isinstance(value, str) and numeric and str not in leaves:
        if any(typing.get_origin(x) is Literal for x in leaves):
            return None
        try:  # pydantic reads numbers written as text: apply the same rules to what it will read
            value = float(value.strip())
        except ValueError:
            return None  # pydantic reports it
    if isinstance(value, int | float):
        if not numeric:
            return None
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number (not .nan or .inf)"
        if abs(value) > MAX_MAGNITUDE and not bounded:
            return f"must be at most {MAX_MAGNITUDE:g} in size"
        if float in numeric and _is_probability(name) and not bounded and not 0 <= value <= 1:
            return "a probability must be between 0 and 1"
        return None
    if isinstance(value, list | tuple | dict):
        for leaf in leaves:
            origin = typing.get_origin(leaf)
            args = typing.get_args(leaf)
            if origin in (list, tuple) and isinstance(value, list | tuple) and args:
                inner = [a for a in args if a is not Ellipsis]
                for i, item in enumerate(value):
                    problem = _check(inner[min(i, len(inner) - 1)], item, "")
                    if problem:
                        return f"item {i}: {problem}"
            elif origin is dict and isinstance(value, dict) and len(args) == 2:
                for key, item in value.items():
                    problem = _check(args[1], item, "")
                    if problem:
                        return f"'{key}': {problem}"
    return None


class ParamModel(BaseModel):
    """Base of every scenario block and parameter set (see the module docstring for the rules)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _shared_rules(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name)
        if field is None or value is None:
            return value
        bounded = any(hasattr(m, "le") or hasattr(m, "lt") for m in field.metadata)
        problem = _check(field.annotation, value, info.field_name, bounded)
        if problem:
            raise ValueError(problem)
        if info.field_name.endswith("weights") and isinstance(value, list | tuple | dict):
            check_weights(value)
        return value


Weights = AfterValidator(check_weights)
"""Mark a mapping or list of numbers as weights: ``Annotated[dict[str, float], Weights]``."""
