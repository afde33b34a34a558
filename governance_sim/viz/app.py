"""The Solara page: territory network, live charts, latest cases, and run controls.

Start it with ``govsim viz SCENARIO`` (or ``solara run governance_sim.viz.app``
with ``$GOVSIM_VIZ_SCENARIO`` set).  The page holds one :class:`LiveRun`;
Step / Play advance it, Reset rebuilds it from the chosen variant, seed and
parameters.  Mesa's ``SolaraViz`` shell is not used because its parameter
panel is fixed when the page opens and its labels are English only, while
here the parameter set follows the chosen variant's arrangement and every
label switches between 中文 and English; its play loop is followed closely.
"""

from __future__ import annotations

import html
import math
import threading
import time

import solara
import solara.lab

from governance_sim.fonts import default_lang
from governance_sim.scenario import ScenarioError, load_scenario
from governance_sim.viz import charts
from governance_sim.viz.labels import tr
from governance_sim.viz.network import METRICS
from governance_sim.viz.params import ParamControl, changed_overrides, scenario_controls
from governance_sim.viz.session import (
    LiveRun,
    initial_variant,
    scenario_source,
    territory_png,
    variant_names,
)
from governance_sim.viz.style import CSS

DAYS_PER_STEP = [1, 7, 30]
PRIMARY = "#1f5f8b"
TABLE_ROWS = 12
PLAY_PAUSE_S = 0.15  # breathing room between played frames so clicks get through
FRAME_TIMEOUT_S = 30.0


def _pct(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x * 100:.1f}%"


# --------------------------------------------------------------------------- pieces


@solara.component
def Kpis(run: LiveRun, tick: int, lang: str):
    k = run.kpis()
    tiles = [
        ("day", f"{k['day']} / {k['days']}", "govsim-kpi-day"),
        ("open_cases", f"{k['open_cases']:,}", "govsim-kpi-open"),
        ("reported", f"{k['reported']:,}", "govsim-kpi-reported"),
        ("resolved", f"{k['resolved']:,}", "govsim-kpi-resolved"),
        ("response_rate", _pct(k["response_rate"]), "govsim-kpi-response"),
        ("resolution_rate", _pct(k["resolution_rate"]), "govsim-kpi-resolution"),
        ("satisfaction_rate", _pct(k["satisfaction_rate"]), "govsim-kpi-satisfaction"),
        ("buckpass", f"{k['buckpass']:,}", "govsim-kpi-buckpass"),
    ]
    with solara.Row(classes=["govsim-kpis"], gap="10px"):
        for key, value, cls in tiles:
            with solara.Column(classes=["govsim-kpi", cls], gap="0px"):
                solara.Text(tr(key, lang), classes=["govsim-kpi-label"])
                solara.Text(value, classes=["govsim-kpi-value"])


@solara.component
def TerritoryView(run: LiveRun, tick: int, lang: str):
    metric = solara.use_reactive("backlog")

    def draw() -> bytes:
        with run.lock:
            return territory_png(run.model, run.live, run.layout, metric.value, lang, run.map)

    png = solara.use_memo(draw, [run, tick, lang, metric.value])
    with solara.Card(classes=["govsim-card", "govsim-network"], margin=0):
        with solara.Row(style={"align-items": "center"}):
            solara.Text(tr("colour_by", lang), classes=["govsim-muted"])
            with solara.ToggleButtonsSingle(value=metric, dense=True, classes=["govsim-metric"]):
                for key in METRICS:
                    solara.Button(tr(key, lang), value=key, text=True)
        solara.Image(png, classes=["govsim-img", "govsim-network-img"])


def use_chart_pngs(run: LiveRun, tick: int, lang: str) -> list[bytes]:
    """The four live charts as PNG, redrawn only when the run, its day or the language change."""

    def draw() -> list[bytes]:
        with run.lock:
            h = run.live.history
            figs = [
                charts.open_cases_figure(run.series(), lang),
                charts.rates_figure(h.day, {"response": h.response, "resolution": h.resolution,
                                            "satisfaction": h.satisfaction}, lang),
                charts.response_histogram_figure(run.live.response_times, run.live.deadline_h, lang),
                charts.workload_figure(run.workload(), run.standard_week_h, lang),
            ]
        return [charts.to_png(f) for f in figs]

    return solara.use_memo(draw, [run, tick, lang])


@solara.component
def Chart(png: bytes, name: str):
    with solara.Card(classes=["govsim-card", f"govsim-chart-{name}"], margin=0):
        solara.Image(png, classes=["govsim-img", "govsim-chart"])


@solara.component
def CasesTable(run: LiveRun, tick: int, lang: str):
    rows = solara.use_memo(lambda: run.last_cases(TABLE_ROWS, lang), [run, tick, lang])
    cols = ["case_id", "category", "where", "status", "closed_day", "response_h", "rating", "path"]
    head = "".join(f"<th>{html.escape(tr(c, lang))}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f'<td class="col-{c}">{html.escape(r[c])}</td>' for c in cols) + "</tr>"
        for r in rows
    )
    if not rows:
        body = f'<tr><td colspan="{len(cols)}" class="govsim-muted">{html.escape(tr("no_data", lang))}</td></tr>'
    with solara.Card(tr("last_cases", lang), classes=["govsim-card", "govsim-cases"], margin=0):
        solara.HTML(tag="table", unsafe_innerHTML=f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>",
                    classes=["govsim-table"])


@solara.component
def ParamInputs(controls: list[ParamControl], values: solara.Reactive[dict], lang: str):
    """Sliders (and switches) for the arrangement's and each overlay's parameters."""
    if not controls:
        solara.Text(tr("no_params", lang), classes=["govsim-muted"])
        return
    groups: dict[str, list[ParamControl]] = {}
    for c in controls:
        groups.setdefault(c.group, []).append(c)
    for group, members in groups.items():
        title = tr("arrangement", lang) if group == "arrangement" else f"{tr('overlay', lang)} · {group}"
        with solara.Details(summary=f"{title} ({len(members)})", expand=group == "arrangement"):
            for c in members:
                ParamInput(c, values, lang)


@solara.component
def ParamInput(c: ParamControl, values: solara.Reactive[dict], lang: str):
    def on_value(v):
        values.set({**values.value, c.path: v})

    current = values.value.get(c.path, c.value)
    label = tr(c.name, lang)
    if c.kind != "bool":  # the value and the range in the label (thumb balloons would overlap the row above)
        label = f"{label}: {float(current):g}  [{c.min:g}–{c.max:g}]"
    with (solara.Tooltip(c.description or c.name),
          solara.Column(gap="0px", classes=["govsim-param"])):
        if c.kind == "bool":
            solara.Checkbox(label=label, value=bool(current), on_value=on_value)
        elif c.kind == "int":
            solara.SliderInt(label, value=int(current), min=int(c.min), max=int(c.max),
                             step=int(c.step or 1), on_value=on_value, thumb_label=True)
        else:
            solara.SliderFloat(label, value=float(current), min=c.min, max=c.max, step=c.step,
                               on_value=on_value, thumb_label=True)


# --------------------------------------------------------------------------- page


@solara.component
def Page():
    source = solara.use_memo(scenario_source, [])
    variants = solara.use_memo(lambda: variant_names(source), [source])
    lang = solara.use_reactive(default_lang())  # `govsim viz --lang`, else the locale
    variant = solara.use_reactive(initial_variant() or variants[0])
    base = solara.use_memo(lambda: load_scenario(source, variant.value), [source, variant.value])
    controls = solara.use_memo(lambda: scenario_controls(base), [base])
    values = solara.use_reactive({})
    seed = solara.use_reactive(int(base.seed))
    days_per_step = solara.use_reactive(1)
    run = solara.use_reactive(solara.use_memo(lambda: LiveRun(source, variant.value), []))
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    error = solara.use_reactive("")

    def rebuild(new_variant: str | None = None, new_values: dict | None = None) -> None:
        playing.set(False)
        v = new_variant or variant.value
        try:
            ctrls = controls if new_variant is None else scenario_controls(load_scenario(source, v))
            overrides = changed_overrides(ctrls, values.value if new_values is None else new_values)
            run.set(LiveRun(source, v, seed.value, overrides))
            error.set("")
        except ScenarioError as exc:
            error.set(str(exc))
        tick.set(tick.value + 1)

    def choose_variant(v: str) -> None:
        variant.set(v)
        values.set({})
        rebuild(new_variant=v, new_values={})

    def do_step() -> None:
        run.value.step(days_per_step.value)
        tick.set(tick.value + 1)

    # the play loop waits until each new day has been drawn before stepping on, so the
    # browser sees every frame and clicks (Pause) get through between frames
    drawn = solara.use_memo(threading.Event, [])
    solara.use_effect(drawn.set, [tick.value, run.value])

    def play_loop() -> None:
        while playing.value and run.value.running:
            run.value.step(days_per_step.value)
            drawn.clear()
            tick.set(tick.value + 1)
            drawn.wait(timeout=FRAME_TIMEOUT_S)
            time.sleep(PLAY_PAUSE_S)
        if not run.value.running:
            playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value, run.value], prefer_threaded=True)

    current = run.value
    applied = changed_overrides(controls, values.value) != current.overrides or seed.value != current.scenario.seed

    # the app bar is drawn with the dark theme's primary colour, buttons with the light one's
    solara.lab.theme.themes.light.primary = PRIMARY
    solara.lab.theme.themes.dark.primary = PRIMARY
    solara.Style(CSS)
    solara.Title(tr("title", lang.value))
    with solara.AppBar():
        solara.AppBarTitle(tr("title", lang.value))
        with solara.ToggleButtonsSingle(value=lang, dense=True, classes=["govsim-lang"]):
            solara.Button("中文", value="zh", text=True)
            solara.Button("English", value="en", text=True)

    with solara.Sidebar(), solara.Column(classes=["govsim-controls"]):
        solara.Text(f"{tr('scenario', lang.value)}: {current.scenario.name}", classes=["govsim-group"])
        solara.Text(f"{tr('arrangement', lang.value)}: {current.scenario.arrangement.name}",
                    classes=["govsim-muted"])
        solara.Select(tr("variant", lang.value), values=variants, value=variant.value,
                      on_value=choose_variant, classes=["govsim-variant"])
        with solara.Row(classes=["govsim-buttons"], gap="6px"):
            solara.Button(tr("step", lang.value), on_click=do_step, color="primary",
                          disabled=playing.value or not current.running, classes=["govsim-step"])
            solara.Button(tr("pause", lang.value) if playing.value else tr("play", lang.value),
                          on_click=lambda: playing.set(not playing.value), color="primary",
                          outlined=True, disabled=not current.running, classes=["govsim-play"])
            solara.Button(tr("reset", lang.value), on_click=lambda: rebuild(), outlined=True,
                          classes=["govsim-reset"])
        solara.Text(tr("days_per_step", lang.value), classes=["govsim-muted"])
        with solara.ToggleButtonsSingle(value=days_per_step, dense=True):
            for d in DAYS_PER_STEP:
                solara.Button(str(d), value=d, text=True)
        if not current.running:
            solara.Info(tr("finished", lang.value), dense=True)
        solara.InputInt(tr("seed", lang.value), value=seed, classes=["govsim-seed"])
        solara.Text(tr("parameters", lang.value), classes=["govsim-group"])
        ParamInputs(controls, values, lang.value)
        if applied:
            solara.Info(tr("apply_hint", lang.value), dense=True)
        if error.value:
            solara.Error(error.value, dense=True)

    pngs = use_chart_pngs(current, tick.value, lang.value)
    with solara.Column(classes=["govsim-main"], gap="12px"):
        Kpis(current, tick.value, lang.value)
        with solara.Columns([3, 2], gutters_dense=True):
            TerritoryView(current, tick.value, lang.value)
            with solara.Column(gap="12px"):
                Chart(pngs[0], "open")
                Chart(pngs[1], "rates")
        with solara.Columns([1, 1], gutters_dense=True):
            Chart(pngs[2], "response")
            Chart(pngs[3], "workload")
        CasesTable(current, tick.value, lang.value)
