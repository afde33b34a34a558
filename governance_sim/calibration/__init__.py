"""Calibration and forecasting (校准与预测): fit behavioural parameters to observed figures.

* ``targets`` — the targets file (observed value ± sd per metric, with its source);
* ``priors`` — ``--param PATH=LO:HI`` / ``PATH=log:LO:HI`` ranges;
* ``simulate`` — the scenario as a function of the parameters (runner + seeds);
* ``abc_backend`` — ABC-SMC with pyabc; ``optuna_backend`` — TPE point estimate with optuna;
* ``check`` — a Morris screen (SALib) of identifiability before spending the budget;
* ``report``, ``plot`` — the outputs; ``fit`` — :func:`calibrate`, tying them together;
* ``posterior`` — drawing particles for forecasts (``compare(..., posterior=...)``).
"""

from governance_sim.calibration.errors import CalibrationError
from governance_sim.calibration.fit import Calibration, calibrate
from governance_sim.calibration.targets import Target, read_targets

__all__ = ["Calibration", "CalibrationError", "Target", "calibrate", "read_targets"]
