"""Live metrics of a running model, kept up to date incrementally.

The app must stay responsive with 1,000-grid territories (hundreds of
thousands of cases a year), so nothing here rebuilds a table of all cases.
:class:`LiveMetrics` looks at each new case once and afterwards only at the
cases still *in play*: open ones, and hidden hazards closed on paper that
may still erupt.  Counts the model already keeps (``model.counters``, the
DataCollector's daily rows) are read, not recomputed.

Definitions match :func:`governance_sim.metrics.summary_row`:

* 响应率 (response rate) — of reported cases whose deadline has passed,
  the share first responded to within ``metrics.response_deadline_h``;
* 解决率 (resolution rate) — resolved / reported;
* 满意率 (satisfaction rate) — ratings ≥ the threshold / ratings.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from governance_sim.cases import CLOSED_ON_PAPER, OPEN
from governance_sim.engine import HOURS_PER_DAY
from governance_sim.metrics import ACTIVITIES, ROLE_ORDER

RECENT_CASES = 50


def _isnan(x: float) -> bool:
    return x != x


def _may_erupt(c, now: float) -> bool:
    """A hidden hazard closed on paper (瞒报) that has yet to erupt and reopen."""
    return c.status == CLOSED_ON_PAPER and c.latent and not c.eruption and c.t_erupt > now


@dataclass
class RateHistory:
    """三率 after each update (fractions 0–1, NaN while undefined)."""

    day: list[int] = field(default_factory=list)
    response: list[float] = field(default_factory=list)
    resolution: list[float] = field(default_factory=list)
    satisfaction: list[float] = field(default_factory=list)


class LiveMetrics:
    """Incremental per-grid and whole-run metrics of one model.

    Call :meth:`update` after each ``model.step()``; its cost grows with the
    cases in play, not with all cases so far.
    """

    def __init__(self, model):
        self.model = model
        self.n_grids = len(model.territory.grids)
        self.deadline_h = model.scenario.metrics.response_deadline_h
        self._seen = 0  # model.cases[:_seen] have been taken in
        self._open: list = []  # status open when last seen
        self._dormant: list = []  # (case, t_closed): covered-up hazards that may reopen
        self._to_judge: list = []  # response not yet judged against the deadline
        self._to_time: list = []  # first response not yet timed
        self.open_by_grid = np.zeros(self.n_grids, dtype=np.int64)
        self.rating_sum_by_grid = np.zeros(self.n_grids)
        self.rating_count_by_grid = np.zeros(self.n_grids, dtype=np.int64)
        self._rated_ids: set[int] = set()
        self.responses_due = 0
        self.responses_in_time = 0
        self.response_times: list[float] = []
        self.recently_closed: deque = deque(maxlen=RECENT_CASES)  # newest last
        self.history = RateHistory()

    # ------------------------------------------------------------------ update
    def update(self) -> None:
        """Take in what happened since the last call."""
        m = self.model
        now = m.day * HOURS_PER_DAY
        new = m.cases[self._seen :]
        self._seen += len(new)
        self._track_open(new, now)
        self._track_responses(new, now)
        self._record(m.day)

    def _rated(self, c) -> None:
        if not _isnan(c.satisfaction) and c.id not in self._rated_ids:
            self._rated_ids.add(c.id)  # an open request may be rated before it closes
            self.rating_sum_by_grid[c.grid] += c.satisfaction
            self.rating_count_by_grid[c.grid] += 1

    def _track_open(self, new: list, now: float) -> None:
        still, dormant, closed = [], [], []
        for c, t_closed in self._dormant:
            if c.status == OPEN:
                still.append(c)  # erupted and reopened
            elif c.t_closed != t_closed:
                closed.append(c)  # reopened and closed again since the last update
                if _may_erupt(c, now):
                    dormant.append((c, c.t_closed))
            elif _may_erupt(c, now):
                dormant.append((c, t_closed))
        for c in (*self._open, *new):
            if c.status == OPEN:
                still.append(c)
                self._rated(c)
                continue
            closed.append(c)
            if _may_erupt(c, now):
                dormant.append((c, c.t_closed))
        for c in closed:
            self._rated(c)
        closed.sort(key=lambda c: c.t_closed)
        self.recently_closed.extend(closed)
        self._open, self._dormant = still, dormant
        grids = [c.grid for c in still if not _isnan(c.t_reported)]
        self.open_by_grid = np.bincount(np.asarray(grids, dtype=np.int64), minlength=self.n_grids)

    def _track_responses(self, new: list, now: float) -> None:
        due_before = now - self.deadline_h
        deadline = self.deadline_h
        keep = []
        for c in (*self._to_judge, *new):
            t_rep = c.t_reported
            if _isnan(t_rep):
                if c.status == OPEN:
                    keep.append(c)  # a patrol, a late report or an eruption may still bring it in
                continue
            if t_rep <= due_before:
                wait = c.t_first_response - t_rep
                self.responses_due += 1
                self.responses_in_time += (not _isnan(wait)) and wait <= deadline
            else:
                keep.append(c)
        self._to_judge = keep

        keep = []
        for c in (*self._to_time, *new):
            t_rep = c.t_reported
            if not _isnan(t_rep) and not _isnan(c.t_first_response):
                self.response_times.append(c.t_first_response - t_rep)
            elif c.status == OPEN or _may_erupt(c, now):
                keep.append(c)
        self._to_time = keep

    def _record(self, day: int) -> None:
        h = self.history
        h.day.append(day)
        h.response.append(self.response_rate)
        h.resolution.append(self.resolution_rate)
        h.satisfaction.append(self.satisfaction_rate)

    # ------------------------------------------------------------------ figures
    @property
    def response_rate(self) -> float:
        return self.responses_in_time / self.responses_due if self.responses_due else math.nan

    @property
    def resolution_rate(self) -> float:
        c = self.model.counters
        return c["resolved"] / c["reported"] if c["reported"] else math.nan

    @property
    def satisfaction_rate(self) -> float:
        return self.model.satisfaction_so_far()

    @property
    def open_cases(self) -> int:
        return int(self.model.open_cases())

    @property
    def mean_rating_by_grid(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.rating_sum_by_grid / self.rating_count_by_grid


def role_workload(model) -> dict[str, dict[str, float]]:
    """Hours per staff member per week so far, by role and activity (工作负荷).

    Reads each unit's booked hours; cheap enough to call on every render.
    """
    weeks = model.day / 7.0
    if weeks <= 0:
        return {}
    workdays = model.calendar.workdays_between(0.0, model.day * HOURS_PER_DAY)
    hours: dict[str, dict[str, float]] = {}
    staff: dict[str, int] = {}
    for (role, _), unit in model.units.items():
        by_act = unit.hours_by_activity(workdays)
        acc = hours.setdefault(role, {})
        for act, h in by_act.items():
            acc[act] = acc.get(act, 0.0) + h
        staff[role] = staff.get(role, 0) + unit.staff
    order = [r for r in ROLE_ORDER if r in hours] + sorted(set(hours) - set(ROLE_ORDER))
    out = {}
    for role in order:
        if not staff[role]:
            continue
        acts = hours[role]
        names = [a for a in ACTIVITIES if a in acts] + sorted(set(acts) - set(ACTIVITIES))
        out[role] = {a: acts[a] / staff[role] / weeks for a in names}
    return out


def unit_utilisation(unit, workdays: int) -> float:
    """Share of a unit's office hours (staff × workdays × hours a day) that were worked."""
    available = unit.staff * workdays * unit.hours_per_day
    if not available:
        return math.nan
    return sum(unit.hours_by_activity(workdays).values()) / available
