"""Optional extras: what each adds, and one line naming the ``pip install`` when one is missing.

The core install runs, compares, sweeps, validates and queries on this machine.
The rest is opt-in::

    pip install "governance_sim[dask]"       # --scheduler: runs on a Dask cluster
    pip install "governance_sim[viz]"        # govsim viz, and Mesa's SolaraViz
    pip install "governance_sim[geo]"        # maps (geopandas, shapely)
    pip install "governance_sim[calibrate]"  # calibration (pyabc, optuna)
    pip install "governance_sim[mining]"     # process mining of case event logs (pm4py, AGPL)
    pip install "governance_sim[panel]"      # event studies of roll-outs (differences, statsmodels)
    pip install "governance_sim[all]"        # all of the above
"""

from __future__ import annotations

from importlib import import_module

from governance_sim.scenario import ScenarioError

EXTRAS = ("dask", "viz", "geo", "calibrate", "mining", "panel", "all")


def install_command(extra: str) -> str:
    return f'pip install "governance_sim[{extra}]"'


class MissingExtra(ScenarioError, ImportError):
    """An optional dependency is not installed; ``str()`` is the one line that says how to add it."""

    def __init__(self, module: str, extra: str, what: str):
        super().__init__(f"[{extra}]", f"{what} needs {module}")
        self.module, self.extra, self.what = module, extra, what

    def __str__(self) -> str:
        return f"{self.what} needs the optional [{self.extra}] extra ({self.module}): {install_command(self.extra)}"


def require(module: str, extra: str, what: str):
    """Import ``module`` or raise :class:`MissingExtra` naming ``pip install "governance_sim[extra]"``."""
    try:
        return import_module(module)
    except ImportError:
        raise MissingExtra(module, extra, what) from None
