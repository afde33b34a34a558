"""The staff queues: served by priority then arrival, in office hours, with at most the
overtime cap a day; and the compiled queues (``_workforce.pyx``) the same as their Python
definition, event for event."""

from __future__ import annotations

import gc
import math
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_sim.agents import workforce
from governance_sim.agents.workforce import PurePythonTask, PurePythonWorkforce
from governance_sim.engine import Calendar, EventQueue

# the Python definition, and the compiled classes where the package was built with them
KINDS = [(PurePythonWorkforce, PurePythonTask)]
if workforce.Workforce is not PurePythonWorkforce:
    KINDS.append((workforce.Workforce, workforce.Task))


def _serve(kind, staff, reserved_h, jobs, shift_at=None, add_at=None):
    """Submit ``jobs`` (time, effort, priority, activity) to one workforce; every start and
    finish in order, and the books at the end."""
    workforce_class, task_class = kind
    queue, cal = EventQueue(), Calendar(9.0, 8.0, 5, 2.0)
    force = workforce_class(queue, cal, staff, reserved_h)
    log = []

    def submit(i, effort, priority, activity):
        task = task_class(i, effort, priority, activity, lambda t: log.append(("done", t.case, queue.now)),
                          lambda t, now: log.append(("start", t.case, now)))
        force.submit(task)

    for i, (t, effort, priority, activity) in enumerate(jobs):
        queue.schedule(t, submit, i, effort, priority, activity)
    if shift_at is not None:
        queue.schedule(shift_at, force.shift_priorities, lambda task: 0.5 * (task.case % 3))
    if add_at is not None:
        queue.schedule(add_at, force.add_staff, 1)
    queue.run_until(24.0 * 400)
    return repr((log, force.hours, force.overtime_h, force.completed, force.backlog, force.free, force.staff))


def _one_server(kind):
    """An event queue, a workforce of one on office hours 9–17 with a 2 h overtime cap, and
    the task class that goes with it."""
    workforce_class, task_class = kind
    queue = EventQueue()
    return queue, workforce_class(queue, Calendar(9.0, 8.0, 5, 2.0), 1, 0.0), task_class


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k[0].__module__)
def test_the_highest_priority_then_the_first_come_is_served(kind):
    queue, force, task_class = _one_server(kind)
    order = []
    for i, priority in enumerate([1.0, 3.0, 2.0, 3.0]):
        force.submit(task_class(i, 1.0, priority, "case_work", lambda t: order.append(t.case)))
    queue.run_until(24.0 * 7)
    # the first was started at once (9:00 on a Monday: at time 0 the office is closed, so
    # all four wait for it); then priority 3 twice in arrival order, then 2, then 1
    assert order == [1, 3, 2, 0]
    assert force.completed == 4 and force.backlog == 0 and force.hours == {"case_work": 4.0}


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k[0].__module__)
def test_work_never_starts_after_closing_and_runs_over_by_the_cap_at_most(kind):
    queue, force, task_class = _one_server(kind)
    starts, ends = [], []
    queue.schedule(16.5, lambda: force.submit(task_class(0, 2.0, 1.0, "case_work", lambda t: ends.append(queue.now),
                                                         lambda t, now: starts.append(now))))
    queue.schedule(18.75, lambda: force.submit(task_class(1, 1.0, 1.0, "case_work", lambda t: ends.append(queue.now),
                                                         lambda t, now: starts.append(now))))
    queue.run_until(24.0 * 3)
    assert starts == [16.5, 24.0 + 9.0]  # the second, come after closing, waits for the morning
    assert ends == [18.5, 24.0 + 10.0]  # 2 h from 16:30 end at 18:30: 1.5 h of overtime
    assert force.overtime_h == pytest.approx(1.5)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k[0].__module__)
def test_work_past_the_overtime_cap_waits_for_the_next_morning(kind):
    queue, force, task_class = _one_server(kind)
    ends = []
    queue.schedule(16.5, lambda: force.submit(task_class(0, 3.0, 1.0, "case_work", lambda t: ends.append(queue.now))))
    queue.run_until(24.0 * 3)
    # half an hour before closing, two of overtime (the cap), the last half hour next morning
    assert ends == [24.0 + 9.5] and force.overtime_h == pytest.approx(2.0)


@settings(max_examples=60, deadline=None)
@given(staff=st.integers(1, 4), reserved_h=st.sampled_from([0.0, 1.5, 4.0]),
       jobs=st.lists(st.tuples(st.floats(0, 24 * 20, allow_nan=False), st.floats(0.05, 30, allow_nan=False),
                               st.sampled_from([0.0, 1.0, 2.5, 1.0 + 1e-9, 2, math.nan]),
                               st.sampled_from(["case_work", "vertical", "coordination"])),
                     min_size=1, max_size=40),
       shift_at=st.one_of(st.none(), st.floats(0, 24 * 20)), add_at=st.one_of(st.none(), st.floats(0, 24 * 20)))
def test_compiled_staff_queues_serve_as_their_python_definition(staff, reserved_h, jobs, shift_at, add_at):
    """Every start, finish, hour and overtime the same double, in the same order — even with
    a NaN priority, which orders by the heap's layout: the C heap sifts as ``heapq`` does."""
    runs = {_serve(kind, staff, reserved_h, jobs, shift_at, add_at) for kind in KINDS}
    assert len(runs) == 1


@pytest.mark.parametrize("path, variant", [("xi_town.yaml", "zone_line"), ("beijing_street.yaml", None)])
def test_work_under_way_at_the_warm_up_end_is_booked_to_the_warm_up(path, variant):
    """Every unit's tasks under way when the warm-up ends count as done in it — township
    units too, whose staff can move (``ElasticWorkforce``, which schedules its own finish)."""
    from conftest import SCENARIOS

    from governance_sim import GovernanceModel, load_scenario

    sc = load_scenario(SCENARIOS / path, variant=variant, days=40,
                       overrides={"warmup_days": 20, "territory.population": 20_000})
    model = GovernanceModel(sc)
    while model.day < model.warmup_days:
        model.step()
    booked = model.at_warmup_end["units"]
    under_way = {key: u.workforce.busy_tasks for key, u in model.units.items()}
    assert sum(under_way.values()) > 0
    for key, u in model.units.items():
        assert booked[key][2] == u.workforce.completed + under_way[key], key


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k[0].__module__)
def test_a_workforce_dropped_with_tasks_waiting_is_freed(kind):
    """A waiting task's callback may lead back to what holds the workforce (the model): the
    collector must see the compiled heap's tasks to free that cycle."""
    workforce_class, task_class = kind

    class Owner:
        pass

    owner = Owner()
    owner.force = workforce_class(EventQueue(), Calendar(9.0, 8.0, 5, 2.0), 0, 0.0)  # no staff: tasks wait
    owner.force.submit(task_class(None, 1.0, 1.0, "case_work", lambda task, owner=owner: None))
    assert owner.force.backlog == 1
    freed = weakref.ref(owner)
    del owner
    gc.collect()
    assert freed() is None
