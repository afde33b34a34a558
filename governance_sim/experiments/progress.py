"""Progress of a sweep: a rich bar with ETA and the count of failed runs."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class SweepProgress:
    """Receives ``start(total, done)``, ``advance(ok)`` and ``stop()`` from a sweep."""

    def start(self, total: int, done: int, label: str) -> None: ...

    def advance(self, ok: bool) -> None: ...

    def stop(self) -> None: ...


class RichProgress(SweepProgress):
    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.failed = 0

    def start(self, total: int, done: int, label: str) -> None:
        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
            TextColumn("[red]{task.fields[failed]} failed[/]"), TimeElapsedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(), console=self.console, transient=False,
        )
        self.bar.start()
        self.task = self.bar.add_task(label, total=total, completed=done, failed=0)

    def advance(self, ok: bool) -> None:
        self.failed += not ok
        self.bar.update(self.task, advance=1, failed=self.failed)

    def stop(self) -> None:
        self.bar.stop()


class CallbackProgress(SweepProgress):
    """Calls ``fn(done, total, failed)`` after every run (for notebooks and GUIs)."""

    def __init__(self, fn: Callable[[int, int, int], None]):
        self.fn = fn

    def start(self, total: int, done: int, label: str) -> None:
        self.total, self.done, self.failed = total, done, 0

    def advance(self, ok: bool) -> None:
        self.done += 1
        self.failed += not ok
        self.fn(self.done, self.total, self.failed)


class TqdmProgress(SweepProgress):
    """A ``tqdm.auto`` bar: a widget in Jupyter, text elsewhere (``progress="tqdm"``)."""

    def start(self, total: int, done: int, label: str) -> None:
        from tqdm.auto import tqdm

        self.failed = 0
        self.bar = tqdm(total=total, initial=done, desc=label, unit="run")

    def advance(self, ok: bool) -> None:
        self.failed += not ok
        if not ok:
            self.bar.set_postfix(failed=self.failed)
        self.bar.update(1)

    def stop(self) -> None:
        self.bar.close()


def make_progress(progress: bool | str | Callable | SweepProgress | None) -> SweepProgress:
    """``True`` → a rich bar on stderr, ``"tqdm"`` → a tqdm bar (notebooks), a callable →
    ``fn(done, total, failed)``, a :class:`SweepProgress` as is, ``False``/``None`` → none."""
    if isinstance(progress, SweepProgress):
        return progress
    if progress == "tqdm":
        return TqdmProgress()
    if callable(progress):
        return CallbackProgress(progress)
    return RichProgress() if progress else SweepProgress()
