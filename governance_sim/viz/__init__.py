"""The interactive exploration app (Solara): territory network, live metrics, run controls.

``governance_sim.viz.app:Page`` is the page; :class:`~governance_sim.viz.session.LiveRun`
is the run behind it and can be stepped without a browser.
"""

from governance_sim.viz.session import LiveRun

__all__ = ["LiveRun"]
