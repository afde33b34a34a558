"""Registries of arrangements (体制 variants) and overlays.

A new arrangement is one new module that defines a policy class with a nested
pydantic ``Params`` model and decorates it with :func:`register_arrangement`;
importing it from ``governance_sim/arrangements/__init__.py`` is the registry
line.  Overlays work the same way.
"""

from __future__ import annotations

ARRANGEMENTS: dict[str, type] = {}
OVERLAYS: dict[str, type] = {}


def register_arrangement(cls: type) -> type:
    """Class decorator: make an arrangement selectable as ``arrangement.name``."""
    ARRANGEMENTS[cls.name] = cls
    return cls


def register_overlay(cls: type) -> type:
    """Class decorator: make an overlay selectable under ``overlays:``."""
    OVERLAYS[cls.name] = cls
    return cls
