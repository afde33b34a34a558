"""Mesa's own ``SolaraViz`` on :class:`~governance_sim.model.GovernanceModel`.

The project's app (``govsim viz``) is the full exploration page; this one is
Mesa's standard page — step, play, reset, sliders for a few parameters and
live plots of the daily reporters — for users who know Mesa::

    solara run governance_sim.viz.mesa_page:Page

It needs the ``[viz]`` extra (Solara, altair and ipyvuetify < 3, which Mesa
3.3's SolaraViz is written against).  ``$GOVSIM_SCENARIO`` picks the scenario.
"""

from __future__ import annotations

import os

import solara
from mesa.visualization import SolaraViz, make_plot_component

from governance_sim.model import DEFAULT_SCENARIO, GovernanceModel
from governance_sim.viz.session import SCENARIO_ENV
from governance_sim.viz.style import CJK_FONT_CSS

SCENARIO = os.environ.get(SCENARIO_ENV) or str(DEFAULT_SCENARIO)

MODEL_PARAMS = {
    "scenario": SCENARIO,
    "seed": {"type": "InputText", "value": 1, "label": "seed"},
    "arrangement__p_buckpass": {"type": "SliderFloat", "value": 0.2, "label": "buck-passing probability (推诿概率)",
                                "min": 0.0, "max": 1.0, "step": 0.05},
}


COMPONENTS = [
    make_plot_component(["open_cases", "backlog_departments", "backlog_community"]),
    make_plot_component(["satisfaction_rate", "mean_trust"]),
]


@solara.component
def Page():
    """Mesa's SolaraViz of the scenario in ``$GOVSIM_VIZ_SCENARIO``: open cases and backlogs,
    satisfaction so far and mean trust; Chinese labels use the package's font when the browser
    has none."""
    solara.Style(CJK_FONT_CSS)
    model = solara.use_memo(lambda: GovernanceModel(SCENARIO, seed=1), [])
    SolaraViz(model, components=COMPONENTS, model_params=MODEL_PARAMS, name="governance_sim · GovernanceModel")
