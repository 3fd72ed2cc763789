"""A progress bar for a sweep: runs done (with those already done before) and failed, and the
time left, in a terminal or a notebook (rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from sim.sweep.spec import RunSpec


class SweepProgress:
    """Use as a context manager, and pass it as a sweep's `on_done`."""

    def __init__(self, name: str, total: int, done: int = 0, console: Console | None = None):
        self.name = name
        self.failed = 0
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=console,
        )
        self.task = self.bar.add_task(name, total=total, completed=done)

    def __enter__(self) -> SweepProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Take the bar off the screen (it may be stopped more than once)."""
        self.bar.stop()

    def __call__(self, _spec: RunSpec, outcome: dict[str, Any]) -> None:
        """One run finished, well or not."""
        self.failed += outcome["status"] != "ok"
        self.bar.update(self.task, advance=1, description=f"{self.name} ({self.failed} failed)")
