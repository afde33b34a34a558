"""Validation (验证): the stylised facts of MODEL.md §7 as experiments with statistical tests.

::

    from governance_sim import validate
    table = validate(reps=30, days=180, counterfactual=True, out="results/validation")

Modules: ``spec`` (how a claim is declared: arms, metric, estimand, test,
counterfactual), ``claims`` (the claims themselves), ``analysis.stats`` (paired t,
bootstrap, Welch; PASS / FAIL), ``execute`` (shared runs on an executor),
``validate`` (the function), ``report`` (Markdown and files).
"""

from governance_sim.analysis.stats import bootstrap, paired_t, verdict, welch
from governance_sim.validation.claims import CLAIMS, METRICS, claims_by_id
from governance_sim.validation.spec import (
    Arm,
    Claim,
    Counterfactual,
    Diff,
    DiffOfDiffs,
    Metric,
    RelChange,
)
from governance_sim.validation.validate import Validation, run_validation, validate

__all__ = [
    "CLAIMS", "METRICS", "Arm", "Claim", "Counterfactual", "Diff", "DiffOfDiffs", "Metric",
    "RelChange", "Validation", "bootstrap", "claims_by_id", "paired_t", "run_validation",
    "validate", "verdict", "welch",
]
