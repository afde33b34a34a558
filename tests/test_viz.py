"""The exploration app: its pure parts (layout, aggregation, live metrics, parameter controls,
labels) and the page itself, served by ``govsim viz`` and driven in a real headless Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import BaseModel, Field
from typer.testing import CliRunner

from governance_sim.cases import Case
from governance_sim.cli import app
from governance_sim.metrics import cases_frame, summary_row, workers_frame
from governance_sim.registry import ARRANGEMENTS, OVERLAYS
from governance_sim.scenario import load_scenario
from governance_sim.territory import build_territory
from governance_sim.viz import charts
from governance_sim.viz.labels import LABELS, tr
from governance_sim.viz.network import build_layout, node_values, pooled_mean_by_community
from governance_sim.viz.params import changed_overrides, controls_of, scenario_controls
from governance_sim.viz.session import LiveRun

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# --------------------------------------------------------------------------- layout and aggregation


def test_small_territory_draws_every_grid_on_its_community(tiny):
    t = build_territory(load_scenario(tiny))
    lay = build_layout(t)
    assert not lay.aggregated
    assert len(lay.grid_node) == len(t.grids) and -1 not in lay.grid_node
    parents = {b: a for a, b, kind in lay.edges if kind == "parent"}
    for gi, g in enumerate(t.grids):
        assert parents[lay.grid_node[gi]] == lay.community_node[g.community]
    for ci, c in enumerate(t.communities):
        assert parents[lay.community_node[ci]] == lay.street_node[c.street]
        assert tuple(lay.xy[lay.community_node[ci]]) == c.pos


def test_large_territory_is_folded_into_communities(tiny):
    tiny["territory"]["households_per_grid"] = 5  # ~600 grids
    t = build_territory(load_scenario(tiny))
    assert len(t.grids) > 300
    lay = build_layout(t)
    assert lay.aggregated and lay.grid_node == []
    assert lay.kind.count("community") == len(t.communities)
    assert "grid" not in lay.kind
    assert not build_layout(t, max_grid_nodes=len(t.grids)).aggregated


def test_node_values_add_up_grids_into_communities(tiny):
    tiny["territory"]["households_per_grid"] = 5
    t = build_territory(load_scenario(tiny))
    lay = build_layout(t)
    n = len(t.grids)
    community_of_grid = [g.community for g in t.grids]
    households = np.array([g.households for g in t.grids])
    open_by_grid = np.arange(n) % 3
    sums, counts = np.zeros(n), np.zeros(n, dtype=int)
    first, second = t.communities[0].grids[:2]
    sums[first], counts[first] = 1.0, 1  # one delighted household …
    sums[second], counts[second] = 0.0, 3  # … and three unhappy ones next door
    common = dict(open_by_grid=open_by_grid, households_by_grid=households,
                  rating_sum_by_grid=sums, rating_count_by_grid=counts,
                  community_of_grid=community_of_grid, grid_utilisation=np.full(n, 0.5),
                  community_utilisation=np.full(len(t.communities), 0.7))
    backlog = node_values(lay, "backlog", **common)
    for ci, c in enumerate(t.communities):
        expected = open_by_grid[c.grids].sum() * 1000 / households[c.grids].sum()
        assert backlog[lay.community_node[ci]] == pytest.approx(expected)
    sat = node_values(lay, "satisfaction", **common)
    assert sat[lay.community_node[0]] == pytest.approx(0.25)  # pooled, not the mean of grid means
    assert np.isnan(sat[lay.community_node[1]])
    assert np.isnan(backlog[lay.nodes_of("district")]).all()
    with pytest.raises(ValueError, match="unknown metric"):
        node_values(lay, "happiness", **common)


def test_pooled_mean_ignores_communities_without_ratings():
    out = pooled_mean_by_community(np.array([2.0, 0.0, 0.0]), np.array([4, 0, 0]), [0, 0, 1], 2)
    assert out[0] == pytest.approx(0.5) and np.isnan(out[1])


# --------------------------------------------------------------------------- live metrics


def test_live_metrics_match_the_run_summary(tiny):
    run = LiveRun(tiny)
    while run.running:
        run.step(7)
    m = run.model
    cases = cases_frame(m)
    s = summary_row(m, cases, workers_frame(m))
    live = run.live
    assert live.response_rate == pytest.approx(s["response_rate"])
    assert live.resolution_rate == pytest.approx(s["resolution_rate"])
    assert live.satisfaction_rate == pytest.approx(s["satisfaction_rate"])
    responded = (cases["t_first_response"] - cases["t_reported"]).dropna()
    assert sorted(live.response_times) == pytest.approx(sorted(responded))
    assert live.open_by_grid.sum() == s["cases_in_process_end"] == live.open_cases
    assert live.rating_count_by_grid.sum() == m.counters["rated"]
    assert live.history.day == list(range(1, m.days + 1))
    recent = list(live.recently_closed)
    assert 0 < len(recent) <= 50
    assert recent[-1].t_closed == max(c.t_closed for c in m.cases if c.t_closed == c.t_closed)
    rows = run.last_cases(5, "en")
    assert [r["case_id"] for r in rows] == [str(c.id) for c in reversed(recent[-5:])]
    assert {r["status"] for r in rows} <= {tr(k, "en") for k in ("resolved", "closed_on_paper", "open")}


def test_step_stops_at_the_end_of_the_run(tiny):
    tiny["days"] = 5
    run = LiveRun(tiny)
    assert run.step(30) == 5
    assert not run.running and run.day == 5
    assert run.step(1) == 0


def test_workload_by_role_is_hours_per_staff_per_week(tiny):
    run = LiveRun(tiny)
    assert run.workload() == {}
    run.step(14)
    wl = run.workload()
    assert {"grid_worker", "community_office", "department"} <= set(wl)
    for role, acts in wl.items():
        assert all(h >= 0 for h in acts.values()), role
    assert wl["grid_worker"]["patrol"] > 0


def test_handoff_path_names_units_and_unusual_hops(tiny):
    run = LiveRun(tiny)
    case = Case(id=0, category=0, grid=0, community=1, street=0, household=0, severity=1,
                departments=(0,), latent=False, t_created=0.0)
    case.handoff("grid_worker:0", "community_office:1", 1.0, "report_up")
    case.handoff("community_office:1", "department:0", 2.0, "referral")
    case.handoff("department:0", "street_office:0", 3.0, "buckpass")
    zh, en = run.handoff_path(case, "zh"), run.handoff_path(case, "en")
    assert zh.startswith("网格员1 → 社区2 → 城管 → 街道1（退回）")
    assert en == "grid worker 1 → 社区2 → urban → 街道1 (returned)"


# --------------------------------------------------------------------------- parameter controls


class _Params(BaseModel):
    name: str = "demo"
    share: float = Field(default=0.3, ge=0, le=1, description="a probability")
    delay: float = Field(default=2.0, ge=0)
    staff: int = Field(default=3, ge=1)
    strict: bool = True
    window: float = Field(default=5.0, gt=0, lt=10)
    optional: float | None = None
    levels: list[int] = Field(default_factory=list)
    note: str = "x"


def test_controls_follow_field_types_and_bounds():
    by = {c.name: c for c in controls_of(_Params(), "arrangement", "arrangement")}
    assert set(by) == {"share", "delay", "staff", "strict", "window"}
    assert (by["share"].kind, by["share"].min, by["share"].max, by["share"].value) == ("float", 0, 1, 0.3)
    assert by["share"].description == "a probability" and by["share"].path == "arrangement.share"
    assert by["delay"].min == 0 and by["delay"].max >= 8  # unbounded: room for several times the value
    assert (by["staff"].kind, by["staff"].min, by["staff"].step) == ("int", 1, 1)
    assert by["strict"].kind == "bool"
    assert by["window"].min > 0 and by["window"].max < 10  # open bounds stay open


def test_only_changed_values_become_overrides():
    controls = controls_of(_Params(), "arrangement", "arrangement")
    values = {"arrangement.share": 0.3, "arrangement.delay": 4.0, "arrangement.strict": True,
              "arrangement.staff": 5}
    assert changed_overrides(controls, values) == {"arrangement.delay": 4.0, "arrangement.staff": 5}


def _default_params(kind, registry):
    """Each registered policy with its default parameters (skipping those that need values)."""
    for name, cls in registry.items():
        try:
            yield name, cls.Params(name=name) if kind == "arrangement" else cls.Params()
        except Exception:  # noqa: BLE001 - a policy whose Params need explicit values
            continue


@pytest.mark.parametrize("kind,registry", [("arrangement", ARRANGEMENTS), ("overlay", OVERLAYS)])
def test_every_control_has_a_label_in_both_languages(kind, registry):
    for name, params in _default_params(kind, registry):
        unlabelled = [c.name for c in controls_of(params, kind, name) if c.name not in LABELS]
        assert not unlabelled, (name, unlabelled)


@pytest.mark.parametrize("kind,registry", [("arrangement", ARRANGEMENTS), ("overlay", OVERLAYS)])
def test_every_registered_policy_gets_controls_holding_its_defaults(kind, registry):
    for name, params in _default_params(kind, registry):
        for c in controls_of(params, kind, name):
            if c.kind != "bool":
                assert c.min <= c.value <= c.max, (name, c)


def test_slider_values_reach_the_model(tiny):
    sc = load_scenario(tiny)
    controls = scenario_controls(sc)
    values = {c.path: c.value for c in controls} | {"arrangement.p_buckpass": 0.0}
    run = LiveRun(tiny, overrides=changed_overrides(controls, values), seed=3)
    assert run.model.arrangement.params.p_buckpass == 0.0
    assert run.scenario.seed == 3


# --------------------------------------------------------------------------- labels and figures


def test_every_label_has_both_languages():
    for key, (zh, en) in LABELS.items():
        assert zh and en, key
    assert tr("open_cases", "zh") == "在办案件" and tr("open_cases", "en") == "Open cases"
    assert tr("a_new_parameter", "zh") == "a_new_parameter"


def test_figures_switch_language(tiny):
    run = LiveRun(tiny)
    run.step(3)
    t = run.model.territory
    for lang, word in (("zh", "辖区网络"), ("en", "Territory network")):
        fig = charts.territory_figure(
            run.layout, run.node_values("backlog"), "backlog", lang,
            zone_of_community=[c.zone for c in t.communities],
            street_of_community=[c.street for c in t.communities],
            departments=run.department_queues(lang), street_queues=run.street_queues())
        assert word in fig.axes[0].get_title(loc="left")
        assert charts.to_png(fig).startswith(b"\x89PNG")
    assert charts.open_cases_figure(run.series(), "en").axes[0].get_title(loc="left") == "Open cases and backlogs"
    assert charts.rates_figure([], {}, "zh").axes[0].get_title(loc="left") == "三率（累计）"
    assert run.department_queues("zh")[0][0] == "城管" and run.department_queues("en")[0][0] == "urban"


def test_a_cjk_font_is_always_used():
    import matplotlib

    from governance_sim.fonts import BUNDLED_FAMILY, CJK_FAMILIES, use_cjk_font

    family = use_cjk_font()  # a system family when installed, else the bundled one
    assert family in (*CJK_FAMILIES, BUNDLED_FAMILY)
    assert matplotlib.rcParams["font.sans-serif"][0] == family


# --------------------------------------------------------------------------- command line


def test_viz_rejects_a_bad_scenario_with_one_line(tmp_path, tiny):
    runner = CliRunner()
    res = runner.invoke(app, ["viz", str(tmp_path / "missing.yaml")])
    assert res.exit_code == 2
    assert "scenario file not found" in res.output
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny, allow_unicode=True), encoding="utf-8")
    res = runner.invoke(app, ["viz", str(path), "--variant", "nope"])
    assert res.exit_code == 2
    assert "unknown variant" in res.output and "no_buckpass" in res.output


# --------------------------------------------------------------------------- the page in a browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_served(url: str, proc: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"govsim viz exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} not served within {timeout_s} s")


@pytest.fixture
def served_app(tmp_path, tiny):
    """``govsim viz`` on the tiny scenario at a free port of 127.0.0.1; torn down afterwards."""
    tiny["days"] = 365  # room for a retried Step click before the run ends
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny, allow_unicode=True), encoding="utf-8")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "governance_sim.cli", "viz", str(path), "--host", "127.0.0.1",
         "--port", str(port), "--lang", "zh"],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    try:
        _wait_until_served(url, proc, timeout_s=90)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the CLI and the Solara server it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


def _text(page, selector: str) -> str:
    return page.locator(selector).inner_text().strip()


def _press_step(page) -> None:
    """Click Step and wait for the day shown to move on (a click may land mid-render: retry)."""
    day = _text(page, ".govsim-kpi-day .govsim-kpi-value")
    for _ in range(3):
        page.locator(".govsim-step").click()
        try:
            page.wait_for_function(
                "d => document.querySelector('.govsim-kpi-day .govsim-kpi-value').innerText.trim() !== d",
                arg=day, timeout=20_000)
            return
        except Exception:  # noqa: BLE001 - playwright's timeout: click again
            continue
    raise AssertionError("pressing Step did not advance the day")


def _choose_days_per_step(page, label: str) -> None:
    """Pick a days-per-step toggle and wait until the page shows it chosen."""
    button = page.get_by_role("button", name=label, exact=True)
    for _ in range(3):
        button.click()
        try:
            page.wait_for_function("b => b.classList.contains('v-btn--active')",
                                   arg=button.element_handle(), timeout=5_000)
            return
        except Exception:  # noqa: BLE001 - playwright's timeout: click again
            continue
    raise AssertionError(f"days per step {label} not chosen")


def _browser_missing() -> bool:
    from governance_sim.viz.assets import missing_packages

    return not Path(CHROMIUM).exists() or (bool(missing_packages()) and shutil.which("npm") is None)


@pytest.mark.skipif(_browser_missing(),
                    reason="needs Debian's chromium and Solara's front-end packages (.ci/run installs both)")
def test_page_draws_network_and_charts_steps_plays_and_switches(served_app):
    from playwright.sync_api import sync_playwright

    drawn = "img => img.complete && img.naturalWidth > 200"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1750})
            page.goto(served_app, timeout=60_000)
            page.wait_for_selector(".govsim-kpi-open .govsim-kpi-value", timeout=60_000)
            page.wait_for_function(f"() => [...document.querySelectorAll('img.govsim-network-img')].some({drawn})",
                                   timeout=30_000)
            n_charts = page.evaluate(f"() => [...document.querySelectorAll('img.govsim-chart')].filter({drawn}).length")
            assert n_charts == 4
            # the page's Chinese has a font even on a machine without CJK fonts: the package serves its own
            faces = page.evaluate("async () => (await document.fonts.load('14px \"Govsim Noto Sans SC\"', '网格员')).length")
            assert faces >= 1

            _choose_days_per_step(page, "30")
            before = _text(page, ".govsim-kpi-open .govsim-kpi-value")
            assert _text(page, ".govsim-kpi-day .govsim-kpi-value").startswith("0 /")
            for _ in range(10):
                _press_step(page)
                if _text(page, ".govsim-kpi-open .govsim-kpi-value") != before:
                    break
            assert _text(page, ".govsim-kpi-open .govsim-kpi-value") != before
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "viz.png"))

            # play runs on its own until paused
            _choose_days_per_step(page, "1")
            day = _text(page, ".govsim-kpi-day .govsim-kpi-value")
            page.locator(".govsim-play").click()
            page.wait_for_function(
                "d => document.querySelector('.govsim-kpi-day .govsim-kpi-value').innerText.trim() !== d",
                arg=day, timeout=30_000)
            page.locator(".govsim-play").click()
            page.wait_for_function("() => !document.querySelector('.govsim-step').disabled",
                                   timeout=30_000)

            # another variant rebuilds the run from day 0
            page.locator(".govsim-variant").click()
            page.locator(".v-list-item", has_text="no_buckpass").first.click()
            page.wait_for_function(
                "() => document.querySelector('.govsim-kpi-day .govsim-kpi-value').innerText.trim().startsWith('0 /')",
                timeout=30_000)

            page.get_by_text("English", exact=True).click()
            page.wait_for_function(
                "() => document.querySelector('.govsim-step').innerText.trim().toLowerCase() === 'step'",
                timeout=15_000)
            assert _text(page, ".govsim-kpi-open .govsim-kpi-label") == "Open cases"
        finally:
            browser.close()
    assert (ARTIFACTS / "viz.png").stat().st_size > 10_000


def _mesa_viz_unusable() -> bool:
    import importlib.metadata

    try:
        major = int(importlib.metadata.version("ipyvuetify").split(".")[0])
    except importlib.metadata.PackageNotFoundError:
        return True
    return major >= 3 or _browser_missing()  # Mesa 3.3's SolaraViz is written for ipyvuetify 1.x/2.x


@pytest.mark.skipif(_mesa_viz_unusable(),
                    reason="needs the [viz] extra (ipyvuetify < 3), Debian's chromium and Solara's front-end packages")
def test_mesa_solara_viz_serves_the_model_and_steps(tmp_path, tiny):
    """Mesa's own SolaraViz page on GovernanceModel: it loads, names the model, and Step advances it."""
    from playwright.sync_api import sync_playwright

    from governance_sim.viz.assets import ensure_frontend_assets
    from governance_sim.viz.session import SCENARIO_ENV

    ensure_frontend_assets()
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny, allow_unicode=True), encoding="utf-8")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "solara", "run", "governance_sim.viz.mesa_page:Page", "--host", "127.0.0.1",
         "--port", str(port), "--production", "--no-open"],
        env={**os.environ, SCENARIO_ENV: str(path)}, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        start_new_session=True)
    try:
        _wait_until_served(url, proc, timeout_s=90)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1300, "height": 900})
                page.goto(url, timeout=60_000)
                page.wait_for_selector("text=GovernanceModel", timeout=60_000)
                page.wait_for_selector("text=Step: 0", timeout=30_000)
                page.get_by_role("button", name="Step").click()
                page.wait_for_selector("text=Step: 1", timeout=30_000)
                # Mesa's plot components draw the daily reporters
                page.wait_for_function("() => [...document.querySelectorAll('img')]"
                                       ".filter(i => i.complete && i.naturalWidth > 200).length >= 2",
                                       timeout=30_000)
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "mesa_solara_viz.png"))
            finally:
                browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()
