"""governance_sim — agent-based simulation of base-level governance reforms in China
(基层治理体制机制创新).

Public API::

    from governance_sim import load_scenario, run, GovernanceModel
    result = run("scenarios/beijing_street.yaml", variant="baseline", seed=1)
    result.summary, result.timeseries, result.cases, result.workers, result.places, result.panel
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("governance_sim")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.1.0"

from governance_sim import arrangements, overlays  # noqa: E402,F401  (fill the registries)
from governance_sim.analysis import event_study  # noqa: E402
from governance_sim.analysis.compare import Comparison, compare  # noqa: E402
from governance_sim.calibration import Calibration, calibrate  # noqa: E402
from governance_sim.experiments import evaluate, open_store, sensitivity, sweep  # noqa: E402
from governance_sim.experiments.rollout import RolloutStudy, rollout  # noqa: E402
from governance_sim.model import GovernanceModel  # noqa: E402
from governance_sim.runner import RunResult, run  # noqa: E402
from governance_sim.scenario import Scenario, ScenarioError, load_scenario  # noqa: E402
from governance_sim.validation import validate  # noqa: E402

__all__ = [
    "GovernanceModel", "RunResult", "Scenario", "ScenarioError", "__version__", "load_scenario", "run",
]
__all__ += ["evaluate", "open_store", "sensitivity", "sweep"]
__all__ += ["Comparison", "compare"]
__all__ += ["validate"]
__all__ += ["Calibration", "calibrate"]
__all__ += ["RolloutStudy", "event_study", "rollout"]
