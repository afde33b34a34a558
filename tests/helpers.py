"""Helpers for tests: a quiet model with no random problems, case injection, and a CLI run that
must be refused."""

from __future__ import annotations

import copy

from governance_sim import GovernanceModel
from governance_sim.engine import PurePythonCalendar


def quiet_model(tiny: dict, **overrides) -> GovernanceModel:
    """The tiny scenario with every category rate and all line work at zero."""
    sc = copy.deepcopy(tiny)
    for cat in sc["categories"].values():
        cat["rate"] = 0
    for dept in sc["territory"]["departments"]:
        dept["vertical_tasks_per_day"] = 0
    return GovernanceModel(sc, overrides=overrides or None)


def inject(model: GovernanceModel, category: str, *, t: float = 10.0, severity: int = 1,
           household: int = 0, channel: str | None = "community", reported: bool = True):
    """Create one problem at time ``t``; report it through ``channel`` at once if ``reported``."""
    cat = next(c for c in model.categories if c.name == category)
    case = model.lifecycle.emerge_case(cat, household, t, severity, report=False)
    if reported:
        model.events.schedule(t, model.lifecycle.resident_report, case, channel)
    return case


def run_days(model: GovernanceModel, days: int) -> None:
    for _ in range(days):
        model.step()


class ReferenceCalendar(PurePythonCalendar):
    """The calendar as first written, step by step through the helper methods."""

    def next_start(self, t, reserved_h=0.0):
        day = int(t // 24.0)
        while True:
            if self.is_workday(day):
                opening = self.office_open(day, reserved_h)
                if t < opening:
                    return opening
                if t < self.office_close(day):
                    return t
            day += 1
            t = day * 24.0

    def finish_time(self, start, effort, reserved_h=0.0):
        t, remaining, overtime = start, effort, 0.0
        day = int(t // 24.0)
        while True:
            close = self.office_close(day)
            available = close + self.overtime - t
            if remaining <= available:
                end = t + remaining
                if end > close:
                    overtime += end - max(close, t)
                return end, overtime
            if available > 0:
                remaining -= available
                overtime += self.overtime if t <= close else close + self.overtime - t
            day += 1
            while not self.is_workday(day):
                day += 1
            t = self.office_open(day, reserved_h)

    def add_working_hours(self, t, hours):
        if hours <= 0:
            return t
        t = self.next_start(t)
        remaining = hours
        day = int(t // 24.0)
        while True:
            available = self.office_close(day) - t
            if remaining <= available:
                return t + remaining
            remaining -= max(available, 0.0)
            day += 1
            while not self.is_workday(day):
                day += 1
            t = self.office_open(day)


def assert_cli_run_refused(scenario: dict, tmp_path, expected: str) -> None:
    """``govsim run`` of ``scenario`` exits 2 with one line holding ``expected``, no traceback,
    and writes nothing."""
    import subprocess
    import sys

    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "governance_sim.cli", "run", str(path), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and expected in lines[0], proc.stderr
    assert not out.exists()
