"""Comparing runs: statistics over replications and the figures that show them; event studies
of roll-outs (:func:`event_study`)."""

from governance_sim.analysis.event_study import EventStudy, event_study  # noqa: F401
