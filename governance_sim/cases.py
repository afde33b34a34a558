"""Cases (诉求/事件) as plain records, and the compiled category table.

A case is not an agent: it is a slotted record that agents and the
arrangement move along.  Its timestamps follow MODEL.md §4: created →
discovered → reported → accepted → dispatched → first response → resolved
→ closed.  ``status`` ends as ``resolved`` (really fixed), ``closed_on_paper``
(closed in the ledger, problem still there) or ``open``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from sys import intern

from governance_sim.compiled import compiled_or

NAN = math.nan

OPEN, RESOLVED, CLOSED_ON_PAPER = "open", "resolved", "closed_on_paper"
CHANNELS = ("hotline", "grid_worker", "community", "street", "petition")
FOUND_BY_RESIDENT, FOUND_BY_PATROL, FOUND_BY_ERUPTION = "resident", "patrol", "eruption"


@dataclass(slots=True)
class Category:
    """A case category compiled from the scenario for fast lookup."""

    index: int
    name: str
    label: str
    rate_per_person_day: float
    effort_mu: float
    effort_sigma: float
    departments: tuple[int, ...]
    latent: bool
    erupt_days: float
    micro_enforceable: bool
    patrol_visible: bool
    community_authority: bool
    street_authority: bool
    mediation: bool
    severity_cdf: tuple[float, float, float]
    start_day: int = 0
    end_day: int | None = None
    ambiguity: float = 0.0  # how unclear the duty is (三张清单): 0 = one unit named, → 1 = many or none
    severity_growth_days: float = 60.0
    eruption_trust_loss: float = 0.0

    def active(self, day: int) -> bool:
        """Whether the category arises on ``day`` (task shocks have a window)."""
        return day >= self.start_day and (self.end_day is None or day <= self.end_day)

    @property
    def multi_department(self) -> bool:
        return len(self.departments) >= 2


@dataclass(slots=True)
class Case:
    """One problem and the record of what the organisation did about it."""

    id: int
    category: int
    grid: int
    community: int
    street: int
    household: int
    severity: int
    departments: tuple[int, ...]
    latent: bool
    t_created: float
    t_erupt: float = NAN
    t_discovered: float = NAN
    t_reported: float = NAN
    t_accepted: float = NAN
    t_dispatched: float = NAN
    t_first_response: float = NAN
    t_resolved: float = NAN
    t_closed: float = NAN
    channel: str = ""
    found_by: str = ""
    status: str = OPEN
    level: str = ""
    holder: str = ""
    # hand-offs in order as (kind, time, kind, time, ...), a kind being the one shared
    # (from, to, reason) tuple of all hand-offs alike: a small tuple a case instead of a list
    # of 4-tuples (~180 bytes a case less).  Read them as ``handoffs``.
    handoff_log: tuple = ()
    buckpass: int = 0
    escalations: int = 0
    eruption: bool = False
    repeat_of: int = -1
    petition: bool = False
    satisfaction: float = NAN
    t_overdue: float = NAN  # when the household's patience ran out with the request still open
    priority_boost: float = 0.0
    done_mask: int = 0  # departments that have done their part: bit d for department d
    pending_mask: int = 0  # departments with a part referred, summoned or under way
    whistled: bool = False
    last_refused: int = -1
    parts_failed: bool = False
    # per department reached: [d, received, arrived, d', ...] — when the referral or summons
    # reached it (the latest) and when its staff started on site (the first; NAN = not yet).
    # One flat list made when first needed: two dicts cost ~240 bytes a case.
    dept_times: list | None = None
    in_process: bool = False
    staff_hours: float = 0.0
    summons: dict | None = None  # department → (time summoned, deadline h, misses) while not yet on site
    hidden_by: tuple | None = None  # the unit that covered up this hazard (不出事)
    severity0: int = 0  # a latent hazard's severity when it arose (0 = not yet recorded)

    @property
    def remaining_departments(self) -> tuple[int, ...]:
        done = self.done_mask
        if not done:  # the common case, asked at every routing step
            return self.departments
        return tuple([d for d in self.departments if not done >> d & 1])

    # Which departments did or are doing their part.  Bits of an int rather than sets: a
    # set costs 216 bytes even empty, and a city year holds millions of cases.
    @property
    def parts_done(self) -> frozenset[int]:
        return _members(self.done_mask)

    @property
    def parts_pending(self) -> frozenset[int]:
        return _members(self.pending_mask)

    def part_done(self, d: int) -> None:
        self.done_mask |= 1 << d

    def part_pending(self, d: int) -> None:
        self.pending_mask |= 1 << d

    def part_not_pending(self, d: int) -> None:
        self.pending_mask &= ~(1 << d)

    def is_pending(self, d: int) -> bool:
        return bool(self.pending_mask >> d & 1)

    def _times_of(self, d: int) -> int:
        """Where department ``d``'s entry starts in :attr:`dept_times` (−1: none)."""
        times = self.dept_times
        if times is None:
            return -1
        # every third item is a department (a time may compare equal to a department number)
        for i in range(0, len(times), 3):
            if times[i] == d:
                return i
        return -1

    def _mark(self, d: int, slot: int, t: float, keep_first: bool) -> None:
        """Set department ``d``'s time in ``slot`` (1 received, 2 arrived) to ``t``."""
        i = self._times_of(d)
        if i < 0:
            entry = [d, NAN, NAN]
            entry[slot] = t
            if self.dept_times is None:
                if untrack_record is not None:  # numbers only, as the record's other parts
                    untrack_record(entry)
                self.dept_times = entry
            else:
                self.dept_times += entry
        elif not keep_first or self.dept_times[i + slot] != self.dept_times[i + slot]:
            self.dept_times[i + slot] = t

    def _time(self, d: int, slot: int, default: float) -> float:
        i = self._times_of(d)
        t = self.dept_times[i + slot] if i >= 0 else NAN
        return default if t != t else t

    def mark_received(self, d: int, t: float) -> None:
        """Department ``d`` got the referral or summons at ``t`` (the latest counts)."""
        self._mark(d, 1, t, keep_first=False)

    def mark_arrived(self, d: int, t: float) -> None:
        """Department ``d``'s staff started on site at ``t`` (the first time counts)."""
        self._mark(d, 2, t, keep_first=True)

    def received_at(self, d: int, default: float) -> float:
        return self._time(d, 1, default)

    def arrived_at(self, d: int, default: float) -> float:
        return self._time(d, 2, default)

    def handoff(self, src: str, dst: str, t: float, reason: str) -> None:
        """Record a hand-off (移交) from unit ``src`` to ``dst`` at ``t`` for ``reason``."""
        key = (src, dst, reason)
        kind = _HANDOFF_KINDS.get(key)
        if kind is None:  # one copy of each unit's label ("department:3") for all cases
            kind = _HANDOFF_KINDS.setdefault(key, (intern(src), intern(dst), intern(reason)))
        log = self.handoff_log + (kind, t)
        if untrack_record is not None:  # strings and times only, as the record's other parts
            untrack_record(log)
        self.handoff_log = log

    @property
    def handoffs(self) -> list[tuple[str, str, float, str]]:
        """The hand-offs in order, as ``(from, to, time, reason)`` (built when asked)."""
        log = self.handoff_log
        return [(kind[0], kind[1], t, kind[2]) for kind, t in zip(log[::2], log[1::2], strict=True)]

    @property
    def n_handoffs(self) -> int:
        return len(self.handoff_log) >> 1

    @property
    def handoff_units(self) -> list[str]:
        """The unit each hand-off went to, in order."""
        return [kind[1] for kind in self.handoff_log[::2]]

    @property
    def handoff_reasons(self) -> list[str]:
        return [kind[2] for kind in self.handoff_log[::2]]


# Takes a new record, its hand-off tuple and its department times out of the cyclic
# collector's lists (``_records.pyx``): they hold only numbers, strings and small containers
# of them, so they are in no reference cycle.  None where the package was built without a C
# compiler: they stay tracked (the same results).
untrack_record = compiled_or("_records", "untrack", None)


# (from, to, reason) → the one tuple every hand-off of that kind shares (a few thousand at most)
_HANDOFF_KINDS: dict[tuple[str, str, str], tuple[str, str, str]] = {}


def _members(mask: int) -> frozenset[int]:
    out = []
    d = 0
    while mask:
        if mask & 1:
            out.append(d)
        mask >>= 1
        d += 1
    return frozenset(out)
