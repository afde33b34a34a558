"""The interactive exploration app (Solara): territory network, live metrics, run controls.

``governance_sim.viz.app:Page`` is the page; :class:`~governance_sim.viz.session.LiveRun`
is the run behind it and can be stepped without a browser.
"""

__all__ = ["LiveRun"]


def __getattr__(name: str):
    # imported on first use: `govsim` commands other than `viz` need no matplotlib or Solara
    if name == "LiveRun":
        from governance_sim.viz.session import LiveRun

        return LiveRun
    raise AttributeError(f"module 'governance_sim.viz' has no attribute {name!r}")
