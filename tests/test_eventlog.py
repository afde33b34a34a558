"""Event logs (``eventlog.py``): the OCEL 2.0 schema, events that reproduce the cases table
exactly, pm4py reading both files, and runs without a log left as they were."""

from __future__ import annotations

import copy
import json
import math
from datetime import datetime

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from governance_sim import eventlog, run
from governance_sim.cli import app

IDENTITY = ["scenario", "scenario_hash", "variant", "arrangement", "seed", "version"]


def _audited(tiny: dict) -> dict:
    """Tiny, with a hotline that closes late cases on paper and audits half the closings."""
    sc = copy.deepcopy(tiny)
    sc["overlays"] = {"hotline": {"audit_rate": 0.5, "paper_close_rate": 1.0,
                                  "resolution_deadline_days": 2}}
    return sc


@pytest.fixture(scope="module")
def runs():
    from conftest import TINY

    sc = _audited(TINY)
    return {arr: run(sc, overrides={"arrangement.name": arr}, days=60, event_log=True)
            for arr in ("baseline", "whistle")}


# --------------------------------------------------------------------------- the log itself


def test_every_activity_occurs_and_no_other(runs):
    seen = set()
    for res in runs.values():
        seen |= set(res.event_log.events["activity"])
    assert seen == set(eventlog.ACTIVITIES)


def test_events_are_in_time_order_within_each_case(runs):
    for res in runs.values():
        ev = res.event_log.events
        assert ev.groupby("case_id", sort=False)["t_h"].apply(lambda t: t.is_monotonic_increasing).all()
        assert list(dict.fromkeys(ev["case_id"])) == sorted(set(ev["case_id"]))


def _first(ev, cases, activity, where=None):
    sel = ev[ev["activity"].isin(activity if isinstance(activity, list) else [activity])]
    if where is not None:
        sel = sel[where(sel)]
    return sel.groupby("case_id")["t_h"].first().reindex(cases.index)


def _last(ev, cases, activity):
    return ev[ev["activity"] == activity].groupby("case_id")["t_h"].last().reindex(cases.index)


def test_events_reproduce_the_cases_timestamps(runs):
    for res in runs.values():
        ev, cases = res.event_log.events, res.cases.set_index("case_id")

        def first(activity, where=None, ev=ev, cases=cases):
            return _first(ev, cases, activity, where)

        for column, got in [
            ("t_created", first("created")),
            ("t_discovered", first("discovered")),
            ("t_reported", first("reported")),
            ("t_accepted", first("accepted")),
            ("t_dispatched", first(["referred", "summoned"],
                                   lambda s: s["target"].str.startswith("department:"))),
            ("t_first_response", first(["work_started", "arrived_on_site"])),
            ("t_resolved", _last(ev, cases, "resolved")),
        ]:
            pd.testing.assert_series_equal(got, cases[column], check_names=False, obj=column)
        erupted = cases["eruption"]
        pd.testing.assert_series_equal(first("erupted")[erupted], cases.loc[erupted, "t_erupt"],
                                       check_names=False)
        assert first("erupted")[~erupted].isna().all()
        closings = ev[ev["activity"].isin(["resolved", "closed_on_paper"])].groupby("case_id").last()
        closed = cases[cases["status"] != "open"]
        assert (closings.loc[closed.index, "t_h"] == closed["t_closed"]).all()
        assert (closings.loc[closed.index, "activity"] == closed["status"]).all()
        rated = cases["satisfaction"].notna()
        ratings = ev[ev["activity"] == "rated"].groupby("case_id")["value"].last()
        assert (ratings.reindex(cases.index)[rated] == cases.loc[rated, "satisfaction"]).all()
        assert set(ratings.index) <= set(cases.index[rated])


def test_events_reproduce_the_handoffs(runs):
    for res in runs.values():
        ev, cases = res.event_log.events, res.cases.set_index("case_id")
        hand = ev[ev["handoff"]].groupby("case_id")
        counts = hand.size().reindex(cases.index, fill_value=0)
        assert (counts == cases["handoffs"]).all()
        assert hand["target"].agg(">".join).reindex(cases.index, fill_value="").eq(
            cases["handoff_path"]).all()
        assert hand["reason"].agg(">".join).reindex(cases.index, fill_value="").eq(
            cases["handoff_reasons"]).all()
        returned = ev[ev["activity"] == "returned"].groupby("case_id").size()
        assert (returned.reindex(cases.index, fill_value=0) == cases["buckpass"]).all()
        assert (ev.loc[ev["activity"] == "returned", "level"] != "resident").all()


def test_each_department_arrival_is_logged(runs):
    res = runs["whistle"]
    ev = res.event_log.events
    arrived = ev[ev["activity"] == "arrived_on_site"]
    assert (arrived["level"].isin(["department", "seconded_staff"])).all()
    assert arrived["target"].str.startswith("department:").all()


def test_flat_columns_and_timestamps(runs):
    res = runs["baseline"]
    ev = res.event_log.events
    assert list(ev.columns) == IDENTITY + eventlog.EVENT_COLUMNS
    assert (ev["variant"] == res.summary["variant"].iloc[0]).all()
    start = pd.Timestamp("2024-01-01", tz=eventlog.CHINA_STANDARD_TIME)
    hours = (ev["timestamp"] - start) / pd.Timedelta(hours=1)
    assert (hours - ev["t_h"]).abs().max() < 1e-6
    assert ev["level"].notna().all() and (ev["resource"] != "").sum() > 0.95 * len(ev)


# --------------------------------------------------------------------------- OCEL 2.0


def test_ocel_document_follows_the_ocel2_json_schema(runs):
    doc = runs["baseline"].event_log.ocel
    assert set(doc) == {"objectTypes", "eventTypes", "objects", "events"}
    for kind in ("objectTypes", "eventTypes"):
        for t in doc[kind]:
            assert set(t) == {"name", "attributes"}
            for a in t["attributes"]:
                assert set(a) == {"name", "type"} and a["type"] in {"string", "time", "integer",
                                                                    "float", "boolean"}
    assert {t["name"] for t in doc["objectTypes"]} == {"case", "unit", "household", "street"}
    event_attrs = {t["name"]: {a["name"] for a in t["attributes"]} for t in doc["eventTypes"]}
    object_attrs = {t["name"]: {a["name"] for a in t["attributes"]} for t in doc["objectTypes"]}
    ids = {o["id"] for o in doc["objects"]}
    assert len(ids) == len(doc["objects"])
    for o in doc["objects"]:
        assert set(o) == {"id", "type", "attributes", "relationships"}
        assert {a["name"] for a in o["attributes"]} <= object_attrs[o["type"]]
        assert all(set(a) == {"name", "time", "value"} for a in o["attributes"])
        assert all(r["objectId"] in ids and r["qualifier"] for r in o["relationships"])
    assert len({e["id"] for e in doc["events"]}) == len(doc["events"])
    for e in doc["events"]:
        assert set(e) == {"id", "type", "time", "attributes", "relationships"}
        assert {a["name"] for a in e["attributes"]} <= event_attrs[e["type"]]
        assert datetime.fromisoformat(e["time"]).utcoffset().total_seconds() == 8 * 3600
        assert all(r["objectId"] in ids and r["qualifier"] for r in e["relationships"])
        assert e["relationships"][0]["qualifier"] == "case"
    assert len(doc["events"]) == len(runs["baseline"].event_log.events)


def test_written_files_read_back(runs, tmp_path):
    res = runs["baseline"]
    res.write(tmp_path)
    flat = pd.read_parquet(tmp_path / "events.parquet")
    pd.testing.assert_frame_equal(flat, res.event_log.events)
    doc = json.loads((tmp_path / "events.jsonocel").read_text(encoding="utf-8"))
    assert doc == json.loads(json.dumps(res.event_log.ocel))
    assert not list(tmp_path.glob(".partial-*"))


def test_pm4py_reads_both_files(runs, tmp_path):
    pm4py = pytest.importorskip("pm4py", reason="pm4py (the [mining] extra) is not installed")
    res = runs["whistle"]
    res.write(tmp_path)
    ocel = pm4py.read_ocel2_json(str(tmp_path / "events.jsonocel"))
    ev = res.event_log.events
    assert len(ocel.events) == len(ev)
    assert set(ocel.events["ocel:activity"]) == set(ev["activity"])
    assert set(ocel.objects["ocel:type"]) == {"case", "unit", "household", "street"}
    first = pd.Timestamp(ocel.events["ocel:timestamp"].min())
    assert first == ev["timestamp"].min()  # the same instant, whatever the time zone shown
    log = pm4py.format_dataframe(pd.read_parquet(tmp_path / "events.parquet"), case_id="case_id",
                                 activity_key="activity", timestamp_key="timestamp")
    assert log["case:concept:name"].nunique() == ev["case_id"].nunique()
    dfg, starts, _ = pm4py.discover_dfg(log)
    assert set(starts) == {"created"}
    assert dfg[("discovered", "reported")] == (ev["activity"] == "discovered").sum()


# --------------------------------------------------------------------------- cost and defaults


def test_an_event_log_leaves_the_run_unchanged(tiny):
    sc = _audited(tiny)
    plain = run(sc, days=40)
    logged = run(sc, days=40, event_log=True)
    assert plain.event_log is None and logged.event_log is not None
    for table in ("summary", "timeseries", "cases", "workers"):
        pd.testing.assert_frame_equal(getattr(plain, table), getattr(logged, table))


def test_building_without_a_trail_says_what_to_do(tiny):
    from governance_sim import GovernanceModel

    model = GovernanceModel(tiny, days=2)
    model.run_model()
    with pytest.raises(ValueError, match="eventlog.record"):
        eventlog.build(model)


def test_cli_event_log_flag(tiny, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(tiny, allow_unicode=True))
    runner = CliRunner()
    res = runner.invoke(app, ["run", str(path), "--days", "10", "--out", str(tmp_path / "a"), "-q",
                              "--event-log"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "a" / "events.parquet").exists() and (tmp_path / "a" / "events.jsonocel").exists()
    res = runner.invoke(app, ["run", str(path), "--days", "10", "--out", str(tmp_path / "b"), "-q"])
    assert res.exit_code == 0 and not (tmp_path / "b" / "events.parquet").exists()
    res = runner.invoke(app, ["run", str(path), "--days", "10", "-q", "--event-log"])
    assert res.exit_code == 2 and "--out" in res.output


def test_variants_table(runs):
    table = eventlog.variants(runs["baseline"].event_log.events, top=5)
    assert list(table.columns) == ["path", "cases", "throughput_median_h", "share"]
    assert table["cases"].is_monotonic_decreasing and len(table) == 5
    assert all(p.startswith("created") for p in table["path"])
    assert not math.isnan(table["throughput_median_h"].iloc[0])


@pytest.mark.parametrize("scenario, variant", [
    ("xi_town", "zone_line"), ("tongguanshan", "direct_district"), ("longgang", "direct_district_zones"),
])
def test_every_arrangement_logs_its_handoffs_and_first_responses(scenario, variant):
    from conftest import SCENARIOS

    res = run(SCENARIOS / f"{scenario}.yaml", variant, days=8, event_log=True)
    ev, cases = res.event_log.events, res.cases.set_index("case_id")
    assert (ev[ev["handoff"]].groupby("case_id").size().reindex(cases.index, fill_value=0)
            == cases["handoffs"]).all()
    started = _first(ev, cases, ["work_started", "arrived_on_site"])
    pd.testing.assert_series_equal(started, cases["t_first_response"], check_names=False)
    ids = {o["id"] for o in res.event_log.ocel["objects"]}
    assert all(r["objectId"] in ids for e in res.event_log.ocel["events"] for r in e["relationships"])


def test_a_run_without_cases_writes_an_empty_log(tiny, tmp_path):
    for cat in tiny["categories"].values():
        cat["rate"] = 0
    res = run(tiny, days=3, event_log=True, out=tmp_path)
    flat = pd.read_parquet(tmp_path / "events.parquet")
    assert flat.empty and list(flat.columns) == IDENTITY + eventlog.EVENT_COLUMNS
    assert res.event_log.ocel["events"] == [] and len(res.event_log.ocel["eventTypes"]) == len(eventlog.ACTIVITIES)
