"""Demand over time: seasons, days of the week, public holidays and shocks.

A scenario's ``demand`` block scales each category's daily Poisson rate
(``lifecycle.emerge_day``) by one multiplier per category per day::

    rate(c, d) = rate_c × seasonal_c[month(d)] × day_factor(d) × Π shocks covering (c, d)

where ``day_factor`` is ``day_of_week[weekday(d)]``, or ``holiday_multiplier``
on a public holiday (放假) of the named calendar, or the mean Monday–Friday
multiplier on a make-up workday (调休上班).  A shock (an epidemic, a campaign)
multiplies the rates of the categories it names — all categories if it names
none — over its window, and multiplies the hotline's consultations (咨询) per
call by ``hotline_consultations``.  Dates come from the scenario's
``start_date`` (day 0, a Monday).

Every default is 1 and no calendar: a scenario without ``demand`` (or with the
defaults) draws exactly what it drew before.  Multipliers are taken as given,
not rescaled: a seasonal profile whose twelve values do not average 1 changes
the yearly volume too.  Holidays change demand only; the offices keep their
working week (``calendar``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from governance_sim.holidays import CALENDARS, holidays_of, missing_years

DEFAULT_START_DATE = date(2024, 1, 1)  # a Monday, like day 0 of the working calendar

Multiplier = Annotated[float, Field(ge=0, le=10)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ShockSpec(_Strict):
    """A window of days in which chosen categories (and hotline consultations) are multiplied."""

    label: str = Field(default="", description="what happened, e.g. 新冠疫情")
    start: int | date = Field(description="first day: a day number (0 = start_date) or a date")
    end: int | date | None = Field(default=None, description="last day, inclusive (None = to the end)")
    categories: list[str] | None = Field(
        default=None, description="categories whose rate is multiplied (None = every category)")
    multiplier: float = Field(default=1.0, ge=0, le=50, description="multiplies their daily rates")
    hotline_consultations: float = Field(
        default=1.0, ge=0, le=50,
        description="multiplies the hotline's consultations (咨询) per call in the window")

    @field_validator("start", "end")
    @classmethod
    def _not_negative(cls, v):
        if isinstance(v, int) and v < 0:
            raise ValueError("a day number must be ≥ 0")
        return v


class DemandSpec(_Strict):
    """How the rate of new problems moves over the year (all defaults change nothing)."""

    seasonal: dict[str, Annotated[list[Multiplier], Field(min_length=12, max_length=12)]] = Field(
        default_factory=dict,
        description="category → 12 monthly multipliers, January to December")
    day_of_week: Annotated[list[Multiplier], Field(min_length=7, max_length=7)] = Field(
        default_factory=lambda: [1.0] * 7, description="multipliers Monday to Sunday")
    holidays: str | None = Field(
        default=None, description=f"public-holiday calendar; allowed: {sorted(CALENDARS)}")
    holiday_multiplier: Multiplier = Field(
        default=1.0, description="replaces the day-of-week multiplier on a public holiday")
    shocks: list[ShockSpec] = Field(default_factory=list, description="windows of extra demand")

    @field_validator("holidays")
    @classmethod
    def _known_calendar(cls, v):
        if v is not None and v not in CALENDARS:
            raise ValueError(f"unknown holiday calendar {v!r}; allowed: {sorted(CALENDARS)}")
        return v

    @property
    def is_default(self) -> bool:
        return self == DemandSpec()


def day_number(when: int | date, start_date: date) -> int:
    """A shock bound as a day number counted from ``start_date``."""
    return when if isinstance(when, int) else (when - start_date).days


def check_demand(scenario) -> tuple[str, str] | None:
    """``(field, message)`` for the first thing in ``start_date``/``demand`` that does not fit
    the rest of the scenario, else ``None``."""
    start = scenario.start_date
    if start.weekday() != 0:
        return ("start_date", f"must be a Monday, as day 0 of the working calendar is "
                              f"(got {start.isoformat()}, a {start.strftime('%A')})")
    spec = scenario.demand
    names = list(scenario.categories)
    for cname in spec.seasonal:
        if cname not in names:
            return (f"demand.seasonal.{cname}", f"unknown category; allowed: {names}")
    for i, shock in enumerate(spec.shocks):
        first = day_number(shock.start, start)
        if first < 0:
            return (f"demand.shocks.{i}.start", f"before start_date {start.isoformat()}")
        if shock.end is not None and day_number(shock.end, start) < first:
            return (f"demand.shocks.{i}.end", "before the shock's start")
        for cname in shock.categories or ():
            if cname not in names:
                return (f"demand.shocks.{i}.categories", f"unknown category {cname!r}; allowed: {names}")
    if spec.holidays is not None:
        last = start + timedelta(days=scenario.days - 1)
        missing = missing_years(spec.holidays, start, last)
        if missing:
            held = sorted(CALENDARS[spec.holidays])
            return ("demand.holidays", f"calendar {spec.holidays!r} holds the years {held}; "
                                       f"the run also covers {missing}")
    return None


class DemandProfile:
    """A scenario's demand block compiled for the daily emergence loop."""

    def __init__(self, spec: DemandSpec, start_date: date, category_names: list[str]):
        self.start_date = start_date
        index = {name: i for i, name in enumerate(category_names)}
        n = len(category_names)
        self.seasonal = np.ones((12, n))
        for name, profile in spec.seasonal.items():
            self.seasonal[:, index[name]] = profile
        self.day_of_week = list(spec.day_of_week)
        self.makeup_workday = float(np.mean(self.day_of_week[:5]))
        self.holiday = spec.holiday_multiplier
        self.days_off, self.makeup_days = (holidays_of(spec.holidays) if spec.holidays
                                           else (frozenset(), frozenset()))
        self.shocks = []
        for shock in spec.shocks:
            mask = np.ones(n, dtype=bool)
            if shock.categories is not None:
                mask[:] = False
                mask[[index[c] for c in shock.categories]] = True
            factor = np.where(mask, shock.multiplier, 1.0)
            last = day_number(shock.end, start_date) if shock.end is not None else None
            self.shocks.append((day_number(shock.start, start_date), last, factor,
                                shock.hotline_consultations))

    def date_of(self, day: int) -> date:
        return self.start_date + timedelta(days=day)

    def day_factor(self, day: int) -> float:
        """The day-of-week multiplier, or the holiday / make-up workday one."""
        d = self.date_of(day)
        if d in self.days_off:
            return self.holiday
        if d in self.makeup_days:
            return self.makeup_workday
        return self.day_of_week[d.weekday()]

    def _active(self, day: int):
        for first, last, factor, consult in self.shocks:
            if day >= first and (last is None or day <= last):
                yield factor, consult

    def rates(self, day: int) -> list[float]:
        """One multiplier per category (in category order) for ``day``."""
        m = self.seasonal[self.date_of(day).month - 1] * self.day_factor(day)
        for factor, _ in self._active(day):
            m = m * factor
        return m.tolist()

    def consultations(self, day: int) -> float:
        """Multiplier of the hotline's consultations per call on ``day``."""
        out = 1.0
        for _, consult in self._active(day):
            out *= consult
        return out


def demand_profile(scenario, category_names: list[str]) -> DemandProfile | None:
    """The compiled profile, or ``None`` when the block is all defaults (the fast, unchanged path)."""
    if scenario.demand.is_default:
        return None
    return DemandProfile(scenario.demand, scenario.start_date, category_names)
