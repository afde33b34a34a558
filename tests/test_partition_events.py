"""The event log of a city run as districts (partition/events.py): the same events on any number
of workers and with or without moving settled cases out, events that agree with the city's
cases table, each district's events those of its own model in the city's numbering, and the
files written by ``govsim run --event-log``."""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest
import yaml
from test_partition import assert_same_tables, make_city
from typer.testing import CliRunner

from governance_sim import eventlog, load_scenario, run
from governance_sim.cli import app
from governance_sim.partition import PartitionPlan

IDENTITY = ["scenario", "scenario_hash", "variant", "arrangement", "seed", "version"]
CLOSINGS = ["resolved", "closed_on_paper"]


@pytest.fixture
def city(tmp_path) -> dict:
    sc = make_city(tmp_path)
    # paper closings and audits, so that every kind of trail step occurs
    sc["overlays"]["municipal_hotline"].update(paper_close_rate=0.5, audit_rate=0.5)
    return sc


@pytest.fixture
def logged(city):
    return run(city, workers=1, event_log=True)


def test_one_and_two_workers_and_the_case_move_give_the_same_event_log(city, logged):
    from governance_sim.partition.host import DistrictHost

    two = run(city, workers=2, event_log=True)
    pd.testing.assert_frame_equal(logged.event_log.events, two.event_log.events, check_exact=True)
    assert logged.event_log.ocel == two.event_log.ocel
    with pytest.MonkeyPatch.context() as mp:  # every case held to the end: built in one piece
        mp.setattr(DistrictHost, "move_finished_cases", False)
        held = run(city, workers=1, event_log=True)
    pd.testing.assert_frame_equal(logged.event_log.events, held.event_log.events, check_exact=True)
    assert_same_tables(logged, run(city, workers=2))  # keeping a log changes no table


def test_three_workers_and_a_dask_local_cluster_give_the_same_event_log(city, logged):
    three = run(city, workers=3, event_log=True)
    pd.testing.assert_frame_equal(logged.event_log.events, three.event_log.events, check_exact=True)
    distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = run(city, scheduler=client, event_log=True)
    pd.testing.assert_frame_equal(logged.event_log.events, on_dask.event_log.events, check_exact=True)
    assert logged.event_log.ocel == on_dask.event_log.ocel


def test_the_event_log_agrees_with_the_citys_cases_table(logged):
    ev, cases = logged.event_log.events, logged.cases.set_index("case_id")
    assert list(ev.columns[:6]) == IDENTITY and len(cases) > 100
    assert list(dict.fromkeys(ev["case_id"])) == list(cases.index)  # every case, in id order
    first = ev.groupby("case_id").first()
    assert (first["activity"] == "created").all()
    assert (first["t_h"] == cases["t_created"]).all()
    assert (ev["activity"] == "created").sum() == len(cases)
    for col in ("household", "street", "category", "n_departments"):
        assert (first[col] == cases[col]).all(), col
    assert ev.groupby("case_id")["t_h"].apply(lambda t: t.is_monotonic_increasing).all()
    closings = ev[ev["activity"].isin(CLOSINGS)].groupby("case_id")["t_h"].last()
    closed = cases["t_closed"].dropna()
    assert set(closings.index) == set(closed.index)
    assert (closings.reindex(closed.index) == closed).all()
    counts = ev.groupby(["case_id", "activity"]).size().unstack(fill_value=0).reindex(cases.index, fill_value=0)
    assert (counts["returned"] == cases["buckpass"]).all()
    assert (ev.groupby("case_id")["handoff"].sum().reindex(cases.index) == cases["handoffs"]).all()
    assert counts["discovered"].sum() == cases["t_discovered"].notna().sum()
    assert counts["erupted"].sum() == cases["eruption"].sum()
    rated = ev[ev["activity"] == "rated"].groupby("case_id")["value"].last()
    assert (rated == cases.loc[rated.index, "satisfaction"]).all()
    # units in the city's numbering: every acting unit is a row of the city's workers table
    units = set(ev["resource"]) | set(ev["target"])
    acting = {u for u in units - {""} if not u.startswith(("household:", "party_branch:"))}
    assert acting <= set(logged.workers["unit"])
    assert {"audited", "closed_on_paper", "returned", "escalated"} <= set(ev["activity"])


def test_each_districts_events_are_its_own_models_in_the_citys_numbering(city):
    sc = copy.deepcopy(city)
    sc["overlays"] = {}  # no city-wide ranking: each district runs as its own model would
    plan = PartitionPlan(load_scenario(sc))
    city_log = run(sc, workers=2, event_log=True).event_log.events.drop(columns=IDENTITY)
    first = 0
    for k in range(plan.n_districts):
        own = run(plan.scenario_of(k), event_log=True)
        mine = own.event_log.events.drop(columns=IDENTITY)
        part = city_log[city_log["case_id"].between(first, first + len(own.cases) - 1)].reset_index(drop=True)
        if k == 0:  # the first district's numbering is the city's
            pd.testing.assert_frame_equal(part, mine, check_exact=True)
        kept = ["activity", "timestamp", "t_h", "level", "reason", "value", "handoff", "category", "n_departments"]
        pd.testing.assert_frame_equal(part[kept], mine[kept], check_exact=True)
        assert (part["case_id"] == mine["case_id"] + first).all()
        assert (part["household"] == mine["household"] + plan.layout.household[k]).all()
        first += len(own.cases)
    assert first == city_log["case_id"].max() + 1


def test_the_ocel_document_has_every_case_event_and_acting_unit(logged):
    doc, ev = logged.event_log.ocel, logged.event_log.events
    assert [t["name"] for t in doc["objectTypes"]] == ["case", "unit", "household", "street"]
    assert len(doc["events"]) == len(ev)
    assert [e["type"] for e in doc["events"]] == ev["activity"].tolist()
    ids = {o["id"] for o in doc["objects"]}
    assert {f"case:{c}" for c in logged.cases["case_id"]} <= ids
    related = {r["objectId"] for e in doc["events"] for r in e["relationships"]}
    assert related <= ids
    names = {o["id"]: o["attributes"][1]["value"] for o in doc["objects"] if o["type"] == "unit"}
    assert all("@" in names[u] for u in names if u.startswith("department:"))  # named as in workers


def test_govsim_run_writes_the_city_event_log(city, tmp_path, monkeypatch):
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(city, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(path), "--workers", "2", "--event-log", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "events.jsonocel" in res.output
    reference = run(path, workers=1, event_log=True)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "events.parquet"), reference.event_log.events,
                                  check_exact=True)
    assert json.loads((out / "events.jsonocel").read_text(encoding="utf-8")) == reference.event_log.ocel
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no parts or sort files left

    monkeypatch.setattr(eventlog, "OCEL_MAX_EVENTS", 10)  # a log too large for OCEL JSON
    big = tmp_path / "big"
    res = CliRunner().invoke(app, ["run", str(path), "--event-log", "--out", str(big)])
    assert res.exit_code == 0, res.output
    assert (big / "events.parquet").exists() and not (big / "events.jsonocel").exists()
    assert "events.jsonocel not written" in res.output and "OCEL_MAX_EVENTS" in res.output
    held = run(path, event_log=True)
    assert held.event_log.ocel is None and "OCEL limit" in held.event_log.ocel_refusal


def test_pm4py_reads_the_city_files(city, tmp_path):
    pm4py = pytest.importorskip("pm4py", reason="pm4py (the [mining] extra) is not installed")
    res = run(city, workers=2, event_log=True, out=tmp_path / "out")
    ev = res.event_log.events
    ocel = pm4py.read_ocel2_json(str(tmp_path / "out" / "events.jsonocel"))
    assert len(ocel.events) == len(ev)
    assert set(ocel.objects["ocel:type"]) == {"case", "unit", "household", "street"}
    log = pm4py.format_dataframe(pd.read_parquet(tmp_path / "out" / "events.parquet"), case_id="case_id",
                                 activity_key="activity", timestamp_key="timestamp")
    assert log["case:concept:name"].nunique() == len(res.cases)
    _, starts, _ = pm4py.discover_dfg(log)
    assert set(starts) == {"created"}


def test_small_batches_written_behind_give_the_same_event_log(city, logged, monkeypatch):
    from governance_sim.partition import events

    monkeypatch.setattr(events, "BATCH_ROWS", 97)  # many batches, each written on the thread
    monkeypatch.setattr(events, "WRITES_AHEAD", 1)
    small = run(city, workers=1, event_log=True)
    pd.testing.assert_frame_equal(logged.event_log.events, small.event_log.events, check_exact=True)


def test_the_writing_thread_keeps_the_order_and_passes_its_error_on():
    import threading
    import time

    from governance_sim.partition.events import WRITES_AHEAD, _InOrder

    written, threads = [], set()

    def slow(item):
        time.sleep(0.002 * (item % 3))  # later items would overtake earlier ones if run side by side
        threads.add(threading.current_thread().name)
        written.append(item)

    with _InOrder(slow) as write:
        for i in range(40):
            write(i)
            assert i + 1 - len(written) <= WRITES_AHEAD  # never more than WRITES_AHEAD behind
    assert written == list(range(40))
    assert threads == {n for n in threads if n.startswith("events-writer")}

    def fails(item):
        if item == 3:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), _InOrder(fails) as write:
        for i in range(10):
            write(i)


def test_what_the_run_does_after_its_last_day_is_told_in_order(city, tmp_path):
    from governance_sim.runner import run_partitioned

    sc = load_scenario(city)
    told, days = [], []
    run_partitioned(sc, 1, event_log=True, out=tmp_path / "a", progress=days.append, stage=told.append)
    assert days[-1] == sc.warmup_days + sc.days  # the stages come once the days are counted
    assert told == ["finishing the districts", "writing the cases table", "writing the event log",
                    "merging the tables", "writing events.jsonocel"]
    told.clear()
    run_partitioned(sc, 1, stage=told.append)  # no log: no log to write
    assert told == ["finishing the districts", "writing the cases table", "merging the tables"]
