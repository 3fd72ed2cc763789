"""A progress bar for a sweep: runs done (with those already done before) and failed, and the
time left, in a terminal or a notebook (rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from sim.sweep.spec import RunSpec


class SweepProgress:
    """A context manager on stderr; pass it as a sweep's `on_done`."""

    def __init__(self, name: str, total: int, done: int = 0) -> None:
        self.name = name
        self.failed = 0
        self.console = Console(stderr=True, highlight=False)
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=self.console,
        )
        self.task = self.bar.add_task(name, total=total, completed=done)
        self.resumed = done

    def __enter__(self) -> SweepProgress:
        if self.resumed:
            total = self.bar.tasks[0].total
            self.console.print(f"resuming: {self.resumed} of {total:.0f} runs already done")
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def __call__(self, _spec: RunSpec, outcome: dict[str, Any]) -> None:
        """One run finished, well or not."""
        self.failed += outcome["status"] != "ok"
        self.bar.update(self.task, advance=1, description=f"{self.name} ({self.failed} failed)")
