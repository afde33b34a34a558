"""The error of a calibration that cannot start: bad targets, priors, options or output folder."""

from __future__ import annotations

from governance_sim.scenario import ScenarioError

EXTRA_HINT = 'pip install -e ".[calibrate]"'


class CalibrationError(ScenarioError):
    """One clear line naming the field and what is allowed (the CLI exits with status 2)."""


def require(module: str):
    """Import an optional dependency of calibration, or fail with the install command."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise CalibrationError("--method", f"needs the '{module}' package; install the calibration "
                                           f"extra: {EXTRA_HINT}") from None
