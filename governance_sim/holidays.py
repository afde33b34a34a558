"""Public-holiday calendars a scenario may name in ``demand.holidays``.

Each calendar maps a year to its days off (放假, including the weekend days
folded into a holiday) and its make-up workdays (调休上班, a Saturday or Sunday
that is worked).  Shipped:

* ``cn`` — the People's Republic of China, from the State Council General
  Office's yearly notices: 2020 from 国办发明电〔2019〕16号 as amended by
  国办发明电〔2020〕1号 (the Spring Festival holiday extended to 2 February for
  the epidemic, which cancelled the 1 February make-up day); 2021 from
  国办发明电〔2020〕27号; 2024 from 国办发明电〔2023〕7号; 2025 from
  国办发明电〔2024〕12号.

A run whose dates fall in a year a calendar does not hold is refused when the
scenario is loaded (see :func:`missing_years`).
"""

from __future__ import annotations

from datetime import date, timedelta


def _span(first: str, last: str) -> list[date]:
    d0, d1 = date.fromisoformat(first), date.fromisoformat(last)
    return [d0 + timedelta(days=k) for k in range((d1 - d0).days + 1)]


def _days(*spans: tuple[str, str] | str) -> frozenset[date]:
    out: list[date] = []
    for s in spans:
        out += _span(s, s) if isinstance(s, str) else _span(*s)
    return frozenset(out)


# year → (days off, make-up workdays)
CALENDARS: dict[str, dict[int, tuple[frozenset[date], frozenset[date]]]] = {
    "cn": {
        2020: (
            _days("2020-01-01", ("2020-01-24", "2020-02-02"), ("2020-04-04", "2020-04-06"),
                  ("2020-05-01", "2020-05-05"), ("2020-06-25", "2020-06-27"),
                  ("2020-10-01", "2020-10-08")),
            _days("2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27",
                  "2020-10-10"),
        ),
        2021: (
            _days(("2021-01-01", "2021-01-03"), ("2021-02-11", "2021-02-17"),
                  ("2021-04-03", "2021-04-05"), ("2021-05-01", "2021-05-05"),
                  ("2021-06-12", "2021-06-14"), ("2021-09-19", "2021-09-21"),
                  ("2021-10-01", "2021-10-07")),
            _days("2021-02-07", "2021-02-20", "2021-04-25", "2021-05-08", "2021-09-18",
                  "2021-09-26", "2021-10-09"),
        ),
        2024: (
            _days("2024-01-01", ("2024-02-10", "2024-02-17"), ("2024-04-04", "2024-04-06"),
                  ("2024-05-01", "2024-05-05"), "2024-06-10", ("2024-09-15", "2024-09-17"),
                  ("2024-10-01", "2024-10-07")),
            _days("2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11",
                  "2024-09-14", "2024-09-29", "2024-10-12"),
        ),
        2025: (
            _days("2025-01-01", ("2025-01-28", "2025-02-04"), ("2025-04-04", "2025-04-06"),
                  ("2025-05-01", "2025-05-05"), ("2025-05-31", "2025-06-02"),
                  ("2025-10-01", "2025-10-08")),
            _days("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"),
        ),
    },
}


def missing_years(calendar: str, first: date, last: date) -> list[int]:
    """Years between ``first`` and ``last`` (inclusive) that ``calendar`` does not hold."""
    held = CALENDARS[calendar]
    return [y for y in range(first.year, last.year + 1) if y not in held]


def holidays_of(calendar: str) -> tuple[frozenset[date], frozenset[date]]:
    """Every day off and every make-up workday that ``calendar`` holds."""
    off: set[date] = set()
    work: set[date] = set()
    for days_off, workdays in CALENDARS[calendar].values():
        off |= days_off
        work |= workdays
    return frozenset(off), frozenset(work)
